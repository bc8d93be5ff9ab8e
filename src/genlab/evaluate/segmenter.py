"""The segmenter behind the FCN-score of generated faces (Isola et al. 2017, section 4.2).

pix2pix scored its label -> photo translations by segmenting the generated photos with a network
trained on real photos, and comparing the segmentation with the input labels. genlab does the
same with a U-Net trained on real procedural faces and their exact label maps; the score of real
faces is the ceiling a generator can reach. The segmenter trains on the shared trainer, in memory,
and is kept in the feature cache (``$GENLAB_CACHE/features``) under a hash of its data and settings.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from genlab.data.dataset import Dataset
from genlab.data.splits import DataSpec, Splits
from genlab.errors import RunError
from genlab.evaluate.features import cache_dir
from genlab.io import read_safetensors, read_safetensors_metadata, write_safetensors
from genlab.nets.translation import UNet
from genlab.seeding import seeded_rng

log = logging.getLogger(__name__)

VERSION = 2  # bump when the network or its training changes: cached segmenters of another version are not reused


class Segmenter(nn.Module):
    """Images (N, C, H, W) in [0, 1] -> class logits (N, K, H, W); trained on ``labels`` (N, H, W)."""

    def __init__(self, channels: int, classes: int, size: int, width: int = 16) -> None:
        super().__init__()
        self.net = UNet(channels, classes, max(2, size.bit_length() - 2), ngf=width, dropout=False, logits=True)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        logits = self.net(x * 2 - 1)
        return {"loss": F.cross_entropy(logits, labels), "accuracy": (logits.argmax(1) == labels).float().mean()}

    @torch.no_grad()
    def segment(self, x: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
        """The most likely class of each pixel, (N, H, W) int64."""
        device = next(self.parameters()).device
        parts = [self.net(chunk.to(device) * 2 - 1).argmax(1).cpu() for chunk in x.split(batch_size)]
        return torch.cat(parts)


def trained_segmenter(images: torch.Tensor, labels: torch.Tensor, classes: int, epochs: int = 6,
                      device: str | torch.device = "cpu", cache: Path | None = None) -> tuple[Segmenter, dict[str, Any]]:  # fmt: skip
    """A segmenter trained on ``images`` (N, C, H, W) and their ``labels`` (N, H, W), from the cache when it holds one."""
    from genlab.train import TrainConfig, Trainer

    h = hashlib.sha256(json.dumps({"version": VERSION, "classes": classes, "epochs": epochs, "shape": list(images.shape)}).encode())
    h.update(images.contiguous().numpy().data)
    h.update(labels.contiguous().numpy().data)
    path = (cache or cache_dir()) / f"segmenter-{h.hexdigest()[:24]}.safetensors"
    with seeded_rng(0):
        model = Segmenter(images.shape[1], classes, min(images.shape[-2:]))
    if path.is_file():
        try:
            model.load_state_dict(read_safetensors(path), strict=True)
            return model.to(device).eval(), json.loads(read_safetensors_metadata(path)["info"]) | {"cached": True}
        except (RunError, RuntimeError, KeyError, json.JSONDecodeError) as e:
            log.warning("cached segmenter %s is unusable (%s); training a new one", path, e)
    log.info("training a segmenter on %d real faces and their label maps (once; cached in %s)", len(images), path.parent)
    start = time.perf_counter()
    data = Dataset(images, extras={"labels": labels})
    config = TrainConfig(epochs=epochs, batch_size=32, lr=2e-3, accelerator=torch.device(device).type, log_every=10**9)
    Trainer(config).fit(model, Splits(data, data.subset(slice(0, 0)), data.subset(slice(0, 0))), None, DataSpec("array"))
    info = {"n_train": len(images), "epochs": epochs, "train_seconds": round(time.perf_counter() - start, 1), "version": VERSION}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_safetensors(path, model.state_dict(), {"info": json.dumps(info)})
    except OSError as e:
        log.warning("cannot cache the segmenter in %s (%s); set GENLAB_CACHE to a writable folder", path.parent, e)
    return model.to(device).eval(), info | {"cached": False}
