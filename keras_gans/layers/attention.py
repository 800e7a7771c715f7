"""Attention over feature maps for GANs: SAGAN's self-attention (Zhang et al.
2019, arXiv:1805.08318) and YLG's local sparse attention (Daras et al. 2020,
arXiv:1911.12287).

Both take `[N, H, W, C]` and return the same shape: queries and keys are
1x1 convolutions to C/8 channels, values to C/2; keys and values are 2x2
max pooled (a quarter of the positions, as in SAGAN's and BigGAN's code);
the attention-weighted values go through a 1x1 convolution back to C and are
added to the input scaled by a learned scalar `sigma` that starts at 0, so a
fresh layer is the identity. The logits and the softmax are computed in
float32 under a mixed precision policy.
"""

import math

import numpy as np

import keras
from keras import layers, ops

from keras_gans.layers.spectral import spectral_norm, spectral_norm_mode


def esa_positions(height, width):
    """YLG's ESA enumeration of a grid: each cell's 1-D position.

    Cells are numbered by their Manhattan distance to the top-left cell
    (i + j), ties broken by row (Daras et al. 2020, section 4, "Enumerate"):
    the cells of one anti-diagonal get consecutive numbers, so a window of
    consecutive positions is a band of cells at about the same distance from
    the corner, where the row-major reshape gives a piece of one row.

    Args:
        height: int. Rows of the grid.
        width: int. Columns of the grid.

    Returns:
        int numpy array `[height, width]`: the position of each cell.

    Example:
    ```python
    keras_gans.layers.attention.esa_positions(3, 3)
    # [[0, 1, 3], [2, 4, 6], [5, 7, 8]]
    ```
    """
    cells = sorted(((i + j, i, j) for i in range(height) for j in range(width)))
    out = np.zeros((height, width), dtype=np.int64)
    for position, (_, i, j) in enumerate(cells):
        out[i, j] = position
    return out


#: YLG's four 1-D patterns (the official code's `LeftFloorMask`,
#: `LeftRepetitiveMask`, `RightFloorMask`, `RightRepetitiveMask`), in the
#: order heads cycle through them.
YLG_PATTERNS = ("ltr_local", "ltr_summary", "rtl_local", "rtl_summary")


def ylg_pattern(name, length, stride=None):
    """One of YLG's 1-D sparse attention patterns, as a boolean matrix.

    With positions cut into blocks of `stride` (default floor(sqrt(length))):
    - "ltr_local": query p sees keys from its block's start up to p;
    - "ltr_summary": p sees itself and the last position of every block;
    - "rtl_local": p sees keys from p up to its block's end;
    - "rtl_summary": p sees itself and the first position of every block.
    A local head followed by the summary head of the same direction connects
    every position to every other (YLG's "full information" in two steps),
    the left-to-right (LTR) pair through each block's last position, the
    right-to-left (RTL) pair through its first.

    Args:
        name: str. One of `YLG_PATTERNS`.
        length: int. Positions.
        stride: int or None. Block size; floor(sqrt(length)) when None.

    Returns:
        bool numpy array `[length, length]`: [query, key] is True where the
        query may attend to the key.

    Example:
    ```python
    keras_gans.layers.attention.ylg_pattern("ltr_local", 9)[4]  # keys 3 and 4
    ```
    """
    if name not in YLG_PATTERNS:
        raise ValueError(f"Unknown YLG pattern {name!r}; choose one of {list(YLG_PATTERNS)}.")
    stride = int(stride or max(1, math.isqrt(int(length))))
    p = np.arange(length)[:, None]
    k = np.arange(length)[None, :]
    same_block = (p // stride) == (k // stride)
    if name == "ltr_local":
        return same_block & (k <= p)
    if name == "rtl_local":
        return same_block & (k >= p)
    if name == "ltr_summary":
        last = (k % stride == stride - 1) | (k == length - 1)
        return (k == p) | last
    first = k % stride == 0
    return (k == p) | first


def ylg_masks(height, width, heads=8, pool=2):
    """YLG's attention masks for a `height` x `width` feature map.

    Each head's 1-D pattern (`ylg_pattern`, cycling through `YLG_PATTERNS`)
    is laid on the ESA enumeration (`esa_positions`) of the pooled key grid
    (height / pool x width / pool). A query at (i, j) of the full map takes
    the row of the pooled cell it falls in, (i // pool, j // pool). (The
    official code instead repeats the pooled rows over the row-major query
    index, which pairs a query with a pooled cell far from it.)

    Args:
        height: int. Rows of the feature map (a multiple of `pool`).
        width: int. Columns (a multiple of `pool`).
        heads: int. Heads; head h uses `YLG_PATTERNS[h % 4]`.
        pool: int. The keys' pooling factor.

    Returns:
        bool numpy array `[heads, height * width, (height // pool) * (width // pool)]`:
        queries and keys in row-major order of their maps.

    Example:
    ```python
    masks = keras_gans.layers.attention.ylg_masks(16, 16)  # [8, 256, 64]
    ```
    """
    kh, kw = height // pool, width // pool
    pos = esa_positions(kh, kw).reshape(-1)  # key (row-major) -> ESA position
    qi, qj = np.meshgrid(np.arange(height) // pool, np.arange(width) // pool, indexing="ij")
    query_cell = (qi * kw + qj).reshape(-1)  # query (row-major) -> pooled cell
    out = []
    for h in range(heads):
        pattern = ylg_pattern(YLG_PATTERNS[h % len(YLG_PATTERNS)], kh * kw)
        # pattern is indexed by ESA positions: [query position, key position].
        out.append(pattern[pos[query_cell]][:, pos])
    return np.stack(out)


class _PooledAttention(layers.Layer):
    """What SAGAN's and YLG's attention share; subclasses give the heads and masks."""

    heads = 1

    def __init__(self, spectral_norm=False, power_iterations=1, key_ratio=8, value_ratio=2,
                 kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.spectral_norm = spectral_norm_mode(spectral_norm)
        self.power_iterations = int(power_iterations)
        self.key_ratio = int(key_ratio)
        self.value_ratio = int(value_ratio)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def _conv(self, filters, name):
        conv = layers.Conv2D(filters, 1, use_bias=False, kernel_initializer=self.kernel_initializer,
                             dtype=self.dtype_policy, name=name)
        return spectral_norm(conv, self.spectral_norm, self.power_iterations,
                             dtype=self.dtype_policy)

    def check_channels(self, channels):
        """Raises a ValueError when `channels` cannot be split as the layer needs."""
        name = type(self).__name__
        if channels % self.key_ratio or channels % self.value_ratio:
            raise ValueError(
                f"{name} needs channels divisible by {self.key_ratio} (queries and keys) and by "
                f"{self.value_ratio} (values); got {channels}. Use a feature map with a multiple "
                f"of {math.lcm(self.key_ratio, self.value_ratio)} channels.")

    def build(self, input_shape):
        if len(input_shape) != 4 or any(d is None for d in input_shape[1:]):
            raise ValueError(f"{type(self).__name__} takes feature maps [N, H, W, C] with known "
                             f"H, W and C; got shape {tuple(input_shape)}.")
        _, h, w, c = (None, *map(int, input_shape[1:]))
        if h % 2 or w % 2:
            raise ValueError(f"{type(self).__name__} pools keys and values 2x2, so H and W must "
                             f"be even; got {h}x{w}. Put it at a stage with even sides.")
        self.check_channels(c)
        self.height, self.width, self.channels = h, w, c
        kc, vc = c // self.key_ratio, c // self.value_ratio
        self.query_conv = self._conv(kc, "query")
        self.key_conv = self._conv(kc, "key")
        self.value_conv = self._conv(vc, "value")
        self.output_conv = self._conv(c, "output")
        self.pool = layers.MaxPooling2D(2, dtype=self.dtype_policy, name="pool")
        for conv, channels in ((self.query_conv, c), (self.key_conv, c), (self.value_conv, c),
                               (self.output_conv, vc)):
            conv.build((None, h, w, channels))
        self.sigma = self.add_weight(shape=(), initializer="zeros", name="sigma")
        self.build_masks(h, w)

    def build_masks(self, height, width):
        """Sets `self.mask_bias` (float32 `[heads, HW, HW/4]` or None)."""
        self.mask_bias = None

    def attend(self, inputs, training=False):
        """`(output, attention)`: the layer's output and its float32 attention
        weights `[N, heads, H*W, H*W/4]` (queries x pooled keys, row-major)."""
        if not self.built:  # called directly, before the layer's first call
            self.build(tuple(inputs.shape))
            self.built = True
        n = ops.shape(inputs)[0]
        h, w, c, heads = self.height, self.width, self.channels, self.heads
        q_len, k_len = h * w, (h // 2) * (w // 2)
        kc, vc = c // self.key_ratio, c // self.value_ratio

        def split(x, length, channels):
            x = ops.reshape(x, (n, length, heads, channels // heads))
            return ops.transpose(x, (0, 2, 1, 3))  # [N, heads, length, d]

        query = split(self.query_conv(inputs, training=training), q_len, kc)
        key = split(self.pool(self.key_conv(inputs, training=training)), k_len, kc)
        value = split(self.pool(self.value_conv(inputs, training=training)), k_len, vc)
        logits = ops.matmul(ops.cast(query, "float32"),
                            ops.transpose(ops.cast(key, "float32"), (0, 1, 3, 2)))
        if self.mask_bias is not None:
            logits = logits + ops.convert_to_tensor(self.mask_bias)
        attention = ops.softmax(logits, axis=-1)
        o = ops.matmul(ops.cast(attention, value.dtype), value)  # [N, heads, HW, vc/heads]
        o = ops.reshape(ops.transpose(o, (0, 2, 1, 3)), (n, h, w, vc))
        o = self.output_conv(o, training=training)
        return inputs + ops.cast(self.sigma, o.dtype) * o, attention

    def call(self, inputs, training=False):
        return self.attend(inputs, training=training)[0]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            spectral_norm=self.spectral_norm,
            power_iterations=self.power_iterations,
            key_ratio=self.key_ratio,
            value_ratio=self.value_ratio,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
        )
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class SelfAttention(_PooledAttention):
    """SAGAN's self-attention block (Zhang et al. 2019, arXiv:1805.08318, section 3).

    For a feature map x `[N, H, W, C]`: f = 1x1 conv to C/8 (queries),
    g = 2x2 max pool of a 1x1 conv to C/8 (keys), h = 2x2 max pool of a 1x1
    conv to C/2 (values); beta = softmax over the keys of f g^T (no scaling,
    as in the paper); o = 1x1 conv of beta h back to C; the output is
    x + sigma * o with sigma a scalar weight that starts at 0, so the block
    begins as the identity and the network learns how much non-local
    evidence to use. The logits and softmax are float32 under a mixed policy.
    The 1x1 convs have no bias (the paper's code) and can be spectrally
    normalized (SAGAN normalizes every layer of G and D).

    Args:
        spectral_norm: bool or "through_sigma". Wrap the four 1x1 convs in
            spectral norm (`keras_gans.layers.spectral_norm`: True, Keras'
            `SpectralNormalization`; "through_sigma", the paper's form).
        power_iterations: int. Power-method steps per training call (with
            `spectral_norm`).
        key_ratio: int. Queries and keys have C / key_ratio channels (8).
        value_ratio: int. Values have C / value_ratio channels (2).
        kernel_initializer: initializer of the 1x1 convs.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.layers.SelfAttention(spectral_norm=True)(x)  # x: [N, 16, 16, 64]
    ```
    """


@keras.saving.register_keras_serializable(package="keras_gans")
class LocalSparseAttention(_PooledAttention):
    """YLG's local sparse attention (Daras et al. 2020, arXiv:1911.12287).

    SAGAN's block (`SelfAttention`: queries and keys at C/8, values at C/2,
    keys and values 2x2 max pooled, a 1x1 conv back to C, output
    x + sigma * o with sigma from 0) split into `heads` heads, each head's
    attention masked by one of YLG's sparse patterns (`ylg_pattern`:
    left-to-right and right-to-left, each a local step within blocks of
    sqrt(length) positions and a summary step through one position per
    block; head h takes `YLG_PATTERNS[h % 4]`, so 8 heads hold each pattern
    twice as the official code does). The patterns are laid on the ESA
    enumeration of the pooled key grid (`esa_positions`: cells numbered by
    Manhattan distance to the top-left corner), so a local head's window is
    a band of cells at about the query's distance from the corner: 2-D
    neighbours along the anti-diagonals, where the row-major reshape would
    give part of one row. A query uses the mask row of the pooled cell it
    lies in (`ylg_masks`).

    The masks are computed in `build()` from H and W and are constants of
    the graph, not weights: a saved model holds only the convs and sigma.
    Masked logits get -1e9 before the float32 softmax (every query sees at
    least its own pooled cell).

    Args:
        heads: int. Attention heads (8 in the paper). C / key_ratio and
            C / value_ratio must be divisible by it.
        spectral_norm: bool or "through_sigma". Wrap the four 1x1 convs in
            spectral norm (`keras_gans.layers.spectral_norm`: True, Keras'
            `SpectralNormalization`; "through_sigma", the paper's form).
        power_iterations: int. Power-method steps per training call.
        key_ratio: int. Queries and keys have C / key_ratio channels (8).
        value_ratio: int. Values have C / value_ratio channels (2).
        kernel_initializer: initializer of the 1x1 convs.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.layers.LocalSparseAttention(heads=8)(x)  # x: [N, 16, 16, 64]
    ```
    """

    def __init__(self, heads=8, **kwargs):
        super().__init__(**kwargs)
        if int(heads) < 1:
            raise ValueError(f"LocalSparseAttention needs at least one head; got heads={heads}.")
        self.heads = int(heads)

    def check_channels(self, channels):
        super().check_channels(channels)
        kc, vc = channels // self.key_ratio, channels // self.value_ratio
        if kc % self.heads or vc % self.heads:
            need = math.lcm(self.key_ratio * self.heads, self.value_ratio * self.heads)
            raise ValueError(
                f"LocalSparseAttention splits queries and keys (C/{self.key_ratio} = {kc} "
                f"channels) and values (C/{self.value_ratio} = {vc}) into heads={self.heads} "
                f"heads, so the channels must be divisible by {need}; got C = {channels}. "
                f"Use a multiple of {need} channels or fewer heads.")

    def build_masks(self, height, width):
        allowed = ylg_masks(height, width, self.heads)
        # Not a weight: rebuilt from H and W whenever the layer is built.
        self.mask_bias = np.where(allowed, 0.0, -1e9).astype("float32")

    def get_config(self):
        config = super().get_config()
        config.update(heads=self.heads)
        return config
