"""benchmarks/checkpoint_fid.py refuses, with a message that says what to
pass, a model file that is not there and a folder without weights files,
before it loads TensorFlow's models or the Inception."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import checkpoint_fid  # noqa: E402


def test_a_folder_without_weights_is_refused(tmp_path):
    model = tmp_path / "model.keras"
    model.write_bytes(b"")
    with pytest.raises(SystemExit, match=r"no \*\.weights\.h5 files"):
        checkpoint_fid.main([str(model), str(tmp_path)])


def test_a_missing_model_is_refused(tmp_path):
    (tmp_path / "epoch-000001-ab.weights.h5").write_bytes(b"")
    with pytest.raises(SystemExit, match="finished run's model.keras"):
        checkpoint_fid.main([str(tmp_path / "nope.keras"), str(tmp_path)])


def test_help_runs_from_the_command_line():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "checkpoint_fid.py"), "--help"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "WEIGHTS_DIR" not in out.stderr and "weights" in out.stdout
