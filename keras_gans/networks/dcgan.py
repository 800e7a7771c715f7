"""DCGAN networks (Radford et al. 2015, arXiv:1511.06434), sized to the image."""

import keras
from keras import layers

from keras_gans.layers.batch_norm import BatchNorm
from keras_gans.layers.latent import LatentMixture
from keras_gans.layers.minibatch import PackImages, UnpackScores, check_pack
from keras_gans.layers.resample import NativeResolution
from keras_gans.layers.style import MinibatchStdDev
from keras_gans.networks.common import base_and_doublings, check_image_shape


def _activation(x, activation):
    if activation == "leaky_relu":
        return layers.LeakyReLU(0.2)(x)
    if activation == "elu":
        return layers.ELU()(x)
    if activation == "relu":
        return layers.ReLU()(x)
    raise ValueError(f"activation must be 'relu', 'elu' or 'leaky_relu'; got {activation!r}.")


def dcgan_generator(
    image_shape,
    latent_dim=100,
    width=64,
    normalization="batch",
    activation="relu",
    output_activation="tanh",
    input_name="z",
    name="generator",
    latent_mixture=0,
    latent_mixture_scale=0.2,
    native_size=None,
):
    """All-convolutional generator: z -> 4x4 -> ... -> image, tanh output.

    A dense layer makes a base x base map (4x4 for a power-of-two side, 7x7 for
    28: `keras_gans.networks.common.base_and_doublings`), then
    fractionally strided convolutions double the side each stage; BatchNorm and
    ReLU follow each but the last, which is tanh (kept float32). The options
    make it also the decoder of the autoencoder discriminators (EBGAN, BEGAN).

    Args:
        image_shape: tuple. (H, W, C); H one of
            `keras_gans.networks.common.SUPPORTED_SIZES` (3 to 7 times a power
            of two in [8, 256]: 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, ...).
        latent_dim: int. Size of z.
        width: int. Filters of the last hidden stage; earlier stages double it.
        normalization: str. "batch" (DCGAN) or "none".
        activation: str. "relu" (DCGAN), "elu" or "leaky_relu".
        output_activation: str. "tanh" (images in [-1, 1]) or "linear".
        input_name: str. Name of the input ("z", or "code" for a decoder).
        name: str. The model's name.
        latent_mixture: int. 0 (off, DCGAN) or K: z goes first through
            `keras_gans.layers.LatentMixture`, which puts it on K small
            Gaussian islands, so that G need not draw between separate modes.
        latent_mixture_scale: float. Each island's standard deviation.
        native_size: int or None. None (DCGAN) or the side the training images
            were bilinearly resized from (8 for `keras_gans.data.load("digits")`
            at any larger side): the images are projected onto what such a
            resize can give (`keras_gans.layers.NativeResolution`), so G draws
            no detail that the data cannot hold.

    Returns:
        keras.Model. z `[N, latent_dim]` -> images `[N, H, W, C]` (float32).

    Example:
    ```python
    g = keras_gans.networks.dcgan_generator((64, 64, 3), latent_dim=128, width=64)
    model = keras_gans.get("wgan_gp", image_shape=(64, 64, 3), latent_dim=128, generator=g)
    ```
    """
    h, _, c = check_image_shape(image_shape)
    base, n = base_and_doublings(h)
    z = keras.Input((int(latent_dim),), name=input_name)
    filters = width * 2 ** (n - 1)
    use_norm = normalization == "batch"
    x = LatentMixture(latent_mixture, latent_mixture_scale)(z) if latent_mixture else z
    x = layers.Dense(base * base * filters, use_bias=not use_norm)(x)
    x = layers.Reshape((base, base, filters))(x)
    if use_norm:
        x = BatchNorm()(x)
    x = _activation(x, activation)
    for _ in range(n - 1):
        filters //= 2
        x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=not use_norm)(x)
        if use_norm:
            x = BatchNorm()(x)
        x = _activation(x, activation)
    x = layers.Conv2DTranspose(c, 4, strides=2, padding="same")(x)
    out = layers.Activation(output_activation, dtype="float32",
                            name=None if native_size else "images")(x)
    if native_size:
        clip = (-1.0, 1.0) if output_activation == "tanh" else None
        out = NativeResolution(native_size, clip=clip, dtype="float32", name="images")(out)
    return keras.Model(z, out, name=name)


def dcgan_discriminator(
    image_shape, width=64, normalization="batch", outputs=1, head=None, name="discriminator",
    minibatch_std=0,
    pack=1,
):
    """Strided-convolution discriminator: image -> 4x4 -> linear logits.

    Stride-2 convolutions halve the side down to the base of
    `keras_gans.networks.common.base_and_doublings` (4x4 for a power of two,
    7x7 for 28), whose flattened features feed the linear layer.

    Args:
        image_shape: tuple. (H, W, C); H one of
            `keras_gans.networks.common.SUPPORTED_SIZES`.
        width: int. Filters of the first stage; each later stage doubles it.
        normalization: str. "batch" (DCGAN), "layer" (WGAN-GP's critic) or "none".
            Never applied to the input stage.
        outputs: int. Units of the final linear layer.
        head: layer or None. Applied to the flattened last-stage features (the
            layer named "features") before the linear layer, e.g. Improved
            GAN's `MinibatchDiscrimination`.
        name: str. The model's name.
        minibatch_std: int. 0 (off, DCGAN) or a group size: ProGAN's minibatch
            standard deviation (`keras_gans.layers.MinibatchStdDev`) appends one
            feature map to the last stage, so D sees how varied the batch is. The
            per-replica batch must be a multiple of it.
        pack: int. 1 (DCGAN) or PacGAN's packing degree: D reads `pack`
            images at once, stacked along the channels
            (`keras_gans.layers.PackImages`), and each image gets its group's
            logits (`UnpackScores`), so the outputs keep one row per image.

    Returns:
        keras.Model. Images `[N, H, W, C]` -> logits `[N, outputs]` (float32).

    Example:
    ```python
    d = keras_gans.networks.dcgan_discriminator((32, 32, 1), width=32, normalization="layer")
    ```
    """
    h, _, _ = check_image_shape(image_shape)
    pack = check_pack(pack)
    if normalization not in ("batch", "layer", "none"):
        raise ValueError(
            f"normalization must be 'batch', 'layer' or 'none'; got {normalization!r}."
        )
    _, n = base_and_doublings(h)
    x_in = keras.Input(image_shape, name="images")
    x = PackImages(pack, name="pack")(x_in) if pack > 1 else x_in
    filters = width
    for i in range(n):
        x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=(i == 0 or normalization == "none"))(x)
        if i > 0 and normalization == "batch":
            x = BatchNorm()(x)
        elif i > 0 and normalization == "layer":
            x = layers.LayerNormalization(axis=[1, 2, 3])(x)
        x = layers.LeakyReLU(0.2)(x)
        filters *= 2
    if minibatch_std:
        x = MinibatchStdDev(group_size=int(minibatch_std), name="minibatch_std")(x)
    x = layers.Flatten(name="features")(x)
    if head is not None:
        x = head(x)
    out = layers.Dense(outputs, dtype="float32", name="logits")(x)
    if pack > 1:
        out = UnpackScores(pack, name="unpack", dtype="float32")([out, x_in])
    return keras.Model(x_in, out, name=name)
