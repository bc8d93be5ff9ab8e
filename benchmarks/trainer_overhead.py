"""What genlab's shared trainer costs per step over a bare PyTorch loop of the same arithmetic.

Both train the same VAE from the same initial weights on the same in-memory data, batch 128: the
bare loop indexes a shuffled batch, runs forward, backward and fused Adam, and nothing else (no
NaN check, no device sync, no logging); genlab's ``Trainer.fit`` runs in memory (no run folder,
so no checkpoints or images) with its NaN guard, stop flags, seeding and metrics sums. The two
alternate in one process, repeat after repeat, because on small VMs the speed of a process varies
by up to 2x from one start to the next.

    tiny   an MLP VAE 8-(8)-(2)-8 on 8-dimensional binary data: the arithmetic is negligible, so
           the step time is the per-step overhead of the loop and PyTorch's dispatch
    mlp    the MLP VAE of benchmarks/vae_train.py (784-512-256-(16)) on binarized Fashion-MNIST

    python benchmarks/trainer_overhead.py           # about 2 minutes on 2 cores
    python benchmarks/trainer_overhead.py --quick   # a smoke test of the script

Writes benchmarks/results/trainer_overhead.json (trainer_overhead_gpu.json on a CUDA machine) and
its section of docs/benchmarks.md.

Before and after a change to the trainer, ``--baseline-src DIR`` (the ``src`` folder of a checkout
of the earlier commit, e.g. from ``git worktree add /tmp/base REV``) measures both: each repeat
runs one paired (bare, genlab) measurement in a fresh process of the earlier genlab and one of
this tree's, alternating, so that drift of the machine falls on both alike. Writes
trainer_overhead_change.json and its docs section.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, markdown_table, write_docs_section, write_results

BATCH = 128
CASES: dict[str, dict[str, Any]] = {
    "tiny": {"shape": (8,), "arch": {"net": "mlp", "latent_dim": 2, "hidden": (8,)}, "steps": 1500},
    "mlp": {"shape": (1, 28, 28), "arch": {"net": "mlp", "latent_dim": 16, "hidden": (512, 256)}, "steps": 300},
}


def case_data(name: str) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    if name == "tiny":
        return torch.bernoulli(torch.full((12_800, 8), 0.3), generator=g)
    from genlab.data.fashion_mnist import FashionMNIST

    return torch.bernoulli(FashionMNIST().load()[0].x[:12_800], generator=g)


def new_model(name: str, device: torch.device) -> torch.nn.Module:
    from genlab.models import VAE, VAEConfig

    torch.manual_seed(0)
    return VAE(VAEConfig(input_shape=CASES[name]["shape"], **CASES[name]["arch"])).to(device)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bare_us_per_step(name: str, x: torch.Tensor, steps: int, device: torch.device) -> float:
    model = new_model(name, device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    x = x.to(device)
    done = 0
    sync(device)
    start = time.perf_counter()
    while done < steps:
        for index in torch.randperm(len(x), device=device).split(BATCH):
            loss = model(x[index])["loss"]
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            done += 1
            if done == steps:
                break
    sync(device)
    return (time.perf_counter() - start) / steps * 1e6


def genlab_us_per_step(name: str, x: torch.Tensor, steps: int, device: torch.device) -> float:
    from genlab.data import DataSpec
    from genlab.data.dataset import Dataset
    from genlab.data.splits import Splits
    from genlab.train import TrainConfig, Trainer

    model = new_model(name, device)
    data = Dataset(x)
    empty = data.subset(slice(0, 0))
    epochs = -(-steps * BATCH // len(x))
    config = TrainConfig(epochs=epochs, max_steps=steps, batch_size=BATCH, lr=1e-3, seed=0, accelerator=device.type,
                         log_every=100)  # fmt: skip
    sync(device)
    start = time.perf_counter()
    result = Trainer(config).fit(model, Splits(data, empty, empty), None, DataSpec("array"))
    sync(device)
    assert result.summary["steps"] == steps, result.summary
    return (time.perf_counter() - start) / steps * 1e6


def paired_in_subprocess(name: str, steps: int, src: Path | None) -> dict[str, float]:
    """One paired (bare, genlab) measurement in a fresh process that imports genlab from ``src``
    (None: this tree's)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    command = [sys.executable, __file__, "--one", name, "--steps", str(steps)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def compare(args: argparse.Namespace) -> None:
    """This tree against ``--baseline-src``, in alternating fresh processes."""
    import genlab

    baseline = Path(args.baseline_src).resolve()
    repeats = 1 if args.quick else args.repeats
    rows = []
    for name, case in CASES.items():
        steps = 20 if args.quick else case["steps"]
        ratios: dict[str, list[float]] = {"baseline": [], "this": []}
        for r in range(repeats):
            for side, src in (("baseline", baseline), ("this", None)):
                one = paired_in_subprocess(name, steps, src)
                ratios[side].append(one["genlab"] / one["bare"])
            print(f"{name} repeat {r}: baseline {ratios['baseline'][-1]:.3f}, this {ratios['this'][-1]:.3f}", file=sys.stderr)
        rows.append({"case": name, "steps": steps, "repeats": repeats,
                     "ratios_genlab_to_bare": {k: [round(v, 3) for v in vs] for k, vs in ratios.items()},
                     "median_ratio_genlab_to_bare": {k: round(statistics.median(vs), 3) for k, vs in ratios.items()}})  # fmt: skip
    payload = {"benchmark": "trainer_overhead_change", "quick": args.quick, "baseline": args.baseline_name or str(baseline),
               "this": genlab.__version__, "machine": machine(), "batch": BATCH, "rows": rows}  # fmt: skip
    name = "trainer_overhead_change" + (".quick" if args.quick else "")
    print(write_results(name, payload))
    if not args.quick:
        print(write_docs_section(name, change_section(payload)))


def change_section(payload: dict[str, Any]) -> str:
    m = payload["machine"]
    table = markdown_table(
        ["case", "steps", f"genlab / bare, {payload['baseline']} (median)", "genlab / bare, this tree (median)",
         f"{payload['baseline']} ratios", "this tree's ratios"],
        [
            [r["case"], r["steps"], f"{r['median_ratio_genlab_to_bare']['baseline']:.2f}x",
             f"{r['median_ratio_genlab_to_bare']['this']:.2f}x",
             ", ".join(f"{v:.2f}" for v in r["ratios_genlab_to_bare"]["baseline"]),
             ", ".join(f"{v:.2f}" for v in r["ratios_genlab_to_bare"]["this"])]
            for r in payload["rows"]
        ],
    )  # fmt: skip
    return f"""## Trainer overhead before and after a change to the trainer (`benchmarks/trainer_overhead.py --baseline-src`)

The same paired measurement as above (genlab's loop over a bare loop of the same arithmetic), for
the trainer of {payload['baseline']} and for this tree's, each repeat in a fresh process, the two
alternating. On these shared 2-core machines single ratios scatter by up to +-30%; the medians
over the repeats are what to compare.

Measured on {m['cpu']}, {m['cores']} cores, torch {m['torch']}, Python {m['python']}, {m['date']}.

{table}

Reproduce: `git worktree add /tmp/base {payload['baseline']}`, then
`.venv/bin/python benchmarks/trainer_overhead.py --baseline-src /tmp/base/src --baseline-name {payload['baseline']}`.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke test: few steps, one repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--baseline-src", help="compare with the genlab in this src folder (an earlier checkout)")
    parser.add_argument("--baseline-name", help="how to name the baseline in the table (e.g. its commit)")
    parser.add_argument("--one", choices=sorted(CASES), help=argparse.SUPPRESS)  # one paired measurement, as JSON
    parser.add_argument("--steps", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    import genlab  # noqa: F401  (its import-time settings, such as denormal flushing, apply to both loops)

    if args.baseline_src:
        compare(args)
        return
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if args.one:
        x = case_data(args.one)
        bare = bare_us_per_step(args.one, x, args.steps, device)
        print(json.dumps({"bare": bare, "genlab": genlab_us_per_step(args.one, x, args.steps, device)}))
        return
    repeats = 1 if args.quick else args.repeats
    rows: list[dict[str, Any]] = []
    for name, case in CASES.items():
        x = case_data(name)
        steps = 20 if args.quick else case["steps"]
        times: dict[str, list[float]] = {"bare": [], "genlab": []}
        for r in range(repeats):
            times["bare"].append(bare_us_per_step(name, x, steps, device))
            times["genlab"].append(genlab_us_per_step(name, x, steps, device))
            print(f"{name} repeat {r}: bare {times['bare'][-1]:.0f} us/step, genlab {times['genlab'][-1]:.0f}", file=sys.stderr)
        ratios = [g / b for g, b in zip(times["genlab"], times["bare"])]
        rows.append({
            "case": name, "steps": steps, "repeats": repeats,
            "us_per_step": {k: [round(v, 1) for v in vs] for k, vs in times.items()},
            "median_us_per_step": {k: round(statistics.median(vs), 1) for k, vs in times.items()},
            "ratios_genlab_to_bare": [round(v, 3) for v in ratios],
            "median_ratio_genlab_to_bare": round(statistics.median(ratios), 3),
        })  # fmt: skip
    gpu = device.type == "cuda"
    payload = {"benchmark": "trainer_overhead", "quick": args.quick, "device": str(device), "machine": machine(),
               "batch": BATCH, "rows": rows}  # fmt: skip
    name = "trainer_overhead" + ("_gpu" if gpu else "") + (".quick" if args.quick else "")
    print(write_results(name, payload))
    if not args.quick:
        print(write_docs_section(name, docs_section(payload, gpu)))


def docs_section(payload: dict[str, Any], gpu: bool) -> str:
    m = payload["machine"]
    where = f"{m.get('gpu', 'a CUDA GPU')}" if gpu else f"{m['cpu']}, {m['cores']} cores"
    table = markdown_table(
        ["case", "steps", "bare loop us/step", "genlab us/step", "genlab / bare (median of paired repeats)", "paired ratios"],
        [
            [r["case"], r["steps"], f"{r['median_us_per_step']['bare']:,.0f}", f"{r['median_us_per_step']['genlab']:,.0f}",
             f"{r['median_ratio_genlab_to_bare']:.2f}x", ", ".join(f"{v:.2f}" for v in r["ratios_genlab_to_bare"])]
            for r in payload["rows"]
        ],
    )  # fmt: skip
    title = "Trainer overhead on a GPU" if gpu else "Trainer overhead"
    return f"""## {title}: genlab's loop vs a bare PyTorch loop (`benchmarks/trainer_overhead.py`)

Per-step wall time of the same VAE, same initial weights, same in-memory data, batch 128. The bare
loop runs forward, backward and fused Adam and nothing else; genlab's `Trainer.fit` (in memory, no
run folder) adds its NaN guard (one device sync per step), stop flags, per-step seeding and metrics
sums; its time includes `fit()`'s own setup (Fabric, the first epoch's order: about 10 ms). `tiny`
(an 8-(8)-(2) MLP VAE) has negligible arithmetic, so its steps measure overhead; `mlp` is the
784-512-256-(16) VAE of the pythae comparison. The two loops alternate in one process; each ratio
pairs a genlab run with the bare run just before it.

Measured on {where}, torch {m['torch']}, Python {m['python']}, {m['date']}.

{table}

Reproduce: `.venv/bin/python benchmarks/trainer_overhead.py`.
"""


if __name__ == "__main__":
    main()
