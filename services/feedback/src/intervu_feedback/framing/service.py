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
        # JPEG only, tried as nothing else; the header alone is read here (Pillow's own bomb check raises on a
        # header claiming hundreds of megapixels: a 200-byte file, answered as too large, never a 500).
        with Image.open(io.BytesIO(body), formats=["JPEG"]) as image:
            width, height = image.size
            if width < 16 or height < 16:
                raise InvalidFrame(details={"width": width, "height": height})
            if width * height > MAX_PIXELS:
                raise FrameTooLarge(details={"width": width, "height": height})
            # A progressive JPEG can hold thousands of scans, seconds of decoding in under 1 MB; a canvas never
            # makes one.
            if image.info.get("progressive") or image.info.get("progression"):
                raise InvalidFrame(details={"progressive": True})
            rgb = np.asarray(image.convert("RGB"))
    except Image.DecompressionBombError as exc:
        raise FrameTooLarge() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidFrame() from exc
    detector = getattr(_detector, "instance", None)
    if detector is None:
        detector = _detector.instance = video.FaceDetector()
    try:
        return video.framing(np.ascontiguousarray(rgb[:, :, ::-1]), detector)
    except Exception as exc:  # OpenCV refusing a frame Pillow decoded is the frame's fault: a 422, not a 500
        raise InvalidFrame() from exc
