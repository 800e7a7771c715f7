"""Helpers shared by the network builders."""

import math

SUPPORTED_SIZES = (8, 16, 32, 64, 128, 256)


def check_image_shape(image_shape, min_size=8):
    """Validates `(H, W, C)` and returns it as a tuple of ints.

    Raises a `ValueError` that names the allowed values when the shape is one the
    convolutional nets cannot build: square, a power of two in [min_size, 256],
    and 1 or 3 channels.

    Args:
        image_shape: tuple. (H, W, C).
        min_size: int. The smallest side allowed.

    Returns:
        tuple of int. `(H, W, C)`.

    Example:
    ```python
    keras_gans.networks.check_image_shape([32, 32, 1])  # (32, 32, 1)
    keras_gans.networks.check_image_shape((28, 28, 1))  # ValueError: side in [8, ..., 256]
    ```
    """
    try:
        shape = tuple(int(s) for s in image_shape)
    except (TypeError, ValueError):
        raise ValueError(f"image_shape must be (height, width, channels); got {image_shape!r}.")
    if len(shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels); got {image_shape!r}.")
    h, w, c = shape
    sizes = [s for s in SUPPORTED_SIZES if s >= min_size]
    if h != w or h not in sizes:
        raise ValueError(
            f"Unsupported image size {h}x{w}: these networks need square images "
            f"with a side in {sizes}. Resize the data (e.g. --image-size 32)."
        )
    if c not in (1, 3):
        raise ValueError(
            f"Unsupported channel count {c}: use 1 (grayscale) or 3 (RGB)."
        )
    return shape


#: The largest side a model whose networks take any multiple of some stride
#: (the fully convolutional translators) is trained at.
MAX_SIDE = 1024


def _as_shape(image_shape):
    """`image_shape` as a tuple of three positive ints, or a ValueError."""
    try:
        shape = tuple(int(s) for s in image_shape)
    except (TypeError, ValueError):
        shape = ()
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"image_shape must be (height, width, channels); got {image_shape!r}.")
    return shape


def describe_image_sizes(sizes="conv", min_size=8):
    """The image sizes a kind of network takes, in words (for error messages).

    Args:
        sizes: "conv", "any" or int. See `check_model_image_shape`.
        min_size: int. The smallest side of "conv".

    Returns:
        str. E.g. "square images with a side in [8, 16, 32, 64, 128, 256]".

    Example:
    ```python
    keras_gans.networks.common.describe_image_sizes(4)
    ```
    """
    if sizes == "conv":
        return ("square images with a side in "
                f"[{', '.join(str(s) for s in SUPPORTED_SIZES if s >= min_size)}] "
                "and 1 or 3 channels")
    if sizes == "any":
        return "images of any size"
    k = int(sizes)
    return f"images whose height and width are multiples of {k} in [{2 * k}, {MAX_SIDE}]"


def check_model_image_shape(image_shape, sizes="conv"):
    """The one rule for the image sizes a model's networks take; returns
    `(H, W, C)` as a tuple of ints or raises a `ValueError` that names them.

    Args:
        image_shape: tuple. (H, W, C).
        sizes: "conv" (the DCGAN-style builders: `check_image_shape`), "any"
            (MLPs: any size) or an int k (fully convolutional nets: H and W
            multiples of k in [2k, `MAX_SIDE`]).

    Returns:
        tuple of int. `(H, W, C)`.

    Example:
    ```python
    keras_gans.networks.common.check_model_image_shape((48, 48, 3), sizes=4)  # (48, 48, 3)
    keras_gans.networks.common.check_model_image_shape((28, 28, 1))  # ValueError
    ```
    """
    if sizes == "conv":
        return check_image_shape(image_shape)
    shape = _as_shape(image_shape)
    if sizes == "any":
        return shape
    h, w, _ = shape
    k = int(sizes)
    if h % k or w % k or min(h, w) < 2 * k or max(h, w) > MAX_SIDE:
        raise ValueError(
            f"Unsupported image size {h}x{w}: these networks need "
            f"{describe_image_sizes(k)}. Resize the data (e.g. --image-size 32)."
        )
    return shape


def num_doublings(size, start=4):
    """How many stride-2 stages take `start` pixels to `size` pixels.

    Args:
        size: int. The image side.
        start: int. The side of the smallest feature map.

    Returns:
        int. log2(size / start), e.g. 3 for 32 px from 4.
    """
    return int(round(math.log2(size // start)))
