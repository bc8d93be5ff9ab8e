"""Run ``genlab`` with a fault planted at a chosen moment: the process kills itself with SIGKILL there.

    python tests/fault_harness.py FAULT N -- genlab arguments ...

FAULT is where the kill happens, on its N-th occurrence (1 is the first):

    update       inside a training step, before an optimizer step is applied
    publish      while a trainer state is being written: the temp file is complete, not yet in place
    half-write   while a trainer state is being written: half of its bytes are in the temp file
    validation   at the start of a validation pass
    snapshot     as an epoch's pictures are about to be drawn
    report       while the run report is being written
    nan          not a kill: a VAE's training loss turns NaN once (the NaN guard must stop the run)

Nothing here is part of genlab: the faults are planted by replacing functions before the
command starts, as a cluster's kill would land in them.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

COUNT = {"n": 0}


def _die_on(target: int) -> None:
    COUNT["n"] += 1
    if COUNT["n"] == target:
        os.kill(os.getpid(), signal.SIGKILL)


def plant(fault: str, target: int) -> None:
    import genlab.io
    import genlab.report.run_report
    from genlab.train import trainer

    if fault == "update":
        original_call = trainer._Updater.__call__

        def call(self, name, loss):  # type: ignore[no-untyped-def]
            _die_on(target)
            return original_call(self, name, loss)

        trainer._Updater.__call__ = call
    elif fault in ("publish", "half-write"):
        original_publish = genlab.io._publish

        def publish(tmp: Path, path: Path, previous: Path | None = None) -> None:
            if path.name.startswith("trainer_state"):
                COUNT["n"] += 1
                if COUNT["n"] == target:
                    if fault == "half-write":
                        data = tmp.read_bytes()
                        tmp.write_bytes(data[: len(data) // 2])
                    os.kill(os.getpid(), signal.SIGKILL)
            original_publish(tmp, path, previous)

        genlab.io._publish = publish
    elif fault == "validation":
        original_validate = trainer._Session._validate

        def validate(self):  # type: ignore[no-untyped-def]
            _die_on(target)
            return original_validate(self)

        trainer._Session._validate = validate
    elif fault == "snapshot":
        original_snapshot = trainer._Session._snapshot

        def snapshot(self, epoch):  # type: ignore[no-untyped-def]
            _die_on(target)
            return original_snapshot(self, epoch)

        trainer._Session._snapshot = snapshot
    elif fault == "report":
        original_render = genlab.report.run_report.render_report

        def render(run):  # type: ignore[no-untyped-def]
            _die_on(target)
            return original_render(run)

        genlab.report.run_report.render_report = render
    elif fault == "nan":
        from genlab.models.vae.vae import VAE

        original_forward = VAE.forward

        def forward(self, x, y=None):  # type: ignore[no-untyped-def]
            terms = original_forward(self, x, y)
            if self.training:
                COUNT["n"] += 1
                if COUNT["n"] == target:
                    terms["loss"] = terms["loss"] * float("nan")
            return terms

        VAE.forward = forward
    else:
        raise SystemExit(f"unknown fault {fault!r}")


if __name__ == "__main__":
    fault, target, separator, *args = sys.argv[1:]
    assert separator == "--", "usage: fault_harness.py FAULT N -- genlab arguments"
    plant(fault, int(target))
    from genlab.cli import main

    sys.argv = ["genlab", *args]
    main()
