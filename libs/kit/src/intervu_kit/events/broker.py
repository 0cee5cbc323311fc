"""NATS JetStream connection and the one stream all Intervu events live in."""

from __future__ import annotations

import asyncio
import logging

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

log = logging.getLogger(__name__)

SUBJECT_PREFIX = "events."
# Redeliveries by the relay within this window are dropped by the broker itself (Nats-Msg-Id); the
# consumers' inbox covers anything older.
DUPLICATE_WINDOW_S = 600.0


def subject_for(event_name: str, prefix: str = SUBJECT_PREFIX) -> str:
    return prefix + event_name


async def connect_jetstream(url: str, *, name: str, connect_timeout_s: float = 2.0) -> tuple[Client, JetStreamContext]:
    # Bounded: the first connection fails fast so callers can retry on their own schedule; once connected,
    # the client reconnects by itself for as long as it lives.
    nc = await asyncio.wait_for(
        nats.connect(
            url,
            name=name,
            connect_timeout=connect_timeout_s,
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
        ),
        timeout=connect_timeout_s * 3,
    )
    return nc, nc.jetstream(timeout=5)


async def ensure_stream(js: JetStreamContext, stream: str, prefix: str = SUBJECT_PREFIX) -> None:
    config = StreamConfig(
        name=stream,
        subjects=[prefix + ">"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW_S,
        max_age=14 * 24 * 3600.0,
    )
    try:
        await js.stream_info(stream)
    except NotFoundError:
        log.info("creating JetStream stream %s", stream)
        await js.add_stream(config)
