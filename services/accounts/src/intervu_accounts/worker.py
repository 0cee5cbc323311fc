"""The accounts worker: `python -m intervu_accounts.worker` (outbox relay + event consumers)."""

from intervu_kit.worker import main

from intervu_accounts.config import get_settings
from intervu_accounts.models import events

if __name__ == "__main__":
    main(get_settings(), events)
