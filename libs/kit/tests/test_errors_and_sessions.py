"""The error shape, request ids, and the request session that commits once."""

from __future__ import annotations

import json
import logging
import uuid

import httpx
import pytest
from fastapi import APIRouter
from intervu_kit.app import create_service_app
from intervu_kit.db import SessionDep
from intervu_kit.logging import configure_logging
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import running_app

from .conftest import TABLES, Note, kit_settings, router


async def test_unknown_route_is_404_in_the_error_shape(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/kit/nothing-here"), 404, "not_found")


async def test_validation_error_lists_the_fields(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/kit/notes", content=b"{not json", headers={"content-type": "application/json"})
    error = assert_error(response, 422, "validation_error")
    assert error["details"]["errors"]


async def test_incoming_request_id_is_kept_and_odd_ones_replaced(client: httpx.AsyncClient) -> None:
    mine = "req-" + uuid.uuid4().hex
    response = await client.get("/healthz", headers={"x-request-id": mine})
    assert response.headers["x-request-id"] == mine
    response = await client.get("/healthz", headers={"x-request-id": "bad id\nwith newline"})
    assert response.headers["x-request-id"] != "bad id\nwith newline"
    assert len(response.headers["x-request-id"]) == 32


async def test_session_commits_once_on_success(client: httpx.AsyncClient) -> None:
    text = "kept-" + uuid.uuid4().hex[:8]
    assert (await client.post("/api/kit/notes", json={"text": text})).status_code == 201
    assert (await client.get(f"/api/kit/notes/{text}")).json() == {"found": True}


async def test_unhandled_error_is_500_in_the_shape_and_rolls_back(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/kit/notes", json={"text": "explode-after-write"})
    assert_error(response, 500, "internal_error")
    assert (await client.get("/api/kit/notes/explode-after-write")).json() == {"found": False}


async def test_domain_error_rolls_back_the_write(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/kit/notes", json={"text": "conflict-after-write"})
    assert_error(response, 409, "note_refused")
    assert (await client.get("/api/kit/notes/conflict-after-write")).json() == {"found": False}


async def test_failed_commit_is_an_error_response_not_a_200(client: httpx.AsyncClient) -> None:
    text = "dup-" + uuid.uuid4().hex[:8]
    assert (await client.post("/api/kit/notes", json={"text": text})).status_code == 201
    # The unique violation surfaces at commit, after the endpoint returned: the client must not see 201.
    response = await client.post("/api/kit/notes", json={"text": text})
    error = assert_error(response, 409, "conflict")
    assert error["details"] == {"constraint": "uq_notes_text"}


def test_log_lines_are_json_with_service_and_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    from intervu_kit.logging import request_id_var

    configure_logging("kit", level="INFO", json=True)
    token = request_id_var.set("rid-12345678")
    try:
        logging.getLogger("intervu.test").info("hello %s", "world")
    finally:
        request_id_var.reset(token)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["message"] == "hello world"
    assert record["service"] == "kit"
    assert record["request_id"] == "rid-12345678"
    assert record["level"] == "INFO"


async def test_every_request_writes_an_access_line_with_its_request_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="intervu.access"):
        response = await client.get("/api/kit/nothing-here", headers={"x-request-id": "access-line-check-1"})
    lines = [r for r in caplog.records if r.name == "intervu.access"]
    assert lines, "no access line"
    assert lines[-1].getMessage() == "GET /api/kit/nothing-here 404"
    assert lines[-1].request_id == "access-line-check-1"  # type: ignore[attr-defined]
    assert response.headers["x-request-id"] == "access-line-check-1"


failing = APIRouter()


@failing.post("/disk")
async def disk(session: SessionDep) -> None:
    session.add(Note(text="written-before-the-disk-failed"))
    await session.flush()
    raise NotADirectoryError(20, "Not a directory", "/storage/.multipart/x")


async def test_storage_failing_under_a_request_is_503_and_rolls_back(kit_db: object) -> None:
    """Found by the fault suite: with the storage folder unavailable an upload's creation answered 500. A
    dependency failing is a 503 the client may retry (Retry-After), and the request's writes are rolled back."""
    app = create_service_app(kit_settings(), tables=TABLES, routers=[failing, router], title="failing storage")
    async with running_app(app) as client:
        response = await client.post("/api/kit/disk")
        assert_error(response, 503, "dependency_unavailable")
        assert response.headers["retry-after"] == "5"
        assert (await client.get("/api/kit/notes/written-before-the-disk-failed")).json() == {"found": False}
