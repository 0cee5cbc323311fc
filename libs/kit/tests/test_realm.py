"""The committed realm files match their generator; production has no development-only client; the sign-in and
sign-up pages wear Intervu's login theme."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import subprocess
import sys
import zipfile
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from intervu_kit.devstack.config import KEYCLOAK_VERSION, DevSettings, Paths
from intervu_kit.settings import REPO_ROOT

KEYCLOAK = REPO_ROOT / "deploy" / "keycloak"
THEME_RESOURCES = KEYCLOAK / "extensions" / "src" / "main" / "resources"
THEME = THEME_RESOURCES / "theme" / "intervu" / "login"
WORDMARK = '<span class="intervu-wordmark">Intervu</span>'
TAGLINE = "Practise interviews. Get honest feedback."
STALE_JAR = "run `make setup` (rebuilds the extension jar), then restart Keycloak (`make down && make up`)"


def test_realm_files_are_generated_from_scripts_realm_py() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/realm.py", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _realm(name: str) -> dict[str, Any]:
    realm: dict[str, Any] = json.loads((KEYCLOAK / name).read_text())
    return realm


def test_production_realm_has_no_development_client_or_secret() -> None:
    realm = _realm("intervu-realm.production.json")
    clients = {c["clientId"]: c for c in realm["clients"]}
    assert "intervu-dev-cli" not in clients
    # No client of the app realm takes passwords outside the login page, admin-cli included.
    assert clients["admin-cli"]["directAccessGrantsEnabled"] is False
    assert not any(c.get("directAccessGrantsEnabled") for c in clients.values())
    assert not any("secret" in c for c in clients.values())
    assert realm["verifyEmail"] is True
    assert all("localhost:5173" not in uri for uri in clients["intervu-web"]["redirectUris"])


def test_the_password_grant_client_is_development_only_and_public() -> None:
    development = {c["clientId"]: c for c in _realm("intervu-realm.json")["clients"]}
    cli = development["intervu-dev-cli"]
    assert cli["publicClient"] and cli["directAccessGrantsEnabled"] and not cli["standardFlowEnabled"]
    # The only client with the password grant, in development as in production.
    assert [c for c, rep in development.items() if rep.get("directAccessGrantsEnabled")] == ["intervu-dev-cli"]


@pytest.mark.parametrize("name", ["intervu-realm.json", "intervu-realm.production.json"])
def test_sign_in_is_hardened(name: str) -> None:
    realm = _realm(name)
    # Lockout after 10 failures, temporary and growing with each round, never permanent.
    assert realm["bruteForceProtected"] is True
    assert realm["failureFactor"] == 10
    assert realm["permanentLockout"] is False and realm["maxTemporaryLockouts"] == 0
    assert realm["bruteForceStrategy"] == "MULTIPLE"
    assert 0 < realm["waitIncrementSeconds"] <= realm["maxFailureWaitSeconds"] <= 900
    policy = realm["passwordPolicy"].split(" and ")
    assert "length(12)" in policy and "notEmail" in policy and "notContainsUsername" in policy
    assert any(p.startswith("passwordHistory(") for p in policy)
    # Refresh tokens rotate: each works once.
    assert realm["revokeRefreshToken"] is True and realm["refreshTokenMaxReuse"] == 0


def test_web_client_is_public_with_pkce_and_registration_is_open() -> None:
    realm = json.loads((KEYCLOAK / "intervu-realm.json").read_text())
    web = next(c for c in realm["clients"] if c["clientId"] == "intervu-web")
    assert web["publicClient"] and web["standardFlowEnabled"] and not web["implicitFlowEnabled"]
    assert web["attributes"]["pkce.code.challenge.method"] == "S256"
    assert realm["registrationAllowed"] is True
    profile = json.loads(
        realm["components"]["org.keycloak.userprofile.UserProfileProvider"][0]["config"]["kc.user.profile.config"][0]
    )
    required = {a["name"] for a in profile["attributes"] if a.get("required")}
    assert {"email", "firstName", "lastName"} <= required


def _theme_properties() -> dict[str, str]:
    lines = (THEME / "theme.properties").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_both_realm_files_use_the_intervu_login_theme() -> None:
    for name in ("intervu-realm.json", "intervu-realm.production.json"):
        assert json.loads((KEYCLOAK / name).read_text())["loginTheme"] == "intervu", name


def test_the_extension_jar_declares_the_theme_on_keycloak_v2_with_its_stylesheet() -> None:
    declared = json.loads((THEME_RESOURCES / "META-INF" / "keycloak-themes.json").read_text())
    assert {"name": "intervu", "types": ["login"]} in declared["themes"]
    properties = _theme_properties()
    assert properties["parent"] == "keycloak.v2"
    # `styles` replaces the parent's list: keycloak.v2's own stylesheet must stay, ours comes after it.
    assert properties["styles"].split() == ["css/styles.css", "css/intervu.css"]
    css = (THEME / "resources" / "css" / "intervu.css").read_text()
    assert "--pf-v5-global--primary-color--100" in css
    assert (THEME / "resources" / "img" / "intervu-mark.svg").exists()
    assert "../img/intervu-mark.svg" in css
    messages = (THEME / "messages" / "messages_en.properties").read_text()
    assert f"loginTitleHtml={WORDMARK}" in messages and TAGLINE in messages


def test_keycloak_v2_is_the_installed_keycloaks_login_theme() -> None:
    themes_jar = Paths.keycloak_home / "lib" / "lib" / "main" / f"org.keycloak.keycloak-themes-{KEYCLOAK_VERSION}.jar"
    with zipfile.ZipFile(themes_jar) as jar:
        shipped = json.loads(jar.read("META-INF/keycloak-themes.json"))["themes"]
        parent = jar.read("theme/keycloak.v2/login/theme.properties").decode()
    assert {"name": "keycloak.v2", "types": ["login"]} in shipped
    assert re.search(r"^styles=css/styles\.css$", parent, re.MULTILINE), "keycloak.v2 changed its styles"


@pytest.mark.parametrize("page", ["login", "registration"])
async def test_keycloak_serves_the_sign_in_and_sign_up_pages_in_the_intervu_theme(
    infra: DevSettings, page: str
) -> None:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "client_id": "intervu-web",
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": "https://localhost:8443/callback",
        "state": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if page == "registration":
        query["prompt"] = "create"
    async with httpx.AsyncClient(timeout=20) as http:
        realm = f"{infra.keycloak_internal_url}/realms/{infra.keycloak_realm}"
        response = await http.get(f"{realm}/protocol/openid-connect/auth?{urlencode(query)}")
        assert response.status_code == 200, response.text[:500]
        body = response.text
        assert 'id="kc-register-form"' in body if page == "registration" else 'id="kc-form-login"' in body
        stylesheets = re.findall(r'<link href="([^"]+\.css)" rel="stylesheet"', body)
        ours = [href for href in stylesheets if re.search(r"/resources/[^/]+/login/intervu/css/intervu\.css$", href)]
        assert ours, f"the page does not link the Intervu stylesheet ({stylesheets}); {STALE_JAR}"
        assert stylesheets[-1] == ours[0] and any(h.endswith("/login/intervu/css/styles.css") for h in stylesheets)
        assert WORDMARK in body and TAGLINE in body
        if page == "registration":
            # The minimum-age check of the sign-up form still has its date picker.
            birthdate = re.search(r'<input[^>]*name="birthdate"[^>]*>', body)
            assert birthdate and 'type="date"' in birthdate.group(0)
        # The stylesheet itself comes from our jar (the href is public; Keycloak serves it at its internal URL too).
        path = ours[0][ours[0].index("/resources/") :]
        css = await http.get(f"{infra.keycloak_internal_url}{path}")
        assert css.status_code == 200 and "--intervu-indigo" in css.text, STALE_JAR
