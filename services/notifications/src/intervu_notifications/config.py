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


@lru_cache
def get_settings() -> Settings:
    return Settings()
