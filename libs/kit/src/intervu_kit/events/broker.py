"""NATS JetStream connection and the one stream all Intervu events live in."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import unquote, urlsplit, urlunsplit

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


def split_credentials(url: str) -> tuple[list[str], str | None, str | None]:
    """``nats://user:password@host:port[,...]`` -> the servers without credentials, the user and the password.

    Settings put the process's NATS user into ``nats_url`` (KitSettings); the client gets them as arguments
    instead, so that the server addresses it keeps, logs and puts into errors never include the password.
    """
    servers: list[str] = []
    user = password = None
    for server in url.split(","):
        parts = urlsplit(server.strip())
        if parts.username is not None and user is None:
            user, password = unquote(parts.username), unquote(parts.password or "")
        servers.append(urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2])))
    return servers, user, password


def inbox_prefix(user: str | None) -> str:
    """Replies (JetStream acks and API answers, pulled messages) come to ``_INBOX.<user>.…``: each user may subscribe
    to its own replies only (deploy/nats), so no service can read what the broker sends another."""
    return f"_INBOX.{user}" if user else "_INBOX"


async def connect_jetstream(
    url: str,
    *,
    name: str,
    connect_timeout_s: float = 2.0,
    user: str | None = None,
    password: str | None = None,
) -> tuple[Client, JetStreamContext]:
    """Connect as the user named in ``url`` (or given here: ``user`` and ``password`` win)."""
    servers, url_user, url_password = split_credentials(url)
    if user is None:
        user, password = url_user, url_password
    # Bounded: the first connection fails fast so callers can retry on their own schedule; once connected,
    # the client reconnects by itself for as long as it lives.
    nc = await asyncio.wait_for(
        nats.connect(
            servers,
            name=name,
            connect_timeout=connect_timeout_s,
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            inbox_prefix=inbox_prefix(user),
            user=user,
            password=password if user else None,
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
