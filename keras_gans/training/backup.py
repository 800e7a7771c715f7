"""Backup and resume: a run killed at any moment goes on after its last finished epoch."""

import json
import os
import secrets
import shutil
import warnings

import numpy as np
import keras

from keras_gans.training.state import StateCallbackMixin, all_finite


def seed_generators(model):
    """Every `keras.random.SeedGenerator` of `model` and its layers, in a fixed order.

    `save_weights` leaves their states out; `Backup` saves them itself.

    Args:
        model: keras.Model.

    Returns:
        list of `keras.random.SeedGenerator`.

    Example:
    ```python
    states = [g.state.numpy() for g in keras_gans.training.backup.seed_generators(model)]
    ```
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


# Fields of a run record that backups written before them lack: "defaults",
# the model's constructor defaults with its registered preset (a preset that
# changed between a kill and the rerun would otherwise restore weights of
# another shape, or of another schedule, into the model).
ADDED_LATER = ("defaults",)


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


class Backup(StateCallbackMixin, keras.callbacks.BackupAndRestore):
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
    backups differ by an epoch can resume at the same one. A run that went
    non-finite (its `TrainingState`, set by `NaNGuard`) is never backed up
    and keeps its backup, so a rerun resumes from the last good epoch; a run
    that ends otherwise removes it.

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
        state: `keras_gans.training.TrainingState` or None. The run's state
            (read for `went_non_finite`; `resumed_epoch` is set on restore);
            None: the model's.

    Example:
    ```python
    backup_dir = "runs/dcgan/backup"
    start = keras_gans.callbacks.Backup.finished_epochs(backup_dir)
    ds = keras_gans.data.load("digits", image_size=32, epochs=10, start_epoch=start)
    model.fit(ds, epochs=10, steps_per_epoch=int(ds.cardinality()) // (10 - start),
              callbacks=[keras_gans.callbacks.NaNGuard(),
                         keras_gans.callbacks.Backup(backup_dir)])
    ```
    """

    def __init__(self, backup_dir, run=None, epoch=None, state=None):
        super().__init__(backup_dir)
        self.run = _as_json(run)
        self.epoch = None if epoch is None else int(epoch)
        self.state = state

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
        if saved is None or run is None:
            return
        # A field that later versions added to the record is compared only
        # when the backup has it too, so older backups stay resumable.
        run = {k: v for k, v in run.items() if k in saved or k not in ADDED_LATER}
        if isinstance(saved.get("defaults"), dict) and isinstance(run.get("defaults"), dict):
            # A constructor argument added to the class since the backup was
            # written (a new option, off by default) is not a change of run.
            run["defaults"] = {k: v for k, v in run["defaults"].items() if k in saved["defaults"]}
        if saved == run:
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
        self._restore_weights(meta)
        generators = seed_generators(self.model)
        states = meta.get("seed_states", [])
        if len(states) != len(generators):
            raise ValueError(
                f"The backup in {self.backup_dir!r} holds {len(states)} random seed states, but "
                f"the model has {len(generators)} seed generators: it is not this model's backup."
            )
        for generator, state in zip(generators, states):
            generator.state.assign(np.asarray(state, dtype=generator.state.dtype))
        # Keras' BackupAndRestore contract: fit() starts at model._initial_epoch.
        self.model._initial_epoch = int(meta["epoch"])
        self.state.resumed_epoch = int(meta["epoch"])

    def _restore_weights(self, meta):
        """Loads the backup's weights, or says that they do not fit this model.

        Keras raises for a missing or misshapen variable but only warns when a
        nested part of the file is missing, leaving those layers as
        initialized: a partial restore, refused as well.
        """
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.model.load_weights(os.path.join(self.backup_dir, meta["weights"]))
        except ValueError as e:
            why = str(e).strip().splitlines()[0][:300] if str(e).strip() else type(e).__name__
        else:
            skipped = [w for w in caught if "freshly-initialized" in str(w.message)]
            for w in caught:  # the others reach the user as they would have
                if w not in skipped:
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            if not skipped:
                return
            why = f"{len(skipped)} parts of it are missing ({str(skipped[0].message)[:160]})."
        raise ValueError(
            f"The backup in {self.backup_dir!r} (epoch {int(meta['epoch'])}) does not fit this "
            f"model: {why} It was written by a model built another way (another version of "
            "keras-gans, or changed defaults). Remove the folder, or train in another run "
            "directory, to start afresh.")

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
        if self.state.went_non_finite or not all_finite(logs):
            return
        super().on_epoch_end(epoch, logs)

    def on_train_end(self, logs=None):
        if self.state.went_non_finite or not os.path.isdir(self.backup_dir):
            return
        # Renamed first, so a kill while deleting never leaves half a backup.
        gone = self.backup_dir.rstrip(os.sep) + f".removed-{secrets.token_hex(4)}"
        os.replace(self.backup_dir, gone)
        shutil.rmtree(gone, ignore_errors=True)
