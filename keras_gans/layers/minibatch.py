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

    #: An example's output depends on the other examples of its call: a D
    #: with this layer is never called on real and generated images joined
    #: (`keras_gans.models.GAN.discriminator_real_fake`).
    reads_other_examples = True

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


def check_pack(pack):
    """`pack` as an int, or a ValueError that says what it must be."""
    if isinstance(pack, bool) or int(pack) != pack or int(pack) < 1:
        raise ValueError(f"pack (d_pack) must be a positive integer, 1 for no packing; got {pack!r}.")
    return int(pack)


@keras.saving.register_keras_serializable(package="keras_gans")
class PackImages(layers.Layer):
    """Packs groups of `pack` consecutive images into one D input along the
    channels (PacGAN, Lin et al. 2018, arXiv:1712.04086).

    `[N, H, W, C] -> [ceil(N / pack), H, W, pack * C]`: example `n` is in
    group `n // pack`, and its channels follow those of the examples before
    it in the group. D then judges `pack` samples at once, so a generator
    that draws some modes too rarely is easier to tell from the data. When N
    is not a multiple of `pack`, the last group is filled with the batch's
    first examples; `UnpackScores` gives every example its group's output.

    Args:
        pack: int. Images per D input (1 leaves the batch as it is).
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.layers.PackImages(2)(images)   # [64, 32, 32, 1] -> [32, 32, 32, 2]
    ```
    """

    def __init__(self, pack=2, **kwargs):
        super().__init__(**kwargs)
        self.pack = check_pack(pack)

    def call(self, inputs):
        if self.pack == 1:
            return inputs
        n = ops.shape(inputs)[0]
        short = (-n) % self.pack
        # Wrap around: the last group borrows the batch's first rows (repeated
        # when the batch is shorter than one group).
        index = ops.arange(n + short) % n
        x = ops.take(inputs, index, axis=0)
        h, w, c = inputs.shape[1], inputs.shape[2], inputs.shape[3]
        x = ops.reshape(x, (-1, self.pack, h, w, c))
        x = ops.transpose(x, (0, 2, 3, 1, 4))
        return ops.reshape(x, (-1, h, w, self.pack * c))

    def compute_output_shape(self, input_shape):
        n = input_shape[0]
        n = None if n is None else -(-n // self.pack)
        return (n, *input_shape[1:3], input_shape[3] * self.pack)

    def get_config(self):
        config = super().get_config()
        config.update(pack=self.pack)
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class UnpackScores(layers.Layer):
    """Gives each of the N images that `PackImages` packed its group's output.

    Called on `[scores, images]`: scores `[ceil(N / pack), K]` from D's packed
    inputs and the unpacked images `[N, ...]` (read only for N); returns
    `[N, K]`, so losses, penalties and callbacks see one output per image as
    without packing. Averaged over the batch, the loss is then the mean over
    groups (exactly so when N is a multiple of `pack`).

    Args:
        pack: int. The `PackImages` group size.
        **kwargs: `keras.layers.Layer` arguments.
    """

    def __init__(self, pack=2, **kwargs):
        super().__init__(**kwargs)
        self.pack = check_pack(pack)

    def call(self, inputs):
        scores, images = inputs
        if self.pack == 1:
            return scores
        return ops.repeat(scores, self.pack, axis=0)[: ops.shape(images)[0]]

    def compute_output_shape(self, input_shape):
        return (input_shape[1][0], *input_shape[0][1:])

    def get_config(self):
        config = super().get_config()
        config.update(pack=self.pack)
        return config
