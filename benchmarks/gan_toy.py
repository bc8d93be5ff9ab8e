"""Modes covered on the ring of 8 Gaussians: four GAN games, five seeds each, same budget.

Every run trains genlab's `gan` (MLP players 128-128-128, z of 16) on `toy2d` (8 Gaussians of std
0.05 on a circle of radius 2) for the same number of steps at batch 256, then `genlab evaluate`
draws 10,000 samples and counts the modes that received at least 40 samples within 3 std of
their center (VEEGAN's rule, 10 per 2,500 samples), the share of such high-quality samples, and
MMD^2 to the test points. Runs use one torch thread (tiny players; see docs/gans.md).

    python benchmarks/gan_toy.py            # the full study (20 runs)
    python benchmarks/gan_toy.py --quick    # a smoke test of the script

Writes benchmarks/results/gan_toy.json, its section of docs/benchmarks.md and, for seed 0 of each
game, the final frame as docs/images/gan_toy_LOSS.png.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, WORK, machine, markdown_table, write_docs_section, write_results  # noqa: E402

PLAYERS = {"latent_dim": 16, "hidden": (128, 128, 128)}
GAMES: dict[str, dict[str, Any]] = {
    "non-saturating": {"loss": "non-saturating"},
    "hinge": {"loss": "hinge"},
    "wgan-gp": {"loss": "wgan-gp", "beta1": 0.0, "beta2": 0.9},
    "saturating": {"loss": "saturating"},
}
BATCH, LR = 256, 1e-3


def train_and_score(game: str, seed: int, steps: int) -> dict[str, Any]:
    from genlab.api import train_run
    from genlab.data import DataSpec
    from genlab.evaluate import evaluate_run
    from genlab.train import TrainConfig

    out = WORK / "gan_toy" / f"{game}-{seed}"
    shutil.rmtree(out, ignore_errors=True)
    steps_per_epoch = 9_000 // BATCH + 1
    epochs = -(-steps // steps_per_epoch)
    config = TrainConfig(epochs=epochs, batch_size=BATCH, lr=LR, seed=seed, max_steps=steps, log_every=100,
                         snapshot_every=max(1, epochs // 10))  # fmt: skip
    t0 = time.perf_counter()
    run, _ = train_run("gan", DataSpec("toy2d", seed=seed), config, str(out), {**PLAYERS, **GAMES[game]}, overwrite=True)
    seconds = time.perf_counter() - t0
    result = evaluate_run(str(run.path))
    frames = sorted((run.path / "images").glob("epoch_*_samples.png"))
    return {
        "game": game, "seed": seed, "steps": steps, "train_seconds": round(seconds, 1),
        "modes_covered": result["modes_covered"], "high_quality": round(result["high_quality"], 4),
        "mmd": round(result["mmd"], 5), "final_frame": str(frames[-1]) if frames else None,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke test: 2 seeds, 60 steps")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    steps, seeds = (60, 2) if args.quick else (args.steps, args.seeds)
    runs = []
    for game in GAMES:
        for seed in range(seeds):
            runs.append(train_and_score(game, seed, steps))
            r = runs[-1]
            print(f"{game} seed {seed}: {r['modes_covered']}/8 modes, hq {r['high_quality']:.3f}, "
                  f"mmd {r['mmd']:.4f}, {r['train_seconds']} s", file=sys.stderr)  # fmt: skip
    summary = {}
    for game in GAMES:
        mine = [r for r in runs if r["game"] == game]
        summary[game] = {
            "seeds_with_all_8_modes": sum(r["modes_covered"] == 8 for r in mine),
            "modes_covered": [r["modes_covered"] for r in mine],
            "mean_modes_covered": statistics.mean(r["modes_covered"] for r in mine),
            "mean_high_quality": round(statistics.mean(r["high_quality"] for r in mine), 4),
            "mean_mmd": round(statistics.mean(r["mmd"] for r in mine), 5),
        }
    payload = {
        "benchmark": "gan_toy",
        "quick": args.quick,
        "machine": machine(),
        "setup": {"data": "toy2d (ring of 8, std 0.05)", "steps": steps, "seeds": seeds, "batch": BATCH, "lr": LR,
                  "players": PLAYERS, "games": GAMES, "samples": 10_000, "mode_rule": ">= 40 of 10,000 samples within 3 std"},
        "summary": summary,
        "runs": [{k: v for k, v in r.items() if k != "final_frame"} for r in runs],
    }  # fmt: skip
    name = "gan_toy.quick" if args.quick else "gan_toy"
    print(write_results(name, payload))
    if args.quick:
        return
    images = ROOT / "docs" / "images"
    images.mkdir(parents=True, exist_ok=True)
    for r in runs:
        if r["seed"] == 0 and r["final_frame"]:
            shutil.copyfile(r["final_frame"], images / f"gan_toy_{r['game']}.png")
    rows = [
        [game, f"{s['seeds_with_all_8_modes']} / {seeds}", " ".join(map(str, s["modes_covered"])),
         f"{s['mean_high_quality']:.3f}", f"{s['mean_mmd']:.4f}"]
        for game, s in summary.items()
    ]  # fmt: skip
    table = markdown_table(["loss", "seeds with all 8 modes", "modes per seed", "high-quality share", "MMD^2"], rows)
    m = payload["machine"]
    write_docs_section(
        "gan_toy",
        f"## GAN games on the ring of 8 Gaussians\n\n`benchmarks/gan_toy.py`: `genlab train gan --data toy2d`, "
        f"MLP players 128-128-128, z of 16, batch {BATCH}, Adam lr {LR} (betas 0.5, 0.999; wgan-gp 0, 0.9), "
        f"{steps} steps, seeds 0-{seeds - 1}; 10,000 samples per run, a mode counts with at least 40 samples within "
        f"3 std. Measured on {m['cpu']}, {m['date']}.\n\n{table}\n\n"
        + " ".join(f"![{g}](images/gan_toy_{g}.png)" for g in GAMES),
    )


if __name__ == "__main__":
    main()
