"""Writes the Keycloak realm files from one definition, so development and production cannot drift.

    uv run python scripts/realm.py          # rewrite deploy/keycloak/*.json
    uv run python scripts/realm.py --check  # fail if they are out of date (run by the tests)

The development file adds what production must never have: the direct-access-grant client used by tests
and scripts, a known service-client secret, and http://localhost redirect URIs for the Vite dev server.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "deploy" / "keycloak"
DEV_SERVICE_SECRET = "intervu-services-dev-secret"  # documented in .env.example; refused in production
API_AUDIENCE = "intervu-api"
MINIMUM_AGE = 17  # the privacy policy: Intervu is not for children under 17
# Our login theme (sign-in and sign-up pages), shipped in the extension jar: deploy/keycloak/extensions/src/main/
# resources/theme/intervu. A Keycloak without the jar falls back to its default theme.
LOGIN_THEME = "intervu"


def _audience_mapper() -> dict[str, Any]:
    # Tokens for our clients carry "intervu-api" in aud; services refuse tokens meant for anything else.
    return {
        "name": "intervu-api-audience",
        "protocol": "openid-connect",
        "protocolMapper": "oidc-audience-mapper",
        "consentRequired": False,
        "config": {
            "included.custom.audience": API_AUDIENCE,
            "access.token.claim": "true",
            "id.token.claim": "false",
            "introspection.token.claim": "true",
        },
    }


def _birthdate_mapper() -> dict[str, Any]:
    # The standard OIDC claim: every service checks the age on each request (nothing else stores it).
    return {
        "name": "birthdate",
        "protocol": "openid-connect",
        "protocolMapper": "oidc-usermodel-attribute-mapper",
        "consentRequired": False,
        "config": {
            "user.attribute": "birthdate",
            "claim.name": "birthdate",
            "jsonType.label": "String",
            "access.token.claim": "true",
            "id.token.claim": "true",
            "userinfo.token.claim": "true",
            "introspection.token.claim": "true",
        },
    }


MESSAGES = {
    "birthdate": "Date of birth",
    "intervu-error-underage": "You must be at least {1} years old to use Intervu.",
    "intervu-error-invalid-birthdate": "Enter your date of birth as a real date (YYYY-MM-DD).",
}


def user_profile() -> dict[str, Any]:
    """The declarative user profile (also applied to a running Keycloak by the dev stack, see devstack/realm.py)."""

    def attr(name: str, display: str, validations: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": name,
            "displayName": display,
            "validations": validations,
            "required": {"roles": ["user", "admin"]},
            "permissions": {"view": ["admin", "user"], "edit": ["admin", "user"]},
            "multivalued": False,
        }

    profile = {
        "attributes": [
            {
                "name": "username",
                "displayName": "${username}",
                "validations": {
                    "length": {"min": 3, "max": 255},
                    "username-prohibited-characters": {},
                    "up-username-not-idn-homograph": {},
                },
                "permissions": {"view": ["admin", "user"], "edit": ["admin", "user"]},
                "multivalued": False,
            },
            attr("email", "${email}", {"email": {}, "length": {"max": 255}}),
            attr("firstName", "${firstName}", {"length": {"max": 255}, "person-name-prohibited-characters": {}}),
            attr("lastName", "${lastName}", {"length": {"max": 255}, "person-name-prohibited-characters": {}}),
            {
                **attr(
                    "birthdate",
                    "${birthdate}",
                    # Our extension (deploy/keycloak/extensions): a real date, at least 17 years ago.
                    {"intervu-minimum-age": {"min-age": MINIMUM_AGE}},
                ),
                "annotations": {"inputType": "html5-date"},
            },
        ],
        "groups": [{"name": "user-metadata", "displayHeader": "User metadata", "displayDescription": "Attributes"}],
    }
    return profile


def realm(*, development: bool) -> dict[str, Any]:
    web_redirects = ["https://localhost:8443/*"]
    web_origins = ["https://localhost:8443"]
    if development:
        web_redirects.append("http://localhost:5173/*")
        web_origins.append("http://localhost:5173")
    services_client: dict[str, Any] = {
        "clientId": "intervu-services",
        "name": "Intervu services (service account)",
        "description": "Client credentials for service-to-service calls and Keycloak's admin API.",
        "enabled": True,
        "publicClient": False,
        "clientAuthenticatorType": "client-secret",
        "serviceAccountsEnabled": True,
        "standardFlowEnabled": False,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "protocol": "openid-connect",
        "protocolMappers": [_audience_mapper()],
    }
    if development:
        services_client["secret"] = DEV_SERVICE_SECRET
    clients: list[dict[str, Any]] = [
        {
            "clientId": "intervu-web",
            "name": "Intervu web app",
            "enabled": True,
            "publicClient": True,
            "standardFlowEnabled": True,
            "implicitFlowEnabled": False,
            "directAccessGrantsEnabled": False,
            "serviceAccountsEnabled": False,
            "protocol": "openid-connect",
            "redirectUris": web_redirects,
            "webOrigins": web_origins,
            "attributes": {"pkce.code.challenge.method": "S256", "post.logout.redirect.uris": "+"},
            "protocolMappers": [_audience_mapper(), _birthdate_mapper()],
        },
        services_client,
    ]
    if development:
        clients.append(
            {
                "clientId": "intervu-dev-cli",
                "name": "Development only: password grant for tests and scripts",
                "enabled": True,
                "publicClient": True,
                "standardFlowEnabled": False,
                "implicitFlowEnabled": False,
                "directAccessGrantsEnabled": True,
                "protocol": "openid-connect",
                "protocolMappers": [_audience_mapper(), _birthdate_mapper()],
            }
        )
    return {
        "realm": "intervu",
        "displayName": "Intervu",
        "enabled": True,
        "loginTheme": LOGIN_THEME,
        "sslRequired": "external",
        "registrationAllowed": True,
        "registrationEmailAsUsername": True,
        "loginWithEmailAllowed": True,
        "duplicateEmailsAllowed": False,
        "resetPasswordAllowed": True,
        "rememberMe": True,
        "verifyEmail": not development,
        "bruteForceProtected": True,
        "accessTokenLifespan": 300,
        "ssoSessionIdleTimeout": 1800,
        "passwordPolicy": "length(10) and notUsername and notEmail",
        "internationalizationEnabled": True,
        "supportedLocales": ["en"],
        "defaultLocale": "en",
        "localizationTexts": {"en": MESSAGES},
        "roles": {
            "realm": [
                {"name": "user", "description": "A person practising interviews."},
                {"name": "admin", "description": "Manages the question bank and sees parked events."},
                {"name": "service", "description": "An Intervu service calling another."},
                {"name": "offline_access", "description": "${role_offline-access}"},
                {"name": "uma_authorization", "description": "${role_uma_authorization}"},
                {
                    "name": "default-roles-intervu",
                    "composite": True,
                    "composites": {"realm": ["user", "offline_access", "uma_authorization"]},
                },
            ]
        },
        "defaultRole": {"name": "default-roles-intervu", "composite": True},
        "clients": clients,
        "users": [
            {
                "username": "service-account-intervu-services",
                "enabled": True,
                "serviceAccountClientId": "intervu-services",
                "realmRoles": ["service"],
                "clientRoles": {"realm-management": ["manage-users", "view-users", "query-users"]},
            }
        ],
        "components": {
            "org.keycloak.userprofile.UserProfileProvider": [
                {
                    "providerId": "declarative-user-profile",
                    "subComponents": {},
                    "config": {"kc.user.profile.config": [json.dumps(user_profile())]},
                }
            ]
        },
    }


def main() -> int:
    files = {
        OUT / "intervu-realm.json": realm(development=True),
        OUT / "intervu-realm.production.json": realm(development=False),
    }
    stale = []
    for path, content in files.items():
        text = json.dumps(content, indent=2) + "\n"
        if "--check" in sys.argv:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        print("out of date (run scripts/realm.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
