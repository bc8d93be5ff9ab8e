"""Does training survive what a cluster does to it? Kills at random moments, kills at the worst
moments, full disks, damaged checkpoints and NaN, each followed by the same command.

Every trial starts a run with ``--auto-resume``, does something bad to it, then runs the very same
command again until it exits 0, and compares the final weights with those of the run that was
never disturbed (bit for bit), and the run folder's files with the undisturbed one's (none may be
missing or unreadable).

    random      SIGKILL at a moment drawn uniformly over the life of the command (start-up,
                training steps, validation, checkpoints, the report), for a conv VAE and for a
                GAN with EMA (two optimizers); seeded
    phase       SIGKILL at a chosen moment: inside a step, while a checkpoint is being written (its
                temp file whole, or half written), at validation, while the report is written
                (tests/fault_harness.py plants them)
    disk        the checkpoint meets a full disk or a read-only folder: one error line, exit 2,
                the last good checkpoint unchanged; then the same command with room again
    damage      the last checkpoint flipped in one byte, or cut short: the run goes on from the
                previous one; both damaged: one error line
    nan         the loss turns NaN once: the run stops, says so, keeps its checkpoint; the same
                command goes on

    python benchmarks/fault_injection.py            # about 30 minutes on 2 cores
    python benchmarks/fault_injection.py --quick    # a smoke test: 2 random kills

Writes benchmarks/results/fault_injection.json and its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import errno
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, WORK, machine, markdown_table, write_docs_section, write_results

HARNESS = ROOT / "tests" / "fault_harness.py"
WORKLOADS = {
    "conv VAE": ["train", "vae", "--data", "digits", "--net", "conv", "--channels", "8,16", "--hidden", "64",
                 "--latent-dim", "4", "--binarize", "--epochs", "4", "--batch-size", "32", "--checkpoint-every-steps", "10"],
    "GAN + EMA": ["train", "gan", "--data", "toy2d", "--epochs", "6", "--batch-size", "128", "--latent-dim", "4",
                  "--hidden", "32,32", "--ema", "0.99", "--checkpoint-every-steps", "15"],
}  # fmt: skip


def command(workload: str, out: Path) -> list[str]:
    return [sys.executable, "-m", "genlab", "-q", *WORKLOADS[workload], "--out", str(out), "--auto-resume"]


def finish(workload: str, out: Path, tries: int = 5) -> int:
    """Run the command until it exits 0; how many runs that took (after the disturbed one)."""
    for attempt in range(1, tries + 1):
        if subprocess.run(command(workload, out), capture_output=True, check=False).returncode == 0:
            return attempt
    raise RuntimeError(f"{out} did not finish in {tries} runs")


def same_weights(a: Path, b: Path) -> bool:
    import torch

    from genlab.io import read_safetensors

    wa, wb = read_safetensors(a / "model.safetensors"), read_safetensors(b / "model.safetensors")
    return wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)


def lost_files(reference: Path, out: Path) -> list[str]:
    """Files the undisturbed run has that this one lacks, or has but cannot read (and the
    TensorBoard folder, if it has no events)."""
    from genlab.errors import RunError
    from genlab.io import read_safetensors

    lost = []
    for path in reference.rglob("*"):
        if not path.is_file() or path.name.startswith(".") or path.parent.name == "tb":  # event files are named by process
            continue
        mine = out / path.relative_to(reference)
        if not mine.is_file():
            lost.append(str(path.relative_to(reference)))
        elif mine.suffix == ".safetensors":
            try:
                read_safetensors(mine)
            except RunError:
                lost.append(str(path.relative_to(reference)) + " (unreadable)")
    if not list((out / "tb").glob("events.*")):
        lost.append("tb/ (no events)")
    return lost


def trial(name: str, workload: str, reference: Path, out: Path, disturb) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    if out.exists():
        shutil.rmtree(out)
    start = time.perf_counter()
    detail = disturb(out)
    runs = finish(workload, out)
    row = {"trial": name, "workload": workload, "detail": detail, "runs_to_finish": runs,
           "identical": same_weights(reference, out), "lost_files": lost_files(reference, out),
           "seconds": round(time.perf_counter() - start, 1)}  # fmt: skip
    print(f"{name}: {row}", file=sys.stderr)
    return row


def kill_at(workload: str, seconds: float):  # type: ignore[no-untyped-def]
    def disturb(out: Path) -> str:
        process = subprocess.Popen(command(workload, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=seconds)
            return f"finished before the kill at {seconds:.1f} s"
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return f"SIGKILL at {seconds:.1f} s"

    return disturb


def planted(workload: str, fault: str, n: int):  # type: ignore[no-untyped-def]
    def disturb(out: Path) -> str:
        args = [sys.executable, str(HARNESS), fault, str(n), "--", *command(workload, out)[3:]]
        code = subprocess.run(args, capture_output=True, check=False).returncode
        return f"{fault} #{n}: exit {code}"

    return disturb


def in_process(workload: str, out: Path, fault: str) -> str:
    """Run the command in this process with its checkpoint writes failing as ``fault`` says."""
    import genlab.io
    from genlab.cli import main

    publish = genlab.io._publish

    def failing(tmp: Path, path: Path, previous: Path | None = None) -> None:
        if path.name.startswith("trainer_state"):
            failing.calls += 1
            if failing.calls >= 2:  # the second checkpoint and later
                code = errno.ENOSPC if fault == "full disk" else errno.EROFS
                raise OSError(code, os.strerror(code), str(tmp))
        publish(tmp, path, previous)

    failing.calls = 0  # type: ignore[attr-defined]
    genlab.io._publish = failing
    sys_argv, sys.argv = sys.argv, ["genlab", *command(workload, out)[3:]]
    try:
        main()
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    finally:
        genlab.io._publish, sys.argv = publish, sys_argv
    kept = (out / "trainer_state.safetensors").is_file()
    return f"{fault}: exit {code}, checkpoint kept: {kept}"


def damage(workload: str, how: str):  # type: ignore[no-untyped-def]
    def disturb(out: Path) -> str:
        args = [*command(workload, out)[:3], *WORKLOADS[workload], "--out", str(out), "--max-steps", "25"]
        subprocess.run(args, capture_output=True, check=True)
        state = out / "trainer_state.safetensors"
        data = bytearray(state.read_bytes())
        if how == "flipped byte":
            data[-64] ^= 0x01
        else:
            data = data[: len(data) * 2 // 3]
        state.write_bytes(bytes(data))
        return how

    return disturb


def both_damaged(workload: str, out: Path) -> dict[str, Any]:
    """Both checkpoints damaged: the command must refuse with one line, not start over."""
    if out.exists():
        shutil.rmtree(out)
    args = [*command(workload, out)[:3], *WORKLOADS[workload], "--out", str(out), "--max-steps", "25"]
    subprocess.run(args, capture_output=True, check=True)
    for name in ("trainer_state.safetensors", "trainer_state.previous.safetensors"):
        (out / name).write_bytes((out / name).read_bytes()[:100])
    result = subprocess.run(command(workload, out), capture_output=True, text=True, check=False)
    ok = result.returncode == 2 and result.stderr.count("error:") == 1 and "no usable checkpoint" in result.stderr
    print(f"both damaged: exit {result.returncode}, {result.stderr.strip()[:160]}", file=sys.stderr)
    return {"trial": "both checkpoints damaged", "workload": workload, "exit": result.returncode, "refused_clearly": ok}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke test: two random kills, one of each other kind")
    parser.add_argument("--kills", type=int, default=10, help="random kills per workload (two workloads: 20 in all)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    work = WORK / "fault_injection"
    rng = random.Random(args.seed)
    rows: list[dict[str, Any]] = []
    references, durations = {}, {}
    for workload in WORKLOADS:
        reference = work / f"reference-{workload.split()[0]}"
        if reference.exists():
            shutil.rmtree(reference)
        start = time.perf_counter()
        subprocess.run(command(workload, reference), capture_output=True, check=True)
        references[workload], durations[workload] = reference, time.perf_counter() - start
        print(f"{workload}: undisturbed run {durations[workload]:.1f} s", file=sys.stderr)
    kills = 2 if args.quick else args.kills
    for workload, reference in references.items():
        wanted = kills if workload == "conv VAE" or not args.quick else 1
        landed, span = 0, durations[workload]
        for i in range(3 * wanted):  # a run can be faster than the undisturbed one was: draw again
            if landed == wanted:
                break
            moment = rng.uniform(0.0, span)
            rows.append(trial(f"random kill {i + 1}", workload, reference, work / "trial", kill_at(workload, moment)))
            if rows[-1]["detail"].startswith("SIGKILL"):
                landed += 1
            else:  # it finished first: kill within the life the command really has now
                span = min(span, rows[-1]["seconds"])
    vae = "conv VAE"
    phases = [("update", 3), ("update", 60), ("publish", 1), ("publish", 3), ("half-write", 2), ("validation", 2), ("report", 1)]
    for fault, n in phases[:2] if args.quick else phases:
        rows.append(trial(f"kill: {fault} #{n}", vae, references[vae], work / "trial", planted(vae, fault, n)))
    for fault in ("full disk", "read-only folder"):
        rows.append(trial(fault, vae, references[vae], work / "trial", lambda out, f=fault: in_process(vae, out, f)))
    for how in ("flipped byte", "cut short"):
        rows.append(trial(f"damaged checkpoint: {how}", vae, references[vae], work / "trial", damage(vae, how)))
    rows.append(trial("NaN once", vae, references[vae], work / "trial", planted(vae, "nan", 50)))
    refusal = both_damaged(vae, work / "trial")
    disturbed = [r for r in rows if not r["detail"].startswith("finished")]
    summary = {
        "random_kills_tried": sum(r["trial"].startswith("random") and r["detail"].startswith("SIGKILL") for r in rows),
        "random_kills_survived": sum(r["trial"].startswith("random") and r["detail"].startswith("SIGKILL") and r["identical"] for r in rows),
        "trials": len(rows),
        "trials_identical": sum(r["identical"] for r in rows),
        "trials_disturbed": len(disturbed),
        "files_lost": sum(len(r["lost_files"]) for r in rows),
        "both_damaged_refused_clearly": refusal["refused_clearly"],
    }  # fmt: skip
    payload = {"benchmark": "fault_injection", "quick": args.quick, "seed": args.seed, "machine": machine(),
               "kills_per_workload": kills,
               "workloads": WORKLOADS, "undisturbed_seconds": {k: round(v, 1) for k, v in durations.items()},
               "summary": summary, "rows": rows, "both_damaged": refusal}  # fmt: skip
    name = "fault_injection" + (".quick" if args.quick else "")
    print(write_results(name, payload))
    if not args.quick:
        print(write_docs_section(name, docs_section(payload)))


def docs_section(payload: dict[str, Any]) -> str:
    s, m = payload["summary"], payload["machine"]
    table = markdown_table(
        ["trial", "workload", "what happened", "runs of the same command to finish", "weights identical", "files lost"],
        [[r["trial"], r["workload"], r["detail"], r["runs_to_finish"], "yes" if r["identical"] else "**no**",
          ", ".join(r["lost_files"]) or "none"] for r in payload["rows"]],
    )  # fmt: skip
    refused = "refused with one error line" if s["both_damaged_refused_clearly"] else "**not refused clearly**"
    return f"""## Fault injection (`benchmarks/fault_injection.py`)

Each trial starts a run with `--auto-resume`, disturbs it, then runs the same command until it
exits 0, and compares the final weights with the undisturbed run's, bit for bit. Random kills
land uniformly over the whole life of the command (start-up, steps, validation, checkpoints,
report); the undisturbed runs took {', '.join(f'{k} {v:.1f} s' for k, v in payload['undisturbed_seconds'].items())}. A command that finished before its
kill (it ran faster than the undisturbed one did) is listed, not counted, and the next kill is
drawn within the life it really had, until {payload['kills_per_workload']} kills per workload landed. Workloads: a conv VAE on
binarized digits (checkpoints every 10 steps and at each epoch's end) and a GAN with an EMA
generator on `toy2d` (two optimizers; every 15 steps).

- Random SIGKILLs survived: **{s['random_kills_survived']} of {s['random_kills_tried']}** (kills that landed
  before the command finished) with weights identical to the undisturbed run.
- All trials: {s['trials_identical']} of {s['trials']} ended with identical weights; files lost or unreadable:
  **{s['files_lost']}**.
- Both the last and the previous checkpoint damaged: {refused}.

Measured on {m['cpu']}, {m['cores']} cores, torch {m['torch']}, Python {m['python']}, {m['date']}, seed {payload['seed']}.

{table}

Reproduce: `.venv/bin/python benchmarks/fault_injection.py`.
"""


if __name__ == "__main__":
    main()
