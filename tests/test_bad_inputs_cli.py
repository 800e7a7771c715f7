"""Bad command lines: one clear line, exit code 2, nothing written."""

import pytest

from conftest import assert_one_clear_line, tree_snapshot

TINY = ("--image-size", "16", "--epochs", "1", "--steps-per-epoch", "1", "--no-export")


@pytest.mark.parametrize("args, needle", [
    (["train", "dcgan", *TINY, "--run-dir", "a_file"], "is a file, not a folder"),
    (["train", "dcgan", "--image-size", "16", "--export-dir", "a_file"], "is a file, not a folder"),
    (["train", "dcgan", *TINY, "--max-seconds", "0"], "positive number of seconds"),
    (["train", "dcgan", *TINY, "--fid-every-seconds", "-5"], "positive number of seconds"),
    (["train", "dcgan", *TINY, "--labelled", "5"], "trains on unlabelled images"),
    (["train", "dcgan", "--epochs", "abc"], "invalid int value"),
    (["train", "dcgan", "--steps-per-epoch", "0"], "positive"),
    (["train", "dcgan", "--batch-size", "-8"], "positive"),
    (["train", "dcgan", *TINY, "--lr", "g=abc"], "GROUP=VALUE"),
    (["train", "dcgan", *TINY, "--lr", "zz=1e-4"], "no optimizer group 'zz'"),
    (["train", "dcgan", *TINY, "--d-lr", "-1"], "positive number"),
    (["train"], "the following arguments are required: model"),
    (["train", "dcgan", *TINY, "--set", "=3"], "NAME=VALUE"),
    (["train", "dcgan", *TINY, "--set", "image_shape=(8, 8, 1)"], "not allowed"),
    (["sample", "a_file", "--out", "x.jpg"], "must be a .png"),
    (["sample", "a_file", "--out", "x.png", "--num", "0"], "positive"),
    (["sample", "a_file", "--out", "x.png", "--labels", "1", "--vary-code", "0"], "not both"),
    (["evaluate", "a_file", "--num", "0"], "positive"),
    (["export", "a_file", "--format", "onnx"], "invalid choice"),
    (["list", "zzz"], "No model matches"),
])
def test_bad_command_line_is_one_line_and_writes_nothing(tmp_path, cli_main, args, needle):
    (tmp_path / "a_file").write_text("not a model")
    before = tree_snapshot(tmp_path)
    r = cli_main(*args, cwd=tmp_path)
    assert_one_clear_line(r, needle)
    assert tree_snapshot(tmp_path) == before


def test_an_out_file_that_is_a_folder_is_one_line(tmp_path, cli_main):
    import os

    shipped = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           "savedmodels", "dcgan")
    (tmp_path / "grid.png").mkdir()
    before = tree_snapshot(tmp_path)
    r = cli_main("sample", shipped, "--out", "grid.png", "--num", "4", cwd=tmp_path)
    assert_one_clear_line(r, "grid.png")
    assert tree_snapshot(tmp_path) == before
