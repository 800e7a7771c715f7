"""Semi-supervised GAN (Odena 2016, arXiv:1606.01583)."""

from keras_gans.losses import auxiliary_classifier_loss, semi_supervised_logits
from keras_gans.models.base import GAN
from keras_gans.models.conditional import SemiSupervisedMixin
from keras_gans.networks import dcgan_generator
from keras_gans.networks.conditional import heads_discriminator
from keras_gans.registry import register_model
from keras_gans.losses import feature_matching


def sgan_classifier(image_shape, num_classes, width=64, normalization="batch", dropout=0.0):
    """SGAN's D as a network: a conv trunk and K class logits (plus "features").

    Args:
        image_shape: tuple. (H, W, C).
        num_classes: int. K.
        width: int. Filters of the first stage.
        normalization: str. "batch", "layer" or "none".
        dropout: float. Dropout after each stage.

    Returns:
        keras.Model. Images -> `{"features": [N, F], "classes": [N, K]}`.
    """
    return heads_discriminator(
        image_shape, {"classes": num_classes}, width, normalization, dropout
    )


@register_model(
    "sgan",
    # Width 64 in G and D (issue 16, 2026-12-03): on digits 10/10 by the SVC
    # judge at seeds 0, 1 and 2 (confidence 0.609, 0.604, 0.608; digits-FID
    # 78.6, 81.7, 85.9) against 9, 10 and 9/10 at width 32 (0.598, 0.585,
    # 0.598; 91.0, 89.2, 102.3), D's accuracy on digits:test unchanged within
    # 0.01; Fashion-MNIST FID 141.5 against 154.3 (6,250 steps, 100 labels,
    # 5k FID; docs/fashion_pack.jsonl) (docs/MODEL_NOTES.md, sgan).
    defaults={"image_shape": (32, 32, 1), "latent_dim": 64, "g_width": 64, "d_width": 64},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4},
)
class SGAN(SemiSupervisedMixin, GAN):
    """Semi-supervised GAN: D is a K+1-way classifier trained on few labels plus G's fakes.

    D outputs K class logits l; the (K+1)-th "fake" class has its logit fixed at
    0, so D's real-vs-fake logit is logsumexp(l) (Salimans et al. 2016). D
    minimizes the adversarial loss on that logit plus `supervised_weight` times
    the cross-entropy on the labelled examples of each batch (label -1 marks
    the unlabelled ones). G is unconditional; it minimizes the adversarial loss
    ("non_saturating") or matches D's mean features on real and generated
    images (`generator_objective="feature_matching"`, Salimans et al. 2016).
    D is exported as a classifier (`classify` signature).

    Reference: Odena 2016, arXiv:1606.01583.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        num_classes: int. K.
        g_width: int. Filters of G's last hidden stage.
        d_width: int. Filters of D's first stage.
        d_normalization: str. "batch", "layer" or "none".
        d_dropout: float. Dropout in D after each stage.
        supervised_weight: float. Weight of the supervised cross-entropy.
        generator_objective: str. "non_saturating" or "feature_matching".
        **kwargs: passed to `keras_gans.models.GAN`.

    Example:
    ```python
    model = keras_gans.get("sgan")
    model.compile()
    ds = keras_gans.data.load("digits", labels=True, labelled=100, labelled_per_batch=16)
    model.fit(ds, epochs=30)
    probs = model.classify(images)  # [N, 10]
    ```
    """

    default_epochs = 30
    metric_names = ("d_loss", "g_loss", "d_supervised_loss")

    def __init__(
        self, image_shape=(32, 32, 1), latent_dim=100, num_classes=10, g_width=64,
        d_width=64, d_normalization="batch", d_dropout=0.2, supervised_weight=1.0,
        generator_objective="feature_matching", **kwargs,
    ):
        kwargs.setdefault("loss", "non_saturating")
        super().__init__(image_shape, latent_dim, **kwargs)
        if int(num_classes) < 2:
            raise ValueError(f"num_classes must be >= 2; got {num_classes}.")
        if generator_objective not in ("non_saturating", "feature_matching"):
            raise ValueError(
                "generator_objective must be 'non_saturating' or 'feature_matching'; "
                f"got {generator_objective!r}."
            )
        self.num_classes = int(num_classes)
        self.supervised_weight = float(supervised_weight)
        self.generator_objective = generator_objective
        self.set_networks(
            lambda: dcgan_generator(self.image_shape, self.latent_dim, g_width),
            lambda: sgan_classifier(self.image_shape, self.num_classes, d_width, d_normalization, d_dropout),
        )

    def classifier_logits(self, images, training=False):
        return self.discriminator(images, training=training)["classes"]

    def discriminator_outputs(self, data):
        """D's outputs on the real images (the labels are its class head's targets)."""
        return self.discriminator(self.unpack_images(data), training=False)

    def discriminator_loss(self, real, fake):
        r, f = (out["classes"] for out in self.discriminator_real_fake(real[0], fake))
        adv = self.d_loss_fn(
            semi_supervised_logits(r), semi_supervised_logits(f),
            **self.loss_kwargs(self.d_loss_fn),
        )
        sup = auxiliary_classifier_loss(r, real[1])
        loss = adv + self.supervised_weight * sup
        return loss, {"d_loss": loss, "d_supervised_loss": sup}

    def generator_loss(self, real, z):
        fake = self.generator(z, training=True)
        f = self.discriminator(fake, training=True)
        if self.generator_objective == "feature_matching":
            r = self.discriminator(real[0], training=True)
            loss = feature_matching(r["features"], f["features"], reduction="mean")
        else:
            loss = self.g_loss_fn(semi_supervised_logits(f["classes"]), **self.loss_kwargs(self.g_loss_fn))
        return loss, {"g_loss": loss}

    def serving_signatures(self):
        """`serving_default` (z -> images) and `classify` (images -> probabilities)."""
        signatures = super().serving_signatures()
        signatures["classify"] = self.classify_signature()
        return signatures
