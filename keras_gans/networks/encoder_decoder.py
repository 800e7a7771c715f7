"""DiscoGAN's generator (Kim et al. 2017, arXiv:1703.05192): a convolutional
encoder-decoder with no skip connections.

Unlike pix2pix's U-Net (`keras_gans.networks.unet_generator`), every bit of
the output passes through the bottleneck, so the translation cannot copy the
input's pixels through; DiscoGAN relies on that to change shape as well as
texture between domains.
"""

import math

import keras
from keras import layers

from keras_gans.layers.batch_norm import BatchNorm


def _init():
    # DCGAN-style N(0, 0.02), as DiscoGAN's reference code initialises its convolutions.
    return keras.initializers.RandomNormal(stddev=0.02)


def encoder_decoder_generator(
    image_shape,
    out_channels=None,
    filters=64,
    depth=None,
    max_filters=512,
    name="encoder_decoder_generator",
):
    """DiscoGAN's encoder-decoder generator: image -> bottleneck -> image.

    Encoder: `depth` blocks of Conv2D(4x4, stride 2) + BatchNorm (not on the
    first block, which sees the image) + LeakyReLU(0.2), filters doubling from
    `filters` up to `max_filters`. Decoder: `depth - 1` blocks of
    Conv2DTranspose(4x4, stride 2) + BatchNorm + ReLU, filters halving back;
    then Conv2DTranspose(4x4, stride 2) to `out_channels` and tanh (float32).
    No skip connections. DiscoGAN's 64 px generator is `depth=4`
    (64-128-256-512 down to 4x4, then back up), the default at 64 px.

    Args:
        image_shape: tuple. (H, W, C) of the input; H and W divisible by
            2 ** depth.
        out_channels: int or None. Channels of the output; None: C.
        filters: int. Filters of the first encoder block.
        depth: int or None. Stride-2 blocks down (and up again); None: down
            to a 4x4 bottleneck, log2(min(H, W) / 4) (3 at 32 px, 4 at 64 px),
            or to the base of a side that is not a power of two (7x7 at 28 px,
            as `keras_gans.networks.common.base_and_doublings`).
        max_filters: int. Cap on the filters of a block.
        name: str. The model's name.

    Returns:
        keras.Model. Images `[N, H, W, C]` -> images `[N, H, W, out_channels]`
        in [-1, 1].

    Example:
    ```python
    g = keras_gans.networks.encoder_decoder.encoder_decoder_generator((64, 64, 3))
    fake_b = g(real_a, training=True)   # [B, 64, 64, 3] in [-1, 1]
    ```
    """
    try:
        h, w, c = (int(s) for s in image_shape)
    except (TypeError, ValueError):
        raise ValueError(f"image_shape must be (height, width, channels); got {image_shape!r}.")
    if min(h, w, c) < 1:
        raise ValueError(f"image_shape must be (height, width, channels); got {image_shape!r}.")
    if depth is None:
        depth = max(1, int(math.log2(max(1, min(h, w) // 4))))
    depth = int(depth)
    if depth < 1 or h % 2**depth or w % 2**depth:
        raise ValueError(
            "encoder_decoder_generator needs 1 <= depth and a height and width "
            f"divisible by 2 ** depth; got image_shape {image_shape!r} and depth {depth}."
        )
    if int(filters) < 1:
        raise ValueError(f"filters must be a positive integer; got {filters!r}.")
    out_channels = int(out_channels or c)

    inputs = keras.Input((h, w, c), name="images")
    x = inputs
    widths = []
    for i in range(depth):
        width = min(int(filters) * 2**i, int(max_filters))
        normed = i > 0
        x = layers.Conv2D(
            width, 4, strides=2, padding="same", use_bias=not normed,
            kernel_initializer=_init(), name=f"down{i + 1}_conv",
        )(x)
        if normed:
            x = BatchNorm(momentum=0.9, epsilon=1e-5)(x)
        x = layers.LeakyReLU(0.2)(x)
        widths.append(width)

    for j, i in enumerate(range(depth - 2, -1, -1)):
        x = layers.Conv2DTranspose(
            widths[i], 4, strides=2, padding="same", use_bias=False,
            kernel_initializer=_init(), name=f"up{j + 1}_conv",
        )(x)
        x = BatchNorm(momentum=0.9, epsilon=1e-5)(x)
        x = layers.ReLU()(x)

    x = layers.Conv2DTranspose(
        out_channels, 4, strides=2, padding="same", kernel_initializer=_init(),
        name="out_conv",
    )(x)
    outputs = layers.Activation("tanh", dtype="float32", name="output")(x)
    return keras.Model(inputs, outputs, name=name)
