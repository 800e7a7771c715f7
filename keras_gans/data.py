"""Image pipelines: `load(spec, ...)` gives a batched `tf.data.Dataset` in [-1, 1].

Specs:
- `digits`: scikit-learn's bundled 8x8 digits (1797 images), resized. Offline.
- `tfds:NAME[:SPLIT]`: a tensorflow-datasets dataset (downloads on first use),
  center-cropped to a square and resized.
- `folder:PATH`: every image file below PATH (png, jpg, jpeg, bmp, gif, webp,
  tif, tiff); unreadable files are skipped with a warning that counts them.
"""

import os
import warnings

import numpy as np
import tensorflow as tf

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def _check_channels(channels):
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3; got {channels!r}.")


def _check_size(image_size):
    if not isinstance(image_size, (int, np.integer)) or image_size < 1:
        raise ValueError(f"image_size must be a positive integer; got {image_size!r}.")


def _to_range(images_uint8_or_float, max_value):
    return tf.cast(images_uint8_or_float, tf.float32) / (max_value / 2.0) - 1.0


def _square_resize(image, image_size):
    """Center-crops `image` ([H, W, C]) to a square, then resizes (bilinear)."""
    shape = tf.shape(image)
    h, w = shape[0], shape[1]
    side = tf.minimum(h, w)
    top = (h - side) // 2
    left = (w - side) // 2
    image = image[top : top + side, left : left + side, :]
    return tf.image.resize(tf.cast(image, tf.float32), (image_size, image_size), antialias=True)


def _match_channels(image, channels):
    have = image.shape[-1]
    if have == channels or have is None:
        return image
    if have == 1 and channels == 3:
        return tf.repeat(image, 3, axis=-1)
    if have == 3 and channels == 1:
        return tf.image.rgb_to_grayscale(image)
    if have == 4:
        return _match_channels(image[..., :3], channels)
    raise ValueError(
        f"The data has {have} channels and cannot be turned into {channels}; "
        "pass channels=1 or channels=3."
    )


def digits_arrays(image_size=32, channels=1):
    """The bundled digits as float32 images in [-1, 1] and int32 labels (numpy)."""
    from sklearn.datasets import load_digits

    _check_size(image_size)
    _check_channels(channels)
    d = load_digits()
    images = d.images.astype("float32")[..., None] / 16.0  # [N, 8, 8, 1] in [0, 1]
    images = tf.image.resize(images, (image_size, image_size), method="bilinear").numpy()
    images = np.clip(images, 0.0, 1.0) * 2.0 - 1.0
    if channels == 3:
        images = np.repeat(images, 3, axis=-1)
    return images.astype("float32"), d.target.astype("int32")


def list_image_files(path):
    """Every image file below `path`, sorted, with clear errors if there are none."""
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
    """Readable image files below `path`; warns with the count of unreadable ones."""
    files = list_image_files(path)
    good, bad = _readable(files)
    if not good:
        raise ValueError(
            f"Folder {path!r} has {len(files)} image files but none could be read."
        )
    if bad:
        warnings.warn(f"Skipped {bad} unreadable image file(s) of {len(files)} in {path!r}.")
    return good


def _parse_spec(spec):
    if not isinstance(spec, str) or not spec:
        raise ValueError(f"Data spec must be a non-empty string; got {spec!r}.")
    if spec == "digits":
        return "digits", None, None
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
    """An unbatched dataset of float32 images [S, S, C] in [-1, 1] for `spec`."""
    _check_size(image_size)
    _check_channels(channels)
    kind, arg, split = _parse_spec(spec)
    if kind == "digits":
        images, _ = digits_arrays(image_size, channels)
        return tf.data.Dataset.from_tensor_slices(images)
    if kind == "folder":
        files = folder_files(arg)
        if min_count and len(files) < min_count:
            raise ValueError(
                f"Folder {arg!r} has {len(files)} readable images, fewer than one "
                f"batch of {min_count}; add images or lower the batch size."
            )

        def read(path):
            img = tf.numpy_function(
                lambda p: _read_image(p, image_size, channels), [path], tf.uint8
            )
            img.set_shape((image_size, image_size, channels))
            return _to_range(img, 255.0)

        ds = tf.data.Dataset.from_tensor_slices(files)
        return ds.map(read, num_parallel_calls=tf.data.AUTOTUNE)
    # tfds
    import tensorflow_datasets as tfds

    try:
        ds, info = tfds.load(arg, split=split, with_info=True, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError as e:
        raise ValueError(f"tensorflow-datasets has no dataset {arg!r}: {e}") from None
    features = info.features
    key = "image" if "image" in features else None
    if key is None:
        raise ValueError(
            f"tfds dataset {arg!r} has no 'image' feature (features: {list(features)})."
        )
    have = features[key].shape[-1]
    if have not in (None, 1, 3, 4):
        raise ValueError(f"tfds dataset {arg!r} has {have}-channel images; need 1 or 3.")

    def prep(example):
        img = example[key]
        if img.shape.rank == 2:
            img = img[..., None]
        img = _match_channels(img, channels)
        img = _square_resize(img, image_size)
        img.set_shape((image_size, image_size, channels))
        return tf.clip_by_value(img / 127.5 - 1.0, -1.0, 1.0)

    return ds.map(prep, num_parallel_calls=tf.data.AUTOTUNE)


def load(
    spec="digits",
    image_size=32,
    batch_size=64,
    channels=1,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    data_dir=None,
):
    """A shuffled, batched, prefetched dataset of float32 images in [-1, 1].

    Args:
        spec: str. `digits`, `tfds:NAME[:SPLIT]` or `folder:PATH`.
        image_size: int. Output side; images are center-cropped square and resized.
        batch_size: int. Images per batch.
        channels: int. 1 (grayscale) or 3 (RGB); the data is converted.
        shuffle: bool. Shuffle every epoch.
        seed: int or None. Shuffle seed.
        drop_remainder: bool. Drop the last short batch (static batch shapes).
        data_dir: str or None. tensorflow-datasets' data directory.

    Example:
    ```python
    ds = keras_gans.data.load("digits", image_size=32, batch_size=64)
    images = next(iter(ds))  # [64, 32, 32, 1] float32 in [-1, 1]
    ```
    """
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}.")
    ds = images_dataset(
        spec, image_size, channels, data_dir=data_dir,
        min_count=batch_size if drop_remainder else 0,
    )
    if spec == "digits" or spec.startswith("folder:"):
        ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(4096, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)
