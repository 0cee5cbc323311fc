"""The interviewer's movement over time: blinks, small head motion, a nod as each sentence starts.

People who sit perfectly still look like photographs; people who move a lot look nervous. The figures here keep
a calm interviewer: a blink every 2.5-5.5 s (adults blink ~15 times a minute, less while talking), head drift of
a degree or two, a slight nod at sentence starts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from intervu_avatar.personas import Style
from intervu_avatar.speech import Cue

BLINK_S = 0.16


@dataclass(frozen=True)
class Pose:
    mouth: float
    blink: float
    yaw: float
    pitch: float
    roll: float
    smile: float


def _rng(seed_text: str) -> np.random.Generator:
    # Deterministic per clip: rendering the same words again gives the same video (and the same bytes' worth).
    return np.random.default_rng(int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:8], "big"))


def _blinks(duration: float, rng: np.random.Generator) -> list[float]:
    times, t = [], float(rng.uniform(0.6, 2.0))
    while t < duration - BLINK_S:
        times.append(t)
        t += float(rng.uniform(2.5, 5.5))
    return times


def _blink_at(t: float, starts: list[float]) -> float:
    for s in starts:
        if s <= t < s + BLINK_S:
            phase = (t - s) / BLINK_S
            # Lids close faster than they open.
            return float(min(phase / 0.4, 1.0) if phase < 0.4 else max(1.0 - (phase - 0.4) / 0.6, 0.0))
    return 0.0


def poses(mouth: np.ndarray, fps: int, cues: list[Cue], style: Style, seed: str) -> Iterator[Pose]:
    """One pose per frame, as many frames as ``mouth`` has."""
    rng = _rng(seed)
    duration = len(mouth) / fps
    blinks = _blinks(duration, rng)
    # Slow head drift: a few incommensurate sines, so the motion never visibly loops.
    freqs = rng.uniform(0.05, 0.35, size=(3, 3))
    phases = rng.uniform(0, 2 * np.pi, size=(3, 3))
    amps = np.array([1.6, 0.9, 0.6]) * (0.7 if style == "tough" else 1.0)
    rest_smile = {"friendly": 0.45, "neutral": 0.2, "tough": 0.0}[style]
    nods = [c.start for c in cues]
    for i, m in enumerate(mouth):
        t = i / fps
        drift = [float(np.sum(np.sin(2 * np.pi * freqs[k] * t + phases[k])) / 3 * amps[k]) for k in range(3)]
        nod = sum(1.4 * np.exp(-(((t - s) - 0.15) ** 2) / 0.02) for s in nods if -0.3 < t - s < 0.8)
        speaking = any(c.start - 0.1 <= t <= c.end + 0.1 for c in cues)
        yield Pose(
            mouth=float(m),
            blink=_blink_at(t, blinks),
            yaw=drift[0],
            pitch=drift[1] + float(nod),
            roll=drift[2],
            smile=rest_smile * (0.5 if speaking else 1.0),
        )
