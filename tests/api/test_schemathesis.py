"""Fuzz the whole API from its OpenAPI schema with schemathesis: no request may cause a server error."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.django_db(transaction=True)
def test_no_generated_request_causes_a_server_error(live_server):
    from redgrid.core.api import issue_token
    from redgrid.testing import build_world

    world = build_world()
    token = issue_token(world.user("street"))
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis",
                                                                                path=str(Path(sys.executable).parent))
    assert st, "schemathesis is a dev dependency"
    result = subprocess.run(
        [st, "run", f"{live_server.url}/api/v1/openapi.json", "--checks", "not_a_server_error",
         "--max-examples", os.environ.get("REDGRID_FUZZ_EXAMPLES", "6"), "--header",
         f"Authorization: Bearer {token}", "--no-color", "--seed", "1"],
        capture_output=True, text=True, timeout=1800, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
