"""Training curves: rows in ``metrics.csv`` and, when tensorboard is installed, TensorBoard events."""

from __future__ import annotations

import csv
import logging
import math
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FIXED_COLUMNS = ("step", "epoch", "split")


def _format(value: Any) -> str:
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    return "" if value is None else str(value)


class MetricsLogger:
    """Appends metric rows; on resume it first drops the rows written after the checkpoint."""

    def __init__(self, csv_path: Path, tensorboard_dir: Path | None, resume_step: int | None) -> None:
        self.csv_path = csv_path
        self.columns: list[str] | None = None
        if resume_step is not None and csv_path.exists():
            self._truncate_after(resume_step)
        elif csv_path.exists():
            csv_path.unlink()
        self.writer = None
        if tensorboard_dir is not None:
            try:
                from torch.utils.tensorboard import SummaryWriter

                self.writer = SummaryWriter(str(tensorboard_dir), purge_step=resume_step)
            except ImportError:
                log.info("tensorboard is not installed; writing metrics.csv only")

    def _truncate_after(self, step: int) -> None:
        with self.csv_path.open(newline="") as f:
            rows = list(csv.DictReader(f))
            fieldnames = rows and list(rows[0].keys())
        kept = [r for r in rows if int(r["step"]) <= step]
        if fieldnames:
            self.columns = list(fieldnames)
        with self.csv_path.open("w", newline="") as f:
            if self.columns:
                writer = csv.DictWriter(f, self.columns)
                writer.writeheader()
                writer.writerows(kept)

    def log(self, step: int, epoch: int, split: str, values: dict[str, float]) -> None:
        row = {"step": step, "epoch": epoch, "split": split, **values}
        if self.columns is None:
            self.columns = list(row)
            with self.csv_path.open("w", newline="") as f:
                csv.DictWriter(f, self.columns).writeheader()
        missing = [k for k in row if k not in self.columns]
        if missing:
            raise ValueError(f"metrics {missing} were not in the first row of {self.csv_path}")
        with self.csv_path.open("a", newline="") as f:
            csv.DictWriter(f, self.columns).writerow({k: _format(row.get(k)) for k in self.columns})
        if self.writer is not None:
            for name, value in values.items():
                self.writer.add_scalar(f"{split}/{name}", value, step)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def read_metrics(csv_path: Path) -> list[dict[str, str]]:
    """The rows of a metrics.csv (an empty list when there is none)."""
    if not csv_path.exists():
        return []
    with csv_path.open(newline="") as f:
        return list(csv.DictReader(f))
