"""What checkpoints cost: the time training spends writing them, per checkpoint and as a share of
training at the default interval (every 10 minutes, plus each epoch's end).

For each workload the run trains a fixed number of steps with a checkpoint every ``--every``
steps, and the time inside the checkpoint writes (trainer state and weights, checksummed,
flushed to the disk, the previous state kept) is measured around the writer itself, so the
machine's drift between runs does not enter. From the mean cost per checkpoint follow the
overhead at the default interval (cost / 10 minutes) and, for one epoch of the workload's data,
the overhead of its epoch-end checkpoint (cost / epoch time).

    conv VAE    the demo's VAE on Fashion-MNIST (conv, channels 32-64-128-256, hidden 256, latent 16)
    DCGAN       DCGAN on Fashion-MNIST (channels 64,128; two optimizers)
    GAN + EMA   the same DCGAN with an EMA generator (a third copy of the generator in the state)

The outlier detector trains in memory (seconds to a few minutes per fit) and writes no
checkpoints: a killed fit is run again.

    python benchmarks/checkpoint_cost.py            # about 5 minutes on 2 cores
    python benchmarks/checkpoint_cost.py --quick    # a smoke test

Writes benchmarks/results/checkpoint_cost.json and its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, machine, markdown_table, write_docs_section, write_results

WORKLOADS: dict[str, tuple[str, dict[str, Any]]] = {
    "conv VAE": ("vae", {"net": "conv", "hidden": (256,), "latent_dim": 16}),
    "DCGAN": ("dcgan", {"channels": (64, 128)}),
    "GAN + EMA": ("dcgan", {"channels": (64, 128), "ema": 0.999}),
}
DEFAULT_INTERVAL_S = 600.0
EXAMPLES_PER_EPOCH = 54_000  # Fashion-MNIST's training pool less the 10% validation split


def measure(name: str, steps: int, every: int, batch: int) -> dict[str, Any]:
    from genlab.data import DataSpec
    from genlab.train import TrainConfig, trainer
    from genlab.workflows import train_run

    model, options = WORKLOADS[name]
    out = WORK / "checkpoint_cost" / name.replace(" ", "_")
    if out.exists():
        shutil.rmtree(out)
    seconds: list[float] = []
    save = trainer.save_checkpoint

    def timed(*args: Any, **kwargs: Any) -> None:
        start = time.perf_counter()
        save(*args, **kwargs)
        seconds.append(time.perf_counter() - start)

    trainer.save_checkpoint = timed
    try:
        config = TrainConfig(epochs=100, max_steps=steps, batch_size=batch, lr=2e-4, checkpoint_every_steps=every,
                             log_every=10**9)  # fmt: skip
        start = time.perf_counter()
        _, result = train_run(model, DataSpec("fashion-mnist"), config, str(out), options)
        fit_seconds = time.perf_counter() - start
    finally:
        trainer.save_checkpoint = save
    step_seconds = result.summary["steps"] * batch / result.summary["examples_per_s"]
    cost = statistics.median(seconds)
    epoch_seconds = step_seconds / steps * (EXAMPLES_PER_EPOCH / batch)
    return {
        "workload": name, "model": model, "options": {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()},
        "steps": steps, "batch": batch, "checkpoints": len(seconds),
        "checkpoint_seconds": [round(s, 4) for s in seconds], "median_checkpoint_s": round(cost, 4),
        "state_mb": round((out / "trainer_state.safetensors").stat().st_size / 2**20, 2),
        "step_ms": round(1000 * step_seconds / steps, 2), "fit_seconds": round(fit_seconds, 1),
        "share_in_this_run": round(sum(seconds) / fit_seconds, 4),
        "overhead_at_default_interval": round(cost / DEFAULT_INTERVAL_S, 6),
        "epoch_seconds": round(epoch_seconds, 1), "overhead_of_epoch_end_checkpoint": round(cost / epoch_seconds, 5),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke test: few steps")
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--every", type=int, default=10, help="steps between checkpoints while measuring")
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()
    steps, every = (6, 2) if args.quick else (args.steps, args.every)
    rows = []
    for name in WORKLOADS:
        rows.append(measure(name, steps, every, args.batch_size))
        print(rows[-1], file=sys.stderr)
    payload = {"benchmark": "checkpoint_cost", "quick": args.quick, "machine": machine(), "rows": rows, "every": every,
               "default_interval_s": DEFAULT_INTERVAL_S}  # fmt: skip
    name = "checkpoint_cost" + (".quick" if args.quick else "")
    print(write_results(name, payload))
    if not args.quick:
        print(write_docs_section(name, docs_section(payload)))


def docs_section(payload: dict[str, Any]) -> str:
    m = payload["machine"]
    table = markdown_table(
        ["workload", "state file MB", "step ms", "checkpoint s (median)", "checkpoints measured",
         "overhead at the default 10-minute interval", "one epoch s", "overhead of the epoch-end checkpoint"],
        [[r["workload"], f"{r['state_mb']:.1f}", f"{r['step_ms']:.1f}", f"{r['median_checkpoint_s']:.3f}", r["checkpoints"],
          f"{100 * r['overhead_at_default_interval']:.3f}%", f"{r['epoch_seconds']:.0f}",
          f"{100 * r['overhead_of_epoch_end_checkpoint']:.2f}%"] for r in payload["rows"]],
    )  # fmt: skip
    return f"""## Checkpoint cost (`benchmarks/checkpoint_cost.py`)

Time inside the checkpoint writer (trainer state and weights, each with a checksum, written to a
temp file, flushed to the disk and moved into place; the replaced state kept as the previous
checkpoint), measured around the writer during {payload['rows'][0]['steps']} training steps with a
checkpoint every {payload['every']} steps, batch {payload['rows'][0]['batch']}, on Fashion-MNIST.
The overhead at the default interval is the median cost over 10 minutes of training; an epoch's
end adds one more checkpoint, whose share is the cost over one epoch of the workload (54,000
examples). Target: under 2%. The outlier detector trains in memory and writes no checkpoints.

Measured on {m['cpu']}, {m['cores']} cores, torch {m['torch']}, Python {m['python']}, {m['date']}.

{table}

Reproduce: `.venv/bin/python benchmarks/checkpoint_cost.py`.
"""


if __name__ == "__main__":
    main()
