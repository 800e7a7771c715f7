"""Class-conditional layers of SAGAN and BigGAN: conditional BatchNorm in G
(de Vries et al. 2017; Brock et al. 2019, arXiv:1809.11096) and the projection
head of D (Miyato & Koyama 2018, arXiv:1802.05637)."""

import keras
from keras import layers, ops

from keras_gans.layers.batch_norm import BatchNorm
from keras_gans.layers.spectral import spectral_norm as _maybe_spectral_norm
from keras_gans.layers.spectral import spectral_norm_mode


@keras.saving.register_keras_serializable(package="keras_gans")
class ConditionalBatchNorm(layers.Layer):
    """BatchNorm whose gain and bias are linear functions of a condition vector.

    `y = BN(x) * (1 + gain(c)) + bias(c)`, where `BN` normalizes with no
    affine of its own (`keras_gans.layers.BatchNorm(center=False,
    scale=False)`: batch statistics synchronized across replicas under a
    `tf.distribute` strategy, moving statistics for inference) and `gain`,
    `bias` are bias-free linear maps of the condition `c` `[N, D]` to one
    value per channel. With zero-initialized maps the layer starts as a plain
    BatchNorm. The condition is whatever vector the caller builds: SAGAN's
    class embedding, or BigGAN's shared class embedding joined with the
    block's slice of the hierarchical z.

    References: de Vries et al. 2017, "Modulating early visual processing by
    language", arXiv:1707.00683; Brock, Donahue & Simonyan 2019,
    arXiv:1809.11096, section 3 and appendix B.

    Args:
        momentum: float. Momentum of the moving statistics (Keras' convention:
            0.9 is PyTorch's 0.1).
        epsilon: float. Added to the variance.
        spectral_norm: bool or "through_sigma". Spectral normalization on the
            gain and bias maps (BigGAN's G has it on every linear layer);
            "through_sigma" is the paper's form (`keras_gans.layers.spectral_norm`).
        power_iterations: int. Power-method steps per training call (with
            `spectral_norm`).
        gain_initializer: Keras initializer of the two maps' kernels.
        **kwargs: `keras.layers.Layer` arguments.

    Inputs:
        `[x, condition]`: x `[N, ..., C]` (channels last), condition `[N, D]`.

    Returns:
        Tensor shaped like x.

    Example:
    ```python
    x = keras.Input((8, 8, 64))
    c = keras.Input((32,))
    y = keras_gans.layers.ConditionalBatchNorm()([x, c])
    ```
    """

    def __init__(self, momentum=0.9, epsilon=1e-5, spectral_norm=False, power_iterations=1,
                 gain_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.spectral_norm = spectral_norm_mode(spectral_norm)
        self.power_iterations = int(power_iterations)
        self.gain_initializer = keras.initializers.get(gain_initializer)

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not all(
                isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(
                "ConditionalBatchNorm takes [x, condition]: images [N, H, W, C] (or "
                f"features [N, C]) and a condition vector [N, D]; got {input_shape}.")
        x_shape, c_shape = (tuple(s) for s in input_shape)
        if len(c_shape) != 2 or c_shape[-1] is None:
            raise ValueError(
                f"ConditionalBatchNorm's condition must be [N, D] with D known; got {c_shape}: "
                "embed the labels (keras.layers.Embedding) and join any z slice first.")
        channels = x_shape[-1]
        if channels is None:
            raise ValueError(f"ConditionalBatchNorm needs a known channel count; got {x_shape}.")
        self.bn = BatchNorm(center=False, scale=False, momentum=self.momentum,
                            epsilon=self.epsilon, name="bn")
        self.bn.build(x_shape)
        init = keras.initializers.get(self.gain_initializer)
        self.gain = _maybe_spectral_norm(
            layers.Dense(channels, use_bias=False, kernel_initializer=init, name="gain"),
            self.spectral_norm, self.power_iterations)
        self.bias = _maybe_spectral_norm(
            layers.Dense(channels, use_bias=False, kernel_initializer=init, name="bias"),
            self.spectral_norm, self.power_iterations)
        self.gain.build(c_shape)
        self.bias.build(c_shape)
        self.built = True

    def call(self, inputs, training=None):
        x, cond = inputs
        normalized = self.bn(x, training=training)
        cond = ops.cast(cond, self.compute_dtype)
        gain = self.gain(cond, training=training) if self.spectral_norm else self.gain(cond)
        bias = self.bias(cond, training=training) if self.spectral_norm else self.bias(cond)
        shape = (-1,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        gain = ops.reshape(ops.cast(gain, normalized.dtype), shape)
        bias = ops.reshape(ops.cast(bias, normalized.dtype), shape)
        return normalized * (1.0 + gain) + bias

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        config = super().get_config()
        config.update(momentum=self.momentum, epsilon=self.epsilon,
                      spectral_norm=self.spectral_norm, power_iterations=self.power_iterations,
                      gain_initializer=keras.initializers.serialize(self.gain_initializer))
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class ProjectionHead(layers.Layer):
    """The projection discriminator's output: `linear(phi) + <embed(y), phi>`.

    Takes D's pooled features phi `[N, F]` and the int labels y `[N]` (a
    label outside [0, K), such as -1 for an unlabelled example, projects to
    0, leaving the unconditional term); the
    class embedding has one F-vector per class, so the label's weight on the
    logit grows with the features' (Miyato & Koyama 2018, eq. 3: the
    log-ratio of the class-conditional densities under a log-linear model).

    Reference: Miyato & Koyama 2018, "cGANs with Projection Discriminator",
    arXiv:1802.05637.

    Args:
        num_classes: int. K; labels are ints in [0, K).
        spectral_norm: bool or "through_sigma". Spectral normalization on the
            linear layer and on the embedding (as SN-GAN, SAGAN and BigGAN's
            D); "through_sigma" is the paper's form (`keras_gans.layers.spectral_norm`).
        power_iterations: int. Power-method steps per training call.
        use_bias: bool. A bias on the unconditional linear term.
        **kwargs: `keras.layers.Layer` arguments.

    Inputs:
        `[features, labels]`: float `[N, F]` and int `[N]`.

    Returns:
        float `[N, 1]` logits.

    Example:
    ```python
    features = keras.Input((256,))
    labels = keras.Input((), dtype="int32")
    logits = keras_gans.layers.ProjectionHead(10, spectral_norm=True)([features, labels])
    ```
    """

    def __init__(self, num_classes, spectral_norm=False, power_iterations=1, use_bias=True,
                 **kwargs):
        super().__init__(**kwargs)
        if int(num_classes) < 1:
            raise ValueError(f"num_classes must be a positive int; got {num_classes!r}.")
        self.num_classes = int(num_classes)
        self.spectral_norm = spectral_norm_mode(spectral_norm)
        self.power_iterations = int(power_iterations)
        self.use_bias = bool(use_bias)

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ValueError("ProjectionHead takes [features, labels]: features [N, F] and int "
                             f"labels [N]; got {input_shape}.")
        f_shape, y_shape = (tuple(s) for s in input_shape)
        if len(f_shape) != 2 or f_shape[-1] is None:
            raise ValueError(f"ProjectionHead's features must be [N, F] (pool or flatten D's "
                             f"maps first); got {f_shape}.")
        features = f_shape[-1]
        self.linear = _maybe_spectral_norm(
            layers.Dense(1, use_bias=self.use_bias, name="linear"), self.spectral_norm,
            self.power_iterations)
        # The embedding as a bias-free linear map of one-hot labels: the same
        # matrix [K, F] as an Embedding's, which Keras' SpectralNormalization
        # can wrap (it casts a wrapped layer's output to the input's dtype,
        # int32 for an Embedding's labels).
        self.embedding = _maybe_spectral_norm(
            layers.Dense(features, use_bias=False, name="embedding"), self.spectral_norm,
            self.power_iterations)
        self.linear.build(f_shape)
        self.embedding.build((y_shape[0], self.num_classes))
        self.built = True

    def call(self, inputs, training=None):
        features, labels = inputs
        # A label outside [0, K) (-1: unlabelled) has a zero row: no projection.
        one_hot = ops.one_hot(ops.cast(labels, "int32"), self.num_classes, dtype=features.dtype)
        if self.spectral_norm:
            linear = self.linear(features, training=training)
            embedded = self.embedding(one_hot, training=training)
        else:
            linear, embedded = self.linear(features), self.embedding(one_hot)
        embedded = ops.cast(embedded, features.dtype)
        projection = ops.sum(embedded * features, axis=-1, keepdims=True)
        return ops.cast(linear, features.dtype) + projection

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], 1)

    def get_config(self):
        config = super().get_config()
        config.update(num_classes=self.num_classes, spectral_norm=self.spectral_norm,
                      power_iterations=self.power_iterations, use_bias=self.use_bias)
        return config
