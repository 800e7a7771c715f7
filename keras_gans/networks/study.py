"""The networks of Lucic et al. 2018's study ("Are GANs Created Equal?",
arXiv:1711.10337), the InfoGAN-style pair it trained every loss with on
MNIST and Fashion-MNIST:

- G: z -> FC 1024 -> FC (side/4)^2 x 128 -> deconv 64 -> deconv C,
  BatchNorm and leaky ReLU (0.2) after every layer but the last (the
  study's code, google/compare_gan's v1 branch, uses leaky ReLU where the
  InfoGAN paper has ReLU);
- D: conv 64 -> conv 128 -> FC 1024 -> FC 1, leaky ReLU (0.2) after every
  hidden layer, normalization after every hidden layer but the first;
- BEGAN's D, an autoencoder on the same two convolutions: conv 64 -> conv
  128 -> FC code 64 -> FC (side/4)^2 x 128 -> deconv 64 -> deconv C
  (`study_began_discriminator`).

Kernels are 4x4 with stride 2, so a 28 px image goes 28 -> 14 -> 7 and back.
Any keras-gans GAN takes them through its own-networks arguments:

```python
g = keras_gans.networks.study_generator((28, 28, 1), latent_dim=64)
d = keras_gans.networks.study_discriminator((28, 28, 1), normalization="none")
model = keras_gans.get("wgan_gp", generator=g, discriminator=d)
```
"""

import keras
from keras import layers

from keras_gans.layers.batch_norm import BatchNorm

NORMALIZATIONS = ("batch", "layer", "none")


def _check(image_shape):
    shape = tuple(int(s) for s in image_shape)
    if len(shape) != 3 or shape[0] != shape[1] or shape[0] % 4 or shape[0] < 8 or shape[2] not in (1, 3):
        raise ValueError(
            f"The study's networks take square images whose side is a multiple of 4 "
            f"(two stride-2 stages), at least 8, with 1 or 3 channels, e.g. (28, 28, 1); "
            f"got image_shape={tuple(image_shape)}.")
    return shape


def _normalize(x, normalization, axis):
    if normalization == "batch":
        return BatchNorm()(x)
    if normalization == "layer":
        return layers.LayerNormalization(axis=axis)(x)
    return x


def study_generator(image_shape=(28, 28, 1), latent_dim=64, width=64, hidden=1024,
                    output_activation="tanh", name="generator"):
    """The study's generator: z -> FC hidden -> FC (side/4)^2 x 2*width ->
    deconv width -> deconv C, each hidden layer with BatchNorm and leaky
    ReLU (0.2), as in the study's code.

    Args:
        image_shape: tuple. (H, W, C): H = W, a multiple of 4 (28 in the study).
        latent_dim: int. Size of z (64 in the study).
        width: int. Filters of the first deconvolution (64); the 7x7 stage has
            twice as many (128).
        hidden: int. Units of the first fully connected layer (1024).
        output_activation: str. "tanh" (keras-gans' images in [-1, 1]; the
            study's sigmoid for [0, 1] is the same map shifted) or "linear".
        name: str. The model's name.

    Returns:
        keras.Model. z `[N, latent_dim]` -> images `[N, H, W, C]` (float32).

    Example:
    ```python
    g = keras_gans.networks.study_generator((28, 28, 1), latent_dim=64)
    ```
    """
    h, _, c = _check(image_shape)
    base = h // 4
    z = keras.Input((int(latent_dim),), name="z")
    x = layers.Dense(hidden, use_bias=False)(z)
    x = layers.LeakyReLU(0.2)(BatchNorm()(x))
    x = layers.Dense(base * base * 2 * width, use_bias=False)(x)
    x = layers.LeakyReLU(0.2)(BatchNorm()(x))
    x = layers.Reshape((base, base, 2 * width))(x)
    x = layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False)(x)
    x = layers.LeakyReLU(0.2)(BatchNorm()(x))
    x = layers.Conv2DTranspose(c, 4, strides=2, padding="same")(x)
    out = layers.Activation(output_activation, dtype="float32", name="images")(x)
    return keras.Model(z, out, name=name)


def study_discriminator(image_shape=(28, 28, 1), width=64, hidden=1024, normalization="batch",
                        outputs=1, name="discriminator"):
    """The study's discriminator: conv width -> conv 2*width -> FC hidden ->
    FC outputs, leaky ReLU (0.2) after each hidden layer.

    Args:
        image_shape: tuple. (H, W, C): H = W, a multiple of 4.
        width: int. Filters of the first convolution (64).
        hidden: int. Units of the fully connected layer (1024).
        normalization: str. After the second convolution and the FC layer:
            "batch" (the study's, for the losses without a gradient penalty),
            "layer" or "none" (for a penalty on per-sample gradients, such as
            WGAN-GP's and DRAGAN's, batch statistics mix the samples).
        outputs: int. Units of the last layer (logits).
        name: str. The model's name.

    Returns:
        keras.Model. Images `[N, H, W, C]` -> logits `[N, outputs]` (float32).

    Example:
    ```python
    d = keras_gans.networks.study_discriminator((28, 28, 1), normalization="none")
    ```
    """
    _check(image_shape)
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}; got {normalization!r}.")
    bias = normalization == "none"
    x_in = keras.Input(tuple(image_shape), name="images")
    x = layers.Conv2D(width, 4, strides=2, padding="same")(x_in)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(2 * width, 4, strides=2, padding="same", use_bias=bias)(x)
    x = layers.LeakyReLU(0.2)(_normalize(x, normalization, [1, 2, 3]))
    x = layers.Flatten(name="features")(x)
    x = layers.Dense(hidden, use_bias=bias)(x)
    x = layers.LeakyReLU(0.2)(_normalize(x, normalization, -1))
    out = layers.Dense(outputs, dtype="float32", name="logits")(x)
    return keras.Model(x_in, out, name=name)


def study_began_discriminator(image_shape=(28, 28, 1), width=64, code_dim=64, normalization="none",
                              output_activation="tanh", name="discriminator"):
    """The study's BEGAN discriminator, an autoencoder: conv width -> conv
    2*width -> FC code_dim -> FC (side/4)^2 x 2*width -> deconv width ->
    deconv C.

    As in the study's code (google/compare_gan, `BEGAN.discriminator`):
    leaky ReLU (0.2) after the first convolution, the code and the two
    decoder layers before the last; the second convolution feeds the code
    without an activation; normalization, when asked, on the code and the two
    decoder layers before the last. It has 1.07M weights at 28 px (the
    study's code says about 1.3M), its plain D about 8.5M (a 6272 x 1024 FC
    layer).

    Args:
        image_shape: tuple. (H, W, C): H = W, a multiple of 4 (28 in the study).
        width: int. Filters of the first convolution (64); the 7x7 stage has
            twice as many (128).
        code_dim: int. Size of the code (64).
        normalization: str. "none" (BEGAN's usual D), "batch" or "layer".
        output_activation: str. "tanh" (images in [-1, 1]; the study's
            sigmoid for [0, 1] is the same map shifted) or "linear".
        name: str. The model's name.

    Returns:
        keras.Model. Images `[N, H, W, C]` -> `[reconstructions [N, H, W, C]
        (float32), codes [N, code_dim]]`, the pair `keras_gans.get("began",
        discriminator=...)` takes.

    Example:
    ```python
    g = keras_gans.networks.study_generator((28, 28, 1), latent_dim=64)
    d = keras_gans.networks.study_began_discriminator((28, 28, 1))
    model = keras_gans.get("began", image_shape=(28, 28, 1), latent_dim=64,
                           generator=g, discriminator=d)
    ```
    """
    h, _, c = _check(image_shape)
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}; got {normalization!r}.")
    base = h // 4
    bias = normalization == "none"
    x_in = keras.Input(tuple(image_shape), name="images")
    x = layers.Conv2D(width, 4, strides=2, padding="same")(x_in)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(2 * width, 4, strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(int(code_dim), use_bias=bias)(x)
    code = layers.LeakyReLU(0.2, name="code")(_normalize(x, normalization, -1))
    x = layers.Dense(base * base * 2 * width, use_bias=bias)(code)
    x = layers.LeakyReLU(0.2)(_normalize(x, normalization, -1))
    x = layers.Reshape((base, base, 2 * width))(x)
    x = layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=bias)(x)
    x = layers.LeakyReLU(0.2)(_normalize(x, normalization, [1, 2, 3]))
    x = layers.Conv2DTranspose(c, 4, strides=2, padding="same")(x)
    out = layers.Activation(output_activation, dtype="float32", name="reconstruction")(x)
    return keras.Model(x_in, [out, code], name=name)
