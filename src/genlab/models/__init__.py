"""Models: plain torch.nn.Modules with their loss beside them, found by name in one registry."""

from genlab.models.autoencoder import AEConfig, Autoencoder, AutoencoderConfig
from genlab.models.classifier import Classifier, ClassifierConfig
from genlab.models.config import ModelConfig
from genlab.models.registry import MODELS, ModelSpec, build_model, get_model_spec, register_model
from genlab.models.dbvae import DBVAEConfig, DebiasingVAE
from genlab.models.vae import VAE, VAEConfig

register_model(
    ModelSpec(
        "ae", Autoencoder, AEConfig, "deterministic bottleneck autoencoder",
        examples=(
            "genlab train ae --data digits --latent-dim 8 --epochs 20 --out runs/ae",
            "genlab train ae --data fashion-mnist --net conv --loss mse --out runs/ae-conv",
        ),
    )
)  # fmt: skip
register_model(
    ModelSpec(
        "vae", VAE, VAEConfig, "variational autoencoder (reparameterization trick, ELBO, beta weighting)",
        examples=(
            "genlab train vae --data fashion-mnist --latent-dim 16 --epochs 10 --out runs/vae",
            "genlab train vae --data fashion-mnist --net conv --binarize --beta 4 --out runs/bvae",
            "genlab train vae --data digits --limit 500 --max-steps 200 --out runs/quick",
        ),
    )
)  # fmt: skip

register_model(
    ModelSpec(
        "classifier", Classifier, ClassifierConfig, "binary classifier (1 = positive, e.g. a face; 0 = negative)",
        examples=(
            "genlab train classifier --data faces-detection --epochs 5 --out runs/classifier",
        ),
    )
)  # fmt: skip
register_model(
    ModelSpec(
        "dbvae", DebiasingVAE, DBVAEConfig,
        "debiasing VAE (DB-VAE): a classifier that resamples rare positives by their latent density",
        examples=(
            "genlab train dbvae --data faces-detection --epochs 5 --alpha 0.01 --out runs/dbvae",
            "genlab train dbvae --data faces-detection --combine max --bins 20 --out runs/dbvae-max",
        ),
    )
)  # fmt: skip

__all__ = [
    "Classifier",
    "ClassifierConfig",
    "DBVAEConfig",
    "DebiasingVAE",
    "AEConfig",
    "Autoencoder",
    "AutoencoderConfig",
    "MODELS",
    "ModelConfig",
    "ModelSpec",
    "VAE",
    "VAEConfig",
    "build_model",
    "get_model_spec",
    "register_model",
]
