"""BatchNorm for every keras-gans network: global statistics under tf.distribute,
TensorFlow's fused kernel on one replica."""

import keras
from keras import layers

from keras_gans.cross_replica import replicas_here


@keras.saving.register_keras_serializable(package="keras_gans")
class BatchNorm(layers.BatchNormalization):
    """`keras.layers.BatchNormalization(synchronized=True)` with a fused training path.

    It is the same layer and computes the same function: the same weights,
    arguments and moving-statistics update (biased batch variance, as Keras).
    The difference is speed. When it trains on one replica, with 4-D inputs
    normalized over the channels, it calls TensorFlow's fused batch-norm kernel
    (`FusedBatchNormV3`: oneDNN on CPU, cuDNN on GPU). Keras 3 has no fused
    path. It builds the statistics from element-wise ops and upcasts bfloat16
    and float16 inputs to float32 for them, and the casts cost more than the
    math; docs/MODEL_NOTES.md#batchnorm has the measured gain. One
    difference: the kernel raises `epsilon` to at least 1.001e-5 (the 1e-5 of
    the translation networks becomes 1.001e-5).

    Anywhere else, Keras' own path runs. That covers several replicas in sync
    (then `synchronized=True` gives global batch statistics, as the replica
    test needs), inference, frozen layers, masks, renorm, other ranks and
    axes. Inference and the exports are therefore Keras' graph, unchanged.

    Args:
        **kwargs: `keras.layers.BatchNormalization` arguments; `synchronized`
            defaults to True.

    Example:
    ```python
    x = keras.layers.Conv2D(64, 4, strides=2, padding="same", use_bias=False)(x)
    x = keras_gans.layers.BatchNorm(momentum=0.9, epsilon=1e-5)(x)
    ```
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("synchronized", True)
        super().__init__(**kwargs)

    def _fused(self, inputs, training, mask):
        return (
            bool(training) and self.trainable and mask is None and not self.renorm
            and keras.backend.backend() == "tensorflow"
            and len(inputs.shape) == 4 and self.axis in (-1, 3)
            and replicas_here() == 1
        )

    def call(self, inputs, training=None, mask=None):
        if not self._fused(inputs, training, mask):
            return super().call(inputs, training=training, mask=mask)
        import tensorflow as tf

        channels = inputs.shape[-1]
        scale = self.gamma.value if self.scale else tf.ones((channels,), "float32")
        offset = self.beta.value if self.center else tf.zeros((channels,), "float32")
        # Float32 statistics from float16/bfloat16 inputs: the kernel computes them in float32.
        y, mean, variance = tf.compat.v1.nn.fused_batch_norm(
            inputs, scale, offset, epsilon=self.epsilon, is_training=True
        )
        # The kernel returns the unbiased variance; Keras' moving variance uses the biased one.
        shape = tf.shape(inputs)
        n = tf.cast(shape[0] * shape[1] * shape[2], "float32")
        variance = variance * (n - 1.0) / tf.maximum(n, 1.0)
        self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
        self.moving_variance.assign(
            self.moving_variance * self.momentum + variance * (1.0 - self.momentum)
        )
        return tf.cast(y, self.compute_dtype)
