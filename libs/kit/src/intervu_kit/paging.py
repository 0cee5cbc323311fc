"""Paging parameters every list endpoint shares, bounded so that PostgreSQL never sees an out-of-range integer.

An unbounded ``offset`` of 10^20 used to reach asyncpg as a bigint overflow and come back as a 500. No person has a
million of anything here, so past that bound the request is a 422 like any other invalid parameter.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

MAX_OFFSET = 1_000_000
MAX_PAGE = 100_000

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="page number, from 1")]
