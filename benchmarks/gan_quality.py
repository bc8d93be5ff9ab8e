"""Sample quality on Fashion-MNIST: the real floor, the demo VAE and any GAN runs, on one table.

All sets are scored against the same real examples (the 10,000 test images) in the features of
the same classifier, trained once on the 60,000 training images and cached by data hash:

- "real: training set" compares 10,000 training images with the test set: the floor, what a
  perfect generator would score with this many examples;
- "vae (make demo)": 10,000 samples of the conv VAE that `make demo` trains (trained here, or
  reused from benchmarks/.work/gan_quality/vae-demo when it was trained with exactly that config);
- "dcgan (N min)": with --dcgan-minutes N, a DCGAN trained here for at most N minutes of wall-clock
  time (`genlab train dcgan --data fashion-mnist --lr 2e-4 --batch-size 64 --max-time N*60`), the
  issue's budget being 15 minutes on 2 CPU cores;
- every run folder given on the command line (e.g. a DCGAN), 10,000 samples each.

Reported: FD, KID (x 1e3, mean ± std over 100 subsets of 1,000), precision and recall (k = 3),
FD as a multiple of the floor, and the seconds each part took.

    python benchmarks/gan_quality.py --dcgan-minutes 12  # full: the VAE (~3 min) and a 12-minute DCGAN
    python benchmarks/gan_quality.py [RUN ...]           # score GAN runs trained elsewhere
    python benchmarks/gan_quality.py --quick [RUN ...]   # smoke test: small data, 1 epoch

Writes benchmarks/results/gan_quality.json and its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, machine, markdown_table, write_docs_section, write_results

# exactly `make demo`: genlab train vae --data fashion-mnist --net conv --hidden 256 --latent-dim 16 --binarize --epochs 10
DEMO_MODEL = {"net": "conv", "hidden": (256,), "latent_dim": 16}
DEMO_EPOCHS = 10
log = logging.getLogger("gan_quality")


def demo_vae(work: Path, quick: bool) -> tuple[Path, dict[str, Any]]:
    """The `make demo` VAE: reused when a finished run with the same config exists, else trained."""
    from genlab.api import make_run_config, train_run
    from genlab.data import Dataset, DataSpec
    from genlab.run import Run
    from genlab.train import TrainConfig

    data = DataSpec("fashion-mnist", binarize=True, limit=2000 if quick else None)
    train = TrainConfig(epochs=1 if quick else DEMO_EPOCHS)
    out = work / ("vae-quick" if quick else "vae-demo")
    # through JSON, as config.json holds it (tuples become lists)
    example = Dataset(torch.zeros(1, 1, 28, 28))  # the shape of Fashion-MNIST's images is all the config takes from it
    wanted = json.loads(json.dumps(make_run_config("vae", data, train, dict(DEMO_MODEL), example).to_dict()))
    run = Run(out)
    summary = run.read_json(run.summary_path) if run.config_path.is_file() else None
    if summary and run.weights_path.is_file():
        found = json.loads(run.config_path.read_text())
        if {k: v for k, v in found.items() if k != "genlab_version"} == {k: v for k, v in wanted.items() if k != "genlab_version"}:
            log.info("reusing the trained demo VAE in %s", out)
            return out, {"reused": True, "train_seconds": summary.get("wall_seconds") or summary.get("seconds")}
    start = time.perf_counter()
    train_run("vae", data, train, str(out), dict(DEMO_MODEL), overwrite=True)
    return out, {"reused": False, "train_seconds": round(time.perf_counter() - start, 1)}


def budget_dcgan(work: Path, minutes: float, quick: bool) -> tuple[Path, dict[str, Any]]:
    """A DCGAN trained here on Fashion-MNIST for at most ``minutes`` of wall-clock time."""
    from genlab.api import train_run
    from genlab.data import DataSpec
    from genlab.run import Run
    from genlab.train import TrainConfig

    out = work / ("dcgan-quick" if quick else "dcgan")
    data = DataSpec("fashion-mnist", limit=2000 if quick else None)
    train = TrainConfig(epochs=1 if quick else 100, batch_size=64, lr=2e-4, max_time=minutes * 60, snapshot_every=5)
    start = time.perf_counter()
    train_run("dcgan", data, train, str(out), {}, overwrite=True)
    summary = Run(out).read_json(Run(out).summary_path)
    return out, {"minutes": minutes, "train_seconds": round(time.perf_counter() - start, 1), "steps": summary["steps"],
                 "epochs_completed": summary["epochs_completed"], "stopped_by_max_time": summary["stopped_by_max_time"]}  # fmt: skip


def inception_seconds_per_image(n: int = 32) -> float:
    """Speed of Inception-v3 features here (random weights: the speed does not depend on them)."""
    from genlab.evaluate.inception import InceptionV3Features

    model = InceptionV3Features().eval()
    x = torch.rand(n, 1, 28, 28)
    with torch.no_grad():
        model(x[:2])
        start = time.perf_counter()
        model(x)
    return (time.perf_counter() - start) / n


def row(name: str, result: dict[str, Any], floor_fd: float | None) -> dict[str, Any]:
    keep = ("fd", "kid", "kid_std", "kid_subset_size", "precision", "recall", "k", "n_real", "n_generated", "feature_extractor", "seconds")
    entry = {"name": name, **{key: result[key] for key in keep}}
    entry["fd_over_floor"] = result["fd"] / floor_fd if floor_fd else 1.0
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="*", type=Path, help="more run folders to score (e.g. GANs)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1,000 examples, small classifier, 1-epoch VAE")
    parser.add_argument("--n", type=int, default=10_000, help="real and generated examples per set")
    parser.add_argument("--dcgan-minutes", type=float, default=None, help="also train a DCGAN here for at most this many minutes")
    parser.add_argument("--docs-only", action="store_true", help="rewrite the docs section from the saved results")
    args = parser.parse_args()
    if args.docs_only:
        from _common import RESULTS

        write_docs_section("gan_quality", docs_section(json.loads((RESULTS / "gan_quality.json").read_text())))
        return
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)

    from genlab.data import DataSpec, load_splits
    from genlab.evaluate.features import FeatureTraining, feature_extractor
    from genlab.evaluate.quality import sample_quality
    from genlab.evaluate.run_quality import quality_run, real_subset

    n = 1000 if args.quick else args.n
    work = WORK / "gan_quality"
    kid = {"kid_subsets": 20 if args.quick else 100, "kid_subset_size": 1000}

    pool = load_splits(DataSpec("fashion-mnist", val_fraction=0.0))
    training = FeatureTraining(epochs=1, max_examples=5000) if args.quick else FeatureTraining()
    extractor = feature_extractor(pool.train, pool.test, "classifier", "fashion-mnist", training, cache=work / "cache")
    info = {k: v for k, v in extractor.info.items() if k not in ("path", "data_hash")}
    log.info("features: %s (test accuracy %s)", extractor.name, info.get("test_accuracy"))

    real = real_subset(pool.test, n).x  # the same real examples quality_run takes (seed 0)
    floor = sample_quality(real, real_subset(pool.train, n, seed=1).x, extractor, **kid)
    rows = [row("real: training set (floor)", floor, None)]

    vae_path, vae_info = demo_vae(work, args.quick)
    common = {"n_generated": n, "n_real": n, **kid, "extractor": extractor, "save": False}
    rows.append(row("vae (make demo)", quality_run(str(vae_path), **common), floor["fd"]) | {"train": vae_info})
    if args.dcgan_minutes:
        gan_path, gan_info = budget_dcgan(work, args.dcgan_minutes, args.quick)
        result = quality_run(str(gan_path), **common)
        rows.append(row(f"dcgan ({args.dcgan_minutes:g} min)", result, floor["fd"]) | {"train": gan_info})
    for path in args.runs:
        from genlab.run import Run

        config = Run(path).load_config()
        result = quality_run(str(path), **common)
        rows.append(row(f"{config.model}: {path.name}", result, floor["fd"]))
        log.info("%s: fd %.3f", path, result["fd"])

    payload = {"benchmark": "gan_quality", "quick": args.quick, "machine": machine(), "features": info, "n": n, "rows": rows,
               "inception_seconds_per_image": round(inception_seconds_per_image(4 if args.quick else 32), 4)}  # fmt: skip
    name = "gan_quality.quick" if args.quick else "gan_quality"
    print(f"wrote {write_results(name, payload)}", file=sys.stderr)
    if not args.quick:
        write_docs_section("gan_quality", docs_section(payload))


def docs_section(payload: dict[str, Any]) -> str:
    m, f = payload["machine"], payload["features"]
    header = ["samples", "FD", "FD / floor", "KID", "precision", "recall", "n real / generated", "seconds: features, FD, KID, P&R"]
    lines = []
    for r in payload["rows"]:
        s = r["seconds"]
        lines.append([
            r["name"], f"{r['fd']:.3f}", f"{r['fd_over_floor']:.1f}x", f"{r['kid']:.3g} ± {r['kid_std']:.2g}",
            f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['n_real']:,} / {r['n_generated']:,}",
            f"{s['features']:.1f}, {s['fd']:.2f}, {s['kid']:.1f}, {s['precision_recall']:.1f}",
        ])  # fmt: skip
    vae = next(r for r in payload["rows"] if r["name"].startswith("vae"))
    seconds = vae["train"].get("train_seconds")
    trained = "trained in this run" if not vae["train"]["reused"] else "trained earlier by this script, same config"
    trained += f" in {seconds:.0f} s" if seconds else ""
    gan = next((r for r in payload["rows"] if "minutes" in r.get("train", {})), None)
    gan_note = ""
    if gan:
        t = gan["train"]
        gan_note = (
            f"The `{gan['name']}` row: `genlab train dcgan --data fashion-mnist --lr 2e-4 --batch-size 64 "
            f"--max-time {t['minutes'] * 60:g}`, trained in this run: {t['steps']:,} steps ({t['epochs_completed']} "
            f"full epochs) in {t['train_seconds']:.0f} s, stopped by the time budget: {t['stopped_by_max_time']}.\n"
        )
    return f"""
## Sample quality on Fashion-MNIST (`benchmarks/gan_quality.py`)

Every set is compared with the same {payload['n']:,} real test images, in the 128-d penultimate-layer
features of a small conv classifier that genlab trains on the 60,000 training images ({f['epochs']} epochs,
{f.get('train_seconds', '?')} s, test accuracy {f.get('test_accuracy', '?')}; cached by data hash, so later
evaluations skip the training). The floor is {payload['n']:,} *training* images scored the same way: what a
perfect generator gets with this many examples. The VAE is the `make demo` conv VAE ({trained}: 10 epochs on
binarized data), scored on its decoder means. KID: mean ± std over 100 subsets of 1,000 (unbiased, so it can be
negative near 0; the features are unnormalized ReLU activations, hence its scale); precision and recall with
k = 3. These numbers are not FID: they use this classifier's features and compare only within this table (and
with other runs scored with the same cached classifier). Seconds: feature extraction of both sets, then each
metric. For scale, Inception-v3 features (standard FID, `--inception`) take
{payload.get('inception_seconds_per_image', float('nan')):.2f} s per image here.

Measured on {m['cpu']}, {m['cores']} cores, torch {m['torch']}, Python {m['python']}, {m['date']}.

{markdown_table(header, lines)}

{gan_note}
Reproduce: `python benchmarks/gan_quality.py --dcgan-minutes 12` (about 20 minutes on 2 cores: the VAE, the
classifier and the DCGAN are trained once each); `python benchmarks/gan_quality.py GAN_RUN ...` scores other runs.
"""


if __name__ == "__main__":
    main()
