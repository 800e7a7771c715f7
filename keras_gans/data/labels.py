"""Class labels and the label options of `keras_gans.data.load`.

- Labelled subsets: `select_labelled` keeps `labelled=N` labels spread evenly
  over the classes (the others become -1, unlabelled).
- `labelled_per_batch`: `mixed_batches` puts a fixed number of labelled
  examples in every batch (semi-supervised GANs).
- Label noise: `noise_transition` gives the transition matrix T and
  `corrupt_labels` draws noisy labels from it.

`labelled_dataset` applies them to a spec's `(image, label)` examples and
`num_classes` says how many classes a spec has.
"""

import numpy as np
import tensorflow as tf

from keras_gans.data.epochs import count_examples, epoch_steps, epoch_stream, one_pass, order_seed, passes
from keras_gans.data.sources import (
    IDX_DATASETS,
    IDX_NUM_CLASSES,
    check_folder_count,
    digits_arrays,
    folder_image_reader,
    folder_labelled_files,
    idx_dataset,
    parse_spec,
    tfds_image_prep,
    tfds_label_classes,
    tfds_load,
)
from keras_gans.data.transforms import check_channels, check_image_size

__all__ = [
    "check_labelled_per_batch",
    "corrupt_labels",
    "labelled_dataset",
    "mixed_batches",
    "noise_transition",
    "num_classes",
    "select_labelled",
]


def noise_transition(rate, kind="symmetric", num_classes=10):
    """The label-noise transition matrix T: T[i, j] = p(observed j | true i).

    Args:
        rate: float in [0, 1). The probability that a label is changed.
        kind: str. "symmetric": to any other class with equal probability,
            T = (1 - rate) I + rate / (K - 1) off the diagonal. "asymmetric":
            class i becomes class (i + 1) mod K ("pair flipping"; identifiable
            only for rate < 0.5).
        num_classes: int. K.

    Returns:
        float32 numpy [K, K] whose rows sum to 1.

    Example:
    ```python
    T = keras_gans.data.noise_transition(0.5, "symmetric", 10)  # T[0, 0] == 0.5
    ```
    """
    rate = float(rate)
    k = int(num_classes)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"label noise rate must be in [0, 1); got {rate}.")
    if k < 2:
        raise ValueError(f"num_classes must be >= 2; got {num_classes}.")
    if kind == "symmetric":
        t = np.full((k, k), rate / (k - 1))
        np.fill_diagonal(t, 1.0 - rate)
    elif kind == "asymmetric":
        t = (1.0 - rate) * np.eye(k)
        t[np.arange(k), (np.arange(k) + 1) % k] += rate
    else:
        raise ValueError(f"noise must be 'symmetric' or 'asymmetric'; got {kind!r}.")
    return t.astype("float32")


def corrupt_labels(labels, transition, seed=0):
    """Draws an observed label for each true label from the rows of `transition`.

    Args:
        labels: int array [N]. The true labels; labels below 0 (unlabelled)
            stay as they are.
        transition: array [K, K]. Rows p(observed | true), e.g. from
            `noise_transition`.
        seed: int. The draw's seed.

    Returns:
        int32 numpy [N].

    Example:
    ```python
    t = keras_gans.data.noise_transition(0.2, "symmetric", 10)
    noisy = keras_gans.data.corrupt_labels(np.arange(10), t, seed=0)
    ```
    """
    labels = np.asarray(labels).astype("int64")
    t = np.asarray(transition, "float64")
    rng = np.random.default_rng(seed)
    out = labels.copy()
    known = labels >= 0
    cum = np.cumsum(t[labels[known]], axis=1)
    u = rng.random(int(known.sum()))[:, None]
    out[known] = np.minimum((u > cum).sum(axis=1), t.shape[1] - 1)
    return out.astype("int32")


def select_labelled(labels, count, seed=0):
    """A boolean mask keeping `count` labels, as evenly over the classes as they allow.

    Args:
        labels: int array [N]. The (observed) labels.
        count: int. How many to keep, 1 to N.
        seed: int. Which examples of each class are kept.

    Returns:
        bool numpy [N] with `count` True values.

    Example:
    ```python
    _, y = keras_gans.data.digits_arrays(8)
    keep = keras_gans.data.select_labelled(y, 100, seed=0)  # 10 of each digit
    ```
    """
    labels = np.asarray(labels)
    n = len(labels)
    if not isinstance(count, (int, np.integer)) or not 1 <= count <= n:
        raise ValueError(f"labelled must be an integer from 1 to {n} (the examples); got {count!r}.")
    rng = np.random.default_rng(seed)
    classes = np.unique(labels[labels >= 0])
    pools = {c: list(rng.permutation(np.flatnonzero(labels == c))) for c in classes}
    chosen = []
    while len(chosen) < count:  # round robin over the classes
        for c in classes:
            if pools[c] and len(chosen) < count:
                chosen.append(pools[c].pop())
    mask = np.zeros(n, bool)
    mask[chosen] = True
    return mask


def _check_has_labels(kind, spec):
    """A ValueError for data without class labels (the emoji carry names, not classes)."""
    if kind == "emoji":
        raise ValueError(
            f"{spec} has no class labels, so it cannot train a model that needs them: it trains "
            "unconditional models (its Unicode names are for text-to-image: "
            "keras_gans.data.load_emoji). Use digits, fashion_mnist, tfds:NAME or folder:PATH.")


def num_classes(spec="digits", data_dir=None):
    """The number of classes the labels of `spec` have.

    Args:
        spec: str. `digits[:SPLIT]`, `mnist[...]` and `fashion_mnist[...]`
            (10), `idx:IMAGES[,LABELS]` (the largest label + 1),
            `tfds:NAME[:SPLIT]` (its `label` feature) or `folder:PATH` (its
            class sub-folders).
        data_dir: str or None. tensorflow-datasets' data directory.

    Returns:
        int.

    Example:
    ```python
    k = keras_gans.data.num_classes("digits")  # 10
    ```
    """
    kind, arg, split = parse_spec(spec)
    _check_has_labels(kind, spec)
    if kind == "digits":
        return 10
    if kind in IDX_DATASETS:
        return IDX_NUM_CLASSES
    if kind == "idx":
        return idx_dataset(kind, arg, split, labels=True)[2]
    if kind == "folder":
        return len(folder_labelled_files(arg)[2])
    _, info, _ = tfds_load(arg, split, data_dir)
    return tfds_label_classes(arg, info)


def labelled_dataset(
    spec="digits", image_size=32, channels=1, data_dir=None, min_count=0,
    labelled=None, label_noise=0.0, noise="symmetric", label_seed=0,
):
    """The unbatched `(image, label)` examples of a spec, with its label options applied.

    Args:
        spec: str. `digits[:SPLIT]`, `mnist[:PATH][:SPLIT]`,
            `fashion_mnist[:PATH][:SPLIT]`, `idx:IMAGES[,LABELS]`,
            `tfds:NAME[:SPLIT]` or `folder:PATH` (one sub-folder per class).
        image_size: int. Output side.
        channels: int. 1 or 3.
        data_dir: str or None. tensorflow-datasets' data directory.
        min_count: int. For folders: fewer readable images raise a ValueError.
        labelled: int or None. Keep the labels of only this many examples;
            the others get -1. Digits, IDX files and folders: spread evenly over the
            classes (`select_labelled`); tfds: the first `labelled` examples.
        label_noise: float in [0, 1). The share of labels changed, drawn from
            `noise_transition(label_noise, noise, K)`, the same on every pass.
        noise: str. "symmetric" or "asymmetric".
        label_seed: int. Seed of the noise and of the labelled subset.

    Returns:
        `(dataset, num_classes)`: a `tf.data.Dataset` of (float32 [S, S, C]
        in [-1, 1], int32 label) and the number of classes K.

    Example:
    ```python
    ds, k = keras_gans.data.labelled_dataset("digits", image_size=16, labelled=100)
    ```
    """
    check_image_size(image_size)
    check_channels(channels)
    kind, arg, split = parse_spec(spec)
    _check_has_labels(kind, spec)
    if kind == "tfds":
        ds, info, key = tfds_load(arg, split, data_dir)
        k = tfds_label_classes(arg, info)
        if label_noise:
            noise_transition(label_noise, noise, k)  # validates
        if labelled is not None and (not isinstance(labelled, (int, np.integer)) or labelled < 1):
            raise ValueError(f"labelled must be a positive integer; got {labelled!r}.")
        prep = tfds_image_prep(key, image_size, channels)
        log_t = tf.math.log(tf.constant(noise_transition(label_noise, noise, k)) + 1e-12) if label_noise else None

        def with_label(i, example):
            y = tf.cast(example["label"], tf.int32)
            if log_t is not None:  # a per-example draw, the same on every pass
                y = tf.cast(tf.random.stateless_categorical(
                    log_t[y][None], 1, seed=tf.stack([tf.cast(label_seed, tf.int64), i])
                )[0, 0], tf.int32)
            if labelled is not None:  # the first `labelled` examples keep theirs
                y = tf.where(i < labelled, y, -1)
            return prep(example), y

        ds = ds.enumerate().map(with_label, num_parallel_calls=tf.data.AUTOTUNE)
        return ds, k
    if kind == "digits":
        images, y = digits_arrays(image_size, channels, split)
        k = 10
        image_ds = tf.data.Dataset.from_tensor_slices(images)
    elif kind == "idx" or kind in IDX_DATASETS:
        image_ds, y, k = idx_dataset(kind, arg, split, image_size, channels, data_dir,
                                     labels=True, min_count=min_count)
    else:
        files, y, names = folder_labelled_files(arg)
        check_folder_count(arg, files, min_count)
        k = len(names)
        image_ds = tf.data.Dataset.from_tensor_slices(files).map(
            folder_image_reader(image_size, channels), num_parallel_calls=tf.data.AUTOTUNE
        )
    if label_noise:
        y = corrupt_labels(y, noise_transition(label_noise, noise, k), seed=label_seed)
    if labelled is not None:
        y = np.where(select_labelled(y, labelled, seed=label_seed), y, -1).astype("int32")
    return tf.data.Dataset.zip((image_ds, tf.data.Dataset.from_tensor_slices(y))), k


def check_labelled_per_batch(labelled, labelled_per_batch, batch_size):
    """Raises a ValueError unless `labelled_per_batch` fits `labelled` and `batch_size`.

    Args:
        labelled: int or None. The labelled examples (required with
            `labelled_per_batch`).
        labelled_per_batch: int or None. None checks nothing; else 1 to
            `batch_size - 1`.
        batch_size: int. Examples per batch.

    Returns:
        None.

    Example:
    ```python
    keras_gans.data.labels.check_labelled_per_batch(100, 16, 64)  # passes
    ```
    """
    if labelled_per_batch is None:
        return
    if labelled is None:
        raise ValueError("labelled_per_batch= needs labelled=N.")
    if not isinstance(labelled_per_batch, (int, np.integer)) or not 0 < labelled_per_batch < batch_size:
        raise ValueError(
            f"labelled_per_batch must be an integer from 1 to batch_size - 1 "
            f"({batch_size - 1}); got {labelled_per_batch!r}."
        )


def mixed_batches(ds, labelled, labelled_per_batch, batch_size, shuffle=True, seed=None,
                  labelled_first=False, epochs=None, start_epoch=0, steps_per_epoch=None):
    """Batches of `labelled_per_batch` labelled examples, then the rest unlabelled.

    The labelled examples (label >= 0) repeat; an epoch is one pass over the
    unlabelled ones (label -1), so a few labels among many examples still
    reach every batch.

    Args:
        ds: `tf.data.Dataset` of `(image, label)`, e.g. from `labelled_dataset`.
        labelled: int. The number of labelled examples.
        labelled_per_batch: int. Labelled examples per batch.
        batch_size: int. Examples per batch.
        shuffle: bool. Shuffle both parts every epoch.
        seed: int or None. Shuffle seed.
        labelled_first: bool. The labelled examples are the first `labelled`
            of `ds` (tfds), so neither part needs a pass to be found or counted.
        epochs: int or None. None: one pass, reshuffled each time it is
            iterated. An int: the epoch-by-epoch order of
            `keras_gans.data.epochs` (epochs `start_epoch` to `epochs - 1`).
        start_epoch: int. With `epochs`: the first epoch.
        steps_per_epoch: int or None. With `epochs`: at most this many batches
            per epoch.

    Returns:
        `tf.data.Dataset` of (images [B, ...], int32 labels [B]), prefetched.

    Example:
    ```python
    ds, _ = keras_gans.data.labelled_dataset("digits", image_size=16, labelled=100)
    batches = keras_gans.data.labels.mixed_batches(ds.cache(), 100, 16, 64, seed=0)
    ```
    """
    if labelled_first:  # tfds: the labelled examples are the first ones
        lab = ds.take(labelled).filter(lambda x, y: y >= 0)
    else:
        lab = ds.filter(lambda x, y: y >= 0)
    unl = ds.filter(lambda x, y: y < 0)
    lab = lab.cache()
    unlabelled_per_batch = batch_size - labelled_per_batch

    def mix(a, b):
        return tf.concat([a[0], b[0]], 0), tf.concat([a[1], b[1]], 0)

    if epochs is None:
        if shuffle:
            lab = lab.shuffle(4096, seed=seed, reshuffle_each_iteration=True)
            unl = unl.shuffle(4096, seed=seed, reshuffle_each_iteration=True)
        lab = lab.repeat().batch(labelled_per_batch, drop_remainder=True)
        unl = unl.batch(unlabelled_per_batch, drop_remainder=True)
        return tf.data.Dataset.zip((lab, unl)).map(mix).prefetch(tf.data.AUTOTUNE)
    base = order_seed(seed, shuffle)
    total = int(ds.cardinality())
    if not labelled_first or total < 0:
        unlabelled = count_examples(unl)
    else:  # tfds: the examples after the first `labelled` (no pass to count them)
        unlabelled = max(total - labelled, 0)
    steps = epoch_steps(unlabelled, unlabelled_per_batch, True, steps_per_epoch)
    lab_count = count_examples(lab)

    def labelled_epoch(e):  # the labelled set repeats within an epoch: stream 1
        a = passes(lab, 4096, base, e, 1, lab_count)
        b = one_pass(unl, 4096, base, e, 0)
        a = a.batch(labelled_per_batch, drop_remainder=True)
        b = b.batch(unlabelled_per_batch, drop_remainder=True)
        return tf.data.Dataset.zip((a, b)).map(mix)

    return epoch_stream(labelled_epoch, steps, epochs, start_epoch).prefetch(tf.data.AUTOTUNE)
