"""Question bank rules: shipped questions load idempotently; admins add, edit and retire."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources

import anyio
from intervu_kit.errors import BadRequest, NotFound
from intervu_nlp import default_encoder
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_interviews.models import Question
from intervu_interviews.questions.repository import QuestionRepository
from intervu_interviews.questions.schemas import BankQuestion, QuestionCreate, QuestionUpdate

# Stable ids for shipped questions: the same key gives the same id on every machine.
_BANK_NAMESPACE = uuid.UUID("6f1d7c1e-3f7e-4d0b-9a59-0d6b1c2f8e11")
ROLE_LABELS = {
    "software-engineer": "Software engineer",
    "data-scientist": "Data scientist",
    "data-analyst": "Data analyst",
    "business-analyst": "Business analyst",
    "devops-engineer": "DevOps / site reliability engineer",
    "product-manager": "Product manager",
    "ux-designer": "UX / product designer",
    "sales": "Sales",
    "customer-support": "Customer support",
    "marketing": "Marketing",
    "financial-analyst": "Financial analyst",
    "accountant": "Accountant",
    "administrative-assistant": "Administrative assistant",
    "nurse": "Nurse",
    "teacher": "Teacher",
    "project-manager": "Project manager",
    "human-resources": "Human resources",
    "operations": "Operations",
    "retail": "Retail",
    "graduate": "Graduate / intern",
    "general": "Any role (general)",
}


class QuestionNotFound(NotFound):
    code = "question_not_found"
    message = "No such question."


def embedding_text(q: Question | BankQuestion | QuestionCreate) -> str:
    # What a question is about: its wording plus what a good answer covers (better recall for JD matching).
    return f"{q.text} {' '.join(q.key_points)} {' '.join(q.competencies)}"


def bank_questions() -> list[BankQuestion]:
    """Every question in the shipped bank files, validated."""
    adapter = TypeAdapter(list[BankQuestion])
    out: list[BankQuestion] = []
    folder = resources.files("intervu_interviews.questions") / "bank"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        try:
            questions = adapter.validate_python(json.loads(entry.read_text(encoding="utf-8")))
        except (ValidationError, json.JSONDecodeError) as exc:
            raise ValueError(f"question bank file {entry.name} is invalid: {exc}") from exc
        role = entry.name.removesuffix(".json")
        for q in questions:
            if q.role != role or not q.key.startswith(f"{role}/{q.type.value}/"):
                raise ValueError(f"{entry.name}: {q.key} does not match its role and type")
        out.extend(questions)
    keys = [q.key for q in out]
    if len(keys) != len(set(keys)):
        raise ValueError("question bank keys are not unique")
    return out


async def load_bank(session: AsyncSession) -> dict[str, int]:
    """Upsert the shipped bank: new keys are added, changed ones updated, removed ones retired.

    Idempotent: a second run changes nothing. Questions an admin edited are left as the admin left them.
    """
    repo = QuestionRepository(session)
    existing = await repo.by_keys()
    shipped = bank_questions()
    stats = {"added": 0, "updated": 0, "retired": 0, "unchanged": 0}
    needs_embedding: list[tuple[Question, str]] = []
    for q in shipped:
        row = existing.get(q.key)
        fields = q.model_dump(exclude={"key"}, mode="json")
        if row is None:
            row = Question(id=uuid.uuid5(_BANK_NAMESPACE, q.key), key=q.key, source="bank", **fields)
            repo.add(row)
            needs_embedding.append((row, embedding_text(q)))
            stats["added"] += 1
            continue
        if row.customized:
            stats["unchanged"] += 1
            continue
        changed = {k: v for k, v in fields.items() if getattr(row, k) != v}
        if changed or row.retired_at is not None:
            for k, v in changed.items():
                setattr(row, k, v)
            row.retired_at = None
            needs_embedding.append((row, embedding_text(q)))
            stats["updated"] += 1
        else:
            stats["unchanged"] += 1
        if row.embedding is None and not changed:
            needs_embedding.append((row, embedding_text(q)))
    shipped_keys = {q.key for q in shipped}
    for key, row in existing.items():
        if row.source == "bank" and key not in shipped_keys and row.retired_at is None and not row.customized:
            row.retired_at = datetime.now(UTC)
            stats["retired"] += 1
    if needs_embedding:
        vectors = default_encoder().encode([text for _, text in needs_embedding])
        for (row, _), vector in zip(needs_embedding, vectors, strict=True):
            row.embedding = [float(x) for x in vector]
    return stats


async def _embed(text: str) -> list[float]:
    vector = await anyio.to_thread.run_sync(lambda: default_encoder().encode([text])[0])
    return [float(x) for x in vector]


class QuestionService:
    def __init__(self, session: AsyncSession) -> None:
        self.repo = QuestionRepository(session)

    async def get(self, question_id: uuid.UUID, *, include_retired: bool = False) -> Question:
        question = await self.repo.get(question_id)
        if question is None or (question.retired_at is not None and not include_retired):
            raise QuestionNotFound()
        return question

    async def create(self, data: QuestionCreate) -> Question:
        question_id = uuid.uuid4()
        question = Question(
            id=question_id,
            key=f"{data.role}/{data.type.value}/custom-{question_id.hex[:12]}",
            source="admin",
            **data.model_dump(mode="json"),
        )
        question.embedding = await _embed(embedding_text(data))
        self.repo.add(question)
        return question

    async def update(self, question_id: uuid.UUID, data: QuestionUpdate) -> Question:
        question = await self.get(question_id, include_retired=True)
        changes = data.model_dump(exclude_unset=True, mode="json")
        if not changes:
            raise BadRequest("Nothing to change.", code="empty_update")
        for key, value in changes.items():
            setattr(question, key, value)
        question.customized = True
        question.embedding = await _embed(embedding_text(question))
        return question

    async def retire(self, question_id: uuid.UUID) -> Question:
        question = await self.get(question_id, include_retired=True)
        if question.retired_at is None:
            question.retired_at = datetime.now(UTC)
            question.customized = True  # a retired shipped question stays retired across bank loads
        return question

    async def restore(self, question_id: uuid.UUID) -> Question:
        question = await self.get(question_id, include_retired=True)
        question.retired_at = None
        return question

    async def roles(self) -> list[tuple[str, str, dict[str, int]]]:
        by_role: dict[str, dict[str, int]] = {}
        for role, type_, count in await self.repo.role_counts():
            by_role.setdefault(role, {})[type_] = count
        return [
            (role, ROLE_LABELS.get(role, role.replace("-", " ").capitalize()), types) for role, types in by_role.items()
        ]

    async def active(self, **filters: object) -> Sequence[Question]:
        return await self.repo.active(**filters)  # type: ignore[arg-type]
