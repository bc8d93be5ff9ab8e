"""Image grids: tensors (N, C, H, W) in [0, 1] laid out for pictures."""

import torch

from genlab.viz.grid import make_grid, pair_rows


def test_grid_layout():
    images = torch.zeros(5, 1, 4, 4)
    images[1] = 1.0
    grid = make_grid(images, ncol=3, padding=1)
    assert grid.shape == (2 * 5 + 1, 3 * 5 + 1, 1)
    assert grid[1:5, 6:10].min() == 255 and grid[1:5, 1:5].max() == 0


def test_pair_rows_puts_inputs_above_reconstructions():
    a, b = torch.zeros(10, 1, 2, 2), torch.ones(10, 1, 2, 2)
    paired = pair_rows(a, b, ncol=4)
    assert paired[:4].max() == 0 and paired[4:8].min() == 1 and len(paired) == 20
