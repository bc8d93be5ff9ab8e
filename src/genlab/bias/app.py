"""``genlab bias discover``: fit (or reuse) a VAE on a training set and report where it is thin."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from genlab.bias.discover import Discovery, discover, posterior, residual_codes
from genlab.bias.report import write_discovery_report
from genlab.data.splits import DataSpec, load_split
from genlab.errors import RunError
from genlab.io import replacing_folder, write_json
from genlab.latent.codes import decode_images
from genlab.models.classifier.resampling import Combine
from genlab.models.protocols import Decoder
from genlab.progress import ProgressFn
from genlab.run import Run
from genlab.train.config import TrainConfig
from genlab.workflows import train_run

log = logging.getLogger(__name__)

# The VAE fitted when no --model is given: small enough for a CPU, big enough for 64x64 faces.
DEFAULT_VAE = {"net": "conv", "latent_dim": 16, "hidden": (256,), "channels": (32, 64, 128)}
TRAVERSED_DIMS = 4


def discover_bias(
    out: str | Path,
    data: str | None = None,
    model_run: str | None = None,
    epochs: int = 10,
    limit: int | None = None,
    resize: int | None = None,
    bins: int = 10,
    alpha: float = 0.01,
    combine: Combine = "max",
    seed: int = 0,
    overwrite: bool = False,
    progress: ProgressFn | None = None,
) -> tuple[Discovery, Path]:
    """Write ``out/report.html`` and ``out/discovery.json``; return the discovery and the report path.

    With ``model_run`` the VAE of that run folder is used (on ``data``, or on the run's own data);
    otherwise a conv VAE is trained into ``out/vae`` on ``data``. Only the positives (label 1) of a
    labeled data set are analysed: the question is which faces are rare, not how many non-faces there are.
    """
    out = Path(out)
    replace_old = out.exists() and any(out.iterdir())
    if replace_old and not overwrite:
        raise RunError(f"{out} already exists and is not empty; choose another --out or pass --overwrite")
    if model_run is not None and out.resolve() in (Path(model_run).resolve(), *Path(model_run).resolve().parents):
        raise RunError(f"--out {out} holds the --model run {model_run}, which --overwrite would delete; choose another --out")
    with replacing_folder(out):
        return _discover(out, data, model_run, epochs, limit, resize, bins, alpha, combine, seed, progress)


def _discover(
    out: Path, data: str | None, model_run: str | None, epochs: int, limit: int | None, resize: int | None,
    bins: int, alpha: float, combine: Combine, seed: int, progress: ProgressFn | None,
) -> tuple[Discovery, Path]:  # fmt: skip
    if model_run is None:
        if data is None:
            raise RunError("give --data to fit a VAE on, or --model RUN to reuse a trained one")
        spec = DataSpec(data, resize=resize, limit=limit, seed=seed)
        run, _ = train_run("vae", spec, TrainConfig(epochs=epochs, seed=seed), str(out / "vae"), DEFAULT_VAE, progress=progress)
    else:
        run = Run(model_run).require()
        spec = run.load_config().data
        if data is not None:
            spec = replace(spec, name=data, limit=limit, binarize=False, dequantize=False)
    model = run.load_model(torch.device("cpu"))
    train = load_split(spec, "train")
    x, factors = train.x, train.factors
    if train.y is not None and bool((train.y == 1).any()) and bool((train.y != 1).any()):
        positive = train.y == 1
        log.info("analysing the %d positives (label 1) of %d training images", int(positive.sum()), len(train))
        x, factors = x[positive], None if factors is None else factors[positive]
    mu, logvar = posterior(model, x, progress=progress)
    residuals = residual_codes(model, x)
    found = discover(mu, logvar, factors, train.factor_names, bins, alpha, combine, train.factor_levels, residuals)
    traversals = _traversals(model, x, found)
    notes = {
        "data": spec.name, "images analysed": len(x), "VAE run": str(run.path),
        "active latent dimensions": f"{len(found.active)} of {mu.shape[1]}",
        "histogram bins": bins, "alpha": alpha, "combine": combine,
    }  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)  # with --model nothing has created it yet
    write_json(out / "discovery.json", found.to_json())
    report = write_discovery_report(out / "report.html", found, x, f"Bias discovery: {spec.name}", traversals, notes)
    return found, report


@torch.no_grad()
def _traversals(model: Any, x: torch.Tensor, found: Discovery) -> list[tuple[int, torch.Tensor]]:
    """Decoded rows moving each of the most skewed dimensions from -3 to 3, from the most common image."""
    if not isinstance(model, Decoder):
        return []
    base = found.mu[found.most_common(1)[0]]
    values = torch.linspace(-3, 3, 9)
    rows = []
    for d in found.skewed_dims[:TRAVERSED_DIMS]:
        codes = base.repeat(len(values), 1)
        codes[:, d] = values
        rows.append((d, decode_images(model, codes).cpu()))
    return rows
