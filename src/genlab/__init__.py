"""genlab: deep generative modeling on PyTorch.

Importing genlab arranges for flush-to-zero of denormal floats on the CPU (as TensorFlow does by
default) as soon as torch is imported. Adam's moment estimates for weights whose gradients vanish
(inputs that are always zero, dead units) decay into the denormal range, where every CPU
operation on them is many times slower; without this, training slows by a fifth or more after
the first few hundred steps. The mode must be set before torch starts its worker threads, so it
is set right after torch's own import, not later; and genlab itself does not import torch until
it needs it, so that ``genlab --help`` answers at once. Set GENLAB_FLUSH_DENORMAL=0 to keep IEEE
denormals.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
from types import ModuleType

__version__ = "0.1.0"


def _flush_denormals(torch: ModuleType) -> None:
    torch.set_flush_denormal(True)


class _ConfigureTorch:
    """Finds torch as usual, runs its import, then configures it, once. (A meta path finder and
    loader by protocol: subclassing importlib.abc would import importlib.resources, 40 ms of every
    command's start.)"""

    def find_spec(self, name: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if name != "torch":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)  # type: ignore[arg-type]
        if spec is None or spec.loader is None:
            return spec
        self.loader = spec.loader
        spec.loader = self
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        _flush_denormals(module)


if os.environ.get("GENLAB_FLUSH_DENORMAL", "1") != "0":
    if "torch" in sys.modules:
        _flush_denormals(sys.modules["torch"])
    else:
        sys.meta_path.insert(0, _ConfigureTorch())
