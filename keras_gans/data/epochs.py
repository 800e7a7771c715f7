"""Batches by epoch, in an order that a resumed run can reproduce.

With `epochs=E`, the loaders give the batches of epochs `start_epoch` ..
`E - 1` as one dataset, and the order of epoch e is a pure function of
(seed, e): each shuffle's seeds are drawn statelessly from (seed, e, stream,
pass). So a run resumed at epoch k (after a crash) sees exactly the batches
that epoch k of an uninterrupted run sees, without reading the finished
epochs' data. `keras-gans train` relies on it to resume (see
`keras_gans.callbacks.Backup`).

The building blocks: `order_seed` (the base of every shuffle seed),
`one_pass` and `passes` (seeded passes over a dataset), `epoch_steps` (the
batches in an epoch) and `epoch_stream` (the epochs one after the other).
"""

import numpy as np
import tensorflow as tf

__all__ = [
    "check_batch_size",
    "check_epochs",
    "count_examples",
    "epoch_steps",
    "epoch_stream",
    "one_pass",
    "order_seed",
    "passes",
]


def check_batch_size(batch_size):
    """Raises a ValueError unless `batch_size` is a positive integer.

    Args:
        batch_size: int. Examples per batch.

    Returns:
        None.

    Example:
    ```python
    keras_gans.data.epochs.check_batch_size(64)  # passes; 0 would raise
    ```
    """
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}.")


def check_epochs(epochs, start_epoch, steps_per_epoch):
    """Raises a clear ValueError for epoch arguments the loaders cannot honour.

    Args:
        epochs: int or None. One past the last epoch; None: no epoch order
            (then `start_epoch` must be 0 and `steps_per_epoch` None).
        start_epoch: int. The first epoch, below `epochs`.
        steps_per_epoch: int or None. A cap on the batches of an epoch.

    Returns:
        None.

    Example:
    ```python
    keras_gans.data.epochs.check_epochs(10, 3, None)  # passes; (3, 3, None) would raise
    ```
    """
    if epochs is None:
        if start_epoch or steps_per_epoch is not None:
            raise ValueError("start_epoch= and steps_per_epoch= need epochs=N.")
        return
    for name, value, low in (("epochs", epochs, 1), ("start_epoch", start_epoch, 0)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}; got {value!r}.")
    if start_epoch >= epochs:
        raise ValueError(f"start_epoch must be below epochs ({epochs}); got {start_epoch}.")
    if steps_per_epoch is not None and (
            not isinstance(steps_per_epoch, (int, np.integer)) or steps_per_epoch < 1):
        raise ValueError(
            f"steps_per_epoch must be a positive integer or None; got {steps_per_epoch!r}.")


def order_seed(seed, shuffle):
    """The base of every epoch's shuffle seeds.

    Args:
        seed: int or None. The loader's seed; None draws a fresh base, so
            unseeded runs differ from each other.
        shuffle: bool. False gives None (every pass in order).

    Returns:
        int below 2**62, or None when `shuffle` is False.

    Example:
    ```python
    base = keras_gans.data.epochs.order_seed(0, shuffle=True)  # the same int on every call
    ```
    """
    if not shuffle:
        return None
    entropy = None if seed is None else int(seed) & (2**64 - 1)
    return int(np.random.SeedSequence(entropy).generate_state(1, np.uint64)[0] >> np.uint64(2))


def _pass_seeds(base, epoch, stream, rep):
    """The two shuffle seeds (int64 scalar tensors) of pass `rep` of `stream` in `epoch`."""
    key = tf.stack([
        tf.constant(base, tf.int64) + tf.cast(epoch, tf.int64),
        tf.cast(stream, tf.int64) * 2**32 + tf.cast(rep, tf.int64),
    ])
    seeds = tf.random.stateless_uniform([2], seed=key, minval=None, maxval=None, dtype=tf.int64)
    return seeds[0], tf.bitwise.bitwise_or(seeds[1], 1)  # (0, 0) would mean "unseeded"


def _seeded_shuffle(ds, buffer, seeds):
    """`ds.shuffle(buffer)` (one order, not reshuffled) with the two seeds given as tensors.

    The shuffle op is called directly so that the order depends on `seeds`
    only (see docs/DATA_NOTES.md, "Seeded shuffles").
    """
    spec = ds.element_spec
    flat = tf.nest.flatten(spec)
    if not all(isinstance(s, tf.TensorSpec) for s in flat):
        raise TypeError(f"Only datasets of tensors can be shuffled by epoch; got {spec}.")
    variant = tf.raw_ops.ShuffleDatasetV3(
        input_dataset=tf.data.experimental.to_variant(ds),
        buffer_size=tf.constant(buffer, tf.int64),
        seed=seeds[0],
        seed2=seeds[1],
        seed_generator=tf.raw_ops.DummySeedGenerator(),
        output_types=[s.dtype for s in flat],
        output_shapes=[s.shape for s in flat],
        reshuffle_each_iteration=False,
    )
    return tf.data.experimental.from_variant(variant, spec)


def one_pass(ds, buffer, base, epoch, stream=0):
    """One pass over `ds`, shuffled with the seeds of (base, epoch, stream).

    Args:
        ds: `tf.data.Dataset` of tensors (unbatched examples).
        buffer: int. The shuffle buffer.
        base: int or None. From `order_seed`; None: `ds` in its own order.
        epoch: int or int64 scalar tensor. The epoch.
        stream: int. Tells apart the datasets shuffled in the same epoch
            (the two domains of unpaired data, labelled and unlabelled
            examples).

    Returns:
        `tf.data.Dataset` with the elements of `ds`, in the epoch's order.

    Example:
    ```python
    ds = tf.data.Dataset.range(10)
    base = keras_gans.data.epochs.order_seed(0, shuffle=True)
    order = list(keras_gans.data.epochs.one_pass(ds, 10, base, epoch=3).as_numpy_iterator())
    ```
    """
    if base is None:
        return ds
    return _seeded_shuffle(ds, buffer, _pass_seeds(base, epoch, stream, 0))


def passes(ds, buffer, base, epoch, stream, count):
    """Endless passes over `ds`, pass r shuffled with the seeds of (base, epoch, stream, r).

    Args:
        ds: `tf.data.Dataset` of tensors (unbatched examples).
        buffer: int. The shuffle buffer.
        base: int or None. From `order_seed`; None: `ds` repeated in order.
        epoch: int or int64 scalar tensor. The epoch.
        stream: int. As in `one_pass`.
        count: int. The number of elements of `ds`; 0 raises a ValueError.

    Returns:
        An infinite `tf.data.Dataset`.

    Example:
    ```python
    ds = tf.data.Dataset.range(3)
    base = keras_gans.data.epochs.order_seed(0, shuffle=True)
    six = list(keras_gans.data.epochs.passes(ds, 3, base, 0, 1, 3).take(6).as_numpy_iterator())
    ```
    """
    if not count:
        raise ValueError("Cannot repeat an empty dataset.")
    if base is None:
        return ds.repeat()
    return tf.data.Dataset.counter().flat_map(
        lambda r: _seeded_shuffle(ds, buffer, _pass_seeds(base, epoch, stream, r)))


def count_examples(ds):
    """The number of elements of `ds`: its cardinality, or counted by one pass.

    Args:
        ds: a finite `tf.data.Dataset`; an infinite one raises a ValueError.

    Returns:
        int.

    Example:
    ```python
    n = keras_gans.data.count_examples(tf.data.Dataset.range(10).filter(lambda x: x % 2 == 0))  # 5
    ```
    """
    n = int(ds.cardinality())
    if n == tf.data.INFINITE_CARDINALITY:
        raise ValueError("The dataset is infinite; its examples cannot be counted.")
    if n >= 0:
        return n
    return int(ds.reduce(np.int64(0), lambda c, _: c + 1))


def epoch_steps(examples, batch_size, drop_remainder=True, steps_per_epoch=None):
    """Batches in an epoch: one pass over `examples`, capped at `steps_per_epoch`.

    Args:
        examples: int. Examples in one pass.
        batch_size: int. Examples per batch.
        drop_remainder: bool. Whether the last short batch is dropped.
        steps_per_epoch: int or None. A cap.

    Returns:
        int, at least 1 (fewer examples than one batch raise a ValueError).

    Example:
    ```python
    steps = keras_gans.data.epoch_steps(1797, 64)  # 28
    ```
    """
    batches = examples // batch_size if drop_remainder else -(-examples // batch_size)
    if batches < 1:
        raise ValueError(
            f"The data has {examples} examples, fewer than one batch of {batch_size}; "
            "add data or lower the batch size."
        )
    return batches if steps_per_epoch is None else min(int(steps_per_epoch), batches)


def epoch_stream(make_epoch, steps, epochs, start_epoch=0):
    """The batches of epochs `start_epoch` .. `epochs - 1`, one after the other.

    Args:
        make_epoch: callable. Epoch number (an int64 scalar tensor) -> the
            batches of that epoch (at least `steps` of them); a pure function
            of the epoch, so any epoch can be started from.
        steps: int. Batches taken from each epoch.
        epochs: int. One past the last epoch.
        start_epoch: int. The first epoch.

    Returns:
        `tf.data.Dataset` of `(epochs - start_epoch) * steps` batches (its
        known cardinality). Train with `fit(ds, epochs=epochs,
        steps_per_epoch=steps, initial_epoch=start_epoch)`.

    Example:
    ```python
    ds = keras_gans.data.epoch_stream(
        lambda e: tf.data.Dataset.range(8).map(lambda x: x + 100 * e).batch(4), 2, epochs=3,
        start_epoch=1)  # epochs 1 and 2: 4 batches
    ```
    """
    ds = tf.data.Dataset.range(start_epoch, epochs).flat_map(lambda e: make_epoch(e).take(steps))
    return ds.apply(tf.data.experimental.assert_cardinality((epochs - start_epoch) * steps))
