"""Does a larger beta disentangle? beta-VAEs with beta in {1, 4, 16}, 3 seeds each, on `shapes` and `faces`.

For each run: MIG and the FactorVAE score (at sample sizes scaled by --metric-n; 10,000 is the
published size), the reconstruction term -log p(x|z) on test images (nats per image) and the KL, then
mean and standard deviation over seeds, and a traversal figure per beta (seed 0) in docs/images/.
The lecture's claim: MIG and the FactorVAE score rise with beta while reconstruction gets worse.
The table reports whatever is measured.

    python benchmarks/beta_sweep.py                  # shapes and faces (long on a CPU: use a GPU, or --limit)
    python benchmarks/beta_sweep.py --datasets shapes --epochs 5 --limit 100000
    python benchmarks/beta_sweep.py --quick          # smoke test on a small built-in toy (no data sets needed)

Training length matters more than anything here: disentanglement_lib trains 300,000 steps, while 10
epochs of the 50,000 `shapes` training images are 7,800 steps of 64. On a GPU raise --epochs (e.g. 50+).
Measured on 2 CPU cores: 3 epochs on 6,000 images leave most runs collapsed to the prior (KL near 0,
FactorVAE score 0), so such a short sweep says nothing about beta.

All runs share one architecture: conv encoder/decoder (channels 32,32,64,64; fc 256), latent 10,
Bernoulli decoder, Adam (--lr, default 5e-4), batch 64 (as in disentanglement_lib's study). Runs are kept in
benchmarks/.work/beta_sweep/. Writes benchmarks/results/beta_sweep.json and its section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, WORK, machine, markdown_table, write_docs_section, write_results

from genlab.api import train_run
from genlab.data.dataset import Dataset
from genlab.data.factors import factor_source
from genlab.data.registry import BUILTINS, register_builtin
from genlab.data.source import SourceInfo
from genlab.data.splits import DataSpec
from genlab.evaluate.disentanglement import compute_factor_vae, compute_mig, model_representation, sizes_for
from genlab.evaluate.run_metrics import evaluate_run
from genlab.latent import traverse_run
from genlab.run import Run
from genlab.train.config import TrainConfig
from genlab.viz.latent import save_picture

FIGURES = ROOT / "docs" / "images" / "beta_sweep"
CONV = {"net": "conv", "latent_dim": 10, "channels": (32, 32, 64, 64), "hidden": (256,)}


class ToyBlobs:
    """For --quick only: a blob on a 16x16 canvas at 8 x and 8 y positions, with 2 sizes (128 images).

    A data source with known factors, so the sweep's whole code path runs without the data sets.
    """

    name = "toy-blobs"
    factor_names = ("size", "x", "y")
    factor_sizes = (2, 8, 8)

    @property
    def factors(self) -> ToyBlobs:
        return self

    def sample_factors(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return np.stack([rng.integers(s, size=n) for s in self.factor_sizes], axis=1)

    def render(self, factors: np.ndarray) -> torch.Tensor:
        f = torch.from_numpy(np.asarray(factors)).float()
        width, cx, cy = 1.0 + f[:, 0:1], 3.0 + 1.4 * f[:, 1:2], 3.0 + 1.4 * f[:, 2:3]
        grid = torch.arange(16.0)[None]
        dx, dy = (grid - cx) ** 2 / (2 * width**2), (grid - cy) ** 2 / (2 * width**2)
        return (torch.exp(-(dy[:, :, None] + dx[:, None, :])) > 0.5).float()[:, None]

    def info(self) -> SourceInfo:
        return SourceInfo(self.name, "images", "1x16x16", 128 * 20, 128, "benchmark toy", True)

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset]:
        x = self.render(np.array(list(itertools.product(*map(range, self.factor_sizes)))))
        return Dataset(x.repeat(20, 1, 1, 1)), Dataset(x)


def one_run(dataset: str, beta: float, seed: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    out = work / dataset / f"beta{beta:g}-seed{seed}"
    cached = out / "sweep_result.json"
    measured_with = {"metric_n": args.metric_n, "eval_n": args.eval_n}
    if cached.is_file() and not args.overwrite:  # a rerun only aggregates what was measured before
        row = json.loads(cached.read_text())
        if row.pop("measured_with", None) == measured_with:
            return row
    options = ({"net": "mlp", "latent_dim": 6, "hidden": (128, 64)} if args.quick else CONV) | {"beta": beta}
    if not (out / "train_summary.json").is_file() or args.overwrite:
        train = TrainConfig(
            epochs=args.epochs,
            batch_size=64,
            lr=args.lr if not args.quick else 3e-3,
            seed=seed,
            max_steps=args.max_steps,
        )
        train_run(
            "vae", DataSpec(dataset, limit=args.limit, seed=seed, resize=args.resize), train, str(out), options, overwrite=True
        )
    train_seconds = json.loads((out / "train_summary.json").read_text())["wall_seconds"]
    scores = evaluate_run(str(out), "test", iwae_k=1, n=args.eval_n, seed=0)
    model, config = Run(out).load_model(args.device), Run(out).load_config()
    represent = model_representation(model, config.data, args.device)
    sizes = sizes_for(args.metric_n)
    source = factor_source(dataset)
    mig = compute_mig(source, represent, seed, **{k: int(v) for k, v in sizes["mig"].items()})
    fvae = compute_factor_vae(source, represent, seed, **sizes["factor_vae"])  # type: ignore[arg-type]
    traversal = traverse_run(str(out), steps=9, device=args.device)
    row = {
        "dataset": dataset, "beta": beta, "seed": seed, "run": str(out.relative_to(ROOT)),
        "mig": mig["mig"], "factor_vae": fvae["eval_accuracy"], "recon": scores["recon"], "kl": scores["kl"],
        "active_dims": sum(traversal.active), "train_seconds": round(train_seconds, 1),
        "metric_sizes": {"mig": mig["num_train"], "factor_vae": [fvae["num_train"], fvae["num_eval"]]},
    }  # fmt: skip
    cached.write_text(json.dumps({**row, "measured_with": measured_with}))
    return row


def mean_std(values: list[float]) -> dict[str, float]:
    return {
        "mean": statistics.fmean(values),
        "std": statistics.stdev(values) if len(values) > 1 else 0.0,
        "n": len(values),
    }


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for (dataset, beta), group in itertools.groupby(
        sorted(rows, key=lambda r: (r["dataset"], r["beta"])), key=lambda r: (r["dataset"], r["beta"])
    ):
        group = list(group)
        out.append(
            {"dataset": dataset, "beta": beta}
            | {
                k: mean_std([r[k] for r in group])
                for k in ("mig", "factor_vae", "recon", "kl", "active_dims")
            }
        )
    return out


def trend(summary: list[dict[str, Any]], dataset: str, key: str) -> str:
    means = [s[key]["mean"] for s in summary if s["dataset"] == dataset]
    if all(b > a for a, b in itertools.pairwise(means)):
        return "rises"
    if all(b < a for a, b in itertools.pairwise(means)):
        return "falls"
    return "is not monotonic"


def docs(payload: dict[str, Any]) -> str:
    m, summary = payload["machine"], payload["summary"]
    parts = [
        "## beta-VAE sweep: does a larger beta disentangle? (`benchmarks/beta_sweep.py`)",
        "",
        f"beta in {payload['betas']}, seeds {payload['seeds']}, "
        + (f"{payload['max_steps']:,} steps" if payload.get("max_steps") else f"{payload['epochs']} epochs")
        + (f" on at most {payload['limit']:,} training images" if payload["limit"] else "")
        + (f" at {payload['resize']}x{payload['resize']}" if payload.get("resize") else "")
        + (
            ", MLP VAE (smoke test)"
            if payload["quick"]
            else f", conv VAE (latent 10, Bernoulli decoder, Adam {payload['lr']:g}, batch 64)"
        )
        + f". MIG and FactorVAE score (eval accuracy) with {payload['metric_n']:,} training points; reconstruction "
        f"= -log p(x|z) on {payload['eval_n']:,} test images (nats per image, lower is better); active dimensions have mean KL >= 0.01 "
        f"nats. Mean ± standard deviation over seeds. Measured on {m['cpu']} ({m['gpu'] or 'no GPU'}), torch {m['torch']}, {m['date']}.",
    ]

    def fmt(s: dict[str, float], digits: int = 3) -> str:
        return f"{s['mean']:.{digits}f} ± {s['std']:.{digits}f}"

    for dataset in payload["datasets"]:
        rows = [[f"{s['beta']:g}", s["mig"]["n"], fmt(s["mig"]), fmt(s["factor_vae"]), fmt(s["recon"], 1), fmt(s["kl"], 1), fmt(s["active_dims"], 1)]
                for s in summary if s["dataset"] == dataset]  # fmt: skip
        parts += [
            "",
            f"### {dataset}",
            "",
            markdown_table(
                [
                    "beta",
                    "seeds",
                    "MIG",
                    "FactorVAE score",
                    "reconstruction (nats)",
                    "KL (nats)",
                    "active dims",
                ],
                rows,
            ),
            "",
        ]
        parts.append(
            f"With beta going up, MIG {trend(summary, dataset, 'mig')}, the FactorVAE score {trend(summary, dataset, 'factor_vae')} "
            f"and the reconstruction error {trend(summary, dataset, 'recon')}."
        )
        parts.append("")
        for beta in payload["betas"]:
            parts.append(
                f"![traversal, {dataset}, beta {beta:g}](images/beta_sweep/{dataset}_beta{beta:g}.png)"
            )
        parts.append("")
        parts.append(
            "Traversals (seed 0), one row per latent dimension sorted by KL, inactive rows faded; left to right beta "
            + ", ".join(f"{b:g}" for b in payload["betas"])
            + "."
        )
    flags = " ".join(
        f"--{name.replace('_', '-')} {payload[name]:g}" if isinstance(payload[name], float) else f"--{name.replace('_', '-')} {payload[name]}"
        for name in ("epochs", "max_steps", "resize", "lr", "metric_n", "eval_n")
        if payload.get(name) is not None
    )
    parts += [
        "",
        ("How long these models trained matters more than anything here: disentanglement_lib trains 300,000 steps "
        "per model, this sweep far fewer on 2 CPU cores, so it shows what a short CPU budget gives, not the "
        "converged beta-VAE of the literature. Larger beta closes dimensions (fewer active, higher reconstruction "
        "error) before the remaining ones align with single factors."),
        "",
        (f"Reproduce: `.venv/bin/python benchmarks/beta_sweep.py {flags}` (about 2.5 hours on 2 busy CPU cores; "
        "trained runs and their scores are reused from benchmarks/.work/beta_sweep/ unless --overwrite)."),
    ]
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="shapes,faces")
    parser.add_argument("--betas", default="1,4,16")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--max-steps", type=int, default=None, help="stop each run after N steps")
    parser.add_argument(
        "--limit", type=int, default=None, help="training examples per run (after the seeded shuffle)"
    )
    parser.add_argument(
        "--metric-n",
        type=int,
        default=10_000,
        help="training points of MIG and FactorVAE (10,000: published)",
    )
    parser.add_argument("--lr", type=float, default=5e-4, help="Adam learning rate")
    parser.add_argument("--resize", type=int, default=None, help="train at NxN (e.g. 32 on a CPU)")
    parser.add_argument("--eval-n", type=int, default=5_000, help="test images for the reconstruction term")
    parser.add_argument("--device", default="cpu" if not torch.cuda.is_available() else "cuda")
    parser.add_argument("--overwrite", action="store_true", help="retrain runs that already exist")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: a 16x16 toy with known factors, an MLP VAE, 2 seeds, 10 epochs",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if args.quick:
        register_builtin(ToyBlobs())
        args.datasets, args.seeds, args.epochs, args.metric_n, args.eval_n = "toy-blobs", "0,1", 10, 300, 128
    datasets = [d for d in args.datasets.split(",") if d]
    betas = [float(b) for b in args.betas.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    for dataset in datasets:
        if dataset not in BUILTINS:
            sys.exit(
                f"data set '{dataset}' is not registered yet (it comes with the data sets of issue 4); try --quick"
            )
        factor_source(dataset)  # fails early without known factors
    work = WORK / ("beta_sweep_quick" if args.quick else "beta_sweep")
    figures = work / "figures" if args.quick else FIGURES
    rows = []
    for dataset, beta, seed in itertools.product(datasets, betas, seeds):
        row = one_run(dataset, beta, seed, args, work)
        print(
            f"{dataset} beta={beta:g} seed={seed}: MIG {row['mig']:.3f} FactorVAE {row['factor_vae']:.3f} recon {row['recon']:.1f}",
            file=sys.stderr,
        )
        rows.append(row)
        if seed == seeds[0]:
            save_picture(
                figures / f"{dataset}_beta{beta:g}.png",
                traverse_run(str(ROOT / row["run"]), steps=9, device=args.device).figure(),
            )
    payload = {
        "benchmark": "beta_sweep", "quick": args.quick, "machine": machine(), "datasets": datasets, "betas": betas,
        "seeds": seeds, "epochs": args.epochs, "limit": args.limit, "max_steps": args.max_steps, "resize": args.resize, "lr": args.lr, "metric_n": args.metric_n, "eval_n": args.eval_n,
        "runs": rows, "summary": summarize(rows),
    }  # fmt: skip
    print(write_results("beta_sweep.quick" if args.quick else "beta_sweep", payload))
    if args.quick:
        print(docs(payload))
    else:
        write_docs_section("beta_sweep", docs(payload))


if __name__ == "__main__":
    main()
