"""ProGAN / StyleGAN building blocks: pixel norm and minibatch standard
deviation (Karras et al. 2017, arXiv:1710.10196, sections 3 and 4.2), noise
inputs and AdaIN (Karras et al. 2019, StyleGAN v1, arXiv:1812.04948, section 2)."""

import keras
import tensorflow as tf
from keras import layers, ops

from keras_gans.layers.equalized import EqualizedDense, check_image_and_style


def _float32(x):
    return ops.cast(x, "float32")


@keras.saving.register_keras_serializable(package="keras_gans")
class PixelNorm(layers.Layer):
    """Normalises each pixel's feature vector to unit root mean square (ProGAN, section 4.2).

    `y = x / sqrt(mean(x^2 over channels) + epsilon)`. The statistics are
    computed in float32 under a mixed policy; the output has the input's dtype.
    Also used on StyleGAN's latent z before the mapping network (any rank: the
    mean is over `axis`).

    Args:
        epsilon: float. Added to the mean square.
        axis: int. The channel axis.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.layers.PixelNorm()(keras.layers.LeakyReLU(0.2)(x))
    ```
    """

    def __init__(self, epsilon=1e-8, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)
        self.axis = int(axis)

    def call(self, inputs):
        x = _float32(inputs)
        y = x * ops.rsqrt(ops.mean(ops.square(x), axis=self.axis, keepdims=True) + self.epsilon)
        return ops.cast(y, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(epsilon=self.epsilon, axis=self.axis)
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class MinibatchStdDev(layers.Layer):
    """Appends the standard deviation of features across groups of the batch
    (ProGAN section 3; StyleGAN's `minibatch_stddev_layer`).

    For images `[N, H, W, C]`, with `G = min(group_size, N)` and `M = N / G`,
    example `n` belongs to group `n mod M` (the official reshape to
    `[G, M, ...]`). In each group the standard deviation of every feature
    over the G examples is taken (`sqrt(biased variance + 1e-8)`), the
    channels are split into `num_features` slices and each slice's standard
    deviations are averaged over H, W and its channels; the resulting
    `num_features` values of a group are appended to each of its examples as
    constant feature maps: the output is `[N, H, W, C + num_features]`.
    Statistics are in float32 under a mixed policy.

    Under `tf.distribute` each replica runs the layer on its own share of the
    global batch, so groups are always formed within one replica's examples:
    no cross-replica communication, and the per-replica batch is the N above
    (as in the official multi-GPU code). It must be a multiple of `G`.

    A batch that is not a multiple of the group size raises a `ValueError`
    when the batch size is known when the layer is called (eagerly, or in a
    `tf.function` traced with a static batch), and a
    `tf.errors.InvalidArgumentError` from a `tf.debugging` check when it is
    only known at run time (e.g. `fit()` on a dataset without
    `drop_remainder=True`, whose last batch may be short).

    Args:
        group_size: int. The largest group size (4 in ProGAN and StyleGAN).
        num_features: int. How many std feature maps to append; must divide C.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.layers.MinibatchStdDev(group_size=4)(x)   # [N, 4, 4, C] -> [N, 4, 4, C + 1]
    ```
    """

    #: An example's output depends on the others of its group: a D with this
    #: layer is never called on real and generated images joined
    #: (`keras_gans.models.GAN.discriminator_real_fake`).
    reads_other_examples = True

    def __init__(self, group_size=4, num_features=1, **kwargs):
        super().__init__(**kwargs)
        if int(group_size) < 1 or int(num_features) < 1:
            raise ValueError(
                "group_size and num_features must be positive integers; got "
                f"{group_size!r} and {num_features!r}."
            )
        self.group_size = int(group_size)
        self.num_features = int(num_features)

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(
                "MinibatchStdDev takes images [batch, height, width, channels] with known "
                f"channels; got shape {tuple(input_shape)}."
            )
        if int(input_shape[-1]) % self.num_features:
            raise ValueError(
                f"MinibatchStdDev: num_features={self.num_features} must divide the "
                f"{input_shape[-1]} channels."
            )

    def _advice(self, batch):
        example = ""
        if batch is not None:
            divisor = max(d for d in range(1, self.group_size + 1) if batch % d == 0)
            example = f" (e.g. group_size={divisor})"
        return ("use a per-replica batch size that is a multiple of group_size "
                "(under tf.distribute: global batch / replicas), drop the last short batch "
                "(dataset.batch(..., drop_remainder=True)), or set group_size to a divisor "
                f"of the batch size{example}.")

    def _group(self, inputs):
        """G (int or scalar tensor) and the input with a checked batch."""
        batch = inputs.shape[0]
        if batch is not None:
            group = min(self.group_size, int(batch))
            if batch % group:
                raise ValueError(
                    f"MinibatchStdDev: the batch size {batch} is not a multiple of the "
                    f"group size {group} (group_size={self.group_size}); " + self._advice(batch)
                )
            return group, inputs
        batch = tf.shape(inputs)[0]
        group = tf.minimum(tf.constant(self.group_size, batch.dtype), batch)
        check = tf.debugging.Assert(
            tf.equal(batch % group, 0),
            ["MinibatchStdDev: the batch size", batch, "is not a multiple of the group size",
             group, f"(group_size={self.group_size}); " + self._advice(None)],
        )
        with tf.control_dependencies([check]):
            inputs = tf.identity(inputs)
        return group, inputs

    def call(self, inputs):
        group, inputs = self._group(inputs)
        x = _float32(inputs)
        # Static sizes where known, so that the output keeps a static shape.
        n, h, w, channels = (d if d is not None else tf.shape(x)[i]
                             for i, d in enumerate(x.shape))
        f = self.num_features
        y = tf.reshape(x, [group, -1, h, w, f, channels // f])  # [G, M, H, W, F, C/F]
        y = y - tf.reduce_mean(y, axis=0, keepdims=True)
        y = tf.sqrt(tf.reduce_mean(tf.square(y), axis=0) + 1e-8)  # [M, H, W, F, C/F]
        y = tf.reduce_mean(y, axis=[1, 2, 4])  # [M, F]
        y = tf.tile(y, [group, 1])  # row n = g * M + m gets group m's values
        y = tf.broadcast_to(y[:, None, None, :], [n, h, w, f])
        return tf.concat([inputs, tf.cast(y, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + self.num_features)

    def get_config(self):
        config = super().get_config()
        config.update(group_size=self.group_size, num_features=self.num_features)
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class NoiseInjection(layers.Layer):
    """Adds per-pixel noise scaled by a learned per-channel strength (StyleGAN v1, section 2).

    `y = x + noise * strength`, with `noise` of shape `[N, H, W, 1]` (one
    value per pixel, shared by every channel) and `strength` a `[C]` weight
    initialised to 0 (so the layer starts as the identity).

    Called on `x` alone, the noise is drawn from N(0, 1) with the layer's
    `keras.random.SeedGenerator`, at training and inference alike. Called on
    `[x, noise]`, the given noise is used as it is: exports whose runtimes
    must agree (SavedModel vs LiteRT) take the noise as an input.

    Args:
        seed: int or None. Seed of the drawn noise.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.layers.NoiseInjection()(x)
    x = keras_gans.layers.NoiseInjection()([x, noise])   # noise: [N, H, W, 1]
    ```
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="noise_seed")

    @staticmethod
    def _split(value):
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple)):
            if len(value) != 2:
                raise ValueError(f"NoiseInjection takes x or [x, noise]; got {len(value)} inputs.")
            return value[0], value[1]
        return value, None

    def build(self, input_shape):
        x_shape, noise_shape = self._split(input_shape)
        if len(x_shape) != 4 or x_shape[-1] is None:
            raise ValueError(
                "NoiseInjection takes images [batch, height, width, channels] with known "
                f"channels; got shape {tuple(x_shape)}."
            )
        if noise_shape is not None and (len(noise_shape) != 4 or noise_shape[-1] != 1):
            raise ValueError(
                "NoiseInjection's noise must be [batch, height, width, 1]; got "
                f"{tuple(noise_shape)}."
            )
        self.strength = self.add_weight(shape=(int(x_shape[-1]),), initializer="zeros",
                                        name="strength")

    def call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != 2:
                raise ValueError(f"NoiseInjection takes x or [x, noise]; got {len(inputs)} inputs.")
            x, noise = inputs
        else:
            x, noise = inputs, None
        if noise is None:
            shape = ops.shape(x)
            noise = keras.random.normal((shape[0], shape[1], shape[2], 1),
                                        seed=self.seed_generator, dtype="float32")
        noise = ops.cast(noise, x.dtype)
        return x + noise * ops.cast(self.strength, x.dtype)

    def compute_output_shape(self, input_shape):
        return self._split(input_shape)[0]

    def get_config(self):
        config = super().get_config()
        config.update(seed=self.seed)
        return config


def instance_norm(x, epsilon=1e-8):
    """Normalises each example's channels over height and width, in float32.

    Args:
        x: tensor `[N, H, W, C]`.
        epsilon: float. Added to the variance.

    Returns:
        float32 tensor `(x - mean) / sqrt(var + epsilon)`, mean and (biased)
        variance over H and W per example and channel.
    """
    x = _float32(x)
    x = x - ops.mean(x, axis=(1, 2), keepdims=True)
    return x * ops.rsqrt(ops.mean(ops.square(x), axis=(1, 2), keepdims=True) + epsilon)


@keras.saving.register_keras_serializable(package="keras_gans")
class AdaIN(layers.Layer):
    """Adaptive instance normalisation driven by a style vector (StyleGAN v1, eq. 1).

    Inputs `[x, w]`: images `[N, H, W, C]` and styles `[N, D]`. Two equalized
    affine layers (`EqualizedDense`, gain 1) map w to `ys` (bias initialised
    to 1) and `yb` (bias initialised to 0), and
    `y = instance_norm(x) * ys + yb`. This is StyleGAN v1's `style_mod`,
    whose single affine layer adds 1 to its scale half. The normalisation and
    the affine maps run in float32 under a mixed policy; the output has x's dtype.

    Args:
        epsilon: float. Added to the instance variance.
        lr_multiplier: float. Learning-rate multiplier of the affine layers.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.layers.AdaIN()([x, w])
    ```
    """

    def __init__(self, epsilon=1e-8, lr_multiplier=1.0, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)
        self.lr_multiplier = float(lr_multiplier)
        self.style_scale = None
        self.style_bias = None

    def build(self, input_shape):
        x_shape, w_shape = check_image_and_style(input_shape, "AdaIN", "w")
        channels = int(x_shape[-1])
        self.style_scale = EqualizedDense(channels, gain=1.0, bias_init=1.0,
                                          lr_multiplier=self.lr_multiplier, dtype="float32",
                                          name="style_scale")
        self.style_bias = EqualizedDense(channels, gain=1.0, bias_init=0.0,
                                         lr_multiplier=self.lr_multiplier, dtype="float32",
                                         name="style_bias")
        self.style_scale.build(tuple(w_shape))
        self.style_bias.build(tuple(w_shape))

    def call(self, inputs):
        x, w = inputs
        w = _float32(w)
        ys = self.style_scale(w)[:, None, None, :]
        yb = self.style_bias(w)[:, None, None, :]
        return ops.cast(instance_norm(x, self.epsilon) * ys + yb, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        config.update(epsilon=self.epsilon, lr_multiplier=self.lr_multiplier)
        return config
