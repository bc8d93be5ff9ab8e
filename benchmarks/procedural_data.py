"""Generation speed of the procedural data sets against the training speed of a conv VAE on them.

For each image kind (shapes 64x64, faces 64x64 and 32x32, non-face negatives 64x64 and 32x32)
it renders batches of 256 from random factor vectors and reports images/s, then times training
steps (forward, backward, fused Adam) of a conv VAE on batches of 256 of the very same images and
reports examples/s. The ratio says how many times faster the data is made than consumed; above 1
generation can never bottleneck training (and the registered data sets render once, at load, only
the examples a run uses).
Rendering runs on one torch thread (genlab's default, see genlab.data.sdf.RENDER_THREADS); one
extra row per kind shows two threads. Training uses the process's torch threads.

    python benchmarks/procedural_data.py            # the full run (a few minutes on 2 cores)
    python benchmarks/procedural_data.py --quick    # a smoke test of the script

Writes benchmarks/results/procedural_data.json and a section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, markdown_table, write_docs_section, write_results

BATCH = 256
CHANNELS = {64: (32, 32, 64, 64), 32: (32, 64, 64)}  # conv widths, one per halving (to 4x4)


def renderers() -> dict[str, tuple[int, int, Callable[[np.random.Generator], torch.Tensor]]]:
    """name -> (size, default set's image count, a function rendering one batch)."""
    from genlab.data.faces import FaceFactors, Faces, FacesDetection
    from genlab.data.nonfaces import render_nonfaces
    from genlab.data.shapes import Shapes, ShapesFactors

    shapes, faces64, faces32 = ShapesFactors(), FaceFactors(size=64), FaceFactors(size=32)
    n_shapes = Shapes().n_train + Shapes().n_test
    n_faces = Faces().n_train + Faces().n_test
    n_negatives = FacesDetection().n_negatives + FacesDetection().n_test
    return {
        "shapes": (64, n_shapes, lambda rng: shapes.render(shapes.sample_factors(BATCH, rng))),
        "faces": (64, n_faces, lambda rng: faces64.render(faces64.sample_factors(BATCH, rng))),
        "faces --resize 32": (32, n_faces, lambda rng: faces32.render(faces32.sample_factors(BATCH, rng))),
        "non-faces": (64, n_negatives, lambda rng: render_nonfaces(BATCH, rng, 64)[0]),
        "non-faces --resize 32": (32, n_negatives, lambda rng: render_nonfaces(BATCH, rng, 32)[0]),
    }


def time_render(render: Callable[[np.random.Generator], torch.Tensor], repeats: int, threads: int) -> tuple[float, torch.Tensor]:
    """Median images/s over ``repeats`` batches, rendering on ``threads`` torch threads."""
    from genlab.data import sdf

    before, sdf.RENDER_THREADS = sdf.RENDER_THREADS, threads
    try:
        images = render(np.random.default_rng(0))  # warm-up, and the batch training will use
        rates = []
        for i in range(repeats):
            start = time.perf_counter()
            render(np.random.default_rng(i + 1))
            rates.append(BATCH / (time.perf_counter() - start))
    finally:
        sdf.RENDER_THREADS = before
    return statistics.median(rates), images


def time_training(images: torch.Tensor, steps: int) -> float:
    """Examples/s of conv VAE training steps on the batch ``images``, as genlab's trainer runs them on a CPU."""
    from genlab.models import VAE, VAEConfig

    torch.manual_seed(0)
    config = VAEConfig(input_shape=tuple(images.shape[1:]), net="conv", latent_dim=10, hidden=(256,),
                       channels=CHANNELS[images.shape[-1]])  # fmt: skip
    model = VAE(config).to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    x = images.contiguous(memory_format=torch.channels_last)

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        model(x)["loss"].backward()
        optimizer.step()

    step()  # warm-up
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps * BATCH / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke test: 2 batches each, 2 training steps")
    args = parser.parse_args()
    repeats, steps = (2, 2) if args.quick else (7, 10)

    rows = []
    for name, (size, n_default, render) in renderers().items():
        rate, images = time_render(render, repeats, threads=1)
        rate2, _ = time_render(render, repeats, threads=2)
        train = time_training(images, steps)
        row = {
            "data": name, "size": size, "channels": int(images.shape[1]), "batch": BATCH,
            "render_images_per_s": round(rate, 1), "render_images_per_s_2_threads": round(rate2, 1),
            "vae_train_examples_per_s": round(train, 1), "ratio": round(rate / train, 2),
            "default_set_images": n_default, "default_set_render_s": round(n_default / rate, 1),
        }  # fmt: skip
        print(f"  {row}", file=sys.stderr, flush=True)
        rows.append(row)

    payload = {"benchmark": "procedural_data", "quick": args.quick, "machine": machine(), "rows": rows,
               "never_bottleneck": all(r["ratio"] > 1 for r in rows)}  # fmt: skip
    name = "procedural_data.quick" if args.quick else "procedural_data"
    print(f"wrote {write_results(name, payload)}", file=sys.stderr)
    if not args.quick:
        write_docs_section("procedural_data", docs_section(payload))
        print("updated docs/benchmarks.md", file=sys.stderr)


def docs_section(payload: dict[str, Any]) -> str:
    m = payload["machine"]
    table = markdown_table(
        ["data", "image", "render images/s (1 thread)", "... (2 threads)", "conv VAE train examples/s",
         "render / train", "default set: images, render s"],
        [[r["data"], f"{r['channels']}x{r['size']}x{r['size']}", f"{r['render_images_per_s']:,.0f}",
          f"{r['render_images_per_s_2_threads']:,.0f}", f"{r['vae_train_examples_per_s']:,.0f}", f"{r['ratio']:.1f}x",
          f"{r['default_set_images']:,}, {r['default_set_render_s']:.0f} s"]
         for r in payload["rows"]],
    )  # fmt: skip
    return f"""## Procedural data: generation vs training speed (`benchmarks/procedural_data.py`)

Images/s of rendering batches of {BATCH} from random factor vectors (median of 7 batches), next to the
examples/s of conv VAE training steps (forward, backward, fused Adam; channels-last; latent 10, conv
widths 32-32-64-64 at 64x64 and 32-64-64 at 32x32, fc 256) on batches of {BATCH} of the same images. A
ratio above 1 means the data is made faster than a model consumes it. The registered data sets render
the examples a run uses once, when loaded, and then train from memory, so the last column (the default
set's size over the rendering rate; less with `--limit`) is the whole cost. Rendering uses one torch thread by default: it is many small passes,
and on a machine where other processes hold the cores, two threads made it many times slower.

Measured on {m['cpu']}, {m['cores']} cores, torch {m['torch']} ({m['torch_threads']} threads for training),
{m['date']}.

{table}

Reproduce: `.venv/bin/python benchmarks/procedural_data.py` (a few minutes on 2 cores).
"""


if __name__ == "__main__":
    main()
