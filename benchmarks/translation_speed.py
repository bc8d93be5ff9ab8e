"""Iterations per second of genlab's pix2pix and CycleGAN against a plain PyTorch loop of the very
same networks, optimizers and arithmetic.

Both arms start from the same initial weights, use fused Adam (betas 0.5, 0.999) and the same
memory layout (channels-last images on the CPU, as genlab's trainer uses), and run the same
steps: pix2pix a generator forward, one discriminator update on real and fake pairs in one
batch, one generator update (adversarial + 100 L1); CycleGAN the generators' update (adversarial,
cycle and identity terms) and the discriminators' on real images and pooled fakes. The plain arm
has no NaN guard, no seeding, no logging and no image pool bookkeeping beyond the pool itself.
The arms alternate in one process, repeat after repeat; each ratio pairs a genlab run with the
plain run just before it. Peak memory is the process's, reported once.

    python benchmarks/translation_speed.py           # about 5 minutes on 2 cores
    python benchmarks/translation_speed.py --quick   # a smoke test

Writes benchmarks/results/translation_speed.json and its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, markdown_table, peak_rss_mb, write_docs_section, write_results

SIZE, BATCH = 32, 4
CASES: dict[str, dict[str, Any]] = {
    "pix2pix": {"options": {"ngf": 32, "ndf": 32}, "steps": 60},
    "cyclegan": {"options": {"ngf": 32, "ndf": 32, "blocks": 6, "pool_size": 50}, "steps": 30},
}


def build(name: str) -> torch.nn.Module:
    from genlab.models import build_model
    from genlab.models.translation import CycleGANConfig, Pix2PixConfig
    from genlab.seeding import seeded_rng

    shape = (3, SIZE, SIZE)
    cls = Pix2PixConfig if name == "pix2pix" else CycleGANConfig
    with seeded_rng(0):
        return build_model(name, cls(input_shape=shape, target_shape=shape, **CASES[name]["options"]))


def data(n: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return torch.rand(n, 3, SIZE, SIZE, generator=g), torch.rand(n, 3, SIZE, SIZE, generator=g)


def _adam(module: torch.nn.Module) -> torch.optim.Optimizer:
    return torch.optim.Adam(module.parameters(), lr=2e-4, betas=(0.5, 0.999), fused=True)


def plain_seconds_per_step(name: str, steps: int) -> float:
    """The same steps in a plain loop: channels-last images, fused Adam, nothing else."""
    from genlab.models.translation.common import patch_loss

    model = build(name).to(memory_format=torch.channels_last)
    a, b = (t.contiguous(memory_format=torch.channels_last) * 2 - 1 for t in data())
    if name == "pix2pix":
        g, d = model.generator, model.discriminator
        opt_g, opt_d = _adam(g), _adam(d)
    else:
        g, d = model.generators, model.discriminators
        opt_g, opt_d = _adam(g), _adam(d)
    kind = model.config.gan_loss
    start = time.perf_counter()
    for step in range(steps):
        index = torch.randint(len(a), (BATCH,))
        xa, xb = a[index], b[index]
        if name == "pix2pix":
            fake = g(xa)
            both = d(torch.cat([torch.cat([xa, fake.detach()], 1), torch.cat([xa, xb], 1)]))
            fake_out, real_out = both.chunk(2)
            d_loss = 0.5 * (patch_loss(kind, fake_out, False) + patch_loss(kind, real_out, True))
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            g_loss = patch_loss(kind, d(torch.cat([xa, fake], 1)), True) + 100 * (fake - xb).abs().mean()
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
        else:
            out = g(xa, xb, True)
            terms = model._generator_terms(out, xa, xb, d(out["fake_a"], out["fake_b"]))
            opt_g.zero_grad(set_to_none=True)
            terms["g_loss"].backward()
            opt_g.step()
            fa, fb = model.pool_a(out["fake_a"].detach()), model.pool_b(out["fake_b"].detach())
            ja, jb = d(torch.cat([xa, fa]), torch.cat([xb, fb]))
            (ra, pa), (rb, pb) = ja.chunk(2), jb.chunk(2)
            d_loss = model._discriminator_loss((ra, rb), (pa, pb))
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
    return (time.perf_counter() - start) / steps


def genlab_seconds_per_step(name: str, steps: int) -> float:
    from genlab.data.dataset import Dataset
    from genlab.data.splits import DataSpec, Splits
    from genlab.train import TrainConfig, Trainer

    model = build(name)
    a, b = data()
    dataset = Dataset(a, extras={"target" if name == "pix2pix" else "b": b})
    empty = dataset.subset(slice(0, 0))
    config = TrainConfig(epochs=100, max_steps=steps, batch_size=BATCH, log_every=50)
    start = time.perf_counter()
    result = Trainer(config).fit(model, Splits(dataset, empty, empty), None, DataSpec("array"))
    assert result.summary["steps"] == steps
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke test: few steps, one repeat")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    import genlab  # noqa: F401  (flush-to-zero for both arms)

    torch.set_num_threads(2)
    rows = []
    for name, case in CASES.items():
        steps = 3 if args.quick else case["steps"]
        times: dict[str, list[float]] = {"plain": [], "genlab": []}
        for r in range(1 if args.quick else args.repeats):
            times["plain"].append(plain_seconds_per_step(name, steps))
            times["genlab"].append(genlab_seconds_per_step(name, steps))
            print(f"{name} repeat {r}: plain {1 / times['plain'][-1]:.2f} it/s, genlab {1 / times['genlab'][-1]:.2f} it/s", file=sys.stderr)
        speedups = [p / g for p, g in zip(times["plain"], times["genlab"])]
        rows.append({
            "model": name, "options": case["options"], "size": SIZE, "batch": BATCH, "steps": steps,
            "iterations_per_s": {k: [round(1 / v, 3) for v in vs] for k, vs in times.items()},
            "median_iterations_per_s": {k: round(1 / statistics.median(vs), 3) for k, vs in times.items()},
            "speed_genlab_over_plain": [round(v, 3) for v in speedups],
            "median_speed_genlab_over_plain": round(statistics.median(speedups), 3),
        })  # fmt: skip
    payload = {"benchmark": "translation_speed", "quick": args.quick, "machine": machine(), "rows": rows,
               "peak_rss_mb": round(peak_rss_mb(), 1), "load_average": list(os.getloadavg())}  # fmt: skip
    name = "translation_speed" + (".quick" if args.quick else "")
    print(write_results(name, payload))
    if not args.quick:
        print(write_docs_section(name, docs_section(payload)))


def _load(payload: dict[str, Any]) -> str:
    load, shared = payload.get("load_average"), payload.get("shared_with")
    text = f"; load average over 1, 5, 15 minutes at the end: {', '.join(f'{x:.1f}' for x in load)}" if load else ""
    return text + (f"; {shared}" if shared else "")


def docs_section(payload: dict[str, Any]) -> str:
    m = payload["machine"]
    table = markdown_table(
        ["model", "networks", "plain loop it/s", "genlab it/s", "genlab / plain (median of paired repeats)", "paired ratios"],
        [[r["model"], ", ".join(f"{k} {v}" for k, v in r["options"].items()), f"{r['median_iterations_per_s']['plain']:.2f}",
          f"{r['median_iterations_per_s']['genlab']:.2f}", f"{r['median_speed_genlab_over_plain']:.2f}x",
          ", ".join(f"{v:.2f}" for v in r["speed_genlab_over_plain"])] for r in payload["rows"]],
    )  # fmt: skip
    return f"""## Translation speed: genlab's pix2pix and CycleGAN vs a plain loop (`benchmarks/translation_speed.py`)

Training steps per second at {SIZE}x{SIZE}, batch {BATCH}, of genlab's trainer and of a plain PyTorch
loop of the same networks, optimizers (fused Adam) and memory layout (channels-last), alternating in
one process (target: at least 1.0x). Peak memory of the whole process: {payload['peak_rss_mb']:.0f} MB.

Measured on {m['cpu']}, {m['cores']} cores, torch {m['torch']}, Python {m['python']}, {m['date']}{_load(payload)}.

{table}

Reproduce: `.venv/bin/python benchmarks/translation_speed.py`.
"""


if __name__ == "__main__":
    main()
