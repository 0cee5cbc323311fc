"""Keep a running Keycloak's realm in step with `deploy/keycloak/intervu-realm.json`.

Keycloak imports the realm file only when the realm does not exist yet, so a change to the file (a new user-profile
attribute, a token mapper, a message) would otherwise need `intervu-dev reset-keycloak`, which drops every
development user. `up` applies the parts that change through the admin API instead, every time: idempotent and
quick. Production imports the production file into a fresh realm, or applies changes the same way.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from intervu_kit.devstack.config import DevSettings, Paths


class RealmSyncError(Exception):
    pass


# Clients the realm file no longer has, deleted from a running Keycloak: the one client all services shared held
# manage-users with a secret printed in this repository; each service now has its own (scripts/realm.py).
RETIRED_CLIENTS = ("intervu-services",)
# Realm settings kept as the file says on every `up`: the security ones (sign-in lockout, password policy, refresh
# token rotation). Others (token lifespans, registration) stay as imported.
SECURITY_SETTINGS = (
    "bruteForceProtected",
    "permanentLockout",
    "maxTemporaryLockouts",
    "bruteForceStrategy",
    "failureFactor",
    "waitIncrementSeconds",
    "maxFailureWaitSeconds",
    "maxDeltaTimeSeconds",
    "quickLoginCheckMilliSeconds",
    "minimumQuickLoginWaitSeconds",
    "passwordPolicy",
    "revokeRefreshToken",
    "refreshTokenMaxReuse",
)
# What a client may do (which grants, whether it has a secret or a service account): kept as the file says.
CLIENT_FLAGS = (
    "enabled",
    "publicClient",
    "standardFlowEnabled",
    "implicitFlowEnabled",
    "directAccessGrantsEnabled",
    "serviceAccountsEnabled",
)


def _profile(realm: dict[str, Any]) -> dict[str, Any]:
    provider = realm["components"]["org.keycloak.userprofile.UserProfileProvider"][0]
    profile: dict[str, Any] = json.loads(provider["config"]["kc.user.profile.config"][0])
    return profile


def _essence(profile: dict[str, Any]) -> list[tuple[str, str]]:
    # What our file decides (each attribute's validators, who must give it, annotations); Keycloak's answer adds
    # defaults of its own and sorts role lists, so whole representations never compare equal.
    def required(a: dict[str, Any]) -> list[str] | None:
        return sorted(a["required"].get("roles", [])) if a.get("required") else None

    return [
        (a["name"], json.dumps([a.get("validations"), required(a), a.get("annotations")], sort_keys=True))
        for a in profile.get("attributes", [])
    ]


def _sync_clients(http: httpx.Client, base: str, realm: dict[str, Any]) -> list[str]:
    """Create the file's clients a running Keycloak lacks, keep each one's grants, development secret and token
    mappers as the file says, and delete retired clients."""
    changed: list[str] = []
    for client in realm["clients"]:
        found = http.get(f"{base}/clients", params={"clientId": client["clientId"]}).json()
        if not found:
            http.post(f"{base}/clients", json=client).raise_for_status()
            changed.append(f"client {client['clientId']}")
            continue
        live = found[0]
        client_id = live["id"]
        flags = {k: client[k] for k in CLIENT_FLAGS if k in client and live.get(k) != client[k]}
        if flags:
            http.put(f"{base}/clients/{client_id}", json={**live, **flags}).raise_for_status()
            changed.append(f"{client['clientId']} {', '.join(sorted(flags))}")
        if "secret" in client:  # development only: the documented secret the services read by default
            current = http.get(f"{base}/clients/{client_id}/client-secret").json().get("value")
            if current != client["secret"]:
                secret = {**live, **flags, "secret": client["secret"]}
                http.put(f"{base}/clients/{client_id}", json=secret).raise_for_status()
                changed.append(f"{client['clientId']} secret")
        present = {m["name"] for m in http.get(f"{base}/clients/{client_id}/protocol-mappers/models").json()}
        for mapper in client.get("protocolMappers", []):
            if mapper["name"] not in present:
                http.post(f"{base}/clients/{client_id}/protocol-mappers/models", json=mapper).raise_for_status()
                changed.append(f"{client['clientId']} mapper {mapper['name']}")
    for retired in RETIRED_CLIENTS:
        for live in http.get(f"{base}/clients", params={"clientId": retired}).json():
            http.delete(f"{base}/clients/{live['id']}").raise_for_status()
            changed.append(f"client {retired} deleted")
    return changed


def _sync_service_accounts(http: httpx.Client, base: str, realm: dict[str, Any]) -> list[str]:
    """Each service account holds exactly the roles the file gives it. A client created through the admin API gets
    the realm's default roles on its service account (it would be a "user"); an imported one does not."""
    changed: list[str] = []
    management = http.get(f"{base}/clients", params={"clientId": "realm-management"}).json()[0]["id"]
    for account in realm.get("users", []):
        if "serviceAccountClientId" not in account:
            continue
        found = http.get(f"{base}/clients", params={"clientId": account["serviceAccountClientId"]}).json()
        if not found:
            continue
        user = http.get(f"{base}/clients/{found[0]['id']}/service-account-user").json()["id"]
        mappings = {
            "realm": (f"{base}/users/{user}/role-mappings/realm", f"{base}/roles", account.get("realmRoles", [])),
            "realm-management": (
                f"{base}/users/{user}/role-mappings/clients/{management}",
                f"{base}/clients/{management}/roles",
                account.get("clientRoles", {}).get("realm-management", []),
            ),
        }
        for scope, (url, roles_url, wanted) in mappings.items():
            have = http.get(url).json()
            extra = [r for r in have if r["name"] not in wanted]
            missing = [r for r in http.get(roles_url).json() if r["name"] in set(wanted) - {h["name"] for h in have}]
            if extra:
                http.request("DELETE", url, json=extra).raise_for_status()
            if missing:
                http.post(url, json=missing).raise_for_status()
            if extra or missing:
                changed.append(f"{account['username']} {scope} roles")
    return changed


def sync_realm(s: DevSettings) -> list[str]:
    """Apply the realm file's user profile, login theme, security settings, clients (with their service accounts'
    roles and token mappers) and messages; returns what changed."""
    realm = json.loads(Paths.realm_file.read_text())
    base = f"{s.keycloak_internal_url}/admin/realms/{s.keycloak_realm}"
    changed: list[str] = []
    with httpx.Client(timeout=20) as http:
        token = http.post(
            f"{s.keycloak_internal_url}/realms/master/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": s.keycloak_admin_user,
                "password": s.keycloak_admin_password.get_secret_value(),
            },
        )
        token.raise_for_status()
        http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

        wanted = _profile(realm)
        current = http.get(f"{base}/users/profile").json()
        if _essence(current) != _essence(wanted):
            response = http.put(f"{base}/users/profile", json=wanted)
            if response.status_code >= 400:
                raise RealmSyncError(
                    f"Keycloak refused the user profile ({response.status_code}: {response.text[:300]}); if it names "
                    "intervu-minimum-age, restart Keycloak so it loads the extension (make down && make up)"
                )
            changed.append("user profile")

        settings = {k: realm[k] for k in ("internationalizationEnabled", "supportedLocales", "defaultLocale")}
        live = http.get(base).json()
        if any(live.get(k) != v for k, v in settings.items()):
            http.put(base, json=settings).raise_for_status()
            changed.append("locales")
        security = {k: realm[k] for k in SECURITY_SETTINGS if live.get(k) != realm[k]}
        if security:
            http.put(base, json=security).raise_for_status()
            changed.append("security settings (" + ", ".join(sorted(security)) + ")")
        if live.get("loginTheme") != realm.get("loginTheme"):
            # The theme itself is in the extension jar; Keycloak shows its default pages until a restart loads it.
            http.put(base, json={"loginTheme": realm.get("loginTheme")}).raise_for_status()
            changed.append("login theme")
        for locale, texts in realm.get("localizationTexts", {}).items():
            have = http.get(f"{base}/localization/{locale}").json() if live.get("internationalizationEnabled") else {}
            for key, text in texts.items():
                if have.get(key) != text:
                    http.put(
                        f"{base}/localization/{locale}/{key}", content=text, headers={"Content-Type": "text/plain"}
                    ).raise_for_status()
                    changed.append(f"message {key}")

        changed += _sync_clients(http, base, realm)
        changed += _sync_service_accounts(http, base, realm)
    return changed
