"""Options of the shared trainer, saved in each run's config.json."""

from __future__ import annotations

from dataclasses import dataclass

from genlab.errors import ConfigError

PRECISIONS = ("32-true", "bf16-mixed", "16-mixed", "bf16-true", "64-true")
# What a continued run may change: how long it trains, where, and how often it logs and saves.
# Everything else decides the trajectory, so a run continues only with the settings it started with.
MAY_CHANGE_ON_RESUME = (
    "epochs", "max_steps", "max_time", "accelerator", "devices", "strategy", "num_nodes", "log_every",
    "snapshot_every", "checkpoint_every_steps", "checkpoint_every_minutes",
)  # fmt: skip


@dataclass
class TrainConfig:
    """How to train: length, optimizer, seed, devices and logging."""

    epochs: int = 10  # passes over the training set
    batch_size: int = 128  # examples per step on each device
    lr: float = 1e-3  # Adam learning rate
    seed: int = 0  # model initialization, data order and noise
    max_steps: int | None = None  # stop after this many optimizer steps in total
    max_time: float | None = None  # stop after this many seconds of training in this session (checkpointed)
    accelerator: str = "auto"  # auto picks a GPU when present, else the CPU
    devices: int = 1  # processes/devices for data parallel training
    strategy: str = "auto"  # auto, ddp, ddp_spawn, ... (Lightning Fabric strategies)
    num_nodes: int = 1  # machines for multi-node DDP (torchrun or SLURM)
    precision: str = "32-true"  # 32-true, bf16-mixed, 16-mixed (GPU)
    log_every: int = 50  # steps between rows of metrics.csv
    snapshot_every: int = 1  # epochs between reconstruction/sample images
    grad_clip: float | None = None  # clip the gradient norm to this value
    checkpoint_every_steps: int | None = None  # also checkpoint every N optimizer steps
    checkpoint_every_minutes: float | None = 10.0  # also checkpoint this long after the last checkpoint

    def validate(self) -> None:
        checks = [
            (self.epochs >= 1, f"--epochs must be at least 1, got {self.epochs}"),
            (self.batch_size >= 1, f"--batch-size must be at least 1, got {self.batch_size}"),
            (self.lr > 0, f"--lr must be positive, got {self.lr}"),
            (self.max_steps is None or self.max_steps >= 1, f"--max-steps must be at least 1, got {self.max_steps}"),
            (self.max_time is None or self.max_time > 0, f"--max-time must be positive seconds, got {self.max_time}"),
            (self.devices >= 1, f"--devices must be at least 1, got {self.devices}"),
            (self.num_nodes >= 1, f"--num-nodes must be at least 1, got {self.num_nodes}"),
            (self.precision in PRECISIONS, f"--precision must be one of {', '.join(PRECISIONS)}, got {self.precision}"),
            (self.log_every >= 1, f"--log-every must be at least 1, got {self.log_every}"),
            (self.snapshot_every >= 1, f"--snapshot-every must be at least 1, got {self.snapshot_every}"),
            (self.grad_clip is None or self.grad_clip > 0, f"--grad-clip must be positive, got {self.grad_clip}"),
            (self.checkpoint_every_steps is None or self.checkpoint_every_steps >= 1,
             f"--checkpoint-every-steps must be at least 1, got {self.checkpoint_every_steps}"),
            (self.checkpoint_every_minutes is None or self.checkpoint_every_minutes > 0,
             f"--checkpoint-every-minutes must be positive, got {self.checkpoint_every_minutes}"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)
