"""Resuming a killed run: the data order of each epoch, the backed-up state, and
`keras-gans train --deterministic` killed with SIGKILL giving the weights of an
uninterrupted run."""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import keras
import keras_gans
from keras_gans import callbacks, cli, data

from tests.helpers import tiny_model, tiny_dataset, tiny_pair_dataset

ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONUNBUFFERED="1")


def _batches(ds):
    """Every batch of `ds` as a list of numpy arrays (tuples flattened)."""
    return [[np.asarray(t) for t in keras.tree.flatten(b)] for b in ds]


def _same(a, b):
    """Equal lists of arrays (or of lists of arrays), shapes included."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))


LOADERS = {
    "images": lambda **kw: data.load("digits", image_size=8, batch_size=64, seed=5, **kw),
    "semi-supervised": lambda **kw: data.load(
        "digits", image_size=8, batch_size=16, labels=True, labelled=30, labelled_per_batch=4,
        seed=5, **kw),
    "pairs": lambda **kw: data.load_pairs("digits-edges", image_size=8, batch_size=32, seed=5,
                                          **kw),
    "unpaired": lambda **kw: data.load_unpaired("digits-ink", image_size=8, batch_size=32,
                                                seed=5, **kw),
}


@pytest.mark.parametrize("kind", list(LOADERS))
def test_an_epochs_batches_do_not_depend_on_the_epoch_a_run_starts_at(kind):
    load = LOADERS[kind]
    steps = 6
    whole = _batches(load(epochs=4, steps_per_epoch=steps))
    assert len(whole) == 4 * steps  # exactly `steps` per epoch
    resumed = load(epochs=4, start_epoch=2, steps_per_epoch=steps)
    assert int(resumed.cardinality()) == 2 * steps
    assert _same(_batches(resumed), whole[2 * steps:])  # epochs 3 and 4, batch for batch
    again = _batches(load(epochs=4, steps_per_epoch=steps))
    assert _same(again, whole)  # and a function of the seed: the same on every load
    firsts = [whole[e * steps][0] for e in range(4)]
    assert not any(np.array_equal(firsts[i], firsts[j])  # each epoch has its own order
                   for i in range(4) for j in range(i + 1, 4))


def test_an_epoch_is_one_pass_capped_at_steps_per_epoch():
    full = data.load("digits", image_size=8, batch_size=64, seed=1, epochs=2)
    assert int(full.cardinality()) == 2 * (1797 // 64)  # 28 per epoch, none from the next
    first = np.concatenate([b.numpy() for b in full.take(28)]).reshape(28 * 64, -1)
    assert len(np.unique(first, axis=0)) == 28 * 64  # no image twice within an epoch
    capped = data.load("digits", image_size=8, batch_size=64, seed=1, epochs=2, steps_per_epoch=100)
    assert int(capped.cardinality()) == 2 * 28
    unseeded = [data.load("digits", image_size=8, batch_size=64, epochs=1, steps_per_epoch=1)
                for _ in range(2)]
    assert not _same(*[_batches(d) for d in unseeded])  # seed=None: a fresh order per run


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(start_epoch=1), "need epochs"),
        (dict(steps_per_epoch=3), "need epochs"),
        (dict(epochs=2, start_epoch=2), "below epochs"),
        (dict(epochs=0), "epochs must be"),
        (dict(epochs=2, steps_per_epoch=0), "steps_per_epoch must be"),
    ],
)
def test_bad_epoch_arguments_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.load("digits", image_size=8, **kwargs)
    with pytest.raises(ValueError, match=message):
        data.load_unpaired("digits-ink", image_size=8, **kwargs)


class _Crash(keras.callbacks.Callback):
    """Raises at the start of epoch `at` (0-based), as a kill would stop the run."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at:
            raise KeyboardInterrupt


def _state(model, seeds=True):
    """Every variable of the model and of its optimizers; with `seeds`, the
    states of its seed generators too (a `.keras` file does not hold them)."""
    variables = list(model.variables)  # layers' weights and their seed generators' states
    for _, value in sorted(vars(model).items()):
        if isinstance(value, keras.optimizers.Optimizer):
            variables += list(value.variables)
    if not seeds:
        skip = {id(g.state) for g in callbacks.seed_generators(model)}
        variables = [v for v in variables if id(v) not in skip]
    return [np.array(v.numpy()) for v in variables]


@pytest.mark.parametrize("name", ["began", "cyclegan"])
def test_backup_restores_weights_optimizers_and_random_state(name, tmp_path):
    trained = tiny_model(name)
    ds = tiny_pair_dataset(trained.image_shape) if name == "cyclegan" else tiny_dataset(
        trained.image_shape)
    with pytest.raises(KeyboardInterrupt):
        trained.fit(ds, epochs=3, verbose=0, callbacks=[callbacks.Backup(str(tmp_path)), _Crash(2)])
    expected = _state(trained)
    assert callbacks.Backup.finished_epochs(str(tmp_path)) == 2

    fresh = tiny_model(name)
    seeds = [g.state.numpy() for g in callbacks.seed_generators(trained)]
    assert not _same([g.state.numpy() for g in callbacks.seed_generators(fresh)], seeds)
    backup = callbacks.Backup(str(tmp_path))
    backup.set_model(fresh)
    backup.on_train_begin()
    assert fresh._initial_epoch == 2
    assert _same(_state(fresh), expected)
    if name == "began":
        assert float(fresh.k_t) == float(trained.k_t) != 0.0
    else:
        assert int(fresh.pool_a.count) == int(trained.pool_a.count) > 0
        assert len(callbacks.seed_generators(fresh)) == 3  # the model's and both pools'


def test_a_backup_interrupted_while_being_written_keeps_the_previous_one(tmp_path, monkeypatch):
    model = tiny_model("dcgan", image_shape=(16, 16, 1))
    backup = callbacks.Backup(str(tmp_path / "b"))
    with pytest.raises(KeyboardInterrupt):
        model.fit(tiny_dataset((16, 16, 1)), epochs=3, verbose=0, callbacks=[backup, _Crash(1)])
    expected = _state(model)

    def killed(*args, **kwargs):  # dies after the new weights, before the commit
        raise KeyboardInterrupt

    monkeypatch.setattr(json, "dump", killed)
    with pytest.raises(KeyboardInterrupt):
        backup.on_epoch_end(1, {"d_loss": 1.0})
    monkeypatch.undo()
    assert callbacks.Backup.finished_epochs(str(tmp_path / "b")) == 1
    fresh = tiny_model("dcgan", image_shape=(16, 16, 1))
    restore = callbacks.Backup(str(tmp_path / "b"))
    restore.set_model(fresh)
    restore.on_train_begin()
    assert fresh._initial_epoch == 1 and _same(_state(fresh), expected)


def test_a_non_finite_run_keeps_its_backup_and_a_finished_one_removes_it(tmp_path):
    model = tiny_model("dcgan", image_shape=(16, 16, 1))
    x = np.zeros((16, 16, 16, 1), "float32")
    x[8:] = np.nan  # the second epoch's batch
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices(x).batch(8)
    backup = callbacks.Backup(str(tmp_path / "b"))
    model.fit(ds, epochs=1, verbose=0,
              callbacks=[callbacks.NaNGuard(), backup])
    assert callbacks.Backup.finished_epochs(str(tmp_path / "b")) == 0  # never backed up
    model = tiny_model("dcgan", image_shape=(16, 16, 1))
    good = tf.data.Dataset.from_tensor_slices(np.zeros((8, 16, 16, 1), "float32")).batch(8)
    model.fit(good.concatenate(ds.skip(1)).repeat(), epochs=3, steps_per_epoch=1, verbose=0,
              callbacks=[callbacks.NaNGuard(), backup])
    assert model._went_non_finite
    assert callbacks.Backup.finished_epochs(str(tmp_path / "b")) == 1  # kept for a rerun
    model = tiny_model("dcgan", image_shape=(16, 16, 1))
    model.fit(good.repeat(), epochs=3, steps_per_epoch=1, verbose=0, callbacks=[backup])
    assert not os.listdir(tmp_path)  # resumed at epoch 2, finished, removed (no leftovers)


def test_a_rerun_after_all_epochs_were_backed_up_trains_nothing(tmp_path, monkeypatch, capsys):
    args = ["train", "dcgan", "--image-size", "16", "--epochs", "2", "--steps-per-epoch", "2",
            "--seed", "0", "--no-export", "--run-dir", str(tmp_path / "run")]
    monkeypatch.setattr(callbacks.Backup, "on_train_end", lambda self, logs=None: None)
    assert cli.main(args) == 0  # as if killed after the last backup, before its removal
    assert callbacks.Backup.finished_epochs(str(tmp_path / "run" / "backup")) == 2
    model_path = str(tmp_path / "run" / "model.keras")
    before = _state(keras.saving.load_model(model_path), seeds=False)
    monkeypatch.undo()
    capsys.readouterr()
    assert cli.main(args) == 0
    assert "Epoch " not in capsys.readouterr().out  # no epoch trained again
    assert _same(_state(keras.saving.load_model(model_path), seeds=False), before)
    assert not os.path.exists(tmp_path / "run" / "backup")


def test_deterministic_run_killed_with_sigkill_and_rerun_ends_with_the_same_weights(tmp_path):
    def command(run):
        return [sys.executable, "-m", "keras_gans.cli", "train", "dcgan", "--image-size", "16",
                "--epochs", "4", "--steps-per-epoch", "3", "--deterministic", "--no-export",
                "--run-dir", run]

    whole = subprocess.run(command("whole"), cwd=tmp_path, env=ENV, capture_output=True,
                           text=True, timeout=600)
    assert whole.returncode == 0, whole.stderr

    p = subprocess.Popen(command("killed"), cwd=tmp_path, env=ENV, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    for line in p.stdout:
        if line.startswith("Epoch 3/"):  # epochs 1 and 2 finished and backed up
            os.kill(p.pid, signal.SIGKILL)
            break
    p.wait(timeout=120)
    assert p.returncode == -signal.SIGKILL
    finished = callbacks.Backup.finished_epochs(str(tmp_path / "killed" / "backup"))
    assert finished in (2, 3)  # 3 if epoch 3 ended before the signal landed

    r = subprocess.run(command("killed"), cwd=tmp_path, env=ENV, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    epochs = [line.split()[1] for line in r.stdout.splitlines() if line.startswith("Epoch ")]
    assert epochs == [f"{e}/4" for e in range(finished + 1, 5)]

    a = keras.saving.load_model(str(tmp_path / "whole" / "model.keras"))
    b = keras.saving.load_model(str(tmp_path / "killed" / "model.keras"))
    assert int(b.g_optimizer.iterations) == int(a.g_optimizer.iterations) == 12
    # Bit for bit: the resumed run repeats the same float ops on the same
    # inputs (restored exactly: float32 weights, integer seed states, the same
    # batches), so any difference is a bug, not rounding.
    wa, wb = _state(a, seeds=False), _state(b, seeds=False)
    assert len(wa) == len(wb) > 0
    for x, y in zip(wa, wb):
        np.testing.assert_array_equal(x, y)


def test_a_backup_of_another_run_is_refused_not_resumed(tmp_path):
    run = {"model": "dcgan", "batch_size": 8, "settings": {"image_shape": (16, 16, 1)}}
    model = tiny_model("dcgan", image_shape=(16, 16, 1))
    with pytest.raises(KeyboardInterrupt):
        model.fit(tiny_dataset((16, 16, 1)), epochs=3, verbose=0,
                  callbacks=[callbacks.Backup(str(tmp_path), run=run), _Crash(1)])
    callbacks.Backup.check_run(str(tmp_path), run)  # the same run (tuples read back as lists)
    callbacks.Backup.check_run(str(tmp_path), None)  # no run to compare: passes
    other = dict(run, batch_size=16, seed=3)
    with pytest.raises(ValueError, match=r"batch_size: 8 then, 16 now; .*seed: '\(not set\)' "
                                         r"then, 3 now\).*after 1 epochs.*remove the folder"):
        callbacks.Backup.check_run(str(tmp_path), other)
    restore = callbacks.Backup(str(tmp_path), run=other)
    restore.set_model(tiny_model("dcgan", image_shape=(16, 16, 1)))
    with pytest.raises(ValueError, match="different run"):
        restore.on_train_begin()  # the Python API refuses it too
    fresh = tiny_model("dcgan", image_shape=(16, 16, 1))
    same = callbacks.Backup(str(tmp_path), run=run)
    same.set_model(fresh)
    same.on_train_begin()
    assert fresh._initial_epoch == 1


def test_the_cli_refuses_another_commands_backup_and_extends_its_own(tmp_path, monkeypatch,
                                                                     capsys):
    args = ["train", "dcgan", "--image-size", "16", "--epochs", "2", "--steps-per-epoch", "2",
            "--seed", "0", "--no-export", "--run-dir", str(tmp_path / "run")]
    monkeypatch.setattr(callbacks.Backup, "on_train_end", lambda self, logs=None: None)
    assert cli.main(args) == 0  # leaves its backup, as a kill after epoch 2 would
    capsys.readouterr()
    assert cli.main(args + ["--batch-size", "32"]) == 2
    err = capsys.readouterr().err
    assert "batch_size: 64 then, 32 now" in err and "remove the folder" in err
    assert cli.main(args + ["--set", "g_width=8"]) == 2
    # The settings hold dcgan's digits data preset, then the --set.
    preset = keras_gans.models.DCGAN.data_presets["digits"]
    assert f"settings: {preset} then, {dict(preset, g_width=8)} now" in capsys.readouterr().err
    assert callbacks.Backup.finished_epochs(str(tmp_path / "run" / "backup")) == 2  # untouched
    monkeypatch.undo()
    longer = list(args)
    longer[longer.index("--epochs") + 1] = "3"
    assert cli.main(longer) == 0  # more epochs of the same run: resumed, not refused
    epochs = [ln.split()[1] for ln in capsys.readouterr().out.splitlines()
              if ln.startswith("Epoch ")]
    assert epochs == ["3/3"]


class _Snapshots(keras.callbacks.Callback):
    """The model's state at the end of every epoch (after the backup, which runs first)."""

    def __init__(self):
        super().__init__()
        self.states = {}

    def on_epoch_end(self, epoch, logs=None):
        self.states[epoch + 1] = _state(self.model)


def test_a_backup_keeps_the_epoch_before_and_resumes_from_either(tmp_path):
    snapshots = _Snapshots()
    model = tiny_model("dcgan", image_shape=(16, 16, 1))
    with pytest.raises(KeyboardInterrupt):
        model.fit(tiny_dataset((16, 16, 1)), epochs=4, verbose=0,
                  callbacks=[callbacks.Backup(str(tmp_path)), snapshots, _Crash(3)])
    assert callbacks.Backup.held_epochs(str(tmp_path)) == [2, 3]
    assert len([f for f in os.listdir(tmp_path) if f.endswith(".weights.h5")]) == 2
    assert callbacks.Backup.finished_epochs(str(tmp_path)) == 3
    for epoch in (3, 2):
        fresh = tiny_model("dcgan", image_shape=(16, 16, 1))
        restore = callbacks.Backup(str(tmp_path), epoch=epoch)
        restore.set_model(fresh)
        restore.on_train_begin()
        assert fresh._initial_epoch == epoch
        assert _same(_state(fresh), snapshots.states[epoch])
    assert not _same(snapshots.states[2], snapshots.states[3])
    fresh = tiny_model("dcgan", image_shape=(16, 16, 1))
    before = _state(fresh)
    afresh = callbacks.Backup(str(tmp_path), epoch=0)
    afresh.set_model(fresh)
    afresh.on_train_begin()
    assert not fresh._initial_epoch and _same(_state(fresh), before)  # nothing restored
    gone = callbacks.Backup(str(tmp_path), epoch=1)
    gone.set_model(tiny_model("dcgan", image_shape=(16, 16, 1)))
    with pytest.raises(ValueError, match=r"epoch 1: .* holds epochs \[2, 3\]"):
        gone.on_train_begin()

    # Restarted from epoch 2, the next backup (epoch 3 again) keeps epoch 2 as
    # the one before, not the stale epoch 3 it replaces.
    resumed = tiny_model("dcgan", image_shape=(16, 16, 1))
    with pytest.raises(KeyboardInterrupt):
        resumed.fit(tiny_dataset((16, 16, 1)), epochs=4, verbose=0,
                    callbacks=[callbacks.Backup(str(tmp_path), epoch=2), _Crash(3)])
    assert callbacks.Backup.held_epochs(str(tmp_path)) == [2, 3]


def test_a_backup_from_other_defaults_is_refused_with_what_changed(tmp_path):
    # A preset that changes between a kill and the rerun (wgan_gp's n_critic 5 ->
    # 1 with an EMA of G did) must not restore weights of another model: the
    # run record holds the constructor defaults, and a backup whose weights do
    # not fit says so instead of Keras' "objects could not be loaded".
    run = {"model": "dcgan", "batch_size": 8, "defaults": {"n_critic": 5, "ema": None}}
    model = tiny_model("dcgan", image_shape=(16, 16, 1))
    with pytest.raises(KeyboardInterrupt):
        model.fit(tiny_dataset((16, 16, 1)), epochs=3, verbose=0,
                  callbacks=[callbacks.Backup(str(tmp_path), run=run), _Crash(1)])
    changed = dict(run, defaults={"n_critic": 1, "ema": 0.999})
    with pytest.raises(ValueError, match=r"defaults: \{'n_critic': 5, 'ema': None\} then, "
                                         r"\{'n_critic': 1, 'ema': 0.999\} now"):
        callbacks.Backup.check_run(str(tmp_path), changed)
    # An argument the class gained since (absent from the backup's defaults)
    # is not a change: upgrading keras-gans keeps a killed run resumable.
    callbacks.Backup.check_run(str(tmp_path), dict(run, defaults={**run["defaults"],
                                                                  "latent_mixture": 0}))
    with pytest.raises(ValueError, match=r"defaults: .*'n_critic': 5.*then, .*'n_critic': 1"):
        callbacks.Backup.check_run(str(tmp_path), dict(changed, defaults={**changed["defaults"],
                                                                          "latent_mixture": 0}))
    # A backup written before runs recorded their defaults still resumes.
    older = {k: v for k, v in run.items() if k != "defaults"}
    with open(tmp_path / "training_metadata.json") as f:
        meta = json.load(f)
    meta["run"] = older
    with open(tmp_path / "training_metadata.json", "w") as f:
        json.dump(meta, f)
    callbacks.Backup.check_run(str(tmp_path), changed)
    # ... and if its weights are not this model's, the error names the backup
    # and what to do.
    restore = callbacks.Backup(str(tmp_path), run=changed)
    restore.set_model(tiny_model("dcgan", image_shape=(16, 16, 1), ema=0.999))
    with pytest.raises(ValueError, match=r"does not fit this model: .*Remove the folder"):
        restore.on_train_begin()


def test_every_models_defaults_are_plain_json():
    # The run record compares the defaults through JSON; an object there would
    # turn into a string with its memory address and refuse every resume.
    import keras_gans
    from keras_gans import registry

    for name in keras_gans.list_models():
        defaults = registry.entry(name).cls.default_arguments(preset=True)
        assert json.loads(json.dumps(defaults)) is not None, name
