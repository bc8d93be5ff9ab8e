"""Inception-v3 pool3 features from a local weights file: standard FID without downloading anything.

genlab never downloads weights. If you have the FID Inception weights on disk, pass the file and
the Frechet distance becomes the standard FID (same network, preprocessing and 2048-d features):

- ``pt_inception-2015-12-05-6726825d.pth``, the port of TensorFlow's 2015-12-05 Inception graph
  that pytorch-fid uses (a state_dict of torchvision's Inception3 with the FID blocks, 1008
  classes), or the same tensors saved as ``.safetensors``;
- a torchvision ``inception_v3`` state_dict (1000 classes, e.g. ``inception_v3_google-*.pth``):
  it loads too, but its features differ from TensorFlow's and its FID is not comparable to
  published numbers; the extractor's name says ``torchvision``.

Files are read with ``torch.load(weights_only=True)`` or safetensors: tensors only, no pickled
code. TorchScript files (clean-fid's / StyleGAN's ``inception-2015-12-05.pt``) carry code and are
refused. The architecture is defined here, with the parameter names torchvision uses.
"""

from __future__ import annotations

import logging
import pickle
import zipfile
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from genlab.errors import ConfigError
from genlab.evaluate.features import FeatureExtractor

log = logging.getLogger(__name__)

FID_CLASSES = 1008  # the TF 2015-12-05 graph has 1008 outputs; torchvision's ImageNet head has 1000
INPUT_SIZE = 299


class BasicConv2d(nn.Module):
    """Conv (no bias) -> batch norm (eps 0.001) -> ReLU."""

    def __init__(self, in_channels: int, out_channels: int, **kwargs: object) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)  # type: ignore[arg-type]
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(x)), inplace=True)


def _avg_pool(x: torch.Tensor, tf_padding: bool) -> torch.Tensor:
    # TensorFlow's average pooling leaves the zero padding out of the average
    return F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=not tf_padding)


class InceptionA(nn.Module):
    def __init__(self, in_channels: int, pool_features: int, tf_padding: bool) -> None:
        super().__init__()
        self.tf_padding = tf_padding
        self.branch1x1 = BasicConv2d(in_channels, 64, kernel_size=1)
        self.branch5x5_1 = BasicConv2d(in_channels, 48, kernel_size=1)
        self.branch5x5_2 = BasicConv2d(48, 64, kernel_size=5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, padding=1)
        self.branch_pool = BasicConv2d(in_channels, pool_features, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([
            self.branch1x1(x),
            self.branch5x5_2(self.branch5x5_1(x)),
            self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
            self.branch_pool(_avg_pool(x, self.tf_padding)),
        ], 1)  # fmt: skip


class InceptionB(nn.Module):
    def __init__(self, in_channels: int) -> None:
        super().__init__()
        self.branch3x3 = BasicConv2d(in_channels, 384, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([
            self.branch3x3(x),
            self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
            F.max_pool2d(x, 3, stride=2),
        ], 1)  # fmt: skip


class InceptionC(nn.Module):
    def __init__(self, in_channels: int, channels_7x7: int, tf_padding: bool) -> None:
        super().__init__()
        c7 = channels_7x7
        self.tf_padding = tf_padding
        self.branch1x1 = BasicConv2d(in_channels, 192, kernel_size=1)
        self.branch7x7_1 = BasicConv2d(in_channels, c7, kernel_size=1)
        self.branch7x7_2 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(in_channels, c7, kernel_size=1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch_pool = BasicConv2d(in_channels, 192, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        d7 = self.branch7x7dbl_1(x)
        for layer in (self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4, self.branch7x7dbl_5):
            d7 = layer(d7)
        return torch.cat([self.branch1x1(x), b7, d7, self.branch_pool(_avg_pool(x, self.tf_padding))], 1)


class InceptionD(nn.Module):
    def __init__(self, in_channels: int) -> None:
        super().__init__()
        self.branch3x3_1 = BasicConv2d(in_channels, 192, kernel_size=1)
        self.branch3x3_2 = BasicConv2d(192, 320, kernel_size=3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(in_channels, 192, kernel_size=1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, kernel_size=3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b7 = x
        for layer in (self.branch7x7x3_1, self.branch7x7x3_2, self.branch7x7x3_3, self.branch7x7x3_4):
            b7 = layer(b7)
        return torch.cat([self.branch3x3_2(self.branch3x3_1(x)), b7, F.max_pool2d(x, 3, stride=2)], 1)


class InceptionE(nn.Module):
    """``pool``: "avg" (torchvision), "avg_tf" (FID, first E block) or "max" (FID, last E block:
    the TF graph max-pools there, unlike the paper)."""

    def __init__(self, in_channels: int, pool: str) -> None:
        super().__init__()
        self.pool = pool
        self.branch1x1 = BasicConv2d(in_channels, 320, kernel_size=1)
        self.branch3x3_1 = BasicConv2d(in_channels, 384, kernel_size=1)
        self.branch3x3_2a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 448, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, kernel_size=3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch_pool = BasicConv2d(in_channels, 192, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b3 = self.branch3x3_1(x)
        d3 = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        pooled = F.max_pool2d(x, 3, stride=1, padding=1) if self.pool == "max" else _avg_pool(x, self.pool == "avg_tf")
        return torch.cat([
            self.branch1x1(x),
            self.branch3x3_2a(b3), self.branch3x3_2b(b3),
            self.branch3x3dbl_3a(d3), self.branch3x3dbl_3b(d3),
            self.branch_pool(pooled),
        ], 1)  # fmt: skip


class InceptionV3Features(nn.Module):
    """Inception-v3 up to the 2048-d average pool ("pool3"), the features of FID.

    ``fid=True`` builds the TF 2015-12-05 variant pytorch-fid uses; ``fid=False`` torchvision's.
    ``forward`` takes images (N, C, H, W) in [0, 1] with 1 or 3 channels, resizes them bilinearly
    to 299x299, scales them to [-1, 1] and returns (N, 2048).
    """

    def __init__(self, fid: bool = True, resize: int = INPUT_SIZE) -> None:
        super().__init__()
        self.fid, self.resize = fid, resize
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, kernel_size=3, padding=1)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, kernel_size=3)
        self.Mixed_5b = InceptionA(192, 32, fid)
        self.Mixed_5c = InceptionA(256, 64, fid)
        self.Mixed_5d = InceptionA(288, 64, fid)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, 128, fid)
        self.Mixed_6c = InceptionC(768, 160, fid)
        self.Mixed_6d = InceptionC(768, 160, fid)
        self.Mixed_6e = InceptionC(768, 192, fid)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE(1280, "avg_tf" if fid else "avg")
        self.Mixed_7c = InceptionE(2048, "max" if fid else "avg")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] not in (1, 3):
            raise ConfigError(f"Inception features need images (N, 1 or 3, H, W), got {tuple(x.shape)}")
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        x = F.interpolate(x.float(), size=(self.resize, self.resize), mode="bilinear", align_corners=False)
        x = 2 * x - 1
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))
        x = F.max_pool2d(x, 3, stride=2)
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))
        x = F.max_pool2d(x, 3, stride=2)
        for block in (self.Mixed_5b, self.Mixed_5c, self.Mixed_5d, self.Mixed_6a, self.Mixed_6b, self.Mixed_6c,
                      self.Mixed_6d, self.Mixed_6e, self.Mixed_7a, self.Mixed_7b, self.Mixed_7c):  # fmt: skip
            x = block(x)
        return F.adaptive_avg_pool2d(x, 1).flatten(1)


def _read_state(path: Path) -> dict[str, torch.Tensor]:
    """The tensors of a weights file, read without running pickled code."""
    if not path.is_file():
        raise ConfigError(f"no Inception weights file at {path}; pass the path of a local pt_inception-2015-12-05 .pth or .safetensors file")
    if path.suffix == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            return load_file(str(path))
        except (SafetensorError, OSError, ValueError, RuntimeError) as e:
            raise ConfigError(f"{path} is not a readable safetensors file ({e}); restore the file") from e
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            if any(name.endswith("/code/") or "/code/" in name for name in archive.namelist()):
                raise ConfigError(
                    f"{path} is a TorchScript file, which carries code and is not loaded; use the state_dict "
                    "file pt_inception-2015-12-05-6726825d.pth (pytorch-fid) or its tensors as .safetensors"
                )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ConfigError(
            f"{path} is not a readable weights file ({first}); genlab reads state_dicts saved with torch.save "
            "(tensors only) or .safetensors files"
        ) from e
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ConfigError(f"{path} does not hold a state_dict (a mapping of names to tensors)")
    return state


def load_inception(path: str | Path, device: str | torch.device = "cpu", batch_size: int = 100, resize: int = INPUT_SIZE) -> FeatureExtractor:
    """Inception-v3 pool3 features from the weights file at ``path``, as a FeatureExtractor.

    The variant follows the file: a 1008-class head (or none) means the FID network, 1000 classes
    torchvision's. Missing or misshapen tensors raise a ConfigError that names them.
    """
    path = Path(path).expanduser()
    state = _read_state(path)
    state = {k.removeprefix("module."): v for k, v in state.items()}
    classes = state["fc.weight"].shape[0] if "fc.weight" in state else FID_CLASSES
    fid = classes == FID_CLASSES
    model = InceptionV3Features(fid=fid, resize=resize)
    expected = {k: v.shape for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    missing = sorted(set(expected) - set(state))
    if missing:
        raise ConfigError(
            f"{path} is not an Inception-v3 state_dict: {len(missing)} tensors are missing "
            f"({', '.join(missing[:3])}{', ...' if len(missing) > 3 else ''})"
        )
    wrong = [k for k, shape in expected.items() if tuple(state[k].shape) != tuple(shape)]
    if wrong:
        raise ConfigError(f"{path} does not match Inception-v3: {wrong[0]} has shape {tuple(state[wrong[0]].shape)}, expected {tuple(expected[wrong[0]])}")
    model.load_state_dict({k: state[k] for k in expected}, strict=False)
    dev = torch.device(device)
    model.to(dev).eval()
    name = "inception-v3-fid" if fid else "inception-v3-torchvision"
    if not fid:
        log.warning("%s holds torchvision's Inception-v3 (1000 classes): its FID is not comparable to published FID", path)
    return FeatureExtractor(name, model, {"path": str(path), "variant": name, "resize": resize}, batch_size=batch_size, device=dev)
