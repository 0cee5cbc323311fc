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


def sync_realm(s: DevSettings) -> list[str]:
    """Apply the realm file's user profile, login theme, client token mappers and messages; returns what changed."""
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

        for client in realm["clients"]:
            found = http.get(f"{base}/clients", params={"clientId": client["clientId"]}).json()
            if not found:
                continue
            client_id = found[0]["id"]
            present = {m["name"] for m in http.get(f"{base}/clients/{client_id}/protocol-mappers/models").json()}
            for mapper in client.get("protocolMappers", []):
                if mapper["name"] not in present:
                    http.post(f"{base}/clients/{client_id}/protocol-mappers/models", json=mapper).raise_for_status()
                    changed.append(f"{client['clientId']} mapper {mapper['name']}")
    return changed
