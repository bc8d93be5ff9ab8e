"""Cartoon faces drawn from explicit attributes with signed distances, a whole batch at once.

The head is a 2.5-D cartoon: features sit on a sphere-like face, so a head yaw moves the eyes,
nose and mouth sideways, foreshortens the eye turned away and hides the far ear. Smile bends the
mouth from a frown to an open smile. Lighting shades the figure like an ellipsoid lit from the
side, and scales the whole image's brightness.

The palettes and parts below need no torch (the faces data sets name their levels by them without
it); the functions that draw import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

# Six skin tones from light to dark (roughly Fitzpatrick types I to VI).
SKIN_TONES = (
    (0.98, 0.85, 0.75), (0.93, 0.75, 0.61), (0.83, 0.62, 0.46),
    (0.67, 0.47, 0.32), (0.49, 0.33, 0.22), (0.32, 0.21, 0.15),
)  # fmt: skip
HAIR_COLORS = {"black": (0.09, 0.08, 0.08), "brown": (0.36, 0.21, 0.11), "blond": (0.88, 0.74, 0.40),
               "red": (0.68, 0.24, 0.09), "gray": (0.70, 0.70, 0.70)}  # fmt: skip
HAIR_STYLES = ("bald", "short", "long", "curly")
BACKGROUNDS = {"sky": (0.62, 0.78, 0.92), "mint": (0.66, 0.86, 0.72), "peach": (0.96, 0.82, 0.66),
               "lavender": (0.78, 0.72, 0.90), "gray": (0.70, 0.70, 0.72), "olive": (0.55, 0.58, 0.36)}  # fmt: skip
MAX_YAW = 0.6  # radians (34 degrees) at yaw = +-1
SHIRT = (0.28, 0.34, 0.50)
LIPS = (0.62, 0.20, 0.22)
MOUTH_INSIDE = (0.30, 0.05, 0.08)
FRAME = (0.08, 0.08, 0.09)
# The parts of a face's label map (index = label), and the colors a label map is drawn in:
# distinct, so a translated label map reads back by the nearest color.
PARTS = ("background", "skin", "hair", "clothes", "brows", "eyes", "nose", "mouth", "glasses")
PART_COLORS = (
    (0.0, 0.0, 0.0), (0.95, 0.75, 0.60), (0.45, 0.25, 0.05), (0.20, 0.30, 0.75), (0.95, 0.85, 0.10),
    (0.10, 0.85, 0.95), (0.95, 0.40, 0.85), (0.85, 0.10, 0.15), (0.15, 0.80, 0.25),
)  # fmt: skip
SKIN, HAIR, CLOTHES, BROWS, EYES, NOSE, MOUTH, GLASSES = range(1, 9)


@dataclass(frozen=True)
class FaceAttributes:
    """The attributes of B faces, each an array shaped (B,).

    skin: 0..5, light to dark. yaw: -1..1 (head turned to the viewer's left .. right, +-34
    degrees). smile: -1..1 (frown .. open smile). glasses: 0 or 1 (values between fade them in).
    hair_color: index into HAIR_COLORS. hair_style: index into HAIR_STYLES. light: -1..1, the
    direction the light comes from (viewer's left .. right). brightness: a factor on the whole
    image, about 0.6..1.1. background: index into BACKGROUNDS.
    """

    skin: np.ndarray
    yaw: np.ndarray
    smile: np.ndarray
    glasses: np.ndarray
    hair_color: np.ndarray
    hair_style: np.ndarray
    light: np.ndarray
    brightness: np.ndarray
    background: np.ndarray

    def __len__(self) -> int:
        return len(self.skin)


def _palette(colors, index: np.ndarray) -> torch.Tensor:
    import torch

    table = torch.tensor(list(colors.values()) if isinstance(colors, dict) else colors, dtype=torch.float32)
    return table[torch.as_tensor(np.asarray(index), dtype=torch.long)]


def _color(rgb: tuple[float, float, float], n: int) -> torch.Tensor:
    import torch

    return torch.tensor(rgb, dtype=torch.float32).expand(n, 3)


def render_faces(attrs: FaceAttributes, size: int = 64, labels: bool = False) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Images (B, 3, size, size) float32 in [0, 1] of the faces described by ``attrs``; with
    ``labels``, also their label maps (B, size, size) int64: the index in :data:`PARTS` of the part
    drawn on top at each pixel (where it covers at least half of it)."""
    import torch

    from genlab.data import sdf

    n = len(attrs)
    p = lambda v: sdf.param(np.asarray(v, dtype=np.float32), n)
    theta = p(attrs.yaw) * MAX_YAW
    sin_t = torch.sin(theta)
    smile = p(attrs.smile)
    style = torch.as_tensor(np.asarray(attrs.hair_style), dtype=torch.long).view(n, 1, 1)
    skin = _palette(SKIN_TONES, attrs.skin)
    hair = _palette(HAIR_COLORS, attrs.hair_color)
    canvas = sdf.Canvas(n, size, labels)
    thin = 0.9 * canvas.pixel  # strokes at least about a pixel wide, so they survive small sizes

    # head geometry: the outline shifts a little with the turn, the features a lot
    hx, hy, a, b = 0.04 * sin_t, -0.06, 0.46, 0.56

    def on_face(phi: float, radius: float) -> tuple[torch.Tensor, torch.Tensor]:
        """Screen x and visible width factor of a point at horizontal angle ``phi`` on the face."""
        return hx + radius * torch.sin(theta + phi), torch.cos(theta + phi).clamp(min=0.05)

    def head(w: sdf.Window, inset: float = 0.0) -> torch.Tensor:
        return sdf.ellipse(w.x, w.y, hx, hy, a - inset, b - inset)

    has_hair = (style > 0).float()
    is_long, is_curly = (style == 2).float(), (style == 3).float()

    # hair behind the head: long hair down to the shoulders, a round volume for curly hair
    w = canvas.window(-0.75, -0.75, 0.75, 1.0)
    w.paint(sdf.box(w.x, w.y, hx - 0.02 * sin_t, hy + 0.33, a + 0.12, 0.62, 0.3), hair * 0.8, is_long, HAIR)
    w = canvas.window(-0.82, -0.95, 0.82, 0.5)
    curl = torch.sin(11 * torch.atan2(w.y - (hy - 0.18), w.x - hx))
    w.paint(sdf.ellipse(w.x, w.y, hx, hy - 0.15, a + 0.22, b + 0.12) + 0.035 * curl, hair * 0.85, is_curly, HAIR)

    # shoulders and neck
    w = canvas.window(-1.0, 0.6, 1.0, 1.0)
    w.paint(sdf.ellipse(w.x, w.y, 0.02 * sin_t, 1.22, 0.92, 0.5), _color(SHIRT, n), 1.0, CLOTHES)
    w = canvas.window(-0.3, 0.1, 0.3, 0.85)
    w.paint(sdf.box(w.x, w.y, hx * 0.6, 0.5, 0.17, 0.3, 0.05), skin * 0.82, 1.0, SKIN)

    # ears at the silhouette: the one on the side the face turns away from shrinks behind the head
    for side in (-1.0, 1.0):
        w = canvas.window(min(0, side * 0.75), -0.2, max(0, side * 0.75), 0.25)
        width = 0.085 * (1.0 - 1.8 * side * sin_t).clamp(0.0, 1.4)
        ex = hx + side * (a - 0.02 + 0.05 * (width / 0.085 - 1.0).clamp(min=0))
        w.paint(sdf.ellipse(w.x, w.y, ex, hy + 0.06, width + 1e-3, 0.13), skin * 0.9, (width > 0.005).float(), SKIN)

    # the head, then the hair over it
    w = canvas.window(-0.55, -0.66, 0.55, 0.54)
    w.paint(head(w), skin, 1.0, SKIN)
    w = canvas.window(-0.62, -0.72, 0.62, 0.2)
    dxh = ((w.x - (hx + 0.3 * sin_t)) / a).abs().clamp(max=1.2)
    hairline = hy - 0.27 + 0.28 * dxh**3  # the hair comes down at the temples
    cap = torch.maximum(sdf.ellipse(w.x, w.y, hx, hy - 0.03, a + 0.05, b + 0.05), w.y - hairline)
    cap = cap + is_curly * 0.025 * torch.sin(13 * torch.atan2(w.y - (hy - 0.18), w.x - hx))
    w.paint(cap, hair, has_hair, HAIR)

    # eyebrows, eyes (whites, irises looking where the head turns, a glint), clipped to the head
    brow = hair * 0.8
    eye_y = hy + 0.02
    eyes = []
    w = canvas.window(-0.62, -0.3, 0.62, 0.15)
    inside_head = head(w, 0.015)
    for phi in (-0.42, 0.42):
        ex, width = on_face(phi, 0.45)
        eyes.append((ex, width))
        out = 1.0 if phi > 0 else -1.0
        lift = 0.02 * smile  # brows rise a little with a smile
        brow_d = sdf.segment(w.x, w.y, ex - out * 0.08 * width, eye_y - 0.14 - lift, ex + out * 0.09 * width, eye_y - 0.16 - lift, max(0.045, thin))
        w.paint(torch.maximum(brow_d, inside_head), brow, 1.0, BROWS)
        w.paint(torch.maximum(sdf.ellipse(w.x, w.y, ex, eye_y, 0.095 * width, 0.062), inside_head), _color((0.97, 0.97, 0.97), n), 1.0, EYES)
        iris_x = ex + 0.035 * sin_t
        iris = sdf.ellipse(w.x, w.y, iris_x, eye_y + 0.005, 0.05 * width, 0.052)
        w.paint(torch.maximum(iris, inside_head), _color((0.12, 0.08, 0.06), n), 1.0, EYES)
        w.paint(sdf.circle(w.x, w.y, iris_x + 0.015, eye_y - 0.015, 0.014), _color((1.0, 1.0, 1.0), n), 0.9, EYES)

    # nose: a shaded ridge that points where the head turns, and its tip
    w = canvas.window(-0.5, -0.05, 0.5, 0.28)
    nx, _ = on_face(0.0, 0.47)
    tip_x = nx + 0.1 * sin_t
    w.paint(sdf.segment(w.x, w.y, nx, eye_y + 0.04, tip_x, eye_y + 0.21, 0.05), skin * 0.78, 0.8, NOSE)
    w.paint(sdf.ellipse(w.x, w.y, tip_x - 0.01 * sin_t, eye_y + 0.23, 0.065, 0.035), skin * 0.72, 1.0, NOSE)

    # mouth: y = y0 + smile * depth * (1 - u^2) bends down at the corners for a frown and up for a
    # smile; a broad smile opens into a dark mouth with a row of teeth under the upper lip. The
    # far corner of a turned mouth hides behind the cheek (clipped to the head).
    w = canvas.window(-0.5, 0.1, 0.5, 0.52)
    x, y = w.x, w.y
    inside_head = head(w, 0.03)
    mx, m_width = on_face(0.0, 0.38)
    half_w = 0.2 * (0.35 + 0.65 * m_width)
    mouth_y = hy + 0.38
    u = ((x - mx) / half_w).clamp(-1.0, 1.0)
    bend = 1.0 - u * u
    depth = 0.13
    lower = mouth_y + smile * depth * bend
    opening = ((smile - 0.2) / 0.5).clamp(0.0, 1.0)
    upper = mouth_y + smile * depth * bend * (1.0 - 0.75 * opening)
    beyond = ((x - mx).abs() - half_w).clamp(min=0.0)
    slope = (2.0 * smile * depth * u / half_w).abs()
    inside_mouth = torch.maximum(torch.maximum(upper - y, y - lower), (x - mx).abs() - half_w)
    inside_mouth = torch.maximum(inside_mouth, inside_head)
    is_open = (opening > 0).float()
    w.paint(inside_mouth, _color(MOUTH_INSIDE, n), is_open, MOUTH)
    w.paint(torch.maximum(inside_mouth, y - (upper + 0.35 * (lower - upper))), _color((0.97, 0.96, 0.92), n), is_open, MOUTH)
    for curve in (upper, lower):
        distance = torch.sqrt(((y - curve) / torch.sqrt(1.0 + slope * slope)) ** 2 + beyond**2) - max(0.022, thin / 2)
        w.paint(torch.maximum(distance, inside_head), _color(LIPS, n), 1.0, MOUTH)

    # glasses: two round rims with tinted lenses, a bridge and the arm towards each visible ear
    wearing = p(attrs.glasses)
    frames = _color(FRAME, n)
    w = canvas.window(-0.62, -0.25, 0.62, 0.12)
    for ex, width in eyes:
        rim = sdf.ellipse(w.x, w.y, ex, eye_y, 0.15 * width + 0.01, 0.13)
        w.paint(rim, _color((0.75, 0.85, 0.95), n), 0.25 * wearing)
        w.paint(rim.abs() - max(0.022, thin / 2), frames, wearing, GLASSES)
    (lx, lw), (rx, rw) = eyes
    w.paint(sdf.segment(w.x, w.y, lx + 0.15 * lw, eye_y - 0.02, rx - 0.15 * rw, eye_y - 0.02, 0.035), frames, wearing, GLASSES)
    left_arm = sdf.segment(w.x, w.y, lx - 0.15 * lw, eye_y - 0.03, hx - a + 0.01, eye_y - 0.05, 0.035)
    w.paint(left_arm, frames, wearing * (sin_t > -0.05).float(), GLASSES)
    right_arm = sdf.segment(w.x, w.y, rx + 0.15 * rw, eye_y - 0.03, hx + a - 0.01, eye_y - 0.05, 0.035)
    w.paint(right_arm, frames, wearing * (sin_t < 0.05).float(), GLASSES)

    # light: the figure is shaded like an ellipsoid lit from the side, the background is not
    x, y = canvas.x, canvas.y
    light = p(attrs.light)  # radians: about 57 degrees at +-1
    lx_, lz = torch.sin(light), torch.cos(light)
    nx_ = ((x - hx) / 0.75).clamp(-0.95, 0.95)
    ny_ = ((y - hy - 0.1) / 1.1).clamp(-0.95, 0.95)
    nz_ = torch.sqrt((1.0 - nx_**2 - ny_**2).clamp(min=0.02))
    lambert = ((nx_ * lx_ - ny_ * 0.3 + nz_ * lz) / torch.sqrt(lx_**2 + 0.09 + lz**2)).clamp(min=0.0)
    brightness = p(attrs.brightness)
    shade = ((0.55 + 0.5 * lambert) * brightness).unsqueeze(1)
    gradient = (1.0 + 0.12 * y).unsqueeze(1) * brightness.unsqueeze(1)  # a soft vertical gradient
    background = _palette(BACKGROUNDS, attrs.background).view(n, 3, 1, 1) * gradient
    image = canvas.rgb.mul_(shade).addcmul_(background, 1.0 - canvas.alpha).clamp_(0.0, 1.0)
    return (image, canvas.labels) if canvas.labels is not None else image


def label_colors(labels: torch.Tensor) -> torch.Tensor:
    """Label maps (B, H, W) as images (B, 3, H, W) in the colors of :data:`PART_COLORS`."""
    import torch

    return torch.tensor(PART_COLORS, dtype=torch.float32)[labels].permute(0, 3, 1, 2).contiguous()
