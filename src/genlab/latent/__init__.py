"""Looking inside a latent space: paths between codes (:mod:`~genlab.latent.paths`, the one lerp
and slerp in genlab), a VAE's code (:mod:`~genlab.latent.codes`: active dimensions, traversals,
paths between real images) and a GAN's noise (:mod:`~genlab.latent.noise`: paths between seeds,
closed walks)."""

from genlab.latent.codes import (
    INACTIVE_KL,
    KL_EXAMPLES,
    Traversal,
    interpolate,
    interpolate_run,
    kl_per_dimension,
    load_images,
    parse_dims,
    traverse,
    traverse_run,
)
from genlab.latent.noise import (
    decode_noise,
    has_noise_space,
    interpolate_noise_run,
    is_noise_run,
    load_generator,
    noise_path,
    noise_walk,
    save_latent_walk,
    seed_noise,
    walk_noise_run,
)
from genlab.latent.paths import NEARLY_PARALLEL, closed_walk, interpolate_codes, lerp, slerp

__all__ = [
    "INACTIVE_KL",
    "KL_EXAMPLES",
    "NEARLY_PARALLEL",
    "Traversal",
    "closed_walk",
    "decode_noise",
    "has_noise_space",
    "interpolate",
    "interpolate_codes",
    "interpolate_noise_run",
    "interpolate_run",
    "is_noise_run",
    "kl_per_dimension",
    "lerp",
    "load_generator",
    "load_images",
    "noise_path",
    "noise_walk",
    "parse_dims",
    "save_latent_walk",
    "seed_noise",
    "slerp",
    "traverse",
    "traverse_run",
    "walk_noise_run",
]
