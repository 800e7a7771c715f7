"""Networks of the conditional and latent-code GANs (DCGAN-sized to the image).

- `conditional_generator`: G(z, labels) with a label embedding joined to z, or
  G(z, codes) with InfoGAN's codes joined to z.
- `label_discriminator`: D(x, y) with the label embedded as one extra input
  channel, or projected onto D's features (Miyato & Koyama 2018); int labels,
  or soft label vectors for Triple-GAN.
- `heads_discriminator`: one convolutional trunk with named linear heads (AC-GAN's
  source and class heads, InfoGAN's Q head, SGAN's K classes) and its features.
- `image_encoder`: x -> z (BiGAN's E) or x -> class logits (Triple-GAN's C).
- `joint_discriminator`: D(x, z) for BiGAN.

Label inputs are int32 [N]; the embedding lookup converts to LiteRT's builtin
GATHER, so exported conditional generators need no custom ops.
"""

import keras
from keras import layers

from keras_gans.layers.batch_norm import BatchNorm
from keras_gans.networks.common import base_and_doublings, check_image_shape
from keras_gans.networks.dcgan import dcgan_generator

_NORMALIZATIONS = ("batch", "layer", "none")


def _check_normalization(normalization):
    if normalization not in _NORMALIZATIONS:
        raise ValueError(
            f"normalization must be one of {_NORMALIZATIONS}; got {normalization!r}."
        )


def conv_trunk(x, image_size, width=64, normalization="batch", dropout=0.0):
    """Stride-2 4x4 convolutions from `image_size` down to 4x4, then flatten.

    The last map is base x base (`keras_gans.networks.common.base_and_doublings`):
    4x4 for a power-of-two side, 7x7 for 28, 6x6 for 48.

    Args:
        x: symbolic tensor [N, S, S, C].
        image_size: int. S, one of `keras_gans.networks.common.SUPPORTED_SIZES`.
        width: int. Filters of the first stage; each later stage doubles it.
        normalization: str. "batch", "layer" or "none" (never on the first stage).
        dropout: float. Dropout after each stage (0 for none).

    Returns:
        Symbolic tensor `[N, base * base * filters]`: the flattened last features.

    Example:
    ```python
    x = keras.Input((32, 32, 1))
    features = keras_gans.networks.conditional.conv_trunk(x, 32, width=32)
    ```
    """
    _check_normalization(normalization)
    filters = width
    for i in range(base_and_doublings(image_size)[1]):
        x = layers.Conv2D(
            filters, 4, strides=2, padding="same",
            use_bias=(i == 0 or normalization == "none"),
        )(x)
        if i > 0 and normalization == "batch":
            x = BatchNorm()(x)
        elif i > 0 and normalization == "layer":
            x = layers.LayerNormalization(axis=[1, 2, 3])(x)
        x = layers.LeakyReLU(0.2)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
        filters *= 2
    return layers.Flatten()(x)


def conditional_generator(
    image_shape, latent_dim=100, num_classes=None, code_dim=None, width=64,
    embed_dim=None, embed_initializer="uniform", name="generator",
):
    """DCGAN generator conditioned on int labels or on a code vector.

    Exactly one of `num_classes` and `code_dim` is given. Labels go through an
    embedding of `embed_dim` (default: `num_classes`) joined to z; codes are
    joined to z as they are. The body is `keras_gans.networks.dcgan_generator`.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        num_classes: int or None. Classes of the int32 `labels` input.
        code_dim: int or None. Size of the float `codes` input.
        width: int. Filters of G's last hidden stage.
        embed_dim: int or None. Size of the label embedding.
        embed_initializer: Keras initializer of the label embedding. Keras'
            "uniform" (U(-0.05, 0.05)) starts the label ~30x weaker than z;
            `keras.initializers.RandomNormal(stddev=1.0)` starts it as strong
            as z (what `cgan` uses).
        name: str. The model's name.

    Returns:
        keras.Model. `[z, labels]` (labels int32 [N]) or `[z, codes]` ->
        images `[N, H, W, C]` in [-1, 1].

    Example:
    ```python
    g = keras_gans.networks.conditional.conditional_generator((32, 32, 1), 64, num_classes=10)
    model = keras_gans.get("cgan", generator=g)
    ```
    """
    check_image_shape(image_shape)
    if (num_classes is None) == (code_dim is None):
        raise ValueError("Give exactly one of num_classes and code_dim.")
    z = keras.Input((latent_dim,), name="z")
    if num_classes is not None:
        cond = keras.Input((), dtype="int32", name="labels")
        embed_dim = int(embed_dim or num_classes)
        c = layers.Embedding(int(num_classes), embed_dim, embeddings_initializer=embed_initializer,
                             name="label_embedding")(cond)
    else:
        cond = keras.Input((int(code_dim),), name="codes")
        embed_dim = int(code_dim)
        c = cond
    h = layers.Concatenate()([z, c])
    body = dcgan_generator(image_shape, latent_dim + embed_dim, width, name=f"{name}_body")
    return keras.Model([z, cond], body(h), name=name)


LABEL_INPUTS = ("channel", "projection")


def label_discriminator(
    image_shape, num_classes, width=64, normalization="batch", soft_labels=False,
    dropout=0.0, label_input="channel", name="discriminator",
):
    """D(x, y): a conv trunk on the image, told the label in one of two ways.

    - `label_input="channel"`: the label's learned H x W map is one extra
      input channel.
    - `label_input="projection"` (Miyato & Koyama 2018, arXiv:1802.05637):
      the trunk sees the image only, and the logit is
      `linear(features) + <embed(y), features>`, so the label weighs on D's
      decision as much as the image does from the first step.

    Args:
        image_shape: tuple. (H, W, C).
        num_classes: int. K.
        width: int. Filters of the first stage.
        normalization: str. "batch", "layer" or "none".
        soft_labels: bool. Take label vectors [N, K] (one-hot or a classifier's
            probabilities; Triple-GAN) instead of int32 labels [N].
        dropout: float. Dropout after each stage.
        label_input: str. "channel" or "projection".
        name: str. The model's name.

    Returns:
        keras.Model. `[images, labels]` -> logits `[N, 1]`.

    Example:
    ```python
    d = keras_gans.networks.conditional.label_discriminator((32, 32, 1), num_classes=10)
    ```
    """
    h, w, _ = check_image_shape(image_shape)
    if label_input not in LABEL_INPUTS:
        raise ValueError(f"label_input must be one of {LABEL_INPUTS}; got {label_input!r}.")
    x_in = keras.Input(image_shape, name="images")
    if soft_labels:
        y_in = keras.Input((int(num_classes),), name="labels")
    else:
        y_in = keras.Input((), dtype="int32", name="labels")

    def embed(units, layer_name):
        if soft_labels:
            return layers.Dense(units, use_bias=False, name=layer_name)(y_in)
        return layers.Embedding(int(num_classes), units, name=layer_name)(y_in)

    if label_input == "projection":
        x = conv_trunk(x_in, h, width, normalization, dropout)
        unconditional = layers.Dense(1, name="unconditional_logits")(x)
        projection = layers.Dot(axes=1)([embed(int(x.shape[-1]), "label_projection"), x])
        out = layers.Add(dtype="float32", name="logits")([unconditional, projection])
        return keras.Model([x_in, y_in], out, name=name)
    y = layers.Reshape((h, w, 1))(embed(h * w, "label_map"))
    x = layers.Concatenate()([x_in, y])
    x = conv_trunk(x, h, width, normalization, dropout)
    out = layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model([x_in, y_in], out, name=name)


def heads_discriminator(
    image_shape, heads, width=64, normalization="batch", dropout=0.0, hidden_heads=(),
    hidden_units=128, name="discriminator",
):
    """A conv trunk with named linear heads; returns a dict of outputs.

    Args:
        image_shape: tuple. (H, W, C).
        heads: dict. Head name -> units, e.g. `{"logits": 1, "classes": 10}`.
        width: int. Filters of the first stage.
        normalization: str. "batch", "layer" or "none".
        dropout: float. Dropout after each stage.
        hidden_heads: tuple of str. Heads that get their own hidden layer
            (`hidden_units`, LeakyReLU) before the linear one: InfoGAN's Q
            shares all of D but its last layers.
        hidden_units: int. Size of that hidden layer.
        name: str. The model's name.

    Returns:
        keras.Model. Images -> dict of `[N, units]` outputs, one per head, plus
        `"features"`: the flattened trunk output.

    Example:
    ```python
    d = keras_gans.networks.conditional.heads_discriminator(
        (32, 32, 1), {"logits": 1, "classes": 10})  # AC-GAN's D
    ```
    """
    h, _, _ = check_image_shape(image_shape)
    x_in = keras.Input(image_shape, name="images")
    feats = conv_trunk(x_in, h, width, normalization, dropout)
    outputs = {"features": feats}
    hidden = None
    for head, units in heads.items():
        x = feats
        if head in hidden_heads:
            if hidden is None:
                hidden = layers.Dense(hidden_units, name="q_hidden")(feats)
                hidden = layers.LeakyReLU(0.2)(hidden)
            x = hidden
        outputs[head] = layers.Dense(int(units), dtype="float32", name=head)(x)
    return keras.Model(x_in, outputs, name=name)


def image_encoder(
    image_shape, outputs, width=64, normalization="layer", dropout=0.0, name="encoder"
):
    """x -> a linear vector of `outputs` units (BiGAN's E, Triple-GAN's C).

    Args:
        image_shape: tuple. (H, W, C).
        outputs: int. Units of the last (linear) layer.
        width: int. Filters of the first stage.
        normalization: str. "batch", "layer" or "none".
        dropout: float. Dropout after each stage.
        name: str. The model's name.

    Returns:
        keras.Model. Images -> `[N, outputs]` (float32).

    Example:
    ```python
    e = keras_gans.networks.conditional.image_encoder((32, 32, 1), outputs=64, name="encoder")
    model = keras_gans.get("bigan", latent_dim=64, encoder=e)
    ```
    """
    h, _, _ = check_image_shape(image_shape)
    x_in = keras.Input(image_shape, name="images")
    x = conv_trunk(x_in, h, width, normalization, dropout)
    out = layers.Dense(int(outputs), dtype="float32", name="outputs")(x)
    return keras.Model(x_in, out, name=name)


def joint_discriminator(
    image_shape, latent_dim, width=64, units=256, dropout=0.2, name="discriminator"
):
    """BiGAN's D(x, z): a conv trunk on x and a dense path on z, joined.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        width: int. Filters of the first conv stage.
        units: int. Width of the z path and of the joint layer.
        dropout: float. Dropout (ALI uses it in D throughout).
        name: str. The model's name.

    Returns:
        keras.Model. `[images, z]` -> logits `[N, 1]`.

    Example:
    ```python
    d = keras_gans.networks.conditional.joint_discriminator((32, 32, 1), latent_dim=64)
    ```
    """
    h, _, _ = check_image_shape(image_shape)
    x_in = keras.Input(image_shape, name="images")
    z_in = keras.Input((latent_dim,), name="z")
    x = conv_trunk(x_in, h, width, "none", dropout)
    z = layers.Dense(units)(z_in)
    z = layers.LeakyReLU(0.2)(z)
    z = layers.Dropout(dropout)(z)
    j = layers.Concatenate()([x, z])
    j = layers.Dense(units)(j)
    j = layers.LeakyReLU(0.2)(j)
    j = layers.Dropout(dropout)(j)
    out = layers.Dense(1, dtype="float32", name="logits")(j)
    return keras.Model([x_in, z_in], out, name=name)
