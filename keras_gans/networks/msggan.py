"""MSG-GAN's networks (Karnewar & Wang 2020, "MSG-GAN: Multi-Scale Gradients
for Generative Adversarial Networks", CVPR; arXiv:1903.06048).

The ProGAN-style pair of MSG-ProGAN, without growing:

- `msggan_generator`: z -> one image per scale, coarsest first (4, 8, 16, 32
  for 32 px): every block's activations go through a 1x1 convolution
  ("toRGB") to an image of that block's size;
- `msggan_discriminator`: one image per scale, coarsest first -> one logit;
  each scale's image joins D's activations at its own resolution (MSG-GAN's
  combine function, `combine="simple"`: channel concatenation of the image
  itself; `"cat"`: of its 1x1-convolution features).

Both use equalized learning rate (`keras_gans.layers.EqualizedConv2D`,
`EqualizedDense`) and leaky ReLU 0.2; G has pixel norm after every
convolution; D may end with a minibatch standard deviation layer.
"""

import math

import keras
from keras import layers

from keras_gans.layers import EqualizedConv2D, EqualizedDense, MinibatchStdDev, PixelNorm, Upsample2D
from keras_gans.networks.common import (check_image_shape, pyramid_sides,
                                        pyramid_widths)

#: MSG-GAN's combine functions offered by `msggan_discriminator`.
COMBINES = ("simple", "cat")


def scale_sizes(image_side):
    """The sides of MSG-GAN's scales for an image side, coarsest first.

    The coarsest is the base of `keras_gans.networks.common.base_and_doublings`
    (4 for powers of two, 7 for 28), then it doubles up to the image side.

    Args:
        image_side: int. The image side; one of
            `keras_gans.networks.common.SUPPORTED_SIZES`.

    Returns:
        list of int. E.g. [4, 8, 16, 32] for 32, [7, 14, 28] for 28.

    Example:
    ```python
    keras_gans.networks.msggan.scale_sizes(32)  # [4, 8, 16, 32]
    ```
    """
    return pyramid_sides(image_side)


def scale_widths(sizes, width, max_width):
    """Filters at each scale (coarsest first): `width` at the finest, doubled
    at each coarser scale, at most `max_width`."""
    return pyramid_widths(len(sizes), width, max_width)


def _lrelu(x):
    return layers.LeakyReLU(0.2)(x)


def msggan_generator(image_shape, latent_dim=128, width=32, max_width=128,
                     name="generator"):
    """MSG-GAN's G: z -> an image at every scale, coarsest first.

    z is pixel-normalized, an equalized dense layer makes the base x base map
    (4x4 at 32 px), then a 3x3 convolution; each later block upsamples by 2
    (nearest) and applies two 3x3 convolutions. Every convolution is followed
    by leaky ReLU 0.2 and pixel norm. After every block a 1x1 convolution
    (toRGB, linear gain) and tanh give that scale's image in [-1, 1] (the
    paper's toRGB outputs are linear; tanh keeps every scale in the range of
    the real pyramid, which average pooling keeps in [-1, 1]).

    Args:
        image_shape: tuple. (H, W, C) of the finest scale; H one of
            `keras_gans.networks.common.SUPPORTED_SIZES`.
        latent_dim: int. Size of z.
        width: int. Filters at the finest scale; each coarser scale doubles
            them, up to `max_width`.
        max_width: int. The most filters of any block.
        name: str. The model's name.

    Returns:
        keras.Model. z `[N, latent_dim]` -> list of images `[N, s, s, C]`, one
        per size s of `scale_sizes(H)`, coarsest first (float32).

    Example:
    ```python
    g = keras_gans.networks.msggan.msggan_generator((32, 32, 1), latent_dim=64)
    images_4, images_8, images_16, images_32 = g(z)
    ```
    """
    h, _, c = check_image_shape(image_shape)
    sizes = scale_sizes(h)
    widths = scale_widths(sizes, width, max_width)
    z = keras.Input((int(latent_dim),), name="z")
    x = PixelNorm()(z)
    # ProGAN's first layer: a dense layer with gain sqrt(2) / 4 (a 4x4 "deconvolution").
    x = EqualizedDense(sizes[0] * sizes[0] * widths[0], gain=math.sqrt(2.0) / 4)(x)
    x = layers.Reshape((sizes[0], sizes[0], widths[0]))(x)
    x = PixelNorm()(_lrelu(x))
    x = PixelNorm()(_lrelu(EqualizedConv2D(widths[0], 3)(x)))
    outputs = []
    for k, (s, w) in enumerate(zip(sizes, widths)):
        if k > 0:
            x = Upsample2D(2)(x)
            x = PixelNorm()(_lrelu(EqualizedConv2D(w, 3)(x)))
            x = PixelNorm()(_lrelu(EqualizedConv2D(w, 3)(x)))
        rgb = EqualizedConv2D(c, 1, gain=1.0, name=f"to_rgb_{s}")(x)
        outputs.append(layers.Activation("tanh", dtype="float32", name=f"images_{s}")(rgb))
    return keras.Model(z, outputs, name=name)


def _combine(x, image, combine, filters, size):
    """MSG-GAN's combine of D's activations `x` with the scale's `image`."""
    if combine == "cat":
        image = _lrelu(EqualizedConv2D(filters, 1, name=f"from_rgb_{size}")(image))
    return layers.Concatenate(name=f"combine_{size}")([image, x])


def msggan_discriminator(image_shape, width=32, max_width=128, combine="simple",
                         minibatch_std=True, group_size=4, name="discriminator"):
    """MSG-GAN's D: one image per scale, coarsest first -> one logit.

    The finest image goes through a 1x1 convolution (fromRGB); each block
    applies two 3x3 convolutions (leaky ReLU 0.2) and halves the side by 2x2
    average pooling; at every coarser scale that scale's image joins the
    activations before the block (`combine`); the last block, at the base
    side, has the optional minibatch standard deviation, a 3x3 convolution,
    a base x base "valid" convolution to 1x1, and an equalized dense layer to
    the logit.

    `combine` is MSG-GAN's combine function phi: "simple" (phi_simple, the
    paper's choice for MSG-ProGAN) concatenates the scale's image itself with
    the activations on the channel axis; "cat" (phi_cat) concatenates the
    image's 1x1-convolution features (leaky ReLU, as many channels as the
    block's) instead.

    Args:
        image_shape: tuple. (H, W, C) of the finest scale; H one of
            `keras_gans.networks.common.SUPPORTED_SIZES`.
        width: int. Filters at the finest scale; each coarser scale doubles
            them, up to `max_width`.
        max_width: int. The most filters of any block.
        combine: str. "simple" or "cat" (see above).
        minibatch_std: bool. Append ProGAN's minibatch standard deviation
            (`keras_gans.layers.MinibatchStdDev`) before the last block. Its
            groups are formed within each replica's share of the batch, as in
            ProGAN's code, so D's output then depends on how the batch is
            split across replicas.
        group_size: int. The minibatch standard deviation's group size.
        name: str. The model's name.

    Returns:
        keras.Model. list of images `[N, s, s, C]` (one per size of
        `scale_sizes(H)`, coarsest first) -> logits `[N, 1]` (float32).

    Example:
    ```python
    d = keras_gans.networks.msggan.msggan_discriminator((32, 32, 1))
    logits = d([images_4, images_8, images_16, images_32])
    ```
    """
    h, _, c = check_image_shape(image_shape)
    if combine not in COMBINES:
        raise ValueError(f"combine must be one of {', '.join(map(repr, COMBINES))}; "
                         f"got {combine!r}.")
    sizes = scale_sizes(h)
    widths = scale_widths(sizes, width, max_width)
    inputs = [keras.Input((s, s, c), name=f"images_{s}") for s in sizes]
    n = len(sizes) - 1
    x = _lrelu(EqualizedConv2D(widths[n], 1, name=f"from_rgb_{sizes[n]}")(inputs[n]))
    for k in range(n, 0, -1):
        if k < n:
            x = _combine(x, inputs[k], combine, widths[k], sizes[k])
        x = _lrelu(EqualizedConv2D(widths[k], 3)(x))
        x = _lrelu(EqualizedConv2D(widths[k - 1], 3)(x))
        x = layers.AveragePooling2D(2)(x)
    if n > 0:
        x = _combine(x, inputs[0], combine, widths[0], sizes[0])
    if minibatch_std:
        x = MinibatchStdDev(group_size=group_size)(x)
    x = _lrelu(EqualizedConv2D(widths[0], 3)(x))
    x = _lrelu(EqualizedConv2D(widths[0], sizes[0], padding="valid")(x))
    x = layers.Flatten(name="features")(x)
    out = EqualizedDense(1, gain=1.0, dtype="float32", name="logits")(x)
    return keras.Model(inputs, out, name=name)
