from functools import lru_cache

from intervu_kit.settings import KitSettings
from pydantic import SecretStr


class Settings(KitSettings):
    service_name: str = "notifications"

    # --- email (SMTP). No host: email is off and notices stay in the app's inbox. ---------------------------
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "Intervu <no-reply@intervu.localhost>"
    # Where links in emails point (the web app).
    app_url: str = "https://localhost:8443"

    # --- web push (VAPID). No key: push is off. -----------------------------------------------------------
    vapid_private_key: SecretStr | None = None  # PEM of a P-256 key (`openssl ecparam -name prime256v1 -genkey`)
    vapid_subject: str = "mailto:privacy@intervu.localhost"
    # A subscription's endpoint is a URL the browser chose: we only ever POST to the push services' own hosts
    # (the host itself or a subdomain, label by label; never an IP address), over HTTPS on port 443, so a
    # subscription cannot point our server at anything else (see inbox/push.py).
    push_allowed_hosts: list[str] = [
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "web.push.apple.com",
        "notify.windows.com",
    ]
    # False only for tests against a stand-in push service on 127.0.0.1: then plain http, an explicit port and
    # an IP address named exactly in push_allowed_hosts are accepted too.
    push_require_https: bool = True


@lru_cache
def get_settings() -> Settings:
    return Settings()
