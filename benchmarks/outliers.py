"""Outlier detection: genlab's generative detectors against PyOD, side by side in one run.

Tabular suite: the data sets scikit-learn ships, arranged the way ODDS arranges benchmarks (one
class, down-sampled, plays the outliers), fitted and scored unsupervised on the whole
contaminated set, as ODDS results are reported:

    breast-cancer   benign (357) + malignant down-sampled to 10% of the total (39), 30 features
    wine            classes 1 and 2 (119) + 10 of class 0 (ODDS "wine"), 13 features
    digits          the 8x8 digits 1-9 (1,619) + 50 zeros (3%, as ODDS "optdigits" does), 64 features
    iris            versicolor and virginica (100) + 10 setosa, 4 features

The down-sampling and every detector's random_state change with the seed; AUROC, AUPRC and
fit+score seconds (fit on X, then decision_function(X)) are averaged over seeds.

One-class Fashion-MNIST: for each class c, fit on training images of class c only, score a
fixed stratified subset of the test set (the other nine classes are the outliers). Time-boxed:
--fmnist-train images of the class (default 2,000), --fmnist-test test images (default 2,000,
200 per class), --fmnist-epochs epochs (default 10); one seed.

Detectors: genlab's VAE with each score (recon, elbo, iwae, ratio; complexity on images; on
images one fitted VAE gives every score but ratio, which fits its own) and its AE (recon); PyOD's
IForest, KNN, LOF, ECOD, AutoEncoder and VAE with their defaults (contamination 0.1). Torch models
all run on one CPU thread on tables (genlab does that itself; PyOD is given the same setting, which
made it faster here), on the default threads on images.

    python benchmarks/outliers.py                 # full run (under the CPU lock on shared machines)
    python benchmarks/outliers.py --quick         # smoke test: one seed, tiny Fashion-MNIST part
    python benchmarks/outliers.py --part tabular  # only the tabular suite

Writes benchmarks/results/outliers.json and the section in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine, markdown_table, write_docs_section, write_results

from genlab.evaluate.detection import auprc, auroc

GENLAB_SCORES = ("recon", "elbo", "iwae", "ratio")
PYOD_DETECTORS = ("IForest", "KNN", "LOF", "ECOD", "AutoEncoder", "VAE")


# --- data -------------------------------------------------------------------------------------


def _downsample(x_in: np.ndarray, x_out: np.ndarray, n_out: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(x_out), size=min(n_out, len(x_out)), replace=False)
    x = np.vstack([x_in, x_out[np.sort(pick)]]).astype(np.float64)
    y = np.r_[np.zeros(len(x_in)), np.ones(len(pick))].astype(np.int64)
    return x, y


def tabular_sets(seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """name -> (X, y) with y = 1 for outliers."""
    from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine

    sets = {}
    bc = load_breast_cancer()  # target 0 = malignant
    benign, malignant = bc.data[bc.target == 1], bc.data[bc.target == 0]
    sets["breast-cancer"] = _downsample(benign, malignant, round(len(benign) / 9), seed)
    wine = load_wine()
    sets["wine"] = _downsample(wine.data[wine.target != 0], wine.data[wine.target == 0], 10, seed)
    digits = load_digits()
    sets["digits"] = _downsample(digits.data[digits.target != 0], digits.data[digits.target == 0], 50, seed)
    iris = load_iris()
    sets["iris"] = _downsample(iris.data[iris.target != 0], iris.data[iris.target == 0], 10, seed)
    return sets


def faces_vs_nonfaces(n_train: int, n_test: int) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """Faces vs non-faces from the procedural ``faces-detection`` data set (classes "non-face" and
    "face"): fit on faces only, score faces and non-faces of its test
    split, non-faces being the outliers. Returns no case where that data set is not registered."""
    from genlab.data.registry import USER_PREFIXES, get_source

    if "faces-detection" not in USER_PREFIXES:
        return []
    balanced_test = max(12, (n_test // 2) // 12 * 12)  # the test faces are balanced over 12 skin x glasses groups
    train, test = get_source(f"faces-detection:n={n_train},test={balanced_test}").load()
    test = test if test is not None else train
    classes = train.classes or ()
    negative = [i for i, name in enumerate(classes) if "non" in name.lower()]
    if train.y is None or test.y is None or not negative:
        print("faces-detection: no labeled non-face class found; skipping faces vs non-faces", file=sys.stderr)
        return []
    is_face = ~np.isin(train.y.numpy(), negative)
    x_train = (train.x.numpy()[is_face] * 255).round().astype(np.uint8)
    y = np.isin(test.y.numpy(), negative).astype(np.int64)
    x_test = (test.x.numpy() * 255).round().astype(np.uint8)
    return [("faces vs non-faces", x_train, x_test, y)]


def fmnist_one_class(cls: int, n_train: int, n_test: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training images of class ``cls`` (uint8, N x 28 x 28), a stratified test subset and its labels."""
    from genlab.data.fashion_mnist import _load_split, data_dir

    train_x, train_y = _load_split(data_dir(), "train")
    test_x, test_y = _load_split(data_dir(), "test")
    x_train = train_x[train_y == cls][:n_train]
    per_class = n_test // 10
    pick = np.concatenate([np.flatnonzero(test_y == c)[:per_class] for c in range(10)])
    return x_train, test_x[pick], (test_y[pick] != cls).astype(np.int64)


# --- detectors --------------------------------------------------------------------------------


def genlab_detector(name: str, seed: int, images: bool, epochs: int | None) -> Any:
    from genlab.detect import AEOD, VAEOD

    if name == "AE recon":
        return AEOD(random_state=seed, epochs=epochs, device="cpu")
    return VAEOD(outlier_score=name.removeprefix("VAE "), random_state=seed, epochs=epochs, device="cpu")


def pyod_detector(name: str, seed: int) -> Any:
    from pyod.models.auto_encoder import AutoEncoder
    from pyod.models.ecod import ECOD
    from pyod.models.iforest import IForest
    from pyod.models.knn import KNN
    from pyod.models.lof import LOF
    from pyod.models.vae import VAE

    makers: dict[str, Callable[[], Any]] = {
        "IForest": lambda: IForest(random_state=seed),
        "KNN": lambda: KNN(),
        "LOF": lambda: LOF(),
        "ECOD": lambda: ECOD(),
        "AutoEncoder": lambda: AutoEncoder(random_state=seed, verbose=0, device="cpu"),
        "VAE": lambda: VAE(random_state=seed, verbose=0, device="cpu"),
    }
    return makers[name]()


def genlab_names(images: bool) -> list[str]:
    names = [f"VAE {s}" for s in GENLAB_SCORES] + (["VAE complexity"] if images else []) + ["AE recon"]
    return [f"genlab {n}" for n in names]


def run_case(make: Callable[[], Any], x_fit: np.ndarray, x_score: np.ndarray, y: np.ndarray, threads: int | None) -> dict[str, float]:
    previous = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        detector = make()
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            detector.fit(x_fit)
            scores = detector.decision_function(x_score)
        seconds = time.perf_counter() - start
    finally:
        torch.set_num_threads(previous)
    return {"auroc": auroc(y, scores), "auprc": auprc(y, scores), "seconds": seconds}


def detectors(images: bool, epochs: int | None) -> dict[str, Callable[[int], Any]]:
    out: dict[str, Callable[[int], Any]] = {}
    for name in genlab_names(images):
        out[name] = lambda seed, n=name: genlab_detector(n.removeprefix("genlab "), seed, images, epochs)
    for name in PYOD_DETECTORS:
        out[f"PyOD {name}"] = lambda seed, n=name: pyod_detector(n, seed)
    return out


# --- suites -----------------------------------------------------------------------------------


def tabular_suite(seeds: int) -> list[dict[str, Any]]:
    rows = []
    for seed in range(seeds):
        for data_name, (x, y) in tabular_sets(seed).items():
            for det_name, make in detectors(images=False, epochs=None).items():
                result = run_case(functools.partial(make, seed), x, x, y, threads=1)
                rows.append({"suite": "tabular", "data": data_name, "detector": det_name, "seed": seed,
                             "n": len(x), "d": x.shape[1], "outliers": int(y.sum()), **result})  # fmt: skip
                print(f"{data_name:14s} seed {seed} {det_name:22s} auroc {result['auroc']:.3f} "
                      f"auprc {result['auprc']:.3f} {result['seconds']:.2f}s", file=sys.stderr, flush=True)  # fmt: skip
    return rows


def image_suite(suite: str, cases: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]], epochs: int,
                pyod: bool, reuse: list[dict[str, Any]] = ()) -> list[dict[str, Any]]:  # fmt: skip
    """Novelty detection on images: each case is (name, uint8 training images, test images, test labels).

    PyOD rows in ``reuse`` (from an earlier run on the same images) are kept instead of rerun.
    """
    rows = []
    for case, x_train, x_test, y in cases:
        flat_train, flat_test = x_train.reshape(len(x_train), -1) / 255.0, x_test.reshape(len(x_test), -1) / 255.0
        for det_name, result in vae_all_scores(x_train, x_test, y, epochs).items():
            rows.append({"suite": suite, "data": case, "detector": det_name, "seed": 0,
                         "n": len(x_test), "n_train": len(x_train), "outliers": int(y.sum()), **result})  # fmt: skip
            print(f"{suite} {case} {det_name:22s} auroc {result['auroc']:.3f} {result['seconds']:.1f}s",
                  file=sys.stderr, flush=True)  # fmt: skip
        for det_name, make in detectors(images=True, epochs=epochs).items():
            if det_name.startswith("genlab VAE") or (det_name.startswith("PyOD") and not pyod):
                continue
            earlier = [r for r in reuse if r["suite"] == suite and r["data"] == case and r["detector"] == det_name]
            if earlier and det_name.startswith("PyOD"):
                rows.append(earlier[0])
                continue
            fit, score = (x_train, x_test) if det_name.startswith("genlab") else (flat_train, flat_test)
            result = run_case(functools.partial(make, 0), fit, score, y, threads=None)
            rows.append({"suite": suite, "data": case, "detector": det_name, "seed": 0,
                         "n": len(x_test), "n_train": len(x_train), "outliers": int(y.sum()), **result})  # fmt: skip
            print(f"{suite} {case} {det_name:22s} auroc {result['auroc']:.3f} {result['seconds']:.1f}s",
                  file=sys.stderr, flush=True)  # fmt: skip
    return rows


def vae_all_scores(x_train: np.ndarray, x_test: np.ndarray, y: np.ndarray, epochs: int) -> dict[str, dict[str, float]]:
    """One VAE fitted once and scored recon, elbo, iwae and complexity; a second detector for ratio,
    which also trains the background model. Seconds are what a user of that score pays: the fit of
    its detector plus the score's own time."""
    from genlab.detect import VAEOD

    results = {}
    for fit_score, scores in (("elbo", ("recon", "elbo", "iwae", "complexity")), ("ratio", ("ratio",))):
        detector = VAEOD(outlier_score=fit_score, epochs=epochs, random_state=0, device="cpu")
        start = time.perf_counter()
        detector.fit(x_train)
        fit_seconds = time.perf_counter() - start
        for score in scores:
            detector.set_params(outlier_score=score)
            start = time.perf_counter()
            values = detector.decision_function(x_test)
            seconds = fit_seconds + time.perf_counter() - start
            results[f"genlab VAE {score}"] = {"auroc": auroc(y, values), "auprc": auprc(y, values), "seconds": seconds}
    return {f"genlab VAE {score}": results[f"genlab VAE {score}"] for score in (*GENLAB_SCORES, "complexity")}


def image_suites(quick: bool, n_train: int, n_test: int) -> dict[str, list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]]:
    """The image suites: one-class Fashion-MNIST, and faces vs non-faces when ``faces`` exists."""
    classes = [0, 1] if quick else list(range(10))
    suites = {"fashion-mnist": [(f"class {c}", *fmnist_one_class(c, n_train, n_test)) for c in classes]}
    faces = faces_vs_nonfaces(n_train, n_test)
    if faces:
        suites["faces"] = faces
    return suites


# --- summary ----------------------------------------------------------------------------------


def summarize(rows: list[dict[str, Any]], suite: str) -> dict[str, Any]:
    rows = [r for r in rows if r["suite"] == suite]
    names = list(dict.fromkeys(r["detector"] for r in rows))
    sets = list(dict.fromkeys(r["data"] for r in rows))
    per_set: dict[str, dict[str, dict[str, float]]] = {}
    for name in names:
        per_set[name] = {}
        for data in sets:
            cell = [r for r in rows if r["detector"] == name and r["data"] == data]
            if cell:
                per_set[name][data] = {m: float(np.mean([r[m] for r in cell])) for m in ("auroc", "auprc", "seconds")}
    averages = {
        name: {m: float(np.mean([v[m] for v in per_set[name].values()])) for m in ("auroc", "auprc", "seconds")}
        for name in names
    }
    return {"sets": sets, "detectors": names, "per_set": per_set, "average": averages}


def targets(tabular: dict[str, Any]) -> dict[str, Any]:
    avg = tabular["average"]
    genlab = {n: v for n, v in avg.items() if n.startswith("genlab")}
    pyod = {n: v for n, v in avg.items() if n.startswith("PyOD")}
    best_genlab = max(genlab, key=lambda n: genlab[n]["auroc"])
    best_pyod = max(pyod, key=lambda n: pyod[n]["auroc"])
    g = genlab[best_genlab]
    return {
        "best_genlab": best_genlab,
        "best_genlab_auroc": g["auroc"],
        "best_pyod": best_pyod,
        "best_pyod_auroc": pyod[best_pyod]["auroc"],
        "at_least_best_pyod": g["auroc"] >= pyod[best_pyod]["auroc"],
        "beats_pyod_autoencoder": g["auroc"] > pyod["PyOD AutoEncoder"]["auroc"],
        "beats_pyod_vae": g["auroc"] > pyod["PyOD VAE"]["auroc"],
        "seconds_vs_pyod_vae": g["seconds"] / pyod["PyOD VAE"]["seconds"],
        "time_met": g["seconds"] <= pyod["PyOD VAE"]["seconds"],
    }


def _table(summary: dict[str, Any], with_auprc: bool) -> str:
    sets = summary["sets"]
    header = ["detector", *sets, "average AUROC"] + (["average AUPRC"] if with_auprc else []) + ["fit+score s (avg)"]
    rows = []
    for name in summary["detectors"]:
        cells = summary["per_set"][name]
        avg = summary["average"][name]
        row = [name] + [f"{cells[s]['auroc']:.3f}" if s in cells else "-" for s in sets] + [f"**{avg['auroc']:.3f}**"]
        if with_auprc:
            row.append(f"{avg['auprc']:.3f}")
        rows.append(row + [f"{avg['seconds']:.2f}"])
    return markdown_table(header, rows)


def docs_section(payload: dict[str, Any]) -> str:
    m = payload["machine"]
    parts = ["## Outlier detection: genlab vs PyOD (`benchmarks/outliers.py`)", ""]
    parts.append(
        f"Measured on {m['cpu']}, {m['cores']} cores, torch {m['torch']}, PyOD {payload.get('pyod_version', '?')}, {m['date']}."
    )
    if "tabular" in payload:
        t = payload["tabular"]
        parts += ["", f"### Tabular suite (AUROC per data set, mean over {payload['seeds']} seeds)", "",
                  ("scikit-learn's data sets arranged the ODDS way (see the script's docstring); every detector is fitted "
                  "on the whole contaminated set and scores it. Per-set AUPRC and seconds are in "
                  "`benchmarks/results/outliers.json`."), "", _table(t, with_auprc=True)]  # fmt: skip
        g = payload["targets"]
        parts += ["", "| target | measured | met |", "|---|---|---|",
                  (f"| best genlab score >= best PyOD (average AUROC) | {g['best_genlab']} {g['best_genlab_auroc']:.3f} vs "
                  f"{g['best_pyod']} {g['best_pyod_auroc']:.3f} | {'yes' if g['at_least_best_pyod'] else 'no'} |"),
                  (f"| best genlab score > PyOD AutoEncoder and VAE | AE {t['average']['PyOD AutoEncoder']['auroc']:.3f}, "
                  f"VAE {t['average']['PyOD VAE']['auroc']:.3f} | "
                  f"{'yes' if g['beats_pyod_autoencoder'] and g['beats_pyod_vae'] else 'no'} |"),
                  (f"| fit+score time <= PyOD VAE | {g['seconds_vs_pyod_vae']:.2f}x PyOD VAE's time | "
                  f"{'yes' if g['time_met'] else 'no'} |")]  # fmt: skip
    if "fashion_mnist" in payload:
        f = payload["fashion_mnist"]
        cfg = payload["fmnist_config"]
        parts += ["", "### One-class Fashion-MNIST (AUROC per normal class)", "",
                  (f"Fit on {cfg['n_train']} training images of one class, {cfg['epochs']} epochs for genlab; score "
                  f"{cfg['n_test']} test images ({cfg['n_test'] // 10} per class; the other nine classes are outliers). "
                  "genlab's recon, elbo, iwae and complexity scores come from one fitted VAE, ratio from a second "
                  "detector that also trains the background model; seconds are the fit a user of that score runs "
                  "plus the score's own time. "
                  "PyOD detectors see the flattened pixels in [0, 1]; `--part fmnist` keeps their rows from the "
                  "last run on the same images (the full run reruns them). Published deep one-class results "
                  "(e.g. Deep SVDD, trained on all 6,000 images) average in the low 0.90s."), "",
                  _table(f, with_auprc=False)]  # fmt: skip
    if "faces" in payload:
        parts += ["", "### Faces vs non-faces (AUROC)", "", _table(payload["faces"], with_auprc=True)]
    parts += ["", "Reproduce: `python benchmarks/outliers.py` (needs the `bench` extra: `pip install -e '.[bench]'`)."]
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 seed, 2 Fashion-MNIST classes, small")
    parser.add_argument("--part", choices=("all", "tabular", "fmnist"), default="all")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--fmnist-train", type=int, default=2000)
    parser.add_argument("--fmnist-test", type=int, default=2000)
    parser.add_argument("--fmnist-epochs", type=int, default=10)
    parser.add_argument("--no-fmnist-pyod", action="store_true", help="skip PyOD on Fashion-MNIST")
    parser.add_argument("--rerun-pyod", action="store_true", help="with --part fmnist: rerun PyOD instead of reusing")
    args = parser.parse_args()
    import pyod

    seeds = 1 if args.quick else args.seeds
    name = "outliers.quick" if args.quick else "outliers"
    previous = RESULTS / f"{name}.json"
    payload: dict[str, Any] = json.loads(previous.read_text()) if previous.exists() and args.part != "all" else {}
    payload |= {"benchmark": "outliers", "quick": args.quick, "machine": machine(), "pyod_version": pyod.__version__}
    if args.part in ("all", "tabular"):
        rows = tabular_suite(seeds)
        payload |= {"seeds": seeds, "tabular_rows": rows, "tabular": summarize(rows, "tabular")}
        payload["targets"] = targets(payload["tabular"])
    if args.part in ("all", "fmnist"):
        n_train, n_test, epochs = (300, 500, 1) if args.quick else (args.fmnist_train, args.fmnist_test, args.fmnist_epochs)
        rows = []
        # --part fmnist keeps PyOD's rows of an earlier run on the same images (they do not depend
        # on genlab); --rerun-pyod runs them again.
        same = payload.get("fmnist_config") == {"n_train": n_train, "n_test": n_test, "epochs": epochs}
        reuse = payload.get("fmnist_rows", []) if args.part == "fmnist" and same and not args.rerun_pyod else []
        for suite, cases in image_suites(args.quick, n_train, n_test).items():
            rows += image_suite(suite, cases, epochs, pyod=not args.no_fmnist_pyod, reuse=reuse)
        payload |= {"fmnist_rows": rows, "fashion_mnist": summarize(rows, "fashion-mnist"),
                    "fmnist_config": {"n_train": n_train, "n_test": n_test, "epochs": epochs}}  # fmt: skip
        if any(r["suite"] == "faces" for r in rows):
            payload["faces"] = summarize(rows, "faces")
    print(f"wrote {write_results(name, payload)}", file=sys.stderr)
    if "targets" in payload:
        print(json.dumps(payload["targets"], indent=2), file=sys.stderr)
    if not args.quick:
        write_docs_section("outliers", docs_section(payload))


if __name__ == "__main__":
    main()
