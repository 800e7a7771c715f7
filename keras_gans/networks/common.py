"""Helpers shared by the network builders."""

import math

#: The smallest and largest side of the DCGAN-style (`"conv"`) builders.
MIN_CONV_SIDE, MAX_CONV_SIDE = 8, 256

#: The sides of the smallest feature map of the DCGAN-style builders: a side
#: is accepted when it is such a base times a power of two.
MIN_BASE, MAX_BASE = 3, 7


def base_and_doublings(size):
    """Splits an image side into the DCGAN-style builders' smallest feature
    map and the stride-2 stages that double it: `size = base * 2 ** doublings`.

    The side is halved while it is even and larger than `MAX_BASE`, so a power
    of two ends at a 4x4 map (as the builders always started), 28 at 7x7,
    48 and 96 at 6x6, 40 at 5x5.

    Args:
        size: int. The image side; one of `SUPPORTED_SIZES`.

    Returns:
        tuple of int. `(base, doublings)`, e.g. `(4, 3)` for 32, `(7, 2)` for 28.

    Raises:
        ValueError: a side the builders cannot reach (see `check_image_shape`).

    Example:
    ```python
    base, n = keras_gans.networks.common.base_and_doublings(28)  # (7, 2): 7 -> 14 -> 28
    ```
    """
    base, doublings = _halve(size)
    if not _is_conv_side(size):
        raise ValueError(
            f"Unsupported image size {size}x{size}: these networks need "
            f"{describe_image_sizes()}. Resize the data (e.g. --image-size {nearest_size(size)})."
        )
    return base, doublings


def _halve(size):
    base, doublings = int(size), 0
    while base % 2 == 0 and base > MAX_BASE:
        base //= 2
        doublings += 1
    return base, doublings


def _is_conv_side(size, min_size=MIN_CONV_SIDE):
    size = int(size)
    return (max(int(min_size), MIN_CONV_SIDE) <= size <= MAX_CONV_SIDE
            and MIN_BASE <= _halve(size)[0] <= MAX_BASE)


#: Every side the DCGAN-style builders take (`check_image_shape`): 3 to 7
#: times a power of two, from 8 to 256. The powers of two keep exactly the
#: networks (and saved weights) they had before the other sides were allowed.
SUPPORTED_SIZES = tuple(s for s in range(MIN_CONV_SIDE, MAX_CONV_SIDE + 1) if _is_conv_side(s))


def nearest_size(size, min_size=MIN_CONV_SIDE):
    """The supported side closest to `size` (a tie goes to the larger one,
    which pads rather than shrinks), for the advice of an error message.

    Args:
        size: int. A side.
        min_size: int. The smallest side allowed.

    Returns:
        int. One of `SUPPORTED_SIZES`, e.g. 40 for 36 and 256 for 4096.
    """
    sizes = [s for s in SUPPORTED_SIZES if s >= min_size] or [MAX_CONV_SIDE]
    return min(sizes, key=lambda s: (abs(s - int(size)), -s))


def check_image_shape(image_shape, min_size=MIN_CONV_SIDE):
    """Validates `(H, W, C)` and returns it as a tuple of ints.

    Raises a `ValueError` that names the allowed values when the shape is one the
    convolutional nets cannot build: square, a side that is a base of 3 to 7
    times a power of two in [min_size, 256] (`SUPPORTED_SIZES`: 8, 10, 12, 14,
    16, 20, 24, 28, 32, 40, 48, ...), and 1 or 3 channels. The builders start
    at base x base (`base_and_doublings`) and double it up to the side.

    Args:
        image_shape: tuple. (H, W, C).
        min_size: int. The smallest side allowed.

    Returns:
        tuple of int. `(H, W, C)`.

    Example:
    ```python
    keras_gans.networks.check_image_shape([28, 28, 1])  # (28, 28, 1): 7 x 4
    keras_gans.networks.check_image_shape((36, 36, 1))  # ValueError: 9 x 4; the side list
    ```
    """
    try:
        shape = tuple(int(s) for s in image_shape)
    except (TypeError, ValueError):
        raise ValueError(f"image_shape must be (height, width, channels); got {image_shape!r}.")
    if len(shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels); got {image_shape!r}.")
    h, w, c = shape
    if h != w or not _is_conv_side(h, min_size):
        raise ValueError(
            f"Unsupported image size {h}x{w}: these networks need "
            f"{describe_image_sizes(min_size=min_size)}. Resize the data "
            f"(e.g. --image-size {nearest_size(max(h, w), min_size)})."
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
        str. E.g. "square images with a side that is 3 to 7 times a power of
        two, in [8, 10, 12, 14, 16, 20, 24, 28, 32, ..., 256], and 1 or 3 channels".

    Example:
    ```python
    keras_gans.networks.common.describe_image_sizes(4)
    ```
    """
    if sizes == "conv":
        return ("square images with a side that is 3 to 7 times a power of two, in "
                f"[{', '.join(str(s) for s in SUPPORTED_SIZES if s >= min_size)}], "
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
    keras_gans.networks.common.check_model_image_shape((28, 28, 1))  # (28, 28, 1)
    keras_gans.networks.common.check_model_image_shape((36, 36, 1))  # ValueError
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


def num_doublings(size, start=None):
    """How many stride-2 stages take the smallest feature map to `size` pixels.

    Args:
        size: int. The image side.
        start: int or None. The side of the smallest feature map; None: the
            base of `base_and_doublings` (4 for powers of two, 7 for 28).

    Returns:
        int. E.g. 3 for 32 px (from 4), 2 for 28 px (from 7).
    """
    if start is None:
        return base_and_doublings(size)[1]
    return int(round(math.log2(size // start)))


def pyramid_sides(size):
    """The sides of a resolution pyramid for an image side, coarsest first:
    `base_and_doublings`'s base doubled up to `size` (the stages of ProGAN,
    the scales of MSG-GAN, the resolutions of StyleGAN).

    Args:
        size: int. The image side (8, 16, 32, ...; 28 gives 7, 14, 28).

    Returns:
        list of int. E.g. [4, 8, 16, 32] for 32.

    Example:
    ```python
    keras_gans.networks.common.pyramid_sides(32)  # [4, 8, 16, 32]
    ```
    """
    base, doublings = base_and_doublings(int(size))
    return [base * 2 ** k for k in range(doublings + 1)]


def pyramid_widths(num_levels, width, max_width):
    """Filters of each level of a pyramid, coarsest first: `width` at the
    finest level, doubled at each coarser one, at most `max_width` (ProGAN's
    and StyleGAN's min(fmap_base / res, fmap_max)).

    Args:
        num_levels: int. Levels (`len(pyramid_sides(size))`).
        width: int. Filters at the finest level.
        max_width: int. The most filters of any level.

    Returns:
        list of int.

    Example:
    ```python
    keras_gans.networks.common.pyramid_widths(4, 16, 128)  # [128, 64, 32, 16]
    ```
    """
    if int(width) < 1 or int(max_width) < 1:
        raise ValueError(f"width and max_width must be positive ints; got {width} and "
                         f"{max_width}.")
    n = int(num_levels)
    return [min(int(width) * 2 ** (n - 1 - k), int(max_width)) for k in range(n)]
