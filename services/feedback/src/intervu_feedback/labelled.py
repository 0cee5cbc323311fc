"""The labelled sets feedback is measured on, and the measures (used by `make bench` and the tests).

Each set lives in ``services/feedback/labelled/`` as JSON and is split into a ``tune`` half (thresholds, cue lists
and example sentences were chosen looking at it) and a ``heldout`` half that nothing was chosen on: the bench prints
both side by side, so overfitting shows as a gap. How each set was made is in ``labelled/README.md``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from intervu_nlp import SentenceEncoder

from intervu_feedback.analysis import star as star_analysis
from intervu_feedback.analysis.evidence import Word

LABELLED = Path(__file__).resolve().parents[2] / "labelled"
SPLITS = ("tune", "heldout")


@cache
def load(name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads((LABELLED / f"{name}.json").read_text())
    return items


def split(name: str, part: str) -> list[dict[str, Any]]:
    return [item for item in load(name) if item["split"] == part]


def words_of(text: str) -> list[Word]:
    """A typed answer's words, as the feedback service makes them (split on white space)."""
    return [Word(t) for t in text.split()]


def word_range(text: str, span: str) -> set[int]:
    """The indexes of the words (white-space split) that a labelled substring touches."""
    start = text.index(span)
    end = start + len(span)
    out: set[int] = set()
    position = 0
    for k, token in enumerate(text.split()):
        position = text.index(token, position)
        if position < end and position + len(token) > start:
            out.add(k)
        position += len(token)
    return out


@dataclass
class StarFigures:
    answers: int
    parts_right: float  # share of (answer, part) judged right: absent when absent, else the quote mostly inside
    reported_inside: float  # of the parts reported, the share whose quote overlaps the right words
    stories_right: float  # story / no story told apart
    no_story_credit: int  # answers without a story that still got some part

    def line(self) -> str:
        return (
            f"{self.answers} answers: parts right {self.parts_right:.0%}, "
            f"reported parts on the right words {self.reported_inside:.0%}, "
            f"story/no story {self.stories_right:.0%}, non-stories given parts {self.no_story_credit}"
        )


def star_figures(encoder: SentenceEncoder, items: Sequence[dict[str, Any]]) -> StarFigures:
    right = reported = inside = stories = credit = 0
    for item in items:
        text = item["text"]
        located = star_analysis.locate(encoder, words_of(text))
        stories += located.story == item["story"]
        if not item["story"] and any(located.parts.values()):
            credit += 1
        for part in star_analysis.PARTS:
            gold: set[int] = set()
            for span in item["parts"].get(part) or []:
                gold |= word_range(text, span)
            evidence = located.parts[part]
            predicted = set(range(evidence.first, evidence.last + 1)) if evidence else set()
            if predicted:
                reported += 1
                inside += bool(predicted & gold)
            # Right: absent where it is absent, or a quote mostly inside the right words.
            right += (not gold and not predicted) or bool(
                gold and len(predicted & gold) >= 0.5 * max(1, len(predicted))
            )
    n = max(1, len(items))
    return StarFigures(
        answers=len(items),
        parts_right=right / (4 * n),
        reported_inside=inside / max(1, reported),
        stories_right=stories / n,
        no_story_credit=credit,
    )


# The labelled videos: real photographs (public domain: see services/feedback/labelled/README.md, and
# scikit-image's astronaut and cameraman) composed into webcam-like 640 x 480 answers with known face positions.
# Generated from a fixed seed, so every run measures the same pictures. Tune: astronaut, Obama; held out: Macron,
# Ardern and the cameraman (a head turned about 40 degrees: the only one not facing the camera).
FACE_BOXES = {  # x, y, width, height of the face in each photograph
    "astronaut": (178, 63, 90, 114),
    "obama": (222, 157, 238, 344),
    "macron": (212, 162, 295, 408),
    "ardern": (199, 125, 277, 385),
    "cameraman": (195, 113, 61, 82),
}
VIDEO_FPS = 10
VIDEO_SECONDS = 12
MEASURE_FPS = 4.0


@dataclass(frozen=True)
class VideoCase:
    name: str
    split: str
    person: str
    face_px: int  # face width in the 640 x 480 frame
    x: float  # face centre, as a share of the frame's width and height
    y: float
    light: float = 1.0  # brightness factor
    exit_s: tuple[float, float] | None = None  # the person leaves the picture (sideways) between these seconds
    sway: float = 0.03  # how far the head drifts (share of the width)

    @property
    def facing(self) -> bool:
        return self.person != "cameraman"


def video_cases() -> list[VideoCase]:
    cases: list[VideoCase] = []
    people = {"tune": ("astronaut", "obama"), "heldout": ("macron", "ardern", "cameraman")}
    for split_name, persons in people.items():
        for k, person in enumerate(persons):
            for face_px, x, y in ((30, 0.5, 0.45), (40, 0.3, 0.4), (65, 0.5, 0.42), (100, 0.65, 0.5), (160, 0.5, 0.45),
                                  (300, 0.5, 0.5)):  # fmt: skip
                cases.append(VideoCase(f"{person}-{face_px}px", split_name, person, face_px, x, y))
            cases.append(VideoCase(f"{person}-dim", split_name, person, 70, 0.45, 0.45, light=0.3 + 0.05 * k))
            cases.append(VideoCase(f"{person}-leaves", split_name, person, 80, 0.5, 0.45, exit_s=(4.0, 8.0)))
            cases.append(VideoCase(f"{person}-corner", split_name, person, 55, 0.15, 0.25, sway=0.01))
    return cases


def _photo(person: str) -> Any:
    import numpy as np
    from PIL import Image

    if person in ("astronaut", "cameraman"):
        from skimage import data

        array = data.astronaut() if person == "astronaut" else data.camera()  # type: ignore[no-untyped-call]
        if array.ndim == 2:
            array = np.stack([array] * 3, axis=-1)
        return Image.fromarray(array)
    return Image.open(LABELLED / "faces" / f"{person}.jpg").convert("RGB")


def _inside(case: VideoCase, t: float) -> tuple[float, float, float]:
    """The face centre (pixels) at time t and the share of the face inside the frame."""
    import math

    cx = case.x * 640 + case.sway * 640 * math.sin(t * 1.3)
    cy = case.y * 480 + case.sway * 320 * math.sin(t * 0.7 + 1)
    if case.exit_s is not None:
        a, b = case.exit_s
        # Walks out to the right over half a second, stays out, walks back.
        out = min(1.0, max(0.0, (t - a) / 0.5)) - min(1.0, max(0.0, (t - b + 0.5) / 0.5))
        cx += out * (640 - cx + case.face_px * 1.5)
    half = case.face_px / 2
    visible_w = max(0.0, min(640, cx + half) - max(0, cx - half)) / case.face_px
    return cx, cy, visible_w


def truth(case: VideoCase, t: float) -> bool | None:
    """Is the face in the picture at t? None while it is half in (either answer is fair)."""
    share = _inside(case, t)[2]
    return True if share >= 0.9 else False if share <= 0.3 else None


def render_video(case: VideoCase, out: Path) -> Path:
    """The case as a VP9 WebM (what browsers record), deterministic for a given case."""
    import subprocess

    import numpy as np
    from PIL import Image, ImageEnhance

    rng = np.random.default_rng(sum(map(ord, case.name)))  # a fixed seed per case
    photo = _photo(case.person)
    fx, fy, fw, fh = FACE_BOXES[case.person]
    scale = case.face_px / fw
    # Head and shoulders: the photograph around the face, scaled so the face has the wanted width.
    left, top = max(0, fx - fw), max(0, fy - int(fh * 0.8))
    right, bottom = min(photo.width, fx + 2 * fw), min(photo.height, fy + int(fh * 2.2))
    head = photo.crop((left, top, right, bottom))
    head = head.resize(
        (max(1, round(head.width * scale)), max(1, round(head.height * scale))), Image.Resampling.LANCZOS
    )
    face_offset = ((fx - left + fw / 2) * scale, (fy - top + fh / 2) * scale)
    # A plain room: a wall with a gradient, a shelf, sensor noise.
    wall = np.zeros((480, 640, 3), np.float32)
    wall[:] = np.linspace(150, 110, 640)[None, :, None] * np.array([1.0, 0.95, 0.85])
    wall[300:320, 40:260] = (90, 70, 50)
    ffmpeg = subprocess.Popen(
        ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "640x480", "-r",
         str(VIDEO_FPS), "-i", "-", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "600k",
         str(out)],
        stdin=subprocess.PIPE,
    )  # fmt: skip
    assert ffmpeg.stdin is not None
    for n in range(VIDEO_FPS * VIDEO_SECONDS):
        t = n / VIDEO_FPS
        cx, cy, _ = _inside(case, t)
        frame = Image.fromarray(np.clip(wall + rng.normal(0, 4, wall.shape), 0, 255).astype(np.uint8))
        frame.paste(head, (round(cx - face_offset[0]), round(cy - face_offset[1])))
        if case.light != 1.0:
            frame = ImageEnhance.Brightness(frame).enhance(case.light)
        ffmpeg.stdin.write(frame.tobytes())
    ffmpeg.stdin.close()
    if ffmpeg.wait(timeout=300) != 0:
        raise RuntimeError(f"ffmpeg failed for {case.name}")
    return out


@dataclass
class VideoFigures:
    videos: int
    worst_error: float  # |face visible share measured - true share| over the video's sampled frames
    mean_error: float
    facing_right: float  # frames with a face where "facing the camera" was judged right

    def line(self) -> str:
        return (
            f"{self.videos} videos, face visible: worst error {self.worst_error:.3f}, "
            f"mean {self.mean_error:.3f} per video "
            f"(target <= 0.05); facing the camera judged right in {self.facing_right:.0%} of face frames"
        )


def video_figures(cases: Sequence[VideoCase], folder: Path) -> tuple[VideoFigures, dict[str, float]]:
    from intervu_feedback.analysis import video

    errors: dict[str, float] = {}
    facing_right = facing_total = 0
    for case in cases:
        path = folder / f"{case.name}.webm"
        if not path.exists():
            render_video(case, path)
        # Denser than an answer's own sampling, so one frame is 1/48 of the figure, not 1/12.
        found, _, _ = video.detect(path, VIDEO_SECONDS, fps=MEASURE_FPS)
        judged = [(t, face) for k, face in enumerate(found) if (t := truth(case, k / MEASURE_FPS)) is not None]
        true_share = sum(t for t, _ in judged) / len(judged)
        seen_share = sum(face is not None for _, face in judged) / len(judged)
        errors[case.name] = abs(true_share - seen_share)
        for t, face in judged:
            if t and face is not None:
                facing_total += 1
                facing_right += (abs(face.yaw) <= video.FACING_YAW) == case.facing
    values = list(errors.values())
    return (
        VideoFigures(len(cases), max(values), sum(values) / len(values), facing_right / max(1, facing_total)),
        errors,
    )


@dataclass
class RelevanceFigures:
    answers: int
    mean_score: dict[str, float]  # relevance score (0-100) per label
    complete_above_partial: float  # pairs of one question's complete and partial answers ordered right
    band_right: float  # off_topic / partial / on_topic band matches the label (generic counts as off topic)
    points_right: float  # key points judged covered or not as the labeller did

    def line(self) -> str:
        means = ", ".join(f"{label} {value:.0f}" for label, value in self.mean_score.items())
        return (
            f"{self.answers} answers, relevance by label: {means}; "
            f"complete above partial {self.complete_above_partial:.0%}; "
            f"band right {self.band_right:.0%}; key points judged right {self.points_right:.0%}"
        )


LABEL_BANDS = {"complete": "on_topic", "partial": "partial", "generic": "off_topic", "off_topic": "off_topic"}


def relevance_figures(encoder: SentenceEncoder, items: Sequence[dict[str, Any]]) -> RelevanceFigures:
    from intervu_feedback.analysis import content

    scores: dict[str, list[float]] = {label: [] for label in LABEL_BANDS}
    by_question: dict[str, dict[str, float]] = {}
    bands = points = points_right = 0
    for item in items:
        result = content.analyse(
            encoder, item["question"], item["question_type"], item["key_points"], words_of(item["answer"]), 120, None
        )
        value = content.relevance_score(result.relevance)
        scores[item["label"]].append(value)
        by_question.setdefault(item["question_key"], {})[item["label"]] = value
        bands += result.relevance_band == LABEL_BANDS[item["label"]]
        for k, point in enumerate(result.key_points):
            points += 1
            points_right += point.covered == (k in item["covered"])
    pairs = [q["complete"] > q["partial"] for q in by_question.values() if {"complete", "partial"} <= set(q)]
    return RelevanceFigures(
        answers=len(items),
        mean_score={label: sum(v) / len(v) for label, v in scores.items() if v},
        complete_above_partial=sum(pairs) / max(1, len(pairs)),
        band_right=bands / max(1, len(items)),
        points_right=points_right / max(1, points),
    )


def contradictions(encoder: SentenceEncoder, items: Sequence[dict[str, Any]]) -> int:
    """Remarks about structure that the labelled answer contradicts: "no result" while quoting the result, or
    numbers said to back a result that are not inside it."""
    from intervu_feedback.analysis import content

    count = 0
    for item in items:
        text = item["text"]
        result = content.analyse(encoder, item["question"], "behavioral", [], words_of(text), 120, None)
        gold = {part: set().union(*(word_range(text, s) for s in item["parts"].get(part) or [])) for part in
                star_analysis.PARTS}  # fmt: skip
        for remark in result.remarks:
            quoted = {i for e in remark.evidence for i in range(e.first, e.last + 1)}
            if remark.code == "star_incomplete":
                absent = [p for p in star_analysis.PARTS if result.star and result.star[p] is None]
                count += any(quoted & gold[p] and len(quoted & gold[p]) >= 0.5 * len(gold[p]) for p in absent)
            if remark.code == "quantified":
                count += not quoted <= gold["result"]
    return count


@dataclass
class FollowUpFigures:
    answers: int
    right: int  # the gap probed first is the labelled one (None: no follow-up)
    wrong: list[str]  # "id: labelled -> chosen"

    def line(self) -> str:
        return f"{self.answers} answers, right probe chosen {self.right / max(1, self.answers):.0%}"


def typed_report(encoder: SentenceEncoder, text: str, question: dict[str, Any]) -> dict[str, Any]:
    """The report the feedback service makes of a typed answer to this question (the follow-up decision's input)."""
    from intervu_feedback.analysis.report import Report
    from intervu_feedback.answers.service import analyse_inputs
    from intervu_feedback.models import AnswerInput

    report: Report = analyse_inputs(encoder, AnswerInput(kind="text", text=text, question=question), None, None)
    return report.as_json()


def follow_up_figures(encoder: SentenceEncoder, items: Sequence[dict[str, Any]]) -> FollowUpFigures:
    """The neutral interviewer's first follow-up on each labelled answer, against the gap a reader would probe."""
    from intervu_feedback.interviewer.probe import decide

    right, wrong = 0, []
    for item in items:
        chosen = decide(typed_report(encoder, item["text"], item["question"]), item["question"], "neutral")
        gap = chosen.gap if chosen else None
        right += gap == item["gap"]
        if gap != item["gap"]:
            wrong.append(f"{item['id']}: {item['gap']} -> {gap}")
    return FollowUpFigures(len(items), right, wrong)
