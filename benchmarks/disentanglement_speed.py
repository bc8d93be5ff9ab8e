"""`genlab evaluate RUN --disentanglement` on a 64x64 conv shapes VAE, with and without the code cache.

Trains a conv VAE on `shapes` for one epoch on 3,000 images (or takes --run; the point is the time
of the metrics, not the model), then runs evaluate's disentanglement metrics at the published sample
sizes (--n 10000) with this tree and, with --baseline-src, with an earlier checkout that encoded every
drawn image (about 2.9 million), each in a fresh process with the same seed: seconds, sprites rendered
and encoded for each part, and every score side by side. The likelihood part of evaluate runs on
--likelihood-n test images with --iwae-k samples (its cost does not depend on the cache). Last, the
encoder's images/s at several batch sizes, for the batch the cache encodes in.

    python benchmarks/disentanglement_speed.py --baseline-src /tmp/base/src --baseline-name 6818424
    python benchmarks/disentanglement_speed.py --quick   # a smoke test: a tiny model, n=100

Writes benchmarks/results/disentanglement_speed.json and a section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, WORK, machine, markdown_table, measured_run, write_docs_section, write_results

THIS = ROOT / "src"
DRIVER = Path(__file__).resolve().parent / "_disentanglement_driver.py"
PARTS = ("codes", "mig", "dci", "sap", "beta_vae", "factor_vae")  # as evaluate names them, in order
HEADLINE = {"mig": "mig", "dci": "disentanglement", "sap": "sap", "beta_vae": "eval_accuracy", "factor_vae": "eval_accuracy"}
BATCHES = (64, 256, 1024, 2048, 4096)


def train(out: Path, quick: bool) -> Path:
    """A conv VAE on 64x64 sprites: three epochs on 6,000 images (quick: 5 steps of a tiny one)."""
    args = ["-m", "genlab", "train", "vae", "--data", "shapes", "--net", "conv", "--latent-dim", "10", "--out", str(out),
            "--overwrite"]  # fmt: skip
    args += ["--limit", "300", "--max-steps", "5", "--channels", "8,8,8,8", "--hidden", "16"] if quick else ["--limit", "6000", "--epochs", "3"]
    measured_run(args, THIS, out.parent / "train.log")
    return out


def encoder_rates(run: Path, repeats: int) -> list[dict[str, float]]:
    """Images/s of the run's encoder (posterior means) on 4,096 sprites, at each of BATCHES."""
    from genlab.data.shapes import ShapesFactors
    from genlab.run import Run

    model = Run(run).load_model(torch.device("cpu"))
    sprites = ShapesFactors()
    x = sprites.render(sprites.sample_factors(4096, np.random.default_rng(0)))
    rates = []
    with torch.no_grad():
        for batch in BATCHES:
            best = 0.0
            for _ in range(repeats):
                start = time.perf_counter()
                for chunk in x.split(batch):
                    model.code(chunk)
                best = max(best, len(x) / (time.perf_counter() - start))
            rates.append({"batch": batch, "images_per_s": round(best, 1)})
            print(f"encoder batch {batch}: {best:,.0f} images/s", file=sys.stderr, flush=True)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke test: a tiny model, n=100")
    parser.add_argument("--run", help="evaluate this run folder instead of training one")
    parser.add_argument("--n", type=int, default=10_000, help="sample sizes scaled to n (10,000: the published ones)")
    parser.add_argument("--likelihood-n", type=int, default=100, help="test images of evaluate's likelihood part")
    parser.add_argument("--iwae-k", type=int, default=10, help="importance samples of evaluate's likelihood part")
    parser.add_argument("--baseline-src", help="also run the genlab in this src folder (an earlier checkout)")
    parser.add_argument("--baseline-name", help="how to name the baseline in the table (e.g. its commit)")
    args = parser.parse_args()
    n = 100 if args.quick else args.n
    work = WORK / "disentanglement_speed"
    work.mkdir(parents=True, exist_ok=True)
    run = Path(args.run) if args.run else train(work / "run", args.quick)
    trees = {"this": THIS} | ({"baseline": Path(args.baseline_src).resolve()} if args.baseline_src else {})

    results: dict[str, Any] = {}
    for tree, src in trees.items():
        argv = [str(DRIVER), str(run), str(n), str(args.likelihood_n), str(args.iwae_k)]
        out, cost = measured_run(argv, src, work / f"{tree}.log")
        results[tree] = json.loads(out) | {"wall_seconds": round(cost["seconds"], 1), "peak_rss_mib": round(cost["peak_rss_mib"])}
        write_results(f"disentanglement_speed.{tree}.partial", results[tree])  # kept should a later tree fail
        print(f"{tree}: {cost['seconds']:.0f} s, {cost['peak_rss_mib']:.0f} MiB", file=sys.stderr, flush=True)

    config = json.loads((run / "config.json").read_text())
    payload: dict[str, Any] = {
        "benchmark": "disentanglement_speed", "quick": args.quick, "n": n, "run": str(run),
        "model": {"net": config["model_config"]["net"], "latent_dim": config["model_config"]["latent_dim"],
                  "channels": config["model_config"]["channels"], "hidden": config["model_config"]["hidden"],
                  "data": config["data"]["name"], "limit": config["data"]["limit"], "epochs": config["train"]["epochs"]},
        "likelihood_n": args.likelihood_n, "iwae_k": args.iwae_k, "baseline": args.baseline_name or args.baseline_src,
        "machine": machine(), "results": results,
        "encoder": encoder_rates(run, 1 if args.quick else 3),
        "encoder_batch": _cache_batch(),  # the batch this tree's cache encodes in
    }  # fmt: skip
    if "baseline" in results:
        payload["identical_scores"] = results["this"]["scores"] == results["baseline"]["scores"]
        payload["speedup"] = round(_metric_seconds(results["baseline"]) / _metric_seconds(results["this"]), 1)
    name = "disentanglement_speed.quick" if args.quick else "disentanglement_speed" + ("" if n == 10_000 else f".n{n}")
    print(f"wrote {write_results(name, payload)}", file=sys.stderr)
    if not args.quick:
        update_docs()


def update_docs() -> None:
    """The docs section from the full-size results, with the side-by-side check at a smaller n
    (both trees, when the full size was run with this tree only) beneath."""
    results = ROOT / "benchmarks" / "results"
    full = results / "disentanglement_speed.json"
    if not full.is_file():
        return
    payload = json.loads(full.read_text())
    section = docs_section(payload)
    checks = sorted(results.glob("disentanglement_speed.n*.json"))
    if "baseline" not in payload["results"] and checks:
        check = json.loads(checks[0].read_text())
        section += "\n" + docs_section(check, heading=f"### The same at n = {check['n']:,}, both trees side by side")
    write_docs_section("disentanglement_speed", section)
    print("updated docs/benchmarks.md", file=sys.stderr)


def _metric_seconds(result: dict[str, Any]) -> float:
    return sum(result["parts"][part]["seconds"] for part in PARTS)


def docs_section(payload: dict[str, Any], heading: str | None = None) -> str:
    m, r, model = payload["machine"], payload["results"], payload["model"]
    trees = [t for t in ("baseline", "this") if t in r]
    names = {"baseline": payload.get("baseline") or "", "this": "this tree"}
    header = ["part"] + [f"{names[t]}: {what}" for t in trees for what in ("s", "rendered", "encoded")] + ["score"]
    rows = []
    for part in PARTS:
        cells = [c for t in trees for c in (f"{r[t]['parts'][part]['seconds']:,.1f}", f"{r[t]['parts'][part]['rendered']:,}",
                                             f"{r[t]['parts'][part]['encoded']:,}")]  # fmt: skip
        score = "" if part == "codes" else f"{HEADLINE[part]} " + " / ".join(f"{r[t]['scores'][part][HEADLINE[part]]:.6f}" for t in trees)
        rows.append([part, *cells, score])
    rows.append(["all metrics", *[c for t in trees for c in (f"{_metric_seconds(r[t]):,.1f}", "", "")], ""])
    same = ""
    if "identical_scores" in payload:
        verdict = "identical, every number of every metric" if payload["identical_scores"] else "NOT identical"
        same = (f"Scores of {names['baseline']} and this tree with the same seed: {verdict}. The metrics took "
                f"{payload['speedup']:.1f}x less time.")  # fmt: skip
    this = r["this"]["parts"]
    encoder = markdown_table(["encoder batch", "images/s"], [[e["batch"], f"{e['images_per_s']:,.0f}"] for e in payload["encoder"]])
    heading = heading or "## Disentanglement metrics of a trained model: the code cache (`benchmarks/disentanglement_speed.py`)"
    return f"""{heading}

`genlab evaluate RUN --disentanglement` on a 64x64 {model['net']} VAE trained on `{model['data']}` (latent
{model['latent_dim']}, conv widths {'-'.join(map(str, model['channels']))}, fully connected {'-'.join(map(str, model['hidden']))};
{model['epochs']} epochs on {model['limit']:,} images), {_sizes(payload['n'])}, each tree in a fresh process.
{names['baseline'] + ' (before the cache)' if payload.get('baseline') else 'Before the cache, genlab'}
rendered and encoded every drawn image; this tree looks each factor vector up in a `CodeCache`,
renders each vector once and encodes each distinct picture once (squares repeat every quarter turn,
ellipses every half turn), in batches of {payload.get('encoder_batch', 1024):,}. "encoded" counts the encoder's images (padding of
a last partial batch included). The likelihood part of evaluate ran on {payload['likelihood_n']} test
images with k = {payload['iwae_k']} (it does not use the cache): {r['this']['parts']['load and likelihood']['seconds']:.0f} s here.

Measured on {m['cpu']}, {m['cores']} cores, torch {m['torch']}, {m['date']}.{_load(payload)}

{markdown_table(header, rows)}

{same}{_target(payload)} This tree, whole process: {r['this']['wall_seconds']:,.0f} s, peak RSS {r['this']['peak_rss_mib']:,} MiB
(codes of {this['beta_vae']['rendered'] + this['codes']['rendered'] + this['factor_vae']['rendered']:,} factor vectors kept,
{sum(p['encoded'] for p in this.values()):,} images encoded in all).

The encoder's speed by batch size on this CPU (best of 3 over 4,096 sprites), for the batch the
cache encodes in:

{encoder}

Reproduce: {_reproduce(payload)}.
"""


def _cache_batch() -> int:
    from genlab.evaluate.disentanglement import encoder_batch_size

    return encoder_batch_size(torch.device("cpu"))


def _sizes(n: int) -> str:
    if n == 10_000:
        return "the metrics at the published sample sizes (n = 10,000 training points), the same seed"
    return f"the metrics' sample sizes scaled to n = {n:,} training points (the published: 10,000), the same seed"


def _target(payload: dict[str, Any]) -> str:
    if payload["n"] != 10_000:
        return ""
    seconds = payload["results"]["this"]["wall_seconds"]
    verdict = "met" if seconds < 300 else "**not met**"
    return f"\nTarget of issue 24: the whole command under 5 minutes on 2 cores. Here {seconds:,.0f} s: {verdict}.\n"


def _load(payload: dict[str, Any]) -> str:
    load = payload.get("load_average_during_run")
    return f" Load average during the run: {load}, so the times are longer than on an idle machine." if load else ""


def _reproduce(payload: dict[str, Any]) -> str:
    n = "" if payload["n"] == 10_000 else f" --n {payload['n']}"
    if not payload.get("baseline"):
        return f"`.venv/bin/python benchmarks/disentanglement_speed.py{n}` (this tree only)"
    return (f"`git worktree add /tmp/base {payload['baseline']}` (or `git archive`), then `.venv/bin/python "
            f"benchmarks/disentanglement_speed.py{n} --baseline-src /tmp/base/src --baseline-name {payload['baseline']}`")


if __name__ == "__main__":
    main()
