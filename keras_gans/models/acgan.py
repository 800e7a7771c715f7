"""AC-GAN (Odena, Olah & Shlens 2017, arXiv:1610.09585)."""

from keras import ops

from keras_gans.losses import auxiliary_classifier_loss
from keras_gans.models.conditional import ConditionalGAN
from keras_gans.networks.conditional import conditional_generator, heads_discriminator
from keras_gans.registry import register_model


@register_model(
    "acgan",
    defaults={"image_shape": (32, 32, 1), "latent_dim": 64, "g_width": 32, "d_width": 32,
              "embed_dim": 64},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4},
)
class ACGAN(ConditionalGAN):
    """AC-GAN: G(z, c); D has a source head and a class head on one trunk.

    With L_S the log-likelihood of the right source and L_C of the right class,
    D maximizes L_S + L_C and G maximizes L_C - L_S (here: both minimize their
    adversarial loss plus `class_weight` times the class cross-entropy; D's
    class term covers real and generated images, as in the paper).

    Reference: Odena, Olah & Shlens 2017, arXiv:1610.09585.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        num_classes: int. K.
        g_width: int. Filters of G's last hidden stage.
        d_width: int. Filters of D's first stage.
        d_normalization: str. "batch", "layer" or "none".
        class_weight: float. Weight of the class terms.
        fake_class_weight: float. Weight of D's class term on generated images
            relative to real ones (1 in the paper; 0 trains D's class head on
            real images only, so G cannot agree with D on classes of its own).
        embed_dim: int or None. Size of G's label embedding (K when None).
        d_dropout: float. Dropout after each of D's convolutional stages: 0.5,
            as in the paper's discriminators (its appendix: dropout 0.5 after
            every layer of D). Without it, on digits D overfits the 1,497
            training images: by the SVC judge of benchmarks/quality.py, G drew
            the asked digit 0.998 of the time at epoch 30 and 0.93 at 60, its
            samples getting worse (digits-FID 90); with it, 1.000 from epoch 30
            to 60 (digits-FID 72). Files saved before this argument load with 0.
        **kwargs: passed to `keras_gans.models.conditional.ConditionalGAN`.

    Example:
    ```python
    model = keras_gans.get("acgan")
    model.compile()
    model.fit(keras_gans.data.load("digits", labels=True), epochs=60)
    model.sample(10, seed=0, labels=list(range(10)))
    ```
    """

    default_epochs = 60
    metric_names = ("d_loss", "g_loss", "d_class_loss", "g_class_loss")

    def __init__(
        self, image_shape=(32, 32, 1), latent_dim=100, num_classes=10, g_width=64,
        d_width=64, d_normalization="batch", class_weight=1.0, embed_dim=None,
        fake_class_weight=1.0, d_dropout=0.5, **kwargs,
    ):
        kwargs.setdefault("loss", "non_saturating")
        super().__init__(image_shape, latent_dim, num_classes, **kwargs)
        self.class_weight = float(class_weight)
        self.fake_class_weight = float(fake_class_weight)
        self.set_networks(*self.build_networks(g_width, d_width, d_normalization, embed_dim,
                                               d_dropout))

    @classmethod
    def from_config(cls, config):
        # Files written before d_dropout had none: they reload as they were built.
        return super().from_config({"d_dropout": 0.0, **config})

    def build_networks(self, g_width, d_width, d_normalization, embed_dim, d_dropout=0.0):
        """`(generator, discriminator)`: D has a "logits" and a "classes" head."""
        return (
            conditional_generator(
                self.image_shape, self.latent_dim, num_classes=self.num_classes,
                width=g_width, embed_dim=embed_dim,
            ),
            heads_discriminator(
                self.image_shape, {"logits": 1, "classes": self.num_classes},
                d_width, d_normalization, dropout=d_dropout,
            ),
        )

    def real_class_loss(self, class_logits, labels):
        """D's class term on real images (rAC-GAN applies its noise model here)."""
        return auxiliary_classifier_loss(class_logits, labels)

    def discriminator_outputs(self, data):
        """D's outputs on the real images (the labels are its class head's targets)."""
        return self.discriminator(self.unpack_images(data), training=False)

    def discriminator_loss(self, real, fake):
        r, f = self.discriminator_real_fake(real[0], fake[0])
        adv = self.d_loss_fn(r["logits"], f["logits"], **self.loss_kwargs(self.d_loss_fn))
        cls = self.real_class_loss(r["classes"], real[1]) + self.fake_class_weight * (
            auxiliary_classifier_loss(f["classes"], fake[1])
        )
        loss = adv + self.class_weight * cls
        return loss, {"d_loss": loss, "d_class_loss": cls}

    def generator_loss(self, real, generator_inputs):
        fake = self.generator(generator_inputs, training=True)
        f = self.discriminator(fake, training=True)
        adv = self.g_loss_fn(f["logits"], **self.loss_kwargs(self.g_loss_fn))
        cls = auxiliary_classifier_loss(f["classes"], generator_inputs[1])
        loss = adv + self.class_weight * cls
        return loss, {"g_loss": loss, "g_class_loss": ops.cast(cls, "float32")}
