from functools import lru_cache

from intervu_kit.settings import KitSettings


class Settings(KitSettings):
    service_name: str = "accounts"

    # --- deletion (the privacy policy, section 5: everything deleted within 30 days) ---------------------
    deletion_confirm_window_s: int = 30 * 60  # a request not confirmed by then expires
    # Confirming asks for a sign-in this recent (a browser left signed in is not enough to erase an account).
    deletion_recent_sign_in_s: int = 10 * 60
    deletion_grace_days: int = 7  # cancellable until then
    deletion_deadline_days: int = 30  # from confirmation: later is reported as overdue
    deletion_retry_s: int = 6 * 3600  # a service that has not confirmed is asked again this often
    # The sweep (second round) starts this long after the deletion started, once every service confirmed: longer
    # than an access token lives and than events wait for a retry.
    deletion_sweep_after_s: int = 3600

    # --- export (the right to data portability) ------------------------------------------------------
    export_retry_s: int = 3600  # a service that has not answered is asked again this often
    export_give_up_s: int = 3 * 24 * 3600  # then the export fails, saying which services did not answer
    export_keep_s: int = 7 * 24 * 3600  # the ZIP is removed after this
    export_link_s: int = 15 * 60  # a download link works this long
    # The operator's privacy contact (an e-mail address or a web address), shown with the policy in the app.
    privacy_contact: str | None = None
    export_max_per_day: int = 3  # each copies every recording and is kept export_keep_s: bounded per person

    privacy_tick_s: float = 5.0  # how often the worker advances deletions and exports


@lru_cache
def get_settings() -> Settings:
    return Settings()
