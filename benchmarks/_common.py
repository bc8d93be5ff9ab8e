"""Helpers shared by benchmarks: machine description, results JSON, and the docs table."""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
WORK = ROOT / "benchmarks" / ".work"


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    import torch

    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "gpu": gpu,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB.

    Read from VmHWM, which starts afresh at exec; ru_maxrss would carry over the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def write_docs_section(name: str, markdown: str) -> Path:
    """Replace this benchmark's section of docs/benchmarks.md (between its markers), or append it."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.DOTALL)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text)
    return DOCS


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# A child's peak memory as the kernel counts it (ru_maxrss) keeps the peak of the process it was
# forked from across exec, so a command forked from a benchmark that holds data would seem to need
# that much too. A small launcher process starts the command instead: its own few MiB are the floor.
_LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
process = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(process.pid, 0)
cost = {"seconds": time.perf_counter() - start, "peak_rss_mib": usage.ru_maxrss / 1024, "exit": os.waitstatus_to_exitcode(status)}
open(sys.argv[1], "w").write(json.dumps(cost))
"""


def measured_run(argv: list[str], src: Path, log: Path) -> tuple[str, dict[str, float]]:
    """Run ``python ARGV`` with the genlab in ``src`` on PYTHONPATH: its stdout, and its wall seconds
    and peak resident MiB (of that process alone; stderr goes to ``log``)."""
    env = os.environ | {"PYTHONPATH": str(src)}
    cost_file = log.with_suffix(".cost.json")
    with log.open("w") as err:
        out = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, str(cost_file), sys.executable, *argv], env=env, stdout=subprocess.PIPE,
            stderr=err, text=True, check=False,
        ).stdout  # fmt: skip
    cost = json.loads(cost_file.read_text())
    if cost.pop("exit") != 0:
        raise RuntimeError(f"python {' '.join(argv)} failed:\n{log.read_text()[-2000:]}")
    return out, cost
