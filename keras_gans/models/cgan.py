"""Conditional GAN (Mirza & Osindero 2014, arXiv:1411.1784) on DCGAN networks."""

from keras_gans.models.conditional import ConditionalGAN
from keras_gans.networks.conditional import conditional_generator, label_discriminator
from keras_gans.registry import register_model


@register_model(
    "cgan",
    defaults={"image_shape": (32, 32, 1), "latent_dim": 64, "g_width": 32, "d_width": 32},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4},
)
class CGAN(ConditionalGAN):
    """Conditional GAN: the label goes to both G (embedded, joined to z) and D (an input channel).

    Reference: Mirza & Osindero 2014, arXiv:1411.1784.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        num_classes: int. K.
        g_width: int. Filters of G's last hidden stage.
        d_width: int. Filters of D's first stage.
        d_normalization: str. "batch", "layer" or "none".
        embed_dim: int or None. Size of G's label embedding (K when None).
        **kwargs: passed to `keras_gans.models.conditional.ConditionalGAN`
            (`fake_labels`, `loss`, `seed`, ...).

    Example:
    ```python
    model = keras_gans.get("cgan")
    model.compile()
    model.fit(keras_gans.data.load("digits", image_size=32, labels=True), epochs=60)
    sevens = model.sample(16, seed=0, labels=7)
    ```
    """

    default_epochs = 60

    def __init__(
        self, image_shape=(32, 32, 1), latent_dim=100, num_classes=10, g_width=64,
        d_width=64, d_normalization="batch", embed_dim=None, **kwargs,
    ):
        kwargs.setdefault("loss", "non_saturating")
        super().__init__(image_shape, latent_dim, num_classes, **kwargs)
        self.set_networks(
            lambda: conditional_generator(
                self.image_shape, self.latent_dim, num_classes=self.num_classes,
                width=g_width, embed_dim=embed_dim,
            ),
            lambda: label_discriminator(self.image_shape, self.num_classes, d_width, d_normalization),
        )
