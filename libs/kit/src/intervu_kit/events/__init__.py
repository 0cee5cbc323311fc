"""Events between services: transactional outbox -> JetStream -> durable consumers with an inbox.

* A service writes an event with :func:`publish` in the same transaction as the data it describes, so an
  event exists if and only if the data was committed.
* :class:`OutboxRelay` (run by the service's worker) publishes pending rows to JetStream with
  ``Nats-Msg-Id`` = event id and marks them published once the broker acknowledged them. While the broker is
  down, rows wait; nothing is lost.
* :class:`EventConsumer` pulls from durable consumers and records each handled event id in the ``inbox``
  table inside the handler's transaction, so a redelivered event is handled once. A message that keeps
  failing is parked in ``parked_events`` after ``max_attempts`` with its error, and listed by the kit's admin
  API.
"""

from intervu_kit.events.broker import connect_jetstream, ensure_stream, subject_for
from intervu_kit.events.consumer import EventConsumer
from intervu_kit.events.outbox import OutboxRelay, publish
from intervu_kit.events.tables import EventTables, event_tables

__all__ = [
    "EventConsumer",
    "EventTables",
    "OutboxRelay",
    "connect_jetstream",
    "ensure_stream",
    "event_tables",
    "publish",
    "subject_for",
]
