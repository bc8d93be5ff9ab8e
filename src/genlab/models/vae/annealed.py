"""The beta-VAE with controlled capacity (Burgess et al. 2018, "Understanding disentangling in beta-VAE").

loss = recon + gamma * |KL - C|, where KL is the batch mean of KL(q(z|x) || p(z)) and the target
capacity C grows linearly from 0 to C_max over the first ``capacity_steps`` training steps. The
code is first squeezed to carry almost nothing, then allowed to carry more, so the factors that
explain the most reconstruction enter one after another.

The step counter is a buffer of the model (saved with the weights and the trainer state), counted
when the training loss is back-propagated: a step the trainer abandons after the forward pass (a
stop request, a NaN) is not counted, so a resumed run anneals exactly as an uninterrupted one.
"""

from __future__ import annotations

import torch

from genlab.models.vae.configs import AnnealedVAEConfig
from genlab.models.vae.vae import VAE


class AnnealedVAE(VAE):
    """``forward(x)`` returns ``loss``, ``recon``, ``kl`` and the current target ``capacity`` C."""

    config: AnnealedVAEConfig

    def __init__(self, config: AnnealedVAEConfig) -> None:
        super().__init__(config)
        self.register_buffer("steps_done", torch.zeros((), dtype=torch.int64))

    def target_capacity(self) -> torch.Tensor:
        """C after ``steps_done`` training steps: C_max * min(1, steps_done / capacity_steps)."""
        c = self.config
        fraction = (self.steps_done.double() / c.capacity_steps).clamp(max=1.0)
        return (c.capacity * fraction).float()

    def regularizer(self, kl: torch.Tensor) -> torch.Tensor:
        # |mean KL - C| on the batch, as in the paper, spread evenly over the examples
        penalty = self.config.gamma * (kl.mean() - self.target_capacity()).abs()
        return penalty.expand_as(kl)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        terms = super().forward(x, y)
        terms["capacity"] = self.target_capacity()
        if self.training and terms["loss"].requires_grad:
            terms["loss"].register_hook(self._count_step)
        return terms

    def _count_step(self, grad: torch.Tensor) -> None:
        with torch.no_grad():
            self.steps_done += 1
