"""Frozen feature networks for the content and style losses of CartoonGAN
(Chen et al. 2018) and AnimeGAN (Chen et al. 2019).

`feature_extractor` maps RGB images in [-1, 1] to a feature map. The papers use
VGG19 with ImageNet weights (CartoonGAN: conv4_4); those weights need a
download (or a local file), so the project's default is an "offline" network
with fixed random weights that needs neither.
"""

import os

import keras
from keras import layers

#: The specs `feature_extractor` accepts besides a weights path and a model.
FEATURE_SPECS = ("offline", "vgg19")

#: Filters of the offline network's blocks (two 3x3 convolutions each).
OFFLINE_FILTERS = (32, 64, 128, 256)

#: Seed of the offline network's weights (layer i uses OFFLINE_SEED + i).
OFFLINE_SEED = 1337


@keras.saving.register_keras_serializable(package="keras_gans")
class VGG19Preprocessing(layers.Layer):
    """Images in [-1, 1] -> VGG19's input: `vgg19.preprocess_input` of [0, 255].

    That is RGB -> BGR and the ImageNet channel means subtracted ("caffe"
    mode), the preprocessing VGG19's ImageNet weights were trained with.

    Example:
    ```python
    x = keras_gans.networks.features.VGG19Preprocessing()(images)  # then VGG19's layers
    ```
    """

    def call(self, inputs):
        x = (inputs + 1.0) * 127.5
        return keras.applications.vgg19.preprocess_input(x)

    def compute_output_shape(self, input_shape):
        return input_shape


def _looks_like_path(spec):
    return (
        spec.endswith((".h5", ".hdf5", ".keras"))
        or os.sep in spec
        or (os.altsep or os.sep) in spec
        or os.path.exists(spec)
    )


def _freeze(model):
    model.trainable = False
    return model


def offline_feature_net(image_shape=(64, 64, 3), filters=OFFLINE_FILTERS, seed=OFFLINE_SEED,
                        pixels=True, output=None, name="offline_features"):
    """A VGG-style conv stack with fixed, seeded random weights (no download).

    Blocks of two Conv3x3 + ReLU (`block{i}_conv{j}`, as VGG names them),
    2x2 average pooling between blocks (`block{i}_pool`). Kernels are
    He-normal from `keras.initializers.HeNormal(seed + k)` for the k-th
    convolution and biases are zero, so every build, in every process and on
    every machine, has the same weights.

    With `pixels=True` (the default) each block also has an output
    `block{i}_output`: its last convolution's channels followed by a pixel
    group, the input image averaged over 2^(i-1) x 2^(i-1) pixels (the
    block's resolution; `block{i}_pixels_pool`) and multiplied by
    `filters[i-1] / C` (`block{i}_pixels`), so that in a mean over all
    channels (the L1 content loss) the C pixel channels weigh as much as the
    block's convolution channels. The reason: random 3x3 ReLU features alone
    are a poor content prior for training a generator (see
    docs/MODEL_NOTES.md#offline_feature_net); ImageNet VGG features are far
    better conditioned and need no such channel. The network's default output is `block4_output` (1/8 of the
    input size like VGG19's conv4_4); with `pixels=False` it is
    `block4_conv2` (the network as it was before the pixel groups).

    Random-weight convolutional networks are a usable prior for perceptual
    losses: their features support texture synthesis and style transfer
    (Ustyuzhaninov et al. 2016, arXiv:1606.00021; He et al. 2016, "A Powerful
    Generative Model Using Random Weights for the Deep Image Representation",
    arXiv:1606.04801), so content (L1 of features) and style (Gram matrix)
    losses still compare structure and texture rather than raw pixels. They
    are weaker than ImageNet features; pass `spec="vgg19"` (or a local VGG19
    weights file) to `feature_extractor` for the papers' setting.

    Args:
        image_shape: tuple. (H, W, C) of the images; H and W may be None.
        filters: tuple of int. Filters of each block.
        seed: int. Base seed of the kernels.
        pixels: bool. Add the `block{i}_output` layers (convolutions + pixel group).
        output: str or None. The layer whose output is the model's: any
            `block{i}_conv{j}` or `block{i}_output` (None: the last one built).
        name: str. The model's name.

    Returns:
        keras.Model. Images `[N, H, W, C]` -> the `output` layer's feature map
        (not frozen; `feature_extractor` freezes it).

    Raises:
        ValueError: `output` is not one of the network's layers.

    Example:
    ```python
    net = keras_gans.networks.features.offline_feature_net((32, 32, 3), output="block1_output")
    net.output.shape  # (None, 32, 32, 35): 32 convolution channels + 3 pixel channels
    ```
    """
    inputs = keras.Input(tuple(image_shape), name="images")
    x = inputs
    k = 0
    tensors = {}
    for i, width in enumerate(filters, start=1):
        if i > 1:
            x = layers.AveragePooling2D(2, name=f"block{i - 1}_pool")(x)
        for j in (1, 2):
            x = layers.Conv2D(
                int(width), 3, padding="same", activation="relu",
                kernel_initializer=keras.initializers.HeNormal(seed=int(seed) + k),
                bias_initializer="zeros", name=f"block{i}_conv{j}",
            )(x)
            tensors[f"block{i}_conv{j}"] = x
            k += 1
        if pixels:
            # The image at the block's resolution (2^(i-1) x 2^(i-1) means),
            # scaled so that its C channels weigh as much in a mean over all
            # channels as the block's `width` convolution channels.
            p = inputs
            if i > 1:
                p = layers.AveragePooling2D(2 ** (i - 1), name=f"block{i}_pixels_pool")(p)
            p = layers.Rescaling(int(width) / int(image_shape[-1]), name=f"block{i}_pixels")(p)
            tensors[f"block{i}_output"] = layers.Concatenate(name=f"block{i}_output")([x, p])
    last = list(tensors)[-1]
    output = output or last
    if output not in tensors:
        raise ValueError(f"No layer {output!r} in {name}; its outputs are {list(tensors)}.")
    return keras.Model(inputs, tensors[output], name=name if output == last else f"{name}_{output}")


def _cut(model, layer, default):
    layer = layer or default
    try:
        out = model.get_layer(layer).output
    except ValueError:
        names = [l.name for l in model.layers]
        raise ValueError(f"No layer {layer!r} in {model.name}; its layers are {names}.") from None
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return keras.Model(inputs, out, name=f"{model.name}_{layer}")


def _vgg19(image_shape, weights, layer):
    image_shape = tuple(image_shape)
    if len(image_shape) != 3 or image_shape[-1] != 3:
        raise ValueError(f"VGG19 features need RGB images (H, W, 3); got image_shape {image_shape!r}.")
    try:
        vgg = keras.applications.VGG19(include_top=False, weights=weights, input_shape=image_shape)
    except Exception as e:  # the download (or the file) failed
        where = (
            "download the VGG19 ImageNet weights"
            if weights == "imagenet"
            else f"load the VGG19 weights file {weights!r}"
        )
        raise ValueError(
            f"feature_extractor could not {where} ({type(e).__name__}: {e}). Pass the "
            "path of a local VGG19 weights file (e.g. "
            "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5) as spec, or "
            "spec='offline' for the project's download-free feature network."
        ) from e
    body = _cut(vgg, layer, "block4_conv4")
    inputs = keras.Input(image_shape, name="images")
    outputs = body(VGG19Preprocessing(name="vgg19_preprocessing")(inputs))
    return keras.Model(inputs, outputs, name="vgg19_features")


def feature_extractor(spec="offline", image_shape=(64, 64, 3), layer=None):
    """The frozen content/style feature network of CartoonGAN and AnimeGAN.

    Maps RGB images in [-1, 1] (`[B, H, W, 3]`) to a feature map. The model is
    frozen (`trainable=False`: no trainable weights) and functional, made of
    standard layers (and the package's registered `VGG19Preprocessing`), so
    it saves and reloads as part of a model.

    Args:
        spec: str or `keras.Model`. One of:
            - "offline" (default): `offline_feature_net`, a small VGG-style
              net with fixed, seeded random weights and a pixel group in
              each block's `block{i}_output`; no download. `layer` defaults
              to "block4_output"; "block{i}_conv{j}" gives convolution
              features alone.
            - "vgg19": `keras.applications.VGG19` with ImageNet weights (a
              download, cached in ~/.keras/models), cut at `layer` (default
              "block4_conv4", CartoonGAN's conv4_4), with VGG19's own
              preprocessing inside. A failed download raises a `ValueError`.
            - a path to a local VGG19 weights file (.h5 or .weights.h5): the
              same network with those weights.
            - a `keras.Model`: returned as it is, frozen.
        image_shape: tuple. (H, W, 3) of the images. VGG19 needs H, W >= 32.
        layer: str or None. Name of the layer whose output is the feature map.

    Returns:
        keras.Model. Frozen: RGB images `[N, H, W, 3]` in [-1, 1] -> features.

    Raises:
        ValueError: an unknown spec, a failed download, an unknown layer.
        FileNotFoundError: a weights path that does not exist.

    Example:
    ```python
    features = keras_gans.networks.feature_extractor("offline", (256, 256, 3))
    content_loss = keras.ops.mean(keras.ops.abs(features(photo) - features(generated)))
    ```
    """
    if isinstance(spec, keras.Model):
        return _freeze(spec)
    if not isinstance(spec, str):
        raise ValueError(
            f"spec must be one of {FEATURE_SPECS}, a weights file path or a keras.Model; got {spec!r}."
        )
    if spec == "offline":
        return _freeze(offline_feature_net(image_shape, output=layer))
    if spec == "vgg19":
        return _freeze(_vgg19(image_shape, "imagenet", layer))
    if _looks_like_path(spec):
        if not os.path.isfile(spec):
            raise FileNotFoundError(
                f"feature_extractor: no VGG19 weights file at {spec!r}. Pass an existing "
                f".h5/.weights.h5 path, or one of {FEATURE_SPECS}."
            )
        return _freeze(_vgg19(image_shape, spec, layer))
    raise ValueError(
        f"Unknown feature spec {spec!r}: use one of {FEATURE_SPECS}, the path of a local "
        "VGG19 weights file, or a keras.Model."
    )
