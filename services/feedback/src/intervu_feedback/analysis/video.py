"""Video: is the face in the picture, roughly facing the camera, and well framed? From sampled frames.

Frames are sampled by ffmpeg (one every two seconds, at least 12 per answer, 480 px wide) and searched with
OpenCV's Haar cascades (frontal face on a half-size copy, then eyes within it). Nothing else is read from a face:
no emotion, personality or "confidence" inference. "Looking at the camera" is an estimate: a frontal face with both
eyes found. A profile or a look down loses the eyes.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from intervu_feedback.analysis.evidence import Evidence, Remark

FPS = 0.5
MIN_FRAMES = 12  # short answers are sampled more densely
WIDTH = 480
MAX_FRAMES = 300  # ten minutes at one frame every two seconds; longer answers are sampled more sparsely
FACE_VISIBLE_GOOD = 0.9
LOOKING_GOOD = 0.6
OFF_CENTRE = 0.2  # face centre more than this fraction of the width from the middle
TOO_SMALL = 0.15  # face height below this fraction of the frame: too far away
TOO_LARGE = 0.65


@dataclass
class Video:
    frames: int
    face_visible: float  # share of frames with a face
    looking_at_camera: float  # share of frames with a frontal face and both eyes
    centred: float  # share of face frames with the face near the middle
    face_height: float | None  # median face height / frame height
    absent: list[Evidence] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)


def _frames(recording: Path, duration_s: float) -> list[np.ndarray]:
    """Grey frames straight from ffmpeg's output (no image files, no JPEG blur on the eyes)."""
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0",
         str(recording)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    width, height = (int(x) for x in probe.stdout.strip().split(",")[:2])
    h = max(2, round(WIDTH * height / width / 2) * 2)
    fps = min(max(FPS, MIN_FRAMES / max(duration_s, 1)), 4.0, MAX_FRAMES / max(duration_s, 1))
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-threads", "2", "-i", str(recording), "-vf", f"fps={fps:.4f},scale={WIDTH}:{h}",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True, timeout=600,
    ).stdout  # fmt: skip
    size = WIDTH * h
    return [np.frombuffer(raw, np.uint8, size, k * size).reshape(h, WIDTH) for k in range(len(raw) // size)]


def analyse(recording: Path, duration_s: float) -> Video | None:
    import cv2

    cascades = Path(cv2.data.haarcascades)  # type: ignore[attr-defined]
    face_model = cv2.CascadeClassifier(str(cascades / "haarcascade_frontalface_default.xml"))
    eye_model = cv2.CascadeClassifier(str(cascades / "haarcascade_eye.xml"))
    try:
        frames = _frames(recording, duration_s)
    except (subprocess.CalledProcessError, ValueError):
        return None  # no decodable video stream
    if not frames:
        return None
    step = duration_s / len(frames)
    seen = looking = centred = 0
    heights: list[float] = []
    missing: list[int] = []
    for index, image in enumerate(frames):
        h, w = image.shape
        # Faces are found on a half-size copy (four times fewer pixels: the slow part); eyes on the full one.
        small = cv2.resize(image, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        # A face narrower than a seventh of the picture is too far away to coach anyway, and skipping the small
        # scales is most of the speed.
        found = face_model.detectMultiScale(small, scaleFactor=1.15, minNeighbors=5, minSize=(w // 14, w // 14))
        faces = [(2 * int(a), 2 * int(b), 2 * int(c), 2 * int(d)) for a, b, c, d in found]
        if len(faces) == 0:
            missing.append(index)
            continue
        seen += 1
        x, y, fw, fh = max(faces, key=lambda f: f[2] * f[3])
        heights.append(fh / h)
        if abs((x + fw / 2) / w - 0.5) <= OFF_CENTRE:
            centred += 1
        # Eyes are small and compression blurs them: equalise the face's upper part and search finely.
        upper = cv2.equalizeHist(image[y : y + fh * 6 // 10, x : x + fw])
        eyes = eye_model.detectMultiScale(upper, scaleFactor=1.05, minNeighbors=3, minSize=(fw // 10, fw // 10))
        if len(eyes) >= 2:
            looking += 1
    total = len(frames)
    video = Video(
        frames=total,
        face_visible=round(seen / total, 3),
        looking_at_camera=round(looking / total, 3),
        centred=round(centred / seen, 3) if seen else 0.0,
        face_height=round(sorted(heights)[len(heights) // 2], 3) if heights else None,
    )
    # Runs of frames without a face become evidence ("from 0:12 to 0:18 you were out of the picture").
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
