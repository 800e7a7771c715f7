"""Per-image transforms that every reader shares, and the checks of their targets.

Each reader of `keras_gans.data` turns its images into float32
`[image_size, image_size, channels]` in [-1, 1] with these: `to_signed_range`
(the value range), `center_square_resize` (center crop to a square, then
resize) and `match_channels` (grey <-> RGB, alpha dropped).
"""

import numpy as np
import tensorflow as tf

__all__ = [
    "center_square_resize",
    "check_channels",
    "check_image_size",
    "match_channels",
    "to_signed_range",
]


def check_channels(channels):
    """Raises a ValueError unless `channels` is 1 or 3.

    Args:
        channels: int. The number of image channels asked for.

    Returns:
        None.

    Example:
    ```python
    keras_gans.data.transforms.check_channels(3)  # passes; 2 would raise
    ```
    """
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3; got {channels!r}.")


def check_image_size(image_size):
    """Raises a ValueError unless `image_size` is a positive integer.

    Args:
        image_size: int. The side of the square output images.

    Returns:
        None.

    Example:
    ```python
    keras_gans.data.transforms.check_image_size(32)  # passes; 0 or 32.0 would raise
    ```
    """
    if not isinstance(image_size, (int, np.integer)) or image_size < 1:
        raise ValueError(f"image_size must be a positive integer; got {image_size!r}.")


def to_signed_range(images, max_value):
    """Maps images in [0, `max_value`] linearly to float32 in [-1, 1].

    Args:
        images: tensor or array, any shape and numeric dtype. Values in
            [0, `max_value`].
        max_value: float. The value that becomes 1 (255.0 for uint8 images).

    Returns:
        float32 tensor of the same shape.

    Example:
    ```python
    x = keras_gans.data.transforms.to_signed_range(np.array([0, 255], "uint8"), 255.0)  # [-1, 1]
    ```
    """
    return tf.cast(images, tf.float32) / (max_value / 2.0) - 1.0


def center_square_resize(image, image_size):
    """Center-crops `image` to a square, then resizes it (bilinear, antialiased).

    Args:
        image: tensor [H, W, C], any numeric dtype.
        image_size: int. The output side.

    Returns:
        float32 tensor [image_size, image_size, C], in the input's value range.

    Example:
    ```python
    x = keras_gans.data.transforms.center_square_resize(tf.zeros([20, 12, 3]), 8)  # [8, 8, 3]
    ```
    """
    shape = tf.shape(image)
    h, w = shape[0], shape[1]
    side = tf.minimum(h, w)
    top = (h - side) // 2
    left = (w - side) // 2
    image = image[top : top + side, left : left + side, :]
    return tf.image.resize(tf.cast(image, tf.float32), (image_size, image_size), antialias=True)


def match_channels(image, channels):
    """Converts `image` to `channels` channels: grey to RGB by repetition, RGB to
    grey by luma, RGBA by dropping alpha first; an unknown channel count passes.

    Args:
        image: tensor [..., C] with C in (1, 3, 4) or unknown.
        channels: int. 1 or 3.

    Returns:
        tensor [..., channels] (the input itself when it already has them).

    Example:
    ```python
    rgb = keras_gans.data.transforms.match_channels(tf.zeros([8, 8, 1]), 3)  # [8, 8, 3]
    ```
    """
    have = image.shape[-1]
    if have == channels or have is None:
        return image
    if have == 1 and channels == 3:
        return tf.repeat(image, 3, axis=-1)
    if have == 3 and channels == 1:
        return tf.image.rgb_to_grayscale(image)
    if have == 4:
        return match_channels(image[..., :3], channels)
    raise ValueError(
        f"The data has {have} channels and cannot be turned into {channels}; "
        "pass channels=1 or channels=3."
    )
