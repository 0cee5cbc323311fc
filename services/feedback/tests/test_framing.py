"""The framing guide before an answer: one camera frame checked with the answer's own face detector and limits
(plus the light on the face), over the API with a JPEG from the browser's canvas; bad frames are clear 4xx."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import numpy as np
import pytest
from intervu_feedback.analysis.video import FaceDetector, framing
from intervu_feedback.main import app
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import SignedIn, running_app
from PIL import Image

SignIn = Callable[..., Awaitable[SignedIn]]


def _photo() -> np.ndarray:
    """A real face (NASA's astronaut portrait, shipped with scikit-image), RGB, 512x512, face near the middle."""
    from skimage import data

    return np.asarray(data.astronaut())  # type: ignore[no-untyped-call]


def _webcam(rgb: np.ndarray, *, shift: int = 0, gain: float = 1.0, width: int = 640) -> np.ndarray:
    """The portrait on a 640x480 webcam-like canvas (grey around it), moved right by `shift` px, light scaled."""
    canvas = np.full((480, width, 3), 90, np.uint8)
    photo = np.asarray(Image.fromarray(rgb).resize((480, 480)))
    left = (width - 480) // 2 + shift
    lo, hi = max(0, left), min(width, left + 480)
    canvas[:, lo:hi] = photo[:, lo - left : hi - left]
    out: np.ndarray = np.clip(canvas.astype(np.float32) * gain, 0, 255).astype(np.uint8)
    return out


def _claiming(jpeg: bytes, width: int, height: int) -> bytes:
    """The same JPEG with a start-of-frame header that claims another size (what a hostile client sends)."""
    sof = jpeg.index(b"\xff\xc0")
    return jpeg[: sof + 5] + height.to_bytes(2, "big") + width.to_bytes(2, "big") + jpeg[sof + 9 :]


def _jpeg(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=80)
    return out.getvalue()


@pytest.mark.parametrize(
    ("frame", "expected", "advice"),
    [
        ({}, {"face": True, "centred": True, "lit": True}, None),
        ({"shift": 230}, {"face": True, "centred": False}, "middle of the picture"),
        ({"gain": 0.2}, {"face": True, "lit": False}, "dark"),
    ],
)
def test_a_frame_is_judged_as_the_answer_will_be(
    frame: dict[str, float], expected: dict[str, bool], advice: str | None
) -> None:
    found = framing(_webcam(_photo(), **frame)[:, :, ::-1].copy(), FaceDetector())  # type: ignore[arg-type]
    assert {k: getattr(found, k) for k in expected} == expected, found
    if advice is None:
        assert found.ok and found.advice == [], found
    else:
        assert not found.ok and any(advice in a for a in found.advice), found


def test_no_face_says_so() -> None:
    found = framing(np.full((480, 640, 3), 120, np.uint8), FaceDetector())
    assert not found.face and not found.ok and "cannot see a face" in found.advice[0]


@pytest.fixture
async def client(infra: object) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


async def test_the_browser_sends_a_frame_and_bad_frames_are_refused(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me = await sign_in()
    jpeg = {**me.headers, "Content-Type": "image/jpeg"}
    good = await client.post("/api/feedback/framing", content=_jpeg(_webcam(_photo())), headers=jpeg)
    assert good.status_code == 200, good.text
    assert good.json() == {"ok": True, "face": True, "centred": True, "distance": "ok", "facing": True, "lit": True,
                           "advice": []}  # fmt: skip
    off = (await client.post("/api/feedback/framing", content=_jpeg(_webcam(_photo(), shift=230)), headers=jpeg)).json()
    assert not off["ok"] and not off["centred"]

    png = io.BytesIO()
    Image.fromarray(_webcam(_photo())).save(png, "PNG")
    assert_error(await client.post("/api/feedback/framing", content=png.getvalue(), headers=jpeg), 422, "invalid_frame")
    assert_error(await client.post("/api/feedback/framing", content=b"\xff\xd8not a jpeg", headers=jpeg), 422,
                 "invalid_frame")  # fmt: skip
    # Dimensions are read from the header before any pixel is decoded: a 4000x4000 frame is refused as such.
    huge = _jpeg(np.zeros((4000, 4000, 3), np.uint8))
    assert len(huge) < 1024 * 1024
    assert_error(await client.post("/api/feedback/framing", content=huge, headers=jpeg), 413, "frame_too_large")
    # A 200-byte header claiming 60000x60000 (Pillow's own bomb check) and a progressive JPEG: clear 4xx, no 500.
    bomb = _claiming(_jpeg(_webcam(_photo())), 60000, 60000)
    assert_error(await client.post("/api/feedback/framing", content=bomb, headers=jpeg), 413, "frame_too_large")
    progressive = io.BytesIO()
    Image.fromarray(_webcam(_photo())).save(progressive, "JPEG", progressive=True)
    assert_error(await client.post("/api/feedback/framing", content=progressive.getvalue(), headers=jpeg), 422,
                 "invalid_frame")  # fmt: skip
    tiny = _jpeg(np.zeros((8, 8, 3), np.uint8))
    assert_error(await client.post("/api/feedback/framing", content=tiny, headers=jpeg), 422, "invalid_frame")
    # Past 1 MB the service's own body limit answers before the endpoint reads anything.
    assert_error(await client.post("/api/feedback/framing", content=b"\xff" * (1024 * 1024 + 1), headers=jpeg), 413,
                 "payload_too_large")  # fmt: skip
    assert (await client.post("/api/feedback/framing", content=_jpeg(_webcam(_photo())))).status_code == 401
