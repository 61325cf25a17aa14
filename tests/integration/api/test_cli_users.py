"""`labourwatch users`: organisations, users and keys from the command line, audited as the OS account."""

from __future__ import annotations

import re

from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cli import cli
from service.config import Settings
from service.db.tables import AuditLog


def test_onboard_list_update_and_revoke_from_the_command_line(fresh_db):
    runner = CliRunner()
    settings = Settings(database_url=fresh_db.url)

    def run(*args: str) -> str:
        result = runner.invoke(cli, ["users", *args], obj=settings, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    org = re.search(
        r"organisation (\d+)", run("add-org", "--name", "株洲市人社局", "--kind", "hr_department", "--region", "430200")
    )[1]
    user = re.search(r"user (\d+)", run("add", "--org", org, "--username", "zz-duty", "--role", "responder"))[1]
    printed = run("issue-key", "--user", user, "--days", "30")
    key = re.search(r"lw_[0-9a-f]{12}_\S+", printed)[0]
    prefix = key.split("_")[1]
    listing = run("list-keys", "--user", user)
    assert prefix in listing and key.split("_", 2)[2] not in listing and "valid" in listing
    assert "zz-duty" in run("list", "--org", org) and "株洲市人社局" in run("list-orgs")
    assert "analyst, inactive" in run("update", user, "--role", "analyst", "--inactive")
    run("revoke-key", prefix)
    assert "revoked" in run("list-keys", "--user", user)

    bad = runner.invoke(
        cli, ["users", "add-org", "--name", "x", "--kind", "operations", "--region", "999999"], obj=settings
    )
    assert bad.exit_code != 0 and "unknown region code 999999" in bad.output

    engine = fresh_db.engine()
    with Session(engine) as s:
        entries = s.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    engine.dispose()
    assert [e.action for e in entries] == [
        "organisation.create",
        "user.create",
        "api_key.issue",
        "user.update",
        "api_key.revoke",
    ]
    assert all(e.user_id is None and e.remote_addr.startswith("cli:") for e in entries)
    update = entries[3]
    assert (update.before["role"], update.before["active"]) == ("responder", True)
    assert (update.after["role"], update.after["active"]) == ("analyst", False)
