"""schemathesis against a live server: generated requests for every operation of the OpenAPI document, as a
province admin (the widest access), must never get a 5xx.

Bounded so it stays fast: the deterministic coverage phase (boundary and invalid values for every parameter)
plus a few fuzzed examples per operation. The seed is fixed for a reproducible CI run; set
LABOURWATCH_SCHEMATHESIS_SEED (and LABOURWATCH_SCHEMATHESIS_EXAMPLES) to explore further.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from testkit.live import live_api

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.slow
def test_no_server_errors(template_db, tmp_path):
    seed = os.environ.get("LABOURWATCH_SCHEMATHESIS_SEED", "2026")
    examples = os.environ.get("LABOURWATCH_SCHEMATHESIS_EXAMPLES", "5")
    with live_api(template_db, tmp_path) as api:
        key = api.world.key("province", "admin")
        cmd = [
            str(SCHEMATHESIS),
            "run",
            f"{api.base}/api/v1/openapi.json",
            "--checks",
            "not_a_server_error",
            "--phases",
            "coverage,fuzzing",
            "--max-examples",
            examples,
            "--seed",
            seed,
            "--no-shrink",
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--header",
            f"Authorization: Bearer {key}",
        ]
        # Run in tmp_path: schemathesis keeps a cache directory (.schemathesis/) in its working directory.
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path, env={**os.environ, "NO_COLOR": "1"}
        )
    report = (done.stdout + done.stderr)[-8000:]
    assert done.returncode == 0, f"schemathesis found failures (seed {seed}):\n{report}"
    selected = re.search(r"Selected: (\d+)/(\d+)", report)
    tested = re.search(r"Tested: (\d+)", report)
    assert selected and tested and selected[1] == selected[2] == tested[1], f"not every operation was tested:\n{report}"
