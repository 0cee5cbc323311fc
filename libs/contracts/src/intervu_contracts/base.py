"""The event envelope and the registry of event types."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

_NAME = re.compile(r"^[a-z]+\.[a-z][a-z0-9_]*\.v[1-9][0-9]*$")
_REGISTRY: dict[str, type[Event]] = {}


class Event(BaseModel):
    """Base of every event payload. Subclasses set ``event_name`` and are registered on definition."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_name: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("event_name")
        if name is None:
            return
        if not _NAME.match(name):
            raise ValueError(f"event name {name!r} must look like 'service.thing_happened.v1'")
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise ValueError(f"event {name!r} is defined twice")
        _REGISTRY[name] = cls


class EventEnvelope(BaseModel):
    """What travels on the broker: metadata plus the payload as JSON.

    ``id`` doubles as the JetStream ``Nats-Msg-Id`` (broker de-duplication) and as the consumer inbox key
    (exactly-once handling on top of at-least-once delivery).
    """

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    name: str
    producer: str
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    data: dict[str, Any]

    @classmethod
    def wrap(cls, event: Event, producer: str) -> EventEnvelope:
        return cls(name=event.event_name, producer=producer, data=event.model_dump(mode="json"))

    def parse(self) -> Event:
        return event_class(self.name).model_validate(self.data)


def event_class(name: str) -> type[Event]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown event {name!r}") from None


def registered_events() -> dict[str, type[Event]]:
    return dict(_REGISTRY)
