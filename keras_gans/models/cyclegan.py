"""CycleGAN (Zhu et al. 2017, arXiv:1703.10593)."""

from keras_gans.layers.image_pool import ImagePool
from keras_gans.losses import l1
from keras_gans.models.translation import Translator
from keras_gans.networks.translation import patchgan_discriminator, resnet_generator
from keras_gans.registry import register_model


@register_model(
    "cyclegan",
    defaults=dict(image_shape=(32, 32, 3), filters=32, num_blocks=1, d_filters=32, d_layers=2),
    tiny=dict(image_shape=(16, 16, 3), filters=4, num_blocks=1, d_filters=4, d_layers=2,
              pool_size=4),
)
class CycleGAN(Translator):
    """CycleGAN: unpaired A <-> B with cycle consistency (Zhu 2017).

    G: A -> B and F: B -> A are ResNet generators with instance norm; D_A and
    D_B are PatchGANs. Losses (section 3 of the paper):
    least-squares adversarial terms for both directions,
    `cycle_weight * (|F(G(a)) - a| + |G(F(b)) - b|)` and
    `identity_weight * (|G(b) - b| + |F(a) - a|)`. Each D sees fakes through
    a history pool of `pool_size` images (Shrivastava et al. 2017); the pools
    are model weights, saved and restored with the model.

    The paper's identity weight is 0.5 * cycle_weight (5 for lambda = 10; the
    constructor's default). On `digits-ink` the CLI sets it to 0
    (`data_presets`); see docs/MODEL_NOTES.md#cyclegan for why.

    The registered preset is small for 32-px digits on a CPU: 32 filters, one
    residual block (not 6 or 9), and a 2-layer PatchGAN (34x34 receptive
    field); docs/MODEL_NOTES.md#cyclegan has the comparison behind it.

    Reference: Zhu et al. 2017, arXiv:1703.10593.

    Args:
        image_shape: tuple. (H, W, C) of both domains.
        filters: int. Width of G's first convolution.
        num_blocks: int or None. Residual blocks in G (None: 9 at >= 256 px, else 6).
        downsamplings: int. Stride-2 convolutions in G.
        d_filters: int. Width of D's first convolution.
        d_layers: int. Stride-2 layers of D (3: the 70x70 PatchGAN).
        cycle_weight: float. lambda of the cycle loss.
        identity_weight: float or None. Weight of the identity loss; None:
            0.5 * cycle_weight, as in the paper.
        pool_size: int. Fakes kept per D (0: no pool).
        **kwargs: `Translator` arguments (loss, seed, ...).

    Example:
    ```python
    model = keras_gans.get("cyclegan", identity_weight=0.0)
    model.compile()  # Adam(2e-4, beta_1=0.5) for both sides
    model.fit(keras_gans.data.load_unpaired("digits-ink"), epochs=10)
    inked = model.translate(white_digits)
    back = model.translate(inked, direction="b_to_a")
    ```
    """

    two_way = True
    default_data = "digits-ink"
    default_epochs = 10
    data_presets = {"digits-ink": {"identity_weight": 0.0}}
    metric_names = ("d_loss", "g_loss", "adv_loss", "cycle_loss", "identity_loss")

    def __init__(self, image_shape=(32, 32, 3), filters=64, num_blocks=None, downsamplings=2,
                 d_filters=64, d_layers=3, cycle_weight=10.0, identity_weight=None,
                 pool_size=50, loss="least_squares", seed=None, **kwargs):
        super().__init__(image_shape=image_shape, loss=loss, seed=seed, **kwargs)
        self.cycle_weight = float(cycle_weight)
        self.identity_weight = (0.5 * self.cycle_weight if identity_weight is None
                                else float(identity_weight))

        def g(name):
            return resnet_generator(self.image_shape, filters=filters, num_blocks=num_blocks,
                                    downsamplings=downsamplings, name=name)

        def d(name):
            return patchgan_discriminator(self.image_shape, filters=d_filters,
                                          num_layers=d_layers, name=name)

        self.pool_a = ImagePool(pool_size, seed=seed, name="pool_a")
        self.pool_b = ImagePool(pool_size, seed=None if seed is None else seed + 1, name="pool_b")
        self.pool_a.build((None, *self.image_shape))
        self.pool_b.build((None, *self.image_shape))
        self.set_translation_networks(g("generator_ab"), d("discriminator_b"),
                                      g("generator_ba"), d("discriminator_a"))

    def discriminator_inputs(self, images, generator_inputs):
        fake_b, fake_a = images
        return self.pool_b(fake_b), self.pool_a(fake_a)

    def generator_loss(self, real, generator_inputs):
        a, b = real
        _, _, adv, rec_a, rec_b = self.cycle_terms(real)
        cycle = l1(rec_a, a) + l1(rec_b, b)
        loss = adv + self.cycle_weight * cycle
        logs = {"adv_loss": adv, "cycle_loss": cycle}
        if self.identity_weight:
            identity = (l1(self.generator(b, training=True), b)
                        + l1(self.generator_ba(a, training=True), a))
            loss = loss + self.identity_weight * identity
            logs["identity_loss"] = identity
        else:
            logs["identity_loss"] = 0.0
        logs["g_loss"] = loss
        return loss, logs
