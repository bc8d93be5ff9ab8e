"""Models: plain torch.nn.Modules with their loss beside them, found by name in one registry."""

from genlab.models.annealed_vae import AnnealedVAE, AnnealedVAEConfig
from genlab.models.autoencoder import AEConfig, Autoencoder, AutoencoderConfig
from genlab.models.classifier import Classifier, ClassifierConfig
from genlab.models.config import ModelConfig
from genlab.models.dbvae import DBVAEConfig, DebiasingVAE
from genlab.models.gan import GAN, DCGANConfig, GANConfig
from genlab.models.iwae import IWAE, IWAEConfig
from genlab.models.progan import ProGAN, ProGANConfig
from genlab.models.registry import MODELS, ModelSpec, build_model, get_model_spec, register_model
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
        "iwae", IWAE, IWAEConfig, "variational autoencoder on the tighter importance-weighted bound IWAE-k (Burda et al. 2016)",
        examples=(
            "genlab train iwae --data fashion-mnist --binarize --k 5 --epochs 10 --out runs/iwae",
            "genlab train iwae --data digits --binarize --k 50 --latent-dim 8 --out runs/iwae-digits",
        ),
    )
)  # fmt: skip
register_model(
    ModelSpec(
        "annealed-vae", AnnealedVAE, AnnealedVAEConfig,
        "beta-VAE with controlled capacity: recon + gamma |KL - C|, C annealed from 0 (Burgess et al. 2018)",
        examples=(
            "genlab train annealed-vae --data shapes --net conv --gamma 1000 --capacity 25 --capacity-steps 100000 --out runs/cvae",
            "genlab train annealed-vae --data digits --binarize --capacity 10 --capacity-steps 2000 --out runs/cvae-digits",
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

register_model(
    ModelSpec(
        "gan", GAN, GANConfig, "generative adversarial network (MLP players; losses, penalties, EMA, TTUR, labels)",
        examples=(
            "genlab train gan --data toy1d --epochs 40 --latent-dim 8 --hidden 64,64 --out runs/gan1d",
            "genlab train gan --data toy2d --loss hinge --epochs 40 --out runs/ring",
            "genlab train gan --data toy2d --loss wgan-gp --beta1 0 --beta2 0.9 --lr 1e-4 --d-steps 5 --out runs/ring-wgan",
        ),
    )
)  # fmt: skip
register_model(
    ModelSpec(
        "dcgan", GAN, DCGANConfig, "DCGAN: convolutional GAN for images (28x28, 32x32, 64x64, ...)",
        examples=(
            "genlab train dcgan --data fashion-mnist --lr 2e-4 --batch-size 64 --epochs 5 --channels 64,128 --out runs/dcgan",
            "genlab train dcgan --data fashion-mnist --conditional --lr 2e-4 --batch-size 64 --out runs/cgan",
            "genlab train dcgan --data folder:photos --resize 64 --loss hinge --spectral-norm --ema 0.999 --out runs/mine",
        ),
    )
)  # fmt: skip
register_model(
    ModelSpec(
        "progan", ProGAN, ProGANConfig, "progressive GAN: grows from 4x4 to the full resolution with fade-in (Karras et al. 2018)",
        examples=(
            "genlab train progan --data fashion-mnist --resize 32 --batch-size 32 --phase-steps 600 --max-steps 4200 --out runs/progan",
            "genlab train progan --data digits --phase-steps 200 --widths 64,32 --out runs/progan-digits",
        ),
    )
)  # fmt: skip

__all__ = [
    "GAN",
    "IWAE",
    "MODELS",
    "VAE",
    "AEConfig",
    "AnnealedVAE",
    "AnnealedVAEConfig",
    "Autoencoder",
    "AutoencoderConfig",
    "Classifier",
    "ClassifierConfig",
    "DBVAEConfig",
    "DCGANConfig",
    "DebiasingVAE",
    "GANConfig",
    "IWAEConfig",
    "ModelConfig",
    "ModelSpec",
    "ProGAN",
    "ProGANConfig",
    "VAEConfig",
    "build_model",
    "get_model_spec",
    "register_model",
]
