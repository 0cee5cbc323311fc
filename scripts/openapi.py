"""Writes every service's OpenAPI document into web/openapi/<service>.json, the source of the web app's typed
API clients (`npm run build` turns them into TypeScript with openapi-typescript).

The documents are committed: `web/tests/test_openapi.py` fails when a service's API changed and this script was
not run, and then `tsc` fails wherever the web app no longer matches the API. So the two cannot drift.

    uv run python scripts/openapi.py          # write
    uv run python scripts/openapi.py --check  # exit 1 when a document is out of date
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from intervu_kit.settings import SERVICES

OUT = Path(__file__).resolve().parent.parent / "web" / "openapi"


def document(service: str) -> str:
    main = importlib.import_module(f"intervu_{service}.main")
    spec: dict[str, Any] = main.app.openapi()
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def stale() -> list[str]:
    return [s for s in SERVICES if not (OUT / f"{s}.json").exists() or (OUT / f"{s}.json").read_text() != document(s)]


def main() -> int:
    if "--check" in sys.argv[1:]:
        out_of_date = stale()
        for service in out_of_date:
            print(f"web/openapi/{service}.json is out of date: run `uv run python scripts/openapi.py`")
        return 1 if out_of_date else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        (OUT / f"{service}.json").write_text(document(service))
        print(f"wrote web/openapi/{service}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
