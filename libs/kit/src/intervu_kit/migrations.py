"""Alembic, shared: every service's ``migrations/env.py`` is two lines, and migrations run programmatically.

Migrations use the service's own role on the service's own database; the role owns its schema objects.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from intervu_kit.settings import KitSettings


def alembic_config(service_dir: Path, url: str) -> Config:
    cfg = Config(str(service_dir / "alembic.ini"))
    cfg.set_main_option("script_location", str(service_dir / "migrations"))
    cfg.attributes["url"] = url
    return cfg


def upgrade(service_dir: Path, settings: KitSettings, revision: str = "head") -> None:
    """Apply migrations. Safe to call from inside an event loop (it runs Alembic in a fresh one)."""
    cfg = alembic_config(service_dir, settings.sqlalchemy_url)
    command.upgrade(cfg, revision)


async def upgrade_async(service_dir: Path, settings: KitSettings, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, service_dir, settings, revision)


def run_env(target_metadata: sa.MetaData, settings: KitSettings) -> None:
    """Body of a service's ``migrations/env.py``."""
    url = context.config.attributes.get("url") or settings.sqlalchemy_url

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def run_async() -> None:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())


def create_event_tables_v1() -> None:
    """The outbox / inbox / parked_events tables as first released.

    Frozen on purpose: a migration must replay the same way forever, so a later change to these tables is a
    new function (``..._v2``) used by a new migration, never an edit here.
    """
    op.create_table(
        "outbox",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("envelope", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_pending", "outbox", ["created_at"], postgresql_where=sa.text("published_at IS NULL"))
    op.create_table(
        "inbox",
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("consumer", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("event_id", "consumer", name="pk_inbox"),
    )
    op.create_table(
        "parked_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=True),
        sa.Column("consumer", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_parked_events"),
    )


def drop_event_tables_v1() -> None:
    op.drop_table("parked_events")
    op.drop_table("inbox")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")


def create_consent_copies_v1() -> None:
    """A service's copy of the consents it acts on (``intervu_kit.consents``), as first released. Frozen, like the
    event tables."""
    op.create_table(
        "consent_copies",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "purpose", name="pk_consent_copies"),
    )


def drop_consent_copies_v1() -> None:
    op.drop_table("consent_copies")


def create_jobs_v1() -> None:
    """The leased jobs table (``intervu_kit.jobs``), as first released. Frozen, like the event tables."""
    op.create_table(
        "jobs",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("payload", JSONB(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_token", UUID(as_uuid=True), nullable=True),
        sa.Column("progress", sa.Float(), server_default="0", nullable=False),
        sa.Column("progress_note", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.UniqueConstraint("kind", "key", name="uq_jobs_kind_key"),
    )
    op.create_index("ix_jobs_due", "jobs", ["run_after"], postgresql_where=sa.text("status IN ('queued', 'running')"))


def drop_jobs_v1() -> None:
    op.drop_index("ix_jobs_due", table_name="jobs")
    op.drop_table("jobs")
