"""StyleGAN's networks (Karras et al. 2019, arXiv:1812.04948) and StyleGAN2's
(Karras et al. 2020, arXiv:1912.04958).

- `mapping_network`: z -> w, `depth` equalized dense layers with a
  learning-rate multiplier of 0.01 after a pixel norm of z, ending in a
  `LatentAverage` layer that keeps the running mean w_avg (truncation);
- `synthesis_network`: per-layer styles `ws [N, num_ws, w_dim]` and one noise
  image per noise layer -> images, from a learned constant:
  `version=2` with modulated, demodulated convolutions and a skip-connection
  output (a toRGB at every resolution, upsampled and summed);
  `version=1` with AdaIN after every convolution and a single toRGB;
- `stylegan_discriminator`: images -> one logit; `residual=True` gives
  StyleGAN2's residual D, `False` the ProGAN-style D of StyleGAN v1; both end
  in a minibatch standard deviation layer;
- `synthesis_layout`: how many styles and which noise images a synthesis
  network at a given image side takes.

The noise images are inputs of the synthesis network (none is drawn inside
it), so the model chooses them: random in training, fixed in sampling and
the exports, whose runtimes then agree.
"""

import math

import keras
from keras import layers, ops

from keras_gans.layers import (
    AdaIN,
    Downsample2D,
    EqualizedConv2D,
    EqualizedDense,
    MinibatchStdDev,
    ModulatedConv2D,
    NoiseInjection,
    PixelNorm,
    Upsample2D,
)
from keras_gans.networks.common import (base_and_doublings, check_image_shape, pyramid_sides,
                                        pyramid_widths)

#: The negative slope of every leaky ReLU (0.2 in both papers).
LEAKY_SLOPE = 0.2


@keras.saving.register_keras_serializable(package="keras_gans")
class LatentAverage(layers.Layer):
    """The identity on w, holding the running mean w_avg of the mapping's outputs.

    w_avg is a non-trainable weight (saved with the network, and copied into
    an EMA copy of it with the other non-trainable weights); the model
    updates it in training with `update(w)` and truncates towards it.

    Args:
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    w = keras_gans.networks.stylegan.LatentAverage(name="w_avg")(w)
    ```
    """

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(f"LatentAverage takes w [batch, w_dim]; got {tuple(input_shape)}.")
        # "mean": every replica assigns the same (global) value.
        self.w_avg = self.add_weight(shape=(int(input_shape[-1]),), initializer="zeros",
                                     trainable=False, aggregation="mean", autocast=False,
                                     name="w_avg")

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="keras_gans")
class ConstantInput(layers.Layer):
    """StyleGAN's learned constant input: a `[size, size, channels]` weight
    (initialised N(0, 1)), repeated for every row of its input (the styles).

    Args:
        size: int. Height and width.
        channels: int. Channels.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.networks.stylegan.ConstantInput(4, 256)(ws)  # [N, 4, 4, 256]
    ```
    """

    def __init__(self, size, channels, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)
        self.channels = int(channels)

    def build(self, input_shape):
        self.const = self.add_weight(shape=(self.size, self.size, self.channels),
                                     initializer=keras.initializers.RandomNormal(stddev=1.0),
                                     name="const")

    def call(self, inputs):
        # zeros [N, 1, 1, 1] + const [1, s, s, c]: the batch from the input.
        zeros = ops.zeros_like(inputs[:, :1, :1])[..., None]
        return ops.cast(zeros, self.compute_dtype) + ops.cast(self.const,
                                                               self.compute_dtype)[None]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.channels)

    def get_config(self):
        config = super().get_config()
        config.update(size=self.size, channels=self.channels)
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class StyleSelect(layers.Layer):
    """Row `index` of per-layer styles: `ws [N, num_ws, w_dim] -> [N, w_dim]`.

    Args:
        index: int. The layer whose style to take.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    w3 = keras_gans.networks.stylegan.StyleSelect(3)(ws)
    ```
    """

    def __init__(self, index, **kwargs):
        super().__init__(**kwargs)
        self.index = int(index)

    def call(self, inputs):
        return inputs[:, self.index]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])

    def get_config(self):
        config = super().get_config()
        config.update(index=self.index)
        return config


def _activation(x):
    """Leaky ReLU (0.2) times sqrt(2), StyleGAN2's bias-act gain (it keeps
    the activations' scale through the demodulated layers)."""
    x = layers.LeakyReLU(LEAKY_SLOPE)(x)
    return layers.Rescaling(math.sqrt(2.0))(x)


def stage_widths(size, width, max_width):
    """Channels of every resolution from the smallest feature map to `size`.

    The output resolution has `width` channels; each halving doubles them,
    up to `max_width` (StyleGAN's min(fmap_base / res, fmap_max)).

    Args:
        size: int. The image side.
        width: int. Channels at the image side.
        max_width: int. The most channels of any resolution.

    Returns:
        list of `(side, channels)`, smallest side first.

    Example:
    ```python
    keras_gans.networks.stylegan.stage_widths(32, 32, 128)
    # [(4, 128), (8, 128), (16, 64), (32, 32)]
    ```
    """
    sides = pyramid_sides(size)
    return list(zip(sides, pyramid_widths(len(sides), width, max_width)))


def synthesis_layout(size, version=2):
    """What a synthesis network for images of side `size` takes.

    Both versions have two style layers per resolution (the constant's side
    included), so `num_ws = 2 * (doublings + 1)` (8 at 32 px: the papers'
    2 log2(32) - 2); every convolution has a noise input, and so does
    StyleGAN v1's constant.

    Args:
        size: int. The image side.
        version: int. 1 or 2.

    Returns:
        `(num_ws, noise_sides)`: int, and the side of each noise image in
        the order the network takes them.

    Example:
    ```python
    keras_gans.networks.stylegan.synthesis_layout(32)  # (8, [4, 8, 8, 16, 16, 32, 32])
    ```
    """
    base, n = base_and_doublings(size)
    sides = [base * 2 ** k for k in range(n + 1)]
    num_ws = 2 * len(sides)
    noise = [sides[0]] * (2 if int(version) == 1 else 1)
    for s in sides[1:]:
        noise += [s, s]
    return num_ws, noise


def mapping_network(latent_dim, w_dim=256, depth=8, lr_multiplier=0.01, name="mapping"):
    """StyleGAN's mapping network f: z -> w.

    z is normalised to unit root mean square (`PixelNorm`), then passes
    `depth` equalized dense layers of `w_dim` units with leaky ReLU (0.2),
    whose learning rate is `lr_multiplier` times the others' (0.01 in both
    papers). The last layer, `LatentAverage` (named "w_avg"), is the identity
    and holds the running mean of w.

    Args:
        latent_dim: int. Size of z.
        w_dim: int. Size of w (512 in the papers).
        depth: int. Dense layers (8 in the papers).
        lr_multiplier: float. Learning-rate multiplier of the dense layers.
        name: str. The model's name.

    Returns:
        keras.Model. z `[N, latent_dim]` -> w `[N, w_dim]` (float32).

    Example:
    ```python
    f = keras_gans.networks.stylegan.mapping_network(64, w_dim=128, depth=8)
    ```
    """
    z = keras.Input((int(latent_dim),), name="z")
    x = PixelNorm()(z)
    for i in range(int(depth)):
        x = EqualizedDense(int(w_dim), lr_multiplier=lr_multiplier, activation="leaky_relu",
                           name=f"dense_{i}")(x)
    w = LatentAverage(name="w_avg", dtype="float32")(x)
    return keras.Model(z, w, name=name)


def _noise_inputs(sides):
    return [keras.Input((s, s, 1), name=f"noise_{i}") for i, s in enumerate(sides)]


def synthesis_network(image_shape, w_dim=256, version=2, width=32, max_width=256,
                      name="synthesis"):
    """StyleGAN's synthesis network g: per-layer styles (and noise) -> images.

    It starts from a learned constant at the smallest side
    (`base_and_doublings`: 4x4 for a power of two) and doubles it up to the
    image side; each resolution has two 3x3 convolutions, each followed by a
    noise input (`NoiseInjection`: a per-channel learned strength times the
    given noise image) and leaky ReLU; style layer i takes `ws[:, i]`.

    - `version=2` (StyleGAN2, config E/F): modulated convolutions with weight
      demodulation (`ModulatedConv2D`), the first of each resolution after a
      blurred 2x upsampling ([1, 3, 3, 1]); a toRGB (modulated, not
      demodulated, 1x1) at every resolution, whose images are upsampled
      (blurred) and summed: the skip-connection generator. A resolution's
      toRGB takes the style of the next resolution's first convolution, the
      last one the style after the last convolution (2 styles per resolution).
    - `version=1` (StyleGAN): equalized convolutions, each followed by noise,
      leaky ReLU and AdaIN (instance norm, then the style's scale and bias);
      the constant itself also gets noise and AdaIN; one 1x1 toRGB at the
      image side (no progressive growing).

    The output is linear (not squashed): the model clips samples to [-1, 1].

    Args:
        image_shape: tuple. (H, W, C); a side of
            `keras_gans.networks.common.SUPPORTED_SIZES`.
        w_dim: int. Size of a style w.
        version: int. 1 or 2.
        width: int. Channels at the image side; each halving doubles them.
        max_width: int. The most channels of any resolution.
        name: str. The model's name.

    Returns:
        keras.Model. `[ws [N, num_ws, w_dim], noise_0, noise_1, ...]` (the
        noise images `[N, s, s, 1]` of `synthesis_layout`) -> images
        `[N, H, W, C]` (float32).

    Example:
    ```python
    g = keras_gans.networks.stylegan.synthesis_network((32, 32, 1), w_dim=128, version=2)
    num_ws, sides = keras_gans.networks.stylegan.synthesis_layout(32, 2)
    ```
    """
    h, _, c = check_image_shape(image_shape)
    version = int(version)
    if version not in (1, 2):
        raise ValueError(f"version must be 1 or 2; got {version!r}.")
    stages = stage_widths(h, width, max_width)
    num_ws, sides = synthesis_layout(h, version)
    ws = keras.Input((num_ws, int(w_dim)), name="ws")
    noises = _noise_inputs(sides)
    styles = [StyleSelect(i, name=f"style_{i}")(ws) for i in range(num_ws)]
    noise_iter = iter(noises)

    def noisy(x):
        return NoiseInjection()([x, next(noise_iter)])

    side, channels = stages[0]
    x = ConstantInput(side, channels, name="const")(ws)
    if version == 1:
        x = AdaIN()([_activation(noisy(x)), styles[0]])
        x = EqualizedConv2D(channels, 3)(x)
        x = AdaIN()([_activation(noisy(x)), styles[1]])
        for k, (side, channels) in enumerate(stages[1:], start=1):
            x = Upsample2D(2, blur=True)(x)
            x = EqualizedConv2D(channels, 3)(x)
            x = AdaIN()([_activation(noisy(x)), styles[2 * k]])
            x = EqualizedConv2D(channels, 3)(x)
            x = AdaIN()([_activation(noisy(x)), styles[2 * k + 1]])
        images = EqualizedConv2D(c, 1, gain=1.0, name="to_rgb")(x)
    else:
        x = _activation(noisy(ModulatedConv2D(channels, 3)([x, styles[0]])))
        images = ModulatedConv2D(c, 1, demodulate=False, name="to_rgb_0")([x, styles[1]])
        for k, (side, channels) in enumerate(stages[1:], start=1):
            x = Upsample2D(2, blur=True)(x)
            x = _activation(noisy(ModulatedConv2D(channels, 3)([x, styles[2 * k - 1]])))
            x = _activation(noisy(ModulatedConv2D(channels, 3)([x, styles[2 * k]])))
            rgb = ModulatedConv2D(c, 1, demodulate=False, name=f"to_rgb_{k}")(
                [x, styles[2 * k + 1]])
            images = layers.Add()([Upsample2D(2, blur=True)(images), rgb])
    images = layers.Activation("linear", dtype="float32", name="images")(images)
    return keras.Model([ws, *noises], images, name=name)


def stylegan_discriminator(image_shape, width=32, max_width=256, residual=True,
                           mbstd_group=4, name="discriminator"):
    """StyleGAN's discriminator: images -> one logit.

    A 1x1 fromRGB at the image side, then per resolution down to the
    smallest feature map two 3x3 equalized convolutions with leaky ReLU
    (0.2), the second after a blurred 2x downsampling ([1, 3, 3, 1] then
    every other pixel). `residual=True` (StyleGAN2's residual D) adds to each
    block a skip path (blurred downsampling and a 1x1 convolution) and scales
    the sum by 1/sqrt(2). At the end: a minibatch standard deviation layer
    (`MinibatchStdDev`), a 3x3 convolution, a dense layer and the linear logit.

    Args:
        image_shape: tuple. (H, W, C); a side of
            `keras_gans.networks.common.SUPPORTED_SIZES`.
        width: int. Channels at the image side; each halving doubles them.
        max_width: int. The most channels of any resolution.
        residual: bool. StyleGAN2's residual blocks (True) or StyleGAN's
            plain ones (False).
        mbstd_group: int. Group size of the minibatch standard deviation (4).
        name: str. The model's name.

    Returns:
        keras.Model. images `[N, H, W, C]` -> logits `[N, 1]` (float32).

    Example:
    ```python
    d = keras_gans.networks.stylegan.stylegan_discriminator((32, 32, 1), width=32)
    ```
    """
    h, _, c = check_image_shape(image_shape)
    stages = stage_widths(h, width, max_width)
    images = keras.Input((h, h, c), name="images")
    x = EqualizedConv2D(stages[-1][1], 1, activation="leaky_relu", name="from_rgb")(images)
    for (side, channels), (_, lower) in zip(stages[:0:-1], stages[-2::-1]):
        y = EqualizedConv2D(channels, 3, activation="leaky_relu")(x)
        y = Downsample2D(2, blur=True)(y)
        y = EqualizedConv2D(lower, 3, activation="leaky_relu")(y)
        if residual:
            skip = Downsample2D(2, blur=True)(x)
            skip = EqualizedConv2D(lower, 1, use_bias=False, gain=1.0)(skip)
            y = layers.Rescaling(1.0 / math.sqrt(2.0))(layers.Add()([y, skip]))
        x = y
    side, channels = stages[0]
    x = MinibatchStdDev(group_size=mbstd_group)(x)
    x = EqualizedConv2D(channels, 3, activation="leaky_relu")(x)
    x = layers.Flatten()(x)
    x = EqualizedDense(channels, activation="leaky_relu")(x)
    logits = EqualizedDense(1, gain=1.0)(x)
    logits = layers.Activation("linear", dtype="float32", name="logits")(logits)
    return keras.Model(images, logits, name=name)
