"""Device information (type, operating system, browser) is kept with a session only with the person's consent,
and what was kept goes when they withdraw it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
from intervu_contracts import ConsentChanged, EventEnvelope
from intervu_interviews.config import get_settings
from intervu_interviews.consumers import on_consent_changed
from intervu_interviews.sessions.device import describe_device
from intervu_kit.db import Database
from intervu_kit.testing.plugin import SignedIn

SignIn = Callable[..., Awaitable[SignedIn]]
PIXEL = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile "
    "Safari/537.36"
)
WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
    "Mobile/15E148 Safari/604.1"
)
FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:133.0) Gecko/20100101 Firefox/133.0"


def _seen(user_agent: str | None) -> dict[str, object] | None:
    info = describe_device(user_agent)
    return info.model_dump() if info else None


def test_the_device_is_read_from_the_user_agent() -> None:
    assert _seen(PIXEL) == {"type": "mobile", "os": "Android 14", "browser": "Chrome Mobile 131"}
    assert _seen(WINDOWS) == {"type": "desktop", "os": "Windows 10", "browser": "Chrome 131"}
    assert _seen(IPAD) == {"type": "tablet", "os": "iOS 17.5", "browser": "Mobile Safari 17"}
    assert _seen(FIREFOX_MAC) == {"type": "desktop", "os": "Mac OS X 14.5", "browser": "Firefox 133"}
    assert (_seen("curl/8.5.0") or {}).get("type") == "unknown"
    assert _seen("") is None and _seen(None) is None


async def _consent(user_id: str, granted: bool, at: datetime) -> None:
    event = ConsentChanged(user_id=user_id, purpose="device_info", granted=granted, changed_at=at)
    db = Database(get_settings().sqlalchemy_url, pool_size=1)
    try:
        async with db.transaction() as session:
            await on_consent_changed(session, event, EventEnvelope.wrap(event, "accounts"))
    finally:
        await db.dispose()


async def _session(client: httpx.AsyncClient, who: SignedIn, user_agent: str) -> dict[str, object]:
    created = await client.post(
        "/api/interviews/sessions",
        json={"role": "software-engineer", "question_count": 1},
        headers={**who.headers, "User-Agent": user_agent},
    )
    assert created.status_code == 201, created.text
    body: dict[str, object] = created.json()
    return body


async def test_device_information_only_with_consent_and_forgotten_on_withdrawal(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    me = await sign_in()
    assert (await _session(client, me, PIXEL))["device"] is None  # no consent given: nothing kept
    now = datetime.now(UTC)
    await _consent(me.id, True, now)
    kept = await _session(client, me, PIXEL)
    assert kept["device"] == {"type": "mobile", "os": "Android 14", "browser": "Chrome Mobile 131"}
    listed = (await client.get("/api/interviews/sessions", headers=me.headers)).json()["items"]
    assert next(s for s in listed if s["id"] == kept["id"])["device"]["type"] == "mobile"

    # A withdrawal older than the grant (arriving late) changes nothing; a newer one clears what was kept.
    await _consent(me.id, False, now - timedelta(seconds=5))
    assert (await client.get(f"/api/interviews/sessions/{kept['id']}", headers=me.headers)).json()["device"] is not None
    await _consent(me.id, False, now + timedelta(seconds=5))
    assert (await client.get(f"/api/interviews/sessions/{kept['id']}", headers=me.headers)).json()["device"] is None
    assert (await _session(client, me, WINDOWS))["device"] is None
