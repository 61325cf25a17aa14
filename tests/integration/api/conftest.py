"""One live API per database backend, shared by the API tests of this folder (built once: a few seconds)."""

from __future__ import annotations

import pytest
from testkit.live import live_api


@pytest.fixture(scope="package")
def api(template_db, tmp_path_factory):
    with live_api(template_db, tmp_path_factory.mktemp("api")) as live:
        yield live
