"""Image grids and PNG files."""

import math
import os

import numpy as np


def to_uint8(images):
    """[-1, 1] floats -> uint8 [0, 255].

    Args:
        images: array. Floats in [-1, 1] (clipped).

    Returns:
        numpy uint8 array of the same shape.

    Example:
    ```python
    keras_gans.images.to_uint8(model.sample(4, seed=0))
    ```
    """
    images = np.asarray(images, dtype="float32")
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype("uint8")


def grid(images, ncols=None, pad=2, pad_value=255):
    """Tiles `images` ([N, H, W, C] in [-1, 1]) into one uint8 image.

    Args:
        images: array. N images in [-1, 1].
        ncols: int or None. Columns; a near-square grid when None.
        pad: int. Pixels between tiles.
        pad_value: int. Colour of the padding.

    Returns:
        numpy uint8 `[rows * (H + pad) + pad, ncols * (W + pad) + pad, C]`.

    Example:
    ```python
    tiles = keras_gans.images.grid(model.sample(16, seed=0), ncols=4)
    ```
    """
    images = to_uint8(images)
    if images.ndim == 3:
        images = images[..., None]
    n, h, w, c = images.shape
    ncols = ncols or max(1, int(math.ceil(math.sqrt(n))))
    nrows = max(1, int(math.ceil(n / ncols)))
    out = np.full(
        (nrows * (h + pad) + pad, ncols * (w + pad) + pad, c), pad_value, dtype="uint8"
    )
    for i in range(n):
        r, col = divmod(i, ncols)
        y, x = pad + r * (h + pad), pad + col * (w + pad)
        out[y : y + h, x : x + w] = images[i]
    return out


def save_png(array, path, min_side=256):
    """Writes a uint8 [H, W, C] array as PNG, upscaled (nearest) to `min_side`.

    The file is written next to `path` and renamed into place, so a reader
    never sees half a PNG.

    Args:
        array: numpy uint8 `[H, W, C]` (C 1 or 3).
        path: str. The PNG file; its directory is created.
        min_side: int. The shorter side is scaled up (by an integer) to at least this.

    Returns:
        str. `path`.
    """
    from PIL import Image

    if array.shape[-1] == 1:
        array = array[..., 0]
    img = Image.fromarray(array)
    scale = max(1, int(math.ceil(min_side / max(1, min(img.size)))))
    if scale > 1:
        img = img.resize((img.size[0] * scale, img.size[1] * scale), Image.NEAREST)
    if os.path.isdir(path):
        raise IsADirectoryError(f"Cannot write the PNG {path!r}: it is a folder.")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp.png"
    try:
        img.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def save_grid(images, path, ncols=None):
    """Tiles `images` in [-1, 1] and writes them to `path` as PNG.

    Args:
        images: array `[N, H, W, C]` in [-1, 1].
        path: str. The PNG file.
        ncols: int or None. Columns; a near-square grid when None.

    Returns:
        str. `path`.

    Example:
    ```python
    keras_gans.images.save_grid(model.sample(64, seed=0), "samples.png")
    ```
    """
    return save_png(grid(images, ncols=ncols), path)
