"""SNGAN (Miyato et al. 2018, arXiv:1802.05957)."""

from keras_gans.models.base import GAN, _adam
from keras_gans.networks import dcgan_generator
from keras_gans.networks.sn import sn_dcgan_discriminator
from keras_gans.registry import register_model


@register_model(
    "sngan",
    defaults={"image_shape": (32, 32, 1), "latent_dim": 64, "g_width": 32, "d_width": 32},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4},
)
class SNGAN(GAN):
    """Spectrally normalized GAN: SN on every D weight layer, hinge loss.

    G is the DCGAN generator (BatchNorm, ReLU, tanh). D is the DCGAN
    discriminator with every `Conv2D` and `Dense` wrapped in
    `keras.layers.SpectralNormalization` (one power-iteration step per
    training call) and no BatchNorm. D minimizes
    E[relu(1 - D(x))] + E[relu(1 + D(G(z)))], G minimizes -E[D(G(z))]
    (the paper's eq. 16-17).

    Optimizers: the paper tried six Adam settings (Table 1, A-F); the default
    here is setting C, alpha=2e-4, beta1=0.5, beta2=0.999, n_dis=1 (the
    DCGAN setting, on which SN-GAN trained well). `ttur=True` keeps the betas
    and sets the two time-scale learning rates of Heusel et al. 2017 as
    SAGAN used them: D 4e-4, G 1e-4.

    Note: Keras' `SpectralNormalization` writes W / sigma into the kernel
    variable on each training call, so gradients are taken with respect to
    the normalized kernel and do not flow through sigma (the paper
    differentiates through W / sigma(W)). The kernel used in every forward
    pass still has spectral norm ~1.

    Reference: Miyato et al. 2018, arXiv:1802.05957.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        g_width: int. Filters of G's last hidden stage.
        d_width: int. Filters of D's first stage.
        n_critic: int. D updates per G update (n_dis; 1 in setting C).
        power_iterations: int. Power-method steps per SN training call.
        ttur: bool. D lr 4e-4 and G lr 1e-4 instead of 2e-4 for both.
        **kwargs: passed to `keras_gans.models.GAN` (seed, name).

    Example:
    ```python
    model = keras_gans.get("sngan", ttur=True)
    model.compile()  # Adam(4e-4) for D, Adam(1e-4) for G, betas (0.5, 0.999)
    model.fit(keras_gans.data.load("digits", image_size=32), epochs=1)
    ```
    """

    #: Epochs of the bundled digits (batch 64) that the CLI trains by default.
    default_epochs = 25

    def __init__(
        self,
        image_shape=(32, 32, 1),
        latent_dim=100,
        g_width=64,
        d_width=64,
        n_critic=1,
        power_iterations=1,
        ttur=False,
        **kwargs,
    ):
        kwargs["loss"] = "hinge"
        super().__init__(image_shape, latent_dim, n_critic=n_critic, **kwargs)
        self.ttur = bool(ttur)
        self.set_networks(
            lambda: dcgan_generator(self.image_shape, self.latent_dim, g_width),
            lambda: sn_dcgan_discriminator(
                self.image_shape, d_width, power_iterations=power_iterations
            ),
        )

    def paper_optimizers(self):
        if self.ttur:
            return _adam(4e-4, 0.5, 0.999), _adam(1e-4, 0.5, 0.999)
        # Miyato et al. 2018, Table 1, setting C.
        return _adam(2e-4, 0.5, 0.999), _adam(2e-4, 0.5, 0.999)
