"""DCGAN training speed: genlab's trainer against a plain hand-written PyTorch loop, same networks.

Both train the very same DCGAN players (genlab's modules, the same initial weights) on
Fashion-MNIST 28x28 in [-1, 1], batch 64, Adam lr 2e-4 betas (0.5, 0.999), non-saturating loss,
one discriminator and one generator update per iteration, on the same machine, alternating
genlab and plain runs so that both see the same load. The plain loop is what a user writes from
the PyTorch DCGAN tutorial: default memory format, default Adam, random batches indexed from
one in-memory tensor. genlab's number is its trainer's own step time (train_summary.json:
examples/s over the training steps; validation, snapshots and checkpoints excluded).

    python benchmarks/gan_speed.py            # the full run (a few minutes on 2 cores)
    python benchmarks/gan_speed.py --quick    # a smoke test of the script

Writes benchmarks/results/gan_speed.json and its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, machine, markdown_table, write_docs_section, write_results

OPTIONS = {"latent_dim": 100, "channels": (64, 128)}  # D: 1->64->128 (28->14->7); G mirrors it
BATCH, LR, BETAS = 64, 2e-4, (0.5, 0.999)


def genlab_iterations_per_s(steps: int, seed: int) -> float:
    from genlab.api import train_run
    from genlab.data import DataSpec
    from genlab.train import TrainConfig

    out = WORK / "gan_speed_run"
    shutil.rmtree(out, ignore_errors=True)
    config = TrainConfig(epochs=1, batch_size=BATCH, lr=LR, seed=seed, max_steps=steps, log_every=10_000)
    _, result = train_run("dcgan", DataSpec("fashion-mnist"), config, str(out), OPTIONS, overwrite=True)
    return result.summary["examples_per_s"] / BATCH


def plain_iterations_per_s(steps: int, seed: int, x: torch.Tensor) -> float:
    """The hand-written loop: the same players, nothing but PyTorch."""
    from genlab.models import GAN, DCGANConfig

    torch.manual_seed(seed)
    model = GAN(DCGANConfig(input_shape=(1, 28, 28), **OPTIONS))
    g, d = model.generator, model.discriminator
    opt_g = torch.optim.Adam(g.parameters(), lr=LR, betas=BETAS)
    opt_d = torch.optim.Adam(d.parameters(), lr=LR, betas=BETAS)
    gen = torch.Generator().manual_seed(seed)
    total = 0.0
    for _ in range(steps):
        t0 = time.perf_counter()
        real = x[torch.randint(len(x), (BATCH,), generator=gen)] * 2 - 1
        fake = g(torch.randn(BATCH, OPTIONS["latent_dim"]))
        d_loss = F.softplus(-d(real)).mean() + F.softplus(d(fake.detach())).mean()
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = F.softplus(-d(fake)).mean()
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        float(d_loss.detach()), float(g_loss.detach())  # a loop that logs its losses
        total += time.perf_counter() - t0
    return steps / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke test: few steps, one repeat")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    steps, repeats = (20, 1) if args.quick else (args.steps, args.repeats)
    from genlab.data.fashion_mnist import FashionMNIST

    x = FashionMNIST().load()[0].x
    runs: dict[str, list[float]] = {"genlab": [], "plain": []}
    for r in range(repeats):
        runs["genlab"].append(genlab_iterations_per_s(steps, r))
        runs["plain"].append(plain_iterations_per_s(steps, r, x))
        print(f"repeat {r}: genlab {runs['genlab'][-1]:.2f} it/s, plain {runs['plain'][-1]:.2f} it/s", file=sys.stderr)
    median = {k: statistics.median(v) for k, v in runs.items()}
    payload: dict[str, Any] = {
        "benchmark": "gan_speed",
        "quick": args.quick,
        "machine": machine(),
        "setup": {"data": "fashion-mnist 28x28", "batch": BATCH, "steps": steps, "repeats": repeats, "options": OPTIONS},
        "iterations_per_s": {k: [round(v, 3) for v in vs] for k, vs in runs.items()},
        "median_iterations_per_s": {k: round(v, 3) for k, v in median.items()},
        "ratio_genlab_to_plain": round(median["genlab"] / median["plain"], 3),
    }
    name = "gan_speed.quick" if args.quick else "gan_speed"
    print(write_results(name, payload))
    if not args.quick:
        m = payload["machine"]
        table = markdown_table(
            ["loop", "iterations/s (median)", "runs"],
            [[k, f"{median[k]:.2f}", ", ".join(f"{v:.2f}" for v in runs[k])] for k in ("genlab", "plain")],
        )
        write_docs_section(
            "gan_speed",
            f"## DCGAN training speed\n\n`benchmarks/gan_speed.py`: DCGAN (D 1-64-128, G mirrored, z of 100) on "
            f"Fashion-MNIST, batch 64, {steps} iterations x {repeats} alternating repeats; one iteration is one "
            f"discriminator and one generator update. genlab's trainer against a plain PyTorch loop of the same "
            f"networks. Measured on {m['cpu']} ({m['cores']} cores, torch {m['torch']}), {m['date']}.\n\n{table}\n\n"
            f"genlab / plain = **{payload['ratio_genlab_to_plain']:.2f}**.",
        )


if __name__ == "__main__":
    main()
