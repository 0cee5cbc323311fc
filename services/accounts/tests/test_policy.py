"""The privacy policy as versioned Markdown: public to read, accepted per version with its time kept; a new
version published by an operator asks everyone again and is announced (accounts.policy_published.v1)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa
from intervu_accounts.config import get_settings
from intervu_accounts.main import app
from intervu_accounts.models import events
from intervu_accounts.policies.service import (
    SHIPPED,
    SHIPPED_SUMMARIES,
    current_policy,
    ensure_shipped,
    publish_version,
    shipped_versions,
)
from intervu_kit.db import Database
from intervu_kit.devstack.config import DevSettings
from intervu_kit.policy_gate import CurrentPolicy
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import KeycloakAdmin, SignedIn, running_app

SignIn = Callable[..., Awaitable[SignedIn]]
API = "/api/accounts/policy"


@pytest.fixture
async def client(infra: DevSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


async def _announced(version: int) -> bool:
    db = Database(get_settings().sqlalchemy_url, pool_size=1)
    try:
        async with db.transaction() as session:
            found = await session.scalar(
                sa.select(sa.func.count())
                .select_from(events.outbox)
                .where(events.outbox.c.name == "accounts.policy_published.v1")
                .where(events.outbox.c.envelope["data"]["version"].as_integer() == version)
            )
    finally:
        await db.dispose()
    return bool(found)


async def test_a_person_accepts_the_current_version_and_is_asked_again_when_a_new_one_is_published(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    me, operator = await sign_in(), await sign_in(roles=("admin",))
    public = await client.get(API)  # no token: the sign-up page links to it
    assert public.status_code == 200, public.text
    current = public.json()
    assert current["version"] >= 1 and "17" in current["markdown"] and len(current["sha256"]) == 64
    shipped = (await client.get(f"{API}/versions")).json()[-1]
    assert shipped["version"] == 1 and shipped["markdown"] == (SHIPPED / "1.md").read_text()

    status = (await client.get(f"{API}/status", headers=me.headers)).json()
    assert status["needs_acceptance"] is True and status["accepted_version"] is None
    accepted = await client.post(f"{API}/acceptances", json={"version": current["version"]}, headers=me.headers)
    assert accepted.status_code == 201, accepted.text
    again = await client.post(f"{API}/acceptances", json={"version": current["version"]}, headers=me.headers)
    assert again.json()["accepted_at"] == accepted.json()["accepted_at"]  # the first acceptance stands
    assert (await client.get(f"{API}/status", headers=me.headers)).json()["needs_acceptance"] is False

    # The operator publishes a new version: it is announced, and I am asked again.
    text = current["markdown"] + f"\n\n## 12. A new section\n\nAdded for a test ({uuid.uuid4()}).\n"
    assert_error(await client.post("/api/accounts/admin/policies", json={"markdown": text}, headers=me.headers),
                 403, "role_required")  # fmt: skip
    published = await client.post(
        "/api/accounts/admin/policies", json={"markdown": text, "summary": "A new section."}, headers=operator.headers
    )
    assert published.status_code == 201, published.text
    new = published.json()["version"]
    assert new == current["version"] + 1 and await _announced(new)
    same = await client.post("/api/accounts/admin/policies", json={"markdown": text}, headers=operator.headers)
    assert_error(same, 409, "policy_unchanged")
    status = (await client.get(f"{API}/status", headers=me.headers)).json()
    assert (status["needs_acceptance"], status["accepted_version"], status["current"]["version"]) == (
        True, current["version"], new,
    )  # fmt: skip
    old = await client.post(f"{API}/acceptances", json={"version": current["version"]}, headers=me.headers)
    assert_error(old, 409, "policy_version_not_current")
    assert (await client.post(f"{API}/acceptances", json={"version": new}, headers=me.headers)).status_code == 201
    history = (await client.get(f"{API}/acceptances", headers=me.headers)).json()
    assert [h["version"] for h in history] == [new, current["version"]]
    assert (await client.get(f"{API}/status", headers=me.headers)).json()["needs_acceptance"] is False


async def test_bad_publications_and_acceptances_are_refused(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me, operator = await sign_in(), await sign_in(roles=("admin",))
    short = await client.post("/api/accounts/admin/policies", json={"markdown": "too short"}, headers=operator.headers)
    assert_error(short, 422, "validation_error")
    assert_error(
        await client.post(f"{API}/acceptances", json={"version": 0}, headers=me.headers), 422, "validation_error"
    )
    assert_error(await client.post(f"{API}/acceptances", json={"version": 10**6}, headers=me.headers), 409,
                 "policy_version_not_current")  # fmt: skip
    assert_error(await client.get(f"{API}/status"), 401, "token_missing")


async def test_the_operators_privacy_contact_comes_with_the_policy(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """§11 of the policy says "write to the operator": the address the operator configures is shown with it."""
    from intervu_accounts.config import get_settings

    assert (await client.get(API)).json()["contact"] is None  # nothing configured: the app says so plainly
    monkeypatch.setattr(get_settings(), "privacy_contact", "privacy@intervu.example")
    assert (await client.get(API)).json()["contact"] == "privacy@intervu.example"
    assert {v["contact"] for v in (await client.get(f"{API}/versions")).json()} == {"privacy@intervu.example"}


async def test_processing_needs_the_current_policy_accepted_and_the_rights_do_not(
    client: httpx.AsyncClient, sign_in: SignIn, keycloak: KeycloakAdmin
) -> None:
    """Found from outside: a person who never accepted the policy could create sessions, upload and export. Now the
    services that process a person's data answer 403 policy_not_accepted until the token says the current version
    was accepted (accounts puts it on the sign-in account); reading one's data and the rights stay open."""
    from intervu_interviews.main import app as interviews_app
    from intervu_kit.testing.tus import Tus
    from intervu_media.main import app as media_app

    newcomer = await sign_in(policy_version=None)
    new_session = {"role": "retail", "question_count": 1}
    async with running_app(interviews_app) as interviews, running_app(media_app) as media:
        refused = await interviews.post("/api/interviews/sessions", json=new_session, headers=newcomer.headers)
        assert_error(refused, 403, "policy_not_accepted")
        assert_error(await Tus(media, newcomer).create(100), 403, "policy_not_accepted")
        # Reads and the rights need no acceptance.
        assert (await interviews.get("/api/interviews/sessions", headers=newcomer.headers)).status_code == 200
        assert (await client.post("/api/accounts/exports", headers=newcomer.headers)).status_code == 202
        assert (await client.post("/api/accounts/deletion", headers=newcomer.headers)).status_code == 201
        assert (await client.get("/api/accounts/consents", headers=newcomer.headers)).status_code == 200

    # The services read the current version from accounts (the next test reads it over HTTP; here it is set to the
    # test database's, which earlier tests may have moved past version 1). A person holding an older acceptance is
    # asked again, then accepts, then may go on.
    current = (await client.get(API)).json()["version"]
    gate = CurrentPolicy("")
    gate.version = current
    interviews_app.state.current_policy = gate
    try:
        me = await sign_in(policy_version=current - 1 if current > 1 else None)
        async with running_app(interviews_app) as interviews:
            error = assert_error(
                await interviews.post("/api/interviews/sessions", json=new_session, headers=me.headers),
                403,
                "policy_not_accepted",
            )
            assert error["details"]["current"] == current
            accepted = await client.post(f"{API}/acceptances", json={"version": current}, headers=me.headers)
            assert accepted.status_code == 201, accepted.text
            account = (await keycloak.request("GET", f"/users/{me.id}")).json()
            assert account["attributes"]["policy_version"] == [str(current)]
            assert account["attributes"]["birthdate"]  # the other attributes are kept
            renewed = {"Authorization": f"Bearer {await keycloak.password_token(me.user)}"}
            created = await interviews.post("/api/interviews/sessions", json=new_session, headers=renewed)
            assert created.status_code == 201, created.text
    finally:
        interviews_app.state.current_policy = None


async def test_the_services_read_the_current_version_from_accounts_and_keep_it_when_it_is_away(
    infra: DevSettings,
) -> None:
    from intervu_kit.testing.servers import free_port, serve

    with serve(app) as accounts_url:
        async with httpx.AsyncClient(base_url=accounts_url) as http:
            current = (await http.get(API)).json()["version"]
        gate = CurrentPolicy(f"{accounts_url}{API}", ttl_s=0)
        assert await gate.get() == current
    # Accounts is down: the last version read stands (never an error, never back to an older version).
    away = CurrentPolicy(f"http://127.0.0.1:{free_port()}{API}", ttl_s=0)
    away.version = current
    assert await away.get() == current


async def test_shipped_versions_follow_a_shipped_current_one_and_never_replace_the_operators(
    infra: DevSettings,
) -> None:
    """Version 2 words version 1 plainly (no "operator of Intervu"): an installation still on the shipped text gets
    it, announced and accepted again like any new version; an operator's own text is never replaced."""
    shipped = shipped_versions()
    assert [n for n, _ in shipped] == [1, 2] and "operator" not in shipped[-1][1]
    now = datetime.now(UTC)
    db = Database(get_settings().sqlalchemy_url)
    try:
        async with db.transaction() as session:  # rolled back: the test database keeps its own history
            theirs = await publish_version(session, f"# Our own policy {uuid.uuid4()}", "the operator's", now)
            assert "operator's own version" in await ensure_shipped(session, now)
            assert (await current_policy(session)).version == theirs.version
            # Back on the shipped text (an installation that never published its own): version 2 follows it.
            await publish_version(session, shipped[0][1], None, now)
            assert "published" in await ensure_shipped(session, now)
            current = await current_policy(session)
            assert (current.markdown, current.summary) == (shipped[1][1], SHIPPED_SUMMARIES[2])
            assert await ensure_shipped(session, now) == "privacy policy: already published"
            await session.rollback()
    finally:
        await db.dispose()
