"""BiGAN (Donahue, Kraehenbuehl & Darrell 2016, arXiv:1605.09782); ALI (Dumoulin et al. 2016)."""

import numpy as np
import tensorflow as tf

from keras import ops

from keras_gans.models.base import GAN, batched
from keras_gans.networks import dcgan_generator
from keras_gans.networks.conditional import image_encoder, joint_discriminator
from keras_gans.registry import register_model


@register_model(
    "bigan",
    defaults={"image_shape": (32, 32, 1), "latent_dim": 64, "g_width": 32, "d_width": 32,
              "e_width": 32},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4,
          "e_width": 4, "d_units": 8},
)
class BiGAN(GAN):
    """BiGAN: an encoder E learns the inverse of G; D judges (x, E(x)) against (G(z), z).

    D learns to tell data pairs (x, E(x)) from generated pairs (G(z), z); G and
    E are trained together, in one step, on D's loss with the two roles swapped.
    At the optimum E inverts G, so E(x) is a feature vector of x (the paper's
    use: unsupervised feature learning). The encoder is exported as the
    `encode` signature (images -> z).

    Reference: Donahue, Kraehenbuehl & Darrell 2016, arXiv:1605.09782; ALI,
    Dumoulin et al. 2016.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        g_width: int. Filters of G's last hidden stage.
        d_width: int. Filters of D's image path's first stage.
        e_width: int. Filters of E's first stage.
        d_units: int. Width of D's z path and joint layer.
        d_dropout: float. Dropout in D.
        e_normalization: str. E's normalization: "batch", "layer" or "none".
        **kwargs: passed to `keras_gans.models.GAN`.

    Example:
    ```python
    model = keras_gans.get("bigan")
    model.compile()
    model.fit(keras_gans.data.load("digits"), epochs=60)
    features = model.encode(images)  # [N, latent_dim]
    ```
    """

    default_epochs = 60
    player_names = ("generator", "discriminator", "encoder")

    def __init__(
        self, image_shape=(32, 32, 1), latent_dim=100, g_width=64, d_width=64, e_width=64,
        d_units=256, d_dropout=0.2, e_normalization="layer", **kwargs,
    ):
        kwargs.setdefault("loss", "non_saturating")
        super().__init__(image_shape, latent_dim, **kwargs)
        self.set_players(
            encoder=lambda: image_encoder(
                self.image_shape, self.latent_dim, e_width, e_normalization, name="encoder"),
            generator=lambda: dcgan_generator(self.image_shape, self.latent_dim, g_width),
            discriminator=lambda: joint_discriminator(
                self.image_shape, self.latent_dim, d_width, d_units, d_dropout),
        )

    def generator_step_networks(self):
        return [self.generator, self.encoder]

    def discriminator_inputs(self, images, generator_inputs):
        return [images, generator_inputs]

    def discriminator_outputs(self, data):
        """D's outputs on the real images paired with their encodings E(x)."""
        images = self.unpack_images(data)
        return self.discriminator([images, self.encoder(images, training=False)], training=False)

    def discriminator_loss(self, real, fake):
        real_logits = self.discriminator([real, self.encoder(real, training=True)], training=True)
        fake_logits = self.discriminator(fake, training=True)
        loss = self.d_loss_fn(real_logits, fake_logits, **self.loss_kwargs(self.d_loss_fn))
        return loss, {"d_loss": loss}

    def generator_loss(self, real, z):
        fake = self.generator(z, training=True)
        real_logits = self.discriminator([real, self.encoder(real, training=True)], training=True)
        fake_logits = self.discriminator([fake, z], training=True)
        # G and E play D's game with the roles swapped: fakes "real", data "fake".
        loss = self.d_loss_fn(fake_logits, real_logits, **self.loss_kwargs(self.d_loss_fn))
        return loss, {"g_loss": loss}

    def encode(self, images, batch_size=256):
        """E(x): latent codes [N, latent_dim] (numpy) for images in [-1, 1].

        Args:
            images: array `[N, H, W, C]` in [-1, 1].
            batch_size: int. Images per forward pass.

        Returns:
            numpy float32 `[N, latent_dim]`.
        """
        images = np.asarray(images, "float32")
        self.check_images(images.shape, where="encode()")
        return batched(lambda x: self.encoder(x, training=False), [images], batch_size,
                       (self.latent_dim,))

    def serving_signatures(self):
        """`serving_default` (z -> images) and `encode` (images -> {"z": E(images)})."""
        signatures = super().serving_signatures()

        def encode(images):
            return {"z": ops.cast(self.encoder(images), "float32")}

        spec = tf.TensorSpec([None, *self.image_shape], tf.float32, name="images")
        signatures["encode"] = (encode, [spec])
        return signatures
