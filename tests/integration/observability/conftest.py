"""One live labourwatch per database backend holding the demo-like api_world, and its /metrics text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from testkit.live import live_api

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
DASHBOARDS = sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))


@pytest.fixture(scope="package")
def live(template_db, tmp_path_factory):
    with live_api(template_db, tmp_path_factory.mktemp("observability")) as api:
        # A few requests, so the HTTP histogram has samples too.
        api.get("/api/v1/me", api.world.key("zhuzhou", "analyst"))
        api.get("/api/v1/alerts", api.world.key("province", "analyst"))
        yield api


@pytest.fixture(scope="package")
def exposition(live) -> str:
    return live.client.get(live.base + "/metrics").text


def load_dashboards() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in DASHBOARDS}


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
