"""Spectrally normalized networks (Miyato et al. 2018, arXiv:1802.05957)."""

import keras
from keras import layers

from keras_gans.layers.spectral import spectral_norm as layers_spectral_norm
from keras_gans.networks.common import base_and_doublings, check_image_shape


def spectral_norm(layer, power_iterations=1):
    """Wraps `layer` (anything with a `kernel`) in `keras.layers.SpectralNormalization`.

    In training mode the wrapper runs `power_iterations` steps of the power
    method (its `vector_u` persists between calls, so the estimate keeps
    improving) and writes W / sigma(W) into the wrapped kernel before the
    layer runs; in inference the kernel is used as stored.

    Args:
        layer: keras.layers.Layer. A layer with a `kernel` (Conv2D, Dense, ...).
        power_iterations: int. Power-method steps per training call.

    Returns:
        `keras.layers.SpectralNormalization` named `sn_<layer name>`.

    Example:
    ```python
    conv = keras_gans.networks.sn.spectral_norm(keras.layers.Conv2D(64, 4, strides=2))
    ```
    """
    return layers_spectral_norm(layer, power_iterations=power_iterations)


def sn_dcgan_discriminator(
    image_shape,
    width=64,
    outputs=1,
    leaky_slope=0.1,
    power_iterations=1,
    name="discriminator",
):
    """DCGAN discriminator with spectral normalization on every weight layer.

    Strided 4x4 convolutions double the filters and halve the side down to
    4x4 (the base of `keras_gans.networks.common.base_and_doublings`: 7x7
    for 28 px), then a linear layer gives the logits, as in
    `keras_gans.networks.dcgan_discriminator`; every `Conv2D` and the final
    `Dense` is wrapped in `keras.layers.SpectralNormalization`, and there is
    no BatchNorm (SN replaces it, as in the paper's CNN discriminator, which
    also uses LeakyReLU with slope 0.1).

    Args:
        image_shape: tuple. (H, W, C); H one of
            `keras_gans.networks.common.SUPPORTED_SIZES` (3 to 7 times a power
            of two in [8, 256]).
        width: int. Filters of the first stage; each later stage doubles it.
        outputs: int. Units of the final linear layer.
        leaky_slope: float. Negative slope of the LeakyReLUs.
        power_iterations: int. Power-method steps per training call.
        name: str. The model's name.

    Returns:
        keras.Model. Images `[N, H, W, C]` -> logits `[N, outputs]` (float32).

    Example:
    ```python
    d = keras_gans.networks.sn.sn_dcgan_discriminator((32, 32, 1), width=32)
    logits = d(images)  # [N, 1]
    ```
    """
    h, _, _ = check_image_shape(image_shape)
    _, n = base_and_doublings(h)
    x_in = keras.Input(tuple(image_shape), name="images")
    x = x_in
    filters = width
    for i in range(n):
        conv = layers.Conv2D(filters, 4, strides=2, padding="same", name=f"conv{i}")
        x = spectral_norm(conv, power_iterations)(x)
        x = layers.LeakyReLU(leaky_slope)(x)
        filters *= 2
    x = layers.Flatten()(x)
    dense = layers.Dense(outputs, name="logits")
    out = spectral_norm(dense, power_iterations)(x)
    out = layers.Activation("linear", dtype="float32", name="logits_f32")(out)
    return keras.Model(x_in, out, name=name)
