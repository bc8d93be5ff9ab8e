"""Bias discovery: where a training set is thin, found in a VAE's latent space without labels.

A VAE trained on the images learns their distribution. Each image's debiasing weight (inverse
latent density, :func:`genlab.bias.weights.debiasing_weights`) says how rare its kind is. The
images of lowest density are the under-represented ones; the latent dimensions along which the
weights vary most are the features that carry the skew.

A feature can also be too rare for the VAE to give it any latent direction at all: then the
images that have it sit in ordinary latent regions, and the VAE simply fails to draw the feature
(a small VAE leaves out glasses worn by 5% of faces). Their reconstruction error is what gives
them away, so every image also gets its error relative to the mean error. An image is as rare as
the larger of the two signals says.

Where the attributes of each image are known (procedural faces, or a user's attribute table),
each attribute group's share of the data, its mean weight and its mean relative error show
whether the model found the rare groups: a rare group scores above 1 (the uniform value) on one
of them without the VAE ever seeing its label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from genlab.bias.weights import Combine, debiasing_weights, histogram_probabilities
from genlab.errors import ConfigError

INACTIVE_KL = 0.01  # nats; a dimension whose mean KL is below this carries no information


@dataclass
class GroupStat:
    """One value of one attribute: how much of the data it is and how the sampler weighs it."""

    attribute: str
    level: int
    n: int
    share: float
    mean_weight: float  # mean normalized weight of its images; 1 is the uniform weight
    level_name: str = ""  # the level's name where known (an attributes CSV's ``dark``)
    mean_error: float | None = None  # mean reconstruction error of its images over the overall mean

    @property
    def rarity(self) -> float:
        """The larger of the two signals: rare in latent space, or not learned at all."""
        return self.mean_weight if self.mean_error is None else max(self.mean_weight, self.mean_error)

    @property
    def label(self) -> str:
        """``attribute=level``, by the level's name where known: ``skin=dark``, ``skin=4``."""
        return f"{self.attribute}={self.level_name or self.level}"


@dataclass
class Discovery:
    mu: torch.Tensor  # (N, L) posterior means
    kl: torch.Tensor  # (L,) mean KL per dimension, nats
    active: list[int]  # active dimensions, by decreasing KL
    weights: torch.Tensor  # (N,) normalized so that their mean is 1
    skew: dict[int, float]  # active dimension -> std of its contribution to the log-weight
    groups: list[GroupStat] = field(default_factory=list)
    errors: torch.Tensor | None = None  # (N,) reconstruction error over its mean (mean 1), where known

    @property
    def skewed_dims(self) -> list[int]:
        """Active dimensions ordered by how much they move the weights, most first."""
        return sorted(self.skew, key=lambda d: -self.skew[d])

    def rarest(self, n: int) -> torch.Tensor:
        """Indices of the ``n`` images of lowest latent density (highest weight)."""
        return torch.argsort(self.weights, descending=True)[:n]

    def most_common(self, n: int) -> torch.Tensor:
        """Indices of the ``n`` images of highest latent density (lowest weight)."""
        return torch.argsort(self.weights)[:n]

    def worst_explained(self, n: int) -> torch.Tensor:
        """Indices of the ``n`` images of largest reconstruction error (empty when errors are unknown)."""
        if self.errors is None:
            return torch.zeros(0, dtype=torch.long)
        return torch.argsort(self.errors, descending=True)[:n]

    def ranked_groups(self) -> list[GroupStat]:
        """Attribute groups by decreasing rarity (mean weight, or mean relative error where larger)."""
        return sorted(self.groups, key=lambda g: -g.rarity)

    def to_json(self) -> dict[str, Any]:
        return {
            "n_examples": len(self.weights),
            "latent_dim": int(self.mu.shape[1]),
            "active_dims": self.active,
            "kl_per_dim": [round(float(v), 4) for v in self.kl],
            "skewed_dims": self.skewed_dims,
            "groups": {g.label: _group_json(g) for g in self.ranked_groups()},
        }


def _group_json(g: GroupStat) -> dict[str, Any]:
    out: dict[str, Any] = {"share": round(g.share, 4), "mean_weight": round(g.mean_weight, 4)}
    if g.mean_error is not None:
        out |= {"mean_error": round(g.mean_error, 4), "rarity": round(g.rarity, 4)}
    return out | {"n": g.n}


@torch.no_grad()
def posterior(model: Any, x: torch.Tensor, batch_size: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """Posterior means and log-variances (N, L) of a VAE-family model, in batches."""
    if not hasattr(model, "encode"):
        raise ConfigError("bias discovery needs a VAE-family model (vae, dbvae, ...) with an encoder")
    model.eval()
    device = next(model.parameters()).device
    mus, logvars = [], []
    for chunk in x.split(batch_size):
        out = model.encode(chunk.to(device))
        mu, logvar = out[-2], out[-1]  # a VAE returns (mu, logvar), a DB-VAE (logit, mu, logvar)
        mus.append(mu.cpu())
        logvars.append(logvar.cpu())
    return torch.cat(mus), torch.cat(logvars)


def discover(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    factors: torch.Tensor | None = None,
    factor_names: tuple[str, ...] | None = None,
    bins: int = 10,
    alpha: float = 0.01,
    combine: Combine = "max",
    factor_levels: tuple[tuple[str, ...], ...] | None = None,
    errors: torch.Tensor | None = None,
) -> Discovery:
    """Weigh every image by inverse latent density over the active dimensions; tabulate known attributes.

    ``factors`` (N, F) are level indices named by ``factor_names`` (levels named by ``factor_levels``
    where known); negative levels are unknown and left out of the groups. ``errors`` (N,) are the
    images' reconstruction errors (:func:`squared_errors`), reported relative to their mean.
    """
    kl = (0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)).mean(0)
    active = [int(d) for d in torch.argsort(kl, descending=True) if kl[d] >= INACTIVE_KL]
    if not active:
        raise ConfigError(
            "the VAE has no active latent dimension (every KL is below 0.01 nats): it learned nothing to "
            "discover bias with; train it longer or with a smaller --beta"
        )
    codes = mu[:, active]
    weights = debiasing_weights(codes, bins, alpha, combine).double() * len(mu)  # mean 1
    per_dim = -torch.log(histogram_probabilities(codes, bins) + alpha)  # (N, A): each dimension's vote
    skew = {d: float(per_dim[:, i].std()) for i, d in enumerate(active)}
    relative = None
    if errors is not None:
        if errors.shape != (len(mu),):
            raise ConfigError(f"expected one reconstruction error per image ({len(mu)}), got shape {tuple(errors.shape)}")
        relative = errors.double() / errors.double().mean().clamp_min(1e-12)
    groups = (
        attribute_groups(weights, factors, factor_names, factor_levels, relative)
        if factors is not None and factor_names
        else []
    )
    return Discovery(mu, kl, active, weights.float(), skew, groups, None if relative is None else relative.float())


def attribute_groups(
    weights: torch.Tensor,
    factors: torch.Tensor,
    factor_names: tuple[str, ...],
    factor_levels: tuple[tuple[str, ...], ...] | None = None,
    errors: torch.Tensor | None = None,
) -> list[GroupStat]:
    """Share, mean weight (and mean relative error) of every level of every attribute (rows with
    negative levels are skipped)."""
    if factors.shape != (len(weights), len(factor_names)):
        raise ConfigError(
            f"the attribute table has shape {tuple(factors.shape)}, but there are {len(weights)} images "
            f"and {len(factor_names)} attribute names"
        )
    stats = []
    for j, name in enumerate(factor_names):
        column = factors[:, j]
        known = column >= 0
        total = int(known.sum())
        names = factor_levels[j] if factor_levels is not None else ()
        for level in sorted(set(column[known].tolist())):
            members = column == level
            n = int(members.sum())
            level_name = names[level] if level < len(names) else ""
            error = None if errors is None else float(errors[members].mean())
            stats.append(GroupStat(name, int(level), n, n / total, float(weights[members].mean()), level_name, error))
    return stats


@torch.no_grad()
def squared_errors(model: Any, x: torch.Tensor, batch_size: int = 256) -> torch.Tensor | None:
    """Squared error (N,) between each image and the model's reconstruction (the decoder's mean at
    the posterior mean), summed over pixels; None for a model that does not reconstruct."""
    if not hasattr(model, "reconstruct"):
        return None
    device = next(model.parameters()).device
    return torch.cat([(model.reconstruct(xb.to(device)).cpu() - xb).pow(2).flatten(1).sum(1) for xb in x.split(batch_size)])
