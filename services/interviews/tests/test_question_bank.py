"""The question bank shipped with the product, its loader, and admin curation."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from intervu_interviews.config import get_settings
from intervu_interviews.models import QuestionType
from intervu_interviews.questions.load import load
from intervu_interviews.questions.service import ROLE_LABELS, bank_questions
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import SignedIn

SignIn = Callable[..., Awaitable[SignedIn]]


def test_the_shipped_bank_is_big_varied_and_well_formed() -> None:
    questions = bank_questions()
    assert len(questions) >= 400
    roles = Counter(q.role for q in questions)
    assert len(roles) >= 15
    assert set(roles) <= set(ROLE_LABELS)
    for role in roles:
        types = {q.type for q in questions if q.role == role}
        assert types == set(QuestionType), (role, types)
    for q in questions:
        assert 3 <= len(q.key_points) <= 6, q.key
        assert len(q.competencies) >= 1
        assert 30 <= q.suggested_seconds <= 600
    assert len({q.text.lower() for q in questions}) == len(questions), "duplicate question texts"


@pytest.mark.infra
async def test_loading_the_bank_again_changes_nothing() -> None:
    stats = await load(get_settings())  # the infra fixture loaded it once already
    assert stats["added"] == 0 and stats["updated"] == 0 and stats["retired"] == 0
    assert stats["unchanged"] == len(bank_questions())


async def test_roles_and_filtered_browsing(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me = await sign_in()
    roles = (await client.get("/api/interviews/roles", headers=me.headers)).json()
    by_role = {r["role"]: r for r in roles}
    assert len(by_role) >= 15
    assert by_role["nurse"]["label"] == "Nurse"
    page = await client.get(
        "/api/interviews/questions",
        params={"role": "nurse", "type": "situational", "difficulty": "hard", "page_size": 100},
        headers=me.headers,
    )
    assert page.status_code == 200
    items = page.json()["items"]
    assert items
    assert all(q["role"] == "nurse" and q["type"] == "situational" and q["difficulty"] == "hard" for q in items)
    assert page.json()["total"] == len(items)


async def test_admins_add_edit_and_retire_questions(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    admin, user = await sign_in(roles=("admin",)), await sign_in()
    new: dict[str, Any] = {
        "role": "software-engineer",
        "type": "technical",
        "difficulty": "hard",
        "text": f"How would you design an idempotent payment API for shop {uuid.uuid4().hex}?",
        "competencies": ["system design"],
        "key_points": ["idempotency keys", "retries with backoff", "exactly-once effects via a ledger"],
        "suggested_seconds": 150,
    }
    assert_error(await client.post("/api/interviews/questions", json=new, headers=user.headers), 403, "role_required")
    created = await client.post("/api/interviews/questions", json=new, headers=admin.headers)
    assert created.status_code == 201, created.text
    qid = created.json()["id"]
    assert created.json()["source"] == "admin"

    edited = await client.patch(
        f"/api/interviews/questions/{qid}", json={"difficulty": "medium"}, headers=admin.headers
    )
    assert edited.status_code == 200 and edited.json()["difficulty"] == "medium"
    bad = await client.patch(
        f"/api/interviews/questions/{qid}", json={"key_points": ["only one"]}, headers=admin.headers
    )
    assert_error(bad, 422, "validation_error")

    retired = await client.post(f"/api/interviews/questions/{qid}/retire", headers=admin.headers)
    assert retired.json()["retired_at"] is not None
    assert_error(await client.get(f"/api/interviews/questions/{qid}", headers=user.headers), 404, "question_not_found")
    listed = await client.get(
        "/api/interviews/questions", params={"q": new["text"][-34:], "include_retired": True}, headers=user.headers
    )
    assert listed.json()["total"] == 0  # people never see retired questions
    listed = await client.get(
        "/api/interviews/questions", params={"q": new["text"][-34:], "include_retired": True}, headers=admin.headers
    )
    assert listed.json()["total"] == 1


async def test_an_admin_edit_of_a_shipped_question_survives_a_reload(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    admin = await sign_in(roles=("admin",))
    shipped = (
        await client.get("/api/interviews/questions", params={"role": "teacher", "page_size": 1}, headers=admin.headers)
    ).json()["items"][0]
    new_seconds = 45 if shipped["suggested_seconds"] != 45 else 60
    response = await client.patch(
        f"/api/interviews/questions/{shipped['id']}", json={"suggested_seconds": new_seconds}, headers=admin.headers
    )
    assert response.status_code == 200
    await load(get_settings())
    again = await client.get(f"/api/interviews/questions/{shipped['id']}", headers=admin.headers)
    assert again.json()["suggested_seconds"] == new_seconds
