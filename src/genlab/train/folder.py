"""What the trainer needs of the folder it trains into: the paths it writes, named by the folder.

:class:`genlab.run.Run` is the folder every command uses; the trainer asks only for this much of
it, so the training loop does not depend on the run layer above it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class TrainingFolder(Protocol):
    @property
    def path(self) -> Path: ...

    @property
    def state_path(self) -> Path:
        """Weights, optimizer state and counters: what a resume needs."""
        ...

    @property
    def previous_state_path(self) -> Path:
        """Where the state a new checkpoint replaces is kept until the next one."""
        ...

    @property
    def weights_path(self) -> Path:
        """The weights alone, for every command that only uses the trained model."""
        ...

    @property
    def metrics_path(self) -> Path: ...

    @property
    def tensorboard_dir(self) -> Path: ...

    @property
    def images_dir(self) -> Path: ...

    @property
    def summary_path(self) -> Path: ...

    def snapshot_path(self, epoch: int, name: str) -> Path:
        """Where the picture ``name`` of the end of ``epoch`` goes."""
        ...

    def resumable_state(self) -> Path:
        """The trainer state to resume from (the previous one when the last is damaged); an error
        that says what to do when there is none."""
        ...
