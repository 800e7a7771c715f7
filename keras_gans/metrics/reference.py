"""Real-image features and statistics, computed once and cached on disk.

The real side of an evaluation (10,000 test images through the FID Inception
take a quarter of an hour on 2 cores) is the same every time a model is scored
against the same data. `real_statistics` computes it once and keeps it in a
`.npz` file: the features `[N, D]` (float32: what KID and precision/recall
need), their mean and covariance (float64: what FID needs), and a JSON record
of what they were computed on. Later evaluations read the file and never run
the extractor on those images again.

The key of a file is a hash of:
- the images themselves (their shape and bytes: so the data spec, its split,
  the count, the image size and the channels are all in it), and the label
  the caller gives them (e.g. "fashion_mnist:test");
- the extractor: its name, class, input protocol (`Extractor.protocol`, the
  "preprocessing version") and a hash of its weights;
- `CACHE_VERSION`, the layout of this file.
Any change to one of them is another file. The file name shows the label,
the count, the image shape and the extractor, then the start of the key.

Where: `$KERAS_GANS_CACHE` when set; else `$KERAS_HOME` (or `~/.keras`), then
`keras_gans/reference_statistics/`. Files are written whole or not at all (a
temporary file beside them is renamed), so two processes filling the same
entry, or one killed mid-write, leave no broken file; a file that cannot be
read is computed again and replaced.
"""

import hashlib
import json
import os
import re
import tempfile
import time

import numpy as np

from keras_gans.metrics import core
from keras_gans.metrics.features import get_extractor

#: The layout of the cache files; a new layout is a new key, never a misread.
CACHE_VERSION = 1
#: The environment variable that names the cache folder.
CACHE_ENV = "KERAS_GANS_CACHE"


def default_cache_dir():
    """Where real statistics are cached.

    Returns:
        str. `$KERAS_GANS_CACHE` when set, else `$KERAS_HOME` (or `~/.keras`)
        followed by `keras_gans/reference_statistics`.

    Example:
    ```python
    folder = keras_gans.metrics.reference.default_cache_dir()  # ~/.keras/keras_gans/reference_statistics
    ```
    """
    if os.environ.get(CACHE_ENV):
        return os.environ[CACHE_ENV]
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "keras_gans", "reference_statistics")


def extractor_fingerprint(extractor):
    """A hash of what an extractor computes: name, class, protocol and weights.

    Computed once per extractor object (hashing the FID Inception's 22 M
    weights takes a fraction of a second) and kept on it.

    Args:
        extractor: anything `get_extractor` takes.

    Returns:
        str. A hex digest.

    Example:
    ```python
    keras_gans.metrics.reference.extractor_fingerprint("digits")
    ```
    """
    import keras

    ext = get_extractor(extractor)
    cached = getattr(ext, "_fingerprint", None)
    if cached is not None:
        return cached
    h = hashlib.sha1()
    head = [ext.name, type(ext).__qualname__, ext.protocol, ext.input_size, ext.channels, ext.num_classes]
    h.update(json.dumps(head, default=str).encode())
    for w in ext.model.weights:
        value = np.ascontiguousarray(keras.ops.convert_to_numpy(w))
        h.update(f"{w.path}:{value.shape}:{value.dtype}".encode())
        h.update(value.tobytes())
    ext._fingerprint = h.hexdigest()
    return ext._fingerprint


def images_fingerprint(images):
    """A hash of a set of images: shape, dtype and bytes (as float32).

    Args:
        images: array `[N, H, W, C]`.

    Returns:
        str. A hex digest.

    Example:
    ```python
    keras_gans.metrics.reference.images_fingerprint(real)
    ```
    """
    x = np.ascontiguousarray(np.asarray(images, np.float32))
    h = hashlib.sha1(f"{x.shape}".encode())
    h.update(x.tobytes())
    return h.hexdigest()


class RealStatistics:
    """The real side of an evaluation: features, their mean and covariance, and their origin.

    Args:
        features: array `[N, D]`. The real images' features (float32).
        mu: array `[D]`. Their mean (float64).
        sigma: array `[D, D]`. Their covariance (float64, rowvar=False).
        info: dict. What they were computed on: `label`, `num`,
            `image_shape`, `extractor`, ... (see `real_statistics`).
        path: str or None. The cache file, when there is one.
        status: str. "computed" (no cache), "written" (computed now and
            cached), "read" (from the cache, no extraction), or
            "computed (cache not written: WHY)".

    Example:
    ```python
    real = keras_gans.metrics.reference.real_statistics(images, "digits", label="digits:test")
    real.mu, real.sigma, real.features, real.status
    ```
    """

    def __init__(self, features, mu, sigma, info, path=None, status="computed"):
        self.features = np.asarray(features, np.float32)
        self.mu = np.asarray(mu, np.float64)
        self.sigma = np.asarray(sigma, np.float64)
        self.info = dict(info)
        self.path = path
        self.status = status

    def __len__(self):
        return len(self.features)

    def __repr__(self):
        return (f"RealStatistics(label={self.info.get('label')!r}, num={len(self)}, "
                f"extractor={self.info.get('extractor')!r}, status={self.status!r})")


def _slug(text):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("_")[:60] or "real"


def cache_path(images, extractor, label="real", cache_dir=None):
    """The file that holds (or will hold) the real statistics of `images`.

    Args:
        images: array `[N, H, W, C]`. The real images.
        extractor: anything `get_extractor` takes.
        label: str. What the images are (e.g. "fashion_mnist:test").
        cache_dir: str or None. The folder (`default_cache_dir()` when None).

    Returns:
        str. The `.npz` path.

    Example:
    ```python
    keras_gans.metrics.reference.cache_path(real, "digits", "digits:test")
    ```
    """
    ext = get_extractor(extractor)
    x = np.asarray(images)
    key = hashlib.sha1(json.dumps(
        [CACHE_VERSION, str(label), images_fingerprint(x), extractor_fingerprint(ext)]).encode()).hexdigest()
    shape = "x".join(str(int(d)) for d in x.shape[1:])
    name = f"{_slug(label)}-{len(x)}-{shape}-{_slug(ext.name)}-{key[:16]}.npz"
    return os.path.join(cache_dir or default_cache_dir(), name)


def _read(path, num):
    """The RealStatistics in `path`, or None when it is missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as f:
            features, mu, sigma = f["features"], f["mu"], f["sigma"]
            info = json.loads(str(f["info"]))
    except (OSError, KeyError, ValueError, EOFError):
        return None
    d = features.shape[1] if features.ndim == 2 else -1
    if (features.shape[0] != num or mu.shape != (d,) or sigma.shape != (d, d)
            or info.get("version") != CACHE_VERSION):
        return None
    return RealStatistics(features, mu, sigma, info, path=path, status="read")


def _write(path, stats):
    """Write `stats` to `path` atomically (a temporary file beside it, renamed)."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, part = tempfile.mkstemp(dir=folder, prefix=".part-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, features=stats.features, mu=stats.mu, sigma=stats.sigma,
                     info=np.array(json.dumps(stats.info)))
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, path)
    except BaseException:
        if os.path.exists(part):
            os.unlink(part)
        raise


def real_statistics(images, extractor="digits", label="real", cache=True, batch_size=256, progress=False):
    """Features, mean and covariance of real images: read from the cache, or computed (and cached).

    Args:
        images: array `[N, H, W, C]` in [-1, 1]. The real images (N >= 2).
        extractor: anything `get_extractor` takes.
        label: str. What the images are, e.g. "fashion_mnist:test" or
            "digits-ink:B:test"; recorded, and part of the file name and key.
        cache: bool or str. True: the folder `default_cache_dir()`; a str:
            that folder; False or None: no cache (computed every time).
        batch_size: int. Images per forward pass.
        progress: bool. Progress while extracting (see `Extractor`).

    Returns:
        RealStatistics. `status` says whether the extractor ran ("computed",
        "written") or not ("read"); `path` is the cache file.

    Example:
    ```python
    real = keras_gans.metrics.reference.real_statistics(
        keras_gans.metrics.real_images("fashion_mnist:test"), "fid_inception", label="fashion_mnist:test")
    ```
    """
    ext = get_extractor(extractor)
    x = np.asarray(images)
    if len(x) < 2:
        raise ValueError(f"real statistics need at least 2 images; got {len(x)}.")
    path = None
    if cache:
        folder = cache if isinstance(cache, (str, os.PathLike)) else None
        path = cache_path(x, ext, label, os.fspath(folder) if folder else None)
        found = _read(path, len(x))
        if found is not None:
            return found
    start = time.time()
    features = ext.features(x, batch_size, progress)
    mu, sigma = core.statistics(features)
    info = {
        "version": CACHE_VERSION, "label": str(label), "num": int(len(x)),
        "image_shape": [int(d) for d in x.shape[1:]], "extractor": ext.name,
        "extractor_fingerprint": extractor_fingerprint(ext) if cache else None,
        "protocol": ext.protocol, "seconds": round(time.time() - start, 2),
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    stats = RealStatistics(features, mu, sigma, info, path=None)
    if path is None:
        return stats
    try:
        _write(path, stats)
    except OSError as e:
        stats.status = f"computed (cache not written: {e.strerror or e})"
        return stats
    stats.path, stats.status = path, "written"
    return stats
