"""`genlab traverse` and `genlab interpolate`: pictures of a run's latent code."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from genlab.cli._app import app, examples

log = logging.getLogger("genlab")


@app.command(
    help="Decode traversals of the latent dimensions, one row per dimension, sorted by KL (active first). "
    "Rows whose mean KL is below 0.01 nats are marked inactive. A .gif --out animates the sweep."
    + examples(
        "genlab traverse runs/vae --out traverse.png",
        "genlab traverse runs/vae --out traverse.gif --dims 0,3 --range -2 2 --steps 7",
        "genlab traverse runs/bvae --out t.png --seed 5",
    )
)
def traverse(
    run: Path = typer.Argument(..., help="Run folder of a VAE-family model (vae, iwae, annealed-vae)."),
    out: Path = typer.Option(..., "--out", "-o", help="PNG or GIF file to write."),
    dims: str = typer.Option(
        "all", help="'all' (sorted by KL) or dimension indices like 0,3 (in that order)."
    ),
    value_range: tuple[float, float] = typer.Option(
        (-3.0, 3.0),
        "--range",
        help="Lowest and highest value of the traversed dimension (prior standard deviations).",
    ),
    steps: int = typer.Option(9, help="Values per dimension."),
    seed: int = typer.Option(0, help="Picks the test example whose code the traversal starts from."),
    split: str = typer.Option("test", help="train, val or test."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or cuda:N."),
) -> None:
    from genlab.latent import traverse_run
    from genlab.viz.latent import check_picture_path, save_picture, traversal_figure, traversal_frames

    check_picture_path(out)
    traversal = traverse_run(str(run), dims, value_range[0], value_range[1], steps, seed, split, device)
    frames = traversal_frames(traversal) if out.suffix.lower() == ".gif" else None
    path = save_picture(out, traversal_figure(traversal), frames)
    active = sum(traversal.active)
    log.info(
        "wrote a traversal of %d dimensions (%d active) from example %d to %s",
        len(traversal.dims),
        active,
        traversal.base_index,
        path,
    )


@app.command(
    help="Decode the path between the latent codes of two real images (straight, or --slerp along an arc). "
    "The strip shows image A, the decoded path, image B; a .gif --out animates the path."
    + examples(
        "genlab interpolate runs/vae --out path.png",
        "genlab interpolate runs/vae --out path.gif --a 3 --b 17 --steps 16 --slerp",
    )
)
def interpolate(
    run: Path = typer.Argument(..., help="Run folder."),
    out: Path = typer.Option(..., "--out", "-o", help="PNG or GIF file to write."),
    a: int = typer.Option(0, "--a", help="Index of the first image in the split."),
    b: int = typer.Option(1, "--b", help="Index of the second image in the split."),
    steps: int = typer.Option(10, help="Points on the path, both ends included."),
    slerp: bool = typer.Option(False, "--slerp", help="Spherical interpolation instead of a straight line."),
    split: str = typer.Option("test", help="train, val or test."),
    seed: int = typer.Option(0, help="Seed of any input noise (binarization)."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or cuda:N."),
) -> None:
    from genlab.latent import interpolate_run
    from genlab.viz.latent import check_picture_path, interpolation_frames, interpolation_strip, save_picture

    check_picture_path(out)
    xa, path_images, xb = interpolate_run(str(run), a, b, steps, slerp, split, seed, device)
    frames = interpolation_frames(path_images) if out.suffix.lower() == ".gif" else None
    path = save_picture(out, interpolation_strip(xa, path_images, xb), frames)
    log.info("wrote the path from example %d to example %d (%d steps) to %s", a, b, steps, path)
