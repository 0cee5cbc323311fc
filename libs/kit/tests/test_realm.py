"""The committed realm files match their generator; production has no development-only client."""

from __future__ import annotations

import json
import subprocess
import sys

from intervu_kit.settings import REPO_ROOT

KEYCLOAK = REPO_ROOT / "deploy" / "keycloak"


def test_realm_files_are_generated_from_scripts_realm_py() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/realm.py", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_production_realm_has_no_development_client_or_secret() -> None:
    realm = json.loads((KEYCLOAK / "intervu-realm.production.json").read_text())
    clients = {c["clientId"]: c for c in realm["clients"]}
    assert "intervu-dev-cli" not in clients
    assert not any(c.get("directAccessGrantsEnabled") for c in clients.values())
    assert "secret" not in clients["intervu-services"]
    assert realm["verifyEmail"] is True
    assert all("localhost:5173" not in uri for uri in clients["intervu-web"]["redirectUris"])


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
