from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from fastapi import APIRouter
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep
from intervu_kit.errors import NotFound
from pydantic import BaseModel, ConfigDict

from intervu_transcription.models import TranscriptRow
from intervu_transcription.transcripts.service import progress_of

router = APIRouter(prefix="/transcripts", tags=["transcripts"])


class WordOut(BaseModel):
    text: str
    start: float
    end: float
    probability: float


class TranscriptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    recording_id: uuid.UUID
    answer_id: uuid.UUID | None
    status: str
    provider: str
    language: str | None
    text: str
    words: list[WordOut]
    speech: list[list[float]]
    duration_s: float | None
    error: str | None
    created_at: datetime


@router.get("", response_model=list[TranscriptOut])
async def list_transcripts(
    user: CurrentUser, session: SessionDep, recording_id: uuid.UUID | None = None, answer_id: uuid.UUID | None = None
) -> list[TranscriptOut]:
    """Your transcripts (filter by recording or answer), each with word timings and speech regions."""
    query = sa.select(TranscriptRow).where(TranscriptRow.user_id == user.id)
    if recording_id:
        query = query.where(TranscriptRow.recording_id == recording_id)
    if answer_id:
        query = query.where(TranscriptRow.answer_id == answer_id)
    rows = await session.scalars(query.order_by(TranscriptRow.created_at.desc()).limit(100))
    return [TranscriptOut.model_validate(r) for r in rows]


class ProgressOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    recording_id: uuid.UUID
    status: str  # transcribing, completed, failed
    share: float  # 0..1
    updated_at: datetime


@router.get("/progress", response_model=list[ProgressOut])
async def list_progress(user: CurrentUser, session: SessionDep, recording_id: uuid.UUID) -> list[ProgressOut]:
    """How far the transcription of your recording is, as a list: empty until it starts (and for a recording that
    is not yours), so a progress bar can poll from the moment of upload without an error."""
    row = await progress_of(session, user.id, recording_id)
    return [ProgressOut.model_validate(row)] if row else []


@router.get("/{transcript_id}", response_model=TranscriptOut)
async def get_transcript(transcript_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> TranscriptOut:
    row = await session.scalar(
        sa.select(TranscriptRow).where(TranscriptRow.id == transcript_id, TranscriptRow.user_id == user.id)
    )
    if row is None:
        raise NotFound("No such transcript.", code="transcript_not_found")
    return TranscriptOut.model_validate(row)


@router.get("/progress/{recording_id}", response_model=ProgressOut)
async def get_progress(recording_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> ProgressOut:
    """How far the transcription of your recording is (for a progress bar); 404 until it starts."""
    row = await progress_of(session, user.id, recording_id)
    if row is None:
        raise NotFound("This recording is not being transcribed (yet).", code="progress_not_found")
    return ProgressOut.model_validate(row)
