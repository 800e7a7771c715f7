"""ProGAN's networks (Karras, Aila, Laine & Lehtinen 2017, arXiv:1710.10196).

Both networks hold every resolution's block from the start, so a growing run
trains one graph (no rebuild, no recompile at a new stage):

- `progan_generator`: z -> one image per stage, coarsest first (toRGB after
  every block: 4x4, 8x8, ..., the full size). The model blends two of them
  by the stage and the fade-in alpha of the step.
- `progan_discriminator`: [images at the full size, lod] -> one logit. The
  images enter through fromRGB at every resolution (average-pooled down), and
  `Fade` layers blend the fine path into the coarse one by the level of detail
  `lod` (the official code's "linear" structure): at lod 0 only the finest
  fromRGB and every block count.

`stage_resolutions` and `stage_widths` give the sides and filters per stage.
Paper settings: equalized learning rate everywhere (`EqualizedConv2D`,
`EqualizedDense`), leaky ReLU 0.2, pixel norm after every convolution of G,
nearest upsampling and average-pool downsampling, minibatch standard
deviation (group 4) in D's last block, linear toRGB and output.
"""

import math

import keras
from keras import layers, ops

from keras_gans.layers.equalized import EqualizedConv2D, EqualizedDense
from keras_gans.layers.resample import Downsample2D, Upsample2D
from keras_gans.layers.style import MinibatchStdDev, PixelNorm
from keras_gans.networks.common import (check_image_shape, pyramid_sides,
                                        pyramid_widths)

_GAIN = math.sqrt(2.0)


def stage_resolutions(size):
    """The image side of each stage, coarsest first: the base side of
    `keras_gans.networks.common.base_and_doublings` doubled up to `size`.

    Args:
        size: int. The full image side (8, 16, 32, ...; 28 gives 7, 14, 28).

    Returns:
        list of int. E.g. [4, 8, 16, 32] for 32.

    Example:
    ```python
    keras_gans.networks.progan.stage_resolutions(32)  # [4, 8, 16, 32]
    ```
    """
    return pyramid_sides(size)


def stage_widths(num_stages, width=16, max_width=128):
    """Filters of each stage's block, coarsest first: `width` at the last
    (full-size) stage, doubled at each coarser stage, at most `max_width`
    (the paper's 512 channels from 4x4 to 64x64, halved above).

    Args:
        num_stages: int. Stages (`len(stage_resolutions(size))`).
        width: int. Filters at the full size.
        max_width: int. The most filters of any stage.

    Returns:
        list of int.

    Example:
    ```python
    keras_gans.networks.progan.stage_widths(4, width=16, max_width=128)  # [128, 64, 32, 16]
    ```
    """
    return pyramid_widths(num_stages, width, max_width)


@keras.saving.register_keras_serializable(package="keras_gans")
class Fade(layers.Layer):
    """Blends a stage's fine path into the coarse one by the level of detail.

    Inputs `[fine, coarse, lod]`: two tensors of one shape `[N, ...]` and the
    level of detail `lod` `[N, 1]` (0 at the full size; L - stage + 1 - alpha
    while a stage fades in). With `t = clip(lod - offset, 0, 1)`, the output is
    `fine * (1 - t) + coarse * t`: exactly `fine` at t = 0, exactly `coarse`
    at t = 1 (then the fine path gets a zero gradient). Computed in float32.

    Args:
        offset: float. The lod above which this stage is faded out: L - s for
            the block of stage s of L + 1 stages.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.networks.progan.Fade(offset=1.0)([fine, coarse, lod])
    ```
    """

    def __init__(self, offset=0.0, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.offset = float(offset)

    def call(self, inputs):
        fine, coarse, lod = (ops.cast(t, "float32") for t in inputs)
        t = ops.clip(lod - self.offset, 0.0, 1.0)
        t = ops.reshape(t, (-1,) + (1,) * (len(fine.shape) - 1))
        return fine * (1.0 - t) + coarse * t

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        config.update(offset=self.offset)
        return config


#: ProGAN's upscale2d: nearest-neighbour upsampling by 2 with static sides
#: (`keras_gans.layers.Upsample2D` without blur).
NearestUpsample2D = Upsample2D


def _conv(filters, kernel=3, gain=_GAIN, name=None):
    return EqualizedConv2D(filters, kernel, gain=gain, name=name)


def _act(x):
    return layers.LeakyReLU(0.2)(x)


def progan_generator(image_shape, latent_dim=128, width=16, max_width=128, name="generator"):
    """ProGAN's G with every stage built: z -> one image per stage.

    z is pixel-normalized, an equalized dense layer (gain sqrt(2) / base, as
    the paper's gain / 4 at a 4x4 base) makes the base x base map, then a 3x3
    convolution; each later stage upsamples (nearest) and applies two 3x3
    convolutions. Every convolution is followed by leaky ReLU 0.2 and pixel
    norm. After each stage a linear 1x1 toRGB gives that stage's image.

    Args:
        image_shape: tuple. (H, W, C) of the full size; H one of
            `keras_gans.networks.common.SUPPORTED_SIZES`.
        latent_dim: int. Size of z.
        width: int. Filters at the full size (doubled per coarser stage).
        max_width: int. The most filters of any stage.
        name: str. The model's name.

    Returns:
        keras.Model. z `[N, latent_dim]` -> a list of images
        `[N, r_k, r_k, C]`, one per stage k (`stage_resolutions`), linear
        (not clipped), float32.

    Example:
    ```python
    g = keras_gans.networks.progan.progan_generator((32, 32, 1), latent_dim=128)
    images_4, images_8, images_16, images_32 = g(z)
    ```
    """
    h, _, c = check_image_shape(image_shape)
    sizes = stage_resolutions(h)
    widths = stage_widths(len(sizes), width, max_width)
    base = sizes[0]
    z = keras.Input((int(latent_dim),), name="z")
    x = PixelNorm()(z)
    x = EqualizedDense(base * base * widths[0], gain=_GAIN / base, name="dense_4x4")(x)
    x = layers.Reshape((base, base, widths[0]))(x)
    x = PixelNorm()(_act(x))
    x = PixelNorm()(_act(_conv(widths[0], name=f"conv_{base}x{base}")(x)))
    outputs = []
    for k, (size, filters) in enumerate(zip(sizes, widths)):
        if k > 0:
            x = NearestUpsample2D()(x)
            x = PixelNorm()(_act(_conv(filters, name=f"conv0_{size}x{size}")(x)))
            x = PixelNorm()(_act(_conv(filters, name=f"conv1_{size}x{size}")(x)))
        rgb = EqualizedConv2D(c, 1, gain=1.0, dtype="float32", name=f"to_rgb_{size}x{size}")(x)
        outputs.append(rgb)
    return keras.Model(z, outputs, name=name)


def progan_discriminator(image_shape, width=16, max_width=128, mbstd_group_size=4,
                         name="discriminator"):
    """ProGAN's D with every stage built: [images, lod] -> one logit.

    The full-size images go through fromRGB (1x1 convolution, leaky ReLU) and
    the full-size block (two 3x3 convolutions, average pooling); at each
    coarser stage the images, average-pooled to that side, go through that
    stage's fromRGB and a `Fade` layer blends the two paths by `lod`; then
    that stage's block, down to the base side. The last block is minibatch
    standard deviation (`mbstd_group_size`), a 3x3 convolution, a dense
    layer and a linear dense output. Every layer has equalized learning rate;
    D has no normalization (as in the paper).

    Args:
        image_shape: tuple. (H, W, C) of the full size.
        width: int. Filters at the full size (doubled per coarser stage).
        max_width: int. The most filters of any stage.
        mbstd_group_size: int. Group size of the minibatch standard deviation
            (4 in the paper; 1 makes the layer a constant, which keeps one and
            two replicas equal).
        name: str. The model's name.

    Returns:
        keras.Model. `[images [N, H, W, C], lod [N, 1]]` -> logits `[N, 1]`
        (float32). `lod` is the level of detail: 0 uses the full size only;
        L - s + 1 - alpha sees stage s fading in with alpha (L + 1 stages).

    Example:
    ```python
    d = keras_gans.networks.progan.progan_discriminator((32, 32, 1))
    logits = d([images, keras.ops.zeros((n, 1))])  # the full size
    ```
    """
    h, _, c = check_image_shape(image_shape)
    sizes = stage_resolutions(h)
    widths = stage_widths(len(sizes), width, max_width)
    last = len(sizes) - 1
    x_in = keras.Input((h, h, c), name="images")
    lod = keras.Input((1,), name="lod")

    def from_rgb(images, k):
        return _act(_conv(widths[k], 1, name=f"from_rgb_{sizes[k]}x{sizes[k]}")(images))

    images = x_in
    x = from_rgb(images, last)
    for k in range(last, 0, -1):
        s = sizes[k]
        x = _act(_conv(widths[k], name=f"conv0_{s}x{s}")(x))
        x = _act(_conv(widths[k - 1], name=f"conv1_{s}x{s}")(x))
        x = Downsample2D(2)(x)
        images = Downsample2D(2)(images)
        x = Fade(offset=float(last - k), name=f"fade_{s}x{s}")([x, from_rgb(images, k - 1), lod])
    base = sizes[0]
    x = MinibatchStdDev(group_size=int(mbstd_group_size))(x)
    x = _act(_conv(widths[0], name=f"conv_{base}x{base}")(x))
    x = layers.Flatten()(x)
    x = _act(EqualizedDense(widths[0], name="dense")(x))
    out = EqualizedDense(1, gain=1.0, dtype="float32", name="logits")(x)
    return keras.Model([x_in, lod], out, name=name)
