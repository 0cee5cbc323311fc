"""One mark everywhere: the app's header and icon, and Keycloak's sign-in and sign-up pages (a new user saw two)."""

from __future__ import annotations

from intervu_kit.devstack.config import Paths

THEME = Paths.root / "deploy/keycloak/extensions/src/main/resources/theme/intervu"
THEME_MARK = THEME / "login/resources/img/intervu-mark.svg"


def test_the_app_and_the_sign_in_pages_show_the_same_mark() -> None:
    assert (Paths.root / "web/public/favicon.svg").read_bytes() == THEME_MARK.read_bytes()
