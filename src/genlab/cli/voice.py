"""`genlab convert`: speech through a voice conversion run."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from genlab.cli._app import app, examples, progress_bar

log = logging.getLogger("genlab")


@app.command(
    help="Convert speech with a voice run (CycleGAN-VC2): an audio file (WAV, FLAC or OGG) into a WAV file, or every "
    "audio file of a folder into a folder, as WAVs of the same names at the run's sample rate. WORLD analyzes each "
    "input, the generator converts its mel-cepstrum, F0 is mapped by the speakers' log F0 statistics, WORLD resynthesizes."
    + examples(
        "genlab convert runs/slt2rms --input hello.wav --out hello_rms.wav",
        "genlab convert runs/slt2rms --input recordings/ --out converted/ --direction BtoA",
    )
)
def convert(
    run: Path = typer.Argument(..., help="Run folder of a voice model."),
    input: Path = typer.Option(..., "--input", "-i", help="An audio file or a folder of audio files."),
    out: Path = typer.Option(..., "--out", "-o", help="A .wav file (for one input file) or a folder."),
    direction: str = typer.Option("AtoB", help="AtoB: --data's speaker into --data-b's; BtoA the other way."),
    device: str = typer.Option("cpu", help="cpu, cuda or cuda:N (WORLD runs on the CPU either way)."),
) -> None:
    from genlab.voice.convert import convert_files

    with progress_bar() as progress:
        written = convert_files(run, input, out, direction, device, progress)
    log.info("converted %d files into %s", len(written), out)
