"""Practice sessions: question choice, job-description ranking, lifecycle, attempts, history, ownership."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest
import sqlalchemy as sa
from intervu_interviews import labelled
from intervu_interviews.config import get_settings
from intervu_interviews.models import events
from intervu_interviews.ranking import CLASSIC_KEYS, OPENER_KEY
from intervu_kit.db import Database
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import SignedIn

SignIn = Callable[..., Awaitable[SignedIn]]
API = "/api/interviews"

SOFTWARE_JD = """
Senior Backend Engineer. You will design and build distributed services in Python and Go, own our PostgreSQL
schema and query performance, run services on Kubernetes, and improve our CI/CD pipelines and automated testing.
You will review code, mentor engineers, and take part in the on-call rotation, leading incident postmortems.
Experience with system design, concurrency, caching and API design is essential.
"""

NURSE_JD = """
Registered Nurse, acute medical ward. Deliver safe, compassionate patient care; administer medications
following the five rights; recognise and escalate deteriorating patients using early warning scores; give
clear handovers at shift change; follow infection prevention and control procedures; support families
and work closely with doctors, pharmacists and healthcare assistants.
"""


async def _create(client: httpx.AsyncClient, who: SignedIn, **body: object) -> httpx.Response:
    return await client.post(f"{API}/sessions", json=body, headers=who.headers)


async def test_session_from_role_type_and_difficulty(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me = await sign_in()
    response = await _create(client, me, role="data-scientist", type="technical", difficulty="medium", question_count=2)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "created"
    assert [q["position"] for q in body["questions"]] == [1, 2]
    for slot in body["questions"]:
        q = slot["question"]
        assert (q["role"], q["type"], q["difficulty"]) == ("data-scientist", "technical", "medium")
        assert 3 <= len(q["key_points"]) <= 6
        assert slot["answers"] == []


async def test_too_many_questions_for_a_narrow_choice_is_a_clear_422(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    me = await sign_in()
    response = await _create(client, me, role="retail", type="motivational", difficulty="hard", question_count=20)
    error = assert_error(response, 422, "not_enough_questions")
    assert error["details"]["requested"] == 20


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"question_count": 3},
        {"role": "../etc", "question_count": 1},
        {"role": "nurse", "question_count": 0},
        {"role": "nurse", "question_count": 500},
        {"job_description": "too short"},
        {"role": "nurse", "extra": 1},
    ],
)
async def test_invalid_session_requests_are_422(
    client: httpx.AsyncClient, sign_in: SignIn, body: dict[str, object]
) -> None:
    me = await sign_in()
    assert_error(await _create(client, me, **body), 422, "validation_error")


async def test_a_nul_character_is_400_wherever_it_is_sent(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    """PostgreSQL cannot store U+0000: it used to travel to the database and come back as a 500."""
    me = await sign_in()
    posting = "We are hiring a nurse for our ward. Duties: patient care and triage.\u0000 Apply now please."
    assert_error(await _create(client, me, job_description=posting), 400, "nul_character")
    search = await client.get(f"{API}/questions", params={"q": "team\x00work"}, headers=me.headers)
    assert_error(search, 400, "nul_character")
    assert (await client.get(f"{API}/sessions", headers=me.headers)).json()["total"] == 0


@pytest.mark.parametrize(("description", "role"), [(SOFTWARE_JD, "software-engineer"), (NURSE_JD, "nurse")])
async def test_a_job_description_picks_relevant_questions(
    client: httpx.AsyncClient, sign_in: SignIn, description: str, role: str
) -> None:
    me = await sign_in()
    response = await _create(client, me, job_description=description, question_count=6)
    assert response.status_code == 201, response.text
    slots = response.json()["questions"]
    assert response.json()["role"] == role  # inferred from the description alone
    roles = [s["question"]["role"] for s in slots]
    assert roles.count(role) >= 4, roles  # mostly the described role
    scores = [s["relevance"] for s in slots]
    assert all(isinstance(s, float) for s in scores)
    assert any(s["matched_terms"] for s in slots)
    types = [s["question"]["type"] for s in slots]
    assert max(types.count(t) for t in set(types)) <= 3  # no single type dominates


async def test_lifecycle_and_attempts(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me = await sign_in()
    created = (await _create(client, me, role="sales", question_count=2)).json()
    sid, first, second = created["id"], created["questions"][0]["id"], created["questions"][1]["id"]

    assert_error(await client.post(f"{API}/sessions/{sid}/complete", headers=me.headers), 409, "invalid_transition")
    answer_url = f"{API}/sessions/{sid}/questions/{first}/answers"
    a1 = await client.post(answer_url, json={"kind": "text", "text": "I closed the deal by..."}, headers=me.headers)
    assert a1.status_code == 201, a1.text
    assert (a1.json()["attempt"], a1.json()["status"]) == (1, "submitted")
    a2 = await client.post(answer_url, json={"kind": "recording"}, headers=me.headers)
    assert (a2.json()["attempt"], a2.json()["status"]) == (2, "awaiting_recording")
    assert_error(await client.post(answer_url, json={"kind": "text"}, headers=me.headers), 422, "validation_error")

    session = (await client.get(f"{API}/sessions/{sid}", headers=me.headers)).json()
    assert session["status"] == "in_progress"  # the first answer started it
    assert [a["attempt"] for a in session["questions"][0]["answers"]] == [1, 2]
    assert session["answered_count"] == 1

    done = await client.post(f"{API}/sessions/{sid}/complete", headers=me.headers)
    assert done.status_code == 200 and done.json()["status"] == "completed" and done.json()["ended_at"]
    # Re-answering after completion is how people practise: allowed, kept as attempt 3.
    a3 = await client.post(answer_url, json={"kind": "text", "text": "Better this time."}, headers=me.headers)
    assert a3.json()["attempt"] == 3
    assert_error(await client.post(f"{API}/sessions/{sid}/abandon", headers=me.headers), 409, "invalid_transition")
    unknown_slot = f"{API}/sessions/{sid}/questions/{uuid.uuid4()}/answers"
    assert_error(
        await client.post(unknown_slot, json={"kind": "recording"}, headers=me.headers),
        404,
        "session_question_not_found",
    )

    other = (await _create(client, me, role="sales", question_count=1)).json()
    await client.post(f"{API}/sessions/{other['id']}/abandon", headers=me.headers)
    slot = other["questions"][0]["id"]
    response = await client.post(
        f"{API}/sessions/{other['id']}/questions/{slot}/answers", json={"kind": "recording"}, headers=me.headers
    )
    assert_error(response, 409, "session_abandoned")
    assert second


async def test_history_filters_and_pages(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me = await sign_in()
    for role in ("teacher", "teacher", "marketing"):
        await _create(client, me, role=role, question_count=1)
    page1 = (await client.get(f"{API}/sessions", params={"page_size": 2}, headers=me.headers)).json()
    page2 = (await client.get(f"{API}/sessions", params={"page_size": 2, "page": 2}, headers=me.headers)).json()
    assert page1["total"] == 3 and len(page1["items"]) == 2 and len(page2["items"]) == 1
    ids = [s["id"] for s in page1["items"] + page2["items"]]
    assert len(set(ids)) == 3
    teachers = (await client.get(f"{API}/sessions", params={"role": "teacher"}, headers=me.headers)).json()
    assert teachers["total"] == 2
    created = (await client.get(f"{API}/sessions", params={"status": "created"}, headers=me.headers)).json()
    assert created["total"] == 3
    # A page past any bigint used to reach PostgreSQL and come back as a 500.
    for params in ({"page": 10**20}, {"page": 100_001}):
        assert_error(await client.get(f"{API}/sessions", params=params, headers=me.headers), 422, "validation_error")
        assert_error(await client.get(f"{API}/questions", params=params, headers=me.headers), 422, "validation_error")
    assert (await client.get(f"{API}/sessions", params={"page": 100_000}, headers=me.headers)).json()["items"] == []


async def test_another_user_gets_404_for_everything(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    alice, bob = await sign_in(), await sign_in()
    session = (await _create(client, alice, role="nurse", question_count=1)).json()
    sid, slot = session["id"], session["questions"][0]["id"]
    answer = (
        await client.post(
            f"{API}/sessions/{sid}/questions/{slot}/answers", json={"kind": "text", "text": "x"}, headers=alice.headers
        )
    ).json()
    for method, url, body in [
        ("GET", f"{API}/sessions/{sid}", None),
        ("POST", f"{API}/sessions/{sid}/start", None),
        ("POST", f"{API}/sessions/{sid}/complete", None),
        ("POST", f"{API}/sessions/{sid}/abandon", None),
        ("POST", f"{API}/sessions/{sid}/questions/{slot}/answers", {"kind": "text", "text": "mine now"}),
        ("GET", f"{API}/sessions/answers/{answer['id']}", None),
    ]:
        response = await client.request(method, url, json=body, headers=bob.headers)
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["error"]["code"] in {"session_not_found", "answer_not_found"}
    assert (await client.get(f"{API}/sessions", headers=bob.headers)).json()["total"] == 0
    still = (await client.get(f"{API}/sessions/{sid}", headers=alice.headers)).json()
    assert still["status"] == "in_progress" and len(still["questions"][0]["answers"]) == 1


async def test_creating_a_session_writes_its_event_to_the_outbox(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me = await sign_in()
    session = (await _create(client, me, role="operations", question_count=2, interviewer="sam")).json()
    assert session["interviewer"] == "sam"
    db = Database(get_settings().sqlalchemy_url)
    try:
        async with db.transaction() as s:
            rows = (
                (
                    await s.execute(
                        sa.select(events.outbox.c.envelope).where(
                            events.outbox.c.name == "interviews.session_created.v1"
                        )
                    )
                )
                .scalars()
                .all()
            )
    finally:
        await db.dispose()
    mine = [r for r in rows if r["data"]["session_id"] == session["id"]]
    assert len(mine) == 1
    assert mine[0]["data"]["user_id"] == me.id
    assert mine[0]["data"]["question_ids"] == [q["question"]["id"] for q in session["questions"]]
    # What the avatar service needs to render the interviewer asking them, in order.
    assert [(q["position"], q["text"]) for q in mine[0]["data"]["questions"]] == [
        (q["position"], q["question"]["text"]) for q in session["questions"]
    ]
    assert mine[0]["data"]["interviewer"] == "sam"
    unknown = await _create(client, me, role="operations", interviewer="hal9000")
    assert_error(unknown, 422, "validation_error")


async def test_a_posting_says_what_it_was_read_as_and_the_role_can_be_corrected(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    me = await sign_in()
    # The labelled data-analyst posting (SQL, Power BI, A/B tests, statistics): once read as marketing.
    posting = next(p for p in labelled.postings() if p["id"] == "jd-001")
    response = await _create(client, me, job_description=posting["text"], question_count=5)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["role"] == "data-analyst"
    inferred = body["inferred"]
    assert inferred["role"] == "data-analyst" and inferred["label"] == "Data analyst"
    assert "SQL" in inferred["skills"] and len(inferred["alternatives"]) == 3
    slots = body["questions"]
    assert slots[0]["question"]["key"] == OPENER_KEY  # the interview opens as interviews do
    assert all(s["question"]["role"] in ("data-analyst", "general") for s in slots), [s["question"] for s in slots]
    # Not right? The same posting with the role chosen: the questions come from that role, nothing is inferred.
    corrected = (
        await _create(client, me, job_description=posting["text"], role="business-analyst", question_count=5)
    ).json()
    assert corrected["role"] == "business-analyst" and corrected["inferred"] is None
    assert all(s["question"]["role"] in ("business-analyst", "general") for s in corrected["questions"])
    # Reading it back gives the same answer.
    again = (await client.get(f"{API}/sessions/{body['id']}", headers=me.headers)).json()
    assert again["inferred"] == inferred


async def test_every_role_gets_the_classic_questions_and_an_opener(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me = await sign_in()
    seen: set[str] = set()
    for _ in range(2):  # 2 x 19 of 33 others: the chance no other classic comes up is below one in a million
        slots = (await _create(client, me, role="accountant", question_count=20)).json()["questions"]
        assert slots[0]["question"]["key"] == OPENER_KEY
        assert all(s["question"]["role"] == "accountant" or s["question"]["key"] in CLASSIC_KEYS for s in slots)
        seen |= {s["question"]["key"] for s in slots}
    assert seen & (set(CLASSIC_KEYS) - {OPENER_KEY}), "the other classics never came up"
    # A filtered drill asks for what was filtered: no opener forced in.
    drill = (await _create(client, me, role="accountant", type="technical", question_count=3)).json()["questions"]
    assert all(s["question"]["type"] == "technical" for s in drill)
