"""docker-compose.yml holds the API, the scheduler, PostgreSQL, Prometheus and Grafana, wired to the files of
deploy/ (no Docker daemon or compose on the test machine, so the wiring is checked here, not by starting it).
The image is the repository's Dockerfile (`build: .`)."""

from __future__ import annotations

import re

from service.cli import cli

from .conftest import DEPLOY, load_yaml

ROOT = DEPLOY.parent


def compose() -> dict:
    return load_yaml(ROOT / "docker-compose.yml")


def test_the_five_parts_are_there_with_pinned_images():
    services = compose()["services"]
    assert {"api", "scheduler", "postgres", "prometheus", "grafana"} <= set(services)
    for name in ("postgres", "prometheus", "grafana"):
        assert re.fullmatch(r"[\w./-]+:[\w.]*\d[\w.-]*", services[name]["image"]), services[name]["image"]


def test_every_mounted_path_exists():
    for name, service in compose()["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which is missing"


def test_prometheus_scrapes_the_api_service_on_its_port():
    services = compose()["services"]
    config = load_yaml(DEPLOY / "prometheus" / "prometheus.yml")
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "labourwatch")
    host, port = job["static_configs"][0]["targets"][0].split(":")
    assert host == "api" and "--port" in services["api"]["command"]
    assert services["api"]["command"][services["api"]["command"].index("--port") + 1] == port
    assert "./deploy/prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]


def test_grafana_datasources_name_the_compose_services():
    sources = {
        d["uid"]: d for d in load_yaml(DEPLOY / "grafana/provisioning/datasources/labourwatch.yml")["datasources"]
    }
    assert sources["labourwatch-prometheus"]["url"] == "http://prometheus:9090"
    pg = sources["labourwatch-postgres"]
    assert (
        pg["url"] == "postgres:5432"
        and pg["jsonData"]["database"] == compose()["services"]["postgres"]["environment"]["POSTGRES_DB"]
    )
    assert pg["user"] == "grafana_reader"
    assert "grafana_reader" in (DEPLOY / "postgres" / "10-grafana-reader.sh").read_text()


def test_every_labourwatch_command_the_compose_file_runs_exists():
    used = set()
    for service in compose()["services"].values():
        command = service.get("command")
        text = command if isinstance(command, str) else " ".join(command or [])
        for match in re.finditer(r"labourwatch ([a-z-]+)(?: ([a-z-]+))?", text):
            used.add((match[1], match[2]))
    assert used
    for group, sub in used:
        command = cli.commands.get(group)
        assert command is not None, f"labourwatch {group} does not exist"
        if sub and hasattr(command, "commands") and not sub.startswith("-"):
            assert sub in command.commands, f"labourwatch {group} {sub} does not exist"
