"""The keras-gans command, run as a user would: in a subprocess. Error paths
call `keras_gans.cli.main` in this process (the `cli_main` fixture)."""

import os
import subprocess
import sys

import pytest

ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")


def cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "keras_gans.cli", *args],
        cwd=cwd, env=ENV, capture_output=True, text=True, timeout=600,
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("cli")
    r = cli("train", "dcgan", "--image-size", "16", "--epochs", "2", "--steps-per-epoch", "2",
            "--seed", "0", cwd=cwd)
    assert r.returncode == 0, r.stderr
    return cwd, r


def test_list_shows_models(tmp_path, cli_main):
    r = cli_main("list", cwd=tmp_path)
    assert r.returncode == 0
    names = [line.split()[0] for line in r.stdout.splitlines()]
    for n in ("gan", "dcgan", "lsgan", "wgan_gp"):
        assert n in names


def test_train_writes_default_paths(trained):
    cwd, r = trained
    assert os.path.isfile(cwd / "runs" / "dcgan" / "model.keras")
    assert os.path.isfile(cwd / "runs" / "dcgan" / "samples" / "final.png")
    assert os.path.isfile(cwd / "runs" / "dcgan" / "export" / "1" / "saved_model.pb")
    assert os.path.isfile(cwd / "runs" / "dcgan" / "export" / "dcgan.tflite")
    for label in ("model:", "samples:", "saved_model:", "tflite:"):
        assert label in r.stdout


@pytest.mark.parametrize(
    "source", ["runs/dcgan/model.keras", "runs/dcgan/export", "runs/dcgan/export/1",
               "runs/dcgan/export/dcgan.tflite"],
)
def test_sample_from_every_format(trained, source, cli_main):
    cwd, _ = trained
    out = f"grid_{source.replace('/', '_')}.png"
    run = cli if source.endswith(".tflite") else cli_main  # one real subprocess
    r = run("sample", source, "--num", "9", "--out", out, "--seed", "1", cwd=cwd)
    assert r.returncode == 0, r.stderr
    from PIL import Image

    assert Image.open(cwd / out).size[0] >= 256


def test_export_both_formats(trained, cli_main):
    cwd, _ = trained
    r = cli_main("export", "runs/dcgan/model.keras", "--format", "saved_model", "--out", "exp",
                 cwd=cwd)
    assert r.returncode == 0, r.stderr
    assert os.path.isfile(cwd / "exp" / "1" / "saved_model.pb")
    r = cli_main("export", "runs/dcgan/model.keras", "--format", "tflite", "--out", "m.tflite", cwd=cwd)
    assert r.returncode == 0, r.stderr
    assert os.path.getsize(cwd / "m.tflite") > 1000


@pytest.mark.parametrize(
    "args,needle",
    [
        (["train", "dcgn"], "Did you mean 'dcgan'"),
        (["train", "dcgan", "--data", "svhn"], "Unknown data spec"),
        (["train", "dcgan", "--data", "folder:nowhere"], "does not exist"),
        (["train", "dcgan", "--data", "folder:empty"], "no image files"),
        (["train", "dcgan", "--data", "folder:corrupt"], "none could be read"),
        (["train", "dcgan", "--channels", "2"], "invalid choice"),
        (["train", "dcgan", "--image-size", "36"], "Unsupported image size"),
        (["train", "dcgan", "--epochs", "0"], "positive"),
        (["sample", "missing.keras", "--out", "x.png"], "does not exist"),
        (["sample", "empty", "--out", "x.png"], "holds no SavedModel"),
        (["export", "missing.keras", "--format", "tflite"], "does not exist"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, args, needle, cli_main):
    (tmp_path / "empty").mkdir()
    (tmp_path / "corrupt").mkdir()
    (tmp_path / "corrupt" / "a.png").write_bytes(b"not a png")
    r = cli_main(*args, cwd=tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    assert needle in lines[0]
    assert "Traceback" not in r.stderr


def test_debug_shows_traceback(tmp_path):
    r = cli("--debug", "train", "dcgn", cwd=tmp_path)
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_set_none_is_the_choice_none_where_an_argument_takes_that_string(tmp_path, cli_main):
    # `--set g_normalization=none` reads None; began's normalization takes the
    # strings "batch" and "none" and was refusing None ("must be one of
    # 'batch', 'none'; got None"). Where an argument's own default is None
    # (`ema`), None stays None.
    r = cli_main("train", "began", "--image-size", "16", "--epochs", "1", "--steps-per-epoch", "1",
                 "--no-export", "--set", "g_normalization=none", "--set", "ema=none",
                 "--set", "g_width=4", "--set", "d_width=4", "--set", "latent_dim=8",
                 "--set", "code_dim=8", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    import keras

    import keras_gans  # noqa: F401  (registers the classes)

    model = keras.saving.load_model(tmp_path / "runs" / "began" / "model.keras")
    assert model.get_config()["g_normalization"] == "none"
    assert model.get_config()["ema"] is None
    assert not [layer for layer in model.generator.layers if "batch" in type(layer).__name__.lower()]
    # The registry preset's G (batch) does have them: the setting took effect.
    preset = keras_gans.get("began", image_shape=(16, 16, 1), g_width=4, d_width=4, latent_dim=8,
                            code_dim=8)
    assert [layer for layer in preset.generator.layers if "batch" in type(layer).__name__.lower()]


def test_set_reads_literals_and_shell_spellings_of_bools():
    from keras_gans.cli import _overrides

    got = _overrides(["average=true", "a=FALSE", "b=None", "c=null", "g=NONE", "d=(2, 2)", "e=0.5",
                      "loss=hinge", "f=truest"])
    assert got == {"average": True, "a": False, "b": None, "c": None, "g": None, "d": (2, 2), "e": 0.5,
                   "loss": "hinge", "f": "truest"}
    assert got["average"] is True and got["a"] is False
