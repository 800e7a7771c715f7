"""DualGAN (Yi et al. 2017, arXiv:1704.02510)."""

import keras

from keras_gans.losses import clip_weights
from keras_gans.losses import l1
from keras_gans.models.translation import Translator
from keras_gans.networks.translation import patchgan_discriminator, unet_generator
from keras_gans.registry import register_model


@register_model(
    "dualgan",
    defaults=dict(image_shape=(32, 32, 3), filters=32, d_filters=32, d_layers=2),
    tiny=dict(image_shape=(16, 16, 3), filters=4, d_filters=4, d_layers=2),
)
class DualGAN(Translator):
    """DualGAN: primal and dual U-Net translators with WGAN critics (Yi 2017).

    The primal G_A maps A (the paper's U) to B (V), the dual G_B maps B back
    to A; both are pix2pix U-Nets whose decoder dropout is the noise z.
    D_B (`discriminator`) judges domain B and D_A (`discriminator_a`) domain
    A; both are PatchGAN critics with linear outputs. What makes it the
    paper (section 3 and Algorithm 1):

    - the Wasserstein loss for both critics: each minimizes
      E[D(fake)] - E[D(real)], and their weights are clipped to
      [-clip_value, clip_value] after every critic update (c = 0.01);
    - `n_critic` critic updates per generator update (2);
    - G_A and G_B are trained together on
      -E[D_B(G_A(a))] - E[D_A(G_B(b))]
      + lambda_a * E|G_B(G_A(a)) - a| + lambda_b * E|G_A(G_B(b)) - b|,
      the L1 reconstruction errors of both domains;
    - RMSprop with learning rate 5e-5 for both sides (`paper_optimizers`),
      "as momentum-based methods such as Adam would occasionally cause
      instability".

    The paper sets lambda_U and lambda_V in [100, 1000] depending on the data;
    the constructor's default, 500, is in the middle of that range, and the
    CLI keeps it on `digits-ink` (no `data_presets` entry); see
    docs/MODEL_NOTES.md#dualgan for the comparison.

    Known weakness on digits-ink: on some seeds G_A learns the inverted map
    (the strokes' polarity swapped), which the reconstruction terms then lock
    in; DiscoGAN does not have it. docs/MODEL_NOTES.md#dualgan lists the
    seeds and what was tried.

    The registered preset scales the paper's 256 px networks to the bundled
    32 px digits: U-Nets of width 32 and critics with `d_layers=2` (each
    logit sees 34x34 pixels, the whole image, as the 70x70 PatchGAN nearly
    does at 256 px), trained for 12 epochs by default.

    Where it differs from the paper, and why:

    - The critics have no normalization by default (`d_normalization="none"`).
      The paper takes its PatchGAN from pix2pix, which has BatchNorm (its
      reference code too). With BatchNorm a critic scores real and generated
      batches each by their own statistics, so it is not a function of single
      images (the Wasserstein estimate's premise), and its scale and offset are
      clipped to c like every weight; see `keras_gans.models.wgan.WGAN`.
      `d_normalization="batch"` restores pix2pix's critic.
    - The paper keeps dropout on at test time as its noise; here dropout is
      on only in training, so translations and exports are deterministic.
    - `n_critic` critic updates reuse the step's batch (the shared training
      loop takes one batch per step); the paper samples a batch per update.

    Reference: Yi et al. 2017, arXiv:1704.02510.

    Args:
        image_shape: tuple. (H, W, C) of both domains.
        filters: int. Width of the U-Nets' first convolution (the paper: 64).
        depth: int or None. U-Net levels (None: down to 1x1 for a power-of-two
            side, to 7x7 at 28 px: `keras_gans.networks.unet_generator`).
        dropout: float. Decoder dropout rate of the U-Nets (the noise z).
        d_filters: int. Width of the critics' first convolution.
        d_layers: int. Stride-2 layers of the critics (3: the 70x70 PatchGAN).
        d_normalization: str. "none" (the default), "batch" (pix2pix's) or
            "instance".
        lambda_a: float. Weight of A's reconstruction error (the paper's lambda_U).
        lambda_b: float. Weight of B's reconstruction error (lambda_V).
        clip_value: float. c, the critics' clipping bound (0.01).
        n_critic: int. Critic updates per generator update (2).
        loss: str. The adversarial loss; "wasserstein" is the paper's (weight
            clipping only makes sense with it).
        **kwargs: `Translator` arguments (seed, name, ...).

    Example:
    ```python
    model = keras_gans.get("dualgan")
    model.compile()  # RMSprop(5e-5) for both sides, as in the paper
    model.fit(keras_gans.data.load_unpaired("digits-ink"), epochs=1)
    inked = model.translate(white_digits)
    ```
    """

    two_way = True
    default_data = "digits-ink"
    #: Epochs of digits-ink (batch 16) the CLI trains by default.
    default_epochs = 12
    #: The PatchGAN critics' normalizations.
    argument_rules = {"d_normalization": ("batch", "instance", "none")}
    metric_names = ("d_loss", "g_loss", "adv_loss", "wasserstein",
                    "reconstruction_a", "reconstruction_b")

    def __init__(self, image_shape=(256, 256, 3), filters=64, depth=None, dropout=0.5,
                 d_filters=64, d_layers=3, d_normalization="none", lambda_a=500.0,
                 lambda_b=500.0, clip_value=0.01, n_critic=2, loss="wasserstein", **kwargs):
        if float(clip_value) <= 0:
            raise ValueError(f"clip_value must be > 0; got {clip_value}.")
        super().__init__(image_shape=image_shape, loss=loss, n_critic=n_critic, **kwargs)
        self.lambda_a = float(lambda_a)
        self.lambda_b = float(lambda_b)
        self.clip_value = float(clip_value)

        def g(name):
            return unet_generator(self.image_shape, filters=filters, depth=depth,
                                  dropout=dropout, name=name)

        def d(name):
            return patchgan_discriminator(self.image_shape, filters=d_filters,
                                          num_layers=d_layers, normalization=d_normalization,
                                          name=name)

        self.set_translation_networks(g("generator_a"), d("discriminator_b"),
                                      g("generator_b"), d("discriminator_a"))
        self.clip_critics()

    def paper_optimizers(self):
        # Yi et al., section 4: RMSProp, learning rate 5e-5, for both players.
        return (keras.optimizers.RMSprop(learning_rate=5e-5),
                keras.optimizers.RMSprop(learning_rate=5e-5))

    def clip_critics(self):
        """Clips every trainable variable of both critics to [-clip_value, clip_value]."""
        clip_weights(self.discriminator_step_networks(), self.clip_value)

    def after_discriminator_step(self):
        self.clip_critics()

    def discriminator_loss(self, real, fake):
        loss, logs = super().discriminator_loss(real, fake)
        return loss, {"d_loss": loss, "wasserstein": -loss}

    def generator_loss(self, real, generator_inputs):
        adv, rec_a_loss, rec_b_loss = self.reconstruction_losses(real, l1)
        loss = adv + self.lambda_a * rec_a_loss + self.lambda_b * rec_b_loss
        return loss, {"g_loss": loss, "adv_loss": adv,
                      "reconstruction_a": rec_a_loss, "reconstruction_b": rec_b_loss}
