"""Where does the test-NLL difference between genlab and pythae come from? One factor at a time.

`benchmarks/vae_train.py` found genlab's VAEs a little worse than pythae's on test NLL (10 epochs,
binarized Fashion-MNIST). Both train the same modules from the same initial weights, so the
difference can only come from the training loop. This script trains the same VAE five ways,
each for several seeds, and estimates every model's test NLL with the same IWAE code:

    genlab          genlab's Trainer (train_run), as vae_train.py runs it
    pythae          pythae's BaseTrainer, as vae_train.py runs it
    logits-fused    a minimal PyTorch loop with genlab's math: BCE on logits, fused Adam
    logits-adam     the same with torch's default (for-loop) Adam, as pythae uses
    sigmoid-adam    the same with pythae's math: sigmoid, then F.binary_cross_entropy, default Adam

The minimal loops shuffle with torch.randperm and draw their noise from torch's global generator.
If the minimal loops land with genlab, the difference is in what they share with genlab and not
with pythae; if the spread between seeds covers every arm, it is noise.

`--check-replica` shows that pythae's BaseTrainer is, step for step, a plain loop with
sigmoid-adam's math whose only other differences are its random streams (a DataLoader's
RandomSampler, and the global seed set again after the model is built): trained side by side on
1,280 images, the two end with bit-identical weights. So sigmoid-adam differs from pythae in
nothing but which random numbers it draws.

    python benchmarks/vae_nll_arms.py --archs mlp --seeds 4     # about 1 hour on 2 cores
    python benchmarks/vae_nll_arms.py --archs conv --seeds 2    # slower: conv nets on the CPU

Every case is a child process on one thread, `--jobs` of them at once (default 2). Writes
benchmarks/results/vae_nll_arms.json and its section in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vae_train
from _common import RESULTS, WORK, machine, markdown_table, write_docs_section, write_results

ARMS = ("genlab", "pythae", "logits-fused", "logits-adam", "sigmoid-adam")
EPOCHS, BATCH, K, TEST_N = 10, 128, 1000, 2000


def pythae_loss(model: torch.nn.Module, xb: torch.Tensor) -> torch.Tensor:
    """pythae's VAE forward and loss_function with reconstruction_loss="bce": sigmoid, then BCE."""
    mu, logvar = model.encode(xb)
    z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
    p = torch.sigmoid(model.decode(z)).reshape(len(xb), -1)
    recon = F.binary_cross_entropy(p, xb.reshape(len(xb), -1), reduction="none").sum(-1)
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(-1)
    return (recon + kl).mean()


def minimal_loop(loss: str, adam: str, arch: str, seed: int, x: torch.Tensor, epochs: int) -> torch.nn.Module:
    """The plainest training loop of the benchmark's VAE, with one of two losses and two Adams."""
    model = vae_train.genlab_vae(arch, seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=adam == "fused", foreach=False if adam == "adam" else None)
    order = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for index in torch.randperm(len(x), generator=order).split(BATCH):
            xb = x[index]
            value = model(xb)["loss"] if loss == "logits" else pythae_loss(model, xb)
            optimizer.zero_grad()
            value.backward()
            optimizer.step()
    return model


def pythae_replica(arch: str, seed: int, x: torch.Tensor, epochs: int) -> torch.nn.Module:
    """pythae's BaseTrainer.train() written out as a plain loop, random streams included."""
    from pythae.data.datasets import BaseDataset, collate_dataset_output

    model = vae_train.genlab_vae(arch, seed)
    loader = DataLoader(BaseDataset(x, torch.zeros(len(x))), batch_size=BATCH, shuffle=True, collate_fn=collate_dataset_output)
    torch.manual_seed(seed)  # prepare_training() seeds again once the model is built
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        for batch in loader:  # a RandomSampler draws each epoch's order from the global generator
            value = pythae_loss(model, batch["data"])
            optimizer.zero_grad()
            value.backward()
            optimizer.step()
    return model


def check_replica(arch: str, seed: int, data: Path, work: Path, n: int = 1280) -> dict[str, Any]:
    """Train pythae's BaseTrainer and :func:`pythae_replica` for one epoch on n images; compare weights."""
    torch.set_num_threads(1)
    subset = work / f"replica-{n}.npz"
    x = torch.from_numpy(np.load(data)["x"][:n])
    np.savez(subset, x=x.numpy())
    trained, _ = vae_train.run_pythae(arch, subset, 1, work, seed)
    replica = pythae_replica(arch, seed, x, 1)
    weights = zip(trained.state_dict().values(), replica.state_dict().values(), strict=True)
    difference = max(float((a - b).abs().max()) for a, b in weights)
    return {"arch": arch, "seed": seed, "images": n, "epochs": 1, "max_abs_weight_difference": difference}


def run_case(arm: str, arch: str, seed: int, data: Path, epochs: int, k: int, work: Path) -> dict[str, Any]:
    torch.set_num_threads(1)
    start = time.perf_counter()
    if arm == "genlab":
        model, _ = vae_train.run_genlab(arch, data, epochs, work, seed)
    elif arm == "pythae":
        model, _ = vae_train.run_pythae(arch, data, epochs, work, seed)
    else:  # the two libraries read the training set themselves; only the minimal loops need it here
        loss, adam = arm.split("-")
        model = minimal_loop(loss, adam, arch, seed, torch.from_numpy(np.load(data)["x"]), epochs)
    seconds = time.perf_counter() - start
    x_test = torch.from_numpy(np.load(data)["x_test"])[:TEST_N]
    return {"arm": arm, "arch": arch, "seed": seed, "nll": round(vae_train.nll(model, x_test, k), 3),
            "train_s": round(seconds, 1), "iwae_k": k, "nll_examples": len(x_test)}  # fmt: skip


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean and standard deviation of the NLL per (arch, arm), and the mean difference to pythae on the same seeds."""
    out = []
    for arch in dict.fromkeys(r["arch"] for r in rows):
        pythae = {r["seed"]: r["nll"] for r in rows if r["arch"] == arch and r["arm"] == "pythae"}
        for arm in ARMS:
            mine = {r["seed"]: r["nll"] for r in rows if r["arch"] == arch and r["arm"] == arm}
            if not mine:
                continue
            values = np.array(list(mine.values()))
            paired = np.array([mine[s] - pythae[s] for s in mine if s in pythae and arm != "pythae"])
            out.append({"arch": arch, "arm": arm, "seeds": sorted(mine), "nll": float(values.mean()),
                        "nll_std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
                        "paired_seeds": len(paired),
                        "minus_pythae": float(paired.mean()) if len(paired) else None,
                        "minus_pythae_std": float(paired.std(ddof=1)) if len(paired) > 1 else None})  # fmt: skip
    return out


def pm(mean: float, std: float, n: int) -> str:
    """Mean ± standard deviation over seeds (the value alone for one seed)."""
    return f"{mean:.2f} ± {std:.2f}" if n > 1 else f"{mean:.2f}"


def paired(entry: dict[str, Any]) -> str:
    """The arm's mean difference to pythae over the seeds both ran (± their standard deviation, and how many)."""
    if entry["minus_pythae"] is None:
        return "-"
    spread = f" ± {entry['minus_pythae_std']:.2f}" if entry["minus_pythae_std"] is not None else ""
    return f"{entry['minus_pythae']:+.2f}{spread} ({entry['paired_seeds']} seed{'s' if entry['paired_seeds'] > 1 else ''})"


def docs_section(payload: dict[str, Any]) -> str:
    m = payload["machine"]
    table = markdown_table(
        ["net", "training", "seeds", "test NLL (nats)", "arm - pythae on the same seeds (nats)"],
        [[s["arch"], s["arm"], ", ".join(map(str, s["seeds"])), pm(s["nll"], s["nll_std"], len(s["seeds"])),
          paired(s)] for s in payload["summary"]],
    )  # fmt: skip
    per_seed = markdown_table(
        ["net", "seed"] + list(ARMS),
        [[arch, seed] + [next((f"{r['nll']:.2f}" for r in payload["rows"] if (r["arch"], r["seed"], r["arm"]) == (arch, seed, a)), "-")
                         for a in ARMS]
         for arch, seed in sorted({(r["arch"], r["seed"]) for r in payload["rows"]}, key=lambda c: (c[0] != "mlp", c))],
    )  # fmt: skip
    return "\n".join([
        "## VAE test NLL: genlab's trainer, pythae and minimal loops (`benchmarks/vae_nll_arms.py`)",
        "",
        "The VAE of `vae_train.py` (same data, modules, initial weights, batch 128, Adam lr 1e-3, 10 epochs)",
        "trained five ways: genlab's trainer, pythae's, and minimal PyTorch loops with genlab's math (BCE on",
        "logits, fused Adam), with torch's default Adam, and with pythae's math (sigmoid + BCE, default Adam).",
        f"Test NLL: IWAE k={K} on the first {TEST_N} test images; one thread per case.",
        "",
        f"Measured on {m['cpu']}, {m['cores']} cores, torch {m['torch']}, {m['date']}. {payload.get('note', '')}".rstrip(),
        "",
        table,
        "",
        per_seed,
        "",
        payload["conclusion"],
        "",
        replica_sentence(),
        "",
        "Reproduce: `.venv/bin/python benchmarks/vae_nll_arms.py --archs mlp --seeds 4` (about an hour), and",
        "`--archs conv --arms genlab,pythae,logits-fused,sigmoid-adam` (about 15 minutes per case and seed).",
    ])  # fmt: skip


def replica_sentence() -> str:
    """What `--check-replica` found, if it ran."""
    path = RESULTS / "vae_nll_arms.replica.json"
    if not path.exists():
        return "pythae's trainer has not been compared with its plain-loop replica (`--check-replica`)."
    checks = json.loads(path.read_text())["checks"]
    found = "; ".join(f"{c['arch']} {c['max_abs_weight_difference']:g}" for c in checks)
    return ("pythae's BaseTrainer against `pythae_replica`, a plain loop with sigmoid-adam's math and pythae's random "
            f"streams (`--check-replica`, 1 epoch on 1,280 images), largest weight difference: {found}. "
            "So sigmoid-adam and pythae differ only in which random numbers they draw.")


def conclusion(summary: list[dict[str, Any]]) -> str:
    """Per net and arm (3 seeds or more): is the paired difference to pythae larger than twice its standard error?"""
    lines = []
    for s in summary:
        n, mean, std = s["paired_seeds"], s["minus_pythae"], s["minus_pythae_std"]
        if mean is None:
            continue
        if n < 3:  # the spread of two differences says little about the spread of runs
            verdict = "too few seeds for a verdict"
        else:
            se = std / np.sqrt(n)
            verdict = f"{'worse' if mean > 2 * se else 'better' if mean < -2 * se else 'no different'} (standard error {se:.2f})"
        lines.append(f"{s['arch']} {s['arm']}: {mean:+.2f} nats against pythae over {n} paired seed(s), {verdict}.")
    return " ".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", help=argparse.SUPPRESS)  # arm:arch:seed, run in a child process
    parser.add_argument("--archs", default="mlp")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--arms", default=",".join(ARMS))
    parser.add_argument("--jobs", type=int, default=2, help="cases at once (each on one thread)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 epoch on 2,000 images, k=20, 1 seed")
    parser.add_argument("--check-replica", action="store_true", help="only check that pythae_replica is pythae's trainer")
    parser.add_argument("--rows", type=Path, help="summarize these JSON-lines rows (from --case runs) instead of running")
    parser.add_argument("--note", default="", help="how the rows were run, for the docs (e.g. a hand-picked subset)")
    args = parser.parse_args()
    epochs, k = (1, 20) if args.quick else (EPOCHS, K)
    work = WORK / ("vae_train_quick" if args.quick else "vae_train")
    data = work / "fashion_mnist_binarized.npz"

    if args.check_replica:
        vae_train.prepare_data(data, args.quick)
        checks = [check_replica(arch, 0, data, work) for arch in args.archs.split(",")]
        print(f"wrote {write_results('vae_nll_arms.replica', {'machine': machine(), 'checks': checks})}", file=sys.stderr)
        return

    if args.case:
        arm, arch, seed = args.case.split(":")
        if not data.exists():
            vae_train.prepare_data(data, args.quick)
        print(json.dumps(run_case(arm, arch, int(seed), data, epochs, k, work)))
        return

    if args.rows:
        rows = [json.loads(line) for line in args.rows.read_text().splitlines() if line.strip()]
    else:
        vae_train.prepare_data(data, args.quick)
        cases = [(arm, arch, seed) for arch in args.archs.split(",") for seed in range(1 if args.quick else args.seeds)
                 for arm in args.arms.split(",")]  # fmt: skip

        def run(case: tuple[str, str, int]) -> dict[str, Any]:
            cmd = [sys.executable, __file__, "--case", ":".join(map(str, case))] + (["--quick"] if args.quick else [])
            out = subprocess.run(cmd, capture_output=True, text=True, check=False, env=os.environ | {"OMP_NUM_THREADS": "1"})
            if out.returncode != 0:
                sys.stderr.write(out.stderr[-4000:])
                raise SystemExit(f"case {case} failed")
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"  {row}", file=sys.stderr, flush=True)
            return row

        with ThreadPoolExecutor(args.jobs) as pool:
            rows = list(pool.map(run, cases))

    summary = summarize(rows)
    payload = {"benchmark": "vae_nll_arms", "quick": args.quick, "machine": machine(), "summary": summary, "rows": rows,
               "conclusion": conclusion(summary), "note": args.note}  # fmt: skip
    name = "vae_nll_arms.quick" if args.quick else "vae_nll_arms"
    print(f"wrote {write_results(name, payload)}", file=sys.stderr)
    if not args.quick:
        write_docs_section("vae_nll_arms", docs_section(payload))


if __name__ == "__main__":
    main()
