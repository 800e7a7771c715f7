"""Two-domain image data for image-to-image GANs (pix2pix, CycleGAN, ...).

`load_pairs(spec, ...)` yields `(A, B)` batches where `A[i]` and `B[i]` are a
pair (pix2pix); `load_unpaired(spec, ...)` yields `(A, B)` batches whose two
halves are shuffled independently (CycleGAN, DiscoGAN, DualGAN, CartoonGAN);
`domain_images` gives one domain of a split in a fixed order (for sampling
and scoring). Images are float32 in [-1, 1], `[batch, image_size,
image_size, channels]`.

Specs:
- `digits-edges` (paired; 1 channel by default): A is the edge map of a digit
  (its morphological gradient: 3x3 grey dilation minus erosion, 5x5 from 64 px
  up, divided by its maximum), B the digit. Offline (scikit-learn's digits).
  `split="train"` / `"test"` are the `digits:train` / `digits:test` images.
- `digits-ink` (unpaired; RGB): A is white digits on black, B digits in dark
  blue ink (`INK`) on cream paper (`PAPER`), see `ink`. In the train split A
  and B are two disjoint halves of `digits:train`, so nothing is paired; in
  the test split both are `digits:test` and B is exactly `ink(A)`, the ground
  truth for scoring A->B translations.
- `photo-cartoon` (unpaired; RGB): random square crops of scikit-image's
  bundled photos: A from astronaut, rocket, motorcycle (left) and
  immunohistochemistry; B from `cartoonize`d chelsea, coffee,
  hubble_deep_field and retina. 64 crops per photo for train, 16 for test
  (other crops). Offline; the arrays are cached per (split, image_size).
- `tfds:cycle_gan/NAME` (unpaired), e.g. `tfds:cycle_gan/horse2zebra`: the
  tensorflow-datasets splits trainA/trainB (train) or testA/testB (test).
- `folder:PATH`: `PATH/A/` and `PATH/B/` (or `PATH/<split>/A/` and
  `PATH/<split>/B/` when they exist). Unpaired: every image below each.
  Paired: by file name without its extension (`A/x.png` goes with `B/x.jpg`).
- `sbs:PATH`: side-by-side images as in the pix2pix datasets (facades:
  512x256, A left, B right), in `PATH/<split>/` if that exists, else in PATH.
  `swap=True` exchanges A and B.

The three bundled sets (digits-edges, digits-ink, photo-cartoon) are made
here from data that ships with scikit-learn and scikit-image, by `ink`, an
edge map and `cartoonize`.
"""

import functools
import os

import numpy as np
import tensorflow as tf

from keras_gans.data.epochs import (
    check_batch_size,
    check_epochs,
    count_examples,
    epoch_steps,
    epoch_stream,
    one_pass,
    order_seed,
    passes,
)
from keras_gans.data.sources import (
    digits_arrays,
    digits_split_indices,
    folder_files,
    folder_image_reader,
    side_by_side_files,
    side_by_side_reader,
    tfds_image_prep,
    tfds_load,
)
from keras_gans.data.transforms import check_channels, check_image_size, match_channels

__all__ = [
    "CARTOON_SOURCES",
    "INK",
    "PAIRED_SPECS",
    "PAPER",
    "PHOTO_CROPS",
    "PHOTO_SOURCES",
    "SPEC_FORMS",
    "UNPAIRED_SPECS",
    "cartoonize",
    "default_channels",
    "domain_images",
    "ink",
    "ink_strength",
    "is_pair_spec",
    "load_pairs",
    "load_unpaired",
]

#: digits-ink's paper colour (RGB in [0, 1]).
PAPER = (0.96, 0.93, 0.85)
#: digits-ink's ink colour (RGB in [0, 1]).
INK = (0.10, 0.15, 0.50)

PAIRED_SPECS = ("digits-edges",)
UNPAIRED_SPECS = ("digits-ink", "photo-cartoon")
SPEC_FORMS = (
    "'digits-edges' (paired), 'digits-ink' (unpaired), 'photo-cartoon' (unpaired), "
    "'tfds:cycle_gan/NAME' (unpaired, e.g. tfds:cycle_gan/horse2zebra), "
    "'folder:PATH' (PATH/A/ and PATH/B/, paired by file name) or "
    "'sbs:PATH' (side-by-side AB images, A left)"
)

#: scikit-image photos of photo-cartoon's domain A, and (cartoonized) of domain B.
PHOTO_SOURCES = ("astronaut", "rocket", "stereo_motorcycle", "immunohistochemistry")
CARTOON_SOURCES = ("chelsea", "coffee", "hubble_deep_field", "retina")
PHOTO_CROPS = {"train": (64, 1), "test": (16, 2)}  # crops per photo, rng seed


# ------------------------------------------------------------------ specs


def _parse(spec):
    """`(kind, arg)`; kind is a bundled spec name, "tfds", "folder" or "sbs"."""
    if not isinstance(spec, str) or not spec:
        raise ValueError(f"Data spec must be a non-empty string; got {spec!r}. Use {SPEC_FORMS}.")
    if spec in PAIRED_SPECS + UNPAIRED_SPECS:
        return spec, None
    for prefix in ("tfds:", "folder:", "sbs:"):
        if spec.startswith(prefix):
            arg = spec[len(prefix):]
            kind = prefix[:-1]
            if kind == "tfds":
                if not (arg == "cycle_gan" or arg.startswith("cycle_gan/")) or arg.count(":"):
                    raise ValueError(
                        f"Unknown image-to-image data spec {spec!r}: tfds: specs take a "
                        f"cycle_gan config, e.g. tfds:cycle_gan/horse2zebra. Use {SPEC_FORMS}."
                    )
            elif not arg:
                raise ValueError(f"{prefix} spec needs a path, e.g. {prefix}./my_data.")
            return kind, arg
    raise ValueError(f"Unknown image-to-image data spec {spec!r}. Use {SPEC_FORMS}.")


def _folder_root(path, split):
    """The folder holding A/ and B/: PATH/<split> if PATH/<split>/A exists, else PATH."""
    if split and os.path.isdir(os.path.join(path, split, "A")):
        return os.path.join(path, split)
    return path


def _folder_domains(path, split):
    if not os.path.exists(path):
        raise FileNotFoundError(f"Image folder {path!r} does not exist.")
    root = _folder_root(path, split)
    dirs = {d: os.path.join(root, d) for d in ("A", "B")}
    missing = [d for d in ("A", "B") if not os.path.isdir(dirs[d])]
    if missing:
        raise ValueError(
            f"folder:{path} needs the sub-folder(s) {' and '.join(m + '/' for m in missing)} "
            f"(missing {', '.join(repr(dirs[m]) for m in missing)}). Expected layout:\n"
            f"  {path}/A/<images of domain A>\n  {path}/B/<images of domain B>\n"
            f"or, per split, {path}/train/A/, {path}/train/B/, {path}/test/A/, {path}/test/B/."
        )
    return dirs["A"], dirs["B"]


def _sbs_root(path, split):
    if not os.path.exists(path):
        raise FileNotFoundError(f"Image folder {path!r} does not exist.")
    if split and os.path.isdir(os.path.join(path, split)):
        return os.path.join(path, split)
    return path


def is_pair_spec(spec):
    """True for the specs `load_pairs` / `load_unpaired` read (see the module docstring).

    Args:
        spec: str. A data spec. `folder:PATH` counts only if PATH (or
            PATH/train, PATH/test) has A/ and B/.

    Returns:
        bool.

    Example:
    ```python
    keras_gans.data.is_pair_spec("digits-ink")  # True; "digits" gives False
    ```
    """
    try:
        kind, arg = _parse(spec)
    except ValueError:
        return False
    if kind != "folder":
        return True
    roots = [arg] + [os.path.join(arg, s) for s in ("train", "test")]
    return any(
        os.path.isdir(os.path.join(r, "A")) and os.path.isdir(os.path.join(r, "B")) for r in roots
    )


def default_channels(spec):
    """The channels a two-domain spec gives when `channels=None`.

    Args:
        spec: str. A two-domain spec.

    Returns:
        int. 1 for `digits-edges`, 3 for every other spec.

    Example:
    ```python
    keras_gans.data.default_channels("digits-ink")  # 3
    ```
    """
    return 1 if spec == "digits-edges" else 3


def _resolve_channels(spec, channels):
    channels = default_channels(spec) if channels is None else channels
    check_channels(channels)
    return channels


def _check_split(kind, split):
    if kind in ("folder", "sbs"):
        if not isinstance(split, str) or not split:
            raise ValueError(
                f"split must be a folder name such as 'train' or 'test'; got {split!r}."
            )
    elif split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}.")


# ------------------------------------------------------------------ digits


def ink(a):
    """The digits-ink map A -> B: white-on-black digits to blue ink on paper.

    The stroke strength `s = (mean over channels of a + 1) / 2` (clipped to
    [0, 1]) blends each pixel from `PAPER` (s = 0) to `INK` (s = 1):
    `B = 2 * (PAPER * (1 - s) + INK * s) - 1`.

    Args:
        a: array [..., H, W, C] in [-1, 1] (C = 3 or 1), e.g. [N, H, W, 3].

    Returns:
        float32 numpy [..., H, W, 3] in [-1, 1].

    Example:
    ```python
    a = keras_gans.data.domain_images("digits-ink", "A", "test")
    truth = keras_gans.data.ink(a)  # what a perfect A->B translator gives
    ```
    """
    a = np.asarray(a, dtype=np.float64)
    s = np.clip((a.mean(axis=-1, keepdims=True) + 1.0) / 2.0, 0.0, 1.0)
    b = np.asarray(PAPER) * (1.0 - s) + np.asarray(INK) * s
    return (b * 2.0 - 1.0).astype("float32")


def ink_strength(b):
    """The stroke strength s in [0, 1] read back from an inked image (inverse of `ink`).

    Each pixel is projected (least squares) on the line from `PAPER` to `INK`
    and the position is clipped to [0, 1], so `ink_strength(ink(a)) == (a + 1) / 2`
    for a clean grey `a`, and a translation that is off the line still gets
    its nearest strength.

    Args:
        b: array [..., H, W, 3] in [-1, 1].

    Returns:
        float32 numpy [..., H, W, 1].

    Example:
    ```python
    b = keras_gans.data.domain_images("digits-ink", "B", "test")
    grey = keras_gans.data.ink_strength(b) * 2.0 - 1.0  # the digits, white on black
    ```
    """
    b = np.asarray(b, dtype=np.float64)
    if b.shape[-1] != 3:
        raise ValueError(f"ink_strength needs RGB images [..., H, W, 3]; got shape {b.shape}.")
    paper, d = np.asarray(PAPER), np.asarray(INK) - np.asarray(PAPER)
    s = ((b + 1.0) / 2.0 - paper) @ d / (d @ d)
    return np.clip(s, 0.0, 1.0)[..., None].astype("float32")


def _edges(s, image_size):
    """Morphological gradient of digits `s` ([N, H, W, 1] in [0, 1]), per image / max."""
    from scipy import ndimage

    k = 3 if image_size < 64 else 5
    size = (1, k, k, 1)
    g = ndimage.grey_dilation(s, size=size) - ndimage.grey_erosion(s, size=size)
    top = g.max(axis=(1, 2, 3), keepdims=True)
    return np.where(top > 0, g / np.maximum(top, 1e-12), 0.0).astype("float32")


def _digits_ink_indices(split):
    """Indices (into the 1797 digits) of digits-ink's A and B images of `split`."""
    idx = digits_split_indices(split)
    if split == "test":
        return idx, idx
    perm = np.random.default_rng(0).permutation(len(idx))
    half = len(idx) // 2
    return idx[perm[:half]], idx[perm[half:]]


def _grey(x, channels):
    return x if channels == 3 else match_channels(tf.constant(x), channels).numpy()


@functools.lru_cache(maxsize=8)
def _digits_domains(kind, split, image_size, channels):
    s = (digits_arrays(image_size, 1, split)[0] + 1.0) / 2.0  # [N, S, S, 1] in [0, 1]
    if kind == "digits-edges":
        a, b = _edges(s, image_size) * 2.0 - 1.0, s * 2.0 - 1.0
        if channels == 3:
            a, b = np.repeat(a, 3, axis=-1), np.repeat(b, 3, axis=-1)
    else:  # digits-ink
        pos = {i: k for k, i in enumerate(digits_split_indices(split))}
        ia, ib = _digits_ink_indices(split)
        a3 = np.repeat(s[[pos[i] for i in ia]] * 2.0 - 1.0, 3, axis=-1)
        b3 = ink(s[[pos[i] for i in ib]] * 2.0 - 1.0)
        a, b = (a3, b3) if channels == 3 else (a3[..., :1], _grey(b3, 1))
    return _frozen(a), _frozen(b)


def _frozen(x):
    x = np.ascontiguousarray(x, dtype=np.float32)
    x.flags.writeable = False
    return x


# ------------------------------------------------------------------ photo-cartoon


def cartoonize(image):
    """A deterministic cartoon filter: float [H, W, 3] in [0, 1] -> [0, 1].

    1. Edge-preserving smoothing: two passes of a bilateral filter
       (`skimage.restoration.denoise_bilateral`, sigma_color 0.1,
       sigma_spatial 2 px) flatten texture but keep the outlines.
    2. Colour quantization: each channel is rounded to 6 uniform levels
       (0, 0.2, ..., 1), giving flat cartoon colour regions.
    3. Dark outlines: Canny edges (sigma 2 px) of the smoothed grey image,
       thickened by a 3x3 dilation, are drawn black.

    The same input gives the same output bit for bit.

    Args:
        image: array [H, W, 3]. An RGB image in [0, 1] (clipped to it).

    Returns:
        float32 numpy [H, W, 3] in [0, 1].

    Example:
    ```python
    import skimage.data
    cartoon = keras_gans.data.cartoonize(skimage.data.chelsea() / 255.0)
    ```
    """
    from scipy import ndimage
    from skimage import color, feature, restoration

    x = np.clip(np.asarray(image, dtype=np.float64), 0.0, 1.0)
    if x.ndim != 3 or x.shape[-1] != 3:
        raise ValueError(f"cartoonize takes an RGB image [H, W, 3]; got shape {x.shape}.")
    for _ in range(2):
        x = restoration.denoise_bilateral(x, sigma_color=0.1, sigma_spatial=2, channel_axis=-1)
    levels = 6
    q = np.round(x * (levels - 1)) / (levels - 1)
    edges = feature.canny(color.rgb2gray(x), sigma=2.0)
    edges = ndimage.binary_dilation(edges, structure=np.ones((3, 3), bool))
    q[edges] = 0.0
    return q.astype("float32")


def _source_side(image_size):
    """The short side the bundled photos are scaled to before cropping."""
    return max(256, 2 * int(image_size))


def _load_photo(name):
    from skimage import data as skdata

    img = skdata.stereo_motorcycle()[0] if name == "stereo_motorcycle" else getattr(skdata, name)()
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=-1)
    return img[..., :3]


def _downscale(img_uint8, side):
    h, w = img_uint8.shape[:2]
    f = min(1.0, side / min(h, w))
    size = (max(1, round(h * f)), max(1, round(w * f)))
    x = tf.image.resize(tf.constant(img_uint8, tf.float32) / 255.0, size, antialias=True)
    return np.clip(x.numpy(), 0.0, 1.0)


@functools.lru_cache(maxsize=4)
def _photo_sources(domain, side):
    """The source images of a photo-cartoon domain, floats in [0, 1]."""
    if domain == "A":
        return tuple(_frozen(_downscale(_load_photo(n), side)) for n in PHOTO_SOURCES)
    return tuple(_frozen(cartoonize(_downscale(_load_photo(n), side))) for n in CARTOON_SOURCES)


def _crops(images, count, seed, image_size):
    rng = np.random.default_rng(seed)
    out = []
    for img in images:
        h, w = img.shape[:2]
        m = min(h, w)
        for _ in range(count):
            side = int(rng.integers(max(1, m // 4), m + 1))
            top = int(rng.integers(0, h - side + 1))
            left = int(rng.integers(0, w - side + 1))
            crop = img[top:top + side, left:left + side]
            out.append(tf.image.resize(crop, (image_size, image_size), antialias=True).numpy())
    return np.clip(np.stack(out), 0.0, 1.0) * 2.0 - 1.0


@functools.lru_cache(maxsize=8)
def _photo_cartoon_rgb(split, image_size):
    count, seed = PHOTO_CROPS[split]
    side = _source_side(image_size)
    a = _crops(_photo_sources("A", side), count, seed, image_size)
    b = _crops(_photo_sources("B", side), count, seed + 100, image_size)
    return _frozen(a), _frozen(b)


def _photo_cartoon(split, image_size, channels):
    a, b = _photo_cartoon_rgb(split, image_size)
    return (a, b) if channels == 3 else (_grey(a, 1), _grey(b, 1))


# ------------------------------------------------------------------ datasets of a spec


def _bundled_domains(kind, split, image_size, channels):
    if kind == "photo-cartoon":
        return _photo_cartoon(split, image_size, channels)
    return _digits_domains(kind, split, image_size, channels)


def _pair_key(root, f):
    return os.path.splitext(os.path.relpath(f, root))[0]


def _paired_folder_files(path, split):
    dir_a, dir_b = _folder_domains(path, split)
    keyed = []
    for d in (dir_a, dir_b):
        files = {}
        for f in folder_files(d):
            k = _pair_key(d, f)
            if k in files:
                raise ValueError(
                    f"folder:{path} pairs images by name, but {d!r} has two files named "
                    f"{k!r}: {os.path.basename(files[k])!r} and {os.path.basename(f)!r}."
                )
            files[k] = f
        keyed.append(files)
    fa, fb = keyed
    only_a, only_b = sorted(set(fa) - set(fb)), sorted(set(fb) - set(fa))
    if only_a or only_b:
        raise ValueError(
            f"folder:{path} pairs A/ and B/ by file name, but the names differ: "
            f"{len(only_a)} of {len(fa)} in {dir_a!r} have no partner (e.g. {only_a[:5]}), "
            f"{len(only_b)} of {len(fb)} in {dir_b!r} have no partner (e.g. {only_b[:5]}). "
            "Use load_unpaired for unpaired folders."
        )
    keys = sorted(fa)
    return [fa[k] for k in keys], [fb[k] for k in keys]


def _tfds_domain(name, split, domain, image_size, channels, data_dir):
    tfds_split = ("train" if split == "train" else "test") + domain
    ds, info, key = tfds_load(name, tfds_split, data_dir)
    n = int(ds.cardinality())
    if n < 0:
        try:
            n = int(info.splits[tfds_split].num_examples)
        except Exception:  # noqa: BLE001 - unknown size: treated as the larger domain
            n = None
    ds = ds.map(tfds_image_prep(key, image_size, channels), num_parallel_calls=tf.data.AUTOTUNE)
    return ds, n


def _domain_dataset(kind, arg, split, domain, image_size, channels, data_dir):
    """`(unbatched dataset of one domain, count or None, cacheable)`."""
    if kind in PAIRED_SPECS + UNPAIRED_SPECS:
        x = _bundled_domains(kind, split, image_size, channels)[0 if domain == "A" else 1]
        return tf.data.Dataset.from_tensor_slices(x), len(x), True
    if kind == "tfds":
        ds, n = _tfds_domain(arg, split, domain, image_size, channels, data_dir)
        return ds, n, False
    if kind == "folder":
        d = _folder_domains(arg, split)[0 if domain == "A" else 1]
        files = folder_files(d)
        ds = tf.data.Dataset.from_tensor_slices(files).map(
            folder_image_reader(image_size, channels), num_parallel_calls=tf.data.AUTOTUNE
        )
        return ds, len(files), True
    # sbs
    files = side_by_side_files(_sbs_root(arg, split))
    ds = tf.data.Dataset.from_tensor_slices(files).map(
        side_by_side_reader(image_size, channels), num_parallel_calls=tf.data.AUTOTUNE
    )
    pick = 0 if domain == "A" else 1
    return ds.map(lambda a, b: (a, b)[pick]), len(files), True


def _pair_dataset(kind, arg, split, image_size, channels):
    """`(unbatched dataset of (a, b) pairs, count)` for the paired specs."""
    if kind in PAIRED_SPECS:
        a, b = _bundled_domains(kind, split, image_size, channels)
        return tf.data.Dataset.from_tensor_slices((a, b)), len(a)
    if kind == "folder":
        fa, fb = _paired_folder_files(arg, split)
        read = folder_image_reader(image_size, channels)
        ds = tf.data.Dataset.from_tensor_slices((fa, fb)).map(
            lambda x, y: (read(x), read(y)), num_parallel_calls=tf.data.AUTOTUNE
        )
        return ds, len(fa)
    files = side_by_side_files(_sbs_root(arg, split))
    ds = tf.data.Dataset.from_tensor_slices(files).map(
        side_by_side_reader(image_size, channels), num_parallel_calls=tf.data.AUTOTUNE
    )
    return ds, len(files)


def _check_shapes(spec, shape_a, shape_b):
    if tuple(shape_a) != tuple(shape_b):
        raise ValueError(
            f"Data {spec!r} gives images of different shapes in its two domains: "
            f"A {tuple(shape_a)} and B {tuple(shape_b)}; both must be "
            "[image_size, image_size, channels]."
        )


def _check_count(spec, split, counts, batch_size, drop_remainder):
    for name, n in counts.items():
        if n == 0:
            raise ValueError(f"Data {spec!r} ({split} split) has no images in {name}.")
    known = [n for n in counts.values() if n is not None]
    if drop_remainder and known and len(known) == len(counts) and max(known) < batch_size:
        sizes = ", ".join(f"{name}: {n}" for name, n in counts.items())
        raise ValueError(
            f"Data {spec!r} ({split} split) has fewer images than one batch of "
            f"{batch_size} ({sizes}); add images, lower the batch size or pass "
            "drop_remainder=False."
        )


def _seeds(seed):
    if seed is None:
        return None, None
    a, b = np.random.SeedSequence(int(seed) & (2**64 - 1)).generate_state(2)
    return int(a) % 2**31, int(b) % 2**31


def _buffer(n):
    return 4096 if n is None else max(1, min(int(n), 4096))


def _unpaired_epochs(da, db, na, nb, batch_size, drop_remainder, base, epochs, start_epoch,
                     steps_per_epoch):
    """`load_unpaired` with `epochs`: epoch e is one pass over the larger domain
    (capped at `steps_per_epoch` batches) with the smaller one repeated, each
    domain shuffled with seeds of (base, e, its own stream)."""
    na = count_examples(da) if na is None else na
    nb = count_examples(db) if nb is None else nb
    a_leads = na >= nb
    steps = epoch_steps(max(na, nb), batch_size, drop_remainder, steps_per_epoch)

    def one_epoch(e):
        if a_leads:
            a, b = one_pass(da, _buffer(na), base, e, 0), passes(db, _buffer(nb), base, e, 1, nb)
        else:
            a, b = passes(da, _buffer(na), base, e, 0, na), one_pass(db, _buffer(nb), base, e, 1)
        return tf.data.Dataset.zip((a, b)).batch(batch_size, drop_remainder=drop_remainder)

    return epoch_stream(one_epoch, steps, epochs, start_epoch).prefetch(tf.data.AUTOTUNE)


# ------------------------------------------------------------------ public


def load_pairs(
    spec="digits-edges",
    image_size=32,
    batch_size=16,
    channels=None,
    split="train",
    shuffle=True,
    seed=None,
    drop_remainder=True,
    data_dir=None,
    swap=False,
    epochs=None,
    start_epoch=0,
    steps_per_epoch=None,
):
    """Paired image-to-image data: a dataset of `(A, B)` batches where A[i] and B[i] match.

    Args:
        spec: str. `digits-edges`, `folder:PATH` (A/ and B/ paired by file
            name) or `sbs:PATH` (side-by-side AB images); see
            `keras_gans.data.pairs`. Unpaired data (digits-ink, photo-cartoon,
            tfds:cycle_gan/...) is refused: use `load_unpaired`.
        image_size: int. Output side (square; center crop, then resize).
        batch_size: int. Pairs per batch.
        channels: int or None. 1 or 3; None: `default_channels(spec)`.
        split: str. "train" or "test" (for folders, any sub-folder name).
        shuffle: bool. Shuffle the pairs every epoch.
        seed: int or None. Shuffle seed.
        drop_remainder: bool. Drop the last short batch (static batch shapes).
        data_dir: str or None. Unused by the paired specs (for symmetry).
        swap: bool. Yield `(B, A)` instead, e.g. digit -> edges.
        epochs: int or None. None: one pass (one epoch), reshuffled each time
            it is iterated. An int: the batches of epochs `start_epoch` to
            `epochs - 1` in one dataset, the order of epoch e a function of
            `seed` and e only (a resumed run sees what an uninterrupted one
            saw); see `keras_gans.data.load`. Train with `steps_per_epoch =
            ds.cardinality() // (epochs - start_epoch)`.
        start_epoch: int. With `epochs`: the first epoch (0-based).
        steps_per_epoch: int or None. With `epochs`: at most this many
            batches per epoch.

    Returns:
        `tf.data.Dataset` of `(A, B)`, float32 [batch, S, S, C] in [-1, 1].

    Example:
    ```python
    ds = keras_gans.data.load_pairs("digits-edges", image_size=32, batch_size=16)
    edges, digits = next(iter(ds))  # [16, 32, 32, 1] each
    ```
    """
    del data_dir
    check_epochs(epochs, start_epoch, steps_per_epoch)
    kind, arg = _parse(spec)
    if kind in UNPAIRED_SPECS or kind == "tfds":
        raise ValueError(
            f"Data {spec!r} is unpaired (its A and B images do not correspond); "
            "use load_unpaired for it, or a paired spec: digits-edges, folder:PATH "
            "(A/ and B/ with matching file names) or sbs:PATH."
        )
    check_image_size(image_size)
    check_batch_size(batch_size)
    _check_split(kind, split)
    channels = _resolve_channels(spec, channels)
    ds, n = _pair_dataset(kind, arg, split, image_size, channels)
    _check_count(spec, split, {"the pairs": n}, batch_size, drop_remainder)
    _check_shapes(spec, ds.element_spec[0].shape, ds.element_spec[1].shape)
    if swap:
        ds = ds.map(lambda a, b: (b, a))
    ds = ds.cache()
    if epochs is not None:
        pairs, base = ds, order_seed(seed, shuffle)
        steps = epoch_steps(n, batch_size, drop_remainder, steps_per_epoch)
        ds = epoch_stream(
            lambda e: one_pass(pairs, _buffer(n), base, e).batch(
                batch_size, drop_remainder=drop_remainder),
            steps, epochs, start_epoch,
        )
        return ds.prefetch(tf.data.AUTOTUNE)
    if shuffle:
        ds = ds.shuffle(_buffer(n), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)


def load_unpaired(
    spec="digits-ink",
    image_size=32,
    batch_size=16,
    channels=None,
    split="train",
    shuffle=True,
    seed=None,
    drop_remainder=True,
    data_dir=None,
    epochs=None,
    start_epoch=0,
    steps_per_epoch=None,
):
    """Unpaired image-to-image data: `(A, B)` batches, the domains shuffled independently.

    An epoch is as many batches as the larger domain gives; the smaller domain
    repeats (reshuffled on every pass). Paired specs work too (their pairs are
    broken by the independent shuffles).

    Args:
        spec: str. `digits-ink`, `photo-cartoon`, `tfds:cycle_gan/NAME`,
            `folder:PATH`, `sbs:PATH` or `digits-edges`; see `keras_gans.data.pairs`.
        image_size: int. Output side (square; center crop, then resize).
        batch_size: int. Images per domain per batch.
        channels: int or None. 1 or 3; None: `default_channels(spec)`.
        split: str. "train" or "test" (for folders, any sub-folder name).
        shuffle: bool. Shuffle each domain every epoch. With False, the i-th
            images of A and B come together (for digits-ink's test split,
            B = ink(A)).
        seed: int or None. The two domains' shuffle seeds are derived from it
            (different from each other).
        drop_remainder: bool. Drop the last short batch (static batch shapes).
        data_dir: str or None. tensorflow-datasets' data directory.
        epochs: int or None. None: one epoch, reshuffled each time it is
            iterated. An int: the batches of epochs `start_epoch` to
            `epochs - 1`, in the epoch-by-epoch order of `load_pairs` (an
            epoch is one pass over the larger domain).
        start_epoch: int. With `epochs`: the first epoch (0-based).
        steps_per_epoch: int or None. With `epochs`: at most this many
            batches per epoch.

    Returns:
        `tf.data.Dataset` of `(A, B)`, float32 [batch, S, S, C] in [-1, 1].

    Example:
    ```python
    ds = keras_gans.data.load_unpaired("digits-ink", image_size=32, batch_size=16)
    white_digits, inked_digits = next(iter(ds))  # [16, 32, 32, 3] each
    ```
    """
    check_epochs(epochs, start_epoch, steps_per_epoch)
    kind, arg = _parse(spec)
    check_image_size(image_size)
    check_batch_size(batch_size)
    _check_split(kind, split)
    channels = _resolve_channels(spec, channels)
    da, na, mem = _domain_dataset(kind, arg, split, "A", image_size, channels, data_dir)
    db, nb, _ = _domain_dataset(kind, arg, split, "B", image_size, channels, data_dir)
    _check_count(spec, split, {"A": na, "B": nb}, batch_size, drop_remainder)
    _check_shapes(spec, da.element_spec.shape, db.element_spec.shape)
    if mem:
        da, db = da.cache(), db.cache()
    if epochs is not None:
        return _unpaired_epochs(da, db, na, nb, batch_size, drop_remainder,
                                order_seed(seed, shuffle), epochs, start_epoch, steps_per_epoch)
    if shuffle:
        sa, sb = _seeds(seed)
        da = da.shuffle(_buffer(na), seed=sa, reshuffle_each_iteration=True)
        db = db.shuffle(_buffer(nb), seed=sb, reshuffle_each_iteration=True)
    if nb is not None and (na is None or na >= nb):
        db = db.repeat()
    else:
        da = da.repeat()
    ds = tf.data.Dataset.zip((da, db)).batch(batch_size, drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)


def domain_images(spec, domain="A", split="test", image_size=32, channels=None, num=None,
                  data_dir=None):
    """The images of one domain of a split, in a fixed order (for sampling and scoring).

    Args:
        spec: str. Any spec of `load_pairs` / `load_unpaired`.
        domain: str. "A" or "B" (for sbs:, A is the left half).
        split: str. "train" or "test" (for folders, any sub-folder name).
        image_size: int. Output side.
        channels: int or None. 1 or 3; None: `default_channels(spec)`.
        num: int or None. Keep only the first `num` images.
        data_dir: str or None. tensorflow-datasets' data directory.

    Returns:
        float32 numpy [N, S, S, C] in [-1, 1].

    Example:
    ```python
    a = keras_gans.data.domain_images("digits-ink", "A", "test")
    truth = keras_gans.data.ink(a)  # what a perfect A->B translator gives
    ```
    """
    if domain not in ("A", "B"):
        raise ValueError(f"domain must be 'A' or 'B'; got {domain!r}.")
    if num is not None and (not isinstance(num, (int, np.integer)) or num < 0):
        raise ValueError(f"num must be a non-negative integer or None; got {num!r}.")
    kind, arg = _parse(spec)
    check_image_size(image_size)
    _check_split(kind, split)
    channels = _resolve_channels(spec, channels)
    if kind in PAIRED_SPECS + UNPAIRED_SPECS:
        x = _bundled_domains(kind, split, image_size, channels)[0 if domain == "A" else 1]
        return np.array(x[:num])
    ds, _, _ = _domain_dataset(kind, arg, split, domain, image_size, channels, data_dir)
    if num is not None:
        ds = ds.take(num)
    parts = [x.numpy() for x in ds.batch(256)]
    if not parts:
        return np.zeros((0, image_size, image_size, channels), "float32")
    return np.concatenate(parts).astype("float32")
