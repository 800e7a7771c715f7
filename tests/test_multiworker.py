"""Two worker processes on localhost train dcgan with MultiWorkerMirroredStrategy
through `keras-gans train --strategy multiworker` (TF_CONFIG), as two hosts would."""

import glob
import json
import os
import socket
import subprocess
import sys

import numpy as np

import keras
import keras_gans  # noqa: F401 - registers the model classes for load_model
from keras_gans.callbacks import Backup

TIMEOUT = 600


def free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def start_workers(cwd, tmpdir, args, n=2, stderr=subprocess.PIPE):
    """Starts `n` `keras-gans train` workers of one cluster; returns their Popen objects."""
    cluster = {"worker": [f"localhost:{free_port()}" for _ in range(n)]}
    procs = []
    for i in range(n):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TMPDIR=str(tmpdir), PYTHONUNBUFFERED="1",
                   TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}}))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "keras_gans.cli", "train", *args], cwd=cwd, env=env,
            stdout=subprocess.PIPE, stderr=stderr, text=True))
    return procs


def launch_workers(cwd, tmpdir, args, n=2):
    """Runs `n` `keras-gans train` workers to the end; returns (exit code, stdout, stderr) each."""
    procs = start_workers(cwd, tmpdir, args, n)
    results = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=TIMEOUT)
            results.append((p.returncode, out, err))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return results


def line_value(stdout, key):
    for line in stdout.splitlines():
        if line.startswith(key):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {key!r} line in:\n{stdout}")


def epoch_logs(stdout):
    return [line.split("step - ", 1)[1] for line in stdout.splitlines() if "step - d_loss" in line]


def test_two_workers_train_the_same_model_and_only_the_chief_writes(tmp_path):
    cwd, tmpdir = tmp_path / "run", tmp_path / "tmp"
    cwd.mkdir()
    tmpdir.mkdir()
    results = launch_workers(cwd, tmpdir, [
        "dcgan", "--strategy", "multiworker", "--image-size", "16", "--epochs", "2",
        "--steps-per-epoch", "3", "--seed", "0", "--jit"])
    for i, (code, out, err) in enumerate(results):
        assert code == 0, f"worker {i} exited {code}:\n{out}\n{err}"
        assert "Traceback" not in err
        assert "MultiWorkerMirroredStrategy, 2 replicas on 2 workers" in out
        # --jit under two replicas: one warning line, then training without XLA.
        jit_lines = [line for line in err.splitlines() if "--jit" in line]
        assert len(jit_lines) == 1, err
        assert jit_lines[0].startswith("keras-gans: warning: --jit ignored: XLA fails")
    (_, chief_out, _), (_, worker_out, _) = results

    # The same synchronized training: the same global losses logged, epoch by epoch.
    logs = epoch_logs(chief_out)
    assert len(logs) == 2 and logs[0] != logs[1]
    assert epoch_logs(worker_out) == logs

    # The chief writes into its run dir; the worker into a temp dir of its own.
    chief_model = cwd / "runs" / "dcgan" / "model.keras"
    assert line_value(chief_out, "model:") == os.path.join("runs", "dcgan", "model.keras")
    worker_model = line_value(worker_out, "model:")
    assert worker_model.startswith(str(tmpdir)) and os.path.isfile(worker_model)
    assert "Not the chief" in worker_out
    assert line_value(worker_out, "samples:").startswith(str(tmpdir))
    assert (cwd / "runs" / "dcgan" / "samples" / "final.png").is_file()
    assert (cwd / "runs" / "dcgan" / "logs").is_dir()

    a = keras.saving.load_model(chief_model)
    b = keras.saving.load_model(worker_model)
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb) > 0
    for x, y in zip(wa, wb):
        np.testing.assert_array_equal(x, y)

    # One export, the chief's: no SavedModel or .tflite anywhere else.
    exports = sorted(
        os.path.relpath(os.path.join(root, f), tmp_path)
        for root, _, files in os.walk(tmp_path) for f in files
        if f == "saved_model.pb" or f.endswith(".tflite"))
    assert exports == [os.path.join("run", "runs", "dcgan", "export", "1", "saved_model.pb"),
                       os.path.join("run", "runs", "dcgan", "export", "dcgan.tflite")]
    assert line_value(worker_out, "saved_model:").startswith("none")
    # Nothing of the worker's landed in the chief's run dir.
    assert not any("worker" in name for name in os.listdir(cwd / "runs" / "dcgan"))


def test_workers_killed_between_their_backups_resume_at_the_same_epoch(tmp_path):
    cwd, tmpdir = tmp_path / "run", tmp_path / "tmp"
    cwd.mkdir()
    tmpdir.mkdir()
    args = ["dcgan", "--strategy", "multiworker", "--image-size", "16", "--epochs", "4",
            "--steps-per-epoch", "3", "--seed", "0", "--no-export"]
    with open(tmp_path / "killed.err", "w") as err:
        procs = start_workers(cwd, tmpdir, args, stderr=err)
        try:
            for line in procs[0].stdout:
                if line.startswith("Epoch 3/"):  # epochs 1 and 2 backed up on both
                    break
        finally:
            for p in procs:
                p.kill()
                p.wait()
    chief_backup = str(cwd / "runs" / "dcgan" / "backup")
    (worker_backup,) = glob.glob(str(tmpdir / "keras-gans-worker-1-*" / "dcgan" / "backup"))
    assert Backup.finished_epochs(chief_backup) >= 2 and Backup.finished_epochs(worker_backup) >= 2
    # As if the kill had landed after the chief's commit and before the worker's:
    # the worker's record goes back to its previous backup.
    record = os.path.join(worker_backup, "training_metadata.json")
    with open(record) as f:
        meta = json.load(f)
    if meta["epoch"] == Backup.finished_epochs(chief_backup):
        with open(record, "w") as f:
            json.dump(dict(meta["previous"], run=meta["run"]), f)
    behind = Backup.finished_epochs(worker_backup)
    assert behind == Backup.finished_epochs(chief_backup) - 1

    results = launch_workers(cwd, tmpdir, args)  # the same command again, on both
    for i, (code, out, err) in enumerate(results):
        assert code == 0, f"worker {i} exited {code}:\n{out}\n{err}"
        epochs = [line.split()[1] for line in out.splitlines() if line.startswith("Epoch ")]
        assert epochs == [f"{e}/4" for e in range(behind + 1, 5)]  # both from the same epoch
    (_, chief_out, _), (_, worker_out, _) = results
    assert epoch_logs(worker_out) == epoch_logs(chief_out)
    a = keras.saving.load_model(str(cwd / line_value(chief_out, "model:")))
    b = keras.saving.load_model(line_value(worker_out, "model:"))
    assert int(a.g_optimizer.iterations) == int(b.g_optimizer.iterations) == 12
    for x, y in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(x, y)
