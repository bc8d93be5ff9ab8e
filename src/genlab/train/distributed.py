"""Facts about the process group that are known before Fabric starts."""

from __future__ import annotations

import os


def is_secondary_process() -> bool:
    """True in a process started by a DDP launcher (Fabric, torchrun, SLURM) other than global rank 0.

    Such processes rebuild the run from its folder instead of creating it, so that only rank 0
    decides whether an output folder may be written.
    """
    for variable in ("RANK", "LOCAL_RANK", "NODE_RANK", "GROUP_RANK"):
        if os.environ.get(variable, "0") not in ("", "0"):
            return True
    return False
