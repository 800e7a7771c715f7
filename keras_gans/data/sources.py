"""Readers, one per kind of image source: bundled digits, image folders,
side-by-side image files and tensorflow-datasets.

Every reader gives float32 images in [-1, 1], center-cropped to a square and
resized to `image_size` (see `keras_gans.data.transforms`). `parse_spec` reads
a one-domain spec (`digits[:SPLIT]`, `tfds:NAME[:SPLIT]`, `folder:PATH`) and
`images_dataset` gives its unbatched images.
"""

import contextlib
import os
import warnings

import numpy as np
import tensorflow as tf

from keras_gans.data.transforms import (
    center_square_resize,
    check_channels,
    check_image_size,
    match_channels,
    to_signed_range,
)

__all__ = [
    "DIGITS_TEST_SIZE",
    "IMAGE_EXTENSIONS",
    "check_folder_count",
    "digits_arrays",
    "digits_split_indices",
    "folder_channels",
    "folder_files",
    "folder_image_reader",
    "folder_labelled_files",
    "images_dataset",
    "list_image_files",
    "parse_spec",
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


# ------------------------------------------------------------------ specs


def parse_spec(spec):
    """Reads a one-domain data spec.

    Args:
        spec: str. `digits`, `digits:train`, `digits:test`,
            `tfds:NAME[:SPLIT]` (split "train" when left out) or
            `folder:PATH`. Anything else raises a ValueError that lists the forms.

    Returns:
        `(kind, arg, split)`: kind "digits", "tfds" or "folder"; arg the tfds
        name or the folder path (None for digits); split the digits or tfds
        split (None for folders and all digits).

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
        f"Unknown data spec {spec!r}. Use 'digits', 'tfds:NAME[:SPLIT]' "
        "(e.g. tfds:mnist) or 'folder:PATH'."
    )


def images_dataset(spec="digits", image_size=32, channels=1, data_dir=None, min_count=0):
    """The unbatched images of a one-domain spec.

    Args:
        spec: str. `digits[:train|:test]`, `tfds:NAME[:SPLIT]` or `folder:PATH`.
        image_size: int. Output side.
        channels: int. 1 or 3.
        data_dir: str or None. tensorflow-datasets' data directory.
        min_count: int. For folders: fewer readable images raise a ValueError.

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
    ds, _, key = tfds_load(arg, split, data_dir)
    return ds.map(tfds_image_prep(key, image_size, channels), num_parallel_calls=tf.data.AUTOTUNE)
