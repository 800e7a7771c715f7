"""`keras-gans train --d-lr/--g-lr/--c-lr/--lr GROUP=VALUE`: per-player learning rates."""

import argparse

import numpy as np
import pytest

import keras

from keras_gans import callbacks, cli, training

TINY = ["--image-size", "16", "--epochs", "1", "--steps-per-epoch", "1", "--seed", "0",
        "--no-export"]


def one_line_error(capsys, needle):
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("keras-gans: error:") and needle in lines[0], lines[0]


def test_learning_rates_reach_the_saved_optimizers_and_the_backup_record(
        tmp_path, monkeypatch, capsys):
    run = str(tmp_path / "run")
    args = ["train", "dcgan", *TINY, "--run-dir", run]
    monkeypatch.setattr(callbacks.Backup, "on_train_end", lambda self, logs=None: None)
    assert cli.main(args + ["--g-lr", "1e-3", "--d-lr", "5e-4"]) == 0  # backup left, as if killed
    model = keras.saving.load_model(f"{run}/model.keras")
    np.testing.assert_allclose(float(model.g_optimizer.learning_rate), 1e-3, rtol=1e-6)
    np.testing.assert_allclose(float(model.d_optimizer.learning_rate), 5e-4, rtol=1e-6)
    capsys.readouterr()
    # Another learning rate is another run: its backup is not resumed.
    assert cli.main(args + ["--g-lr", "2e-3", "--d-lr", "5e-4"]) == 2
    err = capsys.readouterr().err
    assert "different run" in err and "learning_rates" in err


def test_the_library_form_keeps_the_paper_rate_of_groups_not_given(tmp_path):
    result = training.run("dcgan", "digits", image_size=16, epochs=1, steps_per_epoch=1, seed=0,
                          export=False, run_dir=str(tmp_path / "run"),
                          learning_rates={"g": 3e-4}, verbose=False)
    assert not result.state.went_non_finite and result.state.last_good_epoch == 1
    assert sorted(result.paths) == ["backup", "logs", "model", "run_dir", "samples"]
    assert result.settings["learning_rates"] == {"g": 3e-4}
    model = keras.saving.load_model(result.paths["model"])
    paper = model.default_optimizers()
    np.testing.assert_allclose(float(model.g_optimizer.learning_rate), 3e-4, rtol=1e-6)
    np.testing.assert_allclose(float(model.d_optimizer.learning_rate),
                               float(paper["d"].learning_rate), rtol=1e-6)


def test_a_group_the_model_lacks_is_one_clear_line(tmp_path, capsys):
    run = tmp_path / "run"
    assert cli.main(["train", "dcgan", *TINY, "--run-dir", str(run), "--c-lr", "1e-3"]) == 2
    one_line_error(capsys, "dcgan has no optimizer group 'c'; its groups are: d, g.")
    assert not run.exists()


@pytest.mark.parametrize("flags, needle", [
    (["--lr", "g"], "--lr takes GROUP=VALUE"),
    (["--lr", "g=fast"], "--lr takes GROUP=VALUE"),
    (["--lr", "g=1e-3", "--lr", "g=2e-3"], "sets group 'g' twice"),
    (["--g-lr", "1e-3", "--lr", "g=2e-3"], "both set group 'g'"),
    (["--d-lr", "0"], "group 'd' must be a positive number"),
    (["--lr", "g=inf"], "group 'g' must be a positive number"),
])
def test_bad_learning_rate_flags_are_one_line(tmp_path, capsys, flags, needle):
    run = tmp_path / "run"
    assert cli.main(["train", "dcgan", *TINY, "--run-dir", str(run), *flags]) == 2
    one_line_error(capsys, needle)
    assert not run.exists()


def test_learning_rate_flags_parse_into_groups():
    args = cli.build_parser().parse_args(
        ["train", "triple_gan", "--c-lr", "1e-4", "--g-lr", "2e-4", "--lr", "d=3e-4"])
    assert cli._learning_rates(args) == {"c": 1e-4, "g": 2e-4, "d": 3e-4}
    assert cli._learning_rates(argparse.Namespace(lr=[], d_lr=None, g_lr=None, c_lr=None)) == {}
