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
    from genlab.viz.latent import check_picture_path, save_picture

    check_picture_path(out)
    traversal = traverse_run(str(run), dims, value_range[0], value_range[1], steps, seed, split, device)
    frames = traversal.frames() if out.suffix.lower() == ".gif" else None
    path = save_picture(out, traversal.figure(), frames)
    active = sum(traversal.active)
    log.info(
        "wrote a traversal of %d dimensions (%d active) from example %d to %s",
        len(traversal.dims),
        active,
        traversal.base_index,
        path,
    )


@app.command(
    help="Draw the path between two points of a run's latent space, straight or (--slerp) along an arc. "
    "VAE/AE runs: the path between the codes of two real images (--a, --b: their indices in --split); "
    "the strip shows image A, the decoded path, image B. "
    "GAN runs (gan, dcgan, progan): the generator along the path between the noise vectors of two seeds "
    "(--a, --b: noise seeds), with the EMA generator when the run has one; Gaussian noise lies near a "
    "sphere, so --slerp is the usual choice there, the straight line passes inside it. A conditional GAN "
    "keeps the class --label fixed along the path. --walk K draws a closed loop through the noise of "
    "seeds --seed .. --seed+K-1 instead (one row per leg; as a GIF it cycles smoothly). "
    "A .gif --out animates the path."
    + examples(
        "genlab interpolate runs/vae --out path.png",
        "genlab interpolate runs/vae --out path.gif --a 3 --b 17 --steps 16 --slerp",
        "genlab interpolate runs/dcgan --out noise.png --a 0 --b 7 --slerp",
        "genlab interpolate runs/cgan --out three.png --label 3 --slerp",
        "genlab interpolate runs/dcgan --out walk.gif --walk 5 --steps 12 --slerp --seed 2",
    )
)
def interpolate(
    run: Path = typer.Argument(..., help="Run folder."),
    out: Path = typer.Option(..., "--out", "-o", help="PNG or GIF file to write."),
    a: int | None = typer.Option(
        None, "--a", help="Start: index of an image in the split (VAE), or a noise seed (GAN). Default 0."
    ),
    b: int | None = typer.Option(
        None, "--b", help="End: index of an image in the split (VAE), or a noise seed (GAN). Default 1."
    ),
    steps: int = typer.Option(10, help="Points on the path, both ends included (with --walk: per leg)."),
    slerp: bool = typer.Option(
        False, "--slerp", help="Spherical interpolation instead of a straight line (the usual choice for GAN noise)."
    ),
    label: int | None = typer.Option(
        None, help="Class kept fixed along the path of a conditional GAN (required for one)."
    ),
    walk: int | None = typer.Option(
        None, help="GAN: a closed walk through the noise of K seeds (--seed, --seed+1, ...) instead of --a to --b."
    ),
    split: str = typer.Option("test", help="VAE: train, val or test."),
    seed: int = typer.Option(0, help="VAE: seed of any input noise (binarization). GAN --walk: the first seed."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or cuda:N."),
) -> None:
    from genlab.errors import ConfigError
    from genlab.latent import interpolate_noise_run, interpolate_run, is_noise_run, walk_noise_run
    from genlab.viz.latent import (
        check_picture_path,
        interpolation_frames,
        interpolation_strip,
        path_strip,
        save_picture,
        walk_grid,
    )

    check_picture_path(out)
    gif = out.suffix.lower() == ".gif"
    if not is_noise_run(run):
        if walk is not None or label is not None:
            raise ConfigError(
                f"--{'walk' if walk is not None else 'label'} applies to GAN runs; "
                "a VAE run interpolates between two real images (--a, --b)"
            )
        a, b = (0 if a is None else a), (1 if b is None else b)
        xa, path_images, xb = interpolate_run(str(run), a, b, steps, slerp, split, seed, device)
        frames = interpolation_frames(path_images) if gif else None
        path = save_picture(out, interpolation_strip(xa, path_images, xb), frames)
        log.info("wrote the path from example %d to example %d (%d steps) to %s", a, b, steps, path)
    elif walk is not None:
        if a is not None or b is not None:
            raise ConfigError("--walk goes through the noise of seeds --seed, --seed+1, ...; drop --a and --b")
        images = walk_noise_run(str(run), walk, steps, seed, slerp, label, device)
        path = save_picture(out, walk_grid(images, steps), interpolation_frames(images, bounce=False) if gif else None)
        log.info("wrote a walk through the noise of seeds %d to %d (%d steps each) to %s", seed, seed + walk - 1, steps, path)
    else:
        a, b = (0 if a is None else a), (1 if b is None else b)
        images = interpolate_noise_run(str(run), a, b, steps, slerp, label, device)
        path = save_picture(out, path_strip(images), interpolation_frames(images) if gif else None)
        log.info("wrote the path from the noise of seed %d to seed %d (%d steps) to %s", a, b, steps, path)

