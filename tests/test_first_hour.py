"""A new user's first hour (issue 14): runs never touch tracked files or the
shipped models, never mix into another run, say when they resume, and count
what they trained; `list` matches parts of names.

Training here is in-process (`keras_gans.training.run` or the `cli_main`
fixture) on tiny settings: 16 px, 1-3 epochs of 2 steps.
"""

import os
import shutil
import subprocess

import pytest

from conftest import assert_one_clear_line, tree_snapshot
from keras_gans import training
from keras_gans.training import callbacks as training_callbacks

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = ("--epochs", "1", "--steps-per-epoch", "2", "--image-size", "16", "--seed", "0")


def tiny_run(**kwargs):
    kwargs = dict(dict(epochs=1, steps_per_epoch=2, image_size=16, seed=0, export=False,
                       verbose=True), **kwargs)
    return training.run("dcgan", "digits", **kwargs)


@pytest.mark.skipif(shutil.which("git") is None or not os.path.isdir(os.path.join(ROOT, ".git")),
                    reason="needs git and a git checkout")
def test_training_in_a_fresh_clone_leaves_git_status_clean(tmp_path, cli_main):
    """`make demo` is `keras-gans train dcgan` in the clone: it must write only
    ignored files, and leave the shipped savedmodels/dcgan byte-identical."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{ROOT}", str(clone)],
                   check=True, timeout=120)
    shipped = tree_snapshot(clone / "savedmodels")
    assert shipped, "the clone has no shipped savedmodels/"
    r = cli_main("train", "dcgan", *TINY, cwd=clone)
    assert r.returncode == 0, r.stderr
    status = subprocess.run(["git", "status", "--porcelain", "--ignored=no"], cwd=clone,
                            capture_output=True, text=True, check=True).stdout
    assert status == "", status
    assert tree_snapshot(clone / "savedmodels") == shipped
    assert (clone / "runs" / "dcgan" / "export" / "1" / "saved_model.pb").is_file()
    assert (clone / "runs" / "dcgan" / "export" / "dcgan.tflite").is_file()
    assert "runs/dcgan/export/1" in r.stdout


def test_a_second_default_run_gets_its_own_numbered_dir(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    first = tiny_run()
    assert first.paths["run_dir"] == os.path.join("runs", "dcgan")
    before = tree_snapshot(tmp_path / "runs" / "dcgan")
    capsys.readouterr()
    second = tiny_run(epochs=2)
    out = capsys.readouterr().out
    assert second.paths["run_dir"] == os.path.join("runs", "dcgan-2")
    assert "runs/dcgan holds another run; this one writes to runs/dcgan-2" in out
    assert tree_snapshot(tmp_path / "runs" / "dcgan") == before  # nothing mixed in
    third = tiny_run()
    assert third.paths["run_dir"] == os.path.join("runs", "dcgan-3")


def test_a_given_run_dir_with_a_finished_run_is_refused_unless_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tiny_run(run_dir="mine")
    (tmp_path / "mine" / "notes.txt").write_text("the user's own file")
    before = tree_snapshot(tmp_path / "mine")
    with pytest.raises(ValueError, match="holds a finished run .*--overwrite"):
        tiny_run(run_dir="mine")
    assert tree_snapshot(tmp_path / "mine") == before
    old_samples = set(os.listdir(tmp_path / "mine" / "samples"))
    result = tiny_run(run_dir="mine", epochs=2, overwrite=True)
    assert result.paths["run_dir"] == "mine" and result.epochs == 2
    assert (tmp_path / "mine" / "notes.txt").read_text() == "the user's own file"
    # the old run's grids are gone: epoch-numbered names of a 2-epoch run only
    assert set(os.listdir(tmp_path / "mine" / "samples")) != old_samples


def test_cli_refuses_a_finished_run_dir_in_one_line(tmp_path, cli_main):
    assert cli_main("train", "dcgan", *TINY, "--no-export", "--run-dir", "r", cwd=tmp_path
                    ).returncode == 0
    before = tree_snapshot(tmp_path)
    r = cli_main("train", "dcgan", *TINY, "--no-export", "--run-dir", "r", cwd=tmp_path)
    assert_one_clear_line(r, "--overwrite")
    assert tree_snapshot(tmp_path) == before


def test_a_resumed_run_says_so_first_and_counts_only_its_own_epochs(tmp_path, monkeypatch,
                                                                    capsys):
    """Killed after its first epoch's backup (here: interrupted as Ctrl-C does,
    in the second epoch's end), the rerun resumes, says so on its first line,
    and its summary counts the epochs this process trained."""
    monkeypatch.chdir(tmp_path)
    original = training_callbacks.TimeBudget.on_epoch_end

    def interrupt_in_second_epoch(self, epoch, logs=None):
        if epoch == 1:
            raise KeyboardInterrupt
        original(self, epoch, logs)

    monkeypatch.setattr(training_callbacks.TimeBudget, "on_epoch_end", interrupt_in_second_epoch)
    with pytest.raises(KeyboardInterrupt):
        tiny_run(epochs=3)
    monkeypatch.setattr(training_callbacks.TimeBudget, "on_epoch_end", original)
    capsys.readouterr()
    result = tiny_run(epochs=3)
    lines = capsys.readouterr().out.splitlines()
    backup = os.path.join("runs", "dcgan", "backup")
    assert lines[0] == f"Resuming runs/dcgan after epoch 1 of 3, from its backup {backup}."
    assert result.paths["run_dir"] == os.path.join("runs", "dcgan")  # not a new numbered dir
    summary = next(line for line in lines if line.startswith("Trained in"))
    assert "epochs 2 to 3 of 3 (2 in this run, 256 images)" in summary, summary


@pytest.mark.parametrize("pattern, expected", [
    ("cycle", ["cyclegan"]),
    ("*gan_gp", ["wgan_gp"]),
    ("pix", ["pix2pix"]),
])
def test_list_matches_parts_of_names_and_globs(tmp_path, cli_main, pattern, expected):
    r = cli_main("list", pattern, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert [line.split()[0] for line in r.stdout.splitlines()] == expected


def test_list_with_no_match_says_so(tmp_path, cli_main):
    assert_one_clear_line(cli_main("list", "zzz", cwd=tmp_path), "No model matches 'zzz'")


def _images(folder, n, mode):
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(len(os.listdir(folder)))
    for i in range(n):
        shape = (20, 20, 3) if mode == "RGB" else (20, 20)
        Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8), mode).save(
            folder / f"{mode}{i}.png")


@pytest.mark.parametrize("colour, grey, channels, word", [(7, 2, 3, "colour"),
                                                          (2, 7, 1, "grayscale")])
def test_a_folder_trains_in_the_channels_most_images_have_and_says_so(
        tmp_path, cli_main, colour, grey, channels, word):
    _images(tmp_path / "photos", colour, "RGB")
    _images(tmp_path / "photos", grey, "L")
    r = cli_main("train", "dcgan", "--data", "folder:photos", "--batch-size", "4", *TINY,
                 "--no-export", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    s = "s" if channels == 3 else ""
    assert (f"folder:photos: {max(colour, grey)} of 9 images looked at are {word}, so it "
            f"trains with {channels} channel{s} (--channels to choose).") in r.stdout
    assert f"at 16x16x{channels}" in r.stdout
    # --channels still decides when given
    r = cli_main("train", "dcgan", "--data", "folder:photos", "--batch-size", "4", *TINY,
                 "--no-export", "--channels", str(4 - channels), "--run-dir", "other", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"at 16x16x{4 - channels}" in r.stdout and "looked at" not in r.stdout
