"""LAPGAN's networks (Denton et al. 2015, arXiv:1506.05751).

- `coarse_generator`, `coarse_discriminator`: G_0 and D_0, a plain GAN at the
  coarsest level (8x8 for 32 px);
- `lapgan_generator`: G_k, [conditioning image l, noise plane] -> residual h
  (stride-1 convolutions at the level's size, as the paper's G_1 and G_2);
- `lapgan_discriminator`: D_k, [image, conditioning image l] -> one logit
  (l joined to the image as extra channels before the first convolution,
  as the paper's conditional D).
"""

import keras
from keras import layers

from keras_gans.layers.batch_norm import BatchNorm
from keras_gans.networks.common import base_and_doublings, check_image_shape
from keras_gans.networks.conditional import _check_normalization, conv_trunk


def coarse_generator(image_shape, code_dim=100, width=64, name="generator_0"):
    """G_0: z -> the coarsest image (8x8 for 32 px), DCGAN-style with one more layer.

    A dense layer makes a base x base map (`base_and_doublings`: 4x4 for
    8 px), fractionally strided convolutions double it to the image side
    (BatchNorm, ReLU), and a stride-1 3x3 convolution gives the pixels (tanh).
    The last layer is what the DCGAN generator at 8 px lacks: with a single
    transposed convolution its 8x8 digits were blurred strokes.

    Args:
        image_shape: tuple. (H, W, C) of the coarsest level; H one of
            `keras_gans.networks.common.SUPPORTED_SIZES`.
        code_dim: int. Size of z.
        width: int. Filters of the last hidden stage; earlier stages double it.
        name: str. The model's name.

    Returns:
        keras.Model. z `[N, code_dim]` -> images `[N, H, W, C]` in [-1, 1].

    Example:
    ```python
    g0 = keras_gans.networks.lapgan.coarse_generator((8, 8, 1), code_dim=64, width=32)
    ```
    """
    h, _, c = check_image_shape(image_shape)
    base, n = base_and_doublings(h)
    z = keras.Input((int(code_dim),), name="z")
    filters = width * 2 ** n
    x = layers.Dense(base * base * filters, use_bias=False)(z)
    x = layers.Reshape((base, base, filters))(x)
    x = layers.ReLU()(BatchNorm()(x))
    for _ in range(n):
        filters //= 2
        x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False)(x)
        x = layers.ReLU()(BatchNorm()(x))
    x = layers.Conv2D(c, 3, padding="same")(x)
    out = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(z, out, name=name)


def coarse_discriminator(image_shape, width=64, normalization="batch", name="discriminator_0"):
    """D_0: images of the coarsest level -> one logit.

    A stride-1 3x3 convolution (no normalization), then stride-2 4x4
    convolutions down to the base side (`base_and_doublings`), each with
    `normalization` and doubling the filters, then a linear layer.

    Args:
        image_shape: tuple. (H, W, C); H one of
            `keras_gans.networks.common.SUPPORTED_SIZES`.
        width: int. Filters of the first convolution.
        normalization: str. "batch", "layer" or "none".
        name: str. The model's name.

    Returns:
        keras.Model. Images `[N, H, W, C]` -> logits `[N, 1]` (float32).

    Example:
    ```python
    d0 = keras_gans.networks.lapgan.coarse_discriminator((8, 8, 1), width=32)
    ```
    """
    h, _, _ = check_image_shape(image_shape)
    _check_normalization(normalization)
    x_in = keras.Input(tuple(int(s) for s in image_shape), name="images")
    x = layers.LeakyReLU(0.2)(layers.Conv2D(width, 3, padding="same")(x_in))
    filters = width
    for _ in range(base_and_doublings(h)[1]):
        filters *= 2
        x = layers.Conv2D(filters, 4, strides=2, padding="same",
                          use_bias=normalization == "none")(x)
        if normalization == "batch":
            x = BatchNorm()(x)
        elif normalization == "layer":
            x = layers.LayerNormalization(axis=[1, 2, 3])(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten(name="features")(x)
    out = layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(x_in, out, name=name)


def lapgan_generator(image_shape, width=64, num_layers=3, kernel_size=5,
                     normalization="batch", name="generator"):
    """G_k of a LAPGAN level: the residual h for a conditioning image l and noise.

    The noise is one plane of the level's size, joined to l as an extra
    channel (the paper's CIFAR-10 G_k: noise "as a 4th color plane"); then
    `num_layers - 1` stride-1 convolutions with BatchNorm and ReLU, and a
    linear convolution to the image's channels. The model adds h to l.

    Args:
        image_shape: tuple. (H, W, C) of the level.
        width: int. Filters of each hidden convolution.
        num_layers: int. Convolutions, the output one included (>= 1).
        kernel_size: int. Side of every kernel.
        normalization: str. "batch" or "none" (hidden layers only).
        name: str. The model's name.

    Returns:
        keras.Model. `[l [N, H, W, C], noise [N, H, W, 1]]` -> h `[N, H, W, C]`
        (float32, linear).

    Example:
    ```python
    g1 = keras_gans.networks.lapgan.lapgan_generator((16, 16, 1), width=32)
    h = g1([l, noise])
    ```
    """
    h, w, c = (int(s) for s in image_shape)
    if normalization not in ("batch", "none"):
        raise ValueError(f"normalization must be 'batch' or 'none'; got {normalization!r}.")
    if int(num_layers) < 1:
        raise ValueError(f"num_layers must be >= 1; got {num_layers}.")
    l_in = keras.Input((h, w, c), name="conditioning")
    noise = keras.Input((h, w, 1), name="noise")
    x = layers.Concatenate()([l_in, noise])
    use_norm = normalization == "batch"
    for _ in range(int(num_layers) - 1):
        x = layers.Conv2D(width, kernel_size, padding="same", use_bias=not use_norm)(x)
        if use_norm:
            x = BatchNorm()(x)
        x = layers.ReLU()(x)
    out = layers.Conv2D(c, kernel_size, padding="same", dtype="float32", name="residual")(x)
    return keras.Model([l_in, noise], out, name=name)


def lapgan_discriminator(image_shape, width=64, normalization="batch", dropout=0.0,
                         name="discriminator"):
    """D_k of a LAPGAN level: is this image real, given its conditioning image l?

    The image and l are concatenated on the channel axis, then go through the
    DCGAN-style stride-2 trunk (`keras_gans.networks.conditional.conv_trunk`)
    and a linear layer.

    Args:
        image_shape: tuple. (H, W, C) of the level; H one of
            `keras_gans.networks.common.SUPPORTED_SIZES`.
        width: int. Filters of the first stage; each later stage doubles it.
        normalization: str. "batch", "layer" or "none" (never on the first stage).
        dropout: float. Dropout after each stage.
        name: str. The model's name.

    Returns:
        keras.Model. `[images [N, H, W, C], l [N, H, W, C]]` -> logits `[N, 1]`
        (float32).

    Example:
    ```python
    d1 = keras_gans.networks.lapgan.lapgan_discriminator((16, 16, 1), width=32)
    logits = d1([images, l])
    ```
    """
    _check_normalization(normalization)
    shape = tuple(int(s) for s in image_shape)
    x_in = keras.Input(shape, name="images")
    l_in = keras.Input(shape, name="conditioning")
    x = layers.Concatenate()([x_in, l_in])
    x = conv_trunk(x, shape[0], width, normalization, dropout)
    out = layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model([x_in, l_in], out, name=name)
