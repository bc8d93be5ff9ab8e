"""Translation quality against the truth the procedural faces know: the targets of issue 19.

For each seed, five runs on 32x32 faces, each for a fixed number of steps (the same for every
seed; wall time recorded):

- ``labels2face``: pix2pix on ``faces-parts`` (label map -> face), scored by the FCN-score (a
  segmenter trained on real faces, applied to the generated ones, as a share of its score on the
  real faces), PSNR/SSIM against the true faces and the Frechet distance in features of faces;
- ``labels2face_l1``: the same U-Net with the L1 term alone (``--lambda-gan 0``, the paper's ablation);
- ``face2labels``: pix2pix the other way (``--direction BtoA``), scored by the mean IoU of the
  translated label maps against the true ones;
- ``glasses``: CycleGAN on ``faces:glasses=0`` against ``faces:glasses=1`` (no pairs), scored by
  the domain classifier, attribute preservation and PSNR against each face's exact counterfactual;
- ``glasses_pairs``: pix2pix on the true pairs (``faces-flip:flip=glasses,0,1``), which CycleGAN
  never sees: the ceiling of the gap closure, translating the very test faces CycleGAN translates.

Every score comes from ``genlab evaluate RUN --translation`` (``translation_run``), except
the pix2pix-on-true-pairs PSNR on CycleGAN's test faces, computed here with the same function
(``paired_scores``). Mean and standard deviation (n - 1) over the seeds.

    python benchmarks/translation.py                 # 3 seeds; about 75 minutes on 2 cores
    python benchmarks/translation.py --quick         # a smoke test: 1 seed, a few steps

Writes benchmarks/results/translation.json and its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, WORK, machine, markdown_table, write_docs_section, write_results

SIZE = 32
FACES = "n=2000;test=240"  # 2,000 training faces (less the 10% validation share); a balanced test of 240
RUNS: dict[str, dict[str, Any]] = {
    "labels2face": {"model": "pix2pix", "data": f"faces-parts:{FACES}", "options": {"ngf": 16, "ndf": 32}, "steps": 4000},
    "labels2face_l1": {"model": "pix2pix", "data": f"faces-parts:{FACES}",
                       "options": {"ngf": 16, "ndf": 32, "lambda_gan": 0.0}, "steps": 4000},
    "face2labels": {"model": "pix2pix", "data": f"faces-parts:{FACES}",
                    "options": {"ngf": 16, "ndf": 32, "direction": "BtoA"}, "steps": 4000},
    "glasses": {"model": "cyclegan", "data": f"faces:glasses=0;{FACES}", "data_b": f"faces:glasses=1;{FACES}",
                "options": {"ngf": 16, "ndf": 32, "blocks": 3}, "steps": 3000},
    "glasses_pairs": {"model": "pix2pix", "data": f"faces-flip:flip=glasses,0,1;{FACES}",
                      "options": {"ngf": 16, "ndf": 32}, "steps": 4000},
}  # fmt: skip
BATCH = 8


def train(name: str, seed: int, steps: int, out: Path) -> dict[str, Any]:
    from genlab.data.splits import DataSpec
    from genlab.train.config import TrainConfig
    from genlab.workflows import train_run

    case = RUNS[name]
    spec = DataSpec(case["data"], resize=SIZE, seed=seed, name_b=case.get("data_b"))
    config = TrainConfig(batch_size=BATCH, max_steps=steps, seed=seed, epochs=10_000, log_every=100)
    start = time.perf_counter()
    train_run(case["model"], spec, config, str(out), case["options"], overwrite=True)
    return {"train_seconds": round(time.perf_counter() - start, 1), "steps": steps}


def pairs_on_cyclegan_faces(pairs_run: Path, cyclegan_run: Path) -> dict[str, Any]:
    """pix2pix-on-true-pairs scored on the test faces CycleGAN translated, against their counterfactuals."""
    from genlab.data.faces import FACTOR_NAMES, FaceFactors
    from genlab.data.splits import load_splits
    from genlab.evaluate.translation import paired_scores
    from genlab.run import Run

    data = load_splits(Run(cyclegan_run).load_config().data).test
    model = Run(pairs_run).load_model(torch.device("cpu"))
    factors = data.factors.numpy().copy()
    factors[:, FACTOR_NAMES.index("glasses")] = 1
    truth = FaceFactors(size=SIZE).render(factors)
    with torch.no_grad():
        out = torch.cat([model.translate(chunk, None) for chunk in data.x.split(64)])
    return paired_scores(out, truth)


def pictures(work: Path, quick: bool) -> list[Path]:
    """Eight test examples of each seed-0 run, input above output above truth, into docs/images/."""
    from genlab.data.faces import FACTOR_NAMES, FaceFactors
    from genlab.data.splits import load_splits
    from genlab.run import Run
    from genlab.viz.grid import interleave_rows, save_grid

    written = []
    for name in ("labels2face", "labels2face_l1", "face2labels", "glasses"):
        run = Run(work / name)
        config = run.load_config()
        test = load_splits(config.data).test.subset(slice(0, 8))
        model = run.load_model(torch.device("cpu"))
        if name == "glasses":
            factors = test.factors.numpy().copy()
            factors[:, FACTOR_NAMES.index("glasses")] = 1
            source, truth = test.x, FaceFactors(size=SIZE).render(factors)
        elif name == "face2labels":
            source, truth = test.extras["target"], test.x
        else:
            source, truth = test.x, test.extras["target"]
        with torch.no_grad():
            output = model.translate(source, "AtoB" if name == "glasses" else None)
        suffix = ".quick" if quick else ""
        written.append(save_grid(interleave_rows([source, output, truth], ncol=8),
                                 ROOT / "docs" / "images" / f"translation_{name}{suffix}.png", ncol=8, scale=3))  # fmt: skip
    return written


def headline(scores: dict[str, dict[str, Any]]) -> dict[str, float]:
    """The numbers the targets are about, from one seed's evaluations."""
    l2f, l1, f2l, cg = scores["labels2face"], scores["labels2face_l1"], scores["face2labels"], scores["glasses"]
    nothing = cg["doing_nothing_against_counterfactual"]["psnr"]
    pairs = scores["glasses_pairs_on_cyclegan_faces"]["psnr"]
    preserved = [v["share"] for v in cg["attribute_preservation"].values()]
    return {
        "labels2face_fcn_pixel_share": l2f["fcn_share_of_real"]["pixel_accuracy"],
        "labels2face_fcn_miou_share": l2f["fcn_share_of_real"]["mean_iou"],
        "labels2face_fcn_miou": l2f["fcn_score"]["mean_iou"],
        "labels2face_fcn_miou_real": l2f["fcn_score_real"]["mean_iou"],
        "labels2face_psnr": l2f["translation"]["psnr"],
        "labels2face_ssim": l2f["translation"]["ssim"],
        "labels2face_fd": l2f["fd"]["fd"],
        "l1_only_psnr": l1["translation"]["psnr"],
        "l1_only_ssim": l1["translation"]["ssim"],
        "l1_only_fd": l1["fd"]["fd"],
        "identity_psnr": l2f["doing_nothing"]["psnr"],
        "identity_ssim": l2f["doing_nothing"]["ssim"],
        "face2labels_miou": f2l["face_to_labels"]["mean_iou"],
        "face2labels_pixel_accuracy": f2l["face_to_labels"]["pixel_accuracy"],
        "cyclegan_called_b": cg["domain_classifier"]["translations_called_b"],
        "cyclegan_called_a": cg["domain_classifier"]["translations_called_a"],
        "cyclegan_min_preservation_share": min(preserved),
        "cyclegan_psnr": cg["against_counterfactual"]["psnr"],
        "identity_counterfactual_psnr": nothing,
        "pairs_psnr": pairs,
        "cyclegan_gap_closed": (cg["against_counterfactual"]["psnr"] - nothing) / (pairs - nothing),
    }


TARGETS = {  # (key, at least)
    "labels2face_fcn_pixel_share": 0.90,
    "labels2face_fcn_miou_share": 0.90,
    "face2labels_miou": 0.85,
    "cyclegan_called_b": 0.90,
    "cyclegan_called_a": 0.90,
    "cyclegan_min_preservation_share": 0.95,
    "cyclegan_gap_closed": 0.70,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke test: one seed, 20 steps a run")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, help="steps of every run (default: each run's own, see RUNS)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    seeds = range(1 if args.quick else args.seeds)
    work = WORK / ("translation.quick" if args.quick else "translation")
    per_seed: list[dict[str, Any]] = []
    for seed in seeds:
        from genlab.evaluate.run_translation import translation_run

        scores: dict[str, Any] = {}
        costs: dict[str, Any] = {}
        for name in RUNS:
            steps = 20 if args.quick else args.steps or RUNS[name]["steps"]
            out = work / f"seed{seed}" / name
            costs[name] = train(name, seed, steps, out)
            start = time.perf_counter()
            scores[name] = translation_run(str(out), seed=0, device="cpu")  # the same instruments for every run
            costs[name]["evaluate_seconds"] = round(time.perf_counter() - start, 1)
            print(f"seed {seed} {name}: {json.dumps(costs[name])}", file=sys.stderr, flush=True)
        scores["glasses_pairs_on_cyclegan_faces"] = pairs_on_cyclegan_faces(work / f"seed{seed}" / "glasses_pairs",
                                                                            work / f"seed{seed}" / "glasses")  # fmt: skip
        if seed == 0:
            pictures(work / "seed0", args.quick)
        per_seed.append({"seed": seed, "headline": headline(scores), "costs": costs, "scores": scores})
        print(f"seed {seed}: {json.dumps(per_seed[-1]['headline'])}", file=sys.stderr, flush=True)
        finish(per_seed, args)  # after every seed, so that a stopped benchmark keeps what it measured


def finish(per_seed: list[dict[str, Any]], args: argparse.Namespace) -> None:
    keys = per_seed[0]["headline"].keys()
    summary = {k: _mean_std([s["headline"][k] for s in per_seed]) for k in keys}
    payload = {
        "benchmark": "translation", "quick": args.quick, "size": SIZE, "batch_size": BATCH, "faces": FACES,
        "runs": {name: {k: v for k, v in case.items()} | ({"steps": args.steps} if args.steps else {}) for name, case in RUNS.items()},
        "seeds": len(per_seed), "machine": machine(), "summary": summary,
        "targets": {k: {"at_least": v, "mean": summary[k]["mean"], "met": summary[k]["mean"] >= v} for k, v in TARGETS.items()},
        "per_seed": per_seed,
    }  # fmt: skip
    print(f"wrote {write_results('translation.quick' if args.quick else 'translation', payload)}", file=sys.stderr)
    if not args.quick:
        write_docs_section("translation", docs_section(payload))


def _mean_std(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.fmean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0, "n": len(values)}


def docs_section(payload: dict[str, Any]) -> str:
    s, m = payload["summary"], payload["machine"]
    pm = lambda key, digits=3: f"{s[key]['mean']:.{digits}f} ± {s[key]['std']:.{digits}f}"
    costs = payload["per_seed"][0]["costs"]
    runs = markdown_table(
        ["run", "model", "data", "options", "steps", "train s (seed 0; wall time, shared machine)", "evaluate s (seed 0)"],
        [[name, case["model"], f"`{case['data']}`" + (f" / `{case['data_b']}`" if "data_b" in case else ""),
          ", ".join(f"{k}={v}" for k, v in case["options"].items()), case["steps"], costs[name]["train_seconds"],
          costs[name]["evaluate_seconds"]] for name, case in payload["runs"].items()],
    )  # fmt: skip
    quality = markdown_table(
        ["labels -> face", "PSNR dB", "SSIM", "FD (face features)"],
        [["pix2pix (L1 + GAN)", pm("labels2face_psnr", 2), pm("labels2face_ssim"), pm("labels2face_fd", 2)],
         ["L1-only U-Net", pm("l1_only_psnr", 2), pm("l1_only_ssim"), pm("l1_only_fd", 2)],
         ["identity (the label map itself)", pm("identity_psnr", 2), pm("identity_ssim"), ""]],
    )  # fmt: skip
    names = {
        "labels2face_fcn_pixel_share": "labels -> face: FCN pixel accuracy, share of real faces'",
        "labels2face_fcn_miou_share": "labels -> face: FCN mean IoU, share of real faces'",
        "face2labels_miou": "face -> labels: mean IoU",
        "cyclegan_called_b": "CycleGAN: translations A->B called B by the domain classifier",
        "cyclegan_called_a": "CycleGAN: translations B->A called A",
        "cyclegan_min_preservation_share": "CycleGAN: worst preserved attribute, share of its reading on real inputs",
        "cyclegan_gap_closed": "CycleGAN: share of the PSNR gap from identity to pix2pix-on-true-pairs closed",
    }
    targets = markdown_table(
        ["target", "at least", f"mean ± std over {payload['seeds']} seeds", "met"],
        [[names[k], t["at_least"], pm(k), "yes" if t["met"] else "**no**"] for k, t in payload["targets"].items()],
    )
    return f"""## Translation quality against the truth (`benchmarks/translation.py`)

Five runs per seed on {payload['size']}x{payload['size']} procedural faces (`{payload['faces']}`), batch
{payload['batch_size']}, each a fixed number of steps; scores from `genlab evaluate RUN --translation` on the
balanced test faces. Mean ± standard deviation (n - 1) over {payload['seeds']} seeds (0 to
{payload['seeds'] - 1}: initialization, data order and the draw of the validation split).

Measured on {m['cpu']}, {m['cores']} cores (shared with other work), torch {m['torch']}, {m['date']}.

{runs}

{targets}

{quality}

Counterfactual PSNR of the glasses runs (dB): identity {pm('identity_counterfactual_psnr', 2)}, CycleGAN
{pm('cyclegan_psnr', 2)}, pix2pix on the true pairs {pm('pairs_psnr', 2)}. FCN mean IoU: generated faces
{pm('labels2face_fcn_miou')}, real faces {pm('labels2face_fcn_miou_real')}.

Reproduce: `.venv/bin/python benchmarks/translation.py` (per-seed scores in
`benchmarks/results/translation.json`).
"""


if __name__ == "__main__":
    main()
