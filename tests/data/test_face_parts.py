"""The label maps of the procedural faces agree with the faces: each part's pixels are drawn in that part's color."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from genlab.data.face_render import (
    BACKGROUNDS,
    CLOTHES,
    GLASSES,
    HAIR,
    HAIR_COLORS,
    PART_COLORS,
    PARTS,
    SHIRT,
    SKIN,
    SKIN_TONES,
    FaceAttributes,
    label_colors,
    render_faces,
)

N = 24


def _faces(glasses: float | None = None) -> FaceAttributes:
    rng = np.random.default_rng(3)
    return FaceAttributes(
        skin=rng.integers(0, 6, N), yaw=rng.uniform(-1, 1, N), smile=rng.uniform(-1, 1, N),
        glasses=rng.integers(0, 2, N).astype(float) if glasses is None else np.full(N, glasses),
        hair_color=rng.integers(0, 5, N), hair_style=rng.integers(1, 4, N), light=rng.uniform(-1, 1, N),
        brightness=rng.uniform(0.7, 1.1, N), background=rng.integers(0, 6, N),
    )  # fmt: skip


def _interior(labels: torch.Tensor, part: int) -> torch.Tensor:
    """Pixels of ``part`` whose 3x3 neighbourhood is all ``part`` (edges blend neighbouring colors)."""
    same = (labels == part).float().unsqueeze(1)
    return F.avg_pool2d(same, 3, stride=1, padding=1).squeeze(1) > 0.999


def _chroma(rgb: torch.Tensor) -> torch.Tensor:
    """Color without brightness: each pixel's RGB over its sum (shading and lighting scale all three alike)."""
    return rgb / rgb.sum(-1, keepdim=True).clamp_min(1e-6)


def test_labels_do_not_change_the_faces():
    attrs = _faces()
    image, labels = render_faces(attrs, 32, labels=True)
    assert torch.equal(image, render_faces(attrs, 32)) and labels.shape == (N, 32, 32)
    assert set(labels.unique().tolist()) == set(range(len(PARTS)))


def test_each_part_is_drawn_in_its_color():
    attrs = _faces()
    image, labels = render_faces(attrs, 64, labels=True)
    pixels = image.permute(0, 2, 3, 1)  # (N, H, W, 3)
    base = {
        SKIN: torch.tensor(SKIN_TONES)[attrs.skin],
        HAIR: torch.tensor(list(HAIR_COLORS.values()))[attrs.hair_color],
        CLOTHES: torch.tensor(SHIRT).expand(N, 3),
        0: torch.tensor(list(BACKGROUNDS.values()))[attrs.background],
    }
    unclipped = ((pixels > 0.001) & (pixels < 0.999)).all(-1)  # clipping to [0, 1] changes a color
    for part, colors in base.items():
        inside = _interior(labels, part) & unclipped
        deviations = []
        for i in range(N):
            seen = _chroma(pixels[i][inside[i]])
            deviations.append((seen - _chroma(colors[i].float().expand_as(seen))).abs().max(-1).values)
        deviations = torch.cat(deviations)
        # a part drawn over by less than half a pixel keeps its label but blends its color: a few pixels
        assert len(deviations) > 200 and float((deviations < 0.02).float().mean()) > 0.98, PARTS[part]


def test_glasses_are_labeled_exactly_on_faces_that_wear_them():
    for wearing in (0.0, 1.0):
        image, labels = render_faces(_faces(wearing), 64, labels=True)
        has = (labels == GLASSES).flatten(1).any(1)
        assert bool(has.all()) if wearing else not bool(has.any())
        if wearing:  # thin dark frames: most of their pixels dark
            assert float(image.permute(0, 2, 3, 1)[labels == GLASSES].mean(-1).median()) < 0.3


def test_label_colors_draw_each_part_in_its_palette_color():
    labels = torch.arange(len(PARTS)).view(1, 3, 3)
    colors = label_colors(labels)
    assert colors.shape == (1, 3, 3, 3)
    assert torch.allclose(colors[0, :, 1, 1], torch.tensor(PART_COLORS[4]))
