"""Readers, one per kind of image source: bundled digits, image folders,
side-by-side image files and tensorflow-datasets.

Every reader gives float32 images in [-1, 1], center-cropped to a square and
resized to `image_size` (see `keras_gans.data.transforms`). `parse_spec` reads
a one-domain spec (`digits[:SPLIT]`, `tfds:NAME[:SPLIT]`, `folder:PATH`) and
`images_dataset` gives its unbatched images.
"""

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


def list_image_files(path):
    """Every image file below `path` (by its extension, see `IMAGE_EXTENSIONS`), sorted.

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
    files = []
    for root, _, names in os.walk(path):
        for n in names:
            if n.lower().endswith(IMAGE_EXTENSIONS):
                files.append(os.path.join(root, n))
    files.sort()
    if not files:
        raise ValueError(
            f"Folder {path!r} has no image files (looked for {', '.join(IMAGE_EXTENSIONS)})."
        )
    return files


def _readable(files):
    from PIL import Image

    good, bad = [], 0
    for f in files:
        try:
            with Image.open(f) as im:
                im.verify()
            good.append(f)
        except Exception:  # noqa: BLE001 - any decoder failure means unreadable
            bad += 1
    return good, bad


def _read_image(path, image_size, channels):
    """PIL decode + center crop + resize; returns uint8 [S, S, C]."""
    from PIL import Image

    with Image.open(path.decode() if isinstance(path, bytes) else path) as im:
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
    """The readable image files below `path`, sorted; warns with the count of unreadable ones.

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
    good, bad = _readable(files)
    if not good:
        raise ValueError(
            f"Folder {path!r} has {len(files)} image files but none could be read."
        )
    if bad:
        warnings.warn(f"Skipped {bad} unreadable image file(s) of {len(files)} in {path!r}.")
    return good


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
    path = str(path)
    if os.path.isfile(path):
        files = [path]
        if not path.lower().endswith(IMAGE_EXTENSIONS):
            raise ValueError(f"{path!r} is not an image file ({', '.join(IMAGE_EXTENSIONS)}).")
    else:
        files = folder_files(path)
    files = files[:num] if num else files
    try:
        arrays = [_read_image(f, image_size, channels) for f in files]
    except OSError as e:
        raise ValueError(f"Cannot read an image of {path!r}: {e}") from None
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
    from PIL import Image

    with Image.open(path.decode() if isinstance(path, bytes) else path) as im:
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


def tfds_load(name, split, data_dir):
    """Loads a tensorflow-datasets dataset with images (downloads on first use).

    Args:
        name: str. The dataset, e.g. "mnist" or "cycle_gan/horse2zebra".
        split: str. Its split, e.g. "train".
        data_dir: str or None. tensorflow-datasets' data directory.

    Returns:
        `(dataset, info, key)`: the unbatched examples, the
        `tfds.core.DatasetInfo` and the name of the image feature. An unknown
        dataset, or one without 1, 3 or 4-channel images, raises a ValueError.

    Example:
    ```python
    ds, info, key = keras_gans.data.sources.tfds_load("mnist", "train", None)
    ```
    """
    import tensorflow_datasets as tfds

    try:
        ds, info = tfds.load(name, split=split, with_info=True, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError as e:
        raise ValueError(f"tensorflow-datasets has no dataset {name!r}: {e}") from None
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
