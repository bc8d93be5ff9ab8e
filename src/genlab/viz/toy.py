"""Frames of a GAN learning a toy distribution, as in the classic illustration (Goodfellow et al. 2014).

1-D: the real density (histogram of real points, black), the generated density (green) and the
discriminator's output over the line (blue, dashed). 2-D: real points (gray) and generated points
(green) over the discriminator's output as a shaded background.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import torch

FIGSIZE = (6.4, 4.0)
DPI = 80

DiscriminatorFn = Callable[[torch.Tensor], "tuple[torch.Tensor, str]"]


def _figure_to_tensor(fig) -> torch.Tensor:  # type: ignore[no-untyped-def]
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    array = np.asarray(Image.open(buffer).convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(array).permute(2, 0, 1).unsqueeze(0).contiguous()


def _limits(real: np.ndarray, margin: float = 0.25) -> tuple[float, float]:
    low, high = np.percentile(real, [0.5, 99.5])
    pad = margin * (high - low + 1e-6)
    return float(low - pad), float(high + pad)


def toy_frame(real: torch.Tensor, fake: torch.Tensor, discriminator: DiscriminatorFn | None = None) -> torch.Tensor:
    """One frame (1, 3, H, W) in [0, 1] for real and generated points (N, 1) or (N, 2).

    ``discriminator(points)`` returns its output on data-space points and a name for the legend.
    The axes depend on the real points only, so frames of one run line up.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r, f = real.detach().float().cpu().numpy(), fake.detach().float().cpu().numpy()
    fig, ax = plt.subplots(figsize=FIGSIZE)
    try:
        if r.shape[1] == 1:
            _frame_1d(ax, r[:, 0], f[:, 0], discriminator)
        else:
            _frame_2d(ax, r, f, discriminator)
        fig.tight_layout()
        return _figure_to_tensor(fig)
    finally:
        plt.close(fig)


def _frame_1d(ax, r: np.ndarray, f: np.ndarray, discriminator: DiscriminatorFn | None) -> None:  # type: ignore[no-untyped-def]
    low, high = _limits(r)
    bins = np.linspace(low, high, 61)
    real_density, _ = np.histogram(r, bins=bins, density=True)
    fake_density, _ = np.histogram(np.clip(f, low, high), bins=bins, density=True)
    centers = (bins[:-1] + bins[1:]) / 2
    ax.plot(centers, real_density, "k:", lw=2, label="real density")
    ax.plot(centers, fake_density, "g-", lw=1.8, label="generated density")
    top = max(real_density.max(), 1e-6) * 1.6
    ax.set_ylim(0, top)
    ax.set_xlim(low, high)
    ax.set_xlabel("x")
    if discriminator is not None:
        grid = torch.linspace(low, high, 200).unsqueeze(1)
        out, name = discriminator(grid)
        twin = ax.twinx()
        twin.plot(grid[:, 0].numpy(), out.float().cpu().numpy(), "b--", lw=1.5, label=name)
        if name == "D(x)":
            twin.set_ylim(-0.05, 1.3)
        twin.set_ylabel(name, color="b")
        twin.legend(loc="upper right", frameon=False)
    ax.legend(loc="upper left", frameon=False)


def _frame_2d(ax, r: np.ndarray, f: np.ndarray, discriminator: DiscriminatorFn | None) -> None:  # type: ignore[no-untyped-def]
    (x0, x1), (y0, y1) = _limits(r[:, 0]), _limits(r[:, 1])
    if discriminator is not None:
        xs, ys = torch.linspace(x0, x1, 80), torch.linspace(y0, y1, 80)
        gx, gy = torch.meshgrid(xs, ys, indexing="xy")
        out, name = discriminator(torch.stack([gx.flatten(), gy.flatten()], 1))
        image = ax.imshow(out.float().cpu().view(80, 80).numpy(), extent=(x0, x1, y0, y1), origin="lower",
                          cmap="Blues", alpha=0.55, aspect="auto")  # fmt: skip
        ax.figure.colorbar(image, ax=ax, label=name)
    ax.scatter(r[:, 0], r[:, 1], s=3, c="0.35", alpha=0.5, label="real")
    ax.scatter(f[:, 0], f[:, 1], s=3, c="tab:green", alpha=0.6, label="generated")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.legend(loc="upper right", frameon=True, markerscale=3)
