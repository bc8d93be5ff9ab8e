"""Run `genlab evaluate RUN --disentanglement` in this process and print what each part cost, as JSON.

    PYTHONPATH=SRC python benchmarks/_disentanglement_driver.py RUN N LIKELIHOOD_N IWAE_K

Imports whichever genlab PYTHONPATH names (so that benchmarks/disentanglement_speed.py can run an
earlier checkout the same way) and calls ``evaluate_run`` as the command does, with the metrics'
sample sizes scaled to N and the likelihood estimated on the first LIKELIHOOD_N test images. Each
part is timed from evaluate's own log lines ("disentanglement: computing NAME"), and the sprites
rendered (``ShapesFactors.render``) and encoded (``VAE.code``) are counted per part.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

from genlab.data.shapes import ShapesFactors
from genlab.evaluate import evaluate_run
from genlab.models.vae.vae import VAE

COUNTS = {"rendered": 0, "encoded": 0}
MARKS: list[tuple[str, float, dict[str, int]]] = []


def counted(method, what: str):
    def wrapper(self, rows):
        COUNTS[what] += len(rows)
        return method(self, rows)

    return wrapper


class Mark(logging.Handler):
    """Notes the time and the counts when evaluate starts a part of the metrics."""

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith("disentanglement: computing "):
            MARKS.append((text.rsplit(" ", 1)[1], time.perf_counter(), dict(COUNTS)))


def readable(run: str) -> str:
    """The run, or a copy of it whose config.json leaves out the data and training settings this
    (earlier) genlab does not know, when each of them holds its default: a newer genlab writes
    fields (e.g. ``name_b``, ``checkpoint_every_steps``) that an older one cannot read."""
    from genlab.data.splits import DataSpec
    from genlab.train.config import TrainConfig

    config = json.loads((Path(run) / "config.json").read_text())
    dropped = {}
    for key, cls in (("data", DataSpec), ("train", TrainConfig)):
        known = {f.name for f in dataclasses.fields(cls)}
        for name in [k for k in config[key] if k not in known]:
            dropped[f"{key}.{name}"] = config[key].pop(name)
    if not dropped:
        return run
    print(f"left out of config.json for this genlab: {dropped}", file=sys.stderr)
    copy = Path(tempfile.mkdtemp()) / "run"
    shutil.copytree(run, copy)
    (copy / "config.json").write_text(json.dumps(config))
    return str(copy)


def main() -> None:
    run, n, likelihood_n, iwae_k = readable(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    ShapesFactors.render = counted(ShapesFactors.render, "rendered")
    VAE.code = counted(VAE.code, "encoded")
    logger = logging.getLogger("genlab.evaluate.run_metrics")
    logger.setLevel(logging.INFO)
    logger.addHandler(Mark())
    start = time.perf_counter()
    result = evaluate_run(
        run, n=likelihood_n, iwae_k=iwae_k, save=False, device="cpu", disentanglement=True, disentanglement_n=n
    )
    MARKS.append(("end", time.perf_counter(), dict(COUNTS)))
    # the time before the first part: loading the model and the test images, and the likelihood
    parts = {"load and likelihood": {"seconds": MARKS[0][1] - start, **MARKS[0][2]}}
    for (name, begun, before), (_, ended, after) in pairwise(MARKS):
        parts[name] = {"seconds": ended - begun, **{k: after[k] - before[k] for k in COUNTS}}
    print(json.dumps({"seconds": MARKS[-1][1] - start, "parts": parts, "scores": result["disentanglement"]}))


if __name__ == "__main__":
    main()
