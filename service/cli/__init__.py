"""The `labourwatch` command line: one click group, one module per area of work.

    labourwatch db upgrade          migrate the database named by LABOURWATCH_DATABASE_URL, load registries
    labourwatch demo                generate the synthetic demo world, ingest it, run the chain
    labourwatch serve               serve the API, web pages and /metrics
    labourwatch backtest ...        rolling-origin forecast backtest on a tidy CSV
    labourwatch backtest-warnings   replay warning rules month by month on a tidy CSV
    labourwatch report              quarterly joint-assessment report, HTML or PDF, Chinese or English

Each area registers its commands in `COMMANDS` below; the modules import heavy dependencies lazily.
"""

from __future__ import annotations

import importlib

import click

__all__ = ["cli", "main"]

# (module under service.cli, attribute): each attribute is a click command or group.
COMMANDS: list[tuple[str, str]] = [
    ("db", "db"),
    ("demo", "demo"),
    ("serve", "serve"),
    ("users", "users"),
    ("jobs", "jobs"),
    ("jobs", "forecast"),
    ("jobs", "evaluate"),
    ("report", "report"),
    ("ingest", "ingest"),
    ("scheduler", "scheduler"),
    ("warnings", "backtest_warnings"),
    ("backtest", "backtest"),
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """labourwatch: labour-market monitoring and unemployment early warning."""


for _module, _attr in COMMANDS:
    cli.add_command(getattr(importlib.import_module(f"service.cli.{_module}"), _attr))


def main() -> None:
    cli()
