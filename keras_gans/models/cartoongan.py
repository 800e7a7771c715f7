"""CartoonGAN (Chen et al. 2018, CVPR) and the base it shares with AnimeGAN.

`CartoonTranslator` holds what the two photo -> cartoon models share: a frozen
feature network for the content loss, the initialization phase (G trained on
the content loss alone for the first `init_steps` steps), and a discriminator
loss made of one "real" term and several weighted "fake" terms.
"""

from keras import ops

from keras_gans import image_ops
from keras_gans.losses import TARGET_LOSSES, l1, target_loss
from keras_gans.models.base import Step, _adam
from keras_gans.models.translation import Translator
from keras_gans.networks import features as features_lib
from keras_gans.networks.translation import patchgan_discriminator, resnet_generator
from keras_gans.registry import register_model

__all__ = ["CartoonTranslator", "CartoonGAN"]

class CartoonTranslator(Translator):
    """Base of CartoonGAN and AnimeGAN: one-way photo (A) -> cartoon (B) GANs
    with a frozen feature network and an initialization phase.

    The feature network (`self.features`) maps RGB images in [-1, 1] to a
    feature map; it is built from the `feature_extractor` spec by
    `keras_gans.networks.feature_extractor`, is frozen (no trainable weights,
    never in `generator_step_networks`) and is saved with the model.

    Initialization phase: while the model's `step_counter` is below
    `init_steps`, the only step is `generator_init`: G on the content loss
    alone. D's step and G's adversarial step have `when="after_init_phase"`,
    so in the phase they are not computed at all and D's optimizer has not
    run when D starts (Adam's bias correction starts fresh, as in the papers'
    code). The counter is saved with the model, so a resumed run stays past
    the phase.

    Subclasses build G and D with `set_translation_networks`, list the fakes D
    sees in `discriminator_fakes` and add their G terms in `generator_terms`.

    Args:
        image_shape: tuple. (H, W, C) of both domains.
        feature_extractor: str. The content/style network: "offline" (the
            project's download-free net with fixed seeded weights), "vgg19"
            (ImageNet weights, a download) or the path of a VGG19 weights file.
        feature_layer: str or None. The feature network's output layer (None:
            its default, VGG19's block4_conv4 / the offline net's last conv).
        init_steps: int. Steps of the initialization phase.
        loss: str. "non_saturating" or "least_squares".
        g_learning_rate: float. Adam's rate for G when `compile()` gets none.
        d_learning_rate: float. Adam's rate for D when `compile()` gets none.
        **kwargs: `Translator` arguments (seed, name, ...).

    Example:
    ```python
    model = keras_gans.get("cartoongan", init_steps=100)
    model.compile()
    [step.name for step in model.steps]  # generator_init, discriminator, generator
    bool(model.in_init_phase())          # True until step_counter reaches 100
    ```
    """

    default_data = "photo-cartoon"
    #: Files written before the step counter kept `trained_steps` first.
    legacy_counter = (0, 0)
    #: Weight of D's term on real cartoons (the fakes' weights are in
    #: `discriminator_fakes`).
    real_weight = 1.0
    #: The loss weights subclasses set from their constructor arguments:
    #: G's content term, G's adversarial term, and D's whole objective.
    content_weight = 1.0
    adv_weight = 1.0
    discriminator_adv_weight = 1.0

    def __init__(self, image_shape=(32, 32, 3), feature_extractor="offline", feature_layer=None,
                 init_steps=0, loss="non_saturating", g_learning_rate=2e-4,
                 d_learning_rate=2e-4, **kwargs):
        if loss not in TARGET_LOSSES:
            raise ValueError(
                f"{type(self).__name__} takes loss in {TARGET_LOSSES}; got {loss!r}."
            )
        if not isinstance(feature_extractor, str):
            raise ValueError(
                "feature_extractor must be a string: 'offline', 'vgg19' or the path of a "
                f"VGG19 weights file; got {feature_extractor!r}."
            )
        if int(init_steps) < 0:
            raise ValueError(f"init_steps must be >= 0; got {init_steps}.")
        super().__init__(image_shape=image_shape, loss=loss, **kwargs)
        self.feature_spec = feature_extractor
        self.feature_layer = feature_layer
        self.init_steps = int(init_steps)
        self.g_learning_rate = float(g_learning_rate)
        self.d_learning_rate = float(d_learning_rate)
        self.features = features_lib.feature_extractor(
            feature_extractor, self.image_shape, layer=feature_layer)

    def paper_optimizers(self):
        return _adam(self.d_learning_rate), _adam(self.g_learning_rate)

    # ------------------------------------------------------------ pieces

    @property
    def trained_steps(self):
        """Train steps run so far (the model's `step_counter`)."""
        return self.step_counter

    def in_init_phase(self):
        """Boolean tensor: is the current step in the initialization phase?"""
        return ops.less(ops.convert_to_tensor(self.step_counter), self.init_steps)

    def after_init_phase(self):
        """Boolean tensor: is the initialization phase over?"""
        return ops.logical_not(self.in_init_phase())

    def build_steps(self):
        """With `init_steps`: `generator_init` (content loss only) in the phase,
        then the base's D and G steps."""
        steps = super().build_steps()
        if not self.init_steps:
            return steps
        for step in steps:
            step.when = "after_init_phase"
        init = Step("generator_init", trains="generator", loss="generator_init_loss",
                    optimizer="g", when="in_init_phase")
        return [init] + steps

    def feature_map(self, images):
        """The frozen network's features of `images` (float32)."""
        return ops.cast(self.features(images, training=False), "float32")

    def content_loss(self, photos, generated):
        """mean |features(G(p)) - features(p)| (unweighted)."""
        return l1(self.feature_map(generated), self.feature_map(photos))

    def target_loss(self, logits, real):
        """`target_loss(self.loss_name, logits, real)`."""
        return target_loss(self.loss_name, logits, real)

    def discriminator_fakes(self, real, fake):
        """`[(images, weight), ...]` D is shown as fake: the generated images
        (weight 1) plus the model's extra fakes from the real batch `(a, b)`."""
        return [(fake, 1.0)]

    def generator_terms(self, real, fake):
        """The model's G terms after the phase besides the adversarial one:
        `(weighted sum, logs)`; none here."""
        return 0.0, {}

    # ------------------------------------------------------------ losses

    def adversarial_discriminator_loss(self, real, fake):
        """The D objective before the phase switch and the adversarial weight."""
        _, b = real
        loss = self.real_weight * self.target_loss(self.discriminator(b, training=True), True)
        for images, weight in self.discriminator_fakes(real, fake):
            loss = loss + weight * self.target_loss(
                self.discriminator(images, training=True), False)
        return loss

    def discriminator_loss(self, real, fake):
        loss = self.discriminator_adv_weight * self.adversarial_discriminator_loss(real, fake)
        return loss, {"d_loss": loss}

    def generator_loss(self, real, generator_inputs):
        a, _ = real
        fake = self.generator(a, training=True)
        content = self.content_loss(a, fake)
        adv = self.target_loss(self.discriminator(fake, training=True), True)
        extra, logs = self.generator_terms(real, fake)
        loss = self.content_weight * content + self.adv_weight * adv + extra
        logs.update(g_loss=loss, adv_loss=adv, content_loss=content)
        return loss, logs

    def generator_init_loss(self, real):
        """The initialization phase's G loss: the weighted content loss alone."""
        a, _ = real
        content = self.content_loss(a, self.generator(a, training=True))
        loss = self.content_weight * content
        return loss, {"g_loss": loss, "content_loss": content}

    def after_train_step(self, logs, real):
        logs["init_phase"] = ops.cast(self.in_init_phase(), "float32")
        return logs


@register_model(
    "cartoongan",
    defaults=dict(image_shape=(32, 32, 3), filters=16, num_blocks=8, d_filters=16, d_layers=2,
                  init_steps=160, feature_layer="block1_output", adv_weight=0.3),
    tiny=dict(image_shape=(16, 16, 3), filters=4, num_blocks=1, d_filters=4, d_layers=2,
              init_steps=1, feature_layer="block2_conv2"),
)
class CartoonGAN(CartoonTranslator):
    """CartoonGAN: photo -> cartoon with an edge-promoting adversarial loss (Chen 2018).

    G (section 3.1 of the paper): a flat convolution, two down-convolutions,
    `num_blocks` residual blocks (8 in the paper) and two up-convolutions:
    `keras_gans.networks.resnet_generator`. D: a small PatchGAN
    (`patchgan_discriminator`, `d_layers` stride-2 stages).

    Losses (eq. 2-4): the standard GAN loss, where D is shown real cartoons
    `c` as real and both generated images `G(p)` and edge-smoothed cartoons
    `e = image_ops.edge_smooth(c)` as fake (the edge-promoting loss, which
    teaches D that blurred edges are not cartoon-like):
    `L_D = -log D(c) - log(1 - D(e)) - log(1 - D(G(p)))` (means over D's
    patches); G minimizes the non-saturating `-log D(G(p))` plus the content
    loss `omega * |VGG(G(p)) - VGG(p)|_1` (mean; omega = `content_weight`,
    10 in the paper) on the frozen feature network's features (VGG19 conv4_4
    in the paper; the project's "offline" net by default, see
    `keras_gans.networks.feature_extractor`). The first `init_steps` steps are
    the initialization phase: content loss only, D untouched (the paper
    pre-trains G this way for 10 epochs); see `CartoonTranslator`.

    The registered `cartoongan` preset is sized for a short CPU run at 32 px
    (40 epochs of `photo-cartoon`, 640 steps): a 16-filter G with the
    paper's 8 blocks, a 16-filter two-stage D, a 160-step (10-epoch, as in
    the paper) initialization phase, the offline net's first block with its
    pixel group (`feature_layer="block1_output"`: full-resolution random
    features plus the image itself, see `offline_feature_net`) for the
    content loss, and `adv_weight=0.3`; see docs/MODEL_NOTES.md#cartoongan
    for why. With `feature_extractor="vgg19"` pass `feature_layer=None`
    (conv4_4) and `adv_weight=1.0` too.

    Reference: Chen et al. 2018, CVPR.

    Args:
        image_shape: tuple. (H, W, C) of both domains; H and W divisible by 4.
        filters: int. Width of G's first convolution (64 in the paper).
        num_blocks: int. G's residual blocks (8 in the paper).
        d_filters: int. Width of D's first convolution.
        d_layers: int. Stride-2 stages of D (2 in the paper).
        content_weight: float. omega, the content loss' weight.
        adv_weight: float. Weight of G's adversarial term.
        edge_weight: float. Weight of D's term on edge-smoothed cartoons.
        init_steps: int. Steps of the initialization phase.
        feature_extractor: str. "offline", "vgg19" or a VGG19 weights path.
        feature_layer: str or None. The feature layer (None: the default).
        **kwargs: `CartoonTranslator` arguments (learning rates, seed, ...).

    Example:
    ```python
    model = keras_gans.get("cartoongan")
    model.compile()
    model.fit(keras_gans.data.load_unpaired("photo-cartoon", image_size=32), epochs=40)
    cartoons = model.translate(photos)
    ```
    """

    default_epochs = 40
    metric_names = ("d_loss", "g_loss", "adv_loss", "content_loss", "init_phase")

    def __init__(self, image_shape=(32, 32, 3), filters=64, num_blocks=8, d_filters=32,
                 d_layers=2, content_weight=10.0, adv_weight=1.0, edge_weight=1.0,
                 init_steps=1000, feature_extractor="offline", feature_layer=None,
                 loss="non_saturating", **kwargs):
        super().__init__(image_shape=image_shape, feature_extractor=feature_extractor,
                         feature_layer=feature_layer, init_steps=init_steps, loss=loss, **kwargs)
        self.content_weight = float(content_weight)
        self.adv_weight = float(adv_weight)
        self.edge_weight = float(edge_weight)
        generator = resnet_generator(self.image_shape, filters=filters, num_blocks=num_blocks,
                                     downsamplings=2, name="generator")
        discriminator = patchgan_discriminator(self.image_shape, filters=d_filters,
                                               num_layers=d_layers, name="discriminator")
        self.set_translation_networks(generator, discriminator)

    def discriminator_fakes(self, real, fake):
        _, b = real
        return [(fake, 1.0), (image_ops.edge_smooth(b), self.edge_weight)]
