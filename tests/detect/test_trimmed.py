"""The trimmed loss: the mean over the best-explained share of a batch."""

import pytest
import torch
from torch import nn

from genlab.detect.trimmed import TrimmedLoss
from genlab.models import VAE, VAEConfig


class Fixed(nn.Module):
    def example_losses(self, x):
        return {"loss": x[:, 0], "recon": 2 * x[:, 0]}


def test_leaves_out_the_worst_share():
    x = torch.tensor([[1.0], [5.0], [2.0], [100.0], [3.0]])
    terms = TrimmedLoss(Fixed(), 0.2)(x)  # keeps ceil(5 * 0.8) = 4: 1, 5, 2, 3
    assert terms["loss"].item() == pytest.approx(11 / 4)
    assert terms["loss_all"].item() == pytest.approx(111 / 5) and terms["recon_all"].item() == pytest.approx(222 / 5)
    assert TrimmedLoss(Fixed(), 0.0)(x)["loss"].item() == pytest.approx(111 / 5)
    with pytest.raises(ValueError):
        TrimmedLoss(Fixed(), 1.0)


def test_vae_example_losses_average_to_its_forward():
    model = VAE(VAEConfig(input_shape=(6,), latent_dim=2, hidden=(8,), likelihood="gaussian"))
    x = torch.randn(10, 6)
    torch.manual_seed(0)
    per = model.example_losses(x)
    torch.manual_seed(0)
    mean = model(x)
    assert per["loss"].shape == (10,)
    for name in ("loss", "recon", "kl"):
        assert per[name].mean().item() == pytest.approx(mean[name].item(), rel=1e-6)
