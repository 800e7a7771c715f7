"""Keras callbacks for GAN training."""

import json
import os
import secrets
import shutil
import time

import numpy as np
import keras

from keras_gans import images as images_lib


def all_finite(logs):
    """True when every numeric value in a Keras `logs` dict is finite."""
    for value in (logs or {}).values():
        try:
            if not np.all(np.isfinite(np.asarray(value, dtype="float64"))):
                return False
        except (TypeError, ValueError):
            continue
    return True


class NaNGuard(keras.callbacks.Callback):
    """Stops training at the first batch whose logged losses are not finite.

    After `fit()`, `failure` says where it happened (None if it never did),
    and the model is marked so `PeriodicSave` keeps the last good checkpoint.
    """

    def __init__(self):
        super().__init__()
        self.failure = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.failure is None and not all_finite(logs):
            bad = {k: float(np.asarray(v)) for k, v in (logs or {}).items()
                   if np.size(v) == 1 and not np.isfinite(float(np.asarray(v)))}
            self.failure = {"epoch": self._epoch + 1, "batch": batch + 1, "values": bad}
            self.model._went_non_finite = True
            self.model.stop_training = True

    def message(self):
        """One line for the user, or None."""
        if self.failure is None:
            return None
        values = ", ".join(f"{k} = {v}" for k, v in self.failure["values"].items())
        return (f"Training went non-finite at epoch {self.failure['epoch']}, batch "
                f"{self.failure['batch']} ({values or 'a loss is NaN'}); stopped. The last good "
                "checkpoint and the previous export were kept. Try a lower learning rate or "
                "check the data for NaN/inf values.")


class SampleGrid(keras.callbacks.Callback):
    """Writes a grid of samples from a fixed latent batch every few epochs.

    The latents are drawn once from `seed`, so grids of different epochs show
    the same z and can be compared.

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

    Example:
    ```python
    model.fit(ds, epochs=10, callbacks=[
        keras_gans.callbacks.SampleGrid(directory="runs/dcgan/samples")])
    ```
    """

    def __init__(self, every_n_epochs=1, num=64, seed=0, directory="samples", tensorboard_dir=None,
                 inputs=None):
        super().__init__()
        if every_n_epochs < 1:
            raise ValueError(f"every_n_epochs must be >= 1; got {every_n_epochs}.")
        self.every_n_epochs = int(every_n_epochs)
        self.num = int(num)
        self.seed = seed
        self.directory = directory
        self.tensorboard_dir = tensorboard_dir
        self.inputs = inputs
        self._z = None
        self._writer = None
        self.paths = []

    def _latents(self):
        if self._z is None:
            rng = np.random.default_rng(self.seed)
            self._z = rng.standard_normal((self.num, self.model.latent_dim)).astype("float32")
        return self._z

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs or getattr(self.model, "_went_non_finite", False):
            return
        ncols = None
        if self.model.task == "translation":
            images, ncols = self.model.preview_grid(min(self.num, 16), self.seed, self.inputs)
        else:
            generate = getattr(self.model, "preview", self.model.generate)
            images = keras.ops.convert_to_numpy(generate(self._latents()))
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


class PeriodicSave(keras.callbacks.Callback):
    """Saves the whole model (weights, optimizer state, config) every few epochs.

    The file is written beside the target and moved into place, so an
    interruption never leaves a half-written `.keras` file.

    Args:
        path: str. The `.keras` file.
        every_n_epochs: int. Save after every this many epochs (and at the end).
    """

    def __init__(self, path, every_n_epochs=1):
        super().__init__()
        self.path = path
        self.every_n_epochs = max(1, int(every_n_epochs))
        self._last = None

    def _save(self, epoch):
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        tmp = self.path + ".tmp.keras"
        self.model.save(tmp)
        os.replace(tmp, self.path)
        self._last = epoch

    def on_epoch_end(self, epoch, logs=None):
        if not all_finite(logs) or getattr(self.model, "_went_non_finite", False):
            return  # never replace a good checkpoint with a broken one
        if (epoch + 1) % self.every_n_epochs == 0:
            self._save(epoch)


class FIDCallback(keras.callbacks.Callback):
    """FID of the model's samples against real images, every few epochs.

    The value goes into the epoch's logs (so `history.history["fid"]` has it,
    and so do later callbacks such as TensorBoard), into TensorBoard as the
    scalar "fid" when `tensorboard_dir` is set, and, with `best_path`, the
    model with the lowest FID so far is saved there (atomically).

    Args:
        data: str or array. Real images: a data spec (e.g. "digits", which
            means digits:test) or an array [N, H, W, C] in [-1, 1]. For
            image-to-image models a spec whose test split is translated.
        every_n_epochs: int. Compute after every this many epochs (and only
            then: other epochs log no "fid").
        every_seconds: float or None. Instead: compute at the end of the
            first epoch after this many training seconds since the last
            evaluation (and after the first epoch), for FID-against-time curves.
        num: int. Generated images (translators: test inputs) per evaluation.
        features: str or keras.Model. The extractor (`keras_gans.metrics.get_extractor`).
        seed: int. Seed of the latents: the same z every time.
        best_path: str or None. A `.keras` path for the best model.
        tensorboard_dir: str or None.

    Example:
    ```python
    fid = keras_gans.callbacks.FIDCallback("digits", every_n_epochs=5, best_path="best.keras")
    history = model.fit(ds, epochs=20, callbacks=[fid])
    history.history["fid"]  # one value per 5 epochs
    ```
    """

    def __init__(self, data="digits", every_n_epochs=1, num=1000, features="digits", seed=0,
                 best_path=None, tensorboard_dir=None, every_seconds=None):
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
        """The FID of the model now."""
        from keras_gans.metrics import evaluation

        if isinstance(self.data, str):
            result = evaluation.evaluate_model(self.model, data=self.data, metrics=("fid",),
                                               num=self.num, features=self.features, seed=self.seed)
            return result["fid"]
        rng = np.random.default_rng(self.seed)
        z = rng.standard_normal((self.num, self.model.latent_dim)).astype("float32")
        fake = keras.ops.convert_to_numpy(self.model.preview(z))
        return evaluation.evaluate_images(fake, np.asarray(self.data, "float32"),
                                          extractor=self.features, metrics=("fid",))["fid"]

    def on_epoch_end(self, epoch, logs=None):
        if getattr(self.model, "_went_non_finite", False):
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
        if self.budget is not None and self.seconds >= self.budget:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        self.epochs = epoch + 1

    @property
    def images(self):
        return self.batches * (self.batch_size or 0)

    @property
    def images_per_second(self):
        """Images per second after the first batch (0 with fewer than 2 batches)."""
        if self.batches < 2 or self._warm is None:
            return 0.0
        elapsed = self._start + self.seconds - self._warm
        return (self.batches - 1) * (self.batch_size or 0) / elapsed if elapsed > 0 else 0.0


def seed_generators(model):
    """Every `keras.random.SeedGenerator` of `model` and its layers, in a fixed order.

    `save_weights` leaves their states out; `Backup` saves them itself.
    """
    out, seen = [], set()
    for layer in model._flatten_layers(include_self=True, recursive=True):
        for generator in getattr(layer, "_seed_generators", ()):
            if id(generator) not in seen:
                seen.add(id(generator))
                out.append(generator)
    return out


GENERATION_KEYS = ("epoch", "batch", "weights", "seed_states")


def _generations(backup_dir):
    """The restorable backup records in `backup_dir`, newest first (those whose file is there)."""
    meta = _read_json(os.path.join(backup_dir, "training_metadata.json"))
    if not meta or "weights" not in meta:
        return []
    held = [meta] + ([meta["previous"]] if meta.get("previous") else [])
    return [g for g in held if os.path.exists(os.path.join(backup_dir, g["weights"]))]


def _as_json(value):
    """`value` as it reads back from JSON (tuples become lists), or None."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def _read_json(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        try:
            return json.load(f)
        except ValueError as e:
            raise ValueError(f"The backup record {path!r} is unreadable ({e}); delete the "
                             "backup folder to start the run afresh.") from None


class Backup(keras.callbacks.BackupAndRestore):
    """`keras.callbacks.BackupAndRestore` for GANs: a run killed at any moment
    (even `kill -9`) and started again goes on after its last finished epoch.

    A backup holds the model's weights with its optimizers' state and any
    model state kept as weights (BEGAN's k_t, CycleGAN's image pools, EMA),
    the state of every `keras.random.SeedGenerator` in the model (its latent
    noise, the image pools' draws: `save_weights` leaves them out), and the
    number of finished epochs. It is committed in one step: the weights go to
    a new file, then `training_metadata.json` (the epoch, the seed states and
    that file's name) is replaced atomically, so a kill leaves the previous
    backup or the new one, whole. The backup before it is kept as well (the
    last two epochs), so that workers of one multi-worker run whose last
    backups differ by an epoch can resume at the same one. A model that went
    non-finite (see `NaNGuard`) is never backed up, and its run keeps the
    backup, so a rerun resumes from the last good epoch; a run that ends
    otherwise removes it.

    The data must go on too: `keras_gans.data.load(..., epochs=E,
    start_epoch=Backup.finished_epochs(backup_dir))` gives each epoch the same
    batches as an uninterrupted run.

    Args:
        backup_dir: str. A folder for this run's backup only.
        run: dict or None. What the run trains (model, data, batch size, seed,
            settings, ...; JSON values). It is stored with each backup, and a
            backup stored with another `run` is refused (`check_run`) rather
            than resumed into a different run.
        epoch: int or None. The finished epoch to resume from: None for the
            backup's last; the one before it (see `held_epochs`); 0 to start
            afresh (the old backup is then replaced at the first epoch's end).
    """

    def __init__(self, backup_dir, run=None, epoch=None):
        super().__init__(backup_dir)
        self.run = _as_json(run)
        self.epoch = None if epoch is None else int(epoch)

    @staticmethod
    def finished_epochs(backup_dir):
        """The number of epochs the backup in `backup_dir` holds (0: none)."""
        meta = _read_json(os.path.join(backup_dir, "training_metadata.json"))
        if meta and "weights" not in meta:
            return int(meta["epoch"])  # Keras' own layout
        held = _generations(backup_dir)
        return int(held[0]["epoch"]) if held else 0

    @staticmethod
    def held_epochs(backup_dir):
        """The finished epochs the backup in `backup_dir` can resume from, oldest first."""
        return [int(g["epoch"]) for g in reversed(_generations(backup_dir))]

    @staticmethod
    def check_run(backup_dir, run):
        """Raises ValueError if `backup_dir` holds a backup of a run other than `run`.

        A backup written without a `run`, or no backup at all, passes.
        """
        meta = _read_json(os.path.join(backup_dir, "training_metadata.json"))
        saved, run = (meta or {}).get("run"), _as_json(run)
        if saved is None or run is None or saved == run:
            return
        changed = [f"{k}: {saved.get(k, '(not set)')!r} then, {run.get(k, '(not set)')!r} now"
                   for k in sorted(set(saved) | set(run)) if saved.get(k) != run.get(k)]
        raise ValueError(
            f"{backup_dir!r} holds the backup of a different run ({'; '.join(changed)}), "
            f"after {int(meta['epoch'])} epochs. Rerun that run's command to resume it, or "
            "remove the folder (or train in another run directory) to start this one afresh."
        )

    def _save_model(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        name = f"epoch-{self._current_epoch:06d}-{secrets.token_hex(4)}.weights.h5"
        self.model.save_weights(os.path.join(self.backup_dir, name), overwrite=True)
        meta = {
            "epoch": self._current_epoch,
            "batch": self._last_batch_seen,
            "weights": name,
            "seed_states": [np.asarray(g.state.value).tolist()
                            for g in seed_generators(self.model)],
        }
        # The newest earlier backup stays, as "previous" (not one of a later
        # epoch: left by a run that restarted from an earlier epoch).
        earlier = [g for g in _generations(self.backup_dir) if g["epoch"] < self._current_epoch]
        if earlier:
            meta["previous"] = {k: earlier[0][k] for k in GENERATION_KEYS}
        if self.run is not None:
            meta["run"] = self.run
        tmp = self._training_metadata_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(meta, f)
        os.replace(tmp, self._training_metadata_path)  # the commit
        keep = {name, meta.get("previous", {}).get("weights")}
        for old in os.listdir(self.backup_dir):
            if old.endswith(".weights.h5") and old not in keep:
                os.remove(os.path.join(self.backup_dir, old))

    def _load_model(self):
        meta = _read_json(self._training_metadata_path)
        if meta is None or "weights" not in meta:
            return super()._load_model()  # nothing to restore, or Keras' own layout
        self.check_run(self.backup_dir, self.run)
        meta = self._generation()
        if meta is None:
            return  # epoch=0 (a fresh start), or no weights file left
        if not self.model.built:
            raise ValueError("Backup needs a built model (see the GAN base class).")
        optimizer = self.model.optimizer
        if optimizer is not None and not optimizer.built:
            optimizer.build(self.model.trainable_variables)
        self.model.load_weights(os.path.join(self.backup_dir, meta["weights"]))
        generators = seed_generators(self.model)
        states = meta.get("seed_states", [])
        if len(states) != len(generators):
            raise ValueError(
                f"The backup in {self.backup_dir!r} holds {len(states)} random seed states, but "
                f"the model has {len(generators)} seed generators: it is not this model's backup."
            )
        for generator, state in zip(generators, states):
            generator.state.assign(np.asarray(state, dtype=generator.state.dtype))
        self.model._initial_epoch = int(meta["epoch"])

    def _generation(self):
        """The backup record to restore: the one of `self.epoch`, or None for a fresh start."""
        held = _generations(self.backup_dir)
        if self.epoch is None:
            return held[0] if held else None
        for generation in held:
            if generation["epoch"] == self.epoch:
                return generation
        if self.epoch == 0:
            return None
        raise ValueError(
            f"Cannot resume from epoch {self.epoch}: the backup in {self.backup_dir!r} holds "
            f"epochs {self.held_epochs(self.backup_dir)}. (Workers of one run resume at the "
            "least epoch any of them holds.) Remove the backups to start the run afresh."
        )

    def on_epoch_end(self, epoch, logs=None):
        if getattr(self.model, "_went_non_finite", False) or not all_finite(logs):
            return
        super().on_epoch_end(epoch, logs)

    def on_train_end(self, logs=None):
        if getattr(self.model, "_went_non_finite", False) or not os.path.isdir(self.backup_dir):
            return
        # Renamed first, so a kill while deleting never leaves half a backup.
        gone = self.backup_dir.rstrip(os.sep) + f".removed-{secrets.token_hex(4)}"
        os.replace(self.backup_dir, gone)
        shutil.rmtree(gone, ignore_errors=True)
