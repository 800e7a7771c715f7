"""pix2pix (Isola et al. 2017, arXiv:1611.07004)."""

from keras_gans.losses import l1
from keras_gans.models.translation import Translator
from keras_gans.networks.translation import patchgan_discriminator, unet_generator
from keras_gans.registry import register_model


@register_model(
    "pix2pix",
    defaults=dict(image_shape=(32, 32, 1), filters=32, max_filters=128, d_filters=32, d_layers=2),
    tiny=dict(image_shape=(16, 16, 1), filters=4, d_filters=4, d_layers=2),
)
class Pix2Pix(Translator):
    """pix2pix: paired A -> B with a U-Net G and a PatchGAN D on (A, output) (Isola 2017).

    G is a U-Net whose decoder dropout is its only randomness (on in
    training; exports are deterministic). D sees the input and an output
    concatenated on channels and judges patches (70x70 with `d_layers=3`).
    Losses (eq. 4 of the paper): the conditional GAN loss (non-saturating for
    G) plus `l1_weight * |B - G(A)|`, lambda = 100; D's objective is halved,
    as in the paper's training notes.

    Reference: Isola et al. 2017, arXiv:1611.07004.

    Args:
        image_shape: tuple. (H, W, C) of both domains.
        filters: int. Width of the U-Net's first convolution.
        depth: int or None. U-Net levels (None: down to 1x1 for a power-of-two
            side, to 7x7 at 28 px: `keras_gans.networks.unet_generator`).
        dropout: float. Decoder dropout rate.
        max_filters: int. Cap on the U-Net's widths (512 in the paper).
        d_filters: int. Width of D's first convolution.
        d_layers: int. Stride-2 layers of D (3: the 70x70 PatchGAN).
        l1_weight: float. lambda of the L1 term.
        **kwargs: `Translator` arguments (loss, seed, ...).

    Example:
    ```python
    model = keras_gans.get("pix2pix")
    model.compile()  # Adam(2e-4, beta_1=0.5) for both
    model.fit(keras_gans.data.load_pairs("digits-edges"), epochs=15)
    digits = model.translate(edge_maps)
    ```
    """

    paired = True
    default_data = "digits-edges"
    default_epochs = 15
    metric_names = ("d_loss", "g_loss", "adv_loss", "l1_loss")

    def __init__(self, image_shape=(32, 32, 1), filters=64, depth=None, dropout=0.5, max_filters=512,
                 d_filters=64, d_layers=3, l1_weight=100.0, loss="non_saturating", **kwargs):
        super().__init__(image_shape=image_shape, loss=loss, **kwargs)
        self.l1_weight = float(l1_weight)
        channels = self.image_shape[-1]
        generator = unet_generator(self.image_shape, filters=filters, depth=depth,
                                   dropout=dropout, max_filters=max_filters, name="generator")
        discriminator = patchgan_discriminator(
            self.image_shape, condition_channels=channels, filters=d_filters,
            num_layers=d_layers, normalization="batch", name="discriminator")
        self.set_translation_networks(generator, discriminator)

    def discriminator_inputs(self, images, generator_inputs):
        return [generator_inputs, images]

    def discriminator_outputs(self, data):
        """D's patch outputs on the real (A, B) pairs."""
        return self.discriminator(list(self.unpack(data)), training=False)

    def discriminator_loss(self, real, fake):
        a, b = real
        loss = 0.5 * self.adversarial_d_loss(self.discriminator, [a, b], fake)
        return loss, {"d_loss": loss}

    def generator_loss(self, real, generator_inputs):
        a, b = real
        fake = self.generator(a, training=True)
        adv = self.adversarial_g_loss(self.discriminator, [a, fake])
        distance = l1(fake, b)
        loss = adv + self.l1_weight * distance
        return loss, {"g_loss": loss, "adv_loss": adv, "l1_loss": distance}
