"""`make bench` figures for interviews: reading a pasted job posting (its role, its skills, the questions chosen),
on the labelled postings' tune and held-out halves side by side."""

from __future__ import annotations

import sys

from intervu_interviews import labelled


async def run() -> list[str]:
    print("      reading the labelled job postings", file=sys.stderr)
    lines = ["job postings read (services/interviews/labelled/postings.json; tune | held out):"]
    for part in ("tune", "heldout"):
        figures = labelled.posting_figures(labelled.split(part))
        lines.append(f"  {part}: {figures.line()}")
        lines += [f"    missed: {miss}" for miss in figures.misses]
    return lines
