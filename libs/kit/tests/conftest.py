"""Fixtures for the kit's own tests: a small service built with the kit, on its own test database."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
import sqlalchemy as sa
from fastapi import APIRouter, Depends
from intervu_kit.app import create_service_app
from intervu_kit.auth import CurrentUser, User, require_role
from intervu_kit.db import Base, Database, SessionDep, new_metadata
from intervu_kit.devstack.config import DevSettings
from intervu_kit.errors import Conflict
from intervu_kit.events import EventTables, event_tables
from intervu_kit.jobs import job_table
from intervu_kit.settings import Environment, KitSettings
from intervu_kit.storage.serving import signed_files_router
from intervu_kit.testing.plugin import running_app
from pydantic import BaseModel
from sqlalchemy.orm import Mapped, mapped_column


class KitBase(Base):
    __abstract__ = True
    metadata = new_metadata()


class Note(KitBase):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.String(100), unique=True)


TABLES: EventTables = event_tables(KitBase.metadata)
JOBS = job_table(KitBase.metadata)


class NoteIn(BaseModel):
    text: str


router = APIRouter()


@router.get("/me")
async def me(user: CurrentUser) -> dict[str, object]:
    return {"id": user.id, "roles": sorted(user.roles), "email": user.email, "client": user.client_id}


@router.get("/internal")
async def internal(user: Annotated[User, Depends(require_role("service"))]) -> dict[str, str]:
    return {"caller": user.client_id or ""}


@router.post("/notes", status_code=201)
async def add_note(note: NoteIn, session: SessionDep) -> dict[str, str]:
    session.add(Note(text=note.text))
    if note.text == "explode-after-write":
        raise RuntimeError("boom after the write")
    if note.text == "conflict-after-write":
        raise Conflict("refused after the write", code="note_refused")
    return {"text": note.text}


@router.get("/notes/{text}")
async def get_note(text: str, session: SessionDep) -> dict[str, bool]:
    found = await session.scalar(sa.select(Note).where(Note.text == text))
    return {"found": found is not None}


def kit_settings(**overrides: object) -> KitSettings:
    return KitSettings(
        service_name="kit",
        environment=Environment.TEST,
        jwks_min_refresh_interval_s=1.0,
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
async def kit_db(infra: DevSettings) -> AsyncIterator[Database]:
    settings = kit_settings()
    db = Database(settings.sqlalchemy_url)
    async with db.engine.begin() as conn:
        await conn.run_sync(KitBase.metadata.drop_all)
        await conn.run_sync(KitBase.metadata.create_all)
    yield db
    await db.dispose()


@pytest.fixture
async def client(kit_db: Database) -> AsyncIterator[httpx.AsyncClient]:
    files = signed_files_router(re.compile(r"^kit/.+"))
    app = create_service_app(kit_settings(), tables=TABLES, routers=[router, files], title="kit test")
    async with running_app(app) as c:
        yield c
