"""Triple-GAN (Li, Xu, Zhu & Zhang 2017, arXiv:1703.02291)."""

from keras import ops

from keras_gans.losses import (
    auxiliary_classifier_loss,
    entropy_loss,
    triple_gan_classifier_adversarial_loss,
    triple_gan_discriminator_loss,
)
from keras_gans.models.base import Step, _adam
from keras_gans.models.conditional import ConditionalGAN, SemiSupervisedMixin
from keras_gans.networks.conditional import (
    conditional_generator,
    image_encoder,
    label_discriminator,
)
from keras_gans.registry import register_model


def triple_gan_classifier(image_shape, num_classes, width=32, normalization="batch", dropout=0.2):
    """Triple-GAN's C as a network: images -> K class logits.

    Args:
        image_shape: tuple. (H, W, C).
        num_classes: int. K.
        width: int. Filters of the first stage.
        normalization: str. "batch", "layer" or "none".
        dropout: float. Dropout after each stage.

    Returns:
        keras.Model named "classifier". Images -> logits `[N, K]`.
    """
    return image_encoder(image_shape, num_classes, width, normalization, dropout, name="classifier")


@register_model(
    "triple_gan",
    defaults={"image_shape": (32, 32, 1), "latent_dim": 64, "g_width": 32, "d_width": 32,
              "c_width": 32},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4, "c_width": 4},
)
class TripleGAN(SemiSupervisedMixin, ConditionalGAN):
    """Triple-GAN: a classifier C(y|x), a conditional G(x|y) and D judging (x, y) pairs.

    D tells labelled real pairs (x, y) from pairs made by G, (G(z, y), y), and
    by C, (x, C(x)) for unlabelled x (weights `1 - alpha` and `alpha`). G tries
    to pass D; C tries to pass D (its soft prediction is D's label input, so
    the gradient reaches C; weight `alpha * adversarial_weight`), fits the
    labelled examples, makes confident predictions on the unlabelled ones
    (entropy term, `entropy_weight`) and after `pseudo_start` steps also
    classifies G's images as the labels they were made from (the paper's R_P,
    weight `pseudo_weight`). The small adversarial and the entropy weights
    follow the paper's code for MNIST. Each train step updates D, then G, then
    C. C is exported as `classify`; G as `serving_default` (z, labels).

    Reference: Li, Xu, Zhu & Zhang 2017, arXiv:1703.02291.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        num_classes: int. K.
        g_width, d_width, c_width: int. Widths of G, D and C.
        d_normalization: str. D's normalization.
        d_dropout: float. Dropout in D (it sees only the labelled images as
            real pairs and would otherwise learn them by heart).
        c_dropout: float. Dropout in C.
        alpha: float. Share of C's pairs among D's fakes.
        adversarial_weight: float. Weight of C's adversarial term (times alpha).
        entropy_weight: float. Weight of the entropy of C's predictions on
            unlabelled images.
        pseudo_weight: float. Weight of C's loss on G's images.
        pseudo_start: int. Train steps before that term starts.
        pseudo_real: bool. As the authors' MNIST code does (the default):
            D also takes the unlabelled images with C's argmax label as real
            pairs, C's pairs reach D with that hard label, and C's adversarial
            term is weighted by C's probability of it. False reads eq. 1
            literally: D's only real pairs are the labelled ones and C's soft
            prediction is D's label input; with 100 labels D then learns those
            100 images by heart and G never leaves noise (docs/MODEL_NOTES.md).
        **kwargs: passed to `keras_gans.models.conditional.ConditionalGAN`.

    Example:
    ```python
    model = keras_gans.get("triple_gan")
    model.compile()  # also builds C's optimizer (c_optimizer=...)
    ds = keras_gans.data.load("digits", labels=True, labelled=100, labelled_per_batch=16)
    model.fit(ds, epochs=40)
    model.classify(images)  # [N, 10] class probabilities
    ```
    """

    default_epochs = 40
    metric_names = ("d_loss", "g_loss", "c_loss", "c_supervised_loss")
    player_names = ("generator", "discriminator", "classifier")
    #: Files written before the step counter kept C's step count first.
    legacy_counter = (0, 0)

    def __init__(
        self, image_shape=(32, 32, 1), latent_dim=100, num_classes=10, g_width=64,
        d_width=64, c_width=32, d_normalization="batch", d_dropout=0.2, c_dropout=0.2,
        alpha=0.5, adversarial_weight=0.02, entropy_weight=0.3, pseudo_weight=0.1,
        pseudo_start=600, pseudo_real=True, **kwargs,
    ):
        kwargs.setdefault("loss", "non_saturating")
        super().__init__(image_shape, latent_dim, num_classes, **kwargs)
        self.alpha = float(alpha)
        self.adversarial_weight = float(adversarial_weight)
        self.entropy_weight = float(entropy_weight)
        self.pseudo_weight = float(pseudo_weight)
        self.pseudo_start = int(pseudo_start)
        self.pseudo_real = bool(pseudo_real)
        self.set_players(
            classifier=lambda: triple_gan_classifier(
                self.image_shape, self.num_classes, c_width, "batch", c_dropout),
            generator=lambda: conditional_generator(
                self.image_shape, self.latent_dim, num_classes=self.num_classes, width=g_width),
            discriminator=lambda: label_discriminator(
                self.image_shape, self.num_classes, d_width, d_normalization,
                soft_labels=True, dropout=d_dropout),
        )

    # ------------------------------------------------------------- the game

    def build_steps(self):
        """D, then G (the base's steps), then C."""
        return super().build_steps() + [
            Step("classifier", trains="classifier", loss="classifier_step_loss", optimizer="c")]

    def default_optimizers(self):
        """The base's D and G optimizers, and Adam(3e-4, 0.5) for C."""
        return {**super().default_optimizers(), "c": _adam(3e-4)}

    # ------------------------------------------------------------ training

    def classifier_logits(self, images, training=False):
        return self.classifier(images, training=training)

    def discriminator_inputs(self, images, generator_inputs):
        return [images, ops.one_hot(generator_inputs[1], self.num_classes)]

    def discriminator_outputs(self, data):
        """D's outputs on the real images with their labels (class 0 where unlabelled)."""
        x, y = self.unpack(data)
        return self.discriminator([x, ops.one_hot(ops.maximum(y, 0), self.num_classes)],
                                  training=False)

    def discriminator_loss(self, real, fake):
        x, y = real
        labelled = y >= 0
        given = ops.one_hot(ops.maximum(y, 0), self.num_classes)
        c_probs = ops.stop_gradient(ops.softmax(self.classifier(x, training=True), axis=-1))
        if self.pseudo_real:
            # The unlabelled rows' real pairs are C's pairs, (x, argmax C(x)):
            # one pass of D scores both terms.
            given = ops.where(labelled[:, None], given, self._argmax_labels(c_probs))
            real_logits = c_logits = self.discriminator([x, given], training=True)
            real_mask = ops.ones_like(labelled)
        else:
            real_logits = self.discriminator([x, given], training=True)
            c_logits = self.discriminator([x, c_probs], training=True)
            real_mask = labelled
        g_logits = self.discriminator(fake, training=True)
        loss = triple_gan_discriminator_loss(
            real_logits, g_logits, c_logits, self.alpha,
            real_mask=real_mask, classified_mask=ops.logical_not(labelled),
        )
        return loss, {"d_loss": loss}

    def _argmax_labels(self, probs):
        """C's most probable class as a one-hot row (no gradient through it)."""
        return ops.one_hot(ops.argmax(probs, axis=-1), self.num_classes)

    def classifier_loss(self, real):
        """C's loss on a real batch: supervised + adversarial + (later) pseudo-labels."""
        x, y = real
        logits = self.classifier(x, training=True)
        sup = auxiliary_classifier_loss(logits, y)
        probs = ops.softmax(logits, axis=-1)
        unlabelled = y < 0
        if self.pseudo_real:
            d_logits = self.discriminator([x, self._argmax_labels(probs)], training=True)
            adv = triple_gan_classifier_adversarial_loss(
                d_logits, mask=unlabelled, weights=ops.max(probs, axis=-1))
        else:
            d_logits = self.discriminator([x, probs], training=True)
            adv = triple_gan_classifier_adversarial_loss(d_logits, mask=unlabelled)
        ent = entropy_loss(logits, mask=unlabelled)
        g_in = self.generator_inputs(ops.shape(x)[0], real)
        fake = ops.stop_gradient(self.generator(g_in, training=True))
        pseudo = auxiliary_classifier_loss(self.classifier(fake, training=True), g_in[1])
        on = ops.cast(self.step_counter >= self.pseudo_start, "float32")
        loss = (
            sup
            + self.alpha * self.adversarial_weight * adv
            + self.entropy_weight * ent
            + on * self.pseudo_weight * pseudo
        )
        return loss, {"c_loss": loss, "c_supervised_loss": sup}

    def classifier_step_loss(self, real):
        """The C step's loss: `classifier_loss` on the real batch."""
        return self.classifier_loss(real)

    def serving_signatures(self):
        """`serving_default` (z, labels -> images) and `classify` (images -> probabilities)."""
        signatures = super().serving_signatures()
        signatures["classify"] = self.classify_signature()
        return signatures
