"""Virtual batch normalization (Salimans et al. 2016, arXiv:1606.03498, section 3.4).

VBN normalizes each example with the statistics of a reference batch chosen
once at the start of training, combined with the example itself, so that an
example's output never depends on the other examples of its batch. The
reference batch's activations at a layer depend on the current weights, so
the reference batch runs through the network with every batch (the paper:
"it requires running forward propagation on two minibatches"):

- `ReferenceBatch` holds the fixed reference inputs as a non-trainable weight
  (so a `.keras` file keeps them) and puts them in front of the batch;
- each `VirtualBatchNormalization` reads the first `reference_size` rows as the
  reference batch: those rows are normalized with their own statistics, every
  other row with the reference statistics mixed with its own;
- `DropReferenceBatch` removes the reference rows again.

Example:
```python
z = keras.Input((64,))
x = keras_gans.layers.ReferenceBatch(32, seed=0)(z)    # [32 + N, 64]
x = keras.layers.Dense(128)(x)
x = keras_gans.layers.VirtualBatchNormalization(32)(x)
x = keras.layers.ReLU()(x)
x = keras_gans.layers.DropReferenceBatch(32)(x)        # [N, 128]
```
"""

import keras
from keras import layers, ops


def _check_reference_size(reference_size):
    if int(reference_size) < 1:
        raise ValueError(f"reference_size must be a positive integer; got {reference_size!r}.")
    return int(reference_size)


@keras.saving.register_keras_serializable(package="keras_gans")
class ReferenceBatch(layers.Layer):
    """Prepends a fixed reference batch to its input: [N, ...] -> [R + N, ...].

    The reference batch is a non-trainable weight of shape `[R, ...]` drawn
    once, when the layer is built, from N(0, stddev^2) (the right draw for a
    generator's latent z); `set_reference` replaces it (e.g. with real images
    when VBN is used in a discriminator). It is saved with the model.

    Args:
        reference_size: int. R, the number of reference examples.
        stddev: float. Standard deviation of the initial draw.
        seed: int or None. Seed of the initial draw.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    z = keras.Input((64,))
    x = keras_gans.layers.ReferenceBatch(32, seed=0)(z)  # [32 + N, 64]
    ```
    """

    def __init__(self, reference_size, stddev=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.reference_size = _check_reference_size(reference_size)
        self.stddev = float(stddev)
        self.seed = seed

    def build(self, input_shape):
        self.reference = self.add_weight(
            shape=(self.reference_size, *input_shape[1:]),
            initializer=keras.initializers.RandomNormal(stddev=self.stddev, seed=self.seed),
            trainable=False,
            name="reference",
        )

    def set_reference(self, values):
        """Replaces the reference batch with `values` (shape `[R, ...]`).

        Args:
            values: array or tensor `[R, ...]`, the shape of the reference batch.
        """
        values = ops.convert_to_tensor(values, dtype=self.reference.dtype)
        if tuple(values.shape) != tuple(self.reference.shape):
            raise ValueError(
                f"The reference batch has shape {tuple(self.reference.shape)}; "
                f"got values of shape {tuple(values.shape)}."
            )
        self.reference.assign(values)

    def call(self, inputs):
        return ops.concatenate([ops.cast(self.reference, inputs.dtype), inputs], axis=0)

    def compute_output_shape(self, input_shape):
        n = input_shape[0]
        return (None if n is None else n + self.reference_size, *input_shape[1:])

    def get_config(self):
        config = super().get_config()
        config.update(reference_size=self.reference_size, stddev=self.stddev, seed=self.seed)
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class DropReferenceBatch(layers.Layer):
    """Removes the first `reference_size` rows: [R + N, ...] -> [N, ...].

    Args:
        reference_size: int. R, as given to `ReferenceBatch`.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    y = keras_gans.layers.DropReferenceBatch(32)(x)  # [32 + N, ...] -> [N, ...]
    ```
    """

    def __init__(self, reference_size, **kwargs):
        super().__init__(**kwargs)
        self.reference_size = _check_reference_size(reference_size)

    def call(self, inputs):
        return inputs[self.reference_size :]

    def compute_output_shape(self, input_shape):
        n = input_shape[0]
        return (None if n is None else n - self.reference_size, *input_shape[1:])

    def get_config(self):
        config = super().get_config()
        config.update(reference_size=self.reference_size)
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class VirtualBatchNormalization(layers.Layer):
    """Normalizes each example with a fixed reference batch's statistics and its own.

    The input's first `reference_size` rows are the reference batch r (put
    there by `ReferenceBatch`); the other rows are the examples. Statistics
    are per channel (the last axis). The reference rows are normalized with
    their own mean and mean square over (batch, spatial axes); each other
    example x with

        mean = 1/(R+1) * mean_s(x) + R/(R+1) * mean(r)
        mean_sq = 1/(R+1) * mean_s(x^2) + R/(R+1) * mean(r^2)

    where mean_s averages over x's own spatial axes (none for [N, C] inputs),
    as in the paper and its reference code; then
    y = gamma * (x - mean) / sqrt(mean_sq - mean^2 + epsilon) + beta. Training
    and inference compute the same thing (no moving averages), and an
    example's output does not depend on the rest of its batch.

    Args:
        reference_size: int. R, the number of leading reference rows.
        epsilon: float. Added to the variance.
        center: bool. Learn the offset beta.
        scale: bool. Learn the scale gamma.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.layers.ReferenceBatch(32, seed=0)(z)
    x = keras.layers.Dense(128)(x)
    x = keras_gans.layers.VirtualBatchNormalization(32)(x)
    x = keras_gans.layers.DropReferenceBatch(32)(keras.layers.ReLU()(x))
    ```
    """

    def __init__(self, reference_size, epsilon=1e-5, center=True, scale=True, **kwargs):
        super().__init__(**kwargs)
        self.reference_size = _check_reference_size(reference_size)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None or len(input_shape) < 2:
            raise ValueError(
                "VirtualBatchNormalization needs inputs [batch, ..., channels] with "
                f"a known channel count; got shape {tuple(input_shape)}."
            )
        self.gamma = (
            self.add_weight(shape=(channels,), initializer="ones", name="gamma")
            if self.scale else None
        )
        self.beta = (
            self.add_weight(shape=(channels,), initializer="zeros", name="beta")
            if self.center else None
        )

    def _normalize(self, x, mean, mean_sq):
        var = ops.maximum(mean_sq - ops.square(mean), 0.0)
        y = (x - mean) * ops.rsqrt(var + self.epsilon)
        if self.gamma is not None:
            y = y * ops.cast(self.gamma, y.dtype)
        if self.beta is not None:
            y = y + ops.cast(self.beta, y.dtype)
        return y

    def call(self, inputs):
        r = self.reference_size
        ref, x = inputs[:r], inputs[r:]
        rank = len(inputs.shape)
        ref_axes = tuple(range(rank - 1))
        ref_mean = ops.mean(ref, axis=ref_axes, keepdims=True)
        ref_mean_sq = ops.mean(ops.square(ref), axis=ref_axes, keepdims=True)
        spatial = tuple(range(1, rank - 1))
        if spatial:
            x_mean = ops.mean(x, axis=spatial, keepdims=True)
            x_mean_sq = ops.mean(ops.square(x), axis=spatial, keepdims=True)
        else:
            x_mean, x_mean_sq = x, ops.square(x)
        new = 1.0 / (r + 1.0)
        mean = new * x_mean + (1.0 - new) * ref_mean
        mean_sq = new * x_mean_sq + (1.0 - new) * ref_mean_sq
        return ops.concatenate(
            [self._normalize(ref, ref_mean, ref_mean_sq), self._normalize(x, mean, mean_sq)],
            axis=0,
        )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            reference_size=self.reference_size,
            epsilon=self.epsilon,
            center=self.center,
            scale=self.scale,
        )
        return config
