"""Label-noise robust GANs: rAC-GAN and rcGAN (Kaneko, Ushiku & Harada 2019, CVPR)."""

import numpy as np

import keras
from keras import ops

from keras_gans import data as data_lib
from keras_gans.losses import (
    auxiliary_classifier_loss,
    noisy_classifier_loss,
    update_anchor_rows,
)
from keras_gans.models.acgan import ACGAN
from keras_gans.cross_replica import global_batch
from keras_gans.models.base import GAN
from keras_gans.networks.conditional import conditional_generator, label_discriminator
from keras_gans.registry import register_model


@register_model(
    "rgan_label_noise",
    defaults={"image_shape": (32, 32, 1), "latent_dim": 64, "g_width": 32, "d_width": 32,
              "embed_dim": 64},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4},
)
class RGANLabelNoise(ACGAN):
    """Label-noise robust rAC-GAN / rcGAN: a noise transition T lets G learn clean classes.

    The training labels are noisy: an observed label j for an image of true
    class i with probability T[i, j]. G stays conditioned on clean labels.
    - `variant="ac"` (rAC-GAN): D's class head models the clean posterior
      p(y | x); on real images it is pushed through T, p(noisy | x) =
      p(y | x) T, before the cross-entropy with the noisy labels.
    - `variant="c"` (rcGAN): D judges (image, label) pairs; a generated image's
      clean label y is replaced by a noisy one drawn from T[y] before D sees
      it, so fake pairs carry the same noise as the real ones.

    T is known (`noise_rate` and `noise_kind`, or an explicit `transition`) or
    estimated (`transition="estimate"`): for the first `estimate_steps` steps D's
    class head is trained on the noisy labels as they are, and each class's
    anchor (the real image it is surest of in the second half of that time)
    gives a row of T (Patrini et al. 2017); `variant="ac"` only.

    Reference: Kaneko, Ushiku & Harada 2019, CVPR.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        num_classes: int. K.
        variant: str. "ac" or "c".
        noise_rate: float. The label noise rate of the data.
        noise_kind: str. "symmetric" or "asymmetric" (see
            `keras_gans.data.noise_transition`).
        transition: None, a K x K nested list, or "estimate". None builds T
            from `noise_rate` and `noise_kind`.
        estimate_steps: int. Steps of the estimation phase (`transition="estimate"`).
        g_width, d_width, d_normalization, class_weight, embed_dim, d_dropout: as
            `acgan` (d_dropout 0.5: without it D overfits the digits and, by
            the SVC judge of benchmarks/quality.py, G drew the asked digit 1.00
            of the time at epoch 20 and 0.61 at 60, down to 6 classes; with
            it, 1.00 from epoch 30 to 60).
        fake_class_weight: float. Weight of D's class term on generated images
            (rAC-GAN only). 0 by default: D's class head then learns the clean
            posterior from the noisy real labels through T alone; with AC-GAN's
            1 it also learns G's classes (docs/MODEL_NOTES.md#rgan_label_noise).
        **kwargs: passed to `keras_gans.models.conditional.ConditionalGAN`.

    Example:
    ```python
    model = keras_gans.get("rgan_label_noise", variant="ac", noise_rate=0.5)
    model.compile()
    ds = keras_gans.data.load("digits", labels=True, label_noise=0.5)
    model.fit(ds, epochs=60)
    ```
    """

    default_epochs = 60
    #: `keras-gans train` trains it on labels with this much symmetric noise
    #: (and tells the model the rate) unless --label-noise says otherwise.
    default_label_noise = 0.5
    #: The CLI passes its --label-noise / --noise to noise_rate / noise_kind.
    uses_noise_transition = True

    def __init__(
        self, image_shape=(32, 32, 1), latent_dim=100, num_classes=10, variant="ac",
        noise_rate=0.5, noise_kind="symmetric", transition=None, estimate_steps=500,
        g_width=64, d_width=64, d_normalization="batch", class_weight=1.0,
        embed_dim=None, fake_class_weight=0.0, d_dropout=0.5, **kwargs,
    ):
        if variant not in ("ac", "c"):
            raise ValueError(f"variant must be 'ac' (rAC-GAN) or 'c' (rcGAN); got {variant!r}.")
        self.variant = variant
        super().__init__(
            image_shape, latent_dim, num_classes, g_width, d_width, d_normalization,
            class_weight, embed_dim, fake_class_weight, d_dropout, **kwargs,
        )
        k = self.num_classes
        self.estimate = isinstance(transition, str)
        if self.estimate:
            if transition != "estimate":
                raise ValueError(
                    f"transition must be None, a {k}x{k} matrix or 'estimate'; got {transition!r}."
                )
            if variant != "ac":
                raise ValueError("transition='estimate' needs variant='ac' (D's class head).")
            if int(estimate_steps) < 2:
                raise ValueError(f"estimate_steps must be >= 2; got {estimate_steps}.")
            t = np.eye(k, dtype="float32")
        elif transition is None:
            t = data_lib.noise_transition(noise_rate, noise_kind, k)
        else:
            t = np.asarray(transition, "float32")
            if t.shape != (k, k) or np.any(t < 0) or not np.allclose(t.sum(1), 1.0, atol=1e-4):
                raise ValueError(
                    f"transition must be a {k}x{k} matrix of non-negative rows summing "
                    f"to 1; got shape {t.shape}."
                )
        self.estimate_steps = int(estimate_steps)
        self.transition = self.add_weight(
            shape=(k, k), initializer=keras.initializers.Constant(t), trainable=False,
            aggregation="only_first_replica", name="transition",
        )
        if self.estimate:
            self.anchor_scores = self.add_weight(
                shape=(k,), initializer=keras.initializers.Constant(-1.0), trainable=False,
                aggregation="only_first_replica", name="anchor_scores",
            )
            self.anchor_rows = self.add_weight(
                shape=(k, k), initializer="zeros", trainable=False, name="anchor_rows",
                aggregation="only_first_replica",
            )

    def build_networks(self, g_width, d_width, d_normalization, embed_dim, d_dropout=0.0):
        if self.variant == "ac":
            return super().build_networks(g_width, d_width, d_normalization, embed_dim, d_dropout)
        return (
            conditional_generator(
                self.image_shape, self.latent_dim, num_classes=self.num_classes,
                width=g_width, embed_dim=embed_dim,
            ),
            label_discriminator(self.image_shape, self.num_classes, d_width, d_normalization,
                                dropout=d_dropout),
        )

    def noise_transition(self):
        """The transition matrix T in use (numpy [K, K])."""
        return ops.convert_to_numpy(self.transition)

    # ------------------------------------------------------------- rAC-GAN

    def real_class_loss(self, class_logits, labels):
        noisy = noisy_classifier_loss(class_logits, labels, self.transition)
        if not self.estimate:
            return noisy
        plain = auxiliary_classifier_loss(class_logits, labels)
        return ops.where(self.step_counter < self.estimate_steps, plain, noisy)

    @property
    def legacy_counter(self):
        # Files written before the step counter kept `estimate_step` last.
        return (-1, 0) if self.estimate else None

    def after_train_step(self, logs, real):
        if not self.estimate:
            return logs
        step = ops.cast(self.step_counter, "float32")
        probs = ops.softmax(self.discriminator(real[0], training=False)["classes"], axis=-1)
        probs = global_batch(probs)  # every replica keeps the global batch's anchors
        scores, rows = update_anchor_rows(self.anchor_scores, self.anchor_rows, probs)
        track = (step >= self.estimate_steps // 2) & (step < self.estimate_steps)
        self.anchor_scores.assign(ops.where(track, scores, self.anchor_scores))
        self.anchor_rows.assign(ops.where(track, rows, self.anchor_rows))
        done = step == self.estimate_steps - 1
        estimated = self.anchor_rows / ops.maximum(ops.sum(self.anchor_rows, 1, keepdims=True), 1e-7)
        self.transition.assign(ops.where(done, estimated, self.transition))
        return logs

    # --------------------------------------------------------------- rcGAN

    def noisy_labels(self, labels):
        """Labels drawn from T[labels] (rcGAN's noisy labels for generated images)."""
        logits = ops.log(ops.take(self.transition, labels, axis=0) + 1e-12)
        # Gumbel-max: argmax(logits + Gumbel noise) is a draw from softmax(logits).
        u = self.random_uniform(ops.shape(logits), 1e-12, 1.0)
        return ops.cast(ops.argmax(logits - ops.log(-ops.log(u)), axis=-1), "int32")

    def discriminator_inputs(self, images, generator_inputs):
        if self.variant == "c":
            return [images, self.noisy_labels(generator_inputs[1])]
        return super().discriminator_inputs(images, generator_inputs)

    def discriminator_loss(self, real, fake):
        if self.variant == "c":
            loss, logs = GAN.discriminator_loss(self, real, fake)
            return loss, {**logs, "d_class_loss": 0.0}
        return super().discriminator_loss(real, fake)

    def generator_loss(self, real, generator_inputs):
        if self.variant == "c":
            loss, logs = GAN.generator_loss(self, real, generator_inputs)
            return loss, {**logs, "g_class_loss": 0.0}
        return super().generator_loss(real, generator_inputs)
