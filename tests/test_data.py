"""Data specs: bundled digits, mocked tfds, folders (corrupt and empty)."""

import os
import warnings

import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from keras_gans import data


def _batch(ds):
    return next(iter(ds)).numpy()


def test_digits_offline_shape_range():
    x = _batch(data.load("digits", image_size=32, batch_size=16))
    assert x.shape == (16, 32, 32, 1) and x.dtype == np.float32
    assert x.min() >= -1.0 and x.max() <= 1.0 and x.min() < -0.9 and x.max() > 0.5


def test_digits_rgb_and_shuffled():
    x = _batch(data.load("digits", image_size=16, batch_size=8, channels=3))
    assert x.shape == (8, 16, 16, 3)
    np.testing.assert_array_equal(x[..., 0], x[..., 2])
    a = _batch(data.load("digits", image_size=16, batch_size=8, seed=1))
    b = _batch(data.load("digits", image_size=16, batch_size=8, shuffle=False))
    assert not np.allclose(a, b)


def test_tfds_mock_resizes_and_crops():
    # mock_data makes random-sized images; the loader must always resize.
    with tfds.testing.mock_data(num_examples=12):
        ds = data.load("tfds:mnist", image_size=32, batch_size=4)
        x = _batch(ds)
    assert x.shape == (4, 32, 32, 1) and x.min() >= -1.0 and x.max() <= 1.0
    with tfds.testing.mock_data(num_examples=8):
        x = _batch(data.load("tfds:cifar10:test", image_size=16, batch_size=4, channels=1))
    assert x.shape == (4, 16, 16, 1)


def test_tfds_unknown_dataset_is_a_clear_error():
    with pytest.raises(ValueError, match="no dataset"):
        data.load("tfds:not_a_dataset_xyz")


def _write_images(folder, n, size=(20, 12), mode="RGB"):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        shape = (size[1], size[0], 3) if mode == "RGB" else (size[1], size[0])
        arr = rng.integers(0, 255, shape, dtype=np.uint8)
        Image.fromarray(arr, mode=None).save(os.path.join(folder, f"img{i}.png"))


def test_folder_skips_corrupt_files_with_a_count(tmp_path):
    folder = str(tmp_path / "imgs")
    _write_images(os.path.join(folder, "sub"), 5)
    with open(os.path.join(folder, "broken.jpg"), "wb") as f:
        f.write(b"not an image at all")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = data.load(f"folder:{folder}", image_size=16, batch_size=5, channels=3)
    assert any("Skipped 1 unreadable" in str(w.message) for w in caught)
    x = _batch(ds)
    assert x.shape == (5, 16, 16, 3) and x.min() >= -1.0 and x.max() <= 1.0


def test_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        data.load(f"folder:{tmp_path}/missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no image files"):
        data.load(f"folder:{empty}")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.png").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="none could be read"):
        data.load(f"folder:{bad}")
    few = tmp_path / "few"
    _write_images(str(few), 2)
    with pytest.raises(ValueError, match="fewer than one batch"):
        data.load(f"folder:{few}", batch_size=4)


def test_unknown_spec_and_bad_arguments():
    with pytest.raises(ValueError, match="Unknown data spec"):
        data.load("svhn")  # not a spec (mnist became one in issue 15)
    with pytest.raises(ValueError, match="channels"):
        data.load("digits", channels=2)
    with pytest.raises(ValueError, match="batch_size"):
        data.load("digits", batch_size=0)
