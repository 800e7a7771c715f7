"""Faults and reproducibility: NaN runs keep the last good files; --deterministic repeats."""

import hashlib
import os

import numpy as np
import tensorflow as tf

from keras_gans import callbacks, cli, data

from tests.helpers import tiny_model


def _digest(path):
    h = hashlib.sha256()
    for root, _, files in sorted(os.walk(path)):
        for f in sorted(files):
            with open(os.path.join(root, f), "rb") as fh:
                h.update(f.encode() + fh.read())
    return h.hexdigest()


def test_nan_guard_stops_at_the_first_bad_batch():
    model = tiny_model("dcgan", image_shape=(16, 16, 1))
    x = np.zeros((64, 16, 16, 1), "float32")
    x[40:] = np.nan  # batches 6, 7 and 8 of 8
    ds = tf.data.Dataset.from_tensor_slices(x).batch(8)
    guard = callbacks.NaNGuard()
    model.fit(ds, epochs=3, callbacks=[guard], verbose=0)
    assert guard.failure is not None and guard.failure["epoch"] == 1 and guard.failure["batch"] == 6
    assert "non-finite" in guard.message() and "learning rate" in guard.message()


def test_cli_keeps_the_previous_export_and_checkpoint_when_training_goes_nan(
        tmp_path, monkeypatch, capsys):
    args = ["train", "dcgan", "--image-size", "16", "--epochs", "2", "--steps-per-epoch", "2",
            "--seed", "0", "--run-dir", str(tmp_path / "run"), "--export-dir", str(tmp_path / "sm")]
    assert cli.main(args) == 0
    before_export, before_model = _digest(tmp_path / "sm"), _digest(tmp_path / "run" / "model.keras")

    real_load = data.load

    def poisoned(*a, **kw):
        return real_load(*a, **kw).map(lambda x: x * np.float32("nan"))

    monkeypatch.setattr(data, "load", poisoned)
    capsys.readouterr()
    assert cli.main(args + ["--overwrite"]) == 2  # the run dir holds the finished run
    err = capsys.readouterr().err
    assert "non-finite" in err and "epoch 1, batch 1" in err and "Traceback" not in err
    assert _digest(tmp_path / "sm") == before_export  # no new version, .tflite untouched
    assert _digest(tmp_path / "run" / "model.keras") == before_model


def test_deterministic_runs_give_identical_weights(tmp_path):
    import keras

    from tests.test_cli import cli

    for run in ("a", "b"):
        r = cli("train", "dcgan", "--image-size", "16", "--epochs", "2", "--steps-per-epoch", "3",
                "--deterministic", "--no-export", "--run-dir", run, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    a = keras.saving.load_model(str(tmp_path / "a" / "model.keras"))
    b = keras.saving.load_model(str(tmp_path / "b" / "model.keras"))
    for wa, wb in zip(a.weights, b.weights):
        np.testing.assert_array_equal(np.asarray(wa), np.asarray(wb))


def test_kill_9_then_rerun_resumes_after_the_last_finished_epoch(tmp_path):
    import signal
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "keras_gans.cli", "train", "dcgan", "--image-size", "16",
           "--epochs", "6", "--steps-per-epoch", "20", "--seed", "0", "--no-export",
           "--run-dir", "run"]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONUNBUFFERED="1")
    p = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, env=env)
    for line in p.stdout:
        if line.startswith("Epoch 4/"):  # epochs 1-3 finished and backed up
            os.kill(p.pid, signal.SIGKILL)
            break
    p.wait(timeout=120)
    assert p.returncode == -signal.SIGKILL
    assert os.path.isdir(tmp_path / "run" / "backup")
    r = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    epochs = [line.split()[1] for line in r.stdout.splitlines() if line.startswith("Epoch ")]
    assert epochs == ["4/6", "5/6", "6/6"]  # no finished epoch repeated
    assert not os.path.exists(tmp_path / "run" / "backup")  # removed after a finished run
