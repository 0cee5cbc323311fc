"""`python -m intervu_interviews.questions.load`: load the shipped question bank (idempotent)."""

from __future__ import annotations

import asyncio

from intervu_kit.db import Database

from intervu_interviews.config import Settings, get_settings
from intervu_interviews.questions.service import load_bank


async def load(settings: Settings) -> dict[str, int]:
    db = Database(settings.sqlalchemy_url, pool_size=1)
    try:
        async with db.transaction() as session:
            return await load_bank(session)
    finally:
        await db.dispose()


def main() -> None:
    stats = asyncio.run(load(get_settings()))
    print("question bank: " + ", ".join(f"{v} {k}" for k, v in stats.items()))


if __name__ == "__main__":
    main()
