"""Readers, one per kind of image source: bundled digits, image folders,
side-by-side image files, IDX files (MNIST, Fashion-MNIST), colour emoji
(`keras_gans.data.emoji`) and tensorflow-datasets.

Every reader gives float32 images in [-1, 1], center-cropped to a square and
resized to `image_size` (see `keras_gans.data.transforms`). `parse_spec` reads
a one-domain spec (`digits[:SPLIT]`, `mnist[:PATH][:SPLIT]`,
`fashion_mnist[:PATH][:SPLIT]`, `idx:IMAGES[,LABELS]`, `emoji[:SIZE][:PATH]`,
`tfds:NAME[:SPLIT]`, `folder:PATH`) and `images_dataset` gives its unbatched
images. 28 px IDX images asked for at 32 px are padded with background, not
resized; emoji are downsampled from their 128 px bitmaps, never upsampled.
"""

import contextlib
import os
import warnings

import numpy as np
import tensorflow as tf

from keras_gans.data.emoji import emoji_dataset, parse_emoji_spec
from keras_gans.data.transforms import (
    center_square_resize,
    check_channels,
    check_image_size,
    match_channels,
    to_signed_range,
)

__all__ = [
    "DEBIAN_DATASETS",
    "DIGITS_TEST_SIZE",
    "IDX_DATASETS",
    "IDX_IMAGES_MAGIC",
    "IDX_LABELS_MAGIC",
    "IDX_NUM_CLASSES",
    "IDX_SPLIT_FILES",
    "IMAGE_EXTENSIONS",
    "check_folder_count",
    "digits_arrays",
    "digits_split_indices",
    "folder_channels",
    "folder_files",
    "folder_image_reader",
    "folder_labelled_files",
    "idx_arrays",
    "idx_dataset",
    "idx_header",
    "idx_image_prep",
    "idx_labels_path",
    "idx_search_dirs",
    "images_dataset",
    "list_image_files",
    "mnist_arrays",
    "parse_spec",
    "read_idx",
    "read_images",
    "side_by_side_files",
    "side_by_side_reader",
    "tfds_image_prep",
    "tfds_label_classes",
    "tfds_load",
]

#: The file name endings read as images (lower case).
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")

#: Held-out digits in `digits:test` (the ones `benchmarks/digits_judge.py` holds out).
DIGITS_TEST_SIZE = 300

_DIGITS_COUNT = 1797


# ------------------------------------------------------------------ digits


def digits_split_indices(split=None):
    """Indices (into scikit-learn's 1797 digits) of the digits in `split`.

    The splits are a fixed permutation (seed 0): its first 300 are "test",
    the other 1497 "train".

    Args:
        split: str or None. None or "all", "train" or "test"; any other value
            raises a ValueError.

    Returns:
        int numpy [N].

    Example:
    ```python
    idx = keras_gans.data.digits_split_indices("test")  # 300 indices
    ```
    """
    n = _DIGITS_COUNT
    if split in (None, "all"):
        return np.arange(n)
    idx = np.random.default_rng(0).permutation(n)
    if split == "test":
        return idx[:DIGITS_TEST_SIZE]
    if split == "train":
        return idx[DIGITS_TEST_SIZE:]
    raise ValueError(f"digits has the splits 'train' and 'test'; got {split!r}.")


def digits_arrays(image_size=32, channels=1, split=None):
    """The bundled digits (scikit-learn's 8x8 digits, resized) as numpy arrays. Offline.

    Args:
        image_size: int. Output side.
        channels: int. 1 or 3 (the grey digit repeated).
        split: str or None. "train" (1497), "test" (300) or None (all 1797).

    Returns:
        `(images, labels)`: float32 [N, S, S, C] in [-1, 1] and int32 [N].

    Example:
    ```python
    images, labels = keras_gans.data.digits_arrays(32, 1, split="test")  # [300, 32, 32, 1]
    ```
    """
    from sklearn.datasets import load_digits

    check_image_size(image_size)
    check_channels(channels)
    idx = digits_split_indices(split)
    d = load_digits()
    d.images, d.target = d.images[idx], d.target[idx]
    images = d.images.astype("float32")[..., None] / 16.0  # [N, 8, 8, 1] in [0, 1]
    images = tf.image.resize(images, (image_size, image_size), method="bilinear").numpy()
    images = np.clip(images, 0.0, 1.0) * 2.0 - 1.0
    if channels == 3:
        images = np.repeat(images, 3, axis=-1)
    return images.astype("float32"), d.target.astype("int32")


# ------------------------------------------------------------------ folders


def _walk_files(path):
    """Every file below `path`, following folder links but visiting each real folder once.

    A link loop (`sub/loop -> ..`) ends the descent instead of hanging it.
    """
    seen = set()
    for root, dirs, names in os.walk(path, followlinks=True):
        try:
            key = os.path.realpath(root)
        except OSError:
            dirs[:] = []
            continue
        if key in seen:
            dirs[:] = []
            continue
        seen.add(key)
        dirs.sort()
        for n in names:
            yield os.path.join(root, n)


def list_image_files(path):
    """Every image file below `path` (by its extension, see `IMAGE_EXTENSIONS`), sorted.

    Folder links are followed, each real folder once (a link loop does not
    hang the walk).

    Args:
        path: str. A folder.

    Returns:
        list of str. Raises FileNotFoundError, NotADirectoryError or
        ValueError (no image files) with the path in the message.

    Example:
    ```python
    files = keras_gans.data.list_image_files("./my_images")
    ```
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"Image folder {path!r} does not exist.")
    if not os.path.isdir(path):
        raise NotADirectoryError(f"{path!r} is not a folder; folder: specs take a directory.")
    files = sorted(f for f in _walk_files(path) if f.lower().endswith(IMAGE_EXTENSIONS))
    if not files:
        raise ValueError(
            f"Folder {path!r} has no image files (looked for {', '.join(IMAGE_EXTENSIONS)})."
        )
    return files


#: Files named in a skipped-files warning or error (the rest are counted).
_NAMED_SKIPS = 3


class _Unreadable(Exception):
    """Why an image file cannot be read (the message is the short reason)."""


def _max_pixels():
    """PIL's decompression-bomb limit (None: no limit)."""
    from PIL import Image

    return Image.MAX_IMAGE_PIXELS


def _claimed_size(path):
    """The size a file's header claims, read without PIL's bomb check (None if unknown)."""
    from PIL import Image

    Image.init()
    try:
        with open(path, "rb") as fp:
            prefix = fp.read(16)
            for factory, accept in Image.OPEN.values():
                if accept and not accept(prefix):
                    continue
                fp.seek(0)
                try:
                    return factory(fp, path).size
                except Exception:  # noqa: BLE001 - not this format
                    continue
    except OSError:
        return None
    return None


def _open(path):
    """PIL image of `path` (header only) after the size check; raises `_Unreadable`."""
    import errno

    from PIL import Image

    try:
        if os.path.getsize(path) == 0:
            raise _Unreadable("empty file")
        im = Image.open(path)  # over MAX_IMAGE_PIXELS: refused below, not decoded
    except _Unreadable:
        raise
    except Image.DecompressionBombError:
        size = _claimed_size(path)
        raise _Unreadable("too large" + (f": {size[0]}x{size[1]}" if size else "")) from None
    except Image.UnidentifiedImageError:
        raise _Unreadable("not an image") from None
    except PermissionError:
        raise _Unreadable("permission denied") from None
    except IsADirectoryError:
        raise _Unreadable("a folder") from None
    except FileNotFoundError:
        raise _Unreadable("broken link" if os.path.islink(path) else "missing") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise _Unreadable("symlink loop") from None
        raise _Unreadable(_short(e)) from None
    except Exception as e:  # noqa: BLE001 - a plugin's own error: unreadable too
        raise _Unreadable(_short(e)) from None
    w, h = im.size
    limit = _max_pixels()
    if limit is not None and w * h > limit:
        im.close()
        raise _Unreadable(f"too large: {w}x{h}")
    if w < 1 or h < 1:
        im.close()
        raise _Unreadable(f"no pixels: {w}x{h}")
    return im


def _short(e):
    msg = str(e).splitlines()[0] if str(e) else type(e).__name__
    if "truncated" in msg:
        return "truncated"
    return msg if len(msg) <= 60 else msg[:57] + "..."


def _grey_palette(im):
    """Whether every palette entry of a P image is grey (from the header where
    PIL has the palette already, as for PNG and GIF)."""
    pal = im.palette
    if pal is not None and pal.rawmode is None and pal.mode in ("RGB", "RGBA"):
        raw, step = bytes(pal.palette), len(pal.mode)
    else:
        raw, step = im.getpalette() or [], 3
    return all(raw[i] == raw[i + 1] == raw[i + 2] for i in range(0, len(raw) - 2, step))


def _is_colour(im):
    """Whether an opened (not decoded) PIL image holds colour, by its mode and palette."""
    mode = im.mode
    if mode in ("1", "L", "LA", "La", "I", "F") or mode.startswith("I;16"):
        return False
    if mode in ("P", "PA"):
        return not _grey_palette(im)
    return True


def _flat(im):
    """A decoded PIL image as 8-bit "L" or "RGB": 16-bit and float scaled (not
    clipped), transparent areas composited onto white, CMYK/YCbCr/... converted."""
    from PIL import Image

    colour = _is_colour(im)
    mode = im.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        top = float(arr.max()) if arr.size else 0.0
        if mode.startswith("I;16"):
            top = 65535.0
        elif mode == "F" and top <= 1.0:
            top = 1.0
        else:
            top = next((t for t in (255.0, 65535.0) if top <= t), top)
        arr = np.clip(np.round(arr * (255.0 / top)), 0, 255).astype(np.uint8)
        return Image.fromarray(arr, "L")
    has_alpha = mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in im.info
    if has_alpha:
        rgba = im.convert("RGBA")
        im = Image.alpha_composite(Image.new("RGBA", im.size, (255, 255, 255, 255)), rgba)
    return im.convert("RGB" if colour else "L")


def _load(path):
    """Decodes one image file fully to 8-bit "L" or "RGB" (first frame, EXIF
    orientation applied); raises `_Unreadable` with a short reason."""
    from PIL import ImageOps

    im = _open(path)
    try:
        with im:
            im.load()
            try:
                im = ImageOps.exif_transpose(im)
            except Exception:  # noqa: BLE001 - a broken EXIF block keeps the stored orientation
                pass
            return _flat(im)
    except _Unreadable:
        raise
    except Exception as e:  # noqa: BLE001 - any decoder failure means unreadable
        raise _Unreadable(_short(e)) from None


@contextlib.contextmanager
def _no_bomb_warning():
    """Hides PIL's DecompressionBombWarning (`_open` refuses those files and
    names them itself). Entered on the calling thread only: `catch_warnings`
    is not thread-safe, so the reading threads do not enter it."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield


def _check_file(path):
    """None when `path` decodes, else the short reason it cannot be read."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not UTF-8"
    try:
        _load(path)
    except _Unreadable as e:
        return str(e)
    return None


def _readable(files):
    """`(good, skipped)`: the files that decode, and `(file, reason)` for the others.

    Every file is decoded once here (a few threads), so that a file that
    passes decodes again in the tf.data map and never fails mid-epoch.
    """
    from concurrent.futures import ThreadPoolExecutor

    with _no_bomb_warning():
        if len(files) > 8:
            with ThreadPoolExecutor(min(8, os.cpu_count() or 1)) as pool:
                reasons = list(pool.map(_check_file, files))
        else:
            reasons = [_check_file(f) for f in files]
    good = [f for f, r in zip(files, reasons) if r is None]
    skipped = [(f, r) for f, r in zip(files, reasons) if r is not None]
    return good, skipped


def _named(skipped):
    """"'a.png' (not an image), 'b.png' (empty file), and 4 more"."""
    parts = [f"{f!r} ({reason})" for f, reason in skipped[:_NAMED_SKIPS]]
    more = len(skipped) - _NAMED_SKIPS
    return ", ".join(parts) + (f", and {more} more" if more > 0 else "")


def _read_image(path, image_size, channels):
    """PIL decode + center crop + resize; returns uint8 [S, S, C].

    A file that `folder_files` passed but that fails now (deleted or changed
    since) gives a mid-grey image and a warning that names it, not an error
    in the middle of an epoch.
    """
    from PIL import Image

    path = os.fsdecode(path)
    try:
        im = _load(path)
    except _Unreadable as e:
        warnings.warn(
            f"Image file {path!r} cannot be read any more ({e}); a grey image stands in for it."
        )
        return np.full((image_size, image_size, channels), 128, np.uint8)
    im = im.convert("L" if channels == 1 else "RGB")
    w, h = im.size
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    im = im.crop((left, top, left + side, top + side))
    im = im.resize((image_size, image_size), Image.BILINEAR)
    arr = np.asarray(im, dtype=np.uint8)
    if arr.ndim == 2:
        arr = arr[..., None]
    return arr


def folder_files(path):
    """The readable image files below `path`, sorted; warns about the others.

    Every file is decoded once to check it. The ones that cannot be read
    (not an image, empty, truncated, too large for PIL's
    `Image.MAX_IMAGE_PIXELS`, no permission, a link loop, a name that is not
    UTF-8) are skipped with one warning that counts them and names the first
    few with the reason.

    Args:
        path: str. A folder.

    Returns:
        list of str. Raises a ValueError when none can be read.

    Example:
    ```python
    files = keras_gans.data.folder_files("./my_images")
    ```
    """
    files = list_image_files(path)
    good, skipped = _readable(files)
    if not good:
        raise ValueError(
            f"Folder {path!r} has {len(files)} image files but none could be read: "
            f"{_named(skipped)}."
        )
    if skipped:
        warnings.warn(
            f"Skipped {len(skipped)} unreadable image file(s) of {len(files)} in {path!r}: "
            f"{_named(skipped)}."
        )
    return good


def folder_channels(path, sample=200):
    """The channels most images of a folder have: 3 if most are colour, else 1.

    Reads headers only (mode and palette, no pixel decode) of at most
    `sample` readable files spread evenly over the sorted list. Colour: RGB,
    RGBA, CMYK, YCbCr, ... and palette images with a colour palette; grey: L,
    LA, 1, 16-bit and float grey, grey palettes. A tie counts as colour
    (grey to RGB loses nothing).

    Args:
        path: str. A folder.
        sample: int. The most files whose headers are read.

    Returns:
        `(channels, counts)`: 1 or 3, and `{1: grey files, 3: colour files}`
        among those read. Raises like `list_image_files`, or a ValueError
        when no file opens.

    Example:
    ```python
    channels, counts = keras_gans.data.folder_channels("./photos")  # 3, {1: 2, 3: 198}
    ```
    """
    files = list_image_files(path)
    n = len(files)
    first = sorted(set(np.linspace(0, n - 1, min(sample, n)).round().astype(int).tolist()))
    order = first + [i for i in range(n) if i not in set(first)]
    counts = {1: 0, 3: 0}
    with _no_bomb_warning():
        for i in order:
            try:
                with _open(files[i]) as im:
                    counts[3 if _is_colour(im) else 1] += 1
            except _Unreadable:
                continue
            if counts[1] + counts[3] >= sample:
                break
    if not counts[1] + counts[3]:
        raise ValueError(f"Folder {path!r} has {n} image files but none could be read.")
    return (3 if counts[3] >= counts[1] else 1), counts


def read_images(path, image_size=32, channels=1, num=None):
    """The images of one file or of a folder (sorted), read like `folder:` specs.

    Args:
        path: str or path-like. An image file or a folder.
        image_size: int. Output side (center crop to a square, then resize).
        channels: int. 1 or 3.
        num: int or None. Keep only the first `num` files.

    Returns:
        float32 numpy [N, S, S, C] in [-1, 1].

    Example:
    ```python
    x = keras_gans.data.read_images("./my_images", image_size=32, channels=3, num=8)
    ```
    """
    check_image_size(image_size)
    check_channels(channels)
    path = str(path)
    if os.path.isfile(path):
        if not path.lower().endswith(IMAGE_EXTENSIONS):
            raise ValueError(f"{path!r} is not an image file ({', '.join(IMAGE_EXTENSIONS)}).")
        with _no_bomb_warning():
            reason = _check_file(path)
        if reason:
            raise ValueError(f"Cannot read the image {path!r}: {reason}.")
        files = [path]
    else:
        files = folder_files(path)
    files = files[:num] if num else files
    arrays = [_read_image(f, image_size, channels) for f in files]
    return np.stack(arrays).astype("float32") / 127.5 - 1.0


def folder_image_reader(image_size, channels):
    """A `tf.data` map function: file path (string tensor) -> image.

    Args:
        image_size: int. Output side (center crop to a square, then resize).
        channels: int. 1 or 3.

    Returns:
        callable. String scalar tensor -> float32 [S, S, C] in [-1, 1].

    Example:
    ```python
    files = keras_gans.data.folder_files("./my_images")
    ds = tf.data.Dataset.from_tensor_slices(files).map(
        keras_gans.data.sources.folder_image_reader(32, 3))
    ```
    """
    check_image_size(image_size)
    check_channels(channels)

    def read(path):
        img = tf.numpy_function(
            lambda p: _read_image(p, image_size, channels), [path], tf.uint8
        )
        img.set_shape((image_size, image_size, channels))
        return to_signed_range(img, 255.0)

    return read


def check_folder_count(path, files, min_count):
    """Raises a ValueError when a folder has fewer readable images than one batch.

    Args:
        path: str. The folder (for the message).
        files: list of str. Its readable images.
        min_count: int. The batch size; 0 checks nothing.

    Returns:
        None.

    Example:
    ```python
    files = keras_gans.data.folder_files("./my_images")
    keras_gans.data.sources.check_folder_count("./my_images", files, 64)
    ```
    """
    if min_count and len(files) < min_count:
        raise ValueError(
            f"Folder {path!r} has {len(files)} readable images, fewer than one "
            f"batch of {min_count}; add images or lower the batch size."
        )


def folder_labelled_files(path):
    """The images of a folder with one sub-folder per class, and their classes.

    Args:
        path: str. A folder whose sub-folders (at least 2) are the classes,
            in sorted order; an image directly in it raises a ValueError.

    Returns:
        `(files, labels, class_names)`: list of str, int32 numpy [N] and the
        sorted list of sub-folder names.

    Example:
    ```python
    files, labels, names = keras_gans.data.folder_labelled_files("./pets")  # names: ["cat", "dog"]
    ```
    """
    files = folder_files(path)
    root = os.path.abspath(path)
    tops = [os.path.relpath(os.path.abspath(f), root).split(os.sep) for f in files]
    loose = [f for f, parts in zip(files, tops) if len(parts) < 2]
    if loose:
        raise ValueError(
            f"folder:{path} with labels needs one sub-folder per class, but "
            f"{len(loose)} image(s) lie directly in it (e.g. {os.path.basename(loose[0])!r})."
        )
    names = sorted({parts[0] for parts in tops})
    if len(names) < 2:
        raise ValueError(
            f"folder:{path} with labels needs one sub-folder per class; found "
            f"{len(names)} class folder(s)."
        )
    index = {n: i for i, n in enumerate(names)}
    labels = np.array([index[parts[0]] for parts in tops], "int32")
    return files, labels, names


# ------------------------------------------------------------------ side by side


def _decode(path, channels):
    """PIL decode of one file to uint8 [H, W, C]."""
    im = _load(os.fsdecode(path))
    arr = np.asarray(im.convert("L" if channels == 1 else "RGB"), dtype=np.uint8)
    return arr[..., None] if arr.ndim == 2 else arr


def side_by_side_files(root):
    """The side-by-side images below `root` (as in the pix2pix datasets), checked to be 2:1.

    Args:
        root: str. A folder.

    Returns:
        list of str. An image not twice as wide as high (±1 px) raises a ValueError.

    Example:
    ```python
    files = keras_gans.data.sources.side_by_side_files("./facades/train")
    ```
    """
    from PIL import Image

    files = folder_files(root)
    for f in files:
        with Image.open(f) as im:
            w, h = im.size
        if abs(w - 2 * h) > 1:
            raise ValueError(
                f"Side-by-side image {f!r} is {w}x{h} (width x height); sbs: images must be "
                "twice as wide as high (A on the left, B on the right)."
            )
    return files


def side_by_side_reader(image_size, channels):
    """A `tf.data` map function: side-by-side file path -> `(left, right)` halves.

    Args:
        image_size: int. Output side of each half (center crop, then resize).
        channels: int. 1 or 3.

    Returns:
        callable. String scalar tensor -> two float32 [S, S, C] in [-1, 1].

    Example:
    ```python
    files = keras_gans.data.sources.side_by_side_files("./facades/train")
    ds = tf.data.Dataset.from_tensor_slices(files).map(
        keras_gans.data.sources.side_by_side_reader(64, 3))  # (A, B) pairs
    ```
    """
    def read(path):
        img = tf.numpy_function(lambda p: _decode(p, channels), [path], tf.uint8)
        img.set_shape((None, None, channels))
        w = tf.shape(img)[1]
        half = w // 2
        out = []
        for part in (img[:, :half], img[:, w - half:]):
            part = center_square_resize(part, image_size)
            part.set_shape((image_size, image_size, channels))
            out.append(tf.clip_by_value(to_signed_range(part, 255.0), -1.0, 1.0))
        return tuple(out)

    return read


# ------------------------------------------------------------------ tensorflow-datasets


#: Seconds the network probe waits before a not-yet-downloaded tfds dataset counts as offline.
_PROBE_TIMEOUT = 3.0

_PROXY_VARS = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY")


def _network_reachable(hosts, timeout=_PROBE_TIMEOUT):
    """Whether a TCP connection to port 443 of one of `hosts` opens within `timeout`
    seconds (a hung name lookup counts as no). With a proxy set, True: the
    download goes through it."""
    import socket
    import threading

    if any(os.environ.get(v) for v in _PROXY_VARS):
        return True
    found = []

    def probe():
        for host in hosts:
            try:
                socket.create_connection((host, 443), timeout=timeout).close()
            except OSError:
                continue
            found.append(host)
            return

    t = threading.Thread(target=probe, daemon=True)
    t.start()
    t.join(timeout * len(hosts) + 1.0)
    return bool(found)


def _download_hosts(builder):
    """The hosts a tfds builder downloads from (its checksums file), else Google storage."""
    from urllib.parse import urlparse

    hosts = []
    try:
        for url in builder.url_infos or ():
            host = urlparse(url).hostname
            if host and host not in hosts:
                hosts.append(host)
    except Exception:  # noqa: BLE001 - no checksums file: probe the default host
        pass
    return (hosts or ["storage.googleapis.com"])[:2]


def _network_errors():
    import socket
    import urllib.error

    import requests

    return (
        requests.exceptions.ConnectionError,
        requests.exceptions.Timeout,
        urllib.error.URLError,
        socket.gaierror,
        socket.timeout,
        ConnectionError,
    )


def _offline_error(name, root):
    return ValueError(
        f"tfds dataset {name!r} is not in {root} yet and downloads on first use, but the "
        f"network is unreachable: download it where there is a network (`tfds build {name} "
        f"--data_dir DIR`) and copy DIR into {root}, or point data_dir (or TFDS_DATA_DIR) "
        "at a folder that holds it."
    )


def tfds_load(name, split, data_dir):
    """Loads a tensorflow-datasets dataset with images (downloads on first use).

    A dataset already in `data_dir` loads without the network. One that is
    not there yet is downloaded and prepared; without a network that is a
    one-line ValueError naming the dataset and the folder to fill (found
    with a connection probe of a few seconds, not tfds' minutes of retries).

    Args:
        name: str. The dataset, e.g. "mnist" or "cycle_gan/horse2zebra".
        split: str. Its split, e.g. "train".
        data_dir: str or None. tensorflow-datasets' data directory (None:
            tfds' default, `~/tensorflow_datasets` or `$TFDS_DATA_DIR`).

    Returns:
        `(dataset, info, key)`: the unbatched examples, the
        `tfds.core.DatasetInfo` and the name of the image feature. An unknown
        dataset, one without 1, 3 or 4-channel images, or a download without
        a network raises a ValueError.

    Example:
    ```python
    ds, info, key = keras_gans.data.sources.tfds_load("mnist", "train", None)
    ```
    """
    import tensorflow_datasets as tfds

    def load(download):
        return tfds.load(
            name, split=split, with_info=True, data_dir=data_dir, download=download
        )

    try:
        try:
            ds, info = load(download=False)
        except AssertionError as e:  # tfds' "could not find data in ...": not prepared yet
            if "could not find data" not in str(e):
                raise
            builder = tfds.builder(name, data_dir=data_dir)
            root = str(builder.data_dir_root)
            if not _network_reachable(_download_hosts(builder)):
                raise _offline_error(name, root) from None
            try:
                ds, info = load(download=True)
            except _network_errors():
                raise _offline_error(name, root) from None
    except tfds.core.registered.DatasetNotFoundError as e:
        import re

        close = re.search(r"Did you mean: \S+ -> (\S+) \?", str(e))
        hint = f"; did you mean {close.group(1)!r}?" if close else "."
        raise ValueError(
            f"tensorflow-datasets has no dataset {name!r}{hint} (the list: "
            "https://www.tensorflow.org/datasets/catalog/overview)"
        ) from None
    features = info.features
    key = "image" if "image" in features else None
    if key is None:
        raise ValueError(
            f"tfds dataset {name!r} has no 'image' feature (features: {list(features)})."
        )
    have = features[key].shape[-1]
    if have not in (None, 1, 3, 4):
        raise ValueError(f"tfds dataset {name!r} has {have}-channel images; need 1 or 3.")
    return ds, info, key


def tfds_image_prep(key, image_size, channels):
    """A `tf.data` map function: tfds example -> its image, ready for training.

    Args:
        key: str. The image feature (from `tfds_load`).
        image_size: int. Output side (center crop to a square, then resize).
        channels: int. 1 or 3; the image is converted.

    Returns:
        callable. Example dict -> float32 [S, S, C] in [-1, 1].

    Example:
    ```python
    ds, info, key = keras_gans.data.sources.tfds_load("mnist", "train", None)
    images = ds.map(keras_gans.data.sources.tfds_image_prep(key, 32, 1))
    ```
    """
    def prep(example):
        img = example[key]
        if img.shape.rank == 2:
            img = img[..., None]
        img = match_channels(img, channels)
        img = center_square_resize(img, image_size)
        img.set_shape((image_size, image_size, channels))
        return tf.clip_by_value(img / 127.5 - 1.0, -1.0, 1.0)

    return prep


def tfds_label_classes(name, info):
    """The number of classes of a tfds dataset's `label` feature.

    Args:
        name: str. The dataset (for the message).
        info: `tfds.core.DatasetInfo`. From `tfds_load`.

    Returns:
        int. A dataset without a class `label` feature raises a ValueError.

    Example:
    ```python
    _, info, _ = keras_gans.data.sources.tfds_load("mnist", "train", None)
    k = keras_gans.data.sources.tfds_label_classes("mnist", info)  # 10
    ```
    """
    feature = info.features["label"] if "label" in info.features else None
    k = getattr(feature, "num_classes", None)
    if not k:
        raise ValueError(
            f"tfds dataset {name!r} has no class 'label' feature (features: "
            f"{list(info.features)}); it cannot be loaded with labels=True."
        )
    return int(k)


# ------------------------------------------------------------------ IDX files (MNIST, Fashion-MNIST)


#: The magic number of an IDX file of uint8 images [N, H, W] (0x00000804: [N, H, W, C]).
IDX_IMAGES_MAGIC = 0x00000803
#: The magic number of an IDX file of uint8 labels [N].
IDX_LABELS_MAGIC = 0x00000801

#: Where Debian's dataset packages put their files (`dataset-fashion-mnist`: fashion-mnist/).
DEBIAN_DATASETS = "/usr/share/datasets"

#: The MNIST-like specs: the name they are printed with, the environment variable
#: naming a folder of their IDX files, their folder under `DEBIAN_DATASETS` and
#: Debian package (None: Debian has none), their folder (and npz file) in Keras'
#: dataset cache, and their tensorflow-datasets name.
IDX_DATASETS = {
    "mnist": {
        "title": "MNIST", "env": "KERAS_GANS_MNIST", "debian": None, "apt": None,
        "keras": "mnist", "npz": "mnist.npz", "tfds": "mnist",
    },
    "fashion_mnist": {
        "title": "Fashion-MNIST", "env": "KERAS_GANS_FASHION_MNIST", "debian": "fashion-mnist",
        "apt": "dataset-fashion-mnist", "keras": "fashion-mnist", "npz": None,
        "tfds": "fashion_mnist",
    },
}

#: The IDX files of each split, `(images, labels)`; each is also read gzipped
#: (".gz") and with a dot before "idx" (train-images.idx3-ubyte).
IDX_SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

#: The classes of the MNIST-like specs.
IDX_NUM_CLASSES = 10

_IDX_CHUNK = 1 << 22


def _keras_datasets():
    """Keras' dataset cache: `$KERAS_HOME/datasets`, else `~/.keras/datasets`."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets")


def _read_exact(f, need, path):
    """`need` bytes of `f` (fewer at its end), read in chunks: a header that
    claims more than the file holds costs no memory beyond the file."""
    import zlib

    parts, have = [], 0
    try:
        while have < need:
            chunk = f.read(min(_IDX_CHUNK, need - have))
            if not chunk:
                break
            parts.append(chunk)
            have += len(chunk)
    except (EOFError, OSError, zlib.error) as e:
        raise ValueError(f"IDX file {path!r} is truncated or a damaged gzip file ({_short(e)}).") from None
    return b"".join(parts)


def _open_idx(path):
    """The file, gunzipped when it starts with gzip's magic bytes (whatever its name)."""
    import gzip

    if not os.path.exists(path):
        raise FileNotFoundError(f"IDX file {path!r} does not exist.")
    if os.path.isdir(path):
        raise ValueError(f"IDX file {path!r} is a folder; give the file itself.")
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gz else open(path, "rb")


def _idx_dims(f, path, kind):
    """Reads and checks the header of an open IDX file; returns its dims."""
    import struct

    expected = IDX_IMAGES_MAGIC if kind == "images" else IDX_LABELS_MAGIC
    head = _read_exact(f, 4, path)
    if len(head) < 4:
        raise ValueError(f"IDX file {path!r} is truncated: {len(head)} bytes, not even a header.")
    magic = int.from_bytes(head, "big")
    ndim = head[3]
    ok = head[:3] == b"\x00\x00\x08" and (ndim in (3, 4) if kind == "images" else ndim == 1)
    if not ok:
        raise ValueError(
            f"{path!r} is not an IDX file of uint8 {kind}: its magic number is 0x{magic:08x}, "
            f"not 0x{expected:08x}."
        )
    raw = _read_exact(f, 4 * ndim, path)
    if len(raw) < 4 * ndim:
        raise ValueError(f"IDX file {path!r} is truncated in its header ({ndim} dims declared).")
    dims = struct.unpack(f">{ndim}I", raw)
    if kind == "images" and (min(dims[1:3]) < 1 or (ndim == 4 and dims[3] not in (1, 3))):
        raise ValueError(f"IDX file {path!r} declares images of shape {list(dims[1:])}; need "
                         "[H, W] or [H, W, C] with C 1 or 3.")
    return dims


def idx_header(path, kind="images"):
    """The dims an IDX file's header declares (reads the header only).

    Args:
        path: str. An IDX file, gzipped or not.
        kind: str. "images" (magic 0x00000803, or 0x00000804 with channels)
            or "labels" (magic 0x00000801).

    Returns:
        tuple of int: `(N, H, W)` or `(N, H, W, C)` for images, `(N,)` for
        labels. A wrong magic number or a short header raises a ValueError
        naming the file.

    Example:
    ```python
    n, h, w = keras_gans.data.idx_header(
        "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")  # 10000, 28, 28
    ```
    """
    with _open_idx(path) as f:
        return _idx_dims(f, path, kind)


def read_idx(path, kind="images", limit=None):
    """Reads an IDX file of uint8 images or labels (the MNIST file format).

    Args:
        path: str. The file, gzipped or not (told by its first bytes).
        kind: str. "images" or "labels"; the magic number must match.
        limit: int or None. Read only the first `limit` records.

    Returns:
        uint8 numpy `[N, H, W, C]` (C 1 for 3-dim files) for images, `[N]`
        for labels. A wrong magic number, a truncated file or one with bytes
        after its data raises a one-line ValueError naming the file.

    Example:
    ```python
    x = keras_gans.data.read_idx("t10k-images-idx3-ubyte.gz")  # [10000, 28, 28, 1] uint8
    y = keras_gans.data.read_idx("t10k-labels-idx1-ubyte.gz", "labels")  # [10000]
    ```
    """
    if kind not in ("images", "labels"):
        raise ValueError(f"kind must be 'images' or 'labels'; got {kind!r}.")
    with _open_idx(path) as f:
        dims = _idx_dims(f, path, kind)
        n = dims[0] if limit is None else min(dims[0], int(limit))
        record = int(np.prod(dims[1:], dtype=np.int64))
        need = n * record
        data = _read_exact(f, need, path)
        if len(data) < need:
            raise ValueError(
                f"IDX file {path!r} is truncated: {len(data)} of the {need} data bytes its "
                f"header ({list(dims)}) declares."
            )
        if limit is None and _read_exact(f, 1, path):
            raise ValueError(
                f"IDX file {path!r} has bytes after the data its header ({list(dims)}) declares."
            )
    arr = np.frombuffer(data, np.uint8).reshape((n,) + tuple(dims[1:]))
    return arr[..., None] if kind == "images" and arr.ndim == 3 else arr


def _idx_file(folder, stem):
    """The file of `stem` in `folder` (gzipped, plain, or with a dot before "idx"), or None."""
    for base in (stem, stem.replace("-idx", ".idx")):
        for name in (base + ".gz", base):
            p = os.path.join(folder, name)
            if os.path.isfile(p):
                return p
    return None


def idx_labels_path(images_path):
    """The labels file beside an IDX images file, by the usual names
    ("images" -> "labels", "idx3" -> "idx1", gzipped or not), or None.

    Args:
        images_path: str. An IDX images file, e.g. `.../train-images-idx3-ubyte.gz`.

    Returns:
        str or None.

    Example:
    ```python
    keras_gans.data.idx_labels_path("data/t10k-images-idx3-ubyte.gz")  # "data/t10k-labels-idx1-ubyte.gz"
    ```
    """
    folder, base = os.path.split(images_path)
    stem = base[:-3] if base.endswith(".gz") else base
    other = stem.replace("images", "labels").replace("idx3", "idx1").replace("idx4", "idx1")
    if other == stem:
        return None
    for name in (other + ".gz", other):
        p = os.path.join(folder, name)
        if os.path.isfile(p):
            return p
    return None


def idx_search_dirs(name, path=None):
    """Where an MNIST-like spec looks for its files, in order.

    A folder given as `NAME:PATH`, else the one in the environment variable
    (KERAS_GANS_MNIST, KERAS_GANS_FASHION_MNIST), is the only place looked
    in. Otherwise: Debian's package folder (Fashion-MNIST:
    /usr/share/datasets/fashion-mnist), then Keras' cache
    (`~/.keras/datasets/fashion-mnist/`, `~/.keras/datasets/mnist/` and
    `~/.keras/datasets/mnist.npz`); after those, `images_dataset` tries
    tensorflow-datasets.

    Args:
        name: str. "mnist" or "fashion_mnist".
        path: str or None. The folder (or .npz file) of the spec.

    Returns:
        `(explicit, places)`: whether the place was given, and a list of
        `(what, path)` with what "path", "env", "debian", "keras" or "npz".

    Example:
    ```python
    explicit, places = keras_gans.data.idx_search_dirs("fashion_mnist")
    # False, [("debian", "/usr/share/datasets/fashion-mnist"), ("keras", ".../fashion-mnist")]
    ```
    """
    info = IDX_DATASETS[name]
    if path:
        return True, [("path", path)]
    env = os.environ.get(info["env"])
    if env:
        return True, [("env", env)]
    places = []
    if info["debian"]:
        places.append(("debian", os.path.join(DEBIAN_DATASETS, info["debian"])))
    places.append(("keras", os.path.join(_keras_datasets(), info["keras"])))
    if info["npz"]:
        places.append(("npz", os.path.join(_keras_datasets(), info["npz"])))
    return False, places


def _npz_arrays(path, split):
    """A Keras-cache npz (x_train, y_train, x_test, y_test) split, checked."""
    try:
        with np.load(path, allow_pickle=False) as f:
            x, y = np.asarray(f[f"x_{split}"]), np.asarray(f[f"y_{split}"])
    except (OSError, ValueError, KeyError, EOFError) as e:
        raise ValueError(f"{path!r} is not a Keras MNIST npz file with x_{split} and y_{split} "
                         f"({_short(e)}).") from None
    if x.dtype != np.uint8 or x.ndim != 3 or y.shape != (len(x),):
        raise ValueError(f"{path!r}: x_{split} must be uint8 [N, H, W] with y_{split} [N]; got "
                         f"{x.dtype} {list(x.shape)} and {list(y.shape)}.")
    return x[..., None], y


def _check_labels(images, labels, where, k=None):
    if len(labels) != len(images):
        raise ValueError(f"{where}: {len(images)} images but {len(labels)} labels.")
    if k is not None and len(labels) and int(labels.max()) >= k:
        raise ValueError(f"{where}: a label is {int(labels.max())}; the classes are 0 to {k - 1}.")
    return labels.astype("int32")


def _split_files(folder, split):
    """`(images, labels)` files of `split` in `folder`, or None when either is missing."""
    images, labels = (_idx_file(folder, stem) for stem in IDX_SPLIT_FILES[split])
    return (images, labels) if images and labels else None


def _tfds_arrays(name, split, data_dir):
    """All of a tfds split's images and labels as numpy (raises like `tfds_load`)."""
    import tensorflow_datasets as tfds

    ds, _, key = tfds_load(name, split, data_dir)
    xs, ys = [], []
    for ex in tfds.as_numpy(ds.batch(10000)):
        xs.append(ex[key])
        ys.append(ex["label"])
    x = np.concatenate(xs).astype(np.uint8)
    return (x if x.ndim == 4 else x[..., None]), np.concatenate(ys)


def _missing_error(name, places, reason):
    info = IDX_DATASETS[name]
    looked = ", ".join(p for _, p in places)
    apt = (f"install Debian's {info['apt']} (`apt-get install {info['apt']}`, or `make data`), "
           if info["apt"] else "")
    return ValueError(
        f"No {info['title']} found: no IDX files in {looked}, and tfds:{info['tfds']} {reason}; "
        f"{apt}put its IDX files in a folder given as {name}:PATH or ${info['env']}, or "
        f"prepare tfds:{info['tfds']} where there is a network (`tfds build {info['tfds']}`)."
    )


def mnist_arrays(name="fashion_mnist", split="train", path=None, data_dir=None):
    """The images and labels of an MNIST-like spec, from the first place that has them.

    The places, in order (see `idx_search_dirs`): `NAME:PATH` or the
    environment variable (then only there), Debian's package folder, Keras'
    cache, and last tensorflow-datasets (`tfds:NAME`, which downloads when it
    can). When none has them: one ValueError line naming the apt package and
    the tfds name.

    Args:
        name: str. "mnist" or "fashion_mnist".
        split: str. "train" (60,000) or "test" (10,000).
        path: str or None. A folder of the four IDX files (or a Keras .npz).
        data_dir: str or None. tensorflow-datasets' data directory.

    Returns:
        `(images, labels, source)`: uint8 numpy [N, 28, 28, 1], int32 [N] and
        where they were read (a folder, a file or "tfds:NAME").

    Example:
    ```python
    x, y, where = keras_gans.data.mnist_arrays("fashion_mnist", "test")  # [10000, 28, 28, 1]
    ```
    """
    if name not in IDX_DATASETS:
        raise ValueError(f"name must be one of {sorted(IDX_DATASETS)}; got {name!r}.")
    if split not in IDX_SPLIT_FILES:
        raise ValueError(f"{name} has the splits 'train' and 'test'; got {split!r}.")
    info = IDX_DATASETS[name]
    explicit, places = idx_search_dirs(name, path)
    for what, where in places:
        if (what == "npz" or where.endswith(".npz")) and os.path.isfile(where):
            x, y = _npz_arrays(where, split)
            return x, _check_labels(x, y, where, IDX_NUM_CLASSES), where
        if os.path.isdir(where):
            files = _split_files(where, split)
            if files:
                x = read_idx(files[0], "images")
                y = _check_labels(x, read_idx(files[1], "labels"), files[1], IDX_NUM_CLASSES)
                return x, y, where
    if explicit:
        given = f"{name}:PATH" if path else f"${info['env']}"
        what, where = places[0]
        if not os.path.exists(where):
            raise FileNotFoundError(f"{info['title']} folder {where!r} ({given}) does not exist.")
        raise ValueError(
            f"{info['title']} folder {where!r} ({given}) has no {split} IDX files: it needs "
            f"{' and '.join(s + '[.gz]' for s in IDX_SPLIT_FILES[split])}."
        )
    try:
        x, y = _tfds_arrays(info["tfds"], split, data_dir)
    except ImportError:
        raise _missing_error(name, places, "cannot be read (tensorflow-datasets is not "
                                           "installed)") from None
    except ValueError as e:
        raise _missing_error(name, places, "is not downloaded and the network is unreachable") from e
    return x, _check_labels(x, y, f"tfds:{info['tfds']}", IDX_NUM_CLASSES), f"tfds:{info['tfds']}"


def idx_arrays(images_path, labels_path=None, labels=False):
    """The images (and labels) of an `idx:IMAGES[,LABELS]` spec.

    Args:
        images_path: str. An IDX images file, gzipped or not.
        labels_path: str or None. Its labels file; None: the one beside it
            (`idx_labels_path`).
        labels: bool. Read the labels too (a missing labels file raises a
            FileNotFoundError then).

    Returns:
        `(images, labels)`: uint8 numpy [N, H, W, C] and int32 [N] (None
        without `labels`).

    Example:
    ```python
    x, y = keras_gans.data.idx_arrays("data/t10k-images-idx3-ubyte.gz", labels=True)
    ```
    """
    x = read_idx(images_path, "images")
    if not labels:
        return x, None
    lp = labels_path or idx_labels_path(images_path)
    if lp is None:
        raise FileNotFoundError(
            f"No labels file beside {images_path!r} (looked for its name with 'images' -> "
            f"'labels', 'idx3' -> 'idx1'); give it as idx:IMAGES,LABELS."
        )
    return x, _check_labels(x, read_idx(lp, "labels"), lp)


def idx_image_prep(height, width, image_size, channels):
    """A `tf.data` map function: uint8 IDX image -> float32 in [-1, 1].

    28 px images asked for at 32 are padded with 2 px of background (-1,
    black for MNIST-like data) on each side, not resized (no blur); images
    already `image_size` pass as they are; others are center-cropped and
    resized like every reader's.

    Args:
        height: int. The images' height.
        width: int. Their width.
        image_size: int. Output side.
        channels: int. 1 or 3 (grey repeated).

    Returns:
        callable. uint8 [H, W, C] tensor -> float32 [S, S, channels].

    Example:
    ```python
    prep = keras_gans.data.idx_image_prep(28, 28, 32, 1)
    x = prep(tf.zeros([28, 28, 1], tf.uint8))  # [32, 32, 1], all -1
    ```
    """
    check_image_size(image_size)
    check_channels(channels)

    def prep(img):
        x = match_channels(tf.cast(img, tf.float32), channels)
        if (height, width) == (28, 28) and image_size == 32:
            x = tf.pad(to_signed_range(x, 255.0), [[2, 2], [2, 2], [0, 0]], constant_values=-1.0)
        elif height == width == image_size:
            x = to_signed_range(x, 255.0)
        else:
            x = tf.clip_by_value(to_signed_range(center_square_resize(x, image_size), 255.0),
                                 -1.0, 1.0)
        x.set_shape((image_size, image_size, channels))
        return x

    return prep


def idx_dataset(kind, arg, split, image_size=32, channels=1, data_dir=None, labels=False,
                min_count=0):
    """The unbatched images of an `idx:`, `mnist` or `fashion_mnist` spec, and their labels.

    Args:
        kind: str. "idx", "mnist" or "fashion_mnist" (from `parse_spec`).
        arg: `parse_spec`'s arg: `(images, labels or None)` for idx, the
            folder (or None) for the others.
        split: str or None. "train" or "test" (None for idx).
        image_size: int. Output side (28 px images: see `idx_image_prep`).
        channels: int. 1 or 3.
        data_dir: str or None. tensorflow-datasets' data directory.
        labels: bool. Read the labels too.
        min_count: int. Fewer images raise a ValueError (one batch).

    Returns:
        `(dataset, labels, num_classes)`: a `tf.data.Dataset` of float32
        [S, S, C] in [-1, 1], int32 numpy labels [N] (None without
        `labels`) and the classes (10 for MNIST-like specs, the largest
        label + 1 for idx; None without `labels`).

    Example:
    ```python
    ds, y, k = keras_gans.data.sources.idx_dataset("fashion_mnist", None, "test", labels=True)
    ```
    """
    if kind == "idx":
        x, y = idx_arrays(arg[0], arg[1], labels=labels)
        where = arg[0]
        k = max(int(y.max()) + 1, 2) if labels and len(y) else None
    else:
        x, y, where = mnist_arrays(kind, split, arg, data_dir)
        k = IDX_NUM_CLASSES if labels else None
        y = y if labels else None
    if min_count and len(x) < min_count:
        raise ValueError(f"{where} has {len(x)} images, fewer than one batch of {min_count}; "
                         "lower the batch size.")
    ds = tf.data.Dataset.from_tensor_slices(x).map(
        idx_image_prep(x.shape[1], x.shape[2], image_size, channels),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    return ds, y, k


# ------------------------------------------------------------------ specs


def _idx_path_and_split(name, rest):
    """`(path or None, split)` of the part after "mnist:" / "fashion_mnist:"."""
    if rest in IDX_SPLIT_FILES:
        return None, rest
    head, sep, tail = rest.rpartition(":")
    if sep and head and tail in IDX_SPLIT_FILES:
        return head, tail
    if not rest:
        raise ValueError(f"{name}: spec needs a split or a folder, e.g. {name}:test or "
                         f"{name}:./data.")
    if "/" not in rest and os.sep not in rest and not os.path.isdir(rest):
        raise ValueError(f"{name} has the splits 'train' and 'test'; got {rest!r} (a folder: "
                         f"{name}:./{rest}).")
    return rest, "train"


def parse_spec(spec):
    """Reads a one-domain data spec.

    Args:
        spec: str. `digits`, `digits:train`, `digits:test`,
            `mnist[:PATH][:SPLIT]` and `fashion_mnist[:PATH][:SPLIT]` (split
            "train" or "test", "train" when left out; PATH a folder of their
            IDX files, see `mnist_arrays`), `idx:IMAGES[,LABELS]` (IDX files),
            `emoji[:SIZE][:PATH]` (Noto's colour emoji, SIZE at most 128,
            PATH the font; see `keras_gans.data.emoji`), `tfds:NAME[:SPLIT]`
            (split "train" when left out) or `folder:PATH`. Anything else
            raises a ValueError that lists the forms.

    Returns:
        `(kind, arg, split)`: kind "digits", "mnist", "fashion_mnist", "idx",
        "emoji", "tfds" or "folder"; arg the tfds name, the folder path (None for
        digits, and for MNIST-like specs without a folder), for idx
        `(images, labels or None)` and for emoji `(size or None, font path
        or None)`; split the digits, MNIST-like or tfds split (None for
        folders, idx, emoji and all digits).

    Example:
    ```python
    kind, name, split = keras_gans.data.sources.parse_spec("tfds:cifar10:test")
    ```
    """
    if not isinstance(spec, str) or not spec:
        raise ValueError(f"Data spec must be a non-empty string; got {spec!r}.")
    if spec == "digits":
        return "digits", None, None
    if spec.startswith("digits:"):
        split = spec[len("digits:") :]
        digits_split_indices(split)  # validates
        return "digits", None, split
    for name in IDX_DATASETS:
        if spec == name:
            return name, None, "train"
        if spec.startswith(name + ":"):
            path, split = _idx_path_and_split(name, spec[len(name) + 1 :])
            return name, path, split
    if spec.startswith("idx:"):
        rest = spec[len("idx:") :]
        if not rest:
            raise ValueError("idx: spec needs an IDX images file, e.g. "
                             "idx:data/train-images-idx3-ubyte.gz[,LABELS].")
        images, sep, labels = rest.rpartition(",")
        if not sep or os.path.exists(rest):
            images, labels = rest, None
        return "idx", (images, labels or None), None
    if spec == "emoji" or spec.startswith("emoji:"):
        return "emoji", parse_emoji_spec(spec[len("emoji:") :] if spec != "emoji" else None), None
    if spec.startswith("tfds:"):
        rest = spec[len("tfds:") :]
        name, _, split = rest.partition(":")
        if not name:
            raise ValueError("tfds: spec needs a dataset name, e.g. tfds:mnist or tfds:cifar10:test.")
        return "tfds", name, split or "train"
    if spec.startswith("folder:"):
        path = spec[len("folder:") :]
        if not path:
            raise ValueError("folder: spec needs a path, e.g. folder:./my_images.")
        return "folder", path, None
    raise ValueError(
        f"Unknown data spec {spec!r}. Use 'digits', 'mnist[:SPLIT]', 'fashion_mnist[:SPLIT]', "
        "'idx:IMAGES[,LABELS]', 'emoji[:SIZE]', 'tfds:NAME[:SPLIT]' (e.g. tfds:cifar10) or "
        "'folder:PATH'."
    )


def images_dataset(spec="digits", image_size=32, channels=1, data_dir=None, min_count=0):
    """The unbatched images of a one-domain spec.

    Args:
        spec: str. `digits[:train|:test]`, `mnist[:PATH][:SPLIT]`,
            `fashion_mnist[:PATH][:SPLIT]`, `idx:IMAGES[,LABELS]`,
            `emoji[:SIZE][:PATH]`, `tfds:NAME[:SPLIT]` or `folder:PATH`.
        image_size: int. Output side (28 px IDX images at 32: padded; emoji:
            at most 128, and at most the spec's SIZE).
        channels: int. 1 or 3.
        data_dir: str or None. tensorflow-datasets' data directory.
        min_count: int. For folders, IDX files and emoji: fewer images raise a ValueError.

    Returns:
        `tf.data.Dataset` of float32 [S, S, C] in [-1, 1].

    Example:
    ```python
    ds = keras_gans.data.images_dataset("digits:test", image_size=16)  # 300 images
    ```
    """
    check_image_size(image_size)
    check_channels(channels)
    kind, arg, split = parse_spec(spec)
    if kind == "digits":
        images, _ = digits_arrays(image_size, channels, split)
        return tf.data.Dataset.from_tensor_slices(images)
    if kind == "folder":
        files = folder_files(arg)
        check_folder_count(arg, files, min_count)
        ds = tf.data.Dataset.from_tensor_slices(files)
        return ds.map(folder_image_reader(image_size, channels), num_parallel_calls=tf.data.AUTOTUNE)
    if kind == "idx" or kind in IDX_DATASETS:
        ds, _, _ = idx_dataset(kind, arg, split, image_size, channels, data_dir, min_count=min_count)
        return ds
    if kind == "emoji":
        return emoji_dataset(arg[0], arg[1], image_size, channels, min_count=min_count)
    ds, _, key = tfds_load(arg, split, data_dir)
    return ds.map(tfds_image_prep(key, image_size, channels), num_parallel_calls=tf.data.AUTOTUNE)
