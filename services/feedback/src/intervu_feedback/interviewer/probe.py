"""The interviewer's follow-up decision, offline: what to probe after an answer, and why (a pure core).

It reads the answer's analysis (the report the feedback service computes anyway: STAR parts, key points, relevance
band, quantified results, length) plus the words themselves, and proposes the gap a real interviewer would probe
first. Every follow-up says why (``reason``) and where in the answer it comes from (``evidence``, a word range).

Order of the gaps, most important first (an interviewer asks about the biggest hole, not every hole): clearly off
topic > "we" without "I" (who did what hides the rest) > no story at all > a missing STAR part (result, action,
then the context: situation, task) > a result with no measure > key points mostly missing (questions that ask for
no story) > too long > for technical answers, one level deeper. STAR parts are probed on behavioural questions
only: "what would you do" questions ask for no outcome. The persona sets how hard it probes: the friendly one asks
only about big gaps (off topic, no story, no result or action, "we" only); the neutral one also about a story with
no context, an unmeasured result, key points, length and depth; the tough one about every gap, in sharper words.
docs/RUBRIC.md lists the rules; ``make bench`` measures the choice on services/feedback/labelled/follow_ups.json
(tune and held-out halves).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from intervu_contracts import InterviewerStyle

from intervu_feedback.analysis.content import CLEARLY_OFF_TOPIC_BELOW

Style = InterviewerStyle
# An answer to a follow-up is probed further only for these (its question is one short sentence: relevance to it
# says little, and STAR belongs to the main answer).
AFTER_FOLLOW_UP = frozenset({"own_part", "concise", "depth"})
STAR_TYPES = frozenset({"behavioral"})
DEPTH_TYPES = frozenset({"technical", "role-specific"})
# A probe kind and the gaps each persona asks about.
BIG_GAPS = ("off_topic", "story", "result", "action", "own_part")
ALL_GAPS = (*BIG_GAPS, "situation", "task", "measure", "key_point", "concise", "depth")
PROBED: dict[Style, frozenset[str]] = {
    "friendly": frozenset(BIG_GAPS),
    "neutral": frozenset(ALL_GAPS) - {"task"},
    "tough": frozenset(ALL_GAPS),
}
# Key points are probed when most are missing (their coverage is a noisy judgement: one missed point is often there
# in other words).
KEY_POINTS_PROBED_BELOW = 0.5
# "We" with hardly an "I": the person hides their own part behind the team's (counted over the whole answer).
WE_AT_LEAST = 3
_WE = frozenset({"we", "we're", "we've", "we'd", "we'll", "our", "ours", "us"})
_I = frozenset({"i", "i'm", "i've", "i'd", "i'll", "my", "me", "myself"})
# "I think", "I mean", "I guess" are hedges and fillers, not the person's own action.
_HEDGES = frozenset({"think", "mean", "guess", "suppose", "believe", "know", "feel"})
CONCISE_ABOVE = 1.5  # answer length / suggested length

TEXTS: dict[str, dict[Style, str]] = {
    "off_topic": {
        "friendly": "Let's come back to the question for a moment: {question}",
        "neutral": "I'd like to come back to the question: {question}",
        "tough": "That doesn't answer what I asked. {question}",
    },
    "story": {
        "friendly": "Could you tell me about one specific time that happened?",
        "neutral": "Can you give me one specific example, a real time you did this?",
        "tough": "I need a concrete example. When exactly did you do this, and what happened?",
    },
    "result": {
        "friendly": "What happened in the end?",
        "neutral": "What happened in the end? What was the result?",
        "tough": "And the outcome? What changed because of what you did?",
    },
    "action": {
        "friendly": "What did you do about it yourself?",
        "neutral": "What did you actually do, step by step?",
        "tough": "What exactly did you do? Walk me through your actions.",
    },
    "situation": {
        "friendly": "Could you set the scene a little: where were you, and what was going on?",
        "neutral": "Can you set the scene: where was this, and what was at stake?",
        "tough": "Give me the context first: where was this, and what was at stake?",
    },
    "task": {
        "friendly": "What were you responsible for in that situation?",
        "neutral": "What was your responsibility there? What did you have to achieve?",
        "tough": "What exactly was your job in that situation?",
    },
    "own_part": {
        "friendly": "What was your own part in that?",
        "neutral": "You said 'we' a lot. What was your own part?",
        "tough": "You keep saying 'we'. What did you do, not the team?",
    },
    "measure": {
        "friendly": "How did you know it worked?",
        "neutral": "How did you measure that? What changed, in numbers?",
        "tough": "How do you know it worked? Give me a number.",
    },
    "key_point": {
        "friendly": "Could you say a little about {point}?",
        "neutral": "Could you say more about {point}?",
        "tough": "You didn't cover {point}. How would you handle that?",
    },
    "concise": {
        "friendly": "If you had to sum that up in two sentences, what was the key decision?",
        "neutral": "In two sentences, what was the key decision?",
        "tough": "That was long. In two sentences: what was the key decision?",
    },
    "depth_scale": {
        "friendly": "How would that work if the load grew ten times?",
        "neutral": "How would that hold up at ten times the traffic or data?",
        "tough": "Now make it ten times bigger. What breaks first, and what do you change?",
    },
    "depth_failure": {
        "friendly": "What would happen if part of that failed?",
        "neutral": "What happens when part of that fails? How would you notice and recover?",
        "tough": "It fails in production at 3 a.m. How do you find out, and what do you do?",
    },
    "depth_trade_off": {
        "friendly": "What trade-offs did you weigh there?",
        "neutral": "What trade-off did you make there, and what did you give up?",
        "tough": "What's the downside of that approach? What did you give up, and why was it worth it?",
    },
}
REASONS = {
    "off_topic": "The answer seems to be about something else than the question.",
    "story": "The question asks for a real example and the answer tells none.",
    "result": "The story has no result: how it ended is missing.",
    "action": "The story has no action: what you did is missing.",
    "situation": "The story has no context: neither where it happened nor what you had to achieve.",
    "task": "The story has no task: what you had to achieve is missing.",
    "own_part": "The answer says 'we' {we} times and 'I' {i} times: your own part is unclear.",
    "measure": "The result has no number or measure.",
    "key_point": "A key point of the question is not covered: {point}.",
    "concise": "The answer is {ratio:.0%} of the suggested time: can you get to the point?",
    "depth": "A technical answer: one level deeper ({aspect}).",
}
_DEPTH = ("depth_scale", "depth_failure", "depth_trade_off")
_ASPECT = {"depth_scale": "scale", "depth_failure": "failure", "depth_trade_off": "trade-off"}
_PRONOUNS = {"they": "you", "their": "your", "them": "you", "themselves": "yourself", "theirs": "yours"}
_STAR_POINT = re.compile(r"^(situation|task|action|result)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class FollowUp:
    probe: str  # a kind of TEXTS ("result", "own_part", "depth_scale", ...)
    text: str  # what the interviewer asks
    reason: str  # why, in words a person understands
    first: int  # the words it comes from (indexes into the answer's words; -1 when the answer has none)
    last: int
    quote: str

    @property
    def gap(self) -> str:
        """The probe's family (the three depth probes are one gap)."""
        return "depth" if self.probe in _DEPTH else self.probe

    def as_json(self) -> dict[str, Any]:
        return {
            "probe": self.probe, "gap": self.gap, "text": self.text, "reason": self.reason,
            "evidence": {"first": self.first, "last": self.last, "text": self.quote},
        }  # fmt: skip


@dataclass(frozen=True)
class Gap:
    kind: str
    reason: str
    first: int
    last: int
    point: str = ""


def _token(text: str) -> str:
    return text.lower().strip(".,;:!?\"'()").replace("\u2019", "'")


def own_part(words: Sequence[str]) -> tuple[int, int, list[int]]:
    """Counts of "we" and of "I" (hedges like "I think" left out), and where the "we"s are."""
    tokens = [_token(w) for w in words]
    we = [k for k, t in enumerate(tokens) if t in _WE]
    mine = [k for k, t in enumerate(tokens) if t in _I and not (k + 1 < len(tokens) and tokens[k + 1] in _HEDGES)]
    return len(we), len(mine), we


def point_phrase(point: str) -> str:
    """A key point as the interviewer says it: "How they tested it before relying on it" -> "how you tested it
    before relying on it" (examples after "such as" cut, third person turned to "you")."""
    text = re.split(r",?\s+(?:such as|e\.g\.|for example)\b", point, maxsplit=1)[0].strip().rstrip(".")
    out = [_PRONOUNS.get(w.lower(), w) for w in text.split()]
    if out and not (len(out[0]) > 1 and out[0].isupper()):  # "SQL" stays as written
        out[0] = out[0][0].lower() + out[0][1:]
    return " ".join(out)


def _span(e: dict[str, Any] | None) -> tuple[int, int] | None:
    if not e or e.get("first", -1) < 0:
        return None
    return int(e["first"]), int(e["last"])


def gaps(report: dict[str, Any], question: dict[str, Any]) -> list[Gap]:
    """Every gap worth a follow-up, most important first."""
    words = [w["text"] for w in report.get("words", [])]
    if not words:
        return []
    whole = (0, len(words) - 1)
    content = report.get("content") or {}
    kind = str(question.get("type", ""))
    out: list[Gap] = []
    if content.get("relevance_judged", True) and float(content.get("relevance", 1.0)) < CLEARLY_OFF_TOPIC_BELOW:
        out.append(Gap("off_topic", REASONS["off_topic"], *whole))
    star = content.get("star")
    # "We" with hardly an "I" first: who did what is the question, and a story told as "we" hides its own action.
    we, mine, where = own_part(words)
    if we >= WE_AT_LEAST and mine <= we // 4:
        out.append(Gap("own_part", REASONS["own_part"].format(we=we, i=mine), where[0], where[-1]))
    if kind in STAR_TYPES and star is not None:
        if content.get("story") is False:
            out.append(Gap("story", REASONS["story"], *whole))
        else:
            found = [s for s in (_span(e) for e in star.values()) if s]
            told = (min(a for a, _ in found), max(b for _, b in found)) if found else whole
            for part in ("result", "action"):
                if star.get(part) is None:
                    # Where it was looked for: the end of the story for a result, the story itself for an action.
                    span = (max(told[0], told[1] - 25), told[1]) if part == "result" else told
                    out.append(Gap(part, REASONS[part], *span))
            # The context: a story with neither situation nor task has none ("set the scene"); a missing task alone
            # is a smaller gap (the tough interviewer asks it).
            if star.get("situation") is None and star.get("task") is None:
                out.append(Gap("situation", REASONS["situation"], *told))
            elif star.get("task") is None:
                out.append(Gap("task", REASONS["task"], *told))
    if kind in STAR_TYPES and star is not None and star.get("result") is not None and not content.get("quantified"):
        span = _span(star["result"]) or whole
        out.append(Gap("measure", REASONS["measure"], *span))
    points = [p for p in content.get("key_points", []) if not _STAR_POINT.match(p.get("point", ""))]
    missing = [p for p in points if not p.get("covered")]
    if kind not in STAR_TYPES and missing and len(missing) / len(points) > 1 - KEY_POINTS_PROBED_BELOW:
        # One key point at a time: the first the answer missed, in the question's own order.
        point = missing[0]["point"]
        out.append(Gap("key_point", REASONS["key_point"].format(point=point), *whole, point))
    ratio = content.get("length_ratio")
    if ratio is not None and ratio > CONCISE_ABOVE:
        out.append(Gap("concise", REASONS["concise"].format(ratio=ratio), *whole))
    if kind in DEPTH_TYPES:
        out.append(Gap("depth", "", *whole))
    return out


def decide(
    report: dict[str, Any],
    question: dict[str, Any],
    style: Style = "neutral",
    *,
    asked: Sequence[str] = (),
    asked_probes: Sequence[str] = (),
    after_follow_up: bool = False,
) -> FollowUp | None:
    """The follow-up to ask after this answer, or None (nothing this persona probes, or all of it asked already).

    ``asked``: what the interviewer already asked in this session (never asked twice); ``asked_probes``: the probe
    kinds already used on this main question (a thread probes each gap once); ``after_follow_up``: this answers a
    follow-up (``question`` then carries the main question's type)."""
    words = [w["text"] for w in report.get("words", [])]
    said = {_norm(a) for a in asked}
    for gap in gaps(report, question):
        if gap.kind not in PROBED[style] or gap.kind in asked_probes:
            continue
        if after_follow_up and gap.kind not in AFTER_FOLLOW_UP:
            continue
        if gap.kind == "depth":
            # One level deeper, an aspect not probed yet: chosen from the answer so a session varies.
            start = zlib.crc32(" ".join(words).encode()) % len(_DEPTH)
            options = [_DEPTH[(start + k) % len(_DEPTH)] for k in range(len(_DEPTH))]
            probes = [(p, REASONS["depth"].format(aspect=_ASPECT[p])) for p in options if p not in asked_probes]
        else:
            probes = [(gap.kind, gap.reason)]
        for probe, reason in probes:
            text = TEXTS[probe][style].format(question=question.get("text", ""), point=point_phrase(gap.point))
            if _norm(text) in said:
                continue
            quote = " ".join(words[gap.first : gap.last + 1])
            return FollowUp(probe, text, reason, gap.first, gap.last, quote)
    return None


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower()).split())
