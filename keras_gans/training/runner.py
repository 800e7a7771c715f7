"""`run()`: train a registered model end to end, as `keras-gans train` does."""

import dataclasses
import json
import os
import sys
import time
import warnings

from keras_gans.training.state import NonFiniteError, TrainingState


class TrainingWarning(UserWarning):
    """A setting `run()` could not honour and went on without (e.g. `jit` under several replicas)."""


@dataclasses.dataclass
class TrainingResult:
    """What `keras_gans.training.run` did.

    Attributes:
        model: keras.Model. The trained model (also saved at `paths["model"]`).
        history: keras.callbacks.History. `fit()`'s history (this call's epochs only).
        state: `keras_gans.training.TrainingState`. The run's state.
        paths: dict. str -> str: what was written. `"run_dir"`, `"model"` (the
            `.keras` file), `"samples"` (the final grid), `"logs"`
            (TensorBoard), `"backup"` (removed once the run finished), and
            `"fid"` (with `fid_every_seconds`), `"saved_model"` and `"tflite"`
            (when exported).
        settings: dict. The resolved run: model, data, image_shape, epochs,
            batch_size, seed, steps_per_epoch, constructor settings, learning
            rates, dtype policy, strategy, jit.
        seconds: float. Wall-clock seconds in `fit()`.
        epochs: int. The last epoch finished in this call, counted from the
            run's first (resumed epochs included); 0 if none was.
        images: int. Images trained on in this call.
        images_per_second: float. Throughput after the first batch.
        chief: bool. False on the non-chief workers of a multi-worker run,
            which write under a temporary directory and export nothing.
        discriminator_died: int or None. The epoch after which the run was
            stopped because D gave one output for every real image
            (`keras_gans.callbacks.DiscriminatorCheck`); None when it was not.
    """

    model: object
    history: object
    state: TrainingState
    paths: dict
    settings: dict
    seconds: float
    epochs: int
    images: int
    images_per_second: float
    chief: bool = True
    discriminator_died: object = None


def check_positive(name, value):
    """Raises `ValueError("<name> must be a positive integer; ...")` unless
    `value` is None or >= 1 (`keras-gans` passes its flag names, "--epochs")."""
    if value is not None and value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value}.")


def built_class(cls, settings):
    """The class `cls(**settings)` builds: its `conditional_class` (sagan's and
    ylg's class-conditional twins) when `settings` give a `num_classes`."""
    twin = getattr(cls, "conditional_class", None)
    if twin is not None and settings.get("num_classes") is not None:
        return twin
    return cls


def data_preset(cls, spec):
    """The constructor settings `cls.data_presets` gives the data `spec`: found
    by the spec itself, else by the name of its data, so that
    `fashion_mnist:train` or `fashion_mnist:PATH` take `fashion_mnist`'s
    preset. `{}` for a dataset object or data without a preset."""
    if not isinstance(spec, str):
        return {}
    if spec in cls.data_presets:
        return dict(cls.data_presets[spec])
    from keras_gans.data.sources import parse_spec

    try:
        kind = parse_spec(spec)[0]
    except ValueError:  # a pair spec (translators), which only matches whole
        return {}
    return dict(cls.data_presets.get(kind, {}))


def check_overrides(cls, overrides):
    """`overrides` (constructor name -> value) as a dict, checked against `cls`
    before anything is built (`cls.check_arguments`: unknown names, types and
    ranges), and `image_shape` and `name` refused: `run()` sets them itself.
    """
    overrides = dict(overrides or {})
    for name in ("image_shape", "name"):
        if name in overrides:
            raise ValueError(f"{name} is not an override: set the image shape with "
                             "image_size/channels (--image-size/--channels).")
    from keras_gans.models.base import spelled_none_as_choice

    overrides = spelled_none_as_choice(cls, overrides)  # `--set d_normalization=none`
    cls.check_arguments(overrides)
    return overrides


def label_options(cls, spec, labelled=None, label_noise=None, noise="symmetric", seed=None,
                  name=None):
    """`(data.load kwargs, model kwargs)` for a model class's labels on data `spec`.

    Args:
        cls: type. The model class (its `requires_labels`, `default_labelled`,
            `default_label_noise`, `labelled_per_batch`, `uses_noise_transition`).
        spec: str. The data spec.
        labelled: int or None. Keep labels on only this many examples
            (None: the class's default).
        label_noise: float or None. Share of labels flipped (None: the class's).
        noise: str. "symmetric" or "asymmetric": the label-noise transition.
        seed: int or None. Seed of the label selection and flips (None: 0).
        name: str or None. The model's name, for messages.

    Returns:
        tuple of two dicts; both empty for a model that takes no labels.
    """
    from keras_gans import data

    needs = getattr(cls, "requires_labels", False)
    if not needs:
        if labelled is not None or label_noise:
            raise ValueError(
                f"{name or cls.__name__} trains on unlabelled images; labelled and label_noise "
                "(--labelled, --label-noise) are for models that take labels."
            )
        return {}, {}
    labelled = labelled if labelled is not None else getattr(cls, "default_labelled", None)
    if label_noise is None:
        label_noise = getattr(cls, "default_label_noise", 0.0)
    check_positive("labelled", labelled)
    load_args = {"labels": True, "label_noise": label_noise or 0.0, "noise": noise,
                 "label_seed": seed or 0}
    if labelled is not None:
        load_args["labelled"] = labelled
        load_args["labelled_per_batch"] = getattr(cls, "labelled_per_batch", None)
    model_args = {"num_classes": data.num_classes(spec)}
    if getattr(cls, "uses_noise_transition", False):
        model_args.update(noise_rate=label_noise or 0.0, noise_kind=noise)
    return load_args, model_args


#: What `--overwrite` removes of a finished run before the new one starts: what
#: would mix with the new run's. Its model.keras and export stay until the new
#: run replaces them (a run that goes non-finite keeps the last good ones).
RUN_FILES = ("samples", "logs", "fid.json")


def finished_run(run_dir):
    """True when `run_dir` holds a run that finished: its `model.keras` and no
    backup to resume from (a killed run keeps its backup until it ends)."""
    from keras_gans.training.backup import Backup

    return (os.path.isfile(os.path.join(run_dir, "model.keras"))
            and not Backup.finished_epochs(os.path.join(run_dir, "backup")))


def _resumable_or_empty(run_dir, run_record):
    """True when a new run may use `run_dir`: nothing finished is there, and
    any backup is of this same run."""
    from keras_gans.training.backup import Backup

    if finished_run(run_dir):
        return False
    try:
        Backup.check_run(os.path.join(run_dir, "backup"), run_record)
    except ValueError:
        return False
    return True


def choose_run_dir(model, run_dir, run_record, overwrite=False):
    """`(run_dir, note)`: where a run writes, never mixed into another run.

    The default (`run_dir` None) is `runs/MODEL`, else the first of
    `runs/MODEL-2`, `runs/MODEL-3`, ... that holds no finished run and no
    backup of another run (so a rerun of a killed run resumes it). A
    `run_dir` given that holds a finished run is refused unless `overwrite`
    (then `clear_finished_run` is for the caller to call once the new run is
    sure to start). `note` is a line to print, or None.
    """
    if run_dir is None and not overwrite:
        base = os.path.join("runs", model)
        candidate, n = base, 1
        while not _resumable_or_empty(candidate, run_record):
            n += 1
            candidate = f"{base}-{n}"
        note = None if n == 1 else (f"{base} holds another run; this one writes to {candidate} "
                                    "(--run-dir to choose, --overwrite to replace).")
        return candidate, note
    run_dir = run_dir or os.path.join("runs", model)
    if not finished_run(run_dir):
        return run_dir, None
    if not overwrite:
        raise ValueError(f"{run_dir!r} holds a finished run (its model.keras); pass --overwrite "
                         "to replace it, or choose another --run-dir.")
    return run_dir, f"--overwrite: replacing the finished run in {run_dir}."


def clear_finished_run(run_dir):
    """Removes what of a finished run in `run_dir` would mix with a new one:
    its sample grids, logs and FID curve (`RUN_FILES`), nothing else. The new
    run replaces its model.keras and adds an export version."""
    import shutil

    if not finished_run(run_dir):
        return
    for name in RUN_FILES:
        path = os.path.join(run_dir, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)


def _dataset(cls, spec, shape, batch_size, seed, order, load_args):
    """`(training dataset, preview inputs)`: what the model class trains on
    (`cls.training_data`)."""
    return cls.training_data(spec, image_size=shape[0], batch_size=batch_size,
                             channels=shape[2], seed=seed, **order, **load_args)


def _compile(model, learning_rates, jit, name):
    """Compiles `model` with the paper's optimizers, `learning_rates` (group -> value) over them."""
    if not learning_rates:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras' own jit warning; run()'s follows
            model.compile(jit_compile=jit)
        return
    groups = tuple(model.optimizer_names)
    unknown = sorted(set(learning_rates) - set(groups))
    if unknown:
        s = "s" if len(unknown) > 1 else ""
        raise ValueError(f"{name} has no optimizer group{s} {', '.join(map(repr, unknown))}; "
                         f"its groups are: {', '.join(groups)}.")
    optimizers = model.default_optimizers()
    for group, value in learning_rates.items():
        optimizers[group].learning_rate = float(value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.compile(**{f"{k}_optimizer": v for k, v in optimizers.items()}, jit_compile=jit)


def _check_learning_rates(learning_rates):
    out = {}
    for group, value in dict(learning_rates or {}).items():
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = float("nan")
        if not (value > 0 and value != float("inf")):
            raise ValueError(f"The learning rate of group {group!r} must be a positive number; "
                             f"got {learning_rates[group]!r}.")
        out[str(group)] = value
    return out


def run(model, data=None, *, epochs=None, batch_size=None, image_size=None, channels=None,
        steps_per_epoch=None, max_seconds=None, fid_every_seconds=None, seed=None,
        deterministic=False, run_dir=None, export_dir=None, export=True, overrides=None,
        labelled=None, label_noise=None, noise="symmetric", learning_rates=None,
        strategy="auto", mixed_precision=None, jit=False, overwrite=False, verbose=True):
    """Trains a registered model end to end: the library form of `keras-gans train`.

    It builds the model (its preset, then `overrides`) under the strategy,
    compiles it with the paper's optimizers (`learning_rates` over them),
    trains it on `data` with a NaN guard, a backup (a rerun of a killed run
    goes on after its last finished epoch, and says so first), sample grids
    every tenth of the run, TensorBoard logs and a checkpoint, then saves it
    to `RUN_DIR/model.keras`, writes `RUN_DIR/samples/final.png` and exports a
    SavedModel and a `.tflite` file to `RUN_DIR/export/` (TF Serving's
    layout: `export/1/`, `export/MODEL.tflite`). It never writes into the
    shipped `savedmodels/`, nor into another run's directory.

    Args:
        model: str. A registered name (`keras_gans.list_models()`).
        data: str or None. A data spec (`"digits"`, `"tfds:NAME[:SPLIT]"`,
            `"folder:PATH"`; image-to-image models: `"digits-edges"`,
            `"digits-ink"`, `"photo-cartoon"`, ...). None: the model's default.
        epochs: int or None. None: the model's preset.
        batch_size: int or None. The global batch; None: the model class's
            `default_batch_size`.
        image_size: int or None. Square side; None: the preset.
        channels: int or None. 1 or 3; None: the preset.
        steps_per_epoch: int or None. Cap on the steps of an epoch.
        max_seconds: float or None. Stop after this many seconds of training.
        fid_every_seconds: float or None. Log digits-FID (500 samples) every
            this many training seconds, into `RUN_DIR/fid.json`.
        seed: int or None. Keras' global seed and the data order.
        deterministic: bool. TF op determinism and seeded data order (seed
            defaults to 0): the same call gives the same weights, bit for bit.
        run_dir: str or None. Checkpoint, samples, logs and backup; None:
            `runs/MODEL`, or `runs/MODEL-2`, `-3`, ... when that holds another
            run (see `choose_run_dir`). A given `run_dir` that holds a
            finished run raises a ValueError unless `overwrite`.
        export_dir: str or None. None: `RUN_DIR/export`.
        export: bool. Write the SavedModel and the `.tflite` file.
        overrides: dict or None. Constructor arguments over the preset, e.g.
            `{"identity_weight": 5.0}`.
        labelled: int or None. Models that take labels: keep labels on only
            this many examples (None: the model's default).
        label_noise: float or None. Share of labels flipped (None: the model's).
        noise: str. `"symmetric"` or `"asymmetric"`: the label-noise transition.
        learning_rates: dict or None. Optimizer group -> learning rate, over
            the paper's, e.g. `{"g": 1e-3, "d": 5e-4}`; the groups are the
            model's `optimizer_names`.
        strategy: str or `tf.distribute.Strategy`. A name for
            `keras_gans.distribute.strategy` (`"auto"`, `"one"`, `"mirrored"`,
            `"multiworker"`) or a strategy.
        mixed_precision: str or None. `"auto"`, `"float16"`, `"bfloat16"`,
            `"none"`; None: float32. Sets Keras' global dtype policy.
        jit: bool. Compile the train step with XLA (one replica only; else a
            `TrainingWarning` and no XLA).
        overwrite: bool. Replace the finished run in `run_dir` instead of
            refusing it (see `choose_run_dir`).
        verbose: bool. Print what is trained and `fit()`'s progress.

    Returns:
        `keras_gans.training.TrainingResult`: the model, its history, the
        run's `TrainingState` and the paths written.

    Raises:
        ValueError: a bad setting, or a backup in `run_dir` of another run.
        keras_gans.training.NonFiniteError: training went NaN/inf and was
            stopped; the last good checkpoint, backup and export were kept.

    Example:
    ```python
    result = keras_gans.training.run("dcgan", "digits", epochs=2, image_size=16,
                                     learning_rates={"g": 1e-3}, run_dir="runs/dcgan")
    result.paths["model"], result.history.history["g_loss"]
    ```
    """
    import keras
    import tensorflow as tf

    import keras_gans
    from keras_gans import callbacks, distribute, registry
    from keras_gans import export as export_lib

    entry = registry.entry(model)  # clear error for unknown names
    cls = entry.cls
    for name, value in (("epochs", epochs), ("batch_size", batch_size),
                        ("image_size", image_size), ("steps_per_epoch", steps_per_epoch)):
        check_positive(name, value)
    if channels is not None and channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3; got {channels}.")
    for name, value in (("max_seconds", max_seconds), ("fid_every_seconds", fid_every_seconds)):
        if value is not None and not value > 0:
            raise ValueError(f"{name} (--{name.replace('_', '-')}) must be a positive number "
                             f"of seconds; got {value}.")
    for name, path in (("run_dir", run_dir), ("export_dir", export_dir)):
        if path is not None and os.path.exists(path) and not os.path.isdir(path):
            raise NotADirectoryError(f"{name} (--{name.replace('_', '-')}) {path!r} is a file, "
                                     "not a folder.")
    learning_rates = _check_learning_rates(learning_rates)
    shape = list(entry.defaults.get("image_shape", getattr(cls, "default_image_shape", (32, 32, 1))))
    if image_size:
        shape[0] = shape[1] = image_size
    if channels:
        shape[2] = channels
    overrides = check_overrides(cls, overrides)  # `--set d_normalization=none` reads "none"
    cls.check_image_shape(shape, **overrides)  # before any data is read
    epochs = epochs or getattr(cls, "default_epochs", 10)
    spec = data if data is not None else getattr(cls, "default_data", "digits")
    folder_note = None
    if channels is None and isinstance(spec, str) and spec.startswith("folder:"):
        # A folder trains in the channels most of its images have, and says so.
        from keras_gans.data import folder_channels

        shape[2], counts = folder_channels(spec[len("folder:"):])
        kind = "colour" if shape[2] == 3 else "grayscale"
        folder_note = (f"{spec}: {counts[shape[2]]} of {counts[1] + counts[3]} images looked at "
                       f"are {kind}, so it trains with {shape[2]} channel"
                       f"{'s' if shape[2] == 3 else ''} (--channels to choose).")
    elif channels is None and isinstance(spec, str) and (spec == "emoji" or spec.startswith("emoji:")):
        shape[2] = 3  # colour data: it trains in colour unless --channels says otherwise
    batch_size = batch_size or cls.default_batch_size
    say = print if verbose else (lambda *a, **k: None)
    # The strategy first: multi-worker collectives must be set up before any op runs.
    strategy_name = strategy if isinstance(strategy, str) else None
    strategy = distribute.strategy(strategy) if isinstance(strategy, str) else strategy
    chief = distribute.is_chief(strategy)
    previous_policy = keras.config.dtype_policy()
    policy = distribute.mixed_precision(mixed_precision)  # float32 unless asked
    try:
        if max_seconds is not None and isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
            raise ValueError("--max-seconds stops each worker at its own step; it is not "
                             "supported with --strategy multiworker (use --epochs/"
                             "--steps-per-epoch).")
        problem = distribute.jit_problem(strategy) if jit else None
        if problem:  # XLA on one device only: warn, go on
            warnings.warn(f"--jit ignored: {problem}.", TrainingWarning, stacklevel=2)
            jit = False
        if deterministic:
            seed = 0 if seed is None else seed
            tf.config.experimental.enable_op_determinism()
        if seed is not None:
            keras.utils.set_random_seed(seed)

        settings = {**data_preset(cls, spec), **overrides}  # checked above
        # `--set num_classes=K` makes sagan/ylg build their conditional twin, which
        # trains on labels: the data follow the class that will be built.
        cls = built_class(cls, settings)
        load_args, model_args = label_options(cls, spec, labelled, label_noise, noise, seed,
                                              name=model)
        model_args.update(settings)
        # What a backup must match to be resumed (not epochs: a killed run may be extended).
        run_record = {"model": model, "data": spec, "image_shape": shape,
                      "batch_size": batch_size, "seed": seed, "steps_per_epoch": steps_per_epoch,
                      "settings": model_args, "data_options": load_args, "dtype_policy": policy,
                      "defaults": cls.default_arguments(preset=True)}
        if learning_rates:  # absent when unset: older backups still match
            run_record["learning_rates"] = learning_rates
        run_dir, note = choose_run_dir(model, run_dir, run_record, overwrite)
        export_dir = export_dir or os.path.join(run_dir, "export")
        if not chief:
            run_dir = distribute.worker_dir(run_dir, strategy)
        backup_dir = os.path.join(run_dir, "backup")
        # Epoch e's batches depend only on (seed, e): a rerun of a killed run goes
        # on with the epochs after the last one its backup holds; workers, after the
        # last one all of theirs hold (a kill may land between their commits).
        finished = distribute.workers_min(callbacks.Backup.finished_epochs(backup_dir), strategy)
        callbacks.Backup.check_run(backup_dir, run_record)  # after the collective
        if finished:  # the first line a resumed run prints
            say(f"Resuming {run_dir} after epoch {finished} of {epochs}, from its backup "
                f"{backup_dir}.")
        if folder_note:
            say(folder_note)
        if note:
            say(note)
        if not chief:
            say(f"Not the chief: this worker writes to {run_dir} and exports nothing.")
        order = dict(epochs=epochs, start_epoch=min(finished, epochs - 1),
                     steps_per_epoch=steps_per_epoch)
        ds, preview_inputs = _dataset(cls, spec, shape, batch_size, seed, order, load_args)
        with strategy.scope():
            gan = keras_gans.get(model, image_shape=tuple(shape), **model_args)
            _compile(gan, learning_rates, jit, model)
        if jit and not gan.jit_compile:
            why = ("XLA does not support TF op determinism (--deterministic)" if deterministic
                   else f"{model} has layers that XLA cannot compile")
            warnings.warn(f"--jit ignored: {why}.", TrainingWarning, stacklevel=2)
            jit = False
        model_path = os.path.join(run_dir, "model.keras")
        every = max(1, epochs // 10)
        logs_dir = os.path.join(run_dir, "logs")
        state = TrainingState()
        grid = callbacks.SampleGrid(
            every_n_epochs=every, num=64, seed=0, directory=os.path.join(run_dir, "samples"),
            tensorboard_dir=logs_dir, inputs=preview_inputs, state=state,
        )
        guard = callbacks.NaNGuard(state=state)
        # A D that died (one output for every image) is otherwise silent: warn, and
        # stop after three such epochs in a row (its gradients are zero for good).
        d_check = callbacks.DiscriminatorCheck(ds, stop_after=3)
        budget = callbacks.TimeBudget(max_seconds, batch_size)
        fid = None
        if fid_every_seconds is not None:
            fid = callbacks.FIDCallback(spec, num=500, every_seconds=fid_every_seconds,
                                        tensorboard_dir=logs_dir, state=state)
        backup = callbacks.Backup(backup_dir, run=run_record, epoch=finished, state=state)
        cbs = [guard, budget, d_check, backup] + ([fid] if fid else []) + [
            grid, callbacks.PeriodicSave(model_path, every_n_epochs=every, state=state),
            keras.callbacks.TensorBoard(logs_dir, write_graph=False)]
        if model_args:
            say(f"Settings: {model_args}")
        if learning_rates:
            say("Learning rates: " + ", ".join(f"{k} {v:g}" for k, v in learning_rates.items()))
        say(
            f"Training {model} on {spec} at {shape[0]}x{shape[1]}x{shape[2]} "
            f"for {epochs} epochs (batch {batch_size}; {distribute.describe(strategy)}; "
            f"dtype {policy}{'; XLA' if jit else ''})."
        )
        # Only now: a run refused above leaves no run dir, and no finished run cleared.
        if overwrite and chief:
            clear_finished_run(run_dir)
        os.makedirs(run_dir, exist_ok=True)
        start = time.time()
        try:
            history = gan.fit(ds, epochs=epochs, callbacks=cbs,
                              steps_per_epoch=int(ds.cardinality()) // (epochs - order["start_epoch"]),
                              verbose=(1 if sys.stdout.isatty() else 2) if verbose else 0)
        except Exception as e:
            why = distribute.jit_error(e) if jit else None
            if why is None:
                raise
            raise ValueError(f"--jit: XLA could not compile {model}'s train step ({why}); "
                             "rerun without --jit.") from e
        seconds = time.time() - start
        if guard.failure is not None:
            raise NonFiniteError(guard.message(), state=state)
        gan.save(model_path)
        paths = {"run_dir": run_dir, "model": model_path, "logs": logs_dir, "backup": backup_dir}
        if fid is not None:
            paths["fid"] = os.path.join(run_dir, "fid.json")
            with open(paths["fid"], "w") as f:
                json.dump({"curve": fid.curve, "epochs": [e for e, _ in fid.values]}, f)
        from keras_gans.images import save_grid

        paths["samples"] = os.path.join(run_dir, "samples", "final.png")
        images, ncols = gan.preview_grid(64, 0, preview_inputs)
        save_grid(keras.ops.convert_to_numpy(images), paths["samples"], ncols=ncols)
        first = order["start_epoch"] + 1
        ran = max(0, budget.epochs - order["start_epoch"])
        span = (f"epoch {first}" if budget.epochs == first else
                f"epochs {first} to {budget.epochs}" if ran else f"no full epoch from {first}")
        say(f"Trained in {seconds:.1f} s: {span} of {epochs} ({ran} in this run, "
            f"{budget.images} images), " + (f"{budget.images_per_second:.0f} img/s." if budget.batches > 1
                                             else "img/s not measured (one batch: no timing after the first)."))
        if d_check.stopped_epoch:
            say(d_check.message())
        if export and chief:
            paths["saved_model"] = export_lib.saved_model(gan, export_dir)
            paths["tflite"] = export_lib.tflite(gan, os.path.join(export_dir, f"{model}.tflite"),
                                                saved_model_dir=paths["saved_model"])
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
    settings = dict(run_record, epochs=epochs, learning_rates=learning_rates,
                    strategy=strategy_name or type(strategy).__name__, jit=jit)
    return TrainingResult(model=gan, history=history, state=state, paths=paths,
                          settings=settings, seconds=seconds, epochs=budget.epochs,
                          images=budget.images, images_per_second=budget.images_per_second,
                          chief=chief, discriminator_died=d_check.stopped_epoch)
