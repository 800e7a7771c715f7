"""Conditional GAN (Mirza & Osindero 2014, arXiv:1411.1784) on DCGAN networks."""

import keras

from keras_gans.models.conditional import ConditionalGAN
from keras_gans.networks.conditional import (
    LABEL_INPUTS,
    conditional_generator,
    label_discriminator,
)
from keras_gans.registry import register_model


@register_model(
    "cgan",
    defaults={"image_shape": (32, 32, 1), "latent_dim": 64, "g_width": 32, "d_width": 32},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4},
)
class CGAN(ConditionalGAN):
    """Conditional GAN: the label goes to both G (embedded, joined to z) and D.

    The paper conditions both players on y with fully connected networks (D
    joins x and y in a hidden layer); for these convolutional networks it says
    nothing of how, so the defaults are what drew the asked digit on digits
    (by the SVC judge of benchmarks/quality.py, seed 0, 60 epochs):
    - D takes the label by projection (`d_label="projection"`, Miyato &
      Koyama 2018: logit = linear(features) + <embed(y), features>). With
      the label as one extra input channel ("channel", the default before),
      G ignored the label for 25 epochs (asked digit 0.11 of the time at
      epoch 20) and ended at 0.992, digits-FID 2x that of the projection.
    - G's label embedding starts as strong as z (N(0, 1) entries, not Keras'
      U(-0.05, 0.05)), so G can use the label from the first steps.

    Reference: Mirza & Osindero 2014, arXiv:1411.1784.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        num_classes: int. K.
        g_width: int. Filters of G's last hidden stage.
        d_width: int. Filters of D's first stage.
        d_normalization: str. "batch", "layer" or "none".
        embed_dim: int or None. Size of G's label embedding (K when None).
        d_label: str. How D takes the label: "projection" or "channel" (see
            `keras_gans.networks.conditional.label_discriminator`). Files saved
            before this argument load with "channel".
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
    argument_rules = {"d_label": LABEL_INPUTS}

    def __init__(
        self, image_shape=(32, 32, 1), latent_dim=100, num_classes=10, g_width=64,
        d_width=64, d_normalization="batch", embed_dim=None, d_label="projection", **kwargs,
    ):
        kwargs.setdefault("loss", "non_saturating")
        super().__init__(image_shape, latent_dim, num_classes, **kwargs)
        self.set_networks(
            lambda: conditional_generator(
                self.image_shape, self.latent_dim, num_classes=self.num_classes,
                width=g_width, embed_dim=embed_dim,
                embed_initializer=keras.initializers.RandomNormal(stddev=1.0),
            ),
            lambda: label_discriminator(self.image_shape, self.num_classes, d_width, d_normalization,
                                        label_input=d_label),
        )

    @classmethod
    def from_config(cls, config):
        # Files written before d_label had the label channel: they reload as built.
        return super().from_config({"d_label": "channel", **config})
