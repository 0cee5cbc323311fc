"""`make run` end to end: every service behind the HTTPS proxy, a real browser-style login, a clean stop.

This starts the same command `make run` starts (`intervu-dev run`), so it also proves the orchestration:
migrations, sixteen processes, the Caddy proxy with its local CA, and Ctrl-C stopping all of it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import ssl
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from intervu_kit.devstack.config import SERVICE_PORTS, DevSettings, Paths
from intervu_kit.devstack.procs import tcp_open
from intervu_kit.settings import SERVICES
from intervu_kit.testing.plugin import KeycloakAdmin, KeycloakUser
from intervu_kit.testing.product import start_product

BASE = "https://localhost:8443"
REDIRECT = f"{BASE}/callback"


async def _form(http: httpx.AsyncClient, register: bool) -> tuple[str, str, str]:
    """Open Keycloak's login (or sign-up) page as the web app does; returns the form's action, the PKCE verifier
    and the state."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    extra = {"prompt": "create"} if register else {}
    query = urlencode(
        {
            **extra,
            "client_id": "intervu-web",
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": REDIRECT,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    page = await http.get(f"{BASE}/auth/realms/intervu/protocol/openid-connect/auth?{query}")
    assert page.status_code == 200, page.text[:500]
    form_id = "kc-register-form" if register else "kc-form-login"
    match = re.search(rf'<form[^>]*id="{form_id}"[^>]*action="([^"]+)"', page.text)
    assert match, f"no {form_id} on Keycloak's page"
    return html.unescape(match.group(1)), verifier, state


async def _authorization_code_with_pkce(
    http: httpx.AsyncClient, user: KeycloakUser | None = None, register: dict[str, str] | None = None
) -> str:
    """What the web app does: Authorization Code + PKCE against Keycloak's real login (or sign-up) page."""
    action, verifier, state = await _form(http, register is not None)
    if register:
        fields = register
    else:
        assert user is not None
        fields = {"username": user.username, "password": user.password}
    login = await http.post(action, data=fields)
    assert login.status_code == 302, login.text[:500]
    location = urlparse(login.headers["location"])
    params = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    assert params["state"] == [state]
    token = await http.post(
        f"{BASE}/auth/realms/intervu/protocol/openid-connect/token",
        data={
            "grant_type": "authorization_code",
            "client_id": "intervu-web",
            "code": params["code"][0],
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.text
    return str(token.json()["access_token"])


async def test_make_run_serves_everything_over_https_and_stops_on_ctrl_c(
    infra: DevSettings, keycloak: KeycloakAdmin, make_user: Callable[..., Awaitable[KeycloakUser]]
) -> None:
    product = start_product()
    try:
        ca = ssl.create_default_context(cafile=str(Paths.caddy_root_ca()))
        async with httpx.AsyncClient(verify=ca, timeout=15) as http:
            for service in SERVICES:
                ready = await http.get(f"{BASE}/api/{service}/readyz")
                assert ready.status_code == 200, (service, ready.text)
                assert ready.headers["strict-transport-security"].startswith("max-age=")
                assert ready.headers["x-request-id"]
            assert "<title>Intervu</title>" in (await http.get(f"{BASE}/practice/anything")).text
            missing = await http.get(f"{BASE}/api/unknown/thing")
            assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"

            async with httpx.AsyncClient() as plain:
                redirect = await plain.get("http://localhost:8080/practice?x=1")
            assert redirect.status_code == 308
            assert redirect.headers["location"] == f"{BASE}/practice?x=1"

            admin = await make_user(roles=("admin",))
            token = await _authorization_code_with_pkce(http, admin)
            response = await http.get(
                f"{BASE}/api/media/admin/parked-events", headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200, response.text
            assert isinstance(response.json(), list)

            # Self-registration through Keycloak's own sign-up page, then straight into the app.
            email = f"signup-{secrets.token_hex(6)}@example.com"
            signup = {
                "email": email,
                "firstName": "Sam",
                "lastName": "Signup",
                "password": "a-long-passphrase-1",
                "password-confirm": "a-long-passphrase-1",
            }
            http.cookies.clear()
            # Under 17 on the sign-up page: Keycloak refuses it (our validator, deploy/keycloak/extensions) and
            # no account exists; then the same person, of age.
            today = datetime.now(UTC).date()
            action, _, _ = await _form(http, register=True)
            young = {**signup, "birthdate": today.replace(year=today.year - 16).isoformat()}
            refused = await http.post(action, data=young)
            assert refused.status_code == 200, refused.text[:500]
            assert "You must be at least 17 years old to use Intervu." in html.unescape(refused.text)
            assert (await keycloak.request("GET", "/users", params={"email": email, "exact": "true"})).json() == []
            http.cookies.clear()
            signup["birthdate"] = today.replace(year=today.year - 17, day=1).isoformat()
            token = await _authorization_code_with_pkce(http, register=signup)
            me = await http.get(
                f"{BASE}/api/accounts/admin/parked-events", headers={"Authorization": f"Bearer {token}"}
            )
            assert me.status_code == 403  # a real, valid token: just not an admin
            assert me.json()["error"]["code"] == "role_required"
            created = (await keycloak.request("GET", "/users", params={"email": email, "exact": "true"})).json()
            assert [(u["firstName"], u["lastName"]) for u in created] == [("Sam", "Signup")]
            await keycloak.delete_user(created[0]["id"])
    finally:
        code = product.stop()
    time.sleep(0.5)
    output = product.output
    assert code == 0, output[-3000:]
    assert "Stopped." in output
    assert not tcp_open("127.0.0.1", 8443)
    assert not any(tcp_open("127.0.0.1", port) for port in SERVICE_PORTS.values())
    assert tcp_open("127.0.0.1", infra.pg_port), "run must not stop infrastructure it did not start"
