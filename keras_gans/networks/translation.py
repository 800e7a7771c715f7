"""Image-to-image networks: pix2pix's U-Net and PatchGAN (Isola et al. 2017,
arXiv:1611.07004) and CycleGAN's ResNet generator (Zhu et al. 2017,
arXiv:1703.10593; after Johnson et al. 2016).

Every generator maps `[B, H, W, C]` images in [-1, 1] to images in [-1, 1]
(tanh, float32) and converts to LiteRT with builtin ops only: instance norm is
`GroupNormalization(groups=-1)` and reflection padding is `MirrorPad`.
"""

import math

import keras
from keras import layers

from keras_gans.layers.batch_norm import BatchNorm
from keras_gans.layers.padding import ReflectionPadding2D

NORMALIZATIONS = ("batch", "instance", "none")


def _init():
    # pix2pix and CycleGAN initialise every weight from N(0, 0.02).
    return keras.initializers.RandomNormal(stddev=0.02)


def instance_norm(name=None):
    """Instance normalization: each sample's channels normalised over H and W.

    `GroupNormalization` with one group per channel (`groups=-1`), with a
    learned scale and offset; it converts to LiteRT builtins (mean, squared
    difference, rsqrt). `epsilon=1e-5` as in PyTorch's `InstanceNorm2d`.

    Args:
        name: str or None. The layer's name.

    Returns:
        `keras.layers.GroupNormalization` (a new layer).

    Example:
    ```python
    y = keras_gans.networks.instance_norm()(x)  # x: [B, H, W, C]
    ```
    """
    return layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)


def _check_normalization(normalization):
    if normalization not in NORMALIZATIONS:
        raise ValueError(
            f"normalization must be one of {NORMALIZATIONS}; got {normalization!r}."
        )
    return normalization


def _norm(x, normalization):
    if normalization == "batch":
        # PyTorch's BatchNorm2d defaults (momentum 0.1 there is 0.9 here).
        return BatchNorm(momentum=0.9, epsilon=1e-5)(x)
    if normalization == "instance":
        return instance_norm()(x)
    return x


def _check_shape(image_shape):
    try:
        shape = tuple(int(s) for s in image_shape)
    except (TypeError, ValueError):
        raise ValueError(f"image_shape must be (height, width, channels); got {image_shape!r}.")
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"image_shape must be (height, width, channels); got {image_shape!r}.")
    return shape


def _halvings(n):
    """How many times `n` halves evenly: 5 for 32, 2 for 28 (= 7 * 4), 0 for odd n."""
    k = 0
    while n % 2 == 0 and n > 1:
        n //= 2
        k += 1
    return k


def unet_generator(
    image_shape,
    out_channels=None,
    filters=64,
    depth=None,
    dropout=0.5,
    max_filters=512,
    normalization="batch",
    name="unet_generator",
):
    """pix2pix's U-Net generator: image -> image, with skip connections.

    Encoder: `depth` blocks of Conv2D(4x4, stride 2) + norm + LeakyReLU(0.2),
    filters doubling from `filters` up to `max_filters`. As in the reference
    implementation the first block (on the image) and the innermost one (the
    bottleneck, 1x1 at the default depth of a power-of-two side, where
    instance norm would output a constant) have no norm. Decoder: `depth - 1` blocks of
    Conv2DTranspose(4x4, stride 2) + norm + Dropout (the first three blocks;
    active only when training) + ReLU, each followed by the concatenation of
    the encoder output of the same size; then Conv2DTranspose(4x4, stride 2)
    to `out_channels` and tanh (float32). The paper's 256 px U-Net is
    `depth=8`, filters 64-128-256-512-512-512-512-512.

    Args:
        image_shape: tuple. (H, W, C) of the input; H and W divisible by
            2 ** depth.
        out_channels: int or None. Channels of the output; None: C.
        filters: int. Filters of the first encoder block.
        depth: int or None. Stride-2 blocks; None: as many as H and W can be
            halved evenly, down to 1 pixel for powers of two (8 for 256 px, 5
            for 32 px) and to the odd part of the side otherwise (2 for
            28 px: a 7x7 bottleneck; 4 for 48 px: 3x3).
        dropout: float. Dropout rate of the first three decoder blocks (0: none).
        max_filters: int. Cap on the filters of a block.
        normalization: str. "batch" (pix2pix), "instance" or "none".
        name: str. The model's name.

    Returns:
        keras.Model. Images `[N, H, W, C]` -> images `[N, H, W, out_channels]`
        in [-1, 1].

    Example:
    ```python
    g = keras_gans.networks.unet_generator((256, 256, 3))
    fake_b = g(real_a, training=True)
    ```
    """
    h, w, c = _check_shape(image_shape)
    _check_normalization(normalization)
    if depth is None:
        depth = _halvings(math.gcd(h, w))
    depth = int(depth)
    if depth < 1 or h % 2**depth or w % 2**depth:
        raise ValueError(
            f"unet_generator needs 1 <= depth and a height and width divisible by "
            f"2 ** depth; got image_shape {image_shape!r} and depth {depth}."
        )
    out_channels = int(out_channels or c)
    use_bias = normalization == "none"

    inputs = keras.Input((h, w, c), name="images")
    x = inputs
    skips, widths = [], []
    for i in range(depth):
        width = min(int(filters) * 2**i, int(max_filters))
        normed = 0 < i < depth - 1 and normalization != "none"
        x = layers.Conv2D(
            width, 4, strides=2, padding="same", use_bias=not normed,
            kernel_initializer=_init(), name=f"down{i + 1}_conv",
        )(x)
        if normed:
            x = _norm(x, normalization)
        x = layers.LeakyReLU(0.2)(x)
        skips.append(x)
        widths.append(width)

    for j, i in enumerate(range(depth - 2, -1, -1)):
        x = layers.Conv2DTranspose(
            widths[i], 4, strides=2, padding="same", use_bias=use_bias,
            kernel_initializer=_init(), name=f"up{j + 1}_conv",
        )(x)
        x = _norm(x, normalization)
        if j < 3 and dropout:
            x = layers.Dropout(float(dropout))(x)
        x = layers.ReLU()(x)
        x = layers.Concatenate()([x, skips[i]])

    x = layers.Conv2DTranspose(
        out_channels, 4, strides=2, padding="same", kernel_initializer=_init(),
        name="out_conv",
    )(x)
    outputs = layers.Activation("tanh", dtype="float32", name="output")(x)
    return keras.Model(inputs, outputs, name=name)


def resnet_generator(
    image_shape,
    out_channels=None,
    filters=64,
    num_blocks=None,
    downsamplings=2,
    normalization="instance",
    name="resnet_generator",
):
    """CycleGAN's ResNet generator: image -> image.

    ReflectionPadding(3) + Conv7x7(`filters`) + norm + ReLU;
    `downsamplings` x [Conv3x3 stride 2 (filters doubling) + norm + ReLU];
    `num_blocks` residual blocks [reflect pad 1, Conv3x3, norm, ReLU, reflect
    pad 1, Conv3x3, norm, add]; `downsamplings` x [Conv2DTranspose 3x3 stride 2
    (filters halving) + norm + ReLU]; ReflectionPadding(3) + Conv7x7
    (`out_channels`) + tanh (float32).

    Args:
        image_shape: tuple. (H, W, C) of the input; H and W divisible by
            2 ** downsamplings, with at least 2 pixels left at the bottleneck.
        out_channels: int or None. Channels of the output; None: C.
        filters: int. Filters of the first convolution (CycleGAN: 64).
        num_blocks: int or None. Residual blocks; None: 9 if H >= 256 else 6.
        downsamplings: int. Stride-2 stages down (and up again).
        normalization: str. "instance" (CycleGAN), "batch" or "none".
        name: str. The model's name.

    Returns:
        keras.Model. Images `[N, H, W, C]` -> images `[N, H, W, out_channels]`
        in [-1, 1].

    Example:
    ```python
    g = keras_gans.networks.resnet_generator((256, 256, 3))   # 9 blocks
    ```
    """
    h, w, c = _check_shape(image_shape)
    _check_normalization(normalization)
    downsamplings = int(downsamplings)
    if downsamplings < 0:
        raise ValueError(f"downsamplings must be a non-negative integer; got {downsamplings}.")
    scale = 2**downsamplings
    if h % scale or w % scale or min(h, w) // scale < 2 or min(h, w) < 4:
        raise ValueError(
            f"resnet_generator needs a height and width divisible by 2 ** downsamplings "
            f"= {scale} and at least 2 pixels at the bottleneck (and 4 at the input); "
            f"got image_shape {image_shape!r}."
        )
    if num_blocks is None:
        num_blocks = 9 if h >= 256 else 6
    out_channels = int(out_channels or c)
    use_bias = normalization == "none"

    def conv(x, width, kernel, strides=1, padding="valid", name=None):
        return layers.Conv2D(
            width, kernel, strides=strides, padding=padding, use_bias=use_bias,
            kernel_initializer=_init(), name=name,
        )(x)

    inputs = keras.Input((h, w, c), name="images")
    x = ReflectionPadding2D(3)(inputs)
    x = conv(x, filters, 7, name="in_conv")
    x = layers.ReLU()(_norm(x, normalization))
    width = int(filters)
    for i in range(downsamplings):
        width *= 2
        x = conv(x, width, 3, strides=2, padding="same", name=f"down{i + 1}_conv")
        x = layers.ReLU()(_norm(x, normalization))
    for i in range(int(num_blocks)):
        y = ReflectionPadding2D(1)(x)
        y = conv(y, width, 3, name=f"block{i + 1}_conv1")
        y = layers.ReLU()(_norm(y, normalization))
        y = ReflectionPadding2D(1)(y)
        y = conv(y, width, 3, name=f"block{i + 1}_conv2")
        y = _norm(y, normalization)
        x = layers.Add()([x, y])
    for i in range(downsamplings):
        width //= 2
        x = layers.Conv2DTranspose(
            width, 3, strides=2, padding="same", use_bias=use_bias,
            kernel_initializer=_init(), name=f"up{i + 1}_conv",
        )(x)
        x = layers.ReLU()(_norm(x, normalization))
    x = ReflectionPadding2D(3)(x)
    x = layers.Conv2D(out_channels, 7, kernel_initializer=_init(), name="out_conv")(x)
    outputs = layers.Activation("tanh", dtype="float32", name="output")(x)
    return keras.Model(inputs, outputs, name=name)


def receptive_field(num_layers=3):
    """Receptive field (pixels) of one output of `patchgan_discriminator`.

    Walks the stack from the output back to the input: r = (r - 1) * stride
    + kernel over the 4x4 convolutions (`num_layers` with stride 2, then two
    with stride 1). 70 for num_layers=3 (the 70x70 PatchGAN), 34 for 2, 16 for
    1, 142 for 4. Padding does not change it.

    Args:
        num_layers: int. Stride-2 convolutions of the PatchGAN.

    Returns:
        int. The side, in pixels, of the patch one logit sees.

    Example:
    ```python
    keras_gans.networks.receptive_field(3)  # 70
    ```
    """
    strides = [2] * int(num_layers) + [1, 1]
    r = 1
    for s in reversed(strides):
        r = (r - 1) * s + 4
    return r


def patchgan_discriminator(
    image_shape,
    condition_channels=0,
    filters=64,
    num_layers=3,
    normalization="instance",
    name="patchgan_discriminator",
):
    """PatchGAN discriminator: one real/fake logit per image patch.

    Conv4x4 stride 2 (`filters`, no norm) + LeakyReLU(0.2); `num_layers - 1`
    more Conv4x4 stride 2 + norm + LeakyReLU, filters doubling (at most 8x);
    Conv4x4 stride 1 + norm + LeakyReLU; Conv4x4 stride 1 to one channel of
    linear logits (float32). Each logit sees `receptive_field(num_layers)`
    pixels: 70x70 for `num_layers=3` (the paper's choice), 34x34 for 2.
    'same' padding is used throughout (the reference pads 1 pixel), so the
    output is `ceil(H / 2 ** num_layers)` per side: 32x32 for 256 px, 4x4
    for 32 px, never empty. Keep that at 2x2 or more with instance norm: on
    a 1x1 map it outputs a constant.

    With `condition_channels > 0` the model takes two inputs,
    `[condition, images]`, and concatenates them on the channels: pix2pix's
    D sees the (input, output) pair. With 0 it takes the images alone
    (CycleGAN, DiscoGAN, CartoonGAN, ...).

    Args:
        image_shape: tuple. (H, W, C) of the images judged.
        condition_channels: int. Channels of the condition image (same H, W);
            0 for an unconditional D.
        filters: int. Filters of the first convolution.
        num_layers: int. Stride-2 convolutions (3: the 70x70 PatchGAN).
        normalization: str. "instance" (CycleGAN), "batch" (pix2pix) or "none".
        name: str. The model's name.

    Returns:
        keras.Model. Images (or `[condition, images]`) -> logits
        `[N, ceil(H / 2 ** num_layers), ceil(W / 2 ** num_layers), 1]`.

    Example:
    ```python
    d = keras_gans.networks.patchgan_discriminator((256, 256, 3), condition_channels=3)
    logits = d([real_a, fake_b])   # [B, 32, 32, 1]
    ```
    """
    h, w, c = _check_shape(image_shape)
    _check_normalization(normalization)
    num_layers = int(num_layers)
    if num_layers < 1:
        raise ValueError(f"num_layers must be a positive integer; got {num_layers}.")
    condition_channels = int(condition_channels)
    if condition_channels < 0:
        raise ValueError(f"condition_channels must be >= 0; got {condition_channels}.")
    normed = normalization != "none"

    images = keras.Input((h, w, c), name="images")
    if condition_channels:
        condition = keras.Input((h, w, condition_channels), name="condition")
        inputs = [condition, images]
        x = layers.Concatenate()([condition, images])
    else:
        inputs = images
        x = images

    x = layers.Conv2D(filters, 4, strides=2, padding="same", kernel_initializer=_init())(x)
    x = layers.LeakyReLU(0.2)(x)
    for i in range(1, num_layers + 1):
        width = int(filters) * min(2**i, 8)
        strides = 2 if i < num_layers else 1
        x = layers.Conv2D(
            width, 4, strides=strides, padding="same", use_bias=not normed,
            kernel_initializer=_init(),
        )(x)
        x = _norm(x, normalization)
        x = layers.LeakyReLU(0.2)(x)
    outputs = layers.Conv2D(
        1, 4, padding="same", kernel_initializer=_init(), dtype="float32", name="logits"
    )(x)
    return keras.Model(inputs, outputs, name=name)
