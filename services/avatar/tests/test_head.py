"""The procedural talking-head renderer: shape, determinism, and that each control moves the right pixels."""

from functools import cache

import cv2
import numpy as np
import numpy.typing as npt
import pytest
from intervu_avatar.render.head import LOOKS, HeadRenderer

W, H = 640, 360


@cache
def renderer(name: str) -> HeadRenderer:
    return HeadRenderer(LOOKS[name], W, H)


def changed(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8], thresh: int = 12) -> npt.NDArray[np.bool_]:
    diff: npt.NDArray[np.bool_] = np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > thresh
    return diff


def test_frame_shape_dtype_and_layout() -> None:
    img = renderer("maya").frame(mouth=0.4, blink=0.1, yaw=1.0, pitch=-1.0, roll=0.5, smile=0.3)
    assert img.shape == (H, W, 3)
    assert img.dtype == np.uint8
    assert img.flags["C_CONTIGUOUS"]
    assert 30 < img.mean() < 225


def test_deterministic_across_instances() -> None:
    a = HeadRenderer(LOOKS["sam"], 320, 180).frame(mouth=0.55, blink=0.3, yaw=2.0, roll=-1.0, smile=0.4)
    b = HeadRenderer(LOOKS["sam"], 320, 180).frame(mouth=0.55, blink=0.3, yaw=2.0, roll=-1.0, smile=0.4)
    assert np.array_equal(a, b)
    r = renderer("sam")
    assert np.array_equal(r.frame(mouth=0.2, blink=0.0), r.frame(mouth=0.2, blink=0.0))


@pytest.mark.parametrize("name", ["maya", "daniel", "sam"])
def test_mouth_changes_only_the_lower_face(name: str) -> None:
    r = renderer(name)
    diff = changed(r.frame(mouth=0.0, blink=0.0), r.frame(mouth=1.0, blink=0.0))
    ys, xs = np.nonzero(diff)
    assert len(ys) > 150
    eye_line = 0.355 * H
    assert ys.mean() > eye_line + 0.1 * H  # well below the eyes
    assert ys.min() > eye_line
    box = (ys.max() - ys.min() + 1) * (xs.max() - xs.min() + 1)
    assert box < 0.06 * W * H
    assert abs(xs.mean() - W / 2) < 0.04 * W


@pytest.mark.parametrize("name", ["maya", "daniel", "sam"])
def test_blink_changes_only_the_eye_band(name: str) -> None:
    r = renderer(name)
    diff = changed(r.frame(mouth=0.0, blink=0.0), r.frame(mouth=0.0, blink=1.0))
    ys, xs = np.nonzero(diff)
    assert len(ys) > 40
    eye_line = 0.342 * H
    assert np.all(np.abs(ys - eye_line) < 0.06 * H)
    assert np.all(np.abs(xs - W / 2) < 0.15 * W)


def test_yaw_moves_the_face_but_not_the_background() -> None:
    r = renderer("daniel")
    a, b = r.frame(mouth=0.0, blink=0.0), r.frame(mouth=0.0, blink=0.0, yaw=4.0)
    diff = changed(a, b, thresh=6)
    assert diff.sum() > 200
    ys, _ = np.nonzero(diff)
    assert ys.mean() < 0.65 * H  # the head moved, the body did not
    for sl in (np.s_[:40, :60], np.s_[:40, -60:], np.s_[-40:, :60], np.s_[-40:, -60:]):
        assert np.array_equal(a[sl], b[sl])


def test_roll_and_pitch_move_the_head() -> None:
    r = renderer("maya")
    base = r.frame(mouth=0.0, blink=0.0)
    assert changed(base, r.frame(mouth=0.0, blink=0.0, roll=3.0)).sum() > 500
    assert changed(base, r.frame(mouth=0.0, blink=0.0, pitch=3.0)).sum() > 200


def test_looks_differ() -> None:
    imgs = [renderer(n).frame(mouth=0.0, blink=0.0).astype(np.int16) for n in ("maya", "daniel", "sam")]
    for i in range(3):
        for j in range(i + 1, 3):
            assert np.abs(imgs[i] - imgs[j]).mean() > 10


def test_ready_looks_exist() -> None:
    assert {"maya", "daniel", "sam"} <= set(LOOKS)
    assert LOOKS["sam"].glasses
    assert LOOKS["sam"].hair_style == "side_part"
    assert LOOKS["maya"].hair_style in ("bun", "long")


@pytest.mark.parametrize("name", ["maya", "daniel", "sam"])
def test_a_stock_face_detector_sees_a_face(name: str) -> None:
    cascades: str = cv2.data.haarcascades  # type: ignore[attr-defined]
    cascade = cv2.CascadeClassifier(cascades + "haarcascade_frontalface_default.xml")
    r = renderer(name)
    for params in ({"mouth": 0.0, "blink": 0.0}, {"mouth": 0.8, "blink": 0.0, "yaw": 3.0, "roll": 2.0}):
        grey = cv2.cvtColor(r.frame(**params), cv2.COLOR_RGB2GRAY)
        faces = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5)
        centred = [(x, y, w, h) for (x, y, w, h) in faces if abs(x + w / 2 - W / 2) < 0.1 * W and y + h / 2 < 0.55 * H]
        assert centred, f"no face found for {name} with {params}: {faces}"
