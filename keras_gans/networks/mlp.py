"""Fully connected networks of the original GAN (Goodfellow et al. 2014)."""

import math

import keras
from keras import layers


def mlp_generator(image_shape, latent_dim=100, units=(256, 512), name="generator"):
    """MLP generator: z -> ReLU hidden layers -> tanh pixels, reshaped to an image.

    Args:
        image_shape: tuple. (H, W, C); any size.
        latent_dim: int. Size of z.
        units: tuple of int. Hidden layer sizes.
        name: str. The model's name.

    Returns:
        keras.Model. z `[N, latent_dim]` -> images `[N, H, W, C]` in [-1, 1].

    Example:
    ```python
    g = keras_gans.networks.mlp_generator((28, 28, 1), latent_dim=64)
    model = keras_gans.models.VanillaGAN(image_shape=(28, 28, 1), latent_dim=64, generator=g)
    ```
    """
    z = keras.Input((latent_dim,), name="z")
    x = z
    for u in units:
        x = layers.Dense(u)(x)
        x = layers.ReLU()(x)
    x = layers.Dense(math.prod(image_shape))(x)
    x = layers.Activation("tanh", dtype="float32")(x)
    out = layers.Reshape(tuple(image_shape), name="images", dtype="float32")(x)
    return keras.Model(z, out, name=name)


def mlp_discriminator(image_shape, units=(512, 256), dropout=0.3, name="discriminator"):
    """MLP discriminator: pixels -> LeakyReLU hidden layers with dropout -> logit.

    Args:
        image_shape: tuple. (H, W, C).
        units: tuple of int. Hidden layer sizes.
        dropout: float. Dropout rate after each hidden layer (the paper used it).
        name: str. The model's name.

    Returns:
        keras.Model. Images `[N, H, W, C]` -> logits `[N, 1]`.

    Example:
    ```python
    d = keras_gans.networks.mlp_discriminator((28, 28, 1), units=(256,))
    ```
    """
    x_in = keras.Input(tuple(image_shape), name="images")
    x = layers.Flatten()(x_in)
    for u in units:
        x = layers.Dense(u)(x)
        x = layers.LeakyReLU(0.2)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    out = layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(x_in, out, name=name)
