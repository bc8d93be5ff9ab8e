"""Time of each disentanglement metric at disentanglement_lib's published sample sizes.

The metrics draw factor values from a synthetic source shaped like dSprites (factor sizes 3, 6, 40,
32, 32) whose "images" are the factor values themselves, and a cheap representation turns them into
a 10-dimensional code (5 dimensions carry one factor each with noise, 5 are noise), so the time is the
metric's own work (sampling, classifiers), not a network's. MIG, DCI and SAP score 10,000 training
codes (5,000 test codes for DCI and SAP); the beta-VAE and FactorVAE scores draw 10,000 + 5,000
batches of 64 (FactorVAE also 10,000 codes for the variances), as in Locatello et al. (2019).

Side by side: DCI's importances from a random forest (genlab's default) against gradient-boosted
trees (disentanglement_lib's model), on the same codes: seconds and the scores they give.

    python benchmarks/disentanglement_metrics.py           # published sizes (a few minutes on 2 cores)
    python benchmarks/disentanglement_metrics.py --quick   # a smoke test (1,000 training codes)

Writes benchmarks/results/disentanglement_metrics.json and its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, markdown_table, write_docs_section, write_results

from genlab.evaluate import disentanglement as dis

FACTOR_SIZES = (3, 6, 40, 32, 32)
CODE_DIM = 10


class FactorValues:
    """A factor source whose images (N, 1, 1, F) hold the factor values scaled to [0, 1]."""

    factor_names = ("shape", "scale", "orientation", "x", "y")
    factor_sizes = FACTOR_SIZES

    def sample_factors(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return np.stack([rng.integers(s, size=n) for s in self.factor_sizes], axis=1)

    def render(self, factors: np.ndarray) -> torch.Tensor:
        scale = torch.tensor([s - 1 for s in self.factor_sizes], dtype=torch.float32)
        return (torch.from_numpy(factors).float() / scale).view(len(factors), 1, 1, -1)


def noisy_code(seed: int = 0) -> Callable[[torch.Tensor], np.ndarray]:
    """A fairly good 10-d code: each factor in one dimension plus noise, and five noise dimensions."""
    rng = np.random.default_rng(seed)

    def represent(images: torch.Tensor) -> np.ndarray:
        values = images.flatten(1).double().numpy()
        noise = rng.normal(scale=0.01, size=(len(values), CODE_DIM))
        return np.concatenate([values, np.zeros((len(values), CODE_DIM - values.shape[1]))], axis=1) + noise

    return represent


def timed(fn: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke test: 1,000 training codes")
    args = parser.parse_args()
    n = 1_000 if args.quick else 10_000
    sizes = dis.sizes_for(n)
    source, represent = FactorValues(), noisy_code()
    cases: dict[str, Callable[[], dict[str, Any]]] = {
        "beta_vae": lambda: dis.compute_beta_vae(
            source, represent, 0, **{k: int(v) for k, v in sizes["beta_vae"].items()}
        ),
        "factor_vae": lambda: dis.compute_factor_vae(source, represent, 0, **sizes["factor_vae"]),  # type: ignore[arg-type]
        "mig": lambda: dis.compute_mig(source, represent, 0, **{k: int(v) for k, v in sizes["mig"].items()}),
        "dci": lambda: dis.compute_dci(source, represent, 0, **{k: int(v) for k, v in sizes["dci"].items()}),
        "dci_gbt": lambda: dis.compute_dci(
            source, represent, 0, model="gbt", **{k: int(v) for k, v in sizes["dci"].items()}
        ),
        "sap": lambda: dis.compute_sap(source, represent, 0, **{k: int(v) for k, v in sizes["sap"].items()}),
    }
    draws = {
        "beta_vae": lambda s: 2 * s["batch_size"] * (s["num_train"] + s["num_eval"]),
        "factor_vae": lambda s: (
            s["num_variance_estimate"] + s["batch_size"] * (s["num_train"] + s["num_eval"])
        ),
        "mig": lambda s: s["num_train"],
        "dci": lambda s: s["num_train"] + s["num_test"],
        "sap": lambda s: s["num_train"] + s["num_test"],
    }
    results: dict[str, Any] = {}
    for name, case in cases.items():
        result, seconds = timed(case)
        key = "dci" if name == "dci_gbt" else name
        results[name] = {
            "seconds": round(seconds, 3),
            "sizes": sizes[key],
            "codes": int(draws[key](sizes[key])),
            "result": result,
        }
        print(f"{name}: {seconds:.2f} s", file=sys.stderr)
    payload = {
        "benchmark": "disentanglement_metrics",
        "quick": args.quick,
        "n": n,
        "machine": machine(),
        "results": results,
    }
    path = write_results(
        "disentanglement_metrics.quick" if args.quick else "disentanglement_metrics", payload
    )
    print(path)
    if not args.quick:
        write_docs_section("disentanglement_metrics", docs(payload))


def _score(name: str, result: dict[str, Any]) -> str:
    key = {
        "beta_vae": "eval_accuracy",
        "factor_vae": "eval_accuracy",
        "mig": "mig",
        "dci": "disentanglement",
        "dci_gbt": "disentanglement",
        "sap": "sap",
    }[name]
    return f"{key} {result[key]:.3f}"


def docs(payload: dict[str, Any]) -> str:
    r, m = payload["results"], payload["machine"]
    rows = []
    for name in ("beta_vae", "factor_vae", "mig", "dci", "dci_gbt", "sap"):
        sizes = ", ".join(
            f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in r[name]["sizes"].items()
        )
        label = {
            "dci": "DCI (random forest, genlab default)",
            "dci_gbt": "DCI (gradient boosting, as disentanglement_lib)",
        }.get(name, name)
        rows.append(
            [
                label,
                sizes,
                f"{r[name]['codes']:,}",
                f"{r[name]['seconds']:.2f}",
                _score(name, r[name]["result"]),
            ]
        )
    ratio = r["dci_gbt"]["seconds"] / r["dci"]["seconds"]
    d_f, d_g = r["dci"]["result"], r["dci_gbt"]["result"]
    return f"""
## Disentanglement metrics: seconds at the published sample sizes (`benchmarks/disentanglement_metrics.py`)

Each metric of `genlab.evaluate.disentanglement` at disentanglement_lib's published sample sizes
(Locatello et al. 2019; `PUBLISHED_SIZES`), on codes of a synthetic dSprites-shaped factor source
(factor sizes 3, 6, 40, 32, 32; a 10-d code, five dimensions carrying one factor each plus noise, five
noise), so the time is the metric's own work and not an encoder's. "codes" is how many codes the metric
draws: with a real model, add the time to render and encode that many images.

Measured on {m["cpu"]}, {m["cores"]} cores, torch {m["torch"]}, {m["date"]}.

{markdown_table(["metric", "sample sizes", "codes", "seconds", "score"], rows)}

DCI importances: the random forest (50 trees, depth 8, every feature weighed at each split) is
{ratio:.1f}x faster than disentanglement_lib's gradient-boosted trees (100 stages, one tree per class
and stage) and scores the same codes alike: disentanglement {d_f["disentanglement"]:.3f} vs
{d_g["disentanglement"]:.3f}, completeness {d_f["completeness"]:.3f} vs {d_g["completeness"]:.3f},
informativeness (test accuracy) {d_f["informativeness_test"]:.3f} vs {d_g["informativeness_test"]:.3f}.
Pass `model="gbt"` to `compute_dci` for disentanglement_lib's exact choice.

MIG stays below 1 even for a good code when a factor has more values than the 20 bins of the
discretization (orientation 40, positions 32), exactly as in disentanglement_lib; SAP is low for
factors with many values because a linear classifier on one dimension separates only a few of them.

Reproduce: `.venv/bin/python benchmarks/disentanglement_metrics.py`.
"""


if __name__ == "__main__":
    main()
