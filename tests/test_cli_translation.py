"""The keras-gans command with image-to-image models, run as a user would."""

import glob
import os

import numpy as np
import pytest
from PIL import Image

from tests.test_cli import cli


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("cli_translation")
    r = cli("train", "cyclegan", "--image-size", "16", "--epochs", "2", "--steps-per-epoch", "2",
            "--seed", "0", "--set", "filters=8", "--set", "num_blocks=1", "--set", "pool_size=4",
            cwd=cwd)
    assert r.returncode == 0, r.stderr
    return cwd, r


def test_train_uses_the_model_data_and_its_preset(trained):
    cwd, r = trained
    assert "on digits-ink" in r.stdout
    assert "'identity_weight': 0.0" in r.stdout  # digits-ink's measured preset
    assert "'filters': 8" in r.stdout
    for path in ("runs/cyclegan/model.keras", "runs/cyclegan/samples/final.png",
                 "runs/cyclegan/export/1/saved_model.pb", "runs/cyclegan/export/cyclegan.tflite"):
        assert os.path.isfile(cwd / path), path


def test_cycle_and_identity_terms_reach_tensorboard(trained):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    cwd, _ = trained
    tags = set()
    for events in glob.glob(str(cwd / "runs/cyclegan/logs/**/events.out.tfevents.*"), recursive=True):
        acc = EventAccumulator(events)
        acc.Reload()
        tags |= set(acc.Tags().get("tensors", [])) | set(acc.Tags().get("scalars", []))
    for term in ("cycle_loss", "identity_loss", "adv_loss", "d_loss"):
        assert any(term in t for t in tags), (term, tags)


@pytest.mark.parametrize("source", ["runs/cyclegan/model.keras", "runs/cyclegan/export",
                                    "runs/cyclegan/export/cyclegan.tflite"])
def test_sample_writes_input_output_reconstruction(trained, source, cli_main):
    cwd, _ = trained
    out = f"t_{os.path.basename(source)}.png"
    run = cli if source.endswith(".tflite") else cli_main  # one real subprocess
    r = run("sample", source, "--num", "4", "--out", out, "--seed", "3", cwd=cwd)
    assert r.returncode == 0, r.stderr
    assert "4 translations" in r.stdout
    assert Image.open(cwd / out).size[0] > 0


def test_sample_takes_a_file_a_folder_and_the_other_direction(trained, tmp_path, cli_main):
    cwd, _ = trained
    folder = tmp_path / "in"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        Image.fromarray(rng.integers(0, 255, (20, 24, 3), dtype=np.uint8)).save(folder / f"{i}.png")
    r = cli_main("sample", "runs/cyclegan/export", "--input", str(folder), "--out", "f.png", cwd=cwd)
    assert r.returncode == 0 and "3 translations" in r.stdout, r.stderr
    r = cli_main("sample", "runs/cyclegan/export", "--input", str(folder / "0.png"),
            "--direction", "b_to_a", "--out", "one.png", cwd=cwd)
    assert r.returncode == 0 and "1 translations" in r.stdout, r.stderr


@pytest.mark.parametrize(
    "args,message",
    [
        (["train", "cyclegan", "--set", "nonsense=1"], "no argument 'nonsense'"),
        (["train", "cyclegan", "--set", "filters"], "NAME=VALUE"),
        (["train", "cyclegan", "--data", "folder:/no/such/dir"], "does not exist"),
        (["train", "pix2pix", "--data", "digits-ink"], "load_unpaired"),
    ],
)
def test_bad_translation_input_is_one_line(tmp_path, args, message, cli_main):
    r = cli_main(*args, cwd=tmp_path)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_folder_without_b_is_a_clear_error(tmp_path, cli_main):
    (tmp_path / "d" / "A").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(tmp_path / "d" / "A" / "x.png")
    r = cli_main("train", "cyclegan", "--data", f"folder:{tmp_path / 'd'}", cwd=tmp_path)
    assert r.returncode == 2 and "B" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_generator_flags_are_refused_for_translators_and_back(trained, cli_main):
    cwd, _ = trained
    r = cli_main("sample", "runs/cyclegan/export", "--labels", "1", "--out", "x.png", cwd=cwd)
    assert r.returncode == 2 and "no --labels" in r.stderr
