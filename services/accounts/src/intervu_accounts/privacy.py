"""Where the accounts service keeps a person's data: consents and their history, policy acceptances, their
exports (name, email and date of birth live in Keycloak: the deletion coordinator removes the Keycloak user
last)."""

from intervu_kit.privacy import Owned, UserData
from intervu_kit.storage import Storage
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_accounts.exports.repository import ExportRepository
from intervu_accounts.models import Consent, ConsentChange, Export, ExportPart, PolicyAcceptance, jobs

_exports = Export.__table__


async def _wait_for_exports(session: AsyncSession, storage: Storage, user_id: str) -> int:
    # An export being zipped holds its row: wait for it, so its ZIP is written before the prefix is emptied.
    await ExportRepository(session).lock_all_of(user_id)
    return 0


USER_DATA = UserData(
    service="accounts",
    tables=[
        Owned(Consent.__table__),  # type: ignore[arg-type]
        Owned(ConsentChange.__table__),  # type: ignore[arg-type]
        Owned(PolicyAcceptance.__table__),  # type: ignore[arg-type]
        Owned(_exports, private_columns=("object_key",)),  # type: ignore[arg-type]
        Owned(ExportPart.__table__, through=("export_id", _exports, "id"), private_columns=("files",)),  # type: ignore[arg-type]
        Owned(jobs, exported=False),
    ],
    object_prefixes=lambda user_id: [f"exports/{user_id}/"],
    before_delete=_wait_for_exports,
    kept={
        "deletion_requests": "the deletion's own record: the coordinator removes it when the deletion completes, "
        "leaving a receipt without personal data",
    },
)
