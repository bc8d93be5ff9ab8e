"""Options of the shared trainer, saved in each run's config.json."""

from __future__ import annotations

from dataclasses import dataclass

from genlab.errors import ConfigError

PRECISIONS = ("32-true", "bf16-mixed", "16-mixed", "bf16-true", "64-true")


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
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)
