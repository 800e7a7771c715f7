"""`load`: a spec's images, shuffled, batched and prefetched for `fit`."""

import tensorflow as tf

from keras_gans.data.epochs import (
    check_batch_size,
    check_epochs,
    count_examples,
    epoch_steps,
    epoch_stream,
    one_pass,
    order_seed,
)
from keras_gans.data.labels import check_labelled_per_batch, labelled_dataset, mixed_batches
from keras_gans.data.sources import images_dataset

__all__ = ["load"]


def _in_memory(spec):
    """True for the specs whose examples fit in memory (cached after the first pass)."""
    return spec == "digits" or spec.startswith(("digits:", "folder:"))


def _labelled_first(spec):
    """True for tfds specs: `labelled_dataset` keeps the labels of their first
    `labelled` examples (elsewhere they are spread over the classes)."""
    return spec.startswith("tfds:")


def load(
    spec="digits",
    image_size=32,
    batch_size=64,
    channels=1,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    data_dir=None,
    labels=False,
    labelled=None,
    labelled_per_batch=None,
    label_noise=0.0,
    noise="symmetric",
    label_seed=0,
    epochs=None,
    start_epoch=0,
    steps_per_epoch=None,
):
    """A shuffled, batched, prefetched dataset of float32 images in [-1, 1].

    Args:
        spec: str. `digits[:train|:test]`, `mnist[:PATH][:SPLIT]`,
            `fashion_mnist[:PATH][:SPLIT]`, `idx:IMAGES[,LABELS]`,
            `tfds:NAME[:SPLIT]` or `folder:PATH`.
        image_size: int. Output side; images are center-cropped square and
            resized (28 px IDX images at 32: padded with background).
        batch_size: int. Images per batch.
        channels: int. 1 (grayscale) or 3 (RGB); the data is converted.
        shuffle: bool. Shuffle every epoch.
        seed: int or None. Shuffle seed.
        drop_remainder: bool. Drop the last short batch (static batch shapes).
        data_dir: str or None. tensorflow-datasets' data directory.
        labels: bool. Yield `(images, labels)` with int32 labels [B]: digits'
            digit, an IDX labels file's label, a tfds dataset's `label`, or a
            folder's class sub-folder.
        labelled: int or None. Keep the labels of only this many examples; the
            others get label -1 (unlabelled). For digits, IDX files and folders they are
            spread evenly over the classes (chosen with `label_seed`); for tfds
            they are the first `labelled` examples of the split.
        labelled_per_batch: int or None. With `labelled`: every batch holds
            this many labelled examples (the labelled set is repeated) and
            `batch_size - labelled_per_batch` unlabelled ones; an epoch is one
            pass over the unlabelled examples. Semi-supervised GANs need it:
            100 labels among 1797 digits would put 3 or 4 in a batch.
        label_noise: float in [0, 1). The share of labels changed, drawn from
            `noise_transition(label_noise, noise, num_classes)`, the same on
            every pass (seeded with `label_seed`).
        noise: str. "symmetric" or "asymmetric" (see `noise_transition`).
        label_seed: int. Seed of the noise and of the labelled subset.
        epochs: int or None. None: one pass (one epoch), reshuffled each time
            it is iterated. An int: the batches of epochs `start_epoch` to
            `epochs - 1` in one dataset, where the order of epoch e depends
            only on `seed` and e, so a run resumed at epoch k sees what epoch
            k of an uninterrupted run saw. Each epoch is one pass, capped at
            `steps_per_epoch` batches; train with `fit(ds, epochs=epochs,
            steps_per_epoch=S, initial_epoch=start_epoch)` where S is
            `ds.cardinality() // (epochs - start_epoch)`.
        start_epoch: int. With `epochs`: the first epoch (0-based).
        steps_per_epoch: int or None. With `epochs`: at most this many
            batches per epoch (the first ones of the epoch's order).

    Returns:
        `tf.data.Dataset` of float32 images [B, S, S, C] in [-1, 1], or of
        `(images, labels)` with `labels=True`.

    Example:
    ```python
    ds = keras_gans.data.load("digits", image_size=32, batch_size=64)
    images = next(iter(ds))  # [64, 32, 32, 1] float32 in [-1, 1]
    ds = keras_gans.data.load("digits", labels=True, labelled=100, labelled_per_batch=16)
    images, labels = next(iter(ds))  # labels: 16 digits, then 48 times -1
    ```
    """
    check_batch_size(batch_size)
    check_epochs(epochs, start_epoch, steps_per_epoch)
    if not labels:
        if labelled is not None or label_noise or labelled_per_batch:
            raise ValueError("labelled=, labelled_per_batch= and label_noise= need labels=True.")
        ds = images_dataset(
            spec, image_size, channels, data_dir=data_dir,
            min_count=batch_size if drop_remainder else 0,
        )
    else:
        check_labelled_per_batch(labelled, labelled_per_batch, batch_size)
        ds, _ = labelled_dataset(
            spec, image_size, channels, data_dir=data_dir,
            min_count=batch_size if drop_remainder else 0, labelled=labelled,
            label_noise=label_noise, noise=noise, label_seed=label_seed,
        )
    in_memory = _in_memory(spec)
    if in_memory:
        ds = ds.cache()
    if labels and labelled_per_batch:
        return mixed_batches(
            ds, labelled, labelled_per_batch, batch_size, shuffle=shuffle, seed=seed,
            labelled_first=_labelled_first(spec), epochs=epochs, start_epoch=start_epoch,
            steps_per_epoch=steps_per_epoch,
        )
    if epochs is not None:
        examples, base = ds, order_seed(seed, shuffle)
        steps = epoch_steps(count_examples(examples), batch_size, drop_remainder, steps_per_epoch)
        ds = epoch_stream(
            lambda e: one_pass(examples, 4096, base, e).batch(
                batch_size, drop_remainder=drop_remainder),
            steps, epochs, start_epoch,
        )
        return ds.prefetch(tf.data.AUTOTUNE)
    if shuffle:
        ds = ds.shuffle(4096, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)
