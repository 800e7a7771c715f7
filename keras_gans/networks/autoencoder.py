"""Autoencoder discriminators (EBGAN, BEGAN), sized to the image.

The encoder is a stack of strided convolutions down to 4x4, then a dense code
vector; the decoder mirrors the DCGAN generator (dense to 4x4, fractionally
strided convolutions up to the image). 4x4 is the base of a power-of-two side;
other sides start from theirs (7x7 for 28 px:
`keras_gans.networks.common.base_and_doublings`). `autoencoder_discriminator` wires the
two into one model with two outputs, `(reconstruction, code)`: the energy
models score an image by its reconstruction error, and EBGAN's pull-away term
needs the code.
"""

import keras
from keras import layers

from keras_gans.layers.batch_norm import BatchNorm
from keras_gans.networks.dcgan import _activation as _act
from keras_gans.networks.dcgan import dcgan_generator
from keras_gans.networks.common import base_and_doublings, check_image_shape

_NORMALIZATIONS = ("batch", "none")
_ACTIVATIONS = ("leaky_relu", "elu", "relu")
_OUTPUT_ACTIVATIONS = ("tanh", "linear")


def _check(normalization, activation, output_activation="tanh"):
    if normalization not in _NORMALIZATIONS:
        raise ValueError(
            f"normalization must be one of {_NORMALIZATIONS}; got {normalization!r}."
        )
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {_ACTIVATIONS}; got {activation!r}.")
    if output_activation not in _OUTPUT_ACTIVATIONS:
        raise ValueError(
            f"output_activation must be one of {_OUTPUT_ACTIVATIONS}; "
            f"got {output_activation!r}."
        )


def autoencoder_encoder(
    image_shape,
    code_dim=64,
    width=32,
    normalization="none",
    activation="leaky_relu",
    name="encoder",
):
    """Encoder: image -> strided convolutions down to 4x4 -> linear code vector.

    Args:
        image_shape: tuple. (H, W, C); H one of
            `keras_gans.networks.common.SUPPORTED_SIZES` (3 to 7 times a power
            of two in [8, 256]), C 1 or 3.
        code_dim: int. Size of the code (the autoencoder's bottleneck).
        width: int. Filters of the first stage; each later stage doubles it.
        normalization: str. "batch" or "none"; never on the input stage.
        activation: str. "leaky_relu" (EBGAN, DCGAN style), "elu" (BEGAN) or "relu".
        name: str. The model's name.

    Returns:
        keras.Model. Images `[N, H, W, C]` -> codes `[N, code_dim]` (float32).

    Example:
    ```python
    encoder = keras_gans.networks.autoencoder_encoder((32, 32, 1), code_dim=64)
    ```
    """
    h, _, _ = check_image_shape(image_shape)
    _check(normalization, activation)
    x_in = keras.Input(tuple(image_shape), name="images")
    x = x_in
    filters = width
    for i in range(base_and_doublings(h)[1]):
        use_norm = i > 0 and normalization == "batch"
        x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=not use_norm)(x)
        if use_norm:
            x = BatchNorm()(x)
        x = _act(x, activation)
        filters *= 2
    x = layers.Flatten()(x)
    code = layers.Dense(int(code_dim), dtype="float32", name="code")(x)
    return keras.Model(x_in, code, name=name)


def autoencoder_decoder(
    image_shape,
    code_dim=64,
    width=32,
    normalization="none",
    activation="relu",
    output_activation="tanh",
    name="decoder",
):
    """Decoder: code -> 4x4 -> fractionally strided convolutions -> image.

    It mirrors `dcgan_generator` (and BEGAN uses it as its generator, as the
    paper does: G has the decoder's architecture with its own weights).

    Args:
        image_shape: tuple. (H, W, C) of the output.
        code_dim: int. Size of the input vector (a code, or z for a generator).
        width: int. Filters of the last hidden stage; earlier stages double it.
        normalization: str. "batch" or "none".
        activation: str. "relu", "elu" or "leaky_relu".
        output_activation: str. "tanh" (images in [-1, 1]) or "linear".
        name: str. The model's name.

    Returns:
        keras.Model. Codes `[N, code_dim]` -> images `[N, H, W, C]` (float32).

    Example:
    ```python
    g = keras_gans.networks.autoencoder_decoder((32, 32, 1), code_dim=32, activation="elu")
    model = keras_gans.get("began", generator=g)  # BEGAN's G is a decoder
    ```
    """
    _check(normalization, activation, output_activation)
    return dcgan_generator(
        image_shape, code_dim, width, normalization, activation, output_activation,
        input_name="code", name=name,
    )


def autoencoder_discriminator(
    image_shape,
    code_dim=64,
    width=32,
    normalization="none",
    activation="leaky_relu",
    output_activation="linear",
    name="discriminator",
):
    """Autoencoder discriminator: image -> `[reconstruction, code]`.

    Args:
        image_shape: tuple. (H, W, C); square, a side in
            `keras_gans.networks.common.SUPPORTED_SIZES` (3 to 7 times a power
            of two in [8, 256]), 1 or 3 channels.
        code_dim: int. Size of the code vector.
        width: int. Filters of the encoder's first stage (and of the decoder's
            last hidden stage).
        normalization: str. "batch" or "none", in encoder and decoder.
        activation: str. "leaky_relu", "elu" or "relu", in encoder and decoder.
        output_activation: str. "linear" (the default: a tanh output saturates
            at the -1 background of real images and stops D's gradient for
            pushing reconstructions of fakes away) or "tanh".
        name: str. The model's name.

    Returns:
        keras.Model. Images -> `[reconstruction [N, H, W, C], code [N, code_dim]]`.

    Example:
    ```python
    ae = keras_gans.networks.autoencoder_discriminator((32, 32, 1), code_dim=32)
    reconstruction, code = ae(images)  # [B, 32, 32, 1], [B, 32]
    ```
    """
    image_shape = check_image_shape(image_shape)
    encoder = autoencoder_encoder(
        image_shape, code_dim, width, normalization, activation, name=f"{name}_encoder"
    )
    decoder = autoencoder_decoder(
        image_shape,
        code_dim,
        width,
        normalization,
        activation,
        output_activation,
        name=f"{name}_decoder",
    )
    x_in = keras.Input(image_shape, name="images")
    code = encoder(x_in)
    reconstruction = decoder(code)
    return keras.Model(x_in, [reconstruction, code], name=name)
