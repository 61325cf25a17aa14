"""`labourwatch serve`: the API, web pages and /metrics on one address."""

from __future__ import annotations

import click

from service.cli._common import settings_of

__all__ = ["serve"]


@click.command()
@click.option("--host", default=None, help="Default: LABOURWATCH_HOST (127.0.0.1).")
@click.option("--port", type=int, default=None, help="Default: LABOURWATCH_PORT (8000).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the API, web pages and /metrics."""
    import uvicorn

    from service.api import create_app

    settings = settings_of(ctx)
    host, port = host or settings.host, port or settings.port
    base = f"http://{host}:{port}"
    click.echo(f"labourwatch serving on {base}")
    click.echo(f"  web pages  {base}/web/   (sign in as a demo user: user name = password, e.g. demo-zhuzhou-hr)")
    click.echo(f"  API docs   {base}/api/v1/docs")
    click.echo(f"  alerts     {base}/api/v1/alerts   (send 'Authorization: Bearer <key>')")
    click.echo(f"  metrics    {base}/metrics")
    click.echo(f"  health     {base}/healthz")
    uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level.lower())
