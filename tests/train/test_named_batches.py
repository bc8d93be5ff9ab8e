"""Named batches: a data set of any named arrays trains through the one trainer without special cases."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from genlab.data.dataset import Dataset, concatenate
from genlab.data.splits import DataSpec, Splits
from genlab.errors import DataError
from genlab.models.training import SingleLoss, Trainable, as_trainable
from genlab.run import Run
from genlab.train import TrainConfig, Trainer
from genlab.train.logger import read_metrics


class _Translator(nn.Module):
    """Learns to map each image ``x`` to its paired ``target`` (here: its negative)."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Conv2d(1, 1, 3, padding=1)
        self.seen: set[str] = set()

    def forward(self, x: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
        self.seen |= {"x", "target"}
        return {"loss": (self.net(x) - target).pow(2).mean()}


class _SequenceAE(nn.Module):
    """A 1-D conv autoencoder of feature sequences (N, C, T), as speech features are shaped."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Conv1d(channels, 4, 5, padding=2), nn.Tanh(), nn.Conv1d(4, channels, 5, padding=2))

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"loss": (self.net(x) - x).pow(2).mean()}


def _splits(data: Dataset) -> Splits:
    return Splits(data.subset(slice(8, None)), data.subset(slice(0, 8)), data.subset(slice(0, 8)))


def test_paired_arrays_reach_the_model_by_name(tmp_path):
    a = torch.rand(64, 1, 8, 8)
    data = Dataset(a, extras={"target": 1 - a})
    assert set(data.arrays()) == {"x", "target"}
    model = _Translator()
    run = Run(tmp_path)
    with torch.no_grad():
        before = float(model(a, 1 - a)["loss"])
    Trainer(TrainConfig(epochs=30, batch_size=16, lr=0.05, log_every=1)).fit(model, _splits(data), run, DataSpec("array"))
    assert model.seen == {"x", "target"}
    val = [r for r in read_metrics(run.metrics_path) if r["split"] == "val"]
    assert len(val) == 30 and float(val[-1]["loss"]) < 0.1 * before  # validation batches carry the pairs too


def test_sequences_of_any_rank_train(tmp_path):
    t = torch.linspace(0, 6.28, 32)
    x = torch.stack([torch.stack([torch.sin(t * f), torch.cos(t * f)]) for f in torch.linspace(1, 3, 40)])  # (40, 2, 32)
    data = Dataset(x)
    assert data.example_shape == (2, 32) and not data.is_image
    model = _SequenceAE(2)
    with torch.no_grad():
        before = float(model(x)["loss"])
    result = Trainer(TrainConfig(epochs=40, batch_size=8, lr=0.01)).fit(model, _splits(data), Run(tmp_path), DataSpec("array"))
    with torch.no_grad():
        assert result.status == "completed" and float(model(x)["loss"]) < 0.5 * before


def test_extras_travel_with_their_examples():
    x = torch.arange(6.0).view(6, 1)
    data = Dataset(x, torch.arange(6), extras={"b": 10 * x})
    part = data.subset(torch.tensor([4, 1]))
    assert part.extras["b"].flatten().tolist() == [40.0, 10.0] and part.y.tolist() == [4, 1]
    joined = concatenate(part, data.subset(slice(0, 1)))
    assert joined.extras["b"].flatten().tolist() == [40.0, 10.0, 0.0]
    with pytest.raises(DataError, match="rows of 'b'"):
        Dataset(x, extras={"b": x[:3]})
    with pytest.raises(DataError, match="other than x and y"):
        Dataset(x, extras={"y": x})
    with pytest.raises(DataError, match="join"):
        concatenate(data, Dataset(x, torch.arange(6)))


def test_a_single_loss_model_is_one_part_and_a_game_declares_its_own():
    from genlab.models import GAN, GANConfig

    plain = as_trainable(_SequenceAE(2))
    assert isinstance(plain, SingleLoss) and list(plain.optimizer_parts()) == ["model"]
    gan = GAN(GANConfig(input_shape=(2,), hidden=(8,)))
    assert as_trainable(gan) is gan and isinstance(gan, Trainable)
    assert list(gan.optimizer_parts()) == ["discriminator", "generator"]
