"""Minibatch discrimination (Salimans et al. 2016, arXiv:1606.03498, section 3.2)."""

import keras
from keras import layers, ops

from keras_gans.cross_replica import global_batch


@keras.saving.register_keras_serializable(package="keras_gans")
class MinibatchDiscrimination(layers.Layer):
    """Appends to each example's features how close it is to the rest of the batch.

    With features f(x_i) in R^A and a learned tensor T in R^{A x B x C},
    M_i = f(x_i) T in R^{B x C}; for each of the B kernels,
    c_b(x_i, x_j) = exp(-||M_{i,b} - M_{j,b}||_1) and
    o(x_i)_b = sum_j c_b(x_i, x_j) over the batch (j = i included, as in the
    paper's formula: that adds the constant 1). The output is
    `concat([f(x_i), o(x_i)])`, of size A + B. A generator that collapses to a
    few modes makes o large on its fakes, which D can then detect.

    The output of one example depends on the whole batch, so D should see real
    and generated images in separate batches (the base train step does).

    Args:
        num_kernels: int. B, the number of closeness features added.
        kernel_dim: int. C, the size of each kernel's projection.
        kernel_initializer: initializer for T.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    f = keras.layers.Flatten()(x)
    f = keras_gans.layers.MinibatchDiscrimination(num_kernels=50, kernel_dim=5)(f)
    ```
    """

    def __init__(self, num_kernels=50, kernel_dim=5, kernel_initializer=None, **kwargs):
        super().__init__(**kwargs)
        if int(num_kernels) < 1 or int(kernel_dim) < 1:
            raise ValueError(
                "num_kernels and kernel_dim must be positive integers; got "
                f"{num_kernels} and {kernel_dim}."
            )
        self.num_kernels = int(num_kernels)
        self.kernel_dim = int(kernel_dim)
        self.kernel_initializer = keras.initializers.get(
            kernel_initializer or keras.initializers.RandomNormal(stddev=0.05)
        )

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                "MinibatchDiscrimination takes flat features [batch, features]; "
                f"got shape {tuple(input_shape)}. Put a Flatten layer before it."
            )
        self.kernel = self.add_weight(
            shape=(int(input_shape[-1]), self.num_kernels * self.kernel_dim),
            initializer=self.kernel_initializer,
            name="kernel",
        )

    def call(self, inputs):
        m = ops.matmul(inputs, self.kernel)
        m = ops.reshape(m, (-1, self.num_kernels, self.kernel_dim))  # [N, B, C]
        # Under a strategy the batch is the global one: every replica's rows.
        others = global_batch(m)
        # L1 distances between every pair of rows, per kernel: [N, N_all, B].
        dist = ops.sum(ops.abs(m[:, None, :, :] - others[None, :, :, :]), axis=-1)
        closeness = ops.sum(ops.exp(-dist), axis=1)  # [N, B]
        return ops.concatenate([inputs, ops.cast(closeness, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] + self.num_kernels)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_kernels=self.num_kernels,
            kernel_dim=self.kernel_dim,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
        )
        return config
