"""The image pool of CycleGAN (Shrivastava et al. 2017): the discriminators see earlier fakes too.

Until the pool is full, every fake is kept and shown as it is. Then each new fake is, with
probability one half, swapped for a random kept one (the discriminator sees the old one, the
pool keeps the new), and otherwise shown as it is. The pool lives in buffers, so checkpoints
hold it and a resumed run draws from the very same fakes; its coin flips come from torch's
global random state, which the trainer seeds per step.
"""

from __future__ import annotations

import torch
from torch import nn


class ImagePool(nn.Module):
    def __init__(self, size: int, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.size = size
        self.register_buffer("images", torch.zeros(size, *shape))
        self.register_buffer("count", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def forward(self, fakes: torch.Tensor) -> torch.Tensor:
        """What the discriminator is shown instead of ``fakes`` (N, C, H, W): new and kept ones."""
        if self.size == 0:
            return fakes
        shown = fakes.clone()
        coins, picks = torch.rand(len(fakes)).tolist(), torch.randint(self.size, (len(fakes),)).tolist()
        count = int(self.count)
        for i, fake in enumerate(fakes):
            if count < self.size:
                self.images[count] = fake
                count += 1
            elif coins[i] < 0.5:
                shown[i] = self.images[picks[i]]
                self.images[picks[i]] = fake
        self.count.fill_(count)
        return shown
