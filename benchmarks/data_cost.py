"""What a run on a procedural data set costs with --limit, against the same images held in a file.

`genlab train vae --data shapes --limit 3000 --epochs 1` and `genlab traverse` on its run, next to
the same two commands on an `.npz` file that holds those very 3,000 training images
(`--data npz:FILE`): wall time and peak resident memory of each command, each in a fresh process,
for this tree and, with --baseline-src, for an earlier checkout (which rendered the whole default
draw of 60,000 sprites to train on 3,000, and again to draw a traversal). Medians over --repeats
runs, the two trees alternating.

    python benchmarks/data_cost.py --baseline-src /tmp/base/src --baseline-name 6818424
    python benchmarks/data_cost.py --quick      # a smoke test: --limit 300, 2 training steps

Writes benchmarks/results/data_cost.json and a section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, WORK, machine, markdown_table, measured_run, write_docs_section, write_results

THIS = ROOT / "src"
TARGET = 2.0  # issue 24: within 2x of the same run on an in-memory array


def write_npz(limit: int, path: Path) -> None:
    """The training images of ``shapes --limit LIMIT`` as uint8 in an .npz file."""
    from genlab.data import DataSpec, load_splits

    x = load_splits(DataSpec("shapes", limit=limit)).train.x
    np.savez(path, x=(x * 255).round().to(torch.uint8).numpy())


def commands(data: str, limit: int | None, quick: bool, folder: Path) -> dict[str, list[str]]:
    train = ["train", "vae", "--data", data, "--epochs", "1", "--out", str(folder / "run"), "--overwrite"]
    train += ["--limit", str(limit)] if limit else []
    train += ["--max-steps", "2"] if quick else []
    return {"train": train, "traverse": ["traverse", str(folder / "run"), "--out", str(folder / "traverse.png")]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke test: --limit 300, 2 training steps, 1 repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-src", help="also measure the genlab in this src folder (an earlier checkout)")
    parser.add_argument("--baseline-name", help="how to name the baseline in the table (e.g. its commit)")
    args = parser.parse_args()
    limit, repeats = (300, 1) if args.quick else (3000, args.repeats)
    trees = {"this": THIS}
    if args.baseline_src:
        trees = {"baseline": Path(args.baseline_src).resolve(), "this": THIS}
    work = WORK / "data_cost"
    work.mkdir(parents=True, exist_ok=True)
    npz = work / f"shapes{limit}.npz"
    write_npz(limit, npz)

    measured: dict[tuple[str, str, str], list[dict[str, float]]] = {}
    for r in range(repeats):
        for tree, src in trees.items():
            for data, data_limit in (("shapes", limit), (f"npz:{npz}", None)):
                folder = work / tree / data.split(":")[0]
                folder.mkdir(parents=True, exist_ok=True)
                for command, argv in commands(data, data_limit, args.quick, folder).items():
                    _, one = measured_run(["-m", "genlab", *argv], src, folder / f"{command}.log")
                    measured.setdefault((tree, data.split(":")[0], command), []).append(one)
                    print(f"repeat {r} {tree} {data.split(':')[0]} {command}: {one['seconds']:.1f} s, "
                          f"{one['peak_rss_mib']:.0f} MiB", file=sys.stderr, flush=True)  # fmt: skip

    rows = []
    for (tree, data, command), runs in measured.items():
        rows.append({
            "tree": tree, "data": data, "command": command,
            "seconds": round(statistics.median(r["seconds"] for r in runs), 2),
            "peak_rss_mib": round(statistics.median(r["peak_rss_mib"] for r in runs), 1),
            "runs": [{k: round(v, 2) for k, v in r.items()} for r in runs],
        })  # fmt: skip
    by = {(r["tree"], r["data"], r["command"]): r for r in rows}
    ratios = {
        f"{tree} {command}": {
            key: round(by[(tree, "shapes", command)][key] / by[(tree, "npz", command)][key], 2)
            for key in ("seconds", "peak_rss_mib")
        }
        for tree in trees
        for command in ("train", "traverse")
    }
    payload = {
        "benchmark": "data_cost", "quick": args.quick, "limit": limit, "repeats": repeats,
        "baseline": args.baseline_name or args.baseline_src, "machine": machine(), "rows": rows,
        "shapes_over_npz": ratios,
        "within_target": all(v <= TARGET for k, r in ratios.items() if k.startswith("this") for v in r.values()),
    }  # fmt: skip
    name = "data_cost.quick" if args.quick else "data_cost"
    print(f"wrote {write_results(name, payload)}", file=sys.stderr)
    if not args.quick:
        write_docs_section("data_cost", docs_section(payload))
        print("updated docs/benchmarks.md", file=sys.stderr)


def docs_section(payload: dict[str, Any]) -> str:
    m, limit = payload["machine"], payload["limit"]
    by = {(r["tree"], r["data"], r["command"]): r for r in payload["rows"]}
    trees = [t for t in ("baseline", "this") if (t, "shapes", "train") in by]
    names = {"baseline": payload["baseline"], "this": "this tree"}
    header = ["command", "data"] + [f"{names[t]}: {what}" for t in trees for what in ("wall s", "peak RSS MiB")]
    table_rows = []
    for command in ("train", "traverse"):
        for data in ("shapes", "npz"):
            cells = [f"{by[(t, data, command)]['seconds']:.1f}" if i == 0 else f"{by[(t, data, command)]['peak_rss_mib']:,.0f}"
                     for t in trees for i in (0, 1)]  # fmt: skip
            label = f"`shapes --limit {limit}`" if data == "shapes" else f"`npz:` the same {limit:,} images"
            table_rows.append([f"`{command}`", label, *cells])
    ratio_rows = [
        [names[t], command, f"{payload['shapes_over_npz'][f'{t} {command}']['seconds']:.2f}x",
         f"{payload['shapes_over_npz'][f'{t} {command}']['peak_rss_mib']:.2f}x"]
        for t in trees for command in ("train", "traverse")
    ]  # fmt: skip
    return f"""## Data cost of `--limit` on a procedural set (`benchmarks/data_cost.py`)

`genlab train vae --data shapes --limit {limit} --epochs 1` and `genlab traverse` on its run, against
the same commands on an `.npz` file holding the very {limit:,} training images (`--data npz:FILE`, which
holds out its own 10% test and 10% validation): wall time (process start to exit, imports included) and
peak resident memory of each command in a fresh process, medians of {payload['repeats']} runs with the
trees alternating. The shapes run keeps the examples it always had: its {limit:,} training images, the
validation share of the 50,000-image training pool (5,000) and the 10,000 test images, now rendered by
index instead of rendering all 60,000; `traverse` renders the first 1,000 test images (the KL per
dimension) and the one it starts from.

Measured on {m['cpu']}, {m['cores']} cores (shared with other work), torch {m['torch']}, {m['date']}.

{markdown_table(header, table_rows)}

shapes over npz (the target of issue 24: within {TARGET:g}x):

{markdown_table(["tree", "command", "wall time", "peak RSS"], ratio_rows)}

Reproduce: `git worktree add /tmp/base {payload['baseline']}` (or `git archive`), then
`.venv/bin/python benchmarks/data_cost.py --baseline-src /tmp/base/src --baseline-name {payload['baseline']}`.
"""


if __name__ == "__main__":
    main()
