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


def num_doublings(size, start=4):
    """How many stride-2 stages take `start` pixels to `size` pixels.

    Args:
        size: int. The image side.
        start: int. The side of the smallest feature map.

    Returns:
        int. log2(size / start), e.g. 3 for 32 px from 4.
    """
    return int(round(math.log2(size // start)))
