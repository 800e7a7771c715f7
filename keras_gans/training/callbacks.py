"""Keras callbacks for GAN training: NaN guard, dead-D check, sample grids, checkpoints,
FID, time budget.

The callbacks of one run share a `keras_gans.training.TrainingState` (pass
`state=` to each, as `keras_gans.training.run` does; without it they share
the state of the model they are attached to). None of them sets attributes
on the model.
"""

import os
import time

import numpy as np
import keras

from keras_gans import images as images_lib
from keras_gans.training.state import StateCallbackMixin, all_finite


class NaNGuard(StateCallbackMixin, keras.callbacks.Callback):
    """Stops training at the first batch whose logged losses are not finite.

    It records the failure in the run's `TrainingState` (`went_non_finite`,
    `failure`), which `PeriodicSave`, `SampleGrid`, `FIDCallback` and `Backup`
    read, so the last good checkpoint and backup are kept. Put it first in
    the callback list. After `fit()`, `failure` says where it happened (None if
    it never did) and `message()` says it in one line.

    Args:
        state: `keras_gans.training.TrainingState` or None. The run's state;
            None: the model's (`TrainingState.of(model)`).

    Example:
    ```python
    guard = keras_gans.callbacks.NaNGuard()
    model.fit(ds, epochs=10, callbacks=[guard])
    if guard.failure is not None:
        print(guard.message())
    ```
    """

    def __init__(self, state=None):
        super().__init__()
        self.state = state
        self.failure = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self.state.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.failure is None and not all_finite(logs):
            bad = {k: float(np.asarray(v)) for k, v in (logs or {}).items()
                   if np.size(v) == 1 and not np.isfinite(float(np.asarray(v)))}
            self.failure = {"epoch": self._epoch + 1, "batch": batch + 1, "values": bad}
            self.state.mark_non_finite(self._epoch + 1, batch + 1, bad)
            if self._state is None:
                # Built without a state: keep the private mark older code read.
                self.model._went_non_finite = True
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if not self.state.went_non_finite and all_finite(logs):
            self.state.last_good_epoch = epoch + 1

    def message(self):
        """One line for the user, or None."""
        if self.failure is None:
            return None
        values = ", ".join(f"{k} = {v}" for k, v in self.failure["values"].items())
        return (f"Training went non-finite at epoch {self.failure['epoch']}, batch "
                f"{self.failure['batch']} ({values or 'a loss is NaN'}); stopped. The last good "
                "checkpoint and the previous export were kept. Try a lower learning rate or "
                "check the data for NaN/inf values.")


class DiscriminatorWarning(UserWarning):
    """D gives one output for every real image: it no longer tells images apart."""


def constant_outputs(outputs, rtol=1e-6):
    """True when every tensor of `outputs` (a tensor or a structure of them,
    the batch first) is the same for every image of the batch, to within
    `rtol` of its largest magnitude (at least 1)."""
    leaves = [np.asarray(keras.ops.convert_to_numpy(o), "float32")
              for o in keras.tree.flatten(outputs)]
    if not leaves:
        return False
    for leaf in leaves:
        flat = leaf.reshape(leaf.shape[0], -1)
        if flat.shape[0] < 2:
            raise ValueError("Telling whether D's outputs vary needs a batch of at least 2 "
                             f"images; got {flat.shape[0]}.")
        spread = float(np.max(flat.max(axis=0) - flat.min(axis=0)))
        if spread > rtol * max(1.0, float(np.max(np.abs(flat)))):
            return False
    return True


class DiscriminatorCheck(keras.callbacks.Callback):
    """Warns, after any epoch, when D gives the same output for every image of
    a real batch, and can stop the run.

    Such a D has "died" (typically every unit of its last ReLU layer is off for
    every input, after a too-large update): its loss stays flat, G gets no
    signal, and the epochs after it are wasted. Nothing else in the logs says
    so. The batch is passed through `model.discriminator_outputs(data)` in
    inference mode; models without a D (`vae`) are not checked.

    Args:
        data: one batch as the training dataset yields it (images, or
            `(images, labels)`, ...), or a `tf.data.Dataset` whose first
            batch is taken. At least 2 images.
        stop_after: int or None. Stop training after this many dead epochs in
            a row (None: only warn). A dead D does not come back: its
            gradients are zero.
        rtol: float. Outputs count as the same when they differ by at most
            `rtol` times their largest magnitude (at least 1).

    Attributes:
        dead_epochs: list of int. The epochs (1-based) after which D was dead.
        stopped_epoch: int or None. The epoch after which it stopped training.

    Example:
    ```python
    check = keras_gans.callbacks.DiscriminatorCheck(ds, stop_after=2)
    model.fit(ds, epochs=25, callbacks=[check])
    if check.dead_epochs:
        print(check.message())
    ```
    """

    def __init__(self, data, stop_after=None, rtol=1e-6):
        super().__init__()
        if stop_after is not None and int(stop_after) < 1:
            raise ValueError(f"stop_after must be >= 1 or None; got {stop_after}.")
        self._data = data
        self.stop_after = None if stop_after is None else int(stop_after)
        self.rtol = float(rtol)
        self.dead_epochs = []
        self.stopped_epoch = None
        self.value = None
        self._in_a_row = 0

    def _batch(self):
        import tensorflow as tf

        if isinstance(self._data, tf.data.Dataset):
            self._data = next(iter(self._data.take(1)))
        return self._data

    def on_epoch_end(self, epoch, logs=None):
        outputs = self.model.discriminator_outputs(self._batch())
        if outputs is None or not constant_outputs(outputs, self.rtol):
            self._in_a_row = 0
            return
        self._in_a_row += 1
        self.dead_epochs.append(epoch + 1)
        first = np.asarray(keras.ops.convert_to_numpy(keras.tree.flatten(outputs)[0]))
        self.value = float(first.reshape(first.shape[0], -1)[0, 0])
        if len(self.dead_epochs) == 1:
            import warnings

            warnings.warn(self.message(), DiscriminatorWarning, stacklevel=2)
        if self.stop_after is not None and self._in_a_row >= self.stop_after:
            self.stopped_epoch = epoch + 1
            self.model.stop_training = True

    def message(self):
        """One paragraph for the user, or None while D is alive."""
        if not self.dead_epochs:
            return None
        where = (f"after epoch {self.dead_epochs[0]}" if len(self.dead_epochs) == 1 else
                 f"after epochs {', '.join(map(str, self.dead_epochs))}")
        stopped = (f" Training was stopped after epoch {self.stopped_epoch}."
                   if self.stopped_epoch else "")
        return (f"{type(self.model).__name__}'s discriminator gives the same output "
                f"({self.value:.4g}) for every real image {where}: it has stopped telling "
                "images apart (usually its last ReLU layer is off for every input), so G "
                f"learns nothing more and further epochs are wasted.{stopped} Train again "
                "from the start (--overwrite: the backup holds the dead D) with a lower D "
                "learning rate (--lr d=...), or a smaller Adam beta_1.")


class SampleGrid(StateCallbackMixin, keras.callbacks.Callback):
    """Writes a grid of the model's samples every few epochs.

    The grid is what the model shows for `model.preview_grid(num, seed,
    inputs)`: for generators a fixed latent batch drawn once from `seed` (so
    grids of different epochs show the same z and can be compared); for
    image-to-image models the translations of `inputs`. Nothing is written
    once the run went non-finite.

    Args:
        every_n_epochs: int. Write a grid after every this many epochs.
        num: int. Images per grid.
        seed: int. Seed of the fixed latents.
        directory: str. Where PNG files go, as `epoch_0001.png`, ...
        tensorboard_dir: str or None. Also write a TensorBoard image summary
            ("samples") here.
        inputs: array or None. Image-to-image models: the domain-A images to
            translate (a row each: input | output | reconstruction); None takes
            test images of the model's `default_data`.
        state: `keras_gans.training.TrainingState` or None. The run's state;
            None: the model's.

    Example:
    ```python
    model.fit(ds, epochs=10, callbacks=[
        keras_gans.callbacks.SampleGrid(directory="runs/dcgan/samples")])
    ```
    """

    def __init__(self, every_n_epochs=1, num=64, seed=0, directory="samples", tensorboard_dir=None,
                 inputs=None, state=None):
        super().__init__()
        if every_n_epochs < 1:
            raise ValueError(f"every_n_epochs must be >= 1; got {every_n_epochs}.")
        self.every_n_epochs = int(every_n_epochs)
        self.num = int(num)
        self.seed = seed
        self.directory = directory
        self.tensorboard_dir = tensorboard_dir
        self.inputs = inputs
        self.state = state
        self._z = None
        self._writer = None
        self.paths = []

    def _latents(self):
        """The fixed latents of a generator's grids: [num, latent_dim] float32 from `seed`."""
        if self._z is None:
            rng = np.random.default_rng(self.seed)
            self._z = rng.standard_normal((self.num, self.model.latent_dim)).astype("float32")
        return self._z

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs or self.state.went_non_finite:
            return
        images, ncols = self.model.preview_grid(self.num, self.seed, self.inputs)
        images = keras.ops.convert_to_numpy(images)
        path = os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png")
        images_lib.save_grid(images, path, ncols=ncols)
        self.paths.append(path)
        if self.tensorboard_dir:
            import tensorflow as tf

            if self._writer is None:
                self._writer = tf.summary.create_file_writer(self.tensorboard_dir)
            with self._writer.as_default():
                tf.summary.image(
                    "samples", images_lib.grid(images, ncols=ncols)[None], step=epoch + 1
                )
            self._writer.flush()


class PeriodicSave(StateCallbackMixin, keras.callbacks.Callback):
    """Saves the whole model (weights, optimizer state, config) every few epochs.

    The file is written beside the target and moved into place, so an
    interruption never leaves a half-written `.keras` file. An epoch with
    non-finite logs, or any epoch after the run went non-finite, is not
    saved: the last good checkpoint stays.

    Args:
        path: str. The `.keras` file.
        every_n_epochs: int. Save after every this many epochs.
        state: `keras_gans.training.TrainingState` or None. The run's state;
            None: the model's.

    Example:
    ```python
    model.fit(ds, epochs=10, callbacks=[
        keras_gans.callbacks.PeriodicSave("runs/dcgan/model.keras", every_n_epochs=2)])
    ```
    """

    def __init__(self, path, every_n_epochs=1, state=None):
        super().__init__()
        self.path = path
        self.every_n_epochs = max(1, int(every_n_epochs))
        self.state = state
        self._last = None

    def _save(self, epoch):
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        tmp = self.path + ".tmp.keras"
        self.model.save(tmp)
        os.replace(tmp, self.path)
        self._last = epoch

    def on_epoch_end(self, epoch, logs=None):
        if not all_finite(logs) or self.state.went_non_finite:
            return  # never replace a good checkpoint with a broken one
        if (epoch + 1) % self.every_n_epochs == 0:
            self._save(epoch)


class FIDCallback(StateCallbackMixin, keras.callbacks.Callback):
    """FID of the model's samples against real images, every few epochs.

    The value goes into the epoch's logs (so `history.history["fid"]` has it,
    and so do later callbacks such as TensorBoard), into TensorBoard as the
    scalar "fid" when `tensorboard_dir` is set, and, with `best_path`, the
    model with the lowest FID so far is saved there (atomically). Nothing is
    computed once the run went non-finite.

    Args:
        data: str or array. Real images: a data spec (e.g. "digits", which
            means digits:test) or an array [N, H, W, C] in [-1, 1]. For
            image-to-image models a spec whose test split is translated.
        every_n_epochs: int. Compute after every this many epochs (and only
            then: other epochs log no "fid").
        num: int. Generated images (translators: test inputs) per evaluation.
        features: str or keras.Model. The extractor (`keras_gans.metrics.get_extractor`).
        seed: int. Seed of the latents: the same z every time.
        best_path: str or None. A `.keras` path for the best model.
        tensorboard_dir: str or None.
        every_seconds: float or None. Instead of `every_n_epochs`: compute at
            the end of the first epoch after this many training seconds since
            the last evaluation (and after the first epoch), for
            FID-against-time curves.
        state: `keras_gans.training.TrainingState` or None. The run's state;
            None: the model's.

    Example:
    ```python
    fid = keras_gans.callbacks.FIDCallback("digits", every_n_epochs=5, best_path="best.keras")
    history = model.fit(ds, epochs=20, callbacks=[fid])
    history.history["fid"]  # one value per 5 epochs
    ```
    """

    def __init__(self, data="digits", every_n_epochs=1, num=1000, features="digits", seed=0,
                 best_path=None, tensorboard_dir=None, every_seconds=None, state=None):
        super().__init__()
        if every_n_epochs < 1:
            raise ValueError(f"every_n_epochs must be >= 1; got {every_n_epochs}.")
        if every_seconds is not None and every_seconds <= 0:
            raise ValueError(f"every_seconds must be positive; got {every_seconds}.")
        self.every_seconds = every_seconds
        self.data = data
        self.every_n_epochs = int(every_n_epochs)
        self.num = int(num)
        self.features = features
        self.seed = seed
        self.best_path = best_path
        self.tensorboard_dir = tensorboard_dir
        self.state = state
        self.best = float("inf")
        self.values = []  # (epoch, fid)
        self.curve = []  # (training seconds, fid): time spent evaluating left out
        self._writer = None
        self._start = None
        self._eval_seconds = 0.0
        self._last = 0.0

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        self._eval_seconds = 0.0
        self._last = 0.0

    def _training_seconds(self):
        return time.perf_counter() - self._start - self._eval_seconds

    def _due(self, epoch):
        if self.every_seconds is None:
            return (epoch + 1) % self.every_n_epochs == 0
        return epoch == 0 or self._training_seconds() - self._last >= self.every_seconds

    def compute(self):
        """The FID of the model now (float)."""
        from keras_gans.metrics import evaluation

        if isinstance(self.data, str):
            # The real side is the same at every evaluation: extracted once, then
            # read from the cache (keras_gans.metrics.reference), never recomputed.
            result = evaluation.evaluate_model(self.model, data=self.data, metrics=("fid",),
                                               num=self.num, features=self.features, seed=self.seed,
                                               cache=True)
            return result["fid"]
        rng = np.random.default_rng(self.seed)
        z = rng.standard_normal((self.num, self.model.latent_dim)).astype("float32")
        fake = keras.ops.convert_to_numpy(self.model.preview(z))
        return evaluation.evaluate_images(fake, np.asarray(self.data, "float32"),
                                          extractor=self.features, metrics=("fid",))["fid"]

    def on_epoch_end(self, epoch, logs=None):
        if self.state.went_non_finite:
            return
        if self._start is None:
            self.on_train_begin()
        if not self._due(epoch):
            return
        trained = self._training_seconds()
        began = time.perf_counter()
        fid = float(self.compute())
        self._eval_seconds += time.perf_counter() - began
        self._last = trained
        self.values.append((epoch + 1, fid))
        self.curve.append((round(trained, 2), fid))
        if logs is not None:
            logs["fid"] = fid
        if self.tensorboard_dir:
            import tensorflow as tf

            if self._writer is None:
                self._writer = tf.summary.create_file_writer(self.tensorboard_dir)
            with self._writer.as_default():
                tf.summary.scalar("fid", fid, step=epoch + 1)
            self._writer.flush()
        if self.best_path and fid < self.best:
            os.makedirs(os.path.dirname(os.path.abspath(self.best_path)), exist_ok=True)
            tmp = self.best_path + ".tmp.keras"
            self.model.save(tmp)
            os.replace(tmp, self.best_path)
        self.best = min(self.best, fid)


class TimeBudget(keras.callbacks.Callback):
    """Stops training once `seconds` have passed (checked after every batch),
    and counts what was trained: `images`, `seconds`, `images_per_second`.

    `images_per_second` leaves out the first batch, which pays for tracing and
    compiling the step.

    Args:
        seconds: float or None. The budget; None only counts.
        batch_size: int. Images per batch, for the count.

    Example:
    ```python
    budget = keras_gans.callbacks.TimeBudget(60, batch_size=64)
    model.fit(ds, epochs=100, callbacks=[budget])
    budget.images_per_second
    ```
    """

    def __init__(self, seconds=None, batch_size=None):
        super().__init__()
        if seconds is not None and seconds <= 0:
            raise ValueError(f"--max-seconds must be positive; got {seconds}.")
        self.budget = seconds
        self.batch_size = batch_size
        self.batches = 0
        self.seconds = 0.0
        self.epochs = 0
        self._start = None
        self._warm = None

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        self.batches += 1
        if self._warm is None:
            self._warm = now
        self.seconds = now - self._start
        # Never before a second batch: the first pays for tracing, and a rate
        # needs a batch after it.
        if self.budget is not None and self.seconds >= self.budget and self.batches >= 2:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        self.epochs = epoch + 1

    @property
    def images(self):
        """Images trained on (batches x batch size)."""
        return self.batches * (self.batch_size or 0)

    @property
    def images_per_second(self):
        """Images per second after the first batch (0 with fewer than 2 batches)."""
        if self.batches < 2 or self._warm is None:
            return 0.0
        elapsed = self._start + self.seconds - self._warm
        return (self.batches - 1) * (self.batch_size or 0) / elapsed if elapsed > 0 else 0.0
