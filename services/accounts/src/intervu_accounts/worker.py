"""The accounts worker: `python -m intervu_accounts.worker` (outbox relay, services' answers to export and
deletion requests, and the scheduler that moves them along)."""

from intervu_kit.storage import storage_from_settings
from intervu_kit.worker import main

from intervu_accounts.config import get_settings
from intervu_accounts.consumers import export_runner, register, scheduler
from intervu_accounts.models import events

if __name__ == "__main__":
    settings = get_settings()
    storage = storage_from_settings(settings)
    main(settings, events, register, jobs=[scheduler(settings, storage), export_runner(settings, storage)])
