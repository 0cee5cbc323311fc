"""Writes the Keycloak realm files from one definition, so development and production cannot drift.

    uv run python scripts/realm.py          # rewrite deploy/keycloak/*.json
    uv run python scripts/realm.py --check  # fail if they are out of date (run by the tests)

The development file adds what production must never have: the direct-access-grant client used by tests
and scripts, known service-client secrets, and http://localhost redirect URIs for the Vite dev server.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from intervu_kit.settings import SERVICES, dev_client_secret, service_client_id

OUT = Path(__file__).resolve().parents[1] / "deploy" / "keycloak"
API_AUDIENCE = "intervu-api"

# Each service has its own confidential client (client credentials only), and its service account holds only what
# that service does with Keycloak's admin API (intervu_kit.keycloak_users), found in the code:
#   accounts:      reads, corrects, disables (which ends the sessions) and deletes people's accounts -> manage-users;
#   notifications: reads a person's email address, and pages through everyone for policy notices -> view-users;
#   the others:    no admin API at all -> nothing.
# No client carries the intervu-api audience and none holds the "service" realm role: no service calls another's
# API today, so a service token is refused by every service (and cannot pass as a person). A service that comes to
# need such calls gets the audience mapper and the role on its own client, and the callee lists it as a caller.
# Secrets: INTERVU_<SERVICE>_CLIENT_SECRET; development uses the documented defaults (refused in production), the
# production file has none (Keycloak generates each at import; operators copy it into the service's environment).
SERVICE_ADMIN_ROLES: dict[str, tuple[str, ...]] = {
    "accounts": ("manage-users", "view-users"),
    "notifications": ("view-users",),
}
# Sign-in hardening. Brute force: after 10 failures in a row an account is locked for a minute, each further round
# of 10 for longer (MULTIPLE: 1, 2, 3... minutes, at most 15), never for good (a permanent lockout lets anyone who
# knows an address lock its owner out); the count is forgotten after 12 hours without a failure, and two failures
# within a second (a script) lock for a minute as well.
BRUTE_FORCE: dict[str, Any] = {
    "bruteForceProtected": True,
    "permanentLockout": False,
    "maxTemporaryLockouts": 0,
    "bruteForceStrategy": "MULTIPLE",
    "failureFactor": 10,
    "waitIncrementSeconds": 60,
    "maxFailureWaitSeconds": 900,
    "maxDeltaTimeSeconds": 43200,
    "quickLoginCheckMilliSeconds": 1000,
    "minimumQuickLoginWaitSeconds": 60,
}
# At least 12 characters (a passphrase; no composition rules, which push people to predictable patterns), at most
# 128 (bounds the work one sign-in costs), not containing the username (here the email address) nor equal to the
# email, and none of the last 5 passwords again.
PASSWORD_POLICY = "length(12) and maxLength(128) and notContainsUsername and notEmail and passwordHistory(5)"
# Refresh token rotation: each refresh token works once; a stolen one that is replayed after its owner used it
# fails, and Keycloak then ends that client session (each browser tab has its own chain, so tabs do not clash).
TOKENS: dict[str, Any] = {"revokeRefreshToken": True, "refreshTokenMaxReuse": 0}
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


def _policy_mapper() -> dict[str, Any]:
    # The privacy policy version the person last accepted (accounts sets it when they accept): every service that
    # processes their data checks it against the current version (intervu_kit.policy_gate), with no call to accounts.
    return {
        "name": "policy_version",
        "protocol": "openid-connect",
        "protocolMapper": "oidc-usermodel-attribute-mapper",
        "consentRequired": False,
        "config": {
            "user.attribute": "policy_version",
            "claim.name": "policy_version",
            "jsonType.label": "int",
            "access.token.claim": "true",
            "id.token.claim": "false",
            "userinfo.token.claim": "false",
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
            {
                # Set by accounts (its service account) when the person accepts a version; never by the person:
                # only administrators may see or change it, so the account console and sign-up do not show it.
                "name": "policy_version",
                "displayName": "Privacy policy version accepted",
                "validations": {"integer": {"min": 1}},
                "permissions": {"view": ["admin"], "edit": ["admin"]},
                "multivalued": False,
            },
        ],
        "groups": [{"name": "user-metadata", "displayHeader": "User metadata", "displayDescription": "Attributes"}],
    }
    return profile


def _service_client(service: str, *, development: bool) -> dict[str, Any]:
    client: dict[str, Any] = {
        "clientId": service_client_id(service),
        "name": f"Intervu {service} service",
        "description": f"The {service} service's own identity (client credentials); roles as its code needs them.",
        "enabled": True,
        "publicClient": False,
        "clientAuthenticatorType": "client-secret",
        "serviceAccountsEnabled": True,
        "standardFlowEnabled": False,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "protocol": "openid-connect",
    }
    if development:
        client["secret"] = dev_client_secret(service)  # documented in .env.example; refused in production
    return client


def _service_account(service: str) -> dict[str, Any]:
    # Listed roles only: an imported user gets no default roles, so a service account is not also a "user".
    account: dict[str, Any] = {
        "username": f"service-account-{service_client_id(service)}",
        "enabled": True,
        "serviceAccountClientId": service_client_id(service),
        "realmRoles": [],
    }
    if roles := SERVICE_ADMIN_ROLES.get(service):
        account["clientRoles"] = {"realm-management": list(roles)}
    return account


def realm(*, development: bool) -> dict[str, Any]:
    web_redirects = ["https://localhost:8443/*"]
    web_origins = ["https://localhost:8443"]
    if development:
        web_redirects.append("http://localhost:5173/*")
        web_origins.append("http://localhost:5173")
    service_clients = [_service_client(service, development=development) for service in SERVICES]
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
            "protocolMappers": [_audience_mapper(), _birthdate_mapper(), _policy_mapper()],
        },
        *service_clients,
        {
            # Keycloak creates admin-cli in every realm with the password grant on. Administrators sign in to the
            # master realm; in ours it would only let a script try people's passwords outside the login page.
            "clientId": "admin-cli",
            "name": "${client_admin-cli}",
            "enabled": True,
            "publicClient": True,
            "standardFlowEnabled": False,
            "implicitFlowEnabled": False,
            "directAccessGrantsEnabled": False,
            "serviceAccountsEnabled": False,
            "protocol": "openid-connect",
            "attributes": {"client.use.lightweight.access.token.enabled": "true"},
        },
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
                "protocolMappers": [_audience_mapper(), _birthdate_mapper(), _policy_mapper()],
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
        **BRUTE_FORCE,
        "accessTokenLifespan": 300,
        "ssoSessionIdleTimeout": 1800,
        **TOKENS,
        "passwordPolicy": PASSWORD_POLICY,
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
        "users": [_service_account(service) for service in SERVICES],
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
