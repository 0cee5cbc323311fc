"""The web app's API types come from the services' OpenAPI documents in web/openapi/: they must be current."""

from __future__ import annotations

import subprocess
import sys

import pytest
from intervu_kit.devstack.config import Paths

pytestmark = pytest.mark.slow  # models or servers of its own: `make test`, not `make test-unit`


def test_the_web_apps_openapi_documents_match_the_services() -> None:
    # A service whose API changed without `uv run python scripts/openapi.py` fails here; after it, `npm run build`
    # (tsc) fails wherever the app no longer matches. The check runs in its own process: it imports every service.
    check = subprocess.run(
        [sys.executable, "scripts/openapi.py", "--check"], cwd=Paths.root, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
