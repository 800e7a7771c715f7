"""Improved GAN techniques (Salimans et al. 2016, arXiv:1606.03498)."""

import keras
from keras import layers, ops

from keras_gans.layers import (
    DropReferenceBatch,
    MinibatchDiscrimination,
    ReferenceBatch,
    VirtualBatchNormalization,
)
from keras_gans.models.base import GAN, _adam
from keras_gans.networks import dcgan_discriminator, dcgan_generator
from keras_gans.networks.common import base_and_doublings, check_image_shape
from keras_gans.losses import feature_matching, historical_average
from keras_gans.registry import register_model


def vbn_dcgan_generator(
    image_shape, latent_dim=100, width=64, reference_size=32, seed=None, name="generator"
):
    """The DCGAN generator with virtual batch normalization in place of BatchNorm.

    A `ReferenceBatch` layer holds a fixed batch of `reference_size` latents
    z_ref ~ N(0, I), drawn once when the network is built (from `seed`) and
    saved with it; it runs through the network in front of every batch so each
    `VirtualBatchNormalization` has the reference activations of its layer,
    and is dropped before the output layer.

    Args:
        image_shape: tuple. (H, W, C); H one of
            `keras_gans.networks.common.SUPPORTED_SIZES` (3 to 7 times a power
            of two in [8, 256]).
        latent_dim: int. Size of z.
        width: int. Filters of the last hidden stage; earlier stages double it.
        reference_size: int. Latents in the reference batch.
        seed: int or None. Seed of the reference batch's draw.
        name: str. The model's name.

    Returns:
        keras.Model. z `[N, latent_dim]` -> images `[N, H, W, C]` in [-1, 1].

    Example:
    ```python
    g = keras_gans.models.improved_gan.vbn_dcgan_generator((32, 32, 1), 64, seed=0)
    images = g(z)  # an image's output does not depend on the rest of the batch
    ```
    """
    h, _, c = check_image_shape(image_shape)
    base, n = base_and_doublings(h)
    z = keras.Input((latent_dim,), name="z")
    x = ReferenceBatch(reference_size, seed=seed, name="reference_z")(z)
    filters = width * 2 ** (n - 1)
    x = layers.Dense(base * base * filters, use_bias=False)(x)
    x = layers.Reshape((base, base, filters))(x)
    x = VirtualBatchNormalization(reference_size)(x)
    x = layers.ReLU()(x)
    for _ in range(n - 1):
        filters //= 2
        x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False)(x)
        x = VirtualBatchNormalization(reference_size)(x)
        x = layers.ReLU()(x)
    x = DropReferenceBatch(reference_size)(x)
    x = layers.Conv2DTranspose(c, 4, strides=2, padding="same")(x)
    out = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(z, out, name=name)


def improved_gan_discriminator(
    image_shape,
    width=64,
    minibatch_discrimination=True,
    num_kernels=50,
    kernel_dim=5,
    name="discriminator",
):
    """DCGAN discriminator whose flattened last-stage features are named "features".

    With `minibatch_discrimination`, a `MinibatchDiscrimination` layer appends
    its closeness features to them before the linear logit layer.

    Args:
        image_shape: tuple. (H, W, C).
        width: int. Filters of the first stage; each later stage doubles it.
        minibatch_discrimination: bool. Add the `MinibatchDiscrimination` layer.
        num_kernels: int. B of minibatch discrimination.
        kernel_dim: int. C of minibatch discrimination.
        name: str. The model's name.

    Returns:
        keras.Model. Images -> logits `[N, 1]`.

    Example:
    ```python
    d = keras_gans.models.improved_gan.improved_gan_discriminator((32, 32, 1), width=32)
    features = d.get_layer("features").output  # what feature matching compares
    ```
    """
    head = MinibatchDiscrimination(num_kernels, kernel_dim, name="minibatch") if minibatch_discrimination else None
    return dcgan_discriminator(image_shape, width, "batch", head=head, name=name)


@register_model(
    "improved_gan",
    defaults={"image_shape": (32, 32, 1), "latent_dim": 64, "g_width": 32, "d_width": 32},
    tiny={
        "image_shape": (16, 16, 1),
        "latent_dim": 8,
        "g_width": 4,
        "d_width": 4,
        "reference_size": 4,
        "num_kernels": 3,
        "kernel_dim": 2,
    },
)
class ImprovedGAN(GAN):
    """DCGAN with the five tricks of Salimans et al. 2016, each on its own switch.

    - `feature_matching` (section 3.1): G minimizes ||E f(x) - E f(G(z))||^2,
      f = D's flattened last convolutional features, in place of the
      adversarial G loss.
    - `minibatch_discrimination` (3.2): a `MinibatchDiscrimination` layer
      before D's logit.
    - `historical_averaging` (3.3): each player's loss gets
      `historical_weight * ||theta - (1/t) sum_i theta_i||^2`; the running
      averages (and t) are non-trainable model state, updated after every
      train step and saved with the model.
    - `label_smoothing` (3.4): one-sided, D's target for real images is
      `real_target` (0.9); fakes keep 0.
    - `virtual_batch_norm` (3.4): G normalizes with VBN instead of
      BatchNorm; the reference batch is a fixed batch of `reference_size`
      latent vectors z, drawn once when G is built and stored as a weight of
      its `ReferenceBatch` layer (so the `.keras` file keeps it).

    With every switch off this is DCGAN (non-saturating loss, Adam(2e-4, 0.5)).

    Reference: Salimans et al. 2016, arXiv:1606.03498.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        g_width: int. Filters of G's last hidden stage.
        d_width: int. Filters of D's first stage.
        feature_matching: bool. Feature-matching G loss.
        minibatch_discrimination: bool. Minibatch discrimination layer in D.
        historical_averaging: bool. Historical averaging penalty for G and D.
        label_smoothing: bool. One-sided label smoothing of D's real target.
        virtual_batch_norm: bool. VBN in G instead of BatchNorm.
        num_kernels: int. B of minibatch discrimination.
        kernel_dim: int. C of minibatch discrimination.
        historical_weight: float. Weight of the historical averaging penalty.
        real_target: float. D's target for real images when smoothing.
        reference_size: int. Latents in VBN's reference batch.
        reference_seed: int or None. Seed of the reference batch's draw.
        **kwargs: passed to `keras_gans.models.GAN` (seed, name).

    Example:
    ```python
    model = keras_gans.get("improved_gan", feature_matching=True)
    model.compile()
    model.fit(keras_gans.data.load("digits", image_size=32), epochs=1)
    ```
    """

    #: Epochs of the bundled digits (batch 64) that the CLI trains by default.
    default_epochs = 60

    @property
    def legacy_counter(self):
        # Files written before the step counter kept t (= steps + 1) last.
        return (-1, 1) if self.historical_averaging else None

    def __init__(
        self,
        image_shape=(32, 32, 1),
        latent_dim=100,
        g_width=64,
        d_width=64,
        feature_matching=False,
        minibatch_discrimination=True,
        historical_averaging=True,
        label_smoothing=True,
        virtual_batch_norm=True,
        num_kernels=50,
        kernel_dim=5,
        historical_weight=1e-3,
        real_target=0.9,
        reference_size=32,
        reference_seed=0,
        **kwargs,
    ):
        if not 0.0 < float(real_target) <= 1.0:
            raise ValueError(f"real_target must be in (0, 1]; got {real_target}.")
        kwargs["loss"] = "non_saturating"
        kwargs["loss_args"] = (
            {"label_smoothing": 1.0 - float(real_target)} if label_smoothing else {}
        )
        super().__init__(image_shape, latent_dim, **kwargs)
        self.feature_matching = bool(feature_matching)
        self.historical_averaging = bool(historical_averaging)
        self.historical_weight = float(historical_weight)
        if virtual_batch_norm:
            generator = vbn_dcgan_generator(
                self.image_shape, self.latent_dim, g_width, reference_size, reference_seed
            )
        else:
            generator = dcgan_generator(self.image_shape, self.latent_dim, g_width)
        discriminator = improved_gan_discriminator(
            self.image_shape, d_width, minibatch_discrimination, num_kernels, kernel_dim
        )
        self.set_networks(generator, discriminator)
        # D's "features" layer as a model of its own, built once; the same
        # layers and variables as D, kept out of Keras' tracking so nothing is
        # saved twice.
        d = self.discriminator
        vars(self)["_feature_model"] = keras.Model(
            d.input, d.get_layer("features").output, name="discriminator_features")
        if self.historical_averaging:
            self.d_averages = self._averages_of(self.discriminator, "d")
            self.g_averages = self._averages_of(self.generator, "g")

    @property
    def average_steps(self):
        """t of the historical average: the initial weights plus the steps run."""
        return ops.cast(self.step_counter, "float32") + 1.0

    def features_of(self, images, training=True):
        """D's flattened last-stage features (its "features" layer) of `images`."""
        return self._feature_model(images, training=training)

    def _averages_of(self, network, prefix):
        """Non-trainable copies of `network`'s trainable variables: the t=1 average."""
        averages = []
        for i, v in enumerate(network.trainable_variables):
            a = self.add_weight(
                shape=v.shape, initializer="zeros", trainable=False,
                aggregation="only_first_replica", name=f"{prefix}_average_{i}",
            )
            a.assign(v)
            averages.append(a)
        return averages

    def historical_penalty(self, player):
        """`historical_weight * ||theta - mean of past theta||^2` for "d" or "g"."""
        if not self.historical_averaging:
            return 0.0
        network = self.discriminator if player == "d" else self.generator
        averages = self.d_averages if player == "d" else self.g_averages
        return self.historical_weight * historical_average(
            network.trainable_variables, averages
        )

    def discriminator_loss(self, real, fake):
        loss, _ = super().discriminator_loss(real, fake)
        loss = loss + self.historical_penalty("d")
        return loss, {"d_loss": loss}

    def generator_loss(self, real, z):
        if not self.feature_matching:
            loss, _ = super().generator_loss(real, z)
        else:
            fake = self.generator(z, training=True)
            loss = feature_matching(self.features_of(real), self.features_of(fake))
        loss = loss + self.historical_penalty("g")
        return loss, {"g_loss": loss}

    def after_train_step(self, logs, real):
        if self.historical_averaging:
            t = self.average_steps + 1.0  # the counter moves on after this hook
            for network, averages in (
                (self.discriminator, self.d_averages),
                (self.generator, self.g_averages),
            ):
                for v, a in zip(network.trainable_variables, averages):
                    a.assign(a + (ops.cast(v, a.dtype) - a) / t)
        return logs

    def paper_optimizers(self):
        # The DCGAN setting the paper builds on: Adam(2e-4, beta_1=0.5).
        return _adam(2e-4), _adam(2e-4)
