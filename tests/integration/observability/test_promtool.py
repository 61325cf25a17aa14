"""promtool, the real one (Debian's prometheus package, installed by `make system-deps`): the configuration and
rule files are valid, and the rule unit tests pass."""

from __future__ import annotations

import subprocess

import pytest

from .conftest import DEPLOY

PROMTOOL = "/usr/bin/promtool"


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, cwd=DEPLOY / "prometheus", timeout=120)


@pytest.mark.parametrize(
    "args",
    [
        ("check", "config", "prometheus.yml"),
        ("check", "rules", "rules/labourwatch.yml"),
        ("test", "rules", "tests/labourwatch_test.yml"),
    ],
    ids=["check-config", "check-rules", "test-rules"],
)
def test_promtool(args):
    done = promtool(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout + done.stderr


def test_rule_tests_can_fail(tmp_path):
    """A broken expectation must make `promtool test rules` fail (so the green run above means something)."""
    tests = (DEPLOY / "prometheus" / "tests" / "labourwatch_test.yml").read_text(encoding="utf-8")
    broken = tests.replace(
        "exp_labels: {severity: page, channel: webhook}", "exp_labels: {severity: page, channel: wecom}"
    )
    assert broken != tests
    (tmp_path / "tests").mkdir()
    (tmp_path / "rules").symlink_to(DEPLOY / "prometheus" / "rules")
    (tmp_path / "tests" / "broken_test.yml").write_text(broken, encoding="utf-8")
    done = subprocess.run(
        [PROMTOOL, "test", "rules", "tests/broken_test.yml"], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode != 0 and "LabourwatchDeliveryDeadLetters" in done.stdout + done.stderr
