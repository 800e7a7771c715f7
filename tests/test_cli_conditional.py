"""The keras-gans command with conditional models.

Training runs in a subprocess, as a user would run it; the many sampling
checks call `keras_gans.cli.main` in this process (the same code path, without
paying TensorFlow's start-up for each)."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")


def cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "keras_gans.cli", *args],
        cwd=cwd, env=ENV, capture_output=True, text=True, timeout=900,
    )


class _Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def main(args, cwd, capsys, monkeypatch):
    from keras_gans import cli as cli_lib

    monkeypatch.chdir(cwd)
    capsys.readouterr()
    code = cli_lib.main(list(args))
    out = capsys.readouterr()
    return _Result(code, out.out, out.err)


def one_line_error(r, needle):
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    assert needle in lines[0], lines[0]
    assert "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("cli_cond")
    r = cli("train", "cgan", "--image-size", "16", "--epochs", "1", "--steps-per-epoch", "2",
            "--seed", "0", "--label-noise", "0.2", cwd=cwd)
    assert r.returncode == 0, r.stderr
    return cwd


def test_train_writes_a_conditional_model(trained):
    assert os.path.isfile(trained / "runs" / "cgan" / "samples" / "final.png")
    assert os.path.isfile(trained / "runs" / "cgan" / "export" / "1" / "assets.extra" / "keras_gans.json")
    assert os.path.isfile(trained / "runs" / "cgan" / "export" / "cgan.tflite")


@pytest.mark.parametrize("source", ["runs/cgan/export", "runs/cgan/export/cgan.tflite"])
def test_sample_one_row_per_label(trained, source, capsys, monkeypatch):
    out = f"rows_{os.path.basename(source)}.png"
    args = ("sample", source, "--labels", "0,3,7", "--num", "5", "--seed", "1", "--out", out)
    if source.endswith(".tflite"):  # one real subprocess
        r = cli(*args, cwd=trained)
    else:
        r = main(args, trained, capsys, monkeypatch)
    assert r.returncode == 0, r.stderr
    img = np.asarray(Image.open(trained / out))
    # 3 rows of 5 tiles of 16 px with 2 px padding, scaled up by an integer
    scale = img.shape[1] // (5 * 18 + 2)
    assert img.shape[:2] == ((3 * 18 + 2) * scale, (5 * 18 + 2) * scale)


@pytest.mark.parametrize(
    "args,needle",
    [
        (["runs/cgan/export"], "pass --labels with classes 0 to 9"),
        (["runs/cgan/export/cgan.tflite", "--labels", "0,10"], "Label 10 is out of range"),
        (["runs/cgan/model.keras", "--labels", "-1"], "Label -1 is out of range"),
        (["runs/cgan/export", "--labels", "one,two"], "comma-separated"),
        (["runs/cgan/export", "--vary-code", "0"], "--vary-code is for InfoGAN"),
    ],
)
def test_sample_label_errors_are_one_line(trained, args, needle, capsys, monkeypatch):
    one_line_error(main(["sample", *args, "--out", "x.png"], trained, capsys, monkeypatch), needle)


def test_unconditional_model_refuses_label_flags(tmp_path, capsys, monkeypatch):
    one_line_error(main(["train", "dcgan", "--labelled", "10"], tmp_path, capsys, monkeypatch),
                   "unlabelled images")


def test_infogan_vary_code_grid(tmp_path, capsys, monkeypatch):
    r = main(["train", "infogan", "--image-size", "16", "--epochs", "1", "--steps-per-epoch", "1",
              "--no-export"], tmp_path, capsys, monkeypatch)
    assert r.returncode == 0, r.stderr
    r = main(["sample", "runs/infogan/model.keras", "--vary-code", "0", "--num", "2",
              "--out", "sweep.png"], tmp_path, capsys, monkeypatch)
    assert r.returncode == 0, r.stderr
    img = np.asarray(Image.open(tmp_path / "sweep.png"))
    scale = img.shape[1] // (10 * 18 + 2)
    assert img.shape[:2] == ((2 * 18 + 2) * scale, (10 * 18 + 2) * scale)
    one_line_error(
        main(["sample", "runs/infogan/model.keras", "--vary-code", "3", "--out", "x.png"],
             tmp_path, capsys, monkeypatch),
        "not a code",
    )
    one_line_error(
        main(["sample", "runs/infogan/model.keras", "--labels", "1", "--out", "x.png"],
             tmp_path, capsys, monkeypatch),
        "takes no --labels",
    )
