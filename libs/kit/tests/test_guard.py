"""Bad input at the door: NUL characters, oversized bodies and odd signatures are 4xx with stable codes, and
nothing is stored (issue 15: each of these was a 500 or an unbounded parse before)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from intervu_kit.guard import has_nul_in_json, has_nul_in_url
from intervu_kit.ratelimit import RateLimiter, caller_of
from intervu_kit.testing.asserts import assert_error


def test_escaped_nul_is_found_but_an_escaped_backslash_is_text() -> None:
    assert has_nul_in_json(b'{"text": "a\\u0000b"}')
    assert has_nul_in_json(b'{"text": "a\\\\\\u0000b"}')  # \\ then \u0000
    assert not has_nul_in_json(b'{"text": "a\\\\u0000b"}')  # the six characters \u0000
    assert has_nul_in_url(b"/x", b"q=a%00b")
    assert not has_nul_in_url(b"/x", b"q=a%2500")


@pytest.mark.parametrize(
    "body",
    [b'{"text": "nul\\u0000here"}', b'{"text": "NUL\\U0000"}', b'{"text": "raw\x00nul"}'],
)
async def test_a_nul_in_a_json_body_is_400_and_nothing_is_stored(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/api/kit/notes", content=body, headers={"content-type": "application/json"})
    assert_error(response, 400, "nul_character")


async def test_the_text_backslash_u0000_is_stored_as_text(client: httpx.AsyncClient) -> None:
    text = "lit-" + uuid.uuid4().hex[:6] + "\\u0000"
    assert (await client.post("/api/kit/notes", json={"text": text})).status_code == 201


async def test_a_nul_in_the_query_or_path_is_400(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/kit/notes/a%00b"), 400, "nul_character")
    assert_error(
        await client.get("/api/kit/files/kit/x", params={"expires": 1, "signature": "a\x00"}), 400, "nul_character"
    )


async def test_an_oversized_body_is_413_before_anything_parses_it(client: httpx.AsyncClient) -> None:
    big = b'{"text": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = await client.post("/api/kit/notes", content=big, headers={"content-type": "application/json"})
    error = assert_error(response, 413, "payload_too_large")
    assert error["details"]["limit_bytes"] == 1_048_576

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"x" * 65536

    response = await client.post("/api/kit/notes", content=chunked(), headers={"content-type": "application/json"})
    assert_error(response, 413, "payload_too_large")


async def test_a_non_ascii_signature_is_403_not_500(client: httpx.AsyncClient) -> None:
    params: dict[str, str | int] = {"expires": int(time.time()) + 60, "signature": "é" * 64}
    response = await client.get("/api/kit/files/kit/anything.webm", params=params)
    assert_error(response, 403, "invalid_signature")


def test_a_caller_gets_a_window_of_requests_and_then_waits() -> None:
    limiter = RateLimiter(limit=3, window_s=10.0)
    assert [limiter.check("a", now=t) for t in (0.0, 1.0, 2.0)] == [0.0, 0.0, 0.0]
    assert limiter.check("a", now=3.0) == pytest.approx(7.0)  # the first of the three leaves the window at 10
    assert limiter.check("b", now=3.0) == 0.0  # someone else is not held
    assert limiter.check("a", now=10.5) == 0.0
    small = RateLimiter(limit=1, window_s=1.0, max_callers=2)
    for caller in ("x", "y", "z"):
        small.check(caller, now=0.0)
    assert list(small._seen) == ["y", "z"]  # memory stays bounded


def test_the_caller_is_the_token_or_else_the_forwarded_address() -> None:
    token = {b"authorization": b"Bearer abc"}
    assert caller_of(token, ("127.0.0.1", 1)) == caller_of({b"authorization": b"bearer abc"}, None)
    assert caller_of(token, None) != caller_of({b"authorization": b"Bearer abd"}, None)
    assert caller_of({b"x-forwarded-for": b"203.0.113.9, 10.0.0.1"}, ("127.0.0.1", 1)) == "address:203.0.113.9"
    assert caller_of({}, ("127.0.0.1", 5)) == "address:127.0.0.1"


async def test_too_many_requests_get_429_with_retry_after(kit_db: object) -> None:
    from intervu_kit.app import create_service_app
    from intervu_kit.testing.plugin import running_app

    from .conftest import TABLES, kit_settings, router

    app = create_service_app(kit_settings(rate_limit=5), tables=TABLES, routers=[router], title="rate limited")
    async with running_app(app) as client:
        headers = {"x-forwarded-for": "198.51.100.7"}
        answers = [(await client.get("/api/kit/notes/x", headers=headers)).status_code for _ in range(7)]
        assert answers == [200] * 5 + [429] * 2
        refused = await client.get("/api/kit/notes/x", headers=headers)
        error = assert_error(refused, 429, "too_many_requests")
        assert int(refused.headers["retry-after"]) >= 1 and error["details"]["retry_after_s"] >= 1
        assert (await client.get("/api/kit/notes/x", headers={"x-forwarded-for": "198.51.100.8"})).status_code == 200
        assert (await client.get("/healthz", headers=headers)).status_code == 200  # probes are never limited
