from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class FramingOut(BaseModel):
    """How a camera frame would fare in an answer's feedback: the face found, centred, at a good distance, facing
    the camera and lit; `advice` says what to change, in the order it matters; `ok` when nothing needs changing."""

    ok: bool
    face: bool
    centred: bool
    distance: Literal["ok", "too_far", "too_close", "unknown"]
    facing: bool
    lit: bool
    advice: list[str]
