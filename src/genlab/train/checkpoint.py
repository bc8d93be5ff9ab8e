"""Checkpoints without pickle: weights, optimizer state and counters in one safetensors file.

``trainer_state.safetensors`` holds every tensor (``model.*`` and ``optimizers.NAME.*``, one
optimizer per part of the model; a model of one default part keeps the layout from before parts,
``optimizer.*``) and, in its header, a JSON document with the counters and the optimizers'
non-tensor state. Being one file written atomically (and flushed to the disk), it is always whole;
the file it replaces is kept as the previous checkpoint until the next one is in place, and a
checksum in the header tells a damaged file from a good one. ``model.safetensors`` holds the weights alone, for every
command that only needs the trained model.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from genlab.errors import RunError
from genlab.io import read_safetensors, read_safetensors_metadata, write_safetensors
from genlab.models.training import DEFAULT_PART

FORMAT = "genlab-trainer-state/1"


@dataclass
class Progress:
    """Where training stands: the next batch to run is ``batch`` of ``epoch``."""

    epoch: int = 0
    batch: int = 0
    step: int = 0  # optimizer steps taken
    examples: int = 0  # training examples seen, all processes together
    log_sums: dict[str, float] = field(default_factory=dict)  # running sums since the last metrics row
    log_count: int = 0


Optimizers = dict[str, torch.optim.Optimizer]


def _single(optimizers: Optimizers) -> bool:
    """Whether the optimizers are those of a single-loss model, saved as ``optimizer.*``."""
    return list(optimizers) == [DEFAULT_PART]


def _flatten_optimizer(state: dict[str, Any], prefix: str = "optimizer") -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    tensors: dict[str, torch.Tensor] = {}
    plain: dict[str, dict[str, Any]] = {}
    for pid, values in state["state"].items():
        plain[str(pid)] = {}
        for key, value in values.items():
            if torch.is_tensor(value):
                tensors[f"{prefix}.{pid}.{key}"] = value
            else:
                plain[str(pid)][key] = value
    return tensors, {"param_groups": state["param_groups"], "state": plain}


def _unflatten_optimizer(tensors: dict[str, torch.Tensor], meta: dict[str, Any], prefix: str = "optimizer") -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {int(pid): dict(values) for pid, values in meta["state"].items()}
    for name, value in tensors.items():
        pid, key = name.removeprefix(prefix + ".").split(".", 1)
        state.setdefault(int(pid), {})[key] = value
    groups = [
        {k: tuple(v) if isinstance(v, list) and k != "params" else v for k, v in group.items()}
        for group in meta["param_groups"]
    ]
    return {"state": state, "param_groups": groups}


def save_checkpoint(
    state_path: Path,
    weights_path: Path,
    model: nn.Module,
    optimizers: Optimizers,
    progress: Progress,
    trainer_tensors: dict[str, torch.Tensor] | None = None,
    previous_path: Path | None = None,
) -> None:
    """Write the trainer state, then the weights; each file atomically and flushed to the disk.

    ``optimizers`` holds one optimizer per part of the model, by part name. The state file this
    one replaces moves to ``previous_path`` (when given).
    ``trainer_tensors`` is state of the loop itself that resuming needs (e.g. this epoch's sampling
    weights); :func:`load_trainer_tensors` reads it back.
    """
    weights = dict(model.state_dict())
    tensors = {f"model.{k}": v for k, v in weights.items()}
    tensors |= {f"trainer.{k}": v for k, v in (trainer_tensors or {}).items()}
    meta = {"format": FORMAT, "progress": json.dumps(asdict(progress))}
    if _single(optimizers):
        optimizer_tensors, optimizer_meta = _flatten_optimizer(optimizers[DEFAULT_PART].state_dict())
        tensors |= optimizer_tensors
        meta["optimizer"] = json.dumps(optimizer_meta)
    else:
        metas = {}
        for name, opt in optimizers.items():
            part_tensors, metas[name] = _flatten_optimizer(opt.state_dict(), f"optimizers.{name}")
            tensors |= part_tensors
        meta["optimizers"] = json.dumps(metas)
    write_safetensors(state_path, tensors, meta, durable=True, previous=previous_path)
    save_weights(weights_path, weights, progress.step)


def save_weights(weights_path: Path, weights: dict[str, torch.Tensor], step: int) -> None:
    """The weights alone, marked with the step they are from."""
    write_safetensors(weights_path, weights, {"format": "genlab-weights/1", "step": str(step)}, durable=True)


def weights_step(weights_path: Path) -> int | None:
    """The step the weights file is from (None when there is none, or it does not say)."""
    if not weights_path.is_file():
        return None
    step = read_safetensors_metadata(weights_path).get("step")
    return None if step is None else int(step)


def saved_progress(state_path: Path) -> Progress:
    """Where the checkpoint at ``state_path`` stands, read from its header alone."""
    return Progress(**json.loads(read_safetensors_metadata(state_path)["progress"]))


def load_checkpoint(state_path: Path, model: nn.Module, optimizers: Optimizers) -> Progress:
    """Restore model and optimizers (one per part, by name) from ``state_path`` and return where training stood."""
    meta = read_safetensors_metadata(state_path)
    if meta.get("format") != FORMAT:
        raise RunError(f"{state_path} is not a genlab trainer state (format {meta.get('format')!r})")
    tensors = read_safetensors(state_path)
    weights = {k.removeprefix("model."): v for k, v in tensors.items() if k.startswith("model.")}
    try:
        model.load_state_dict(weights, strict=True)
        if _single(optimizers):
            optimizer_tensors = {k: v for k, v in tensors.items() if k.startswith("optimizer.")}
            optimizers[DEFAULT_PART].load_state_dict(_unflatten_optimizer(optimizer_tensors, json.loads(meta["optimizer"])))
        else:
            metas = json.loads(meta["optimizers"])
            if set(metas) != set(optimizers):
                raise KeyError(f"optimizers {sorted(metas)} in the file, {sorted(optimizers)} in the model")
            for name, opt in optimizers.items():
                prefix = f"optimizers.{name}"
                part = {k: v for k, v in tensors.items() if k.startswith(prefix + ".")}
                opt.load_state_dict(_unflatten_optimizer(part, metas[name], prefix))
    except (RuntimeError, ValueError, KeyError) as e:
        raise RunError(f"{state_path} does not match this model ({str(e).splitlines()[0]})") from e
    for opt in optimizers.values():
        _match_parameter_layouts(opt)
    return Progress(**json.loads(meta["progress"]))


def load_trainer_tensors(state_path: Path) -> dict[str, torch.Tensor]:
    """The loop's own tensors saved by :func:`save_checkpoint` (empty if there are none)."""
    return {k.removeprefix("trainer."): v for k, v in read_safetensors(state_path).items() if k.startswith("trainer.")}


def _match_parameter_layouts(optimizer: torch.optim.Optimizer) -> None:
    """Give each loaded state tensor the memory layout of its parameter.

    Loaded state is contiguous; a channels-last parameter with contiguous moments makes torch's
    fused Adam mix up elements (silently wrong updates, seen with torch 2.13), so match them.
    """
    for group in optimizer.param_groups:
        for param in group["params"]:
            state = optimizer.state.get(param, {})
            for key, value in state.items():
                if torch.is_tensor(value) and value.shape == param.shape and value.stride() != param.stride():
                    state[key] = torch.empty_like(param).copy_(value)
