"""Look at the procedural data sets: write a grid of faces (each row varies one attribute), sprites
and non-face negatives to a PNG.

    python examples/procedural_data.py docs/images/procedural_data.png
"""

from __future__ import annotations

import sys

import numpy as np
import torch

from genlab.data.faces import FACTOR_NAMES, FaceFactors
from genlab.data.nonfaces import render_nonfaces
from genlab.data.shapes import ShapesFactors
from genlab.viz.grid import save_grid

COLUMNS = 8


def faces_varying(name: str, levels, **fixed: int) -> np.ndarray:
    """Factor vectors of one face with ``name`` running through ``levels``."""
    base = {"skin": 1, "yaw": 5, "smile": 7, "glasses": 0, "hair_color": 1, "hair_style": 1, "light": 2, "brightness": 2,
            "background": 0}  # fmt: skip
    base.update(fixed)
    rows = np.array([[base[f] for f in FACTOR_NAMES]] * len(levels))
    rows[:, FACTOR_NAMES.index(name)] = levels
    return rows


def main(out: str) -> None:
    faces = FaceFactors()
    factors = np.concatenate([
        faces_varying("yaw", np.round(np.linspace(0, 10, COLUMNS)).astype(int)),
        faces_varying("smile", np.round(np.linspace(0, 10, COLUMNS)).astype(int), hair_style=2, hair_color=2),
        faces_varying("skin", [0, 1, 2, 3, 4, 5, 0, 5], hair_style=0),
        faces.sample_factors(COLUMNS, np.random.default_rng(4)),
    ])  # fmt: skip
    factors[3 * COLUMNS - 2 : 3 * COLUMNS, FACTOR_NAMES.index("glasses")] = 1  # the skin row ends with glasses
    sprites = ShapesFactors().render(np.array([[s, 5, o, 16, 16] for s in range(3) for o in (0, 5)] + [[2, 2, 0, 4, 8], [0, 0, 0, 28, 24]]))
    negatives, _ = render_nonfaces(COLUMNS, np.random.default_rng(0), 64)
    images = torch.cat([faces.render(factors), sprites.expand(-1, 3, -1, -1), negatives])
    print(save_grid(images, out, ncol=COLUMNS, scale=1))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "procedural_data.png")
