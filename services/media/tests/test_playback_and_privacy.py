"""Recordings are visible, playable and deletable by their owner only; signed URLs expire and resist tampering."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from intervu_kit.storage import storage_from_settings
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import running_app
from intervu_kit.testing.tus import Tus
from intervu_media.main import create_app

from .conftest import SignIn, media_settings, media_worker, wait_for_status


async def test_only_the_owner_sees_plays_and_deletes_a_recording(
    infra: object, sign_in: SignIn, media_files: dict[str, Path]
) -> None:
    settings = media_settings("local")
    async with running_app(create_app(settings)) as client, media_worker(settings):
        alice, bob = await sign_in(), await sign_in()
        rid = await Tus(client, alice).upload(media_files["answer.webm"].read_bytes())
        assert (await wait_for_status(client, alice, rid))["status"] == "ready"

        for method, url in [
            ("GET", f"/api/media/recordings/{rid}"),
            ("GET", f"/api/media/recordings/{rid}/playback"),
            ("DELETE", f"/api/media/recordings/{rid}"),
        ]:
            assert_error(await client.request(method, url, headers=bob.headers), 404, "recording_not_found")
        assert (await client.get("/api/media/recordings", headers=bob.headers)).json() == []
        far = await client.get("/api/media/recordings", params={"offset": 10**20}, headers=bob.headers)
        assert_error(far, 422, "validation_error")  # was a bigint overflow in PostgreSQL: a 500
        assert [r["id"] for r in (await client.get("/api/media/recordings", headers=alice.headers)).json()] == [rid]

        playback = (await client.get(f"/api/media/recordings/{rid}/playback", headers=alice.headers)).json()
        assert (await client.get(playback["url"])).status_code == 200  # the signature is the credential

        deleted = await client.delete(f"/api/media/recordings/{rid}", headers=alice.headers)
        assert deleted.status_code == 204
        assert await storage_from_settings(settings).list_objects(f"recordings/{alice.id}/{rid}/") == []
        assert_error(await client.get(playback["url"]), 404, "object_not_found")


async def test_tampered_and_expired_signed_urls_are_refused(
    infra: object, sign_in: SignIn, media_files: dict[str, Path]
) -> None:
    settings = media_settings("local", media_playback_url_ttl_s=6)
    async with running_app(create_app(settings)) as client, media_worker(settings):
        alice, bob = await sign_in(), await sign_in()
        mine = await Tus(client, alice).upload(media_files["answer.wav"].read_bytes())
        theirs = await Tus(client, bob).upload(media_files["answer.mp3"].read_bytes())
        assert (await wait_for_status(client, alice, mine))["status"] == "ready"
        assert (await wait_for_status(client, bob, theirs))["status"] == "ready"
        url = (await client.get(f"/api/media/recordings/{mine}/playback", headers=alice.headers)).json()["url"]
        parsed = urlparse(url)
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}

        other_key = parsed.path.replace(f"{alice.id}/{mine}/media.wav", f"{bob.id}/{theirs}/media.mp3")
        assert_error(await client.get(f"{other_key}?{parsed.query}"), 403, "invalid_signature")
        forged = {**query, "signature": "0" * 64}
        assert_error(await client.get(f"{parsed.path}?{urlencode(forged)}"), 403, "invalid_signature")
        later = {**query, "expires": str(int(query["expires"]) + 3600)}
        assert_error(await client.get(f"{parsed.path}?{urlencode(later)}"), 403, "invalid_signature")
        escape = parsed.path.replace("recordings/", "recordings/../../")
        assert (await client.get(f"{escape}?{parsed.query}")).status_code in {403, 404}

        ok = await client.get(url, headers={"Range": "bytes=-10"})
        assert ok.status_code == 206 and len(ok.content) == 10
        assert_error(await client.get(url, headers={"Range": "bytes=999999999-"}), 416, "range_not_satisfiable")
        # Six seconds of validity: long enough for the checks above on a loaded machine, short enough to wait out.
        await asyncio.sleep(max(0.0, int(query["expires"]) - time.time()) + 1.1)
        assert_error(await client.get(url), 403, "url_expired")


async def test_s3_presigned_urls_refuse_tampering(infra: object, sign_in: SignIn, media_files: dict[str, Path]) -> None:
    settings = media_settings("s3")
    async with running_app(create_app(settings)) as client, media_worker(settings):
        alice = await sign_in()
        rid = await Tus(client, alice).upload(media_files["answer.ogg"].read_bytes())
        assert (await wait_for_status(client, alice, rid))["status"] == "ready"
        url = (await client.get(f"/api/media/recordings/{rid}/playback", headers=alice.headers)).json()["url"]
        async with httpx.AsyncClient() as plain:
            assert (await plain.get(url)).status_code == 200
            tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
            assert (await plain.get(tampered)).status_code == 403
