"""The run folder: the unit every command after ``genlab train`` takes.

    RUN/config.json                 model name and config, data spec, trainer options
    RUN/model.safetensors           weights of the last checkpoint
    RUN/trainer_state.safetensors   weights + optimizer state + counters, for --resume
    RUN/trainer_state.previous.safetensors   the checkpoint before it, kept in case it is damaged
    RUN/metrics.csv, RUN/tb/        training curves (CSV and TensorBoard events)
    RUN/images/epoch_NNN_NAME.png   reconstructions and samples per epoch
    RUN/train_summary.json          how training ended, throughput, replica checksums
    RUN/eval_SPLIT.json             results of ``genlab evaluate``
    RUN/quality_SPLIT.json          results of ``genlab evaluate --quality``
    RUN/translation_SPLIT.json      results of ``genlab evaluate --translation``
    RUN/voice_DIRECTION.json        results of ``genlab evaluate --voice`` (AtoB, BtoA)
    RUN/voice_examples/             held-out sentences as WAVs (source, converted, target), their
                                    spectral envelopes and F0 as PNGs, and index.json listing them
    RUN/training.gif                the snapshots over training, for models that ask for it (GANs)
    RUN/latent_walk.gif             a walk through the noise space (image GANs)
    RUN/report.html                 the self-contained report

Every file name is a name on :class:`Run`; applications that keep more files in a run folder
(the outlier detector) name them in their own persistence module.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import torch
from torch import nn

import genlab
from genlab.data.splits import DataSpec
from genlab.errors import ConfigError, RunError
from genlab.io import read_safetensors, write_json
from genlab.models.config import ModelConfig
from genlab.models.registry import build_model, get_model_spec
from genlab.train.checkpoint import saved_progress

Capability = TypeVar("Capability")
from genlab.train.config import TrainConfig

log = logging.getLogger(__name__)


@dataclass
class RunConfig:
    """Everything needed to rebuild a run's model and data: the content of config.json."""

    model: str
    model_config: ModelConfig
    data: DataSpec
    train: TrainConfig

    def to_dict(self) -> dict[str, Any]:
        return {
            "genlab_version": genlab.__version__,
            "model": self.model,
            "model_config": self.model_config.to_dict(),
            "data": asdict(self.data),
            "train": asdict(self.train),
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunConfig:
        spec = get_model_spec(values["model"])
        return cls(
            model=values["model"],
            model_config=spec.config_cls.from_dict(values["model_config"]),
            data=DataSpec(**values["data"]),
            train=TrainConfig(**values["train"]),
        )


class Run:
    """A run folder on disk. ``Run.create`` starts one; ``Run(path)`` opens an existing one."""

    CONFIG = "config.json"
    WEIGHTS = "model.safetensors"
    STATE = "trainer_state.safetensors"
    PREVIOUS_STATE = "trainer_state.previous.safetensors"
    METRICS = "metrics.csv"
    SUMMARY = "train_summary.json"
    REPORT = "report.html"
    IMAGES = "images"
    TENSORBOARD = "tb"
    TRAINING_GIF = "training.gif"
    LATENT_WALK_GIF = "latent_walk.gif"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # --- paths ---
    @property
    def config_path(self) -> Path:
        return self.path / self.CONFIG

    @property
    def weights_path(self) -> Path:
        return self.path / self.WEIGHTS

    @property
    def state_path(self) -> Path:
        return self.path / self.STATE

    @property
    def previous_state_path(self) -> Path:
        return self.path / self.PREVIOUS_STATE

    @property
    def metrics_path(self) -> Path:
        return self.path / self.METRICS

    @property
    def summary_path(self) -> Path:
        return self.path / self.SUMMARY

    @property
    def images_dir(self) -> Path:
        return self.path / self.IMAGES

    @property
    def tensorboard_dir(self) -> Path:
        return self.path / self.TENSORBOARD

    @property
    def training_gif_path(self) -> Path:
        return self.path / self.TRAINING_GIF

    @property
    def latent_walk_path(self) -> Path:
        return self.path / self.LATENT_WALK_GIF

    @property
    def report_path(self) -> Path:
        return self.path / self.REPORT

    def eval_path(self, split: str) -> Path:
        return self.path / f"eval_{split}.json"

    def eval_paths(self) -> list[Path]:
        """The saved ``genlab evaluate`` results, by split name."""
        return sorted(self.path.glob("eval_*.json"))

    def quality_path(self, split: str) -> Path:
        return self.path / f"quality_{split}.json"

    def quality_paths(self) -> list[Path]:
        """The saved ``genlab evaluate --quality`` results, by split name."""
        return sorted(self.path.glob("quality_*.json"))

    def translation_path(self, split: str) -> Path:
        """The results of ``genlab evaluate --translation`` on ``split``."""
        return self.path / f"translation_{split}.json"

    def translation_paths(self) -> list[Path]:
        return sorted(self.path.glob("translation_*.json"))

    def voice_path(self, direction: str) -> Path:
        """Scores of ``genlab evaluate --voice`` in one direction (AtoB, BtoA)."""
        return self.path / f"voice_{direction}.json"

    def voice_paths(self) -> list[Path]:
        return sorted(self.path.glob("voice_*.json"))

    @property
    def voice_examples_dir(self) -> Path:
        """Examples that ``genlab evaluate --voice`` writes for the report: WAVs, PNGs and index.json."""
        return self.path / "voice_examples"

    def snapshot_path(self, epoch: int, name: str) -> Path:
        """Where the training picture ``name`` of the end of ``epoch`` goes."""
        return self.images_dir / f"epoch_{epoch:03d}_{name}.png"

    def snapshots(self, name: str) -> list[tuple[int, Path]]:
        """The saved training pictures called ``name``, by epoch."""
        found = []
        for path in self.images_dir.glob(f"epoch_*_{name}.png"):
            match = re.fullmatch(rf"epoch_(\d+)_{re.escape(name)}\.png", path.name)
            if match:
                found.append((int(match.group(1)), path))
        return sorted(found)

    def snapshot_names(self) -> list[str]:
        """The names of the saved training pictures (reconstructions, samples, ...)."""
        return sorted({re.sub(r"^epoch_\d+_", "", p.stem) for p in self.images_dir.glob("epoch_*_*.png")})

    def has_checkpoint(self) -> bool:
        """Whether training reached a checkpoint (a current or a previous trainer state is there)."""
        return self.state_path.is_file() or self.previous_state_path.is_file()

    def resumable_state(self) -> Path:
        """The trainer state to resume from: the last checkpoint, or the one before it when the last
        is damaged; a RunError that says what to do when there is none."""
        problems = []
        for path in (self.state_path, self.previous_state_path):
            if not path.is_file():
                continue
            try:
                read_safetensors(path)  # checks the checksum of every tensor
            except RunError as e:
                problems.append(str(e))
                continue
            if problems:
                log.warning("%s; continuing from the checkpoint before it (%s, step %d)",
                            problems[0], path.name, saved_progress(path).step)  # fmt: skip
            return path
        if problems:
            raise RunError(f"{self.path} has no usable checkpoint: {'; '.join(problems)}")
        kept = f" (its {self.WEIGHTS} still serves evaluate and sample)" if self.weights_path.is_file() else ""
        raise RunError(
            f"{self.path} has no {self.STATE} to resume from{kept}; to train again, start a new run "
            "with another --out, or replace this one with --overwrite"
        )

    # --- life cycle ---
    @classmethod
    def create(cls, path: str | Path, config: RunConfig, overwrite: bool = False, resumable: bool = True) -> Run:
        """Start a new run folder; refuses to replace an existing one unless ``overwrite``.

        ``resumable`` says whether the refusal may suggest --resume (not for a saved detector).
        """
        run = cls(path)
        if run.path.exists():
            if not run.path.is_dir():
                raise RunError(f"{run.path} is a file; choose another --out")
            if any(run.path.iterdir()):
                if not run.config_path.exists():
                    raise RunError(f"{run.path} is a non-empty folder that is not a genlab run; choose another --out")
                if not overwrite:
                    resume = "continue it with --resume, " if resumable else ""
                    raise RunError(
                        f"{run.path} already holds a run; {resume}replace it with --overwrite, or choose another --out"
                    )
                shutil.rmtree(run.path)
        run.path.mkdir(parents=True, exist_ok=True)
        run.save_config(config)
        return run

    def save_config(self, config: RunConfig) -> None:
        write_json(self.config_path, config.to_dict())

    def require(self) -> Run:
        """Check that this is a run folder, with a clear error if not."""
        if not self.path.exists():
            raise RunError(f"no run folder at {self.path}; train one with `genlab train MODEL --out {self.path}`")
        if not self.config_path.is_file():
            raise RunError(f"{self.path} is not a genlab run (no {self.CONFIG}); give a folder that `genlab train` wrote")
        return self

    def load_config(self) -> RunConfig:
        self.require()
        try:
            values = json.loads(self.config_path.read_text(encoding="utf-8"))
            return RunConfig.from_dict(values)
        except (json.JSONDecodeError, KeyError, TypeError, ConfigError) as e:
            raise RunError(
                f"{self.config_path} is corrupt or from an incompatible genlab ({e}); restore the file or retrain the run"
            ) from e

    def build_model(self, config: RunConfig | None = None) -> nn.Module:
        """A freshly initialized model of this run's architecture."""
        config = config or self.load_config()
        try:
            return build_model(config.model, config.model_config)
        except ConfigError:
            raise
        except (TypeError, ValueError) as e:  # a value of the wrong type that from_dict let through
            raise RunError(
                f"{self.config_path} describes a model genlab cannot build ({e}); restore the file or retrain the run"
            ) from e

    def load_model(self, device: str | torch.device = "cpu") -> nn.Module:
        """The trained model, rebuilt from config.json and model.safetensors, in eval mode."""
        config = self.load_config()
        model = self.build_model(config)
        if not self.weights_path.is_file():
            raise RunError(
                f"{self.path} has no {self.WEIGHTS}: training stopped before its first checkpoint "
                f"or the file was removed; continue it with `genlab train {config.model} --out {self.path} --resume`"
            )
        state = read_safetensors(self.weights_path)
        try:
            model.load_state_dict(state, strict=True)
        except RuntimeError as e:
            lines = [line.strip() for line in str(e).strip().splitlines() if line.strip()]
            detail = lines[1] if len(lines) > 1 and lines[0].endswith(":") else lines[0]
            raise RunError(
                f"{self.weights_path} does not match the model in {self.CONFIG} ({detail}); "
                "put back the weights that belong to this run, or retrain it"
            ) from e
        return model.to(device).eval()

    def load_capable(self, capability: type[Capability], device: str | torch.device, refusal: str) -> Capability:
        """The trained model, if it has ``capability`` (a protocol of genlab.models.protocols);
        otherwise a ConfigError saying ``refusal``, its ``{run}`` and ``{model}`` filled in."""
        model = self.load_model(device)
        if not isinstance(model, capability):
            raise ConfigError(refusal.format(run=self.path, model=self.load_config().model))
        return model

    def read_json(self, path: Path) -> dict[str, Any] | None:
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return None

