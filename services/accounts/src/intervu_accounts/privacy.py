"""Where the accounts service keeps a person's data: consents and their history (name, email and date of birth
live in Keycloak: the deletion coordinator removes the Keycloak user last)."""

from intervu_kit.privacy import Owned, UserData

from intervu_accounts.models import Consent, ConsentChange

USER_DATA = UserData(
    service="accounts",
    tables=[Owned(Consent.__table__), Owned(ConsentChange.__table__)],  # type: ignore[arg-type]
)
