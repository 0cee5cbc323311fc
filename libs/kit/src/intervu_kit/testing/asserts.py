"""Assertions every service's tests share."""

from __future__ import annotations

from typing import Any

import httpx


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an error in the one shape, with the given status and stable code."""
    assert response.status_code == status, response.text
    assert response.headers.get("x-error-code") == code, response.headers
    if response.request.method == "HEAD":
        return {"code": code}
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert set(error) == {"code", "message", "details", "request_id"}, error
    assert error["code"] == code, error
    assert error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    return error
