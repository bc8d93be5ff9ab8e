"""The animations a run gets at the end of training: its snapshots over time, and a walk through a
GAN's noise space."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from torch import nn

from genlab.latent.noise import save_latent_walk
from genlab.models.protocols import NoiseGenerator
from genlab.models.training import Snapshots
from genlab.run import Run
from genlab.viz.animation import save_gif


def training_gif(run: Run, name: str, fps: float = 4.0) -> Path | None:
    """The run's snapshots called ``name`` as ``RUN/training.gif`` (None when there are fewer than 2)."""
    history = run.snapshots(name)
    if len(history) < 2:
        return None
    frames = []
    for _, path in history:
        with Image.open(path) as image:
            frames.append(image.convert("RGB"))
    size = frames[0].size
    frames = [f if f.size == size else f.resize(size) for f in frames]
    frames += [frames[-1]] * int(fps)  # rest a second on the final state
    return save_gif(frames, run.training_gif_path, fps)


def write_training_animations(run: Run, model: nn.Module) -> list[Path]:
    """GIFs a model asks for: ``RUN/training.gif`` from its snapshots over training (a model names
    the snapshot in ``training_animation``) and ``RUN/latent_walk.gif`` for image generators."""
    written = []
    if isinstance(model, Snapshots) and model.training_animation:
        written.append(training_gif(run, model.training_animation))
    if isinstance(model, NoiseGenerator) and model.config.is_image and run.weights_path.is_file():  # type: ignore[attr-defined]
        trained = run.load_model()
        written.append(save_latent_walk(trained, run.latent_walk_path, seed=run.load_config().train.seed))
    return [p for p in written if p is not None]
