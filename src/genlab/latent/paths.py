"""Paths through a latent or noise space: straight lines, great-circle arcs and closed walks.

The one implementation of lerp and slerp in genlab. It knows nothing about models: a VAE's codes
and a GAN's noise vectors are both just tensors (..., L), and a batch of codes (B, L) gives a batch
of paths (steps, B, L).

Gaussian codes in L dimensions lie near a shell of radius about sqrt(L): the straight line between
two draws cuts through the inside of the shell, where a generator saw no input in training, so
its middle tends to be washed out. The arc (slerp; Shoemake 1985, White 2016) keeps its distance
from the origin.
"""

from __future__ import annotations

import torch

from genlab.errors import ConfigError

# Below this sin(angle) two codes are (anti)parallel: the arc is a line (parallel) or not unique
# (antiparallel), and dividing by sin(angle) would only amplify rounding. Slerp then draws the line;
# for angles this small the two differ by a relative O(angle^2) <= 1e-8.
NEARLY_PARALLEL = 1e-4


def _fractions(steps: int, like: torch.Tensor) -> torch.Tensor:
    """t = 0, 1/(steps-1), ..., 1 shaped (steps, 1, ..., 1) to broadcast against ``like``; both ends exact."""
    t = torch.arange(steps, dtype=like.dtype, device=like.device) / (steps - 1)
    return t.view(steps, *[1] * like.dim())


def _check(a: torch.Tensor, b: torch.Tensor, steps: int) -> None:
    if steps < 2:
        raise ConfigError(f"--steps must be at least 2, got {steps}")
    if a.shape != b.shape or a.dim() == 0:
        raise ValueError(
            f"interpolation needs two codes of the same shape (L,) or (B, L), got {tuple(a.shape)} and {tuple(b.shape)}"
        )


def lerp(a: torch.Tensor, b: torch.Tensor, steps: int) -> torch.Tensor:
    """``steps`` points on the straight line from ``a`` to ``b``, both included.

    Codes (..., L) -> (steps, ..., L); the first point is exactly ``a``, the last exactly ``b``.
    """
    _check(a, b, steps)
    t = _fractions(steps, a)
    return (1 - t) * a + t * b


def slerp(a: torch.Tensor, b: torch.Tensor, steps: int) -> torch.Tensor:
    """``steps`` points on the arc from ``a`` to ``b`` (both included), the radius interpolated linearly.

    Codes (..., L) -> (steps, ..., L). Each point is r(t) times the unit vector that turns from
    a's direction to b's at constant speed, with r(t) = (1 - t)|a| + t|b|; so two codes of equal
    norm stay on their sphere. The ends are exactly ``a`` and ``b``. Codes at (nearly) the same or
    opposite direction, or zero codes, get the straight line (per code in a batch).
    """
    _check(a, b, steps)
    t = _fractions(steps, a)
    na, nb = a.norm(dim=-1, keepdim=True), b.norm(dim=-1, keepdim=True)
    ua, ub = a / na.clamp_min(1e-30), b / nb.clamp_min(1e-30)
    # the angle from the chord and the sum of the unit vectors: accurate at every angle, where
    # arccos(cos) loses all digits below about 3e-4 rad in float32
    omega = 2 * torch.atan2((ua - ub).norm(dim=-1, keepdim=True), (ua + ub).norm(dim=-1, keepdim=True))
    # sin((1 - t) w) and sin(t w); each is divided by its own value at the end where it equals
    # sin(w), so that x / x = 1 makes both ends exact whatever the rounding of sin
    sa, sb = torch.sin((1 - t) * omega), torch.sin(t * omega)
    line = (sa[0] < NEARLY_PARALLEL) | (na == 0) | (nb == 0)
    one = torch.ones_like(sa[0])
    radius = (1 - t) * na + t * nb
    # coefficients on a and b themselves (not on their unit vectors), again exactly 1 and 0 at the ends
    ca = sa / torch.where(line, one, sa[0]) * (radius / na.clamp_min(1e-30))
    cb = sb / torch.where(line, one, sb[-1]) * (radius / nb.clamp_min(1e-30))
    arc = ca * a + cb * b
    return torch.where(line, (1 - t) * a + t * b, arc)


def interpolate_codes(a: torch.Tensor, b: torch.Tensor, steps: int, spherical: bool = False) -> torch.Tensor:
    """Codes (steps, ..., L) from ``a`` to ``b`` (..., L), both ends included: straight or (``spherical``) along an arc."""
    return slerp(a, b, steps) if spherical else lerp(a, b, steps)


def closed_walk(anchors: torch.Tensor, steps: int, spherical: bool = True) -> torch.Tensor:
    """A loop through ``anchors`` (K, ..., L): 0 -> 1 -> ... -> K-1 -> 0, ``steps`` codes per leg.

    Returns (K * steps, ..., L); code ``i * steps`` is anchor i, and the code after the last is
    anchor 0 again, so an animation of the walk cycles without a jump.
    """
    if len(anchors) < 2:
        raise ConfigError(f"a walk needs at least 2 points, got {len(anchors)}")
    if steps < 1:
        raise ConfigError(f"a walk needs at least 1 step per leg, got {steps}")
    legs = [
        interpolate_codes(anchors[i], anchors[(i + 1) % len(anchors)], steps + 1, spherical)[:-1]
        for i in range(len(anchors))
    ]
    return torch.cat(legs)
