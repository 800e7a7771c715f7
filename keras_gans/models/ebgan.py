"""EBGAN (Zhao et al. 2016, arXiv:1609.03126)."""

from keras import ops

from keras_gans import losses as losses_lib
from keras_gans.cross_replica import global_batch
from keras_gans.models.base import GAN, _adam
from keras_gans.networks import autoencoder_discriminator, dcgan_generator
from keras_gans.losses import pull_away_term
from keras_gans.registry import register_model


@register_model(
    "ebgan",
    defaults={
        "image_shape": (32, 32, 1),
        "latent_dim": 64,
        "g_width": 32,
        "d_width": 32,
        "code_dim": 64,
    },
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4, "code_dim": 8},
)
class EBGAN(GAN):
    """Energy-based GAN: an autoencoder D whose energy is the reconstruction MSE.

    D minimizes E[D(x)] + E[relu(m - D(G(z)))]: low energy on real images, energy
    of at least the margin m on generated ones. G minimizes E[D(G(z))] plus
    `pt_weight` times the pull-away term on the encoder's codes of its images
    (EBGAN-PT), which pushes a batch's codes apart against mode collapse.
    G is the DCGAN generator; D is `keras_gans.networks.autoencoder_discriminator`
    (BatchNorm, LeakyReLU, linear reconstruction). The CLI trains it for 15
    epochs of the bundled digits (docs/MODEL_NOTES.md#ebgan).

    Reference: Zhao et al. 2016, arXiv:1609.03126.

    Args:
        image_shape: tuple. (H, W, C); square, a side that is 3 to 7 times a
            power of two in [8, 256] (e.g. 28 or 32).
        latent_dim: int. Size of z.
        g_width: int. Filters of G's last hidden stage.
        d_width: int. Filters of the autoencoder's first encoder stage.
        code_dim: int. Size of the autoencoder's code.
        margin: float. m, in units of the per-pixel MSE of images in [-1, 1]
            (the paper's values were for its own energy scale); see
            docs/MODEL_NOTES.md#ebgan for the choice of 0.3.
        pt_weight: float. lambda_pt (0.1 in the paper); 0 turns the term off.
        d_normalization: str. "batch" or "none" in the autoencoder.
        **kwargs: passed to `keras_gans.models.GAN` (`n_critic`, `seed`, ...).

    Example:
    ```python
    model = keras_gans.get("ebgan", margin=0.3, pt_weight=0.1)
    model.compile()
    model.fit(keras_gans.data.load("digits", image_size=32), epochs=15)
    ```
    """

    metric_names = ("d_loss", "g_loss", "real_energy", "fake_energy", "pull_away")
    default_epochs = 15
    discriminator_is_autoencoder = True
    #: The autoencoder D's normalizations.
    argument_rules = {"*_normalization": ("batch", "none")}

    def __init__(
        self,
        image_shape=(32, 32, 1),
        latent_dim=100,
        g_width=64,
        d_width=64,
        code_dim=64,
        margin=0.3,
        pt_weight=0.1,
        d_normalization="batch",
        **kwargs,
    ):
        super().__init__(image_shape, latent_dim, **kwargs)
        if float(margin) <= 0:
            raise ValueError(f"margin must be > 0; got {margin}.")
        self.margin = float(margin)
        self.pt_weight = float(pt_weight)
        self.set_networks(
            lambda: dcgan_generator(self.image_shape, self.latent_dim, g_width),
            lambda: autoencoder_discriminator(
                self.image_shape, code_dim, d_width, normalization=d_normalization
            ),
        )

    def paper_optimizers(self):
        # Adam(beta_1=0.5) as in the paper's DCGAN-style setups; the paper grid-
        # searched the learning rate, 2e-4 is DCGAN's.
        return _adam(2e-4), _adam(2e-4)

    def energy(self, images, training=False):
        """Returns `(energy, code)`: per-image reconstruction MSE [B] and code."""
        reconstruction, code = self.discriminator(images, training=training)
        return losses_lib.reconstruction_energy(images, reconstruction, "l2"), code

    def discriminator_loss(self, real, fake):
        real_energy, _ = self.energy(real, training=True)
        fake_energy, _ = self.energy(fake, training=True)
        loss = losses_lib.ebgan_discriminator_loss(real_energy, fake_energy, self.margin)
        return loss, {
            "d_loss": loss,
            "real_energy": ops.mean(real_energy),
            "fake_energy": ops.mean(fake_energy),
        }

    def generator_loss(self, real, z):
        fake = self.generator(z, training=True)
        fake_energy, codes = self.energy(fake, training=True)
        pt = pull_away_term(global_batch(codes))  # over the global batch
        loss = losses_lib.ebgan_generator_loss(fake_energy) + self.pt_weight * pt
        return loss, {"g_loss": loss, "pull_away": pt}
