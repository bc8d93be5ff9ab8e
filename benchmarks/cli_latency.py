"""What each command costs a user, from a fresh process: wall time and peak resident memory.

The whole experience of issue 24, before and after: `genlab --help`, `genlab train vae --help`,
`genlab datasets`, the start of `genlab train vae --data shapes --limit 3000` (the whole command
with one step: imports, data, model, the step, the report), `genlab traverse`, `genlab sample`
and `genlab report` on a small trained run, `genlab evaluate RUN --disentanglement` on that run
at a reduced sample size, and the training of `make demo`. Each command runs in a fresh process
(imports included) for this tree and, with --baseline-src, for an earlier checkout, the two
trees alternating; the table shows medians over the repeats (--repeats of the commands that take
seconds, fewer of those that took tens of seconds or minutes before: see --help).

The small run (`train vae --data shapes --limit 3000 --epochs 1`) is trained once, by this tree,
and read by both; when the baseline cannot read it (an earlier genlab may not know a later one's
config.json), the baseline trains its own with the same command. Every command that reads it gets
a fresh copy, so that nothing one command writes into the folder speeds up the next.

    python benchmarks/cli_latency.py --baseline-src /tmp/base/src --baseline-name 6818424
    python benchmarks/cli_latency.py --quick      # a smoke test: small data, 2 steps, 1 repeat

Writes benchmarks/results/cli_latency.json and a section of docs/benchmarks.md. The full-size
timing of `evaluate --disentanglement` is benchmarks/disentanglement_speed.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    RESULTS,
    ROOT,
    WORK,
    machine,
    markdown_table,
    measured_run,
    write_docs_section,
    write_results,
)

THIS = ROOT / "src"
TARGET_SECONDS = 0.5  # issue 24: --help, COMMAND --help and datasets answer within this on 2 cores
TARGETED = ("--help", "train vae --help", "datasets")
# the training of `make demo` (Makefile), as it runs there
DEMO_EPOCHS = 10  # as make demo trains
DEMO = ["train", "vae", "--data", "fashion-mnist", "--net", "conv", "--hidden", "256", "--latent-dim", "16", "--binarize"]


@dataclass(frozen=True)
class Sizes:
    limit: int  # --limit of the shapes runs
    small_steps: list[str]  # how long the small run trains
    disentanglement: list[str]  # the reduced evaluate --disentanglement
    demo: list[str]  # how long the demo trains
    repeats: int  # of the commands that take seconds
    medium_repeats: int  # of those that took tens of seconds before issue 24 (train startup, traverse, report)
    slow_repeats: int  # of those that take minutes (evaluate --disentanglement, the demo)


def sizes(quick: bool, repeats: int, medium_repeats: int, slow_repeats: int, demo_epochs: int) -> Sizes:
    if quick:
        return Sizes(300, ["--epochs", "1", "--max-steps", "2"],
                     ["--n", "100", "--iwae-k", "2", "--disentanglement", "--disentanglement-n", "100"],
                     ["--epochs", "1", "--max-steps", "2"], 1, 1, 1)  # fmt: skip
    return Sizes(3000, ["--epochs", "1"],
                 ["--n", "1000", "--iwae-k", "10", "--disentanglement", "--disentanglement-n", "1000"],
                 ["--epochs", str(demo_epochs)], repeats, medium_repeats, slow_repeats)  # fmt: skip


def commands(s: Sizes, folder: Path, run: Path) -> dict[str, tuple[list[str], bool, int]]:
    """Each command: its arguments, whether it reads (a fresh copy of) the small run at ``run``,
    and how many times it runs."""
    startup = ["train", "vae", "--data", "shapes", "--limit", str(s.limit), "--max-steps", "1",
               "--out", str(folder / "startup"), "--overwrite"]  # fmt: skip
    return {
        "--help": (["--help"], False, s.repeats),
        "train vae --help": (["train", "vae", "--help"], False, s.repeats),
        "datasets": (["datasets"], False, s.repeats),
        "train startup": (startup, False, s.medium_repeats),
        "traverse": (["traverse", str(run), "--out", str(folder / "traverse.png")], True, s.medium_repeats),
        "sample": (["sample", str(run), "--out", str(folder / "sample.png")], True, s.repeats),
        "report": (["report", str(run)], True, s.medium_repeats),
        "evaluate --disentanglement": (["evaluate", str(run), *s.disentanglement, "--json"], True, s.slow_repeats),
        "demo training": ([*DEMO, *s.demo, "--out", str(folder / "demo"), "--overwrite"], False, s.slow_repeats),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke test: --limit 300, 2 training steps, 1 repeat")
    parser.add_argument("--repeats", type=int, default=7,
                        help="repeats of the commands that take under a second or a few (--help, datasets, sample): medians of many")
    parser.add_argument("--medium-repeats", type=int, default=2, help="repeats of train startup, traverse and report")
    parser.add_argument("--slow-repeats", type=int, default=1, help="repeats of evaluate --disentanglement and the demo")
    parser.add_argument("--demo-epochs", type=int, default=1,
                        help="epochs of the demo's training (make demo trains 10: tens of minutes per tree on a busy machine)")
    parser.add_argument("--baseline-src", help="also measure the genlab in this src folder (an earlier checkout)")
    parser.add_argument("--baseline-name", help="how to name the baseline in the table (e.g. its commit)")
    parser.add_argument("--docs-only", action="store_true", help="rewrite the docs section from the results file")
    args = parser.parse_args()
    if args.docs_only:
        write_docs_section("cli_latency", docs_section(json.loads((RESULTS / "cli_latency.json").read_text())))
        return
    s = sizes(args.quick, args.repeats, args.medium_repeats, args.slow_repeats, args.demo_epochs)
    trees = {"this": THIS}
    if args.baseline_src:
        trees = {"baseline": Path(args.baseline_src).resolve(), "this": THIS}
    work = WORK / "cli_latency"
    shutil.rmtree(work, ignore_errors=True)
    load_before = os.getloadavg()

    # the small run that traverse, sample, report and evaluate read: this tree's, or one per tree
    small: dict[str, dict[str, Any]] = {}
    for tree in trees:
        (work / tree).mkdir(parents=True)
    small["this"] = train_small(s, THIS, work / "this")
    baseline_reads, why_not = True, ""
    if "baseline" in trees:
        baseline_reads, why_not = reads_run(trees["baseline"], work / "this" / "small", work / "baseline")
        if baseline_reads:
            shutil.copytree(work / "this" / "small", work / "baseline" / "small")
        else:
            small["baseline"] = train_small(s, trees["baseline"], work / "baseline")

    measured: dict[tuple[str, str], list[dict[str, float]]] = {}
    trainer_seconds: dict[str, list[float]] = {}
    for r in range(max(s.repeats, s.medium_repeats, s.slow_repeats)):
        for tree, src in trees.items():
            folder = work / tree
            run = folder / "run"
            for command, (argv, reads_small, times) in commands(s, folder, run).items():
                if r >= times:
                    continue
                if reads_small:
                    shutil.rmtree(run, ignore_errors=True)
                    shutil.copytree(folder / "small", run)
                log = folder / f"{command.replace(' ', '_').replace('-', '')}.log"
                _, one = measured_run(["-m", "genlab", *argv], src, log)
                measured.setdefault((tree, command), []).append(one)
                if command == "demo training":  # the training loop alone, as the trainer timed it
                    summary = json.loads((folder / "demo" / "train_summary.json").read_text())
                    trainer_seconds.setdefault(tree, []).append(summary["wall_seconds"])
                print(f"repeat {r} {tree} {command}: {one['seconds']:.2f} s, {one['peak_rss_mib']:.0f} MiB",
                      file=sys.stderr, flush=True)  # fmt: skip

    rows = []
    for (tree, command), runs in measured.items():
        row = {
            "tree": tree, "command": command,
            "seconds": round(statistics.median(r["seconds"] for r in runs), 2),
            "peak_rss_mib": round(statistics.median(r["peak_rss_mib"] for r in runs), 1),
            "runs": [{k: round(v, 2) for k, v in r.items()} for r in runs],
        }  # fmt: skip
        if command == "demo training":
            row["trainer_seconds"] = round(statistics.median(trainer_seconds[tree]), 1)
        rows.append(row)
    by = {(r["tree"], r["command"]): r for r in rows}
    targets = {
        command: {"seconds": by[("this", command)]["seconds"], "target_seconds": TARGET_SECONDS,
                  "met": by[("this", command)]["seconds"] < TARGET_SECONDS}
        for command in TARGETED
    }  # fmt: skip
    payload = {
        "benchmark": "cli_latency", "quick": args.quick, "limit": s.limit, "small_run": s.small_steps, "disentanglement_args": s.disentanglement,
        "demo_args": [*DEMO, *s.demo], "baseline": args.baseline_name or args.baseline_src, "machine": machine(),
        "load_average": {"start": [round(x, 2) for x in load_before], "end": [round(x, 2) for x in os.getloadavg()]},
        "small_run_training": small, "baseline_reads_this_run": baseline_reads, "why_not": why_not,
        "rows": rows, "targets": targets,
    }  # fmt: skip
    name = "cli_latency.quick" if args.quick else "cli_latency"
    print(f"wrote {write_results(name, payload)}", file=sys.stderr)
    if not args.quick:
        write_docs_section("cli_latency", docs_section(payload))
        print("updated docs/benchmarks.md", file=sys.stderr)


def train_small(s: Sizes, src: Path, folder: Path) -> dict[str, float]:
    """Train the small run into FOLDER/small with the genlab in ``src``; its cost."""
    argv = ["-m", "genlab", "train", "vae", "--data", "shapes", "--limit", str(s.limit), *s.small_steps,
            "--out", str(folder / "small"), "--overwrite"]  # fmt: skip
    _, cost = measured_run(argv, src, folder / "small.log")
    print(f"{folder.name}: trained the small run in {cost['seconds']:.1f} s", file=sys.stderr, flush=True)
    return {k: round(v, 2) for k, v in cost.items()}


def reads_run(src: Path, run: Path, folder: Path) -> tuple[bool, str]:
    """Whether the genlab in ``src`` can sample from a copy of ``run``; if not, the last line it said."""
    copy = folder / "probe"
    shutil.copytree(run, copy)
    result = subprocess.run(
        [sys.executable, "-m", "genlab", "sample", str(copy), "--n", "4", "--out", str(folder / "probe.png")],
        env=os.environ | {"PYTHONPATH": str(src)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    shutil.rmtree(copy)
    lines = result.stderr.replace(str(copy), "RUN").strip().splitlines()
    return result.returncode == 0, "" if result.returncode == 0 else (lines[-1] if lines else f"exit {result.returncode}")


WHAT = {
    "--help": "`genlab --help`",
    "train vae --help": "`genlab train vae --help`",
    "datasets": "`genlab datasets`",
    "train startup": "`genlab train vae --data shapes --limit {limit} --max-steps 1`",
    "traverse": "`genlab traverse RUN`",
    "sample": "`genlab sample RUN`",
    "report": "`genlab report RUN`",
    "evaluate --disentanglement": "`genlab evaluate RUN {disentanglement}`",
    "demo training": "`make demo`'s training: `genlab {demo}`",
}


def docs_section(payload: dict[str, Any]) -> str:
    m, limit = payload["machine"], payload["limit"]
    by = {(r["tree"], r["command"]): r for r in payload["rows"]}
    trees = [t for t in ("baseline", "this") if (t, "--help") in by]
    names = {"baseline": payload["baseline"], "this": "this tree"}
    header = ["command", "runs per tree"] + [f"{names[t]}: {what}" for t in trees for what in ("wall s", "peak RSS MiB")]
    header += ["wall time, before / after"] if len(trees) == 2 else []
    header += ["target (issue 24)"]
    fill = {"limit": limit, "disentanglement": " ".join(payload["disentanglement_args"]),
            "demo": " ".join(payload["demo_args"])}  # fmt: skip
    table_rows = []
    for command, what in WHAT.items():
        cells = [f"{by[(t, command)]['seconds']:.2f}" if i == 0 else f"{by[(t, command)]['peak_rss_mib']:,.0f}"
                 for t in trees for i in (0, 1)]  # fmt: skip
        if len(trees) == 2:
            cells.append(f"{by[('baseline', command)]['seconds'] / by[('this', command)]['seconds']:.1f}x")
        target = payload["targets"].get(command)
        cells.append("" if target is None else f"< {target['target_seconds']:g} s: {'met' if target['met'] else 'not met'}")
        table_rows.append([what.format(**fill), len(by[("this", command)]["runs"]), *cells])
    epochs = payload["demo_args"][payload["demo_args"].index("--epochs") + 1]
    demo_extent = f"over {epochs} epoch{'s' if epochs != '1' else ''} instead of its {DEMO_EPOCHS}"
    demo = {t: by[(t, "demo training")]["trainer_seconds"] for t in trees}
    demo_line = ", ".join(f"{names[t]} {demo[t]:.0f} s" for t in trees)
    small = ", ".join(f"{names[t]} {payload['small_run_training'][t]['seconds']:.1f} s" for t in payload["small_run_training"])
    if payload["baseline_reads_this_run"]:
        small_text = f"once, by this tree ({small}), and read by both trees"
    else:
        small_text = (f"once per tree by that tree ({small}): {payload['baseline']} cannot read a run folder of "
                      f"this tree (it says: {payload['why_not']})")  # fmt: skip
    load = payload["load_average"]
    targets = "; ".join(
        f"`{c}` {t['seconds']:.2f} s (its runs {min(r['seconds'] for r in by[('this', c)]['runs']):.2f} to "
        f"{max(r['seconds'] for r in by[('this', c)]['runs']):.2f} s): {'met' if t['met'] else 'not met'}"
        for c, t in payload["targets"].items()
    )
    return f"""## The cost of each command, before and after issue 24 (`benchmarks/cli_latency.py`)

Wall time (process start to exit, imports included) and peak resident memory of each command in a
fresh process, for {names.get('baseline', 'an earlier tree')} (before the work of issue 24) and this tree, the two
trees alternating; medians of each tree's runs (column `runs per tree`: fewer for the commands that took tens
of seconds or minutes, to keep the benchmark within half an hour).

- RUN is a small VAE trained by `genlab train vae --data shapes --limit {limit} {' '.join(payload['small_run'])}`,
  {small_text}. Each command that reads RUN gets a fresh copy of it.
- `train startup` is the whole command with one optimizer step: imports, data, model, the step and
  the report written at the end.
- `evaluate --disentanglement` runs at a reduced size (`{' '.join(payload['disentanglement_args'])}`);
  its full-size timing (10,000 training points, the published sizes) is
  `benchmarks/disentanglement_speed.py`, run separately.
- The demo row is the training command of `make demo` {demo_extent} (`make demo` has no quick
  mode, and its {DEMO_EPOCHS} epochs take tens of minutes per tree on a machine this busy). Its
  training loop alone, as the trainer timed it: {demo_line}. One run per tree under a changing
  load says little about training speed; `benchmarks/trainer_overhead.py` compares trainers.

Measured on {m['cpu']}, {m['cores']} cores, torch {m['torch']}, {m['date']}. The machine was shared with
other work while this ran (load average over 1, 5 and 15 minutes: {', '.join(f'{x:g}' for x in load['start'])} at the start,
{', '.join(f'{x:g}' for x in load['end'])} at the end, on {m['cores']} cores), so every time here is longer than on an idle
machine, and the short ones scatter the most.

{markdown_table(header, table_rows)}

Target of issue 24: `--help`, `COMMAND --help` and `datasets` under {TARGET_SECONDS:g} s on 2 cores. Here
{targets}. None of them imports torch any more (`tests/test_cli_cost.py`); their time goes to
starting Python and importing typer, rich and genlab's command modules (and numpy, for `datasets`).

Reproduce: `git worktree add /tmp/base {payload['baseline']}` (or `git archive`), then
`.venv/bin/python benchmarks/cli_latency.py --baseline-src /tmp/base/src --baseline-name {payload['baseline']}`.
"""


if __name__ == "__main__":
    main()
