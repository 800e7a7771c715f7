"""DiscoGAN (Kim et al. 2017, arXiv:1703.05192)."""

from keras_gans.losses import l2
from keras_gans.models.translation import Translator
from keras_gans.networks.dcgan import dcgan_discriminator
from keras_gans.networks.encoder_decoder import encoder_decoder_generator
from keras_gans.registry import register_model


@register_model(
    "discogan",
    defaults=dict(image_shape=(32, 32, 3), filters=32, d_filters=32),
    tiny=dict(image_shape=(16, 16, 3), filters=4, d_filters=4),
)
class DiscoGAN(Translator):
    """DiscoGAN: two coupled GANs that discover cross-domain relations (Kim 2017).

    G_AB: A -> B and G_BA: B -> A are convolutional encoder-decoders with no
    skip connections (`keras_gans.networks.encoder_decoder.encoder_decoder_generator`);
    D_B judges domain B and D_A domain A. Losses (section 3.2 of the paper):
    each D has the standard GAN loss, and G's is

        L_G = L_GAN_B + L_GAN_A + reconstruction_weight * (L_CONST_A + L_CONST_B),

    with the non-saturating adversarial terms -E[log D_B(G_AB(a))] and
    -E[log D_A(G_BA(b))] and the reconstruction of each domain measured by
    the mean squared error, L_CONST_A = E[(G_BA(G_AB(a)) - a)^2] and
    L_CONST_B = E[(G_AB(G_BA(b)) - b)^2]. The paper weighs all four terms
    equally (`reconstruction_weight=1`). Both G's are trained together on
    that sum, both D's together on the sum of theirs, with Adam(2e-4, 0.5,
    0.999) as in the paper. That the reconstruction is squared (L2) and that
    there is no identity loss and no image pool is what tells it from
    CycleGAN, which measures its cycle by L1 with lambda = 10.

    Each D is the paper's: the generator's encoder (4x4 stride-2
    convolutions, BatchNorm after the first, LeakyReLU 0.2) followed by a
    final 4x4 convolution to one logit per image, which is
    `keras_gans.networks.dcgan_discriminator` (its last Dense layer on the
    4x4 features is that 4x4 convolution). One logit per image, not a
    PatchGAN grid: DiscoGAN's D judges the whole image, and the relations
    it is meant to discover (e.g. pose, shape) are global.

    The registered preset (32 px, 32 filters, 3 stride-2 stages) is the
    paper's architecture scaled to the bundled 32 px `digits-ink` data
    (the paper's images are 64 px with 64 filters and 4 stages), trained for
    30 epochs by default; docs/MODEL_NOTES.md#discogan has what they reach.

    Reference: Kim et al. 2017, arXiv:1703.05192.

    Args:
        image_shape: tuple. (H, W, C) of both domains (the paper: 64x64x3).
        filters: int. Width of G's first convolution (the paper: 64).
        depth: int or None. Stride-2 stages of G (None: down to 4x4, or 7x7
            at 28 px).
        d_filters: int. Width of D's first convolution (the paper: 64).
        reconstruction_weight: float. Weight of each domain's L2
            reconstruction loss against the adversarial terms (the paper: 1).
        loss: str. The adversarial loss (`keras_gans.losses`); the paper's
            is the standard GAN loss, "non_saturating".
        **kwargs: `Translator` arguments (seed, name, ...).

    Example:
    ```python
    model = keras_gans.get("discogan")
    model.compile()  # Adam(2e-4, beta_1=0.5, beta_2=0.999) for both sides
    model.fit(keras_gans.data.load_unpaired("digits-ink"), epochs=1)
    inked = model.translate(white_digits)
    back = model.translate(inked, direction="b_to_a")
    ```
    """

    two_way = True
    default_data = "digits-ink"
    #: Epochs of digits-ink (batch 16) the CLI trains by default.
    default_epochs = 30
    #: D is the DCGAN discriminator: its image sizes.
    image_sizes = "conv"
    metric_names = ("d_loss", "g_loss", "adv_loss", "reconstruction_a", "reconstruction_b")

    def __init__(self, image_shape=(64, 64, 3), filters=64, depth=None, d_filters=64,
                 reconstruction_weight=1.0, loss="non_saturating", **kwargs):
        super().__init__(image_shape=image_shape, loss=loss, **kwargs)
        self.reconstruction_weight = float(reconstruction_weight)

        def g(name):
            return encoder_decoder_generator(self.image_shape, filters=filters, depth=depth,
                                             name=name)

        def d(name):
            return dcgan_discriminator(self.image_shape, width=d_filters,
                                       normalization="batch", name=name)

        self.set_translation_networks(g("generator_ab"), d("discriminator_b"),
                                      g("generator_ba"), d("discriminator_a"))

    def generator_loss(self, real, generator_inputs):
        adv, rec_a_loss, rec_b_loss = self.reconstruction_losses(real, l2)
        loss = adv + self.reconstruction_weight * (rec_a_loss + rec_b_loss)
        return loss, {"g_loss": loss, "adv_loss": adv,
                      "reconstruction_a": rec_a_loss, "reconstruction_b": rec_b_loss}
