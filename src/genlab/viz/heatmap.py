"""Heat maps: where an image is unusual, shown below the image itself."""

from __future__ import annotations

import torch

from genlab.viz.grid import pair_rows


def colorize(maps: torch.Tensor, colormap: str = "inferno") -> torch.Tensor:
    """Non-negative maps (N, H, W) to RGB images (N, 3, H, W) in [0, 1], on one scale for the batch
    (0 is the colormap's dark end, the batch's largest value its bright end)."""
    import matplotlib

    scale = float(maps.max())
    values = (maps / scale if scale > 0 else maps).clamp(0, 1).numpy()
    rgb = matplotlib.colormaps[colormap](values)[..., :3]  # (N, H, W, 3)
    return torch.from_numpy(rgb).float().permute(0, 3, 1, 2)


def heatmap_pairs(images: torch.Tensor, maps: torch.Tensor, ncol: int = 8) -> torch.Tensor:
    """Rows of images (N, C, H, W) in [0, 1] above rows of their error maps (N, C, H, W), as RGB for a grid."""
    if images.shape != maps.shape:
        raise ValueError(f"images {tuple(images.shape)} and maps {tuple(maps.shape)} must have the same shape")
    rgb = images.expand(-1, 3, -1, -1) if images.shape[1] == 1 else images[:, :3]
    return pair_rows(rgb.float().cpu(), colorize(maps.sum(1).cpu()), ncol)
