"""Compatibility with the real tus-js-client (the library the web app uploads with), run in Node."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
from pathlib import Path

from intervu_kit.settings import REPO_ROOT
from intervu_kit.testing.plugin import running_app
from intervu_media.main import create_app

from .conftest import SignIn, media_settings, media_worker, serving, wait_for_status

SCRIPT = REPO_ROOT / "web" / "scripts" / "tus-upload.mjs"


async def test_tus_js_client_uploads_a_recording_that_becomes_ready(
    infra: object, sign_in: SignIn, media_files: dict[str, Path]
) -> None:
    assert (REPO_ROOT / "web" / "node_modules" / "tus-js-client").exists(), "run `make setup` (web packages)"
    assert shutil.which("node"), "Node.js is needed for the web app and this test"
    settings = media_settings("local")
    who = await sign_in()
    answer_id = str(uuid.uuid4())
    with serving(settings, 18215) as base:
        result = await asyncio.to_thread(
            subprocess.run,
            ["node", str(SCRIPT), f"{base}/api/media/uploads/", who.token, str(media_files["browser.webm"]), answer_id],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert url.startswith(f"{base}/api/media/uploads/")
    recording_id = url.rsplit("/", 1)[-1]
    async with running_app(create_app(settings)) as client, media_worker(settings):
        body = await wait_for_status(client, who, recording_id)
    assert body["status"] == "ready", body
    assert body["answer_id"] == answer_id
    assert body["filename"] == "browser.webm"
