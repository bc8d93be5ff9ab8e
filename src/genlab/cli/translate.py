"""`genlab translate`: images through a pix2pix or CycleGAN run."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from genlab.cli._app import app, examples, progress_bar

log = logging.getLogger("genlab")


@app.command(
    help="Translate images with a pix2pix or CycleGAN run: a file or every image of a folder, each at its own size, "
    "written as PNGs of the same names into --out. The model runs in evaluation mode: dropout off (the same input "
    "gives the same output), instance norm as in training."
    + examples(
        "genlab translate runs/labels2faces --input labels/ --out faces/",
        "genlab translate runs/glasses --input photo.png --out out/ --direction BtoA",
    )
)
def translate(
    run: Path = typer.Argument(..., help="Run folder of a pix2pix or cyclegan model."),
    input: Path = typer.Option(..., "--input", "-i", help="An image file or a folder of images."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for the translated images."),
    direction: str | None = typer.Option(None, help="AtoB or BtoA (CycleGAN: which generator; pix2pix: its own only)."),
    batch_size: int = typer.Option(16, help="Images of one size translated at once."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or cuda:N."),
) -> None:
    from genlab.workflows import translate_run

    with progress_bar() as progress:
        written = translate_run(str(run), str(input), str(out), direction, batch_size, device, progress)
    log.info("translated %d images into %s", len(written), out)
