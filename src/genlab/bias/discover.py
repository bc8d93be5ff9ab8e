"""Bias discovery: where a training set is thin, found in a VAE's latent space without labels.

A VAE trained on the images learns their distribution. Two signals say how rare each image is:

- its **latent rarity**: how sparse the latent space is around its code, from the distance to its
  k-th nearest neighbour among the codes (a joint density over all active dimensions; the
  per-dimension histograms of the debiasing sampler miss a feature that is only rare as a
  combination, such as a medium skin tone between common light ones);
- its **unexplained rarity**: how sparse the space of reconstruction residuals (image minus
  reconstruction, projected on their 32 principal components) is around its residual. A feature
  too rare for the VAE to give it a latent direction of its own (glasses on 5% of faces) leaves its
  images in ordinary latent regions, drawn without the feature: what the VAE could not explain is
  the feature, and it is rare among the residuals. A feature that the VAE draws badly but that many
  images share (a background color it does not separate) leaves a common residual, and is not flagged.

Both are percentile scores with mean 1 (from near 0, the most common, to near 2, the rarest), so
they compare on one scale; an image is as rare as the larger says. The debiasing weights of
:func:`genlab.models.classifier.resampling.debiasing_weights` (what DB-VAE resamples with) are reported beside them,
and the latent dimensions along which those weights vary most are the features that carry the skew.

Where the attributes of each image are known (procedural faces, or a user's attribute table),
each attribute group's share of the data and its mean scores show whether the model found the
rare groups: a rare group scores above 1 without the VAE ever seeing its label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from genlab.errors import ConfigError
from genlab.models.classifier.resampling import Combine, debiasing_weights, histogram_probabilities
from genlab.models.protocols import Posterior, Reconstructor
from genlab.progress import ProgressFn, counted

INACTIVE_KL = 0.01  # nats; a dimension whose mean KL is below this carries no information
NEIGHBOURS = 10  # k of the k-nearest-neighbour densities
RESIDUAL_COMPONENTS = 32  # principal components of the residuals that their density is measured in
PCA_SAMPLE = 5_000  # residuals the principal components are fitted on
MAX_REFERENCE = 20_000  # codes that neighbours are searched among (a seeded sample beyond this)


@dataclass
class GroupStat:
    """One value of one attribute: how much of the data it is and how rare the VAE finds it."""

    attribute: str
    level: int
    n: int
    share: float
    mean_weight: float  # mean debiasing (sampler) weight of its images; 1 is the uniform weight
    level_name: str = ""  # the level's name where known (an attributes CSV's ``dark``)
    latent: float = 1.0  # mean latent rarity score of its images (1 = typical, up to 2)
    unexplained: float | None = None  # mean unexplained-rarity score of its images, where the VAE reconstructs

    @property
    def rarity(self) -> float:
        """The larger of the two scores: in a thin latent region, or left out of the reconstructions in a rare way."""
        return self.latent if self.unexplained is None else max(self.latent, self.unexplained)

    @property
    def label(self) -> str:
        """``attribute=level``, by the level's name where known: ``skin=dark``, ``skin=4``."""
        return f"{self.attribute}={self.level_name or self.level}"


@dataclass
class Discovery:
    mu: torch.Tensor  # (N, L) posterior means
    kl: torch.Tensor  # (L,) mean KL per dimension, nats
    active: list[int]  # active dimensions, by decreasing KL
    weights: torch.Tensor  # (N,) debiasing weights, normalized so that their mean is 1
    skew: dict[int, float]  # active dimension -> std of its contribution to the log-weight
    latent: torch.Tensor  # (N,) latent rarity scores (mean 1): sparse neighbourhoods score high
    groups: list[GroupStat] = field(default_factory=list)
    unexplained: torch.Tensor | None = None  # (N,) unexplained-rarity scores (mean 1), where the model reconstructs

    @property
    def skewed_dims(self) -> list[int]:
        """Active dimensions ordered by how much they move the weights, most first."""
        return sorted(self.skew, key=lambda d: -self.skew[d])

    def rarest(self, n: int) -> torch.Tensor:
        """Indices of the ``n`` images of lowest latent density (sparsest neighbourhoods)."""
        return torch.argsort(self.latent, descending=True)[:n]

    def most_common(self, n: int) -> torch.Tensor:
        """Indices of the ``n`` images of highest latent density."""
        return torch.argsort(self.latent)[:n]

    def worst_explained(self, n: int) -> torch.Tensor:
        """Indices of the ``n`` images whose unexplained part (the residual) is rarest (empty when unknown)."""
        if self.unexplained is None:
            return torch.zeros(0, dtype=torch.long)
        return torch.argsort(self.unexplained, descending=True)[:n]

    def ranked_groups(self) -> list[GroupStat]:
        """Attribute groups by decreasing rarity (the larger of latent and unexplained rarity)."""
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
    out: dict[str, Any] = {"share": round(g.share, 4), "mean_weight": round(g.mean_weight, 4), "latent_rarity": round(g.latent, 4)}
    if g.unexplained is not None:
        out["unexplained_rarity"] = round(g.unexplained, 4)
    return out | {"rarity": round(g.rarity, 4), "n": g.n}


@torch.no_grad()
def posterior(
    model: Any, x: torch.Tensor, batch_size: int = 256, progress: ProgressFn | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Posterior means and log-variances (N, L) of a VAE-family model, in batches (``progress`` hears of each)."""
    if not isinstance(model, Posterior):  # needs a posterior, not point codes
        raise ConfigError("bias discovery needs a VAE-family model (vae, dbvae, ...) with an encoder")
    model.eval()
    device = next(model.parameters()).device
    mus, logvars = [], []
    for chunk in counted(x.split(batch_size), progress, "encoding the images", len(x)):
        mu, logvar = model.posterior(chunk.to(device))
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
    residuals: torch.Tensor | None = None,
    neighbours: int = NEIGHBOURS,
) -> Discovery:
    """Score every image's rarity over the active latent dimensions; tabulate known attributes.

    ``factors`` (N, F) are level indices named by ``factor_names`` (levels named by ``factor_levels``
    where known); negative levels are unknown and left out of the groups. ``residuals`` (N, Q) are
    the images' reconstruction residuals in a common projection (:func:`residual_codes`).
    """
    kl = (0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)).mean(0)
    active = [int(d) for d in torch.argsort(kl, descending=True) if kl[d] >= INACTIVE_KL]
    if not active:
        raise ConfigError(
            "the VAE has no active latent dimension (every KL is below 0.01 nats): it learned nothing to "
            "discover bias with; train it longer or with a smaller --beta"
        )
    if residuals is not None and (residuals.ndim != 2 or len(residuals) != len(mu)):
        raise ConfigError(f"expected one residual row per image ({len(mu)}), got shape {tuple(residuals.shape)}")
    if len(mu) <= neighbours:
        raise ConfigError(f"bias discovery needs more than {neighbours} images, got {len(mu)}")
    codes = mu[:, active]
    weights = debiasing_weights(codes, bins, alpha, combine).double() * len(mu)  # mean 1
    per_dim = -torch.log(histogram_probabilities(codes, bins) + alpha)  # (N, A): each dimension's vote
    skew = {d: float(per_dim[:, i].std()) for i, d in enumerate(active)}
    standardized = (codes - codes.mean(0)) / codes.std(0).clamp_min(1e-12)
    latent = sparsity_scores(standardized, neighbours)
    unexplained = None if residuals is None else sparsity_scores(residuals, neighbours)
    groups = (
        attribute_groups(weights, factors, factor_names, factor_levels, latent, unexplained)
        if factors is not None and factor_names
        else []
    )
    return Discovery(mu, kl, active, weights.float(), skew, latent.float(), groups, None if unexplained is None else unexplained.float())


def sparsity_scores(points: torch.Tensor, k: int = NEIGHBOURS) -> torch.Tensor:
    """Percentile scores (mean 1) of each point's distance to its k-th nearest neighbour: high where
    the points are sparse. Ranks rather than inverse densities, so that a few isolated points do
    not outweigh everything else in a group's mean."""
    distance, _ = nearest_neighbours(points.double(), k)
    return percentile_scores(distance[:, -1])


def nearest_neighbours(
    points: torch.Tensor, k: int, max_reference: int = MAX_REFERENCE, chunk: int = 2048
) -> tuple[torch.Tensor, torch.Tensor]:
    """Euclidean distances (N, k), ascending, and indices (N, k) of each point's ``k`` nearest other points.

    Neighbours are searched among all points, or among a seeded sample of ``max_reference`` of them
    when there are more; a point is never its own neighbour.
    """
    n = len(points)
    if n <= max_reference:
        reference = torch.arange(n)
    else:
        reference = torch.randperm(n, generator=torch.Generator().manual_seed(0))[:max_reference].sort().values
    position = torch.full((n,), -1, dtype=torch.long)
    position[reference] = torch.arange(len(reference))
    distances, indices = [], []
    for start in range(0, n, chunk):
        rows = torch.arange(start, min(start + chunk, n))
        d = torch.cdist(points[rows], points[reference])
        own = position[rows]
        is_reference = own >= 0
        d[torch.nonzero(is_reference).flatten(), own[is_reference]] = float("inf")
        values, found = d.topk(k, dim=1, largest=False)
        distances.append(values)
        indices.append(reference[found])
    return torch.cat(distances), torch.cat(indices)


def percentile_scores(values: torch.Tensor) -> torch.Tensor:
    """2 * (rank + 1/2) / N for each value (rank 0 = smallest, ties share their mean rank): mean 1,
    from near 0 to near 2."""
    from scipy.stats import rankdata

    ranks = torch.from_numpy(rankdata(values.detach().cpu().double().numpy()) - 1.0)
    return 2 * (ranks + 0.5) / len(values)


def attribute_groups(
    weights: torch.Tensor,
    factors: torch.Tensor,
    factor_names: tuple[str, ...],
    factor_levels: tuple[tuple[str, ...], ...] | None = None,
    latent: torch.Tensor | None = None,
    unexplained: torch.Tensor | None = None,
) -> list[GroupStat]:
    """Share, mean sampler weight, mean latent rarity and mean unexplained rarity of every level of
    every attribute (rows with negative levels are skipped; without ``latent`` scores every group gets 1)."""
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
            latent_mean = 1.0 if latent is None else float(latent[members].mean())
            unexplained_mean = None if unexplained is None else float(unexplained[members].mean())
            stats.append(GroupStat(name, int(level), n, n / total, float(weights[members].mean()), level_name, latent_mean, unexplained_mean))
    return stats


@torch.no_grad()
def residual_codes(
    model: Any, x: torch.Tensor, components: int = RESIDUAL_COMPONENTS, sample: int = PCA_SAMPLE, batch_size: int = 256
) -> torch.Tensor | None:
    """Each image's reconstruction residual (image minus the model's reconstruction, the decoder's
    mean at the posterior mean) projected on the residuals' principal components: (N, components).

    The components are fitted on a seeded sample of ``sample`` residuals, and the rest are projected
    batch by batch, so that no (N, pixels) matrix is ever held. None for a model that does not reconstruct.
    """
    if not isinstance(model, Reconstructor):
        return None
    device = next(model.parameters()).device

    def residuals(rows: torch.Tensor) -> torch.Tensor:
        xb = x[rows]
        return (xb - model.reconstruct(xb.to(device)).cpu()).flatten(1).double()

    fit = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))[: min(sample, len(x))].sort().values
    fitted = torch.cat([residuals(rows) for rows in fit.split(batch_size)])
    mean = fitted.mean(0)
    _, _, vh = torch.linalg.svd(fitted - mean, full_matrices=False)  # exact, so no random state is involved
    basis = vh[:components].T
    if len(fit) == len(x):  # the sample is every image, in order: its residuals are all there is
        return ((fitted - mean) @ basis).float()
    return torch.cat([(residuals(rows) - mean) @ basis for rows in torch.arange(len(x)).split(batch_size)]).float()
