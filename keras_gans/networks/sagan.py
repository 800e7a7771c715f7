"""SAGAN's networks (Zhang et al. 2019, arXiv:1805.08318), sized for small images.

G and D are DCGAN-shaped stacks of 4x4 stride-2 convolutions with spectral
normalization on every weight layer (SAGAN normalizes G too) and an attention
block at the feature map of half the image side (16x16 at 32 px: the paper
found middle-to-high level maps best). G has BatchNorm, class-conditional
when `num_classes` is given (`keras_gans.layers.ConditionalBatchNorm` on the
one-hot label: a gain and a bias per class, as SAGAN's conditional BN); D
then ends in a projection head (`keras_gans.layers.ProjectionHead`).
"""

import keras
from keras import layers

from keras_gans.layers.attention import LocalSparseAttention, SelfAttention
from keras_gans.layers.batch_norm import BatchNorm
from keras_gans.layers.minibatch import PackImages, UnpackScores, check_pack
from keras_gans.layers.style import MinibatchStdDev
from keras_gans.layers.spectral import spectral_norm as _sn  # (layer, enabled, power_iterations)
from keras_gans.layers.spectral import spectral_norm_mode
from keras_gans.networks.common import base_and_doublings, check_image_shape

#: What the `attention` argument of the builders takes.
ATTENTION_KINDS = ("self", "local", "none")


def attention_block(kind, heads=8, spectral_norm=True, power_iterations=1, name="attention"):
    """The attention layer a SAGAN-family network puts at its attention stage.

    Args:
        kind: str. "self" (`keras_gans.layers.SelfAttention`, SAGAN), "local"
            (`keras_gans.layers.LocalSparseAttention`, YLG) or "none".
        heads: int. Heads of the local sparse attention.
        spectral_norm: bool or "through_sigma". Spectral norm on the block's
            1x1 convs, and its form (`keras_gans.layers.spectral_norm`).
        power_iterations: int. Power-method steps per training call.
        name: str. The layer's name.

    Returns:
        keras.layers.Layer or None (for "none").

    Example:
    ```python
    layer = keras_gans.networks.sagan.attention_block("local", heads=8)
    ```
    """
    if kind not in ATTENTION_KINDS:
        raise ValueError(f"attention must be one of {ATTENTION_KINDS}; got {kind!r}.")
    if kind == "none":
        return None
    if kind == "self":
        return SelfAttention(spectral_norm=spectral_norm, power_iterations=power_iterations,
                             name=name)
    return LocalSparseAttention(heads=heads, spectral_norm=spectral_norm,
                                power_iterations=power_iterations, name=name)


def attention_side(image_side, side=None):
    """The side of the feature map that gets attention: `side`, or half the image's."""
    return int(side) if side is not None else int(image_side) // 2


def sagan_generator(
    image_shape,
    latent_dim=128,
    width=64,
    num_classes=None,
    attention="self",
    heads=8,
    attention_at=None,
    spectral_norm=True,
    power_iterations=1,
    name="generator",
):
    """SAGAN generator: z (and labels) -> base map -> doubling stages -> tanh image.

    A linear layer makes a base x base map (4x4 for 32 px, 7x7 for 28:
    `keras_gans.networks.common.base_and_doublings`) with 2^(n-1) * width
    channels; each stage is a 4x4 stride-2 transposed conv halving the
    channels, BatchNorm (conditional on the class when `num_classes` is
    given) and ReLU; the stage whose side is `attention_at` (half the image
    side by default: 16x16 at 32 px, with `width` channels) is followed by
    the attention block; a last transposed conv makes the image (tanh, float32).
    Every linear and conv layer is spectrally normalized (SAGAN's G).

    Args:
        image_shape: tuple. (H, W, C); H one of
            `keras_gans.networks.common.SUPPORTED_SIZES`.
        latent_dim: int. Size of z.
        width: int. Channels of the last hidden stage (the attention stage
            at the default `attention_at`); earlier stages double it.
        num_classes: int or None. K: conditional BatchNorm on int32 labels in
            [0, K), a second input. None: unconditional.
        attention: str. "self" (SAGAN), "local" (YLG) or "none".
        heads: int. Heads of the local attention.
        attention_at: int or None. Side of the feature map with attention
            (half the image side when None); must be a hidden stage's side.
        spectral_norm: bool or "through_sigma". Spectral norm on every weight
            layer, and its form (`keras_gans.layers.spectral_norm`).
        power_iterations: int. Power-method steps per training call.
        name: str. The model's name.

    Returns:
        keras.Model. z `[N, latent_dim]` (and labels int32 `[N]`) -> images
        `[N, H, W, C]` (float32, in [-1, 1]).

    Example:
    ```python
    g = keras_gans.networks.sagan.sagan_generator((32, 32, 1), latent_dim=128, width=64)
    cg = keras_gans.networks.sagan.sagan_generator((32, 32, 1), num_classes=10)
    ```
    """
    h, w, c = check_image_shape(image_shape)
    base, n = base_and_doublings(h)
    at = attention_side(h, attention_at)
    sides = [base * 2 ** i for i in range(n)]  # the hidden maps' sides
    if attention != "none" and at not in sides:
        raise ValueError(f"attention_at={at} is not the side of one of G's hidden feature maps "
                         f"{sides} for {h} px images; pick one of them.")
    z = keras.Input((int(latent_dim),), name="z")
    inputs = [z]
    condition = None
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs.append(labels)
        condition = layers.CategoryEncoding(int(num_classes), output_mode="one_hot",
                                            name="one_hot_labels")(labels)

    def normalize(x, i):
        if condition is None:
            return BatchNorm(momentum=0.9, name=f"bn{i}")(x)
        from keras_gans.layers.conditional import ConditionalBatchNorm

        return ConditionalBatchNorm(name=f"cbn{i}")([x, condition])

    filters = width * 2 ** (n - 1)
    x = _sn(layers.Dense(base * base * filters, name="dense"), spectral_norm,
            power_iterations)(z)
    x = layers.Reshape((base, base, filters))(x)
    x = layers.ReLU()(normalize(x, 0))
    side = base
    for i in range(1, n):
        if side == at and attention != "none":
            x = attention_block(attention, heads, spectral_norm, power_iterations)(x)
        filters //= 2
        x = _sn(layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False,
                                       name=f"deconv{i}"), spectral_norm, power_iterations)(x)
        x = layers.ReLU()(normalize(x, i))
        side *= 2
    if side == at and attention != "none":
        x = attention_block(attention, heads, spectral_norm, power_iterations)(x)
    x = _sn(layers.Conv2DTranspose(c, 4, strides=2, padding="same", name="to_image"),
            spectral_norm, power_iterations)(x)
    out = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(inputs if len(inputs) > 1 else z, out, name=name)


def sagan_discriminator(
    image_shape,
    width=64,
    num_classes=None,
    attention="self",
    heads=8,
    attention_at=None,
    leaky_slope=0.1,
    power_iterations=1,
    name="discriminator",
    pack=1,
    minibatch_std=0,
    spectral_norm=True,
):
    """SAGAN discriminator: image (and labels) -> halving stages -> logit.

    Each stage is a spectrally normalized 4x4 stride-2 conv and a LeakyReLU
    (slope 0.1, as SN-GAN's CNN); channels start at `width` and double; the
    stage whose side is `attention_at` (half the image side by default: the
    first stage, 16x16 at 32 px) is followed by the attention block. The
    flattened last map feeds a spectrally normalized linear logit, plus the
    projection <embed(y), features> when `num_classes` is given
    (`keras_gans.layers.ProjectionHead`).

    Args:
        image_shape: tuple. (H, W, C); H one of
            `keras_gans.networks.common.SUPPORTED_SIZES`.
        width: int. Channels of the first stage; each later one doubles them.
        num_classes: int or None. K: a projection head on int32 labels, a
            second input. None: unconditional.
        attention: str. "self" (SAGAN), "local" (YLG) or "none".
        heads: int. Heads of the local attention.
        attention_at: int or None. Side of the feature map with attention
            (half the image side when None).
        leaky_slope: float. Negative slope of the LeakyReLUs.
        power_iterations: int. Power-method steps per training call.
        name: str. The model's name.
        pack: int. 1 or PacGAN's packing degree (unconditional D only): as
            `keras_gans.networks.dcgan_discriminator`'s `pack`.
        minibatch_std: int. 0 (off) or a group size: ProGAN's minibatch
            standard deviation (`keras_gans.layers.MinibatchStdDev`) appended
            to the last stage's map before the logit. Groups take every
            (N / size)-th example of a call, so a call must not mix real and
            generated images (`keras_gans.models.GAN` then calls D twice).
        spectral_norm: True or "through_sigma". The form of spectral norm on
            every weight layer (`keras_gans.layers.spectral_norm`): Keras'
            `SpectralNormalization`, or the paper's gradient through sigma.

    Returns:
        keras.Model. Images `[N, H, W, C]` (and labels int32 `[N]`) -> logits
        `[N, 1]` (float32).

    Example:
    ```python
    d = keras_gans.networks.sagan.sagan_discriminator((32, 32, 1), width=64)
    ```
    """
    h, w, c = check_image_shape(image_shape)
    base, n = base_and_doublings(h)
    at = attention_side(h, attention_at)
    sides = [h // 2 ** (i + 1) for i in range(n)]
    if attention != "none" and at not in sides:
        raise ValueError(f"attention_at={at} is not the side of one of D's feature maps {sides} "
                         f"for {h} px images; pick one of them.")
    pack = check_pack(pack)
    sn = spectral_norm_mode(spectral_norm)
    if not sn:
        raise ValueError("SAGAN's D is always spectrally normalized: spectral_norm must be True "
                         f"or 'through_sigma'; got {spectral_norm!r}.")
    if pack > 1 and num_classes is not None:
        raise ValueError(f"pack={pack} packs images only for an unconditional D; with "
                         f"num_classes={num_classes} leave pack at 1.")
    x_in = keras.Input(tuple(image_shape), name="images")
    x = PackImages(pack, name="pack")(x_in) if pack > 1 else x_in
    filters = width
    for i in range(n):
        x = _sn(layers.Conv2D(filters, 4, strides=2, padding="same", name=f"conv{i}"), sn,
                power_iterations)(x)
        x = layers.LeakyReLU(leaky_slope)(x)
        if sides[i] == at and attention != "none":
            x = attention_block(attention, heads, sn, power_iterations)(x)
        filters *= 2
    if minibatch_std:
        x = MinibatchStdDev(group_size=int(minibatch_std), name="minibatch_std")(x)
    features = layers.Flatten(name="features")(x)
    if num_classes is None:
        out = _sn(layers.Dense(1, name="logits"), sn, power_iterations)(features)
        out = layers.Activation("linear", dtype="float32", name="logits_f32")(out)
        if pack > 1:
            out = UnpackScores(pack, name="unpack", dtype="float32")([out, x_in])
        return keras.Model(x_in, out, name=name)
    from keras_gans.layers.conditional import ProjectionHead

    labels = keras.Input((), dtype="int32", name="labels")
    out = ProjectionHead(int(num_classes), spectral_norm=sn, power_iterations=power_iterations,
                         name="projection")([features, labels])
    out = layers.Activation("linear", dtype="float32", name="logits_f32")(out)
    return keras.Model([x_in, labels], out, name=name)
