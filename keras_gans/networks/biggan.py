"""BigGAN's networks (Brock, Donahue & Simonyan 2019, arXiv:1809.11096,
appendix B, the layout of its CIFAR/ImageNet residual architectures).

- `biggan_generator`: G(z, labels). A shared class embedding; z split into
  one chunk per block plus one for the first linear layer (the hierarchical
  latent); each residual up-block's two conditional BatchNorms take
  [embedding, its z chunk]; self-attention after the block at
  `attention_resolution`; BatchNorm, ReLU, 3x3 conv, tanh out.
- `biggan_discriminator_features`: D's trunk, images -> phi. Pre-activation
  residual down-blocks (2x2 average pooling), two more blocks at the last
  size, self-attention at `attention_resolution`, ReLU and a sum over the
  spatial axes.
- `biggan_discriminator`: D(images, labels), the trunk and a projection head
  (`keras_gans.layers.ProjectionHead`).

Spectral norm (Keras' `SpectralNormalization`, one power iteration per
training call) wraps every convolution and linear layer of both, as in the
paper; weights start orthogonal (`keras.initializers.Orthogonal`).
"""

import numpy as np

import keras
from keras import layers

from keras_gans.layers.batch_norm import BatchNorm
from keras_gans.layers.conditional import ConditionalBatchNorm, ProjectionHead
from keras_gans.layers.resample import Upsample2D
from keras_gans.layers.spectral import spectral_norm as _sn  # (layer, enabled, power_iterations)
from keras_gans.networks.common import base_and_doublings, check_image_shape


def latent_chunks(latent_dim, num_chunks):
    """The sizes of the hierarchical z's chunks: `latent_dim` split into
    `num_chunks` parts as equal as can be (the first ones one larger).

    Args:
        latent_dim: int. Size of z.
        num_chunks: int. Blocks of G plus one (the first linear layer).

    Returns:
        list of int.

    Example:
    ```python
    keras_gans.networks.biggan.latent_chunks(120, 4)  # [30, 30, 30, 30]
    ```
    """
    latent_dim, num_chunks = int(latent_dim), int(num_chunks)
    if latent_dim < num_chunks:
        raise ValueError(
            f"latent_dim {latent_dim} is smaller than the {num_chunks} chunks of BigGAN's "
            f"hierarchical z (one per G block plus one): use latent_dim >= {num_chunks}.")
    return [len(part) for part in np.array_split(np.arange(latent_dim), num_chunks)]


def _attention(x, name, spectral_norm, power_iterations):
    from keras_gans.layers.attention import SelfAttention

    return SelfAttention(spectral_norm=spectral_norm, power_iterations=power_iterations,
                         kernel_initializer=keras.initializers.Orthogonal(), name=name)(x)


def _check_attention(attention_resolution, sides, what):
    if attention_resolution is not None and int(attention_resolution) not in sides:
        raise ValueError(
            f"attention_resolution {attention_resolution} is not a side of {what}'s feature "
            f"maps {sorted(set(sides))}: pick one of them, or None for no attention.")


def biggan_generator(image_shape, latent_dim=120, num_classes=10, width=256, shared_dim=128,
                     attention_resolution=None, spectral_norm=True, power_iterations=1,
                     momentum=0.9, embed_initializer="orthogonal", cbn_spectral_norm=None,
                     label_in_linear=False, name="generator"):
    """BigGAN's generator: G(z, labels) -> images in [-1, 1].

    Args:
        image_shape: tuple. (H, W, C); H one of
            `keras_gans.networks.common.SUPPORTED_SIZES`. The first map is
            base x base (4 for 32 px, 7 for 28), doubled by one block each.
        latent_dim: int. Size of z; split into (blocks + 1) chunks
            (`latent_chunks`).
        num_classes: int. K.
        width: int. Channels of every block (BigGAN at 32 px: 4 * ch).
        shared_dim: int. Size of the shared class embedding.
        attention_resolution: int or None. Side of the block output that
            self-attention follows (`keras_gans.layers.SelfAttention`).
        spectral_norm: bool. SN on every conv and linear layer (the paper).
        power_iterations: int. Power-method steps per training call.
        momentum: float. BatchNorm momentum (Keras' convention).
        embed_initializer: Keras initializer of the shared class embedding
            ("orthogonal": BigGAN's, rows of norm 1 when K <= shared_dim;
            `keras.initializers.RandomNormal(stddev=1.0)` starts the label as
            strong as a z chunk of the same size).
        label_in_linear: bool. The first linear layer takes [embedding,
            first z chunk] (as BigGAN-deep's takes [z, embedding]) instead of
            the chunk alone, so the first map depends on the class too.
        cbn_spectral_norm: bool or None. SN on the conditional BatchNorms'
            gain and bias maps, which then start orthogonal (BigGAN's shared
            G); False: no SN there and zero maps, so each starts as a plain
            BatchNorm. None: as `spectral_norm`.
        name: str. The model's name.

    Returns:
        keras.Model. `[z float32 [N, latent_dim], labels int32 [N]]` ->
        images `[N, H, W, C]`.

    Example:
    ```python
    g = keras_gans.networks.biggan.biggan_generator((32, 32, 1), 64, 10, width=64,
                                                    shared_dim=32)
    ```
    """
    h, _, channels = check_image_shape(image_shape)
    base, blocks = base_and_doublings(h)
    _check_attention(attention_resolution, [base * 2 ** (i + 1) for i in range(blocks)],
                     "G")
    chunks = latent_chunks(latent_dim, blocks + 1)
    ortho = keras.initializers.Orthogonal
    z_in = keras.Input((int(latent_dim),), name="z")
    y_in = keras.Input((), dtype="int32", name="labels")
    shared = layers.Embedding(int(num_classes), int(shared_dim),
                              embeddings_initializer=keras.initializers.get(embed_initializer),
                              name="shared_embedding")(y_in)
    starts = np.cumsum([0] + chunks)
    zs = [z_in[:, starts[i]:starts[i + 1]] for i in range(len(chunks))]

    def conv(filters, size, layer_name):
        return _sn(layers.Conv2D(filters, size, padding="same", kernel_initializer=ortho(),
                                 name=layer_name), spectral_norm, power_iterations)

    cbn_sn = spectral_norm if cbn_spectral_norm is None else bool(cbn_spectral_norm)

    def cbn(x, cond, layer_name):
        return ConditionalBatchNorm(momentum=momentum, spectral_norm=cbn_sn,
                                    power_iterations=power_iterations,
                                    gain_initializer="orthogonal" if cbn_sn else "zeros",
                                    name=layer_name)([x, cond])

    x = _sn(layers.Dense(base * base * width, kernel_initializer=ortho(), name="linear"),
            spectral_norm, power_iterations)(
                layers.Concatenate(name="linear_input")([shared, zs[0]]) if label_in_linear
                else zs[0])
    x = layers.Reshape((base, base, width), name="first_map")(x)
    for i in range(blocks):
        cond = layers.Concatenate(name=f"condition{i}")([shared, zs[i + 1]])
        r = cbn(x, cond, f"block{i}_cbn1")
        r = layers.ReLU()(r)
        r = Upsample2D(name=f"block{i}_up")(r)
        r = conv(width, 3, f"block{i}_conv1")(r)
        r = cbn(r, cond, f"block{i}_cbn2")
        r = layers.ReLU()(r)
        r = conv(width, 3, f"block{i}_conv2")(r)
        s = Upsample2D(name=f"block{i}_shortcut_up")(x)
        s = conv(width, 1, f"block{i}_shortcut")(s)
        x = layers.Add(name=f"block{i}")([r, s])
        if attention_resolution is not None and base * 2 ** (i + 1) == int(attention_resolution):
            x = _attention(x, f"attention{i}", spectral_norm, power_iterations)
    x = BatchNorm(momentum=momentum, epsilon=1e-5, name="output_bn")(x)
    x = layers.ReLU()(x)
    x = conv(channels, 3, "output_conv")(x)
    out = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model([z_in, y_in], out, name=name)


def biggan_discriminator_features(image_shape, width=256, attention_resolution=None,
                                  extra_blocks=2, spectral_norm=True, power_iterations=1,
                                  name="discriminator_features"):
    """The trunk of BigGAN's discriminator: images -> pooled features phi.

    Residual down-blocks halve the side until it is at most 8 (32 px: 32 ->
    16 -> 8, as BigGAN at 32 px; 28 px: 28 -> 14 -> 7), then `extra_blocks`
    blocks keep it (BigGAN at 32 px: two); each block is ReLU (not on the
    first), 3x3 conv, ReLU, 3x3 conv, 2x2 average pooling, plus a 1x1-conv
    shortcut. Then ReLU and a sum
    over H and W. `biggan_discriminator` puts a projection head on it; S3GAN
    adds its rotation and class heads to the same features.

    Args:
        image_shape: tuple. (H, W, C).
        width: int. Channels of every block (phi has `width` features).
        attention_resolution: int or None. Self-attention after the first
            block whose output has this side (BigGAN-PyTorch's placement).
        extra_blocks: int. Blocks without downsampling at the last side.
        spectral_norm: bool. SN on every conv (the paper).
        power_iterations: int. Power-method steps per training call.
        name: str. The model's name.

    Returns:
        keras.Model. Images `[N, H, W, C]` -> features `[N, width]`.

    Example:
    ```python
    trunk = keras_gans.networks.biggan.biggan_discriminator_features((32, 32, 1), width=64)
    ```
    """
    h, _, _ = check_image_shape(image_shape)
    # Down to a side of at most 8, so that the last blocks see the whole image
    # before the sum. Stopping at twice G's first map instead left 28 px at
    # 14x14 after one halving, with 14-px receptive fields: on fashion_mnist
    # that D could not see a whole garment, fell to chance (hinge d_loss near
    # 2) and died (every unit of its last ReLU off) about 5,000 steps in.
    downs, side = 0, h
    while side > 8 and side % 2 == 0:
        side, downs = side // 2, downs + 1
    downs = max(1, downs)
    plan = [True] * downs + [False] * int(extra_blocks)
    sides, side = [], h
    for down in plan:
        side = side // 2 if down else side
        sides.append(side)
    _check_attention(attention_resolution, sides, "D")
    ortho = keras.initializers.Orthogonal

    def conv(filters, size, layer_name):
        return _sn(layers.Conv2D(filters, size, padding="same", kernel_initializer=ortho(),
                                 name=layer_name), spectral_norm, power_iterations)

    x_in = keras.Input(tuple(image_shape), name="images")
    x = x_in
    in_channels = int(image_shape[-1])
    for i, down in enumerate(plan):
        preactivation = i > 0
        r = layers.ReLU()(x) if preactivation else x
        r = conv(width, 3, f"block{i}_conv1")(r)
        r = layers.ReLU()(r)
        r = conv(width, 3, f"block{i}_conv2")(r)
        if down:
            r = layers.AveragePooling2D(2, name=f"block{i}_pool")(r)
        s = x
        if in_channels != width or down:
            if preactivation:
                s = conv(width, 1, f"block{i}_shortcut")(s)
                if down:
                    s = layers.AveragePooling2D(2)(s)
            else:
                if down:
                    s = layers.AveragePooling2D(2)(s)
                s = conv(width, 1, f"block{i}_shortcut")(s)
        x = layers.Add(name=f"block{i}")([r, s])
        in_channels = width
        if attention_resolution is not None and sides[i] == int(attention_resolution) and (
                i == 0 or sides[i - 1] != sides[i]):
            x = _attention(x, f"attention{i}", spectral_norm, power_iterations)
    x = layers.ReLU()(x)
    # The sum over H and W (BigGAN's), as a mean times the count: no Lambda,
    # which a .keras file cannot reload safely.
    x = layers.GlobalAveragePooling2D()(x)
    out = layers.Rescaling(float(sides[-1] * sides[-1]), name="sum_pool")(x)
    return keras.Model(x_in, out, name=name)


def biggan_discriminator(image_shape, num_classes=10, width=256, attention_resolution=None,
                         extra_blocks=2, spectral_norm=True, power_iterations=1,
                         name="discriminator"):
    """BigGAN's projection discriminator: D(images, labels) -> logits.

    `biggan_discriminator_features` (the residual trunk, ReLU and a sum
    over H and W) and `linear(phi) + <embed(y), phi>`
    (`keras_gans.layers.ProjectionHead`).

    Args:
        image_shape: tuple. (H, W, C).
        num_classes: int. K.
        width: int. Channels of every block.
        attention_resolution: int or None. See `biggan_discriminator_features`.
        extra_blocks: int. Blocks without downsampling at the last side.
        spectral_norm: bool. SN on every conv and linear layer and on the
            class embedding (the paper).
        power_iterations: int. Power-method steps per training call.
        name: str. The model's name.

    Returns:
        keras.Model. `[images [N, H, W, C], labels int32 [N]]` -> logits
        `[N, 1]` (float32).

    Example:
    ```python
    d = keras_gans.networks.biggan.biggan_discriminator((32, 32, 1), 10, width=64)
    ```
    """
    trunk = biggan_discriminator_features(image_shape, width, attention_resolution,
                                          extra_blocks, spectral_norm, power_iterations)
    x_in = keras.Input(tuple(image_shape), name="images")
    y_in = keras.Input((), dtype="int32", name="labels")
    features = trunk(x_in)
    out = ProjectionHead(int(num_classes), spectral_norm=spectral_norm,
                         power_iterations=power_iterations, name="projection")([features, y_in])
    out = layers.Activation("linear", dtype="float32", name="logits")(out)
    return keras.Model([x_in, y_in], out, name=name)
