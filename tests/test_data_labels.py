"""Labelled data: digits, tfds (mocked) and folder-per-class; labelled subsets; noise."""

import os

import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from keras_gans import data


def _all(ds):
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
    return np.concatenate(xs), np.concatenate(ys)


def test_digits_labels_match_the_images_and_splits():
    x, y = _all(data.load("digits", image_size=8, batch_size=1797, labels=True, shuffle=False))
    ref_x, ref_y = data.digits_arrays(8)
    np.testing.assert_array_equal(y, ref_y)
    np.testing.assert_allclose(x, ref_x)
    assert y.dtype == np.int32
    xs, ys = data.digits_arrays(8, split="train")
    xt, yt = data.digits_arrays(8, split="test")
    assert len(ys) == 1497 and len(yt) == 300
    assert not set(data.digits_split_indices("train")) & set(data.digits_split_indices("test"))
    x = next(iter(data.load("digits:test", image_size=16, batch_size=300, shuffle=False)))
    np.testing.assert_allclose(x.numpy(), data.digits_arrays(16, split="test")[0])
    with pytest.raises(ValueError, match="splits"):
        data.load("digits:valid")


def test_labels_shuffle_with_their_images():
    x, y = next(iter(data.load("digits", image_size=8, batch_size=64, labels=True, seed=3)))
    ref_x, ref_y = data.digits_arrays(8)
    for img, label in zip(x.numpy(), y.numpy()):
        i = np.flatnonzero(np.all(np.isclose(ref_x, img), axis=(1, 2, 3)))[0]
        assert ref_y[i] == label


def test_labelled_subset_is_balanced_and_minus_one_elsewhere():
    _, y = _all(data.load("digits", image_size=8, batch_size=1797, labels=True, labelled=100,
                          shuffle=False))
    kept = y[y >= 0]
    assert len(kept) == 100 and np.all(np.bincount(kept, minlength=10) == 10)
    assert set(np.unique(y[y < 0])) == {-1}
    _, ref = data.digits_arrays(8)
    np.testing.assert_array_equal(y[y >= 0], ref[y >= 0])


def test_labelled_per_batch_mixes_a_fixed_share():
    ds = data.load("digits", image_size=8, batch_size=16, labels=True, labelled=30,
                   labelled_per_batch=4)
    n = 0
    for x, y in ds:
        y = y.numpy()
        assert x.shape[0] == 16 and np.all(y[:4] >= 0) and np.all(y[4:] == -1)
        n += 1
    assert n == (1797 - 30) // 12
    with pytest.raises(ValueError, match="labelled_per_batch"):
        data.load("digits", batch_size=16, labels=True, labelled=30, labelled_per_batch=16)
    with pytest.raises(ValueError, match="needs labelled"):
        data.load("digits", labels=True, labelled_per_batch=4)


def test_noise_transition_matrices():
    t = data.noise_transition(0.5, "symmetric", 10)
    assert t[0, 0] == pytest.approx(0.5) and t[0, 1] == pytest.approx(0.5 / 9)
    np.testing.assert_allclose(t.sum(1), 1.0, rtol=1e-6)
    a = data.noise_transition(0.3, "asymmetric", 3)
    np.testing.assert_allclose(a, [[0.7, 0.3, 0], [0, 0.7, 0.3], [0.3, 0, 0.7]], rtol=1e-6)
    np.testing.assert_array_equal(data.noise_transition(0.0, "symmetric", 4), np.eye(4))
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        data.noise_transition(1.0)
    with pytest.raises(ValueError, match="symmetric"):
        data.noise_transition(0.2, "uniform")


def test_label_noise_rate_and_direction_follow_the_transition():
    _, clean = data.digits_arrays(8)
    _, y = _all(data.load("digits", image_size=8, batch_size=1797, labels=True, shuffle=False,
                          label_noise=0.5))
    assert abs(np.mean(y != clean) - 0.5) < 0.05
    _, y2 = _all(data.load("digits", image_size=8, batch_size=1797, labels=True, shuffle=False,
                           label_noise=0.5))
    np.testing.assert_array_equal(y, y2)  # seeded: the same noise every time
    _, ya = _all(data.load("digits", image_size=8, batch_size=1797, labels=True, shuffle=False,
                           label_noise=0.3, noise="asymmetric"))
    flipped = ya != clean
    np.testing.assert_array_equal(ya[flipped], (clean[flipped] + 1) % 10)
    assert abs(flipped.mean() - 0.3) < 0.05
    with pytest.raises(ValueError, match="labels=True"):
        data.load("digits", label_noise=0.2)


def test_tfds_mock_with_labels_and_a_labelled_subset():
    with tfds.testing.mock_data(num_examples=12):
        x, y = next(iter(data.load("tfds:mnist", image_size=16, batch_size=12, labels=True,
                                   shuffle=False)))
        assert x.shape == (12, 16, 16, 1) and y.dtype == np.int32
        assert np.all((y.numpy() >= 0) & (y.numpy() < 10))
        assert data.num_classes("tfds:mnist") == 10
        _, y = next(iter(data.load("tfds:mnist", image_size=16, batch_size=12, labels=True,
                                   shuffle=False, labelled=5)))
        assert np.all(y.numpy()[:5] >= 0) and np.all(y.numpy()[5:] == -1)
        ds = data.load("tfds:mnist", image_size=16, batch_size=6, labels=True, labelled=4,
                       labelled_per_batch=2)
        x, y = next(iter(ds))
        assert x.shape[0] == 6 and np.all(y.numpy()[:2] >= 0) and np.all(y.numpy()[2:] == -1)
        _, y = next(iter(data.load("tfds:mnist", image_size=16, batch_size=12, labels=True,
                                   shuffle=False, label_noise=0.5)))
        assert np.all((y.numpy() >= 0) & (y.numpy() < 10))


def _write_class_folders(root, classes, per_class=3):
    rng = np.random.default_rng(0)
    for c in classes:
        os.makedirs(os.path.join(root, c, "nested"), exist_ok=True)
        for i in range(per_class):
            arr = rng.integers(0, 255, (10, 14, 3), dtype=np.uint8)
            sub = "nested" if i == 0 else ""
            Image.fromarray(arr).save(os.path.join(root, c, sub, f"{i}.png"))


def test_folder_per_class_labels(tmp_path):
    root = str(tmp_path / "classes")
    _write_class_folders(root, ["cat", "dog", "emu"])
    x, y = _all(data.load(f"folder:{root}", image_size=8, batch_size=9, labels=True, shuffle=False))
    assert x.shape == (9, 8, 8, 1)
    np.testing.assert_array_equal(np.sort(y), [0, 0, 0, 1, 1, 1, 2, 2, 2])
    assert data.num_classes(f"folder:{root}") == 3
    files, labels, names = data.folder_labelled_files(root)
    assert names == ["cat", "dog", "emu"]
    assert all(os.sep + names[lab] + os.sep in f for f, lab in zip(files, labels))


def test_folder_labels_errors(tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(flat / "a.png")
    with pytest.raises(ValueError, match="one sub-folder per class"):
        data.load(f"folder:{flat}", batch_size=1, labels=True)
    one = tmp_path / "one"
    _write_class_folders(str(one), ["only"])
    with pytest.raises(ValueError, match="1 class folder"):
        data.load(f"folder:{one}", batch_size=1, labels=True)
