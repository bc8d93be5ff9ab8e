"""genlab: deep generative modeling on PyTorch.

Importing genlab turns on flush-to-zero for denormal floats on the CPU (as TensorFlow does by
default). Adam's moment estimates for weights whose gradients vanish (inputs that are always
zero, dead units) decay into the denormal range, where every CPU operation on them is many times
slower; without this, training slows by a fifth or more after the first few hundred steps. The
mode must be set before torch starts its worker threads, which is why it happens at import.
Set GENLAB_FLUSH_DENORMAL=0 to keep IEEE denormals.
"""

from __future__ import annotations

import os

import torch

__version__ = "0.1.0"

if os.environ.get("GENLAB_FLUSH_DENORMAL", "1") != "0":
    torch.set_flush_denormal(True)
