"""One camera frame checked before an answer, with the detector and limits the answer's feedback uses."""

from __future__ import annotations

import io
import threading

import numpy as np
from intervu_kit.errors import IntervuError

from intervu_feedback.analysis import video

MAX_BYTES = 1024 * 1024  # a 1280x720 JPEG from a canvas is ~100-200 KB
MAX_PIXELS = 1920 * 1080


class FrameTooLarge(IntervuError):
    status = 413
    code = "frame_too_large"
    message = "Send one JPEG frame of at most 1 MB and 1920x1080 pixels."


class InvalidFrame(IntervuError):
    status = 422
    code = "invalid_frame"
    message = "The body is not a JPEG image."


_detector = threading.local()  # YuNet is not thread-safe: one per worker thread of the pool


def check(body: bytes) -> video.Framing:
    """Size and format from the header before any pixel is decoded; then the same checks as the feedback."""
    from PIL import Image, UnidentifiedImageError

    if len(body) > MAX_BYTES:
        raise FrameTooLarge()
    try:
        with Image.open(io.BytesIO(body)) as image:  # reads the header only
            if image.format != "JPEG":
                raise InvalidFrame()
            width, height = image.size
            if width * height > MAX_PIXELS or width < 16 or height < 16:
                raise FrameTooLarge(details={"width": width, "height": height})
            rgb = np.asarray(image.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InvalidFrame() from exc
    detector = getattr(_detector, "instance", None)
    if detector is None:
        detector = _detector.instance = video.FaceDetector()
    return video.framing(np.ascontiguousarray(rgb[:, :, ::-1]), detector)
