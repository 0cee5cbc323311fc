"""Recordings retention: a person who chose not to keep recordings loses them after the period they chose (the
bytes, every file of the recording); the recording's row, transcript and feedback stay. Others keep theirs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from intervu_contracts import ConsentChanged
from intervu_kit.consents import copy_consent
from intervu_kit.db import Database
from intervu_kit.storage import storage_from_settings
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import SignedIn, running_app
from intervu_kit.testing.tus import Tus
from intervu_media.consumers import apply_retention
from intervu_media.main import create_app
from intervu_media.models import consents

from .conftest import media_settings, media_worker, wait_for_status

SignIn = Callable[..., Awaitable[SignedIn]]


async def _consent(db: Database, user_id: str, keep: bool, days: int | None, at: datetime) -> None:
    event = ConsentChanged(user_id=user_id, purpose="keep_recordings", granted=keep, retention_days=days, changed_at=at)
    async with db.transaction() as session:
        await copy_consent(session, consents, event)


async def test_recordings_are_deleted_after_the_retention_period_their_owner_chose(
    infra: object, sign_in: SignIn, media_files: dict[str, Path]
) -> None:
    settings = media_settings("local")
    storage = storage_from_settings(settings)
    db = Database(settings.sqlalchemy_url, pool_size=1)
    async with running_app(create_app(settings)) as client, media_worker(settings):
        alice, bob = await sign_in(), await sign_in()
        mine = await Tus(client, alice).upload(media_files["answer.webm"].read_bytes())
        theirs = await Tus(client, bob).upload(media_files["answer.webm"].read_bytes())
        ready = await wait_for_status(client, alice, mine)
        assert ready["status"] == "ready" and (await wait_for_status(client, bob, theirs))["status"] == "ready"
        now = datetime.now(UTC)
        await _consent(db, alice.id, False, 30, now)
        # An older answer arriving late changes nothing (the newest wins).
        await _consent(db, alice.id, True, None, now - timedelta(minutes=5))

        try:
            await apply_retention(db, storage, now + timedelta(days=29))
            assert (await client.get(f"/api/media/recordings/{mine}", headers=alice.headers)).json()[
                "status"
            ] == "ready"
            await apply_retention(db, storage, now + timedelta(days=31))
        finally:
            await db.dispose()
        gone = (await client.get(f"/api/media/recordings/{mine}", headers=alice.headers)).json()
        assert gone["status"] == "purged" and gone["duration_s"] == ready["duration_s"]  # the facts stay
        assert await storage.list_objects(f"recordings/{alice.id}/{mine}/") == []
        playback = await client.get(f"/api/media/recordings/{mine}/playback", headers=alice.headers)
        assert_error(playback, 410, "recording_purged")
        # Bob never chose a retention period: his recording is kept.
        assert (await client.get(f"/api/media/recordings/{theirs}", headers=bob.headers)).json()["status"] == "ready"
        assert await storage.list_objects(f"recordings/{bob.id}/{theirs}/") != []
