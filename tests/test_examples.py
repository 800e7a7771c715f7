"""The README's example scripts run (one short epoch each) and write their grids."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize(
    "script,args,output",
    [
        ("dcgan_digits.py", ["--epochs", "1", "--out", "runs/ex"], "runs/ex/grid.png"),
        ("loss_variants.py", ["--models", "lsgan", "--epochs", "1"], "runs/examples/lsgan.png"),
        ("conditional_digits.py", ["--epochs", "1"], "runs/examples/cgan_rows.png"),
        ("translate_digits.py", ["--epochs", "1", "--steps-per-epoch", "2"],
         "runs/examples/cyclegan_translations.png"),
    ],
)
def test_example_runs(tmp_path, script, args, output):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "examples", script), *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert os.path.getsize(tmp_path / output) > 0
