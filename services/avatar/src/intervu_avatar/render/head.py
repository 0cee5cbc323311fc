"""Procedural, semi-realistic talking-head renderer for the offline AI video interviewer.

Everything that does not move is painted once, at twice the output resolution, when a
:class:`HeadRenderer` is built: the defocused background, the body, and the head layer (skin lit
through a sculpted height field, hair, ears, brows, glasses). The mouth and the eyes are painted
into small regions for a grid of openings / blink states at the same time. A frame then only
blends the two nearest variants of each region into the head layer, moves the facial features a
little for yaw and pitch, rotates the head for roll and composites it over the static plate: a
few milliseconds on a laptop CPU.

Coordinates: the face is designed in *face units*: ``u`` to the right, ``v`` down, origin between
the eyes, one unit is half the width of the head.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

__all__ = ["LOOKS", "HeadRenderer", "Look"]

F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]
Points = npt.NDArray[np.float64]
Colour = tuple[float, float, float]

_SS = 2  # supersampling factor: everything static is painted at 2x and area-downsampled
_MOUTH_STEPS = 12
_SMILE_STEPS = 2  # smile changes slowly, a cross-fade between neutral and smiling corners is enough
_BLINK_STEPS = 7
_MOUTH_Y = 0.66  # face units, the line between the lips at rest


@dataclass(frozen=True)
class Look:
    """What one interviewer persona looks like."""

    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    hair_style: Literal["short", "side_part", "bun", "long"]
    jacket: tuple[int, int, int]
    shirt: tuple[int, int, int]
    background: Literal["office", "studio", "library"]
    glasses: bool = False
    beard: bool = False


LOOKS: dict[str, Look] = {
    "maya": Look(
        skin=(176, 120, 88),
        hair=(38, 27, 22),
        hair_style="bun",
        jacket=(46, 58, 86),
        shirt=(236, 228, 214),
        background="office",
    ),
    "daniel": Look(
        skin=(116, 76, 54),
        hair=(28, 23, 21),
        hair_style="short",
        jacket=(62, 64, 70),
        shirt=(204, 220, 236),
        background="library",
        beard=True,
    ),
    "sam": Look(
        skin=(230, 188, 160),
        hair=(112, 70, 42),
        hair_style="side_part",
        jacket=(84, 96, 112),
        shirt=(242, 242, 238),
        background="studio",
        glasses=True,
    ),
    "elena": Look(
        skin=(214, 164, 128),
        hair=(150, 108, 66),
        hair_style="long",
        jacket=(92, 46, 52),
        shirt=(238, 232, 224),
        background="studio",
    ),
}


# --------------------------------------------------------------------------------------------
# small numeric helpers


def _f(x: object) -> F32:
    return np.asarray(x, dtype=np.float32)


def _rgb(c: tuple[int, int, int]) -> F32:
    return _f(c) / np.float32(255.0)


def _mix(a: F32, b: F32 | Sequence[float], t: float) -> F32:
    return _f(a * (1.0 - t) + _f(b) * t)


def _smoothstep(e0: float, e1: float, x: F32) -> F32:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return _f(t * t * (3.0 - 2.0 * t))


def _gauss(u: F32, v: F32, cu: float, cv: float, su: float, sv: float) -> F32:
    return _f(np.exp(-0.5 * (((u - cu) / su) ** 2 + ((v - cv) / sv) ** 2)))


def _blur(img: F32, sigma: float) -> F32:
    if sigma <= 0:
        return img
    return _f(cv2.GaussianBlur(img, (0, 0), sigma))


def _spline(pts: Sequence[tuple[float, float]] | Points, closed: bool = False, n: int = 10) -> Points:
    """Catmull-Rom through the control points, so outlines come out smooth and organic."""
    p = np.asarray(pts, dtype=np.float64)
    ext = np.vstack([p[-1], p, p[0], p[1]]) if closed else np.vstack([p[0], p, p[-1]])
    t = np.linspace(0.0, 1.0, n, endpoint=False)[:, None]
    segs = []
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        segs.append(
            0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (3 * p1 - p0 - 3 * p2 + p3) * t**3)
        )
    if not closed:
        segs.append(p[-1][None, :])
    return np.vstack(segs)


def _mirror_outline(right: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Right half from top centre to bottom centre -> closed symmetric outline."""
    left = [(-u, v) for (u, v) in reversed(right[1:-1])]
    return list(right) + left


def _ribbon(path: Points, widths: npt.NDArray[np.float64]) -> Points:
    """A polygon around ``path`` with per-point width: tapered strokes (lash lines, brow hairs)."""
    d = np.gradient(path, axis=0)
    d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
    nrm = np.stack([-d[:, 1], d[:, 0]], axis=1)
    half = (widths / 2.0)[:, None]
    return np.vstack([path + nrm * half, (path - nrm * half)[::-1]])


def _round_rect(cx: float, cy: float, hw: float, hh: float, r: float, n: int = 8) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for qx, qy, a0 in ((1, -1, -90.0), (1, 1, 0.0), (-1, 1, 90.0), (-1, -1, 180.0)):
        ox, oy = cx + qx * (hw - r), cy + qy * (hh - r)
        for k in range(n + 1):
            a = math.radians(a0 + 90.0 * k / n)
            pts.append((ox + r * math.cos(a), oy + r * math.sin(a)))
    return pts


def _lerp_pts(a: Points, b: Points, t: float) -> Points:
    return a * (1.0 - t) + b * t


def _normals(h: F32, strength: float) -> tuple[F32, F32, F32]:
    gy, gx = np.gradient(h)
    nx, ny = -gx * strength, -gy * strength
    inv = 1.0 / np.sqrt(nx * nx + ny * ny + 1.0)
    return _f(nx * inv), _f(ny * inv), _f(inv)


_KEY = np.array([-0.45, -0.45, 0.77]) / np.linalg.norm([-0.45, -0.45, 0.77])
_FILL = np.array([0.7, -0.15, 0.7]) / np.linalg.norm([0.7, -0.15, 0.7])
_HALF = (_KEY + np.array([0.0, 0.0, 1.0])) / np.linalg.norm(_KEY + np.array([0.0, 0.0, 1.0]))


def _light(
    nx: F32, ny: F32, nz: F32, ambient: Sequence[float], key: Sequence[float], fill: Sequence[float], wrap: float
) -> F32:
    """Soft key light from the upper left (a window), weak fill from the right: wrap lighting keeps it gentle."""
    ndl = nx * _KEY[0] + ny * _KEY[1] + nz * _KEY[2]
    k = np.clip((ndl + wrap) / (1.0 + wrap), 0.0, 1.0)
    k = k * k * (3.0 - 2.0 * k) * 0.3 + k * 0.7
    fl = np.clip(nx * _FILL[0] + ny * _FILL[1] + nz * _FILL[2], 0.0, 1.0)
    out = _f(ambient)[None, None, :] + k[..., None] * _f(key) + fl[..., None] * _f(fill)
    return _f(out)


def _spec(nx: F32, ny: F32, nz: F32, power: float) -> F32:
    ndh = np.clip(nx * _HALF[0] + ny * _HALF[1] + nz * _HALF[2], 0.0, 1.0)
    return _f(ndh**power)


# --------------------------------------------------------------------------------------------
# canvas: premultiplied RGBA at supersampled resolution covering a window of the frame


class _Canvas:
    def __init__(self, x0: int, y0: int, w: int, h: int) -> None:
        self.x0, self.y0, self.w, self.h = x0, y0, w, h
        self.rgb = np.zeros((h, w, 3), np.float32)
        self.a = np.zeros((h, w), np.float32)
        ys, xs = np.mgrid[y0 : y0 + h, x0 : x0 + w]
        self.X = xs.astype(np.float32)
        self.Y = ys.astype(np.float32)

    def crop(self, x0: int, y0: int, w: int, h: int) -> _Canvas:
        c = _Canvas(x0, y0, w, h)
        sx, sy = x0 - self.x0, y0 - self.y0
        c.rgb[:] = self.rgb[sy : sy + h, sx : sx + w]
        c.a[:] = self.a[sy : sy + h, sx : sx + w]
        return c

    def view(self, x0: int, y0: int, w: int, h: int) -> _Canvas:
        """A window sharing this canvas's pixels: in-place painting on it lands here, at a fraction of the cost."""
        x0, y0 = max(x0, self.x0), max(y0, self.y0)
        w, h = min(w, self.x0 + self.w - x0), min(h, self.y0 + self.h - y0)
        sx, sy = x0 - self.x0, y0 - self.y0
        c = _Canvas.__new__(_Canvas)
        c.x0, c.y0, c.w, c.h = x0, y0, w, h
        c.rgb = self.rgb[sy : sy + h, sx : sx + w]
        c.a = self.a[sy : sy + h, sx : sx + w]
        c.X = self.X[sy : sy + h, sx : sx + w]
        c.Y = self.Y[sy : sy + h, sx : sx + w]
        return c

    def poly(self, pts: Points | Sequence[tuple[float, float]], blur: float = 0.0) -> F32:
        m = np.zeros((self.h, self.w), np.uint8)
        p = np.round((np.asarray(pts, dtype=np.float64) - (self.x0, self.y0)) * 16).astype(np.int32)
        cv2.fillPoly(m, [p.reshape(-1, 1, 2)], 255, cv2.LINE_AA, 4)
        return _blur(_f(m) * np.float32(1 / 255), blur)

    def lines(self, paths: Sequence[Points], thickness: int = 1, values: Sequence[int] | None = None) -> F32:
        """Anti-aliased polylines; with ``values`` later strokes overwrite earlier ones (painterly strands)."""
        m = np.zeros((self.h, self.w), np.uint8) if values is None else np.full((self.h, self.w), 128, np.uint8)
        for i, path in enumerate(paths):
            p = np.round((path - (self.x0, self.y0)) * 16).astype(np.int32).reshape(-1, 1, 2)
            val = 255 if values is None else int(values[i])
            cv2.polylines(m, [p], False, val, thickness, cv2.LINE_AA, 4)
        if values is None:
            return _f(m) * np.float32(1 / 255)
        return (_f(m) - np.float32(128)) * np.float32(1 / 127)

    def over(self, m: F32, col: F32 | Sequence[float]) -> None:
        c = _f(col)
        m3 = m[..., None]
        self.rgb += (c - self.rgb) * m3
        self.a += (1.0 - self.a) * m

    def atop(self, m: F32, col: F32 | Sequence[float]) -> None:
        """Paint only where something is already painted (details on skin, texture on hair)."""
        c = _f(col)
        self.rgb += (c * self.a[..., None] - self.rgb) * m[..., None]

    def mul(self, m: F32, factor: F32 | Sequence[float] | float) -> None:
        self.rgb *= 1.0 - m[..., None] * (1.0 - _f(factor))


@dataclass(frozen=True)
class _Face:
    cx: float
    cy: float
    r: float
    fem: bool

    def p(self, u: float, v: float) -> tuple[float, float]:
        return (self.cx + u * self.r, self.cy + v * self.r)

    def pts(self, uv: Sequence[tuple[float, float]] | Points) -> Points:
        a = np.asarray(uv, dtype=np.float64)
        return np.stack([self.cx + a[:, 0] * self.r, self.cy + a[:, 1] * self.r], axis=1)

    def uv(self, cv: _Canvas) -> tuple[F32, F32]:
        return _f((cv.X - self.cx) / self.r), _f((cv.Y - self.cy) / self.r)

    def outline(self) -> list[tuple[float, float]]:
        if self.fem:
            right = [(0.0, -1.3), (0.52, -1.22), (0.84, -0.98), (0.95, -0.6), (0.95, -0.25), (0.92, 0.08),
                     (0.85, 0.4), (0.72, 0.68), (0.52, 0.92), (0.3, 1.08), (0.13, 1.14), (0.0, 1.15)]  # fmt: skip
        else:
            right = [(0.0, -1.3), (0.53, -1.22), (0.86, -0.98), (0.97, -0.6), (0.98, -0.25), (0.96, 0.08),
                     (0.9, 0.4), (0.8, 0.68), (0.62, 0.92), (0.38, 1.1), (0.16, 1.18), (0.0, 1.19)]  # fmt: skip
        return _mirror_outline(right)

    def jaw(self) -> list[tuple[float, float]]:
        return [p for p in self.outline() if p[1] > 0.3]


def _seed(look: Look) -> int:
    return zlib.crc32(repr(look).encode())


def _lum(c: F32) -> float:
    return float(0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2])


# --------------------------------------------------------------------------------------------
# background: painted sharp at 1x with HDR highlights, then defocused with a disc kernel (bokeh)


def _disc_blur(img: F32, radius: float) -> F32:
    r = max(1, round(radius))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    k = np.clip(radius + 0.5 - np.sqrt(xx * xx + yy * yy), 0.0, 1.0).astype(np.float32)
    k /= k.sum()
    return _f(cv2.filter2D(img, -1, k, borderType=cv2.BORDER_REFLECT))


def _soft_clip(x: F32) -> F32:
    knee = 0.82
    over = np.maximum(x - knee, 0.0)
    return _f(np.where(x > knee, knee + (1 - knee) * np.tanh(over / (1 - knee)), x))


def _rect(img: F32, x0: float, y0: float, x1: float, y1: float, col: Sequence[float], w: int, h: int) -> None:
    """Axis-aligned rectangle in height-normalised coordinates (x centred)."""
    ax0, ax1 = round(w / 2 + x0 * h), round(w / 2 + x1 * h)
    ay0, ay1 = round(y0 * h), round(y1 * h)
    ax0, ax1 = max(ax0, 0), min(ax1, w)
    ay0, ay1 = max(ay0, 0), min(ay1, h)
    if ax1 > ax0 and ay1 > ay0:
        img[ay0:ay1, ax0:ax1] = _f(col)


def _ellipse(img: F32, cx: float, cy: float, rx: float, ry: float, ang: float, col: Sequence[float], h: int) -> None:
    w = img.shape[1]
    cv2.ellipse(
        img,
        (round((w / 2 + cx * h) * 16), round(cy * h * 16)),
        (max(1, round(rx * h * 16)), max(1, round(ry * h * 16))),
        ang,
        0,
        360,
        tuple(float(c) for c in col),
        -1,
        cv2.LINE_AA,
        4,
    )


def _background(kind: str, w: int, h: int, rng: np.random.Generator) -> F32:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    x = (xx - w / 2) / h
    y = yy / h
    img = np.zeros((h, w, 3), np.float32)
    if kind == "studio":
        r = np.sqrt((x + 0.05) ** 2 + (y - 0.42) ** 2 * 1.3)
        t = np.clip(r / 0.95, 0.0, 1.0) ** 1.4
        img[:] = _f((0.55, 0.59, 0.63)) * (1 - t[..., None]) + _f((0.17, 0.19, 0.23)) * t[..., None]
        img += _f((0.10, 0.08, 0.05)) * _gauss(x, y, -0.12, 0.38, 0.22, 0.22)[..., None]
        img += rng.normal(0.0, 0.006, (h, w, 1)).astype(np.float32)
        img = _blur(img, 3.0 * h / 360)
    elif kind == "office":
        img[:] = _f((0.78, 0.74, 0.68))
        img *= (1.02 - 0.18 * y)[..., None]
        img += _f((0.16, 0.15, 0.13)) * _gauss(x, y, -0.65, 0.3, 0.35, 0.5)[..., None]
        # window on the left: the key light's source
        _rect(img, -0.93, 0.02, -0.36, 0.76, (0.86, 0.85, 0.83), w, h)
        panes = [(-0.9, 0.05, -0.66, 0.38), (-0.63, 0.05, -0.39, 0.38), (-0.9, 0.41, -0.66, 0.73),
                 (-0.63, 0.41, -0.39, 0.73)]  # fmt: skip
        for px0, py0, px1, py1 in panes:
            sub = np.zeros_like(img)
            _rect(sub, px0, py0, px1, py1, (1.0, 1.0, 1.0), w, h)
            mask = sub[..., 0:1]
            sky = _f((1.35, 1.38, 1.42)) * (1 - 0.25 * y[..., None]) + _f((0.0, 0.03, 0.08)) * y[..., None]
            img = img * (1 - mask) + sky * mask
        for _ in range(26):  # foliage outside
            cx, cy = rng.uniform(-0.92, -0.38), rng.uniform(0.45, 0.8)
            g = rng.uniform(0.7, 1.15)
            _ellipse(img, cx, cy, rng.uniform(0.02, 0.06), rng.uniform(0.02, 0.05), rng.uniform(0, 180),
                     (0.42 * g, 0.62 * g, 0.36 * g), h)  # fmt: skip
        _rect(img, -0.93, 0.76, -0.36, 0.8, (0.9, 0.89, 0.86), w, h)
        # shelving on the right
        _rect(img, 0.46, 0.08, 0.95, 1.0, (0.36, 0.28, 0.22), w, h)
        for sy in (0.3, 0.56, 0.82):
            x0 = 0.49
            while x0 < 0.9:
                bw = rng.uniform(0.014, 0.03)
                if rng.random() < 0.12:
                    x0 += bw * 2
                    continue
                bh = rng.uniform(0.12, 0.19)
                tone = rng.choice(np.array([[0.62, 0.52, 0.4], [0.3, 0.36, 0.45], [0.7, 0.68, 0.62],
                                            [0.5, 0.25, 0.2], [0.36, 0.45, 0.38], [0.8, 0.76, 0.66]]))  # fmt: skip
                _rect(img, x0, sy - bh, x0 + bw, sy, tuple(tone * rng.uniform(0.8, 1.1)), w, h)
                x0 += bw + 0.002
            _rect(img, 0.46, sy, 0.95, sy + 0.025, (0.55, 0.43, 0.33), w, h)
        # a plant on the top shelf and a tall one on the floor, both far out of focus
        _rect(img, 0.6, 0.0, 0.7, 0.06, (0.85, 0.83, 0.8), w, h)
        for _ in range(40):
            cx, cy = rng.uniform(-0.32, -0.12), rng.uniform(0.25, 0.95)
            g = rng.uniform(0.55, 1.0)
            _ellipse(img, cx, cy, rng.uniform(0.025, 0.06), rng.uniform(0.012, 0.025), rng.uniform(0, 180),
                     (0.2 * g, 0.36 * g, 0.2 * g), h)  # fmt: skip
        for _ in range(14):
            cx, cy = rng.uniform(0.56, 0.74), rng.uniform(-0.02, 0.12)
            _ellipse(img, cx, cy, 0.03, 0.014, rng.uniform(0, 180), (0.25, 0.42, 0.24), h)
        img = _disc_blur(img, 9.0 * h / 360)
        img = _blur(img, 3.0 * h / 360)
    else:  # library
        img[:] = _f((0.16, 0.10, 0.06))
        palette = np.array([[0.45, 0.12, 0.1], [0.14, 0.24, 0.17], [0.12, 0.15, 0.3], [0.55, 0.4, 0.25],
                            [0.35, 0.2, 0.12], [0.62, 0.54, 0.4], [0.3, 0.08, 0.1], [0.2, 0.3, 0.32]])  # fmt: skip
        for row in range(5):
            base = -0.02 + row * 0.235
            x0 = -0.95
            while x0 < 0.95:
                bw = rng.uniform(0.012, 0.028)
                if rng.random() < 0.06:
                    x0 += rng.uniform(0.03, 0.08)
                    continue
                bh = rng.uniform(0.14, 0.2)
                tone = palette[rng.integers(len(palette))] * rng.uniform(0.65, 1.1)
                _rect(img, x0, base + 0.2 - bh, x0 + bw, base + 0.2, tuple(tone), w, h)
                x0 += bw + 0.0015
            _rect(img, -1.0, base + 0.2, 1.0, base + 0.235, (0.36, 0.23, 0.13), w, h)
        for lx, ly in ((-0.68, 0.46), (0.74, 0.3)):  # reading lamps
            img += _f((1.6, 1.05, 0.5)) * _gauss(x, y, lx, ly, 0.16, 0.13)[..., None] * 0.5
            _ellipse(img, lx, ly, 0.07, 0.045, 0, (2.4, 1.7, 0.9), h)
        for _ in range(16):  # fairy-light bokeh
            _ellipse(img, rng.uniform(-0.9, 0.9), rng.uniform(0.02, 0.35), 0.004, 0.004, 0, (2.6, 1.9, 1.0), h)
        img = _disc_blur(img, 9.0 * h / 360)
        img = _blur(img, 2.0 * h / 360)
        img *= _f((1.0, 0.93, 0.85))
    vig = 1.0 - 0.35 * _smoothstep(0.35, 1.05, _f(np.sqrt(x * x * 0.9 + (y - 0.45) ** 2 * 1.6)))
    img *= vig[..., None]
    return _soft_clip(img)


# --------------------------------------------------------------------------------------------
# body: neck, shirt / blouse, tailored jacket (static)


def _paint_body(cv: _Canvas, head: _Face, look: Look, rng: np.random.Generator) -> None:
    # body coordinates sit a little higher than the head's: a shorter neck reads as a relaxed posture
    f = _Face(head.cx, head.cy - 0.22 * head.r, head.r, head.fem)
    u, v = f.uv(cv)
    skin = _rgb(look.skin)
    hair = _rgb(look.hair)
    jacket = _rgb(look.jacket)
    shirt = _rgb(look.shirt)
    fem = f.fem

    if look.hair_style == "long":
        back = [(-1.02, 0.0), (1.02, 0.0), (1.12, 1.2), (1.18, 2.5), (-1.18, 2.5), (-1.12, 1.2)]
        m = cv.poly(f.pts(_spline(back, closed=True)), blur=1.0)
        cv.over(m, hair * 0.45)

    # neck and upper chest as a cylinder, darkened under the jaw
    nw = 0.44 if fem else 0.52
    neck = [(-nw, 0.2), (nw, 0.2), (nw * 0.98, 1.45), (nw + 0.22, 1.9), (0.95, 2.3), (0.9, 3.2), (-0.9, 3.2),
            (-0.95, 2.3), (-nw - 0.22, 1.9), (-nw * 0.98, 1.45)]  # fmt: skip
    m_neck = cv.poly(f.pts(_spline(neck, closed=True, n=6)), blur=0.8)
    side = np.clip(u / (nw + 0.15), -1.0, 1.0)
    nz = np.sqrt(np.clip(1 - side * side, 0.0, 1.0))
    shade = 0.62 + 0.34 * np.clip(-side * 0.55 + nz * 0.75, 0.0, 1.0)
    neck_col = skin * 0.93 * _f((1.0, 0.97, 0.96))
    col = neck_col * shade[..., None]
    jaw = [(x, y + 0.14) for (x, y) in head.jaw()]
    jaw_m = cv.poly(head.pts(_spline(jaw, closed=True)), blur=0.12 * f.r)
    col *= (1.0 - 0.6 * jaw_m)[..., None]
    col *= (1.0 - 0.28 * _smoothstep(1.0, 0.3, v) * (v < 1.5))[..., None]
    cv.over(m_neck, col)
    # collarbone / sternal notch hints
    notch = _gauss(u, v, 0.0, 2.05, 0.09, 0.07) * 0.12
    cv.mul(notch, 0.5)

    if fem:
        # shell top with a soft scoop neckline
        top = [(-1.6, 1.95), (-0.8, 2.2), (-0.45, 2.52), (0.0, 2.62), (0.45, 2.52), (0.8, 2.2), (1.6, 1.95),
               (1.6, 4.5), (-1.6, 4.5)]  # fmt: skip
        m = cv.poly(f.pts(_spline(top, closed=True, n=8)), blur=0.7)
        fold = 0.92 + 0.08 * np.sin(u * 9.0 + v * 2.0) * _smoothstep(2.6, 3.4, v)
        tone = 0.8 + 0.2 * np.clip(1.0 - (u + 0.5) * 0.25, 0.0, 1.2)
        cv.over(m, shirt * (tone * fold)[..., None])
        edge = cv.lines([f.pts(_spline([(-0.8, 2.2), (-0.45, 2.52), (0.0, 2.62), (0.45, 2.52), (0.8, 2.2)]))],
                        thickness=3)  # fmt: skip
        cv.mul(_blur(edge, 1.5) * 0.4, 0.7)
        # a fine necklace catches the key light
        chain = f.pts(_spline([(-0.62, 1.9), (-0.3, 2.32), (0.0, 2.42), (0.3, 2.32), (0.62, 1.9)]))
        cm = cv.lines([chain], thickness=2)
        cv.mul(_blur(cm, 1.2) * 0.35, 0.6)
        cv.over(cm * 0.85, (0.93, 0.82, 0.55))
        cv.over(cv.poly(f.pts(_spline(_round_rect(0.0, 2.47, 0.035, 0.045, 0.03), closed=True, n=3))),
                (0.95, 0.86, 0.6))  # fmt: skip
    else:
        # shirt front: two panels meeting at the placket, open at the neck
        for sgn in (-1.0, 1.0):
            panel = [(0.0, 2.62), (sgn * 0.3, 1.86), (sgn * 0.95, 1.85), (sgn * 1.4, 2.4), (sgn * 1.4, 4.5), (0.0, 4.5)]
            m = cv.poly(f.pts(panel), blur=0.6)
            tone = 0.86 + 0.12 * np.clip(-(u + 0.3) * 0.5, -0.6, 1.0)
            cv.over(m, shirt * tone[..., None])
        plk = cv.lines([f.pts([(0.0, 2.62), (0.0, 4.3)])], thickness=2)
        cv.mul(_blur(plk, 1.0) * 0.4, 0.75)
        btn = _gauss(u, v, 0.0, 3.05, 0.03, 0.03)
        cv.mul(btn * 0.5, 0.8)
        for sgn in (-1.0, 1.0):
            collar = [(sgn * 0.55, 1.35), (sgn * 0.82, 1.5), (sgn * 1.0, 1.95), (sgn * 0.72, 2.42), (sgn * 0.3, 1.95),
                      (sgn * 0.5, 1.62)]  # fmt: skip
            cpts = f.pts(_spline(collar, closed=True, n=6))
            sh = cv.poly(cpts + np.array([0.04, 0.07]) * f.r, blur=0.06 * f.r)
            cv.mul(sh * 0.55, 0.55)
            m = cv.poly(cpts, blur=0.6)
            tone = _f(0.92 + 0.1 * np.clip((1.9 - v) * 0.6, -0.5, 0.8) - 0.1 * (sgn > 0))
            cv.over(m, shirt * tone[..., None])
            crease = cv.lines([f.pts([(sgn * 0.52, 1.62), (sgn * 0.32, 1.95)])], thickness=2)
            cv.mul(_blur(crease, 1.2) * 0.35, 0.7)

    # jacket: two halves, lapels, shoulders rounded by a height field
    sh_w = 3.02
    m_jacket = np.zeros_like(u)
    for sgn in (-1.0, 1.0):
        outer = [(sgn * 0.62, 1.5), (sgn * 1.15, 1.78), (sgn * 1.9, 1.98), (sgn * 2.5, 2.2), (sgn * 2.85, 2.5),
                 (sgn * sh_w, 3.0), (sgn * 3.1, 4.6)]  # fmt: skip
        front = [(sgn * 0.08, 4.6), (sgn * 0.42, 3.55), (sgn * 0.75, 2.5), (sgn * 0.86, 1.85)]
        pts = np.vstack([f.pts(_spline(outer, n=8)), f.pts(_spline(front, n=8))])
        m_jacket = np.maximum(m_jacket, cv.poly(pts, blur=0.7))
    hgt = _blur(m_jacket, 0.45 * f.r)
    nx, ny, nz2 = _normals(hgt, f.r * 0.9)
    lit = _light(nx, ny, nz2, (0.5, 0.5, 0.52), (0.62, 0.6, 0.56), (0.1, 0.1, 0.12), 0.4)
    weave = 1.0 + _blur(_f(rng.normal(0.0, 1.0, (cv.h, cv.w))), 0.8) * 0.035
    fold_l = _gauss(u, v, -2.25, 3.5, 0.35, 0.5) + _gauss(u, v, 2.25, 3.5, 0.35, 0.5)
    jacket_lit = jacket[None, None, :] * lit * (weave * (1.0 - 0.25 * fold_l))[..., None]
    cv.over(m_jacket, jacket_lit)
    for sgn in (-1.0, 1.0):
        lapel = [(sgn * 0.86, 1.85), (sgn * 0.75, 2.5), (sgn * 0.42, 3.55), (sgn * 0.08, 4.6), (sgn * 0.25, 4.6),
                 (sgn * 0.85, 3.3), (sgn * (1.45 if not fem else 1.3), 2.62), (sgn * (1.28 if not fem else 1.16), 2.5),
                 (sgn * (1.3 if not fem else 1.2), 2.4), (sgn * 1.12, 1.9), (sgn * 0.95, 1.62)]  # fmt: skip
        lp = f.pts(_spline(lapel, closed=True, n=5))
        roll = cv.poly(lp + np.array([sgn * 0.06, 0.04]) * f.r, blur=0.08 * f.r)
        cv.mul(roll * 0.55 * m_jacket, 0.55)
        lm = cv.poly(lp, blur=0.6)
        cv.over(lm, jacket_lit * (1.0 + 0.14 * np.clip(0.6 - u * 0.4, 0.0, 1.0))[..., None])
    # lapel edges: the front edge catches light, a thin seam below the notch
    for sgn in (-1.0, 1.0):
        front_edge = f.pts(_spline([(sgn * 0.86, 1.85), (sgn * 0.75, 2.5), (sgn * 0.42, 3.55), (sgn * 0.08, 4.6)]))
        e = cv.lines([front_edge], thickness=2)
        cv.atop(_blur(e, 0.8) * 0.35, jacket * 1.6)
        sh = cv.lines([front_edge + np.array([-sgn * 0.05 * f.r, 0.0])], thickness=4)
        cv.mul(_blur(sh, 2.0) * 0.5, 0.55)
    # soft rim from the right to separate the shoulder from the background
    rim = _smoothstep(0.25, 0.75, nx) * cv.a * 0.12
    cv.atop(rim, (0.85, 0.88, 0.95))


# --------------------------------------------------------------------------------------------
# head: albedo painting, sculpted height field lighting, hair


@dataclass
class _HeadBuf:
    """Unlit premultiplied albedo + alpha, per-pixel light and additive specular for the head layer."""

    cv: _Canvas
    light: F32
    spec: F32

    def crop(self, x0: int, y0: int, w: int, h: int) -> _HeadBuf:
        sx, sy = x0 - self.cv.x0, y0 - self.cv.y0
        return _HeadBuf(
            self.cv.crop(x0, y0, w, h),
            self.light[sy : sy + h, sx : sx + w].copy(),
            self.spec[sy : sy + h, sx : sx + w].copy(),
        )

    def view(self, x0: int, y0: int, w: int, h: int) -> _HeadBuf:
        c = self.cv.view(x0, y0, w, h)
        sx, sy = c.x0 - self.cv.x0, c.y0 - self.cv.y0
        return _HeadBuf(c, self.light[sy : sy + c.h, sx : sx + c.w], self.spec[sy : sy + c.h, sx : sx + c.w])

    def lit(self) -> _Canvas:
        out = _Canvas.__new__(_Canvas)
        out.x0, out.y0, out.w, out.h = self.cv.x0, self.cv.y0, self.cv.w, self.cv.h
        out.X, out.Y = self.cv.X, self.cv.Y
        out.a = self.cv.a.copy()
        out.rgb = _f(self.cv.rgb * self.light + self.spec[..., None] * self.cv.a[..., None])
        return out


@dataclass(frozen=True)
class _Style:
    skin: F32
    hair: F32
    lip: F32
    iris: F32
    brow: F32
    look: Look


def _style(look: Look) -> _Style:
    skin = _rgb(look.skin)
    hair = _rgb(look.hair)
    lip = _f(np.clip(skin * _f((0.86, 0.58, 0.58)) + _f((0.08, 0.0, 0.01)), 0.0, 1.0))
    if _lum(hair) > 0.35:
        iris = _f((0.33, 0.42, 0.46))
    elif _lum(skin) > 0.6:
        iris = _f((0.36, 0.27, 0.16))
    else:
        iris = _f((0.26, 0.15, 0.08))
    brow = _f(np.minimum(hair * 0.85, 0.42))
    return _Style(skin, hair, lip, iris, brow, look)


def _hair_shapes(
    f: _Face, style: str
) -> tuple[list[tuple[float, float]], list[tuple[list[tuple[float, float]], list[tuple[float, float]], int, float]]]:
    """Hair silhouette (closed polygon, face units) and strand groups (root line, tip line, count, bulge)."""
    if style == "short":
        outer = [(-0.99, 0.02), (-1.05, -0.45), (-1.0, -0.95), (-0.75, -1.32), (-0.4, -1.5), (0.0, -1.55),
                 (0.4, -1.5), (0.75, -1.32), (1.0, -0.95), (1.05, -0.45), (0.99, 0.02)]  # fmt: skip
        inner = [(0.9, 0.02), (0.88, -0.45), (0.76, -0.66), (0.55, -0.76), (0.25, -0.82), (0.0, -0.83),
                 (-0.25, -0.82), (-0.55, -0.76), (-0.76, -0.66), (-0.88, -0.45), (-0.9, 0.02)]  # fmt: skip
        groups = [(list(reversed(inner)), outer, 520, 0.12)]
    elif style == "side_part":
        outer = [(-0.99, 0.0), (-1.06, -0.5), (-1.02, -1.0), (-0.78, -1.38), (-0.4, -1.58), (0.05, -1.64),
                 (0.5, -1.57), (0.86, -1.34), (1.06, -0.98), (1.1, -0.5), (1.0, 0.0)]  # fmt: skip
        inner = [(0.91, 0.0), (0.88, -0.42), (0.8, -0.56), (0.6, -0.66), (0.3, -0.76), (0.0, -0.82),
                 (-0.3, -0.84), (-0.55, -0.8), (-0.78, -0.66), (-0.88, -0.45), (-0.91, 0.0)]  # fmt: skip
        part = [(-0.42, -1.56), (-0.4, -1.2), (-0.42, -0.9)]
        groups = [
            ([part[0], part[1]] * 1, [(-1.05, -0.6), (-0.98, -1.1)], 120, 0.1),
            (part, [(-0.9, -0.45), (-0.78, -0.72), (-0.55, -0.88)], 90, 0.05),
            ([(-0.42, -1.58), (-0.4, -1.25), (-0.4, -0.95)],
             [(0.05, -1.64), (0.5, -1.57), (0.86, -1.34), (1.06, -0.98), (1.1, -0.5)], 360, 0.14),
            ([(-0.38, -1.0), (-0.3, -0.92)], [(0.3, -0.86), (0.6, -0.74), (0.85, -0.6), (0.95, -0.2)], 200, 0.1),
        ]  # fmt: skip
    elif style == "bun":
        outer = [(-0.93, 0.0), (-1.0, -0.4), (-0.98, -0.9), (-0.75, -1.28), (-0.4, -1.45), (0.0, -1.5),
                 (0.4, -1.45), (0.75, -1.28), (0.98, -0.9), (1.0, -0.4), (0.93, 0.0)]  # fmt: skip
        inner = [(0.87, 0.0), (0.86, -0.42), (0.74, -0.66), (0.5, -0.8), (0.2, -0.86), (0.0, -0.83),
                 (-0.2, -0.86), (-0.5, -0.8), (-0.74, -0.66), (-0.86, -0.42), (-0.87, 0.0)]  # fmt: skip
        groups = [
            (inner[5:], [(0.0, -1.5), (0.4, -1.45), (0.75, -1.28), (0.98, -0.9), (1.0, -0.4)], 330, 0.1),
            (inner[5::-1], [(0.0, -1.5), (-0.4, -1.45), (-0.75, -1.28), (-0.98, -0.9), (-1.0, -0.4)], 330, 0.1),
        ]
    else:  # long
        outer = [(-0.82, 2.2), (-1.02, 2.38), (-1.22, 2.42), (-1.42, 2.3), (-1.38, 1.6), (-1.2, 0.7),
                 (-1.12, -0.2), (-1.06, -0.9), (-0.8, -1.36), (-0.4, -1.56), (0.0, -1.6), (0.4, -1.56), (0.8, -1.36),
                 (1.06, -0.9), (1.12, -0.2), (1.2, 0.7), (1.38, 1.6), (1.42, 2.3), (1.22, 2.42), (1.02, 2.38),
                 (0.82, 2.2)]  # fmt: skip
        inner = [(0.74, 1.5), (0.84, 0.9), (0.88, 0.2), (0.84, -0.4), (0.64, -0.7), (0.3, -0.84), (0.0, -0.86),
                 (-0.3, -0.84), (-0.64, -0.7), (-0.84, -0.4), (-0.88, 0.2), (-0.84, 0.9), (-0.74, 1.5)]  # fmt: skip
        part = [(0.0, -1.6), (0.02, -1.25), (0.0, -0.86)]
        groups = [
            (part, [(-0.4, -1.56), (-0.8, -1.36), (-1.06, -0.9), (-1.12, -0.2)], 260, 0.1),
            (part, [(0.4, -1.56), (0.8, -1.36), (1.06, -0.9), (1.12, -0.2)], 260, 0.1),
            ([(-0.64, -0.7), (-1.06, -0.9)], [(-0.82, 2.2), (-1.02, 2.38), (-1.22, 2.42), (-1.42, 2.3)], 320, 0.08),
            ([(0.64, -0.7), (1.06, -0.9)], [(0.82, 2.2), (1.02, 2.38), (1.22, 2.42), (1.42, 2.3)], 320, 0.08),
        ]
    return outer + inner, groups


def _strand_paths(
    f: _Face,
    groups: Sequence[tuple[Sequence[tuple[float, float]], Sequence[tuple[float, float]], int, float]],
    rng: np.random.Generator,
) -> list[Points]:
    paths: list[Points] = []
    t = np.linspace(0.0, 1.0, 14)[:, None]
    centre = np.array([0.0, -0.4])
    for roots, tips, count, bulge in groups:
        rl = _spline(roots, n=20) if len(roots) > 2 else np.linspace(roots[0], roots[-1], 40)
        tl = _spline(tips, n=20) if len(tips) > 2 else np.linspace(tips[0], tips[-1], 40)
        for _ in range(count):
            s = rng.uniform(0.0, 1.0)
            a = rl[min(int(s * (len(rl) - 1) + rng.normal(0, 1.5)) % len(rl), len(rl) - 1)]
            b = tl[min(max(int(s * (len(tl) - 1) + rng.normal(0, 2.0)), 0), len(tl) - 1)]
            mid = (a + b) / 2
            out = mid - centre
            out /= max(float(np.linalg.norm(out)), 1e-6)
            c = mid + out * bulge * rng.uniform(0.6, 1.4) + rng.normal(0, 0.02, 2)
            bz = (1 - t) ** 2 * a + 2 * (1 - t) * t * c + t**2 * b
            paths.append(f.pts(bz))
    return paths


def _paint_hair(buf: _HeadBuf, f: _Face, st: _Style, rng: np.random.Generator, skin_n: tuple[F32, F32, F32]) -> None:
    cv = buf.cv
    u, v = f.uv(cv)
    look = st.look
    poly, groups = _hair_shapes(f, look.hair_style)
    hp = f.pts(_spline(poly, closed=True, n=8))
    m = cv.poly(hp, blur=0.9)
    if look.hair_style == "bun":
        bun = f.pts(_spline(_round_rect(0.0, -1.62, 0.4, 0.3, 0.28), closed=True, n=3))
        m = np.maximum(m, cv.poly(bun, blur=0.9))
    # contact shadow of the hair on forehead and temples
    shadow = _blur(_f(np.roll(m, int(0.05 * f.r), axis=0)), 0.07 * f.r)
    cv.mul(shadow * (1 - m) * 0.55, _f((0.55, 0.45, 0.42)))
    # volume: the hair mass as a pillow on top of the skull
    prof = _blur(m, 0.12 * f.r)
    dome = np.sqrt(np.clip(1.0 - u**2 / 1.25 - ((v + 0.5) / 1.35) ** 2, 0.0, 1.0))
    h = _blur(_f(prof * 0.35 + dome * 0.9), 0.02 * f.r)
    nx, ny, nz = _normals(h, f.r)
    paths = _strand_paths(f, groups, rng)
    vals = rng.integers(40, 216, len(paths)).tolist()
    tex = cv.lines(paths, thickness=1, values=vals)
    tex = _blur(tex, 0.6) * 0.85 + _blur(tex, 2.5) * 0.5
    dark = _lum(st.hair) < 0.2
    albedo = st.hair[None, None, :] * (1.0 + tex[..., None] * (0.45 if dark else 0.3))
    lit = _light(nx, ny, nz, (0.34, 0.3, 0.3), (0.78, 0.74, 0.7), (0.12, 0.12, 0.15), 0.3)
    sheen = _spec(nx, ny, nz, 6.0) * np.clip(0.55 + tex * 0.8, 0.0, 1.5)
    sheen_amt = 0.22 if dark else 0.16
    # edge darkening reads as hair thinning out towards the silhouette
    edge = 0.65 + 0.35 * np.clip((_blur(m, 0.04 * f.r) - 0.5) * 2.2, 0.0, 1.0)
    mm = m[..., None]
    cv.rgb += (albedo * edge[..., None] - cv.rgb) * mm
    cv.a += (1.0 - cv.a) * m
    buf.light += (lit - buf.light) * mm
    buf.spec += (sheen * sheen_amt - buf.spec) * m
    # a few flyaways break the too-perfect silhouette
    fly = []
    for _ in range(14):
        k = rng.integers(0, len(hp) // 2)
        a = hp[k]
        d = a - np.array(f.p(0, -0.3))
        d /= np.linalg.norm(d)
        tng = np.array([-d[1], d[0]]) * rng.choice([-1.0, 1.0])
        pts = [a - d * 0.02 * f.r, a + d * 0.03 * f.r + tng * 0.12 * f.r, a + d * 0.02 * f.r + tng * 0.25 * f.r]
        fly.append(_spline(pts, n=6))
    fm = cv.lines(fly, thickness=1) * 0.35
    cv.over(fm, st.hair * 1.2)
    buf.light += (lit - buf.light) * fm[..., None]
    del skin_n


def _paint_ears(cv: _Canvas, f: _Face, st: _Style, u: F32, v: F32) -> F32:
    m_all = np.zeros_like(u)
    for sgn in (-1.0, 1.0):
        ear = [(sgn * 0.9, -0.2), (sgn * 1.02, -0.3), (sgn * 1.12, -0.24), (sgn * 1.16, -0.04), (sgn * 1.12, 0.17),
               (sgn * 1.05, 0.32), (sgn * 0.97, 0.4), (sgn * 0.9, 0.32)]  # fmt: skip
        m = cv.poly(f.pts(_spline(ear, closed=True, n=6)), blur=0.8)
        col = st.skin * _f((0.97, 0.9, 0.88))
        cv.over(m, col)
        concha = _gauss(u, v, sgn * 1.03, 0.04, 0.05, 0.12)
        cv.mul(concha * m * 0.6, _f((0.6, 0.42, 0.4)))
        rim = _gauss(u, v, sgn * 1.1, -0.05, 0.03, 0.16)
        cv.mul(rim * m * 0.3, _f((1.2, 1.15, 1.1)))
        m_all = np.maximum(m_all, m)
    return m_all


def _paint_brows(cv: _Canvas, f: _Face, st: _Style, rng: np.random.Generator) -> None:
    for sgn in (-1.0, 1.0):
        base = [(sgn * 0.17, -0.28), (sgn * 0.3, -0.34), (sgn * 0.46, -0.37), (sgn * 0.6, -0.33), (sgn * 0.7, -0.27)]
        if f.fem:
            base = [(sgn * 0.17, -0.3), (sgn * 0.32, -0.36), (sgn * 0.48, -0.4), (sgn * 0.6, -0.36), (sgn * 0.7, -0.29)]
        path = f.pts(_spline(base, n=12))
        n = len(path)
        s = np.linspace(0.0, 1.0, n)
        thick = (0.068 if not f.fem else 0.045) * (1.0 - 0.75 * s**1.3) * f.r
        body = cv.poly(_ribbon(path, thick), blur=0.03 * f.r)
        cv.atop(body * (0.8 if not f.fem else 0.65), st.brow)
        hairs = []
        d = np.gradient(path, axis=0)
        d /= np.linalg.norm(d, axis=1, keepdims=True)
        for _ in range(140 if not f.fem else 110):
            k = rng.integers(0, n - 1)
            w = thick[k]
            nrm = np.array([-d[k, 1], d[k, 0]]) * sgn
            p0 = path[k] + nrm * rng.uniform(-0.5, 0.5) * w
            # inner hairs grow upwards, the rest lie along the arch
            ang = 1.0 - s[k]
            dirv = d[k] * sgn * (0.4 + 0.6 * (1 - ang)) - nrm * sgn * (ang * 0.9 + 0.15)
            dirv = dirv / np.linalg.norm(dirv) * sgn
            ln = (0.05 + 0.05 * rng.random()) * f.r * (1.0 - 0.4 * s[k])
            hairs.append(np.array([p0 - dirv * ln * 0.5, p0 + dirv * ln * 0.5]))
        hm = cv.lines(hairs, thickness=1)
        cv.atop(_blur(hm, 0.5) * 0.55, st.brow * 0.7)


def _segments(
    f: _Face,
    u: npt.NDArray[np.float64],
    v: npt.NDArray[np.float64],
    ang: npt.NDArray[np.float64],
    ln: npt.NDArray[np.float64],
) -> list[Points]:
    """Short straight hair strokes from (u, v) along ``ang``, converted to pixels in one go."""
    ends = np.stack([u, v, u + np.cos(ang) * ln, v + np.sin(ang) * ln], axis=1).reshape(-1, 2)
    return list(f.pts(ends).reshape(-1, 2, 2))


def _paint_beard(cv: _Canvas, f: _Face, st: _Style, rng: np.random.Generator, u: F32, v: F32) -> None:
    right = [(0.0, 1.16), (0.32, 1.13), (0.62, 1.0), (0.86, 0.74), (0.95, 0.4), (0.96, 0.05), (0.88, 0.05),
             (0.8, 0.35), (0.6, 0.52), (0.42, 0.66), (0.34, 0.72), (0.2, 0.8), (0.0, 0.78)]  # fmt: skip
    region = right + [(-x, y) for (x, y) in reversed(right[1:-1])]
    m = cv.poly(f.pts(_spline(region, closed=True, n=6)), blur=0.07 * f.r)
    m *= 1.0 - 0.7 * _smoothstep(0.55, 0.98, _f(np.abs(u))) * _smoothstep(0.6, 0.2, v)
    n = 2600
    uu, vv = rng.uniform(-1.0, 1.0, n), rng.uniform(0.0, 1.2, n)
    ang = np.arctan2(1.0, -uu * 0.8) + rng.normal(0, 0.35, n)
    ln = rng.uniform(0.025, 0.05, n)
    strokes = _segments(f, uu, vv, ang, ln)
    vals = rng.integers(20, 236, n).tolist()
    tex = cv.lines(strokes, thickness=1, values=vals)
    col = _mix(st.hair, st.skin * 0.5, 0.25)[None, None, :] * (1.0 + _blur(tex, 0.5)[..., None] * 0.9)
    cv.atop(m * (0.72 + 0.18 * _smoothstep(0.75, 1.05, v)), col)
    shadow = _blur(m, 0.05 * f.r)
    cv.mul(shadow * 0.25, 0.7)


def _skin_height(f: _Face, u: F32, v: F32, m_face: F32) -> F32:
    # a blurred silhouette is a crease-free "inflated" surface (a distance transform leaves ridges)
    prof = _blur(m_face, 0.2 * f.r)
    dome = np.sqrt(np.clip(1.0 - u * u / 1.3 - ((v + 0.05) / 1.55) ** 2, 0.0, 1.0))
    h = prof * (0.35 + 0.65 * dome)
    g = _gauss
    h -= 0.1 * (g(u, v, -0.4, -0.08, 0.24, 0.14) + g(u, v, 0.4, -0.08, 0.24, 0.14))
    h += 0.05 * (g(u, v, -0.42, -0.3, 0.25, 0.06) + g(u, v, 0.42, -0.3, 0.25, 0.06))
    ridge = g(u, v, 0.0, 0.0, 0.065, 10.0) * _smoothstep(-0.25, 0.3, v) * _smoothstep(0.42, 0.3, v)
    h += 0.2 * ridge
    h += 0.12 * g(u, v, 0.0, 0.3, 0.085, 0.07)
    h += 0.07 * (g(u, v, -0.12, 0.34, 0.055, 0.05) + g(u, v, 0.12, 0.34, 0.055, 0.05))
    h += 0.07 * (g(u, v, -0.55, 0.12, 0.17, 0.11) + g(u, v, 0.55, 0.12, 0.17, 0.11))
    h -= 0.05 * (g(u, v, -0.66, 0.5, 0.14, 0.16) + g(u, v, 0.66, 0.5, 0.14, 0.16))
    h -= 0.04 * (g(u, v, -0.85, -0.45, 0.12, 0.2) + g(u, v, 0.85, -0.45, 0.12, 0.2))
    h += 0.08 * g(u, v, 0.0, 0.62, 0.32, 0.2)
    h += 0.07 * g(u, v, 0.0, 0.96, 0.22, 0.1)
    h -= 0.03 * g(u, v, 0.0, 0.82, 0.2, 0.04)
    return _blur(_f(h), 0.012 * f.r)


def _build_head(f: _Face, st: _Style, cv: _Canvas, rng: np.random.Generator) -> _HeadBuf:
    look = st.look
    u, v = f.uv(cv)
    light = np.zeros((cv.h, cv.w, 3), np.float32)
    spec = np.zeros((cv.h, cv.w), np.float32)
    buf = _HeadBuf(cv, light, spec)

    if look.hair_style == "bun":
        bun = f.pts(_spline(_round_rect(0.0, -1.62, 0.4, 0.3, 0.28), closed=True, n=3))
        cv.over(cv.poly(bun, blur=0.9), st.hair)

    m_ears = _paint_ears(cv, f, st, u, v)
    m_face = cv.poly(f.pts(_spline(f.outline(), closed=True, n=10)), blur=0.7)
    # albedo: base skin with the warm / cool zones a painter would put in
    alb = np.broadcast_to(st.skin, (cv.h, cv.w, 3)).copy()
    red = _f((1.04, 0.82, 0.8))
    zones = (0.28 * (_gauss(u, v, -0.5, 0.24, 0.2, 0.16) + _gauss(u, v, 0.5, 0.24, 0.2, 0.16))
             + 0.22 * _gauss(u, v, 0.0, 0.3, 0.1, 0.08) + 0.12 * _gauss(u, v, 0.0, 0.75, 0.3, 0.25))  # fmt: skip
    alb *= 1.0 - zones[..., None] * (1.0 - red)
    alb *= (1.0 + 0.04 * _gauss(u, v, 0.0, -0.7, 0.5, 0.25))[..., None]
    under = _gauss(u, v, -0.4, 0.04, 0.15, 0.05) + _gauss(u, v, 0.4, 0.04, 0.15, 0.05)
    alb *= 1.0 - (under * 0.12)[..., None] * (1.0 - _f((0.8, 0.78, 0.86)))
    mottle = _blur(_f(rng.normal(0, 1, (cv.h, cv.w))), 0.06 * f.r) * 4.0
    alb *= (1.0 + 0.015 * mottle)[..., None]
    if look.beard:
        alb *= 1.0 - (0.12 * _gauss(u, v, 0.0, 0.8, 0.6, 0.35))[..., None]
    cv.over(m_face, alb)

    h = _skin_height(f, u, v, m_face)
    nx, ny, nz = _normals(h, f.r * 1.15)
    skin_light = _light(nx, ny, nz, (0.4, 0.35, 0.34), (0.74, 0.73, 0.7), (0.1, 0.11, 0.13), 0.4)
    cav = np.clip(_blur(h, 0.12 * f.r) - h, 0.0, None)
    skin_light *= (1.0 - np.clip(cav * 3.5, 0.0, 0.4))[..., None]
    # ears: their own little relief, slightly more translucent-red in the shadows
    eh = _blur(m_ears, 0.05 * f.r) * 0.25
    enx, eny, enz = _normals(_f(eh), f.r)
    ear_light = _light(enx, eny, enz, (0.4, 0.33, 0.32), (0.5, 0.5, 0.49), (0.08, 0.08, 0.1), 0.5)
    light[:] = ear_light * (1 - m_face[..., None]) + skin_light * m_face[..., None]
    sheen = 0.13 if _lum(st.skin) < 0.4 else 0.08
    spec[:] = _spec(nx, ny, nz, 26.0) * sheen * m_face
    spec += 0.05 * _gauss(u, v, -0.06, 0.26, 0.035, 0.03)

    # the underside of the jaw turns away from the light: a soft band defines the jawline
    jaw_band = (1.0 - _blur(m_face, 0.07 * f.r)) * m_face * _smoothstep(0.35, 0.75, v)
    cv.mul(_f(np.clip(jaw_band * 2.2, 0.0, 1.0)) * 0.3, _f((0.72, 0.62, 0.6)))
    # nose: nostrils, alar creases, cast shadow under the tip
    for sgn in (-1.0, 1.0):
        nos = f.pts(_spline(_round_rect(sgn * 0.072, 0.388, 0.034, 0.016, 0.015), closed=True, n=3))
        cv.mul(cv.poly(nos, blur=0.015 * f.r) * 0.6, _f((0.4, 0.25, 0.23)))
        crease = f.pts(_spline([(sgn * 0.12, 0.26), (sgn * 0.16, 0.32), (sgn * 0.15, 0.38), (sgn * 0.1, 0.41)]))
        cv.mul(_blur(cv.lines([crease], thickness=2), 0.012 * f.r) * 0.3, 0.6)
    cv.mul(_gauss(u, v, 0.04, 0.45, 0.1, 0.03) * 0.35, _f((0.75, 0.62, 0.6)))
    cv.mul(_gauss(u, v, 0.12, 0.0, 0.05, 0.2) * _smoothstep(-0.15, 0.1, v) * 0.15, 0.75)
    # philtrum
    for sgn in (-1.0, 1.0):
        cv.mul(_gauss(u, v, sgn * 0.035, 0.5, 0.015, 0.05) * 0.12, 0.8)

    _paint_brows(cv, f, st, rng)
    if look.beard:
        _paint_beard(cv, f, st, rng, u, v)
    _paint_hair(buf, f, st, rng, (nx, ny, nz))
    return buf


# --------------------------------------------------------------------------------------------
# animated features: eyes (blink) and mouth (opening, smile, jaw drop)


def _eye_curves(f: _Face, sgn: float) -> tuple[Points, Points]:
    k = 1.06 if f.fem else 1.0
    cu, cv_ = 0.405, -0.075
    up = [(0.21, -0.058), (0.28, -0.118), (0.4, -0.145), (0.53, -0.13), (0.61, -0.088)]
    lo = [(0.21, -0.058), (0.3, -0.028), (0.42, -0.016), (0.54, -0.034), (0.61, -0.088)]
    upper = np.array([(sgn * (cu + (x - cu) * k), cv_ + (y - cv_) * k) for x, y in up])
    lower = np.array([(sgn * (cu + (x - cu) * k), cv_ + (y - cv_) * k) for x, y in lo])
    return _spline(upper, n=8), _spline(lower, n=8)


def _paint_eyes(buf: _HeadBuf, f: _Face, st: _Style, blink: float) -> None:
    cv = buf.cv
    u, v = f.uv(cv)
    for sgn in (-1.0, 1.0):
        upper_open, lower = _eye_curves(f, sgn)
        closed = (
            lower
            + np.array([0.0, -0.012])
            + np.array([0.0, 0.02]) * np.sin(np.linspace(0, math.pi, len(lower)))[:, None]
        )
        upper = _lerp_pts(upper_open, closed, blink)
        ic = (sgn * 0.405, -0.072)
        # lid crease and the soft shadow of the brow bone
        crease = upper_open + np.array([0.0, -0.055 + 0.03 * blink])
        cm = cv.lines([f.pts(crease[2:-1])], thickness=2)
        cv.mul(_blur(cm, 0.025 * f.r) * (0.35 - 0.15 * blink), _f((0.62, 0.5, 0.5)))
        cv.mul(_gauss(u, v, ic[0], -0.14, 0.2, 0.05) * 0.18, _f((0.8, 0.72, 0.72)))
        opening = np.vstack([upper, lower[::-1]])
        om = cv.poly(f.pts(opening), blur=0.006 * f.r) if blink < 0.995 else np.zeros_like(u)
        if om.max() > 0:
            sclera = _f((0.84, 0.81, 0.78))
            top_shadow = _smoothstep(0.07, 0.0, _f(v - np.interp(u * sgn, upper[:, 0] * sgn, upper[:, 1])))
            corner = _gauss(u, v, sgn * 0.22, -0.055, 0.04, 0.04)
            eye_col = np.broadcast_to(sclera, (cv.h, cv.w, 3)) * (1.0 - 0.5 * top_shadow[..., None])
            eye_col = eye_col * (1.0 - corner[..., None] * (1.0 - _f((0.85, 0.55, 0.55))))
            r = np.sqrt((u - ic[0]) ** 2 + (v - ic[1]) ** 2)
            ir = 0.078 * (1.04 if f.fem else 1.0)
            ang = np.arctan2(v - ic[1], u - ic[0])
            fibres = 0.85 + 0.15 * np.sin(ang * 23.0) * np.sin(ang * 7.0 + 1.0)
            iris_col = (
                st.iris[None, None, :]
                * ((0.65 + 0.6 * _smoothstep(ir, ir * 0.35, _f(r))) * fibres * (1.0 - 0.35 * top_shadow))[..., None]
            )
            limbal = _smoothstep(ir * 0.75, ir, _f(r))
            iris_col *= (1.0 - 0.55 * limbal)[..., None]
            iris_m = _smoothstep(ir + 0.004, ir - 0.004, _f(r))
            pupil_m = _smoothstep(0.034, 0.026, _f(r))
            eye_col = eye_col * (1 - iris_m[..., None]) + iris_col * iris_m[..., None]
            eye_col = eye_col * (1 - pupil_m[..., None]) + _f((0.03, 0.025, 0.025)) * pupil_m[..., None]
            cv.rgb += (eye_col * cv.a[..., None] - cv.rgb) * om[..., None]
            # eyeballs are shiny but recessed: flatten the skin light there
            buf.light += (_f((0.92, 0.9, 0.9)) * (0.45 + 0.5 * buf.light.mean(axis=2, keepdims=True)) - buf.light) * om[
                ..., None
            ]
            buf.spec *= 1.0 - om
            cl = _gauss(u, v, ic[0] - 0.028, ic[1] - 0.03, 0.011, 0.011) * 0.9
            cl += _gauss(u, v, ic[0] + 0.03, ic[1] + 0.03, 0.02, 0.012) * 0.12
            buf.spec += cl * om
        # upper lash line: tapered, with a small flick past the outer corner
        n = len(upper)
        s = np.linspace(0.0, 1.0, n)
        wline = (0.008 + 0.018 * np.sin(np.clip(s * 1.15, 0, 1) * math.pi * 0.85) + 0.008 * s) * f.r * (1 - 0.3 * blink)
        lash_path = np.vstack([upper, upper[-1] + np.array([sgn * 0.04, -0.018 - 0.01 * (1 - blink)])])
        wline = np.append(wline, 0.004 * f.r)
        lm = cv.poly(_ribbon(f.pts(lash_path), wline), blur=0.004 * f.r)
        lash_col = _f((0.07, 0.05, 0.045))
        cv.atop(lm * 0.9, lash_col)
        if f.fem:
            strokes = []
            for k in range(n // 3, n, 2):
                p = upper[k]
                d = np.array([sgn * 0.3 * (s[k] + 0.2), -1.0 + 1.6 * blink])
                d /= np.linalg.norm(d)
                strokes.append(f.pts([p, p + d * 0.035]))
            cv.atop(_blur(cv.lines(strokes, thickness=1), 0.3) * 0.7, lash_col)
        # lower lid: moist rim and a faint lash line
        lw = cv.lines([f.pts(lower[2:-2] + np.array([0.0, 0.006]))], thickness=2)
        cv.atop(_blur(lw, 0.5) * 0.35 * (1 - blink), st.skin * _f((1.05, 0.8, 0.78)))
        ll = cv.lines([f.pts(lower[3:] + np.array([0.0, 0.016]))], thickness=1)
        cv.mul(_blur(ll, 0.6) * 0.3, 0.6)
        if blink > 0.02:
            # the closing lid is a convex skin surface: a touch of highlight on it
            lid = np.vstack([upper_open, upper[::-1]])
            lm2 = cv.poly(f.pts(lid), blur=0.01 * f.r)
            buf.light *= (1.0 + 0.06 * lm2)[..., None]


def _mouth_geometry(f: _Face, o: float, sm: float) -> dict[str, Points]:
    y0 = _MOUTH_Y
    w = (0.25 if f.fem else 0.265) * (1.0 - 0.12 * o) + 0.035 * sm
    cy = y0 - 0.028 * sm + 0.012 * o
    up = 0.02 * o
    dn = 0.15 * o
    full = 0.012 if f.fem else 0.0
    inner_up = [(-w, cy), (-0.55 * w, y0 - up * 0.85 + 0.003), (0.0, y0 - up + 0.004),
                (0.55 * w, y0 - up * 0.85 + 0.003), (w, cy)]  # fmt: skip
    inner_lo = [(-w, cy), (-0.55 * w, y0 + dn * 0.85 + 0.002), (0.0, y0 + dn + 0.002),
                (0.55 * w, y0 + dn * 0.85 + 0.002), (w, cy)]  # fmt: skip
    outer_up = [(-w - 0.012, cy), (-0.55 * w, y0 - 0.05 - up - full), (-0.11, y0 - 0.074 - up - full),
                (0.0, y0 - 0.055 - up - full * 0.6), (0.11, y0 - 0.074 - up - full), (0.55 * w, y0 - 0.05 - up - full),
                (w + 0.012, cy)]  # fmt: skip
    outer_lo = [(-w - 0.012, cy), (-0.6 * w, y0 + dn + 0.07 + full), (0.0, y0 + dn + 0.092 + full * 1.3),
                (0.6 * w, y0 + dn + 0.07 + full), (w + 0.012, cy)]  # fmt: skip
    return {
        "inner_up": _spline(inner_up, n=8),
        "inner_lo": _spline(inner_lo, n=8),
        "outer_up": _spline(outer_up, n=6),
        "outer_lo": _spline(outer_lo, n=8),
        "corners": np.array([(-w, cy), (w, cy)]),
    }


def _jaw_warp(buf: _HeadBuf, f: _Face, o: float) -> None:
    """Drop the chin with the opening: a smooth vertical displacement of the lower face, alpha included."""
    if o <= 0:
        return
    cv = buf.cv
    u, v = f.uv(cv)
    drop = 0.09 * o * f.r
    wgt = _smoothstep(0.6, 1.05, _f(1.0 - np.abs(u) + 0.1)) * _smoothstep(_MOUTH_Y - 0.02, _MOUTH_Y + 0.35, v)
    wgt = _f(np.maximum(wgt, _smoothstep(1.0, 1.2, v) * _smoothstep(1.1, 0.7, _f(np.abs(u)))))
    mx = cv.X - cv.x0
    my = cv.Y - cv.y0 - drop * wgt
    mx, my = _f(mx), _f(my)

    def rm(img: F32) -> F32:
        return _f(cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE))

    cv.rgb = rm(cv.rgb)
    cv.a = rm(cv.a)
    buf.light = rm(buf.light)
    buf.spec = rm(buf.spec)


def _paint_mouth(buf: _HeadBuf, f: _Face, st: _Style, o: float, sm: float) -> None:
    cv = buf.cv
    u, v = f.uv(cv)
    g = _mouth_geometry(f, o, sm)
    lip = st.lip
    # smile lines and the shadow pocket under the lower lip
    for sgn in (-1.0, 1.0):
        fold = f.pts(_spline([(sgn * 0.17, 0.4), (sgn * 0.3, 0.52), (sgn * (0.36 + 0.03 * sm), 0.68 + 0.02 * o)]))
        cv.mul(_blur(cv.lines([fold], thickness=3), 0.05 * f.r) * (0.06 + 0.12 * sm), _f((0.7, 0.58, 0.56)))
    below = _gauss(u, v, 0.0, _MOUTH_Y + 0.15 * o + 0.13, 0.15, 0.03)
    cv.mul(below * 0.35, _f((0.7, 0.58, 0.55)))
    upper = np.vstack([g["outer_up"], g["inner_up"][::-1]])
    lower = np.vstack([g["inner_lo"], g["outer_lo"][::-1]])
    # vermilion border halo so the lips sit in the skin rather than on it
    halo = cv.poly(f.pts(np.vstack([g["outer_up"], g["outer_lo"][::-1]])), blur=0.03 * f.r)
    cv.atop(halo * 0.25, lip * 1.05)
    um = cv.poly(f.pts(upper), blur=0.008 * f.r)
    lm = cv.poly(f.pts(lower), blur=0.012 * f.r)
    lip_v = _smoothstep(0.55, 0.72, v)
    cv.atop(um * 0.92, lip * 0.8 * (0.92 + 0.1 * lip_v)[..., None])
    lo_shade = 1.0 - 0.25 * _smoothstep(0.0, 0.09, _f(v - _MOUTH_Y - 0.15 * o))
    cv.atop(lm * 0.92, lip * (1.02 * lo_shade)[..., None])
    buf.spec += lm * _gauss(u, v, -0.05, _MOUTH_Y + 0.15 * o + 0.045, 0.08, 0.018) * 0.22
    buf.spec += um * _gauss(u, v, -0.08, 0.585 - 0.02 * o, 0.05, 0.01) * 0.08
    inner = np.vstack([g["inner_up"], g["inner_lo"][::-1]])
    if o > 0.02:
        im = cv.poly(f.pts(inner), blur=0.006 * f.r)
        depth = _smoothstep(0.0, 0.12, _f(0.12 - np.abs(u)))
        interior = _f((0.26, 0.09, 0.09)) * (1.0 - 0.5 * depth)[..., None]
        tongue = _gauss(u, v, 0.0, _MOUTH_Y + 0.15 * o, 0.14, 0.04) * _smoothstep(0.35, 0.8, _f(np.full_like(u, o)))
        interior = interior * (1 - tongue[..., None]) + _f((0.55, 0.24, 0.24)) * tongue[..., None] * 0.8
        cv.atop(im, interior)
        th = 0.04 * float(np.clip((o - 0.25) / 0.45, 0.0, 1.0))
        if th > 0:
            iu = g["inner_up"]
            w = float(np.abs(iu[0, 0]))
            tpath = iu[np.abs(iu[:, 0]) < 0.72 * w]
            teeth = np.vstack([tpath, (tpath + np.array([0.0, th]))[::-1]])
            tm = cv.poly(f.pts(teeth), blur=0.006 * f.r) * im
            side = 1.0 - 0.45 * _smoothstep(0.05, 0.75 * w, _f(np.abs(u)))
            cv.atop(tm, _f((0.92, 0.88, 0.8)) * side[..., None])
            gap = cv.lines([f.pts([(0.0, 0.6), (0.0, 0.66)])], thickness=1)
            cv.mul(_f(gap * tm * 0.25), 0.7)
        buf.light += (_f((0.9, 0.88, 0.88)) - buf.light) * im[..., None] * 0.5
    else:
        seam = cv.lines([f.pts(g["inner_up"])], thickness=2)
        cv.mul(_blur(seam, 0.008 * f.r) * 0.55, _f((0.35, 0.18, 0.18)))
    corners = g["corners"]
    for cu, cvv in corners:
        cv.mul(_gauss(u, v, float(cu), float(cvv), 0.022, 0.016) * 0.45, _f((0.5, 0.36, 0.35)))
    if st.look.beard:
        # the moustache sits on top of the upper lip
        rng = np.random.default_rng(7)
        n = 420
        uu = rng.uniform(-0.34, 0.34, n)
        top = 0.44 + 0.08 * np.abs(uu) ** 1.2
        bottom = 0.575 - 0.02 * o - 0.1 * np.maximum(np.abs(uu) - 0.15, 0.0)
        vv = top + (bottom - top) * rng.uniform(0.0, 1.0, n)
        strokes = _segments(f, uu, vv, np.arctan2(1.0, uu * 2.2), np.full(n, 0.04))
        vals = rng.integers(20, 236, n).tolist()
        tex = cv.lines(strokes, thickness=1, values=vals)
        region = [(-0.36, 0.6), (-0.2, 0.45), (0.0, 0.43), (0.2, 0.45), (0.36, 0.6), (0.12, 0.57 - 0.02 * o),
                  (0.0, 0.57 - 0.02 * o), (-0.12, 0.57 - 0.02 * o)]  # fmt: skip
        mm = cv.poly(f.pts(_spline(region, closed=True, n=5)), blur=0.025 * f.r)
        cv.atop(mm * 0.9, st.hair[None, None, :] * (1.0 + _blur(tex, 0.5)[..., None] * 0.8))


def _paint_glasses(cv: _Canvas, f: _Face) -> None:
    """Thin dark frames, painted after lighting: they have their own small highlights and cast a soft shadow."""
    frame_col = _f((0.1, 0.08, 0.08))
    rims = []
    for sgn in (-1.0, 1.0):
        rims.append(f.pts(_spline(_round_rect(sgn * 0.42, -0.065, 0.255, 0.16, 0.08), closed=True, n=3)))
    bridge = f.pts(_spline([(-0.15, -0.1), (-0.07, -0.14), (0.07, -0.14), (0.15, -0.1)], n=6))
    temples = [f.pts([(sgn * 0.69, -0.13), (sgn * 0.99, -0.12)]) for sgn in (-1.0, 1.0)]
    thick = max(2, round(0.024 * f.r))
    frame = np.zeros((cv.h, cv.w), np.float32)
    for path in [*rims]:
        frame = np.maximum(frame, cv.lines([np.vstack([path, path[:1]])], thickness=thick))
    frame = np.maximum(frame, cv.lines([bridge], thickness=thick))
    frame = np.maximum(frame, cv.lines(temples, thickness=max(2, thick - 1)))
    shadow = _blur(_f(np.roll(np.roll(frame, int(0.05 * f.r), axis=0), int(0.03 * f.r), axis=1)), 0.03 * f.r)
    cv.rgb *= (1.0 - 0.35 * shadow)[..., None]
    u, v = f.uv(cv)
    for sgn, path in zip((-1.0, 1.0), rims, strict=True):
        lens = cv.poly(path)
        refl = _smoothstep(0.02, 0.0, _f(np.abs((u - sgn * 0.42) * 0.7 + (v + 0.06) - 0.02))) * 0.07
        cv.rgb += (lens * refl)[..., None] * cv.a[..., None]
    shine = np.clip(1.0 - (v + 0.2) * 2.0, 0.3, 1.0)
    cv.over(frame, frame_col * (1.0 + 1.2 * (shine[..., None] - 0.3)))


# --------------------------------------------------------------------------------------------


def _down(rgb: F32, a: F32) -> tuple[F32, F32]:
    h, w = a.shape
    size = (w // _SS, h // _SS)
    return (
        _f(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)),
        _f(cv2.resize(a, size, interpolation=cv2.INTER_AREA)),
    )


def _even(x: float) -> int:
    return math.floor(x / 2.0) * 2


class HeadRenderer:
    """Renders frames of one interviewer persona; all heavy painting happens in ``__init__``.

    ``frame`` parameters: ``mouth`` 0 (closed) .. 1 (wide open), ``blink`` 0 (open) .. 1 (closed),
    ``yaw`` (positive turns the face towards image right), ``pitch`` (positive nods down) and ``roll``
    (positive tilts counter-clockwise) in degrees, meant for small values (|x| <= 4), ``smile`` 0..1.
    """

    def __init__(self, look: Look, width: int = 640, height: int = 360) -> None:
        if width < 64 or height < 64:
            raise ValueError("frame too small")
        self.look = look
        self.width, self.height = width, height
        rng = np.random.default_rng(_seed(look))
        fem = look.hair_style in ("bun", "long") and not look.beard
        W2, H2 = width * _SS, height * _SS
        face = _Face(cx=W2 / 2.0, cy=H2 * 0.355, r=H2 * 0.18, fem=fem)
        self._face = face
        st = _style(look)

        bg = _background(look.background, width, height, rng)
        body_y0 = _even(face.cy + 0.1 * face.r)
        bx0 = max(0, _even(face.cx - 3.4 * face.r))
        bx1 = min(W2, _even(face.cx + 3.4 * face.r) + 2)
        body = _Canvas(bx0, body_y0, bx1 - bx0, H2 - body_y0)
        _paint_body(body, face, look, rng)
        brgb, ba = _down(body.rgb, body.a)
        by, bx = body_y0 // _SS, bx0 // _SS
        plate = bg.copy()
        pv = plate[by:, bx : bx + ba.shape[1]]
        pv[:] = pv * (1.0 - ba[..., None]) + brgb
        grain = _f(rng.normal(0.0, 0.012, (height, width, 1))) * (0.6 + 0.4 * plate.mean(axis=2, keepdims=True))
        plate = np.clip(plate + grain, 0.0, 1.0)
        self._plate = _f(plate * 255.0)
        self._plate_u8 = np.ascontiguousarray(np.round(self._plate).astype(np.uint8))

        # head layer window, in supersampled pixels, generous so rotation never clips
        bottom = 3.0 if look.hair_style == "long" else 1.7
        hx0 = max(0, _even(face.cx - 1.75 * face.r))
        hx1 = min(W2, _even(face.cx + 1.75 * face.r) + 2)
        hy0 = max(0, _even(face.cy - 2.1 * face.r))
        hy1 = min(H2, _even(face.cy + bottom * face.r) + 2)
        head = _Canvas(hx0, hy0, hx1 - hx0, hy1 - hy0)
        buf = _build_head(face, st, head, rng)
        self._hx, self._hy = hx0 // _SS, hy0 // _SS
        hh, hw = head.h // _SS, head.w // _SS

        def finish(b: _HeadBuf, glasses: bool = look.glasses) -> npt.NDArray[np.float32]:
            litc = b.lit()
            if glasses:
                _paint_glasses(litc, face)
            rgb, a = _down(litc.rgb, litc.a)
            return _f(np.dstack([rgb * 255.0, a]))

        base = finish(buf)
        hgrain = _f(rng.normal(0.0, 0.007 * 255.0, (hh, hw, 1))) * base[..., 3:4]
        self._grain = hgrain
        base[..., :3] += hgrain
        self._head = base

        # eye and mouth regions (supersampled px, even), padded so blurs don't see the crop edge
        def region(u0: float, v0: float, u1: float, v1: float) -> tuple[int, int, int, int]:
            x0 = max(hx0, _even(face.cx + u0 * face.r))
            y0 = max(hy0, _even(face.cy + v0 * face.r))
            x1 = min(hx1, _even(face.cx + u1 * face.r) + 2)
            y1 = min(hy1, _even(face.cy + v1 * face.r) + 2)
            return x0, y0, x1 - x0, y1 - y0

        pad = _even(0.2 * face.r) + 2
        ex0, ey0, ew, eh = region(-0.78, -0.27, 0.78, 0.08)
        mx0, my0, mw, mhh = region(-1.02, 0.36, 1.02, 1.42)
        self._eye_box = ((ey0 - hy0) // _SS, (ex0 - hx0) // _SS, eh // _SS, ew // _SS)
        self._mouth_box = ((my0 - hy0) // _SS, (mx0 - hx0) // _SS, mhh // _SS, mw // _SS)

        def variant(x0: int, y0: int, w: int, h: int, paint: object, glasses: bool) -> F32:
            px0, py0 = max(hx0, x0 - pad), max(hy0, y0 - pad)
            px1, py1 = min(hx1, x0 + w + pad), min(hy1, y0 + h + pad)
            b = buf.crop(px0, py0, px1 - px0, py1 - py0)
            assert callable(paint)
            paint(b)
            img = finish(b, glasses)
            oy, ox = (y0 - py0) // _SS, (x0 - px0) // _SS
            out = img[oy : oy + h // _SS, ox : ox + w // _SS].copy()
            gy, gx = (y0 - hy0) // _SS, (x0 - hx0) // _SS
            out[..., :3] += hgrain[gy : gy + h // _SS, gx : gx + w // _SS] * (out[..., 3:4] > 0)
            return out

        self._eyes = [
            variant(ex0, ey0, ew, eh, lambda b, t=i / (_BLINK_STEPS - 1): _paint_eyes(b, face, st, t), look.glasses)
            for i in range(_BLINK_STEPS)
        ]

        def mouth_painter(o: float, sm: float) -> object:
            def paint(b: _HeadBuf) -> None:
                _jaw_warp(b, face, o)
                x0, y0 = face.p(-0.62, 0.36)
                x1, y1 = face.p(0.62, 1.12)
                _paint_mouth(b.view(int(x0), int(y0), int(x1 - x0), int(y1 - y0)), face, st, o, sm)

            return paint

        self._mouths = [
            [variant(mx0, my0, mw, mhh, mouth_painter(i / (_MOUTH_STEPS - 1), j / (_SMILE_STEPS - 1)), False)
             for j in range(_SMILE_STEPS)]
            for i in range(_MOUTH_STEPS)
        ]  # fmt: skip

        # per-frame warp: features slide inside the head outline for yaw/pitch (nose most, it is nearest)
        yy, xx = np.mgrid[0:hh, 0:hw].astype(np.float32)
        self._gx, self._gy = xx, yy
        fu = (xx + self._hx - face.cx / _SS) / (face.r / _SS)
        fv = (yy + self._hy - face.cy / _SS) / (face.r / _SS)
        inside = _smoothstep(1.05, 0.45, _f(np.sqrt(fu * fu * 1.0 + ((fv - 0.15) / 1.2) ** 2)))
        nose = _gauss(fu, fv, 0.0, 0.2, 0.12, 0.3)
        self._wf = _f(inside * (1.0 + 0.6 * nose))
        self._r1 = face.r / _SS
        self._pivot = (face.cx / _SS - self._hx, face.cy / _SS + 1.0 * self._r1 - self._hy)
        self._bg_roi = np.ascontiguousarray(self._plate[self._hy : self._hy + hh, self._hx : self._hx + hw])

    def frame(
        self,
        *,
        mouth: float,
        blink: float,
        yaw: float = 0.0,
        pitch: float = 0.0,
        roll: float = 0.0,
        smile: float = 0.0,
    ) -> npt.NDArray[np.uint8]:
        """One RGB frame, shape (height, width, 3), uint8, C-contiguous."""
        head = self._head.copy()
        y, x, h, w = self._mouth_box
        head[y : y + h, x : x + w] = self._pick2(self._mouths, mouth, smile)
        y, x, h, w = self._eye_box
        head[y : y + h, x : x + w] = self._pick1(self._eyes, blink)

        r = self._r1
        feat = 0.021 * r  # ~ r*sin(1 deg) at the depth of the eyes; the nose gets more through _wf
        fx = float(np.clip(yaw, -8, 8)) * feat
        fy = float(np.clip(pitch, -8, 8)) * feat * 0.8
        tx, ty = fx * 0.25, fy * 0.3
        th = math.radians(float(np.clip(roll, -8, 8)))
        c, s = math.cos(th), math.sin(th)
        px, py = self._pivot
        dx = self._gx - px - tx
        dy = self._gy - py - ty
        # inverse of a counter-clockwise rotation about the neck pivot
        sx = c * dx - s * dy + px - fx * self._wf
        sy = s * dx + c * dy + py - fy * self._wf
        warped = cv2.remap(head, _f(sx), _f(sy), cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        # cv2 arithmetic on contiguous planes is several times faster than numpy broadcasting here
        r_, g_, b_, a_ = cv2.split(warped)
        inv = 1.0 - a_
        comp = cv2.add(cv2.merge([r_, g_, b_]), cv2.multiply(self._bg_roi, cv2.merge([inv, inv, inv])))
        out = self._plate_u8.copy()
        hh, hw = inv.shape
        out[self._hy : self._hy + hh, self._hx : self._hx + hw] = cv2.convertScaleAbs(comp)
        return out

    @staticmethod
    def _pick1(seq: Sequence[F32], t: float) -> F32:
        x = float(np.clip(t, 0.0, 1.0)) * (len(seq) - 1)
        i = min(int(x), len(seq) - 2)
        k = x - i
        if k < 1e-3:
            return seq[i]
        if k > 1 - 1e-3:
            return seq[i + 1]
        return _f(seq[i] * (1.0 - k) + seq[i + 1] * k)

    @classmethod
    def _pick2(cls, grid: Sequence[Sequence[F32]], t: float, q: float) -> F32:
        x = float(np.clip(t, 0.0, 1.0)) * (len(grid) - 1)
        i = min(int(x), len(grid) - 2)
        k = x - i
        a = cls._pick1(grid[i], q)
        if k < 1e-3:
            return a
        b = cls._pick1(grid[i + 1], q)
        if k > 1 - 1e-3:
            return b
        return _f(a * (1.0 - k) + b * k)
