"""From metrics to scores: each 0-100, weighted into an overall score, each with the evidence behind it.

docs/RUBRIC.md publishes these formulas; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from intervu_feedback.analysis.content import RELEVANCE_FULL, RELEVANCE_ZERO, Content, relevance_score
from intervu_feedback.analysis.delivery import LONG_PAUSE_S, Delivery
from intervu_feedback.analysis.evidence import Evidence, Remark, Score, clamp_score, linear, to_json, unique
from intervu_feedback.analysis.video import Video
from intervu_feedback.analysis.voice import MONOTONE_ST, Voice

WHOLE_ANSWER = "(the whole answer)"


@dataclass
class Report:
    source: str
    words: list[dict[str, Any]]
    filler_indexes: list[int]
    delivery: Delivery
    content: Content
    voice: Voice | None = None
    video: Video | None = None
    scores: list[Score] = field(default_factory=list)
    overall: int = 0

    @property
    def remarks(self) -> list[Remark]:
        out = list(self.content.remarks) + list(self.delivery.remarks)
        out += self.voice.remarks if self.voice else []
        out += self.video.remarks if self.video else []
        for remark in out:
            remark.evidence = unique(remark.evidence)
            if not remark.evidence and self.words:
                remark.evidence = [self.whole()]
        return out

    def whole(self) -> Evidence:
        """Evidence for what the whole answer caused (its pace, its length, a key point it never reaches)."""
        return Evidence(
            first=0,
            last=len(self.words) - 1,
            text=WHOLE_ANSWER,
            start_s=self.words[0]["start"],
            end_s=self.words[-1]["end"],
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "overall": self.overall,
            "scores": to_json(self.scores),
            "remarks": to_json(self.remarks),
            "words": self.words,
            "filler_indexes": self.filler_indexes,
            "delivery": {
                k: to_json(v) for k, v in vars(self.delivery).items() if k not in ("remarks", "filler_indexes")
            },
            "content": {k: to_json(v) for k, v in vars(self.content).items() if k != "remarks"}
            | {"star": {k: to_json(v) for k, v in self.content.star.items()} if self.content.star else None},
            "voice": {k: to_json(v) for k, v in vars(self.voice).items() if k != "remarks"} if self.voice else None,
            "video": {k: to_json(v) for k, v in vars(self.video).items() if k != "remarks"} if self.video else None,
        }


def score(report: Report) -> None:
    c, d = report.content, report.delivery
    s = report.scores
    if c.relevance_judged:
        s.append(
            Score(
                "relevance",
                "Relevance",
                clamp_score(relevance_score(c.relevance)),
                2.0,
                f"Similarity in meaning to the question and what a good answer covers: {c.relevance:.2f} "
                f"({RELEVANCE_ZERO:.2f} scores 0, {RELEVANCE_FULL:.2f} scores 100).",
            )
        )
    if c.key_points:
        covered = [k for k in c.key_points if k.covered]
        s.append(
            Score(
                "coverage",
                "Key points",
                clamp_score(100 * len(covered) / len(c.key_points)),
                2.0,
                f"{len(covered)} of {len(c.key_points)} key points covered.",
                [k.evidence for k in covered if k.evidence],
            )
        )
    if c.star is not None:
        present = [e for e in c.star.values() if e is not None]
        s.append(
            Score(
                "structure",
                "STAR structure",
                clamp_score(25 * len(present)),
                1.5,
                "25 points for each of situation, task, action and result found."
                if c.story is not False
                else "No story told: structure is scored on a real example (situation, task, action, result).",
                present,
            )
        )
        s.append(
            Score(
                "quantified",
                "Quantified result",
                100 if c.quantified else 30,
                0.5,
                "A number on the outcome makes a result credible.",
                c.quantified,
            )
        )
    if c.length_ratio is not None:
        r = c.length_ratio
        value = 100 if 0.5 <= r <= 1.25 else linear(r, 0.1, 0.5) if r < 0.5 else linear(r, 2.5, 1.25)
        s.append(
            Score(
                "length",
                "Length",
                clamp_score(value),
                1.0,
                f"{r:.0%} of the suggested time (50-125% scores 100).",
            )
        )
    if d.wpm_speaking is not None:
        w = d.wpm_speaking
        value = 100 if 120 <= w <= 170 else linear(w, 70, 120) if w < 120 else linear(w, 230, 170)
        s.append(
            Score(
                "pace",
                "Pace",
                clamp_score(value),
                1.0,
                f"{w:.0f} words per minute while speaking (120-170 scores 100).",
            )
        )
    per_min = d.fillers_per_minute if d.fillers_per_minute is not None else d.fillers_per_100_words
    unit = "per minute" if d.fillers_per_minute is not None else "per 100 words"
    s.append(
        Score(
            "fillers",
            "Filler words",
            clamp_score(100 - max(0.0, per_min - 2) * 12.5),
            1.0,
            f"{len(d.fillers)} filler(s), {per_min:.1f} {unit} (2 or fewer scores 100; each more costs 12.5).",
            d.fillers,
        )
    )
    if d.duration_s is not None:
        long = [p for p in d.pauses if (p.end_s or 0) - (p.start_s or 0) >= LONG_PAUSE_S]
        s.append(
            Score(
                "pauses",
                "Pauses",
                clamp_score(100 - 20 * len(long)),
                0.5,
                f"{len(d.pauses)} pause(s) of 0.8 s or more, {len(long)} of {LONG_PAUSE_S:.0f} s or more "
                "(each costs 20); the longest {0:.1f} s.".format(d.longest_pause_s),
                long or d.pauses,
            )
        )
    if report.voice is not None and report.voice.pitch_spread_st is not None:
        v = report.voice.pitch_spread_st
        s.append(
            Score(
                "intonation",
                "Intonation",
                clamp_score(linear(v, 0.5, MONOTONE_ST + 1)),
                0.5,
                f"Pitch spread {v:.1f} semitones (below {MONOTONE_ST:.0f} sounds monotone; 3 or more scores 100).",
            )
        )
    if report.video is not None:
        vid = report.video
        s.append(
            Score(
                "presence",
                "On camera",
                clamp_score(100 * (0.5 * vid.face_visible + 0.3 * vid.looking_at_camera + 0.2 * vid.centred)),
                0.5,
                f"Face visible {vid.face_visible:.0%}, facing the camera {vid.looking_at_camera:.0%} (estimate), "
                f"centred {vid.centred:.0%}.",
                vid.absent,
            )
        )
    for item in s:
        item.evidence = unique(item.evidence)
        if not item.evidence and report.words:
            item.evidence = [report.whole()]
    total_weight = sum(x.weight for x in s)
    report.overall = clamp_score(sum(x.value * x.weight for x in s) / total_weight) if total_weight else 0
