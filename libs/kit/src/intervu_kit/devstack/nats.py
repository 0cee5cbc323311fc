"""Who may do what on NATS: one user per service, holding only the subjects it produces and consumes.

Without authentication any process that reaches the broker could publish, say, ``accounts.user_deletion_requested.v1``
and have every service erase a person. So the server knows one user per service (plus, in development, the test
user), and each may only:

* publish the events it produces (``events.<name>``), nothing else;
* read the events it consumes, through its own durable consumers: it may create a consumer only under its own durable
  name and only with that event as the filter (``$JS.API.CONSUMER.CREATE.<stream>.<durable>.<filter>``; the server
  checks the filter in the request against the one in the subject), pull from it and acknowledge what it pulled;
* look up and create the stream (every relay and consumer makes sure it exists), never delete, purge or reconfigure
  it, nor read arbitrary messages from it (``STREAM.MSG.GET``);
* receive replies on ``_INBOX.<user>.>`` only (events.broker gives each user that inbox prefix), so no service can
  read the broker's answers to another, which include the messages that other pulls.

The tables below are checked against the code (libs/kit/tests/test_nats_permissions.py): a new ``publish(...)`` or
``consumer.on(...)`` without its line here fails the tests, not production.

The files are generated from this module, like the realm files from scripts/realm.py::

    uv run python -m intervu_kit.devstack.nats          # rewrite deploy/nats/*.conf
    uv run python -m intervu_kit.devstack.nats --check  # fail if they are out of date (run by the tests)

Passwords are never in them: each user's password is an environment variable of the nats-server process
(``$INTERVU_<USER>_NATS_PASSWORD``, the same name the service reads). The dev stack passes the documented
development defaults; production sets real ones, which on the server's side may be bcrypt hashes (``nats server
passwd``) while the service keeps the plain value.
"""

from __future__ import annotations

import json
import sys

from intervu_contracts import (
    AnswerSubmitted,
    ConsentChanged,
    Event,
    ExportReady,
    FeedbackCompleted,
    FollowUpAsked,
    FollowUpDecided,
    GoalChanged,
    InterviewSessionCreated,
    PolicyPublished,
    RecordingProcessing,
    RecordingRejected,
    RecordingUploaded,
    TranscriptionCompleted,
    TranscriptionFailed,
    TranscriptionProgressed,
    UploadStarted,
    UserDataDeleted,
    UserDataExported,
    UserDeletionRequested,
    UserExportRequested,
)

from intervu_kit.settings import NATS_TEST_USER, REPO_ROOT, SERVICES, nats_password_variable

OUT = REPO_ROOT / "deploy" / "nats"
PRODUCTION_FILE = OUT / "intervu-nats.conf"
DEVELOPMENT_FILE = OUT / "intervu-nats.dev.conf"

# The stream and subject prefix of KitSettings outside tests, and of the test environment.
STREAM, PREFIX = "INTERVU_EVENTS", "events."
TEST_STREAM, TEST_PREFIX = "INTERVU_EVENTS_TEST", "test.events."

# Every service answers export and deletion requests for its own data (the kit's privacy handlers, registered by
# every worker whose service declares USER_DATA: all of them).
_PRIVACY_IN: tuple[type[Event], ...] = (UserExportRequested, UserDeletionRequested)
_PRIVACY_OUT: tuple[type[Event], ...] = (UserDataExported, UserDataDeleted)

PRODUCES: dict[str, tuple[type[Event], ...]] = {
    "accounts": (
        UserDeletionRequested,
        UserExportRequested,
        ExportReady,
        PolicyPublished,
        ConsentChanged,
        *_PRIVACY_OUT,
    ),
    "interviews": (InterviewSessionCreated, AnswerSubmitted, FollowUpAsked, GoalChanged, *_PRIVACY_OUT),
    "media": (UploadStarted, RecordingProcessing, RecordingUploaded, RecordingRejected, *_PRIVACY_OUT),
    "transcription": (TranscriptionProgressed, TranscriptionCompleted, TranscriptionFailed, *_PRIVACY_OUT),
    "feedback": (FeedbackCompleted, FollowUpDecided, *_PRIVACY_OUT),
    "avatar": _PRIVACY_OUT,
    "analytics": _PRIVACY_OUT,
    "notifications": _PRIVACY_OUT,
}

CONSUMES: dict[str, tuple[type[Event], ...]] = {
    "accounts": (UserDataDeleted, UserDataExported, *_PRIVACY_IN),
    # Interviews follows each answer through the pipeline (its one status per answer): every stage's event.
    "interviews": (
        UploadStarted,
        RecordingProcessing,
        RecordingUploaded,
        RecordingRejected,
        TranscriptionProgressed,
        TranscriptionCompleted,
        TranscriptionFailed,
        FeedbackCompleted,
        FollowUpDecided,
        ConsentChanged,
        *_PRIVACY_IN,
    ),
    "media": (ConsentChanged, *_PRIVACY_IN),
    "transcription": (RecordingUploaded, ConsentChanged, *_PRIVACY_IN),
    "feedback": (AnswerSubmitted, TranscriptionCompleted, ConsentChanged, *_PRIVACY_IN),
    "avatar": (InterviewSessionCreated, FollowUpAsked, *_PRIVACY_IN),
    "analytics": (FeedbackCompleted, *_PRIVACY_IN),
    "notifications": (FeedbackCompleted, ExportReady, PolicyPublished, GoalChanged, ConsentChanged, *_PRIVACY_IN),
}


def durable(service: str, event: type[Event]) -> str:
    # The name EventConsumer gives the durable consumer of ``event`` in ``service``'s worker.
    return f"{service}__{event.event_name.replace('.', '_')}"


def service_permissions(service: str) -> dict[str, dict[str, list[str]]]:
    publish = [PREFIX + event.event_name for event in PRODUCES[service]]
    publish += [f"$JS.API.STREAM.INFO.{STREAM}", f"$JS.API.STREAM.CREATE.{STREAM}"]
    for event in CONSUMES[service]:
        name = durable(service, event)
        publish += [
            f"$JS.API.CONSUMER.INFO.{STREAM}.{name}",
            f"$JS.API.CONSUMER.CREATE.{STREAM}.{name}.{PREFIX}{event.event_name}",
            f"$JS.API.CONSUMER.MSG.NEXT.{STREAM}.{name}",
            f"$JS.ACK.{STREAM}.{name}.>",  # ack, nak (with its delay), in-progress
        ]
    return {"publish": {"allow": publish}, "subscribe": {"allow": [f"_INBOX.{service}.>"]}}


def tests_user_permissions() -> dict[str, dict[str, list[str]]]:
    """The test user: anything on the test stream and its subjects (tests publish every service's events, make
    consumers of their own per run and delete them), nothing on the development stream."""
    publish = [
        f"{TEST_PREFIX}>",
        f"$JS.API.STREAM.INFO.{TEST_STREAM}",
        f"$JS.API.STREAM.CREATE.{TEST_STREAM}",
        f"$JS.API.CONSUMER.*.{TEST_STREAM}",  # list, names, an ephemeral consumer (older servers)
        f"$JS.API.CONSUMER.*.{TEST_STREAM}.>",  # create, info, delete
        f"$JS.API.CONSUMER.DURABLE.CREATE.{TEST_STREAM}.*",
        f"$JS.API.CONSUMER.MSG.NEXT.{TEST_STREAM}.*",
        f"$JS.ACK.{TEST_STREAM}.>",
    ]
    return {"publish": {"allow": publish}, "subscribe": {"allow": [f"_INBOX.{NATS_TEST_USER}.>"]}}


def users(*, development: bool) -> dict[str, dict[str, dict[str, list[str]]]]:
    """User -> permissions: every service, and in development the test user (production has no tests)."""
    out = {service: service_permissions(service) for service in SERVICES}
    if development:
        out[NATS_TEST_USER] = tests_user_permissions()
    return out


def password_variable(user: str) -> str:
    return "INTERVU_" + nats_password_variable(user).upper()


def render(*, development: bool) -> str:
    which = "development (the dev stack starts nats-server with it)" if development else "production"
    lines = [
        f"# NATS users and their permissions, {which}.",
        "# Generated by `uv run python -m intervu_kit.devstack.nats` from libs/kit/src/intervu_kit/devstack/nats.py:",
        "# edit that module, not this file. Include it in the server's configuration (`include intervu-nats.conf`).",
        "# Each password is an environment variable of the nats-server process (a bcrypt hash works too). There is",
        "# no anonymous user: a client without credentials is refused.",
        "authorization {",
        "  users = [",
    ]
    for user, permissions in users(development=development).items():
        # Quoted subjects are literal ("$JS..." is no variable); the unquoted $INTERVU_... is the environment's.
        lines += ["    {", f"      user: {json.dumps(user)}", f"      password: ${password_variable(user)}"]
        lines.append("      permissions: {")
        for direction, rules in permissions.items():
            lines.append(f"        {direction}: {{ allow: [")
            lines += [f"          {json.dumps(subject)}" for subject in rules["allow"]]
            lines.append("        ] }")
        lines += ["      }", "    }"]
    lines += ["  ]", "}", ""]
    return "\n".join(lines)


def main() -> int:
    files = {PRODUCTION_FILE: render(development=False), DEVELOPMENT_FILE: render(development=True)}
    stale = []
    for path, text in files.items():
        if "--check" in sys.argv:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        print("out of date (run `uv run python -m intervu_kit.devstack.nats`): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
