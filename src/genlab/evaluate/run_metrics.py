"""``genlab evaluate``: the metrics of a trained run on one split of its data."""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from typing import Any

import torch

from genlab.data.splits import DataSpec, load_all, load_split, noisy_view
from genlab.device import resolve_device
from genlab.errors import ConfigError, DataError
from genlab.evaluate.likelihood import bits_per_dim, reconstruction_errors, vae_likelihood
from genlab.evaluate.toy import toy_metrics
from genlab.io import write_json
from genlab.models.protocols import BinaryClassifier, Encoder, Likelihood, ReconstructionScorer, Sampler
from genlab.progress import ProgressFn
from genlab.run import Run
from genlab.seeding import derive_seed, seeded_rng

log = logging.getLogger(__name__)


def _likelihood_basis(config: Any, data: Any, bits: int | None, x: torch.Tensor) -> tuple[bool, int | None, str]:
    """Whether the decoder density is a valid likelihood of this data, and how to read bits/dim."""
    likelihood = config.model_config.likelihood
    if likelihood == "bernoulli":
        binary = bool(((x == 0) | (x == 1)).all())
        if binary:
            note = "Bernoulli likelihood of binarized data" if data.binarize else "Bernoulli likelihood of binary data"
            return True, None, note
        return False, None, (
            "Bernoulli decoder on non-binary data: the numbers are cross-entropies, not likelihoods; "
            "train with --binarize for a valid likelihood"
        )
    density = {"gaussian": "Gaussian", "student-t": "Student-t"}[likelihood]
    if data.dequantize and bits is not None:
        return True, bits, f"{density} density of uniformly dequantized {bits}-bit data (bits/dim bounds the discrete NLL)"
    return False, None, (
        f"{density} density of undequantized data: a differential entropy, not comparable to discrete "
        "likelihoods; train with --dequantize for 8-bit images"
    )


@torch.no_grad()
def classifier_metrics(
    model: Any, x: torch.Tensor, data: Any, batch_size: int, groups: tuple[str, ...] | None
) -> dict[str, Any]:
    """Accuracy of a binary classifier and, given attribute ``groups``, its fairness across them.

    Fairness is measured on the positives (the faces), as in the DB-VAE paper: the share of each
    group's faces that the classifier detects. Data without labels (a folder of faces only, like
    PPB) counts as all positives when ``groups`` are given; faces whose value of a group attribute
    is unknown are left out of the groups.
    """
    from genlab.evaluate.fairness import group_accuracies

    if groups is not None:
        _check_groups(data, groups)
    if data.y is None:
        if groups is None:
            raise ConfigError("this split has no labels, so a classifier cannot be scored on it")
        log.info("the data has no labels: scoring its %d images as faces (label 1)", len(x))
    model.eval()
    logits = torch.cat([model.classify(chunk) for chunk in x.split(batch_size)]).cpu()
    y = data.y.cpu() if data.y is not None else torch.ones(len(logits), dtype=torch.long)
    correct = (logits > 0).long() == y
    positive = y == 1
    result: dict[str, Any] = {
        "accuracy": float(correct.float().mean()),
        "accuracy_positives": float(correct[positive].float().mean()) if positive.any() else None,
        "accuracy_negatives": float(correct[~positive].float().mean()) if (~positive).any() else None,
    }
    if groups is not None:
        values = torch.stack([data.factor(name).cpu() for name in groups], 1)  # (N, G) level indices
        scored = positive & (values >= 0).all(1)
        if int((positive & ~scored).sum()):
            log.warning("%d faces have an unknown %s and are left out of the groups", int((positive & ~scored).sum()), "/".join(groups))
        labels = [
            "|".join(f"{name}={data.level_name(name, level)}" for name, level in zip(groups, row))
            for row in values[scored].tolist()
        ]
        result["fairness"] = {"group_by": list(groups), **group_accuracies(correct[scored].numpy(), labels)}
    return result


def _check_groups(data: Any, groups: tuple[str, ...]) -> None:
    """A DataError before any work when the data has no attributes, or not the ones asked for."""
    if data.factors is None:
        raise DataError(
            "--fairness needs the attributes of each test example (procedural faces, or "
            "--data folder:PATH,attributes=FILE.csv); this data set has none"
        )
    unknown = [name for name in groups if name not in data.factor_names]
    if unknown:
        raise DataError(
            f"--groups asks for '{unknown[0]}', but the data's attributes are {', '.join(data.factor_names)}; "
            f"choose among them, e.g. --groups {data.factor_names[0]}"
        )


def is_toy(name: str) -> bool:
    from genlab.data.toy import TOYS

    return name in {t.name for t in TOYS}


def toy_run_metrics(model: Any, name: str, x: torch.Tensor, seed: int) -> dict[str, Any]:
    """Exact distances between as many model samples as ``x`` holds and the toy data ``x``."""
    from genlab.data.registry import get_source

    source = get_source(name)
    fake = model.sample(len(x), torch.Generator().manual_seed(derive_seed(seed, "toy-samples"))).cpu().numpy()
    return {"n_samples": len(fake), **toy_metrics(x.cpu().numpy(), fake, source.modes, source.mode_std)}


def other_data(config: Any, name: str) -> DataSpec:
    """The spec of data set ``name`` seen as the run saw its own: same size and noise, no limit.

    Images are resized to the run's input size when the run itself was trained without --resize.
    """
    shape = tuple(config.model_config.input_shape)
    resize = config.data.resize
    if resize is None and len(shape) == 3 and shape[1] == shape[2]:
        resize = shape[1]
    return replace(config.data, name=name, resize=resize, limit=None)


def evaluate_run(
    path: str,
    split: str | None = None,
    iwae_k: int = 100,
    n: int | None = None,
    batch_size: int = 256,
    seed: int = 0,
    device: str = "auto",
    save: bool = True,
    progress: ProgressFn | None = None,
    disentanglement: bool = False,
    disentanglement_n: int = 10_000,
    fairness: bool = False,
    groups: tuple[str, ...] = ("skin", "glasses"),
    data: str | None = None,
) -> dict[str, Any]:
    """Evaluate the run at ``path`` on ``split`` and return (and save as eval_SPLIT.json) its metrics.

    The run's report is not rewritten here; :func:`genlab.report.write_report` shows the saved
    numbers (``genlab evaluate`` does both).

    ``split`` is ``test`` by default. ``data`` names another data set to score the run on (e.g. a
    balanced test folder with an attributes CSV, ``folder:PPB,attributes=ppb.csv``): all of it, or
    its ``split``; those results are returned but not saved in the run folder.

    For a VAE: ``elbo``, ``recon``, ``kl``, ``nll_iwae`` (nats per example), ``bits_per_dim``; for an
    AE: ``mse``, ``psnr``, ``recon``; for a classifier: ``accuracy`` and, with ``fairness``, the
    accuracy on the positives of each group of the attributes ``groups``; for a GAN on a toy data set:
    ``wasserstein1`` and ``ks`` (1-D), ``mmd`` (squared MMD), ``modes_covered`` of ``modes_total`` and
    ``high_quality`` (mixtures). ``n`` limits the number of examples (the first n of the split);
    ``progress`` hears about each batch of the likelihood estimate.
    ``disentanglement`` adds the metrics of :func:`genlab.evaluate.disentanglement.compute_all` (on
    images rendered from the data set's factors, sample sizes scaled to ``disentanglement_n``).
    """
    if iwae_k < 1:
        raise ConfigError(f"--iwae-k must be at least 1, got {iwae_k}")
    if n is not None and n < 1:
        raise ConfigError(f"--n must be at least 1, got {n}")
    if batch_size < 1:
        raise ConfigError(f"--batch-size must be at least 1, got {batch_size}")
    run = Run(path)
    config = run.load_config()
    spec = config.data if data is None else other_data(config, data)
    split = split or ("test" if data is None else "all")
    factors = None
    if disentanglement:  # fail before the long likelihood estimate when the data set has no factors
        from genlab.data.factors import factor_source

        if disentanglement_n < 10:
            raise ConfigError(f"--disentanglement-n must be at least 10, got {disentanglement_n}")
        factors = factor_source(spec.name, spec.resize)
    dev = resolve_device(device)
    model = run.load_model(dev)
    if factors is not None and not isinstance(model, Encoder):
        raise ConfigError(f"--disentanglement scores a model's codes; a '{config.model}' model has no encoder")
    first = slice(0, n)  # all when n is None; a procedural set renders only these
    examples = load_all(spec).subset(first) if split == "all" and data is not None else load_split(spec, split, first)
    if data is not None and examples.example_shape != tuple(config.model_config.input_shape):
        raise DataError(
            f"{run.path} takes examples shaped {tuple(config.model_config.input_shape)}, but {data} holds "
            f"{examples.example_shape}; give images of the same kind (color or grayscale) as the run's training data"
        )
    x = noisy_view(spec, examples.x, examples.bits, torch.Generator().manual_seed(derive_seed(seed, "eval-noise"))).to(dev)
    result: dict[str, Any] = {"run": str(run.path), "model": config.model, "dataset": spec.name, "split": split, "n_examples": len(x)}
    if fairness and not isinstance(model, BinaryClassifier):
        raise ConfigError(f"--fairness scores a classifier (classifier, dbvae); {run.path} holds a '{config.model}' model")
    with seeded_rng(derive_seed(seed, "eval")):  # the posterior draws of the likelihood estimates
        result |= _model_metrics(model, config, spec, examples, x, iwae_k, batch_size, seed, progress, groups if fairness else None)
    if factors is not None:
        from genlab.evaluate.disentanglement import (
            CodeCache,
            compute_all,
            encoder_batch_size,
            model_representation,
        )

        represent = model_representation(model, spec, dev, derive_seed(seed, "factor-noise"))
        if not spec.noisy:  # the same image, the same code: each distinct image is encoded once
            represent = CodeCache(factors, represent, encoder_batch_size(dev))
        say = lambda name: log.info("disentanglement: computing %s", name)
        result["disentanglement"] = compute_all(factors, represent, derive_seed(seed, "factors"), disentanglement_n, progress=say)
    result["seed"] = seed
    if save and data is None:  # the run folder keeps the scores on its own data only
        write_json(run.eval_path(split), result)
    return result


def _model_metrics(
    model: Any, config: Any, spec: DataSpec, examples: Any, x: torch.Tensor, iwae_k: int, batch_size: int, seed: int,
    progress: ProgressFn | None, groups: tuple[str, ...] | None,
) -> dict[str, Any]:  # fmt: skip
    """The metrics of what the model is: likelihoods of a VAE, accuracy of a classifier, errors of an
    autoencoder, exact distances of a toy generator."""
    if isinstance(model, Likelihood):
        terms = vae_likelihood(model, x, iwae_k, batch_size, progress=progress)
        nll = float(-terms["log_px"].mean())
        valid, deq_bits, note = _likelihood_basis(config, spec, examples.bits, x)
        dims = math.prod(examples.example_shape)
        return {
            "elbo": float(terms["elbo"].mean()),
            "recon": float(terms["recon"].mean()),
            "kl": float(terms["kl"].mean()),
            "nll_elbo": float(-terms["elbo"].mean()),
            "nll_iwae": nll,
            "iwae_k": iwae_k,
            "bits_per_dim": bits_per_dim(nll, dims, deq_bits),
            "dims": dims,
            "likelihood": config.model_config.likelihood,
            "likelihood_valid": valid,
            "likelihood_note": note,
        }
    if isinstance(model, BinaryClassifier):
        return classifier_metrics(model, x, examples, batch_size, groups)
    if isinstance(model, ReconstructionScorer):
        errors = reconstruction_errors(model, x, batch_size)
        return {"recon": float(errors["recon"].mean()), "mse": float(errors["mse"].mean()), "psnr": float(errors["psnr"].mean())}
    if isinstance(model, Sampler) and not examples.is_image and is_toy(spec.name):
        return toy_run_metrics(model, spec.name, examples.x, seed)
    raise ConfigError(
        f"genlab evaluate has no likelihood or accuracy for a '{config.model}' model on {spec.name}; "
        "score its samples with --quality (images)"
    )
