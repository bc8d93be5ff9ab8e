"""Commands cost in proportion to their work: help and listings answer without importing torch."""

from __future__ import annotations

import subprocess
import sys

import pytest

HELP = [
    ["--help"], ["train", "--help"], ["train", "vae", "--help"], ["train", "progan", "--help"], ["evaluate", "--help"],
    ["sample", "--help"], ["traverse", "--help"], ["interpolate", "--help"], ["report", "--help"], ["detect", "--help"],
    ["detect", "fit", "--help"], ["bias", "discover", "--help"], ["datasets", "--help"],
]  # fmt: skip


def _run(args: list[str]) -> tuple[str, str]:
    """Run ``genlab ARGS`` in a fresh interpreter: its stdout, and which of torch, Fabric and
    scikit-learn it imported."""
    code = (
        "import sys\n"
        f"sys.argv = ['genlab', *{args!r}]\n"
        "from genlab.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('torch', 'lightning_fabric', 'sklearn') if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    return result.stdout, result.stderr.strip().splitlines()[-1]


def _heavy_modules_after(args: list[str]) -> str:
    return _run(args)[1]


@pytest.mark.parametrize("args", HELP, ids=" ".join)
def test_help_imports_no_torch(args):
    assert _heavy_modules_after(args) == "[]"


@pytest.mark.parametrize("args", [["datasets"], ["datasets", "--json"]], ids=" ".join)
def test_the_data_set_listing_imports_no_torch(args):
    out, heavy = _run(args)
    assert heavy == "[]"
    assert "shapes" in out and "faces-parts" in out


def test_the_listing_shows_what_every_loaded_source_says_of_itself():
    # the rows described without torch are those of the sources themselves, imported in full
    import dataclasses
    import json

    from genlab.data.digits import Digits
    from genlab.data.faces import FaceParts, Faces, FacesDetection
    from genlab.data.fashion_mnist import FashionMNIST
    from genlab.data.shapes import Shapes
    from genlab.data.toy import TOYS

    sources = [FashionMNIST(), Digits(), Shapes(), Faces(), FacesDetection(), *TOYS, FaceParts()]
    listed = json.loads(_run(["datasets", "--json"])[0])
    assert listed["datasets"] == [dataclasses.asdict(source.info()) for source in sources]
    assert listed["user_data"][:3] == [
        "folder:PATH - images (PNG, JPEG, ...), optional class subfolders or train/ and test/; --resize N",
        "npz:PATH - arrays x (and optional y, x_test, y_test)",
        "shapes:n=N,test=M,seed=S - another draw from the sprite grid",
    ]
    assert listed["user_data"][-2:] == ["fashion-mnist:class=N", "digits:class=N"]


def test_the_check_sees_torch_when_a_command_imports_it():
    # the same check on a command that needs torch, so the test above cannot pass for a wrong reason
    assert "torch" in _heavy_modules_after(["sample", "/nonexistent-run", "--out", "x.png"])


def test_progress_goes_to_stderr_and_never_into_json(cli, vae_run, monkeypatch):
    import json

    monkeypatch.setenv("GENLAB_PROGRESS_SECONDS", "0")  # a line for every report
    result = cli("evaluate", vae_run, "--json", "--iwae-k", "5", "--n", "60", "--batch-size", "20", "--seed", "3")
    assert result.code == 0, result.err
    assert json.loads(result.out)["n_examples"] == 60 and result.out.count("\n") == 1
    assert "IWAE-5 bound: 20/60 (33%)" in result.err and "IWAE-5 bound: 60/60 (100%)" in result.err
    assert "left" in result.err  # the time still to go, while it goes


def test_plain_progress_lines_come_every_few_seconds_and_at_the_end(monkeypatch):
    from genlab.cli import _app

    now = [0.0]
    lines: list[str] = []
    monkeypatch.setattr(_app.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(_app.log, "info", lambda message: lines.append(message))
    report = _app._LineReporter(10)
    for step in range(101):
        now[0] = step * 0.5  # a step every half second: 50 s in all
        report("training", step, 100)
    assert len(lines) == 5  # at 10, 20, 30, 40 and 50 s (the last also says it is done)
    assert lines[0] == "training: 20/100 (20%), 10.0s, about 40.0s left"
    assert lines[-1] == "training: 100/100 (100%), 50.0s"
    report("quick", 0, 3)
    report("quick", 3, 3)  # a task that took no time says nothing
    report("slow", 0, 3)
    now[0] += 4
    report("slow", 1, 3)
    now[0] += 7  # 11 s in: due, and done
    report("slow", 3, 3)
    assert lines[5:] == ["slow: 3/3 (100%), 11.0s"]
