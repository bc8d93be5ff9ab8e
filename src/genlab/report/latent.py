"""The latent pictures of a run's report: a VAE-family run's code (traversals, an interpolation), or
an image GAN run's noise space (straight and spherical paths)."""

from __future__ import annotations

import logging

import torch

from genlab.errors import GenlabError
from genlab.latent import INACTIVE_KL, interpolate_run, is_noise_run, load_generator, noise_path, traverse_run
from genlab.report.html import picture_uri, uri_figure
from genlab.run import Run
from genlab.viz.latent import GIF_FRAME_MS, interpolation_strip, walk_grid

log = logging.getLogger(__name__)


def _code_section(run: Run) -> str:
    """Traversal (still and animated) and an interpolation between two test images, of a VAE-family run."""
    traversal = traverse_run(str(run.path), device="cpu")
    a, path, b = interpolate_run(str(run.path), device="cpu")
    still = traversal.figure()
    figures = [
        uri_figure(picture_uri(still), f"traversal from test example {traversal.base_index}: rows sorted by KL"),
        uri_figure(picture_uri(still, traversal.frames(), GIF_FRAME_MS), "the same traversal, animated"),
        uri_figure(picture_uri(interpolation_strip(a, path, b)), "test example 0, the decoded straight path, test example 1"),
    ]
    active = sum(traversal.active)
    intro = (
        f"<p>{active} of {len(traversal.dims)} latent dimensions are active (mean KL at least {INACTIVE_KL} nats); "
        "inactive rows are faded and marked. Each row sets one dimension from "
        f"{traversal.values[0]:+g} to {traversal.values[-1]:+g} and keeps the others at the example's posterior mean.</p>"
    )
    return "\n".join(["<h2>Latent code</h2>", intro, *figures])


def _noise_section(run: Run, steps: int = 10) -> str:
    """The straight and the spherical path between the noise of seeds 0 and 1, of an image GAN run."""
    model = load_generator(run.path, device="cpu")
    label = 0 if model.config.classes else None
    rows = [noise_path(model, 0, 1, steps, spherical, label) for spherical in (False, True)]
    of_class = " (class 0)" if label is not None else ""
    caption = (
        f"the generator{of_class} from the noise of seed 0 to that of seed 1 in {steps} steps: "
        "straight line (top), arc (bottom); genlab interpolate RUN --out FILE draws it"
    )
    intro = (
        "<p>Gaussian noise lies near a sphere; the straight line between two draws passes inside it, "
        "the arc (slerp) keeps the norm.</p>"
    )
    return "\n".join(["<h2>Noise space</h2>", intro, uri_figure(picture_uri(walk_grid(torch.cat(rows), steps)), caption)])


def latent_section(run: Run) -> str:
    """HTML for the run report: the latent code of a VAE-family run or the noise space of an image
    GAN run; empty for other runs (autoencoders, vector data)."""
    try:
        return _noise_section(run) if is_noise_run(run.path) else _code_section(run)
    except GenlabError as e:  # no latent code or no pictures: nothing to show
        log.debug("no latent pictures in the report: %s", e)
        return ""
    except Exception as e:  # noqa: BLE001  (a figure must never cost the report, or a finished training)
        log.warning("could not draw the latent pictures of the report: %s", e)
        return ""
