"""What the HTTPS proxy promises on its own (issue 15, hardening): a content security policy that lets only our
scripts run and no other site frame the app, Keycloak's administration and master realm kept off the app's
origin, and request bodies bounded before any service reads them."""

from __future__ import annotations

import httpx

from .conftest import ca_context


async def test_the_app_is_served_with_a_policy_and_the_admin_console_is_not(stack: str) -> None:
    async with httpx.AsyncClient(base_url=stack, verify=ca_context(), timeout=20) as http:
        page = await http.get("/")
        assert page.status_code == 200
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
        assert "unsafe-eval" not in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        assert page.headers["x-frame-options"] == "SAMEORIGIN"
        api = await http.get("/api/accounts/healthz")
        assert api.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        for path in ("/auth/admin/", "/auth/admin/master/console/", "/auth/admin/realms/intervu/users",
                     "/auth/realms/master/protocol/openid-connect/token", "/auth/realms/master"):  # fmt: skip
            assert (await http.get(path)).status_code == 404, path
        # The app's own realm still answers (sign-in works through the proxy).
        assert (await http.get("/auth/realms/intervu/.well-known/openid-configuration")).status_code == 200


async def test_request_bodies_are_bounded_at_the_proxy(stack: str) -> None:
    async with httpx.AsyncClient(base_url=stack, verify=ca_context(), timeout=60) as http:
        big = b"x" * (3 * 1024 * 1024)
        refused = await http.post("/api/interviews/sessions", content=big, headers={"content-type": "application/json"})
        # Refused either by the service from its Content-Length (413, before reading a byte) or by Caddy once the
        # body passes its bound (Debian's Caddy 2.6 says 400; newer ones 413).
        assert refused.status_code in (400, 413)
        # Within the proxy's bound but over the service's own: the service's 413, in the error shape.
        mid = await http.post(
            "/api/interviews/sessions", content=b"x" * (1536 * 1024), headers={"content-type": "application/json"}
        )
        assert mid.status_code == 413 and mid.json()["error"]["code"] == "payload_too_large"
        login = await http.post("/auth/realms/intervu/protocol/openid-connect/token", content=b"x" * (128 * 1024))
        assert login.status_code == 413 and "invalid_request" not in login.text  # Keycloak never saw it
