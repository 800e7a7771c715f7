"""Two-domain data for image-to-image GANs: bundled specs, folders, sbs, mocked tfds."""

import os

import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from keras_gans.data import pairs
from keras_gans.data import digits_split_indices


def _first(ds):
    a, b = next(iter(ds))
    return a.numpy(), b.numpy()


def _check(a, b, shape):
    for x in (a, b):
        assert x.shape == shape and x.dtype == np.float32
        assert x.min() >= -1.0 and x.max() <= 1.0


# ------------------------------------------------------------------ bundled specs


def test_bundled_specs_shapes_and_ranges():
    ds = pairs.load_pairs("digits-edges", image_size=16, batch_size=4, seed=0)
    assert tuple(ds.element_spec[0].shape) == (4, 16, 16, 1)
    _check(*_first(ds), (4, 16, 16, 1))
    for spec in ("digits-ink", "photo-cartoon"):
        ds = pairs.load_unpaired(spec, image_size=16, batch_size=4, seed=0)
        assert tuple(ds.element_spec[1].shape) == (4, 16, 16, 3)
        a, b = _first(ds)
        _check(a, b, (4, 16, 16, 3))
        assert a.std() > 0.1 and b.std() > 0.05
    a, b = _first(pairs.load_unpaired("digits-ink", image_size=16, batch_size=4, channels=1))
    _check(a, b, (4, 16, 16, 1))
    with pytest.raises(ValueError, match="channels"):
        pairs.load_pairs("digits-edges", channels=2)


def test_default_channels_and_is_pair_spec(tmp_path):
    assert pairs.default_channels("digits-edges") == 1
    assert pairs.default_channels("digits-ink") == 3 and pairs.default_channels("photo-cartoon") == 3
    for spec in ("digits-edges", "digits-ink", "photo-cartoon", "tfds:cycle_gan/horse2zebra", "sbs:x"):
        assert pairs.is_pair_spec(spec)
    assert not pairs.is_pair_spec("digits") and not pairs.is_pair_spec("tfds:mnist")
    assert not pairs.is_pair_spec(f"folder:{tmp_path}")
    (tmp_path / "A").mkdir()
    (tmp_path / "B").mkdir()
    assert pairs.is_pair_spec(f"folder:{tmp_path}")


def test_ink_is_exact_on_test_split_and_invertible():
    a = pairs.domain_images("digits-ink", "A", "test", image_size=16)
    b = pairs.domain_images("digits-ink", "B", "test", image_size=16)
    assert a.shape == (300, 16, 16, 3)
    np.testing.assert_allclose(b, pairs.ink(a), atol=1e-6)
    np.testing.assert_allclose(pairs.ink_strength(b), (a[..., :1] + 1) / 2, atol=1e-5)
    one = pairs.ink(a[0])  # [H, W, 3] works too
    assert one.shape == (16, 16, 3)
    np.testing.assert_allclose(pairs.ink(np.full((1, 1, 3), -1.0))[0, 0], np.array(pairs.PAPER) * 2 - 1, atol=1e-6)
    np.testing.assert_allclose(pairs.ink(np.ones((1, 1, 3)))[0, 0], np.array(pairs.INK) * 2 - 1, atol=1e-6)
    assert pairs.domain_images("digits-ink", "A", "test", image_size=16, num=5).shape[0] == 5


def test_digits_ink_train_domains_are_disjoint():
    ia, ib = pairs._digits_ink_indices("train")
    assert not set(ia) & set(ib)
    assert set(ia) | set(ib) == set(digits_split_indices("train"))
    a = pairs.domain_images("digits-ink", "A", "train", image_size=8)
    b = pairs.domain_images("digits-ink", "B", "train", image_size=8)
    assert (len(a), len(b)) == (len(ia), len(ib))
    # no B image is the inked version of the A image at the same position
    s_b = pairs.ink_strength(b)[..., 0]
    s_a = (a[..., 0] + 1) / 2
    n = min(len(a), len(b))
    assert np.abs(s_a[:n] - s_b[:n]).mean() > 0.1


def test_unpaired_shuffles_domains_independently_and_is_deterministic():
    kw = dict(image_size=8, batch_size=16, split="test")
    a, b = _first(pairs.load_unpaired("digits-ink", seed=3, **kw))
    # in the test split B[i] = ink(A[i]) before shuffling; independent shuffles break it
    assert not np.allclose(pairs.ink_strength(b), (a[..., :1] + 1) / 2, atol=1e-3)
    a2, b2 = _first(pairs.load_unpaired("digits-ink", seed=3, **kw))
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)
    a3, b3 = _first(pairs.load_unpaired("digits-ink", shuffle=False, **kw))
    np.testing.assert_allclose(b3, pairs.ink(a3), atol=1e-6)


def test_unpaired_epoch_follows_the_larger_domain(tmp_path):
    _write(tmp_path / "A", {f"a{i}": i * 10 for i in range(6)})
    _write(tmp_path / "B", {f"b{i}": 200 for i in range(2)})
    ds = pairs.load_unpaired(f"folder:{tmp_path}", image_size=8, batch_size=2, seed=0)
    assert len(list(ds)) == 3
    ds = pairs.load_unpaired(f"folder:{tmp_path}", image_size=8, batch_size=4, drop_remainder=False)
    assert [int(a.shape[0]) for a, _ in ds] == [4, 2]
    with pytest.raises(ValueError, match="fewer images than one batch"):
        pairs.load_unpaired(f"folder:{tmp_path}", image_size=8, batch_size=7)


def test_digits_edges_is_an_edge_map():
    from scipy import ndimage

    edges = pairs.domain_images("digits-edges", "A", "test", image_size=16, num=50)
    digit = pairs.domain_images("digits-edges", "B", "test", image_size=16, num=50)
    e, s = (edges[..., 0] + 1) / 2, (digit[..., 0] + 1) / 2
    flat = ndimage.maximum_filter(s, size=(1, 3, 3)) == ndimage.minimum_filter(s, size=(1, 3, 3))
    assert flat.mean() > 0.05 and np.all(e[flat] == 0)  # no edge where the digit is flat
    grad = np.hypot(*np.gradient(s, axis=(1, 2)))
    corr_grad = np.corrcoef(e.ravel(), grad.ravel())[0, 1]
    assert corr_grad > 0.8 and corr_grad > np.corrcoef(e.ravel(), s.ravel())[0, 1] + 0.2
    assert e.max() == 1.0
    # train and test are the digits:train / digits:test images
    assert len(pairs.domain_images("digits-edges", "B", "train", image_size=8)) == 1497


def test_photo_cartoon_deterministic_and_cached():
    img = np.random.default_rng(0).random((40, 60, 3))
    c1, c2 = pairs.cartoonize(img), pairs.cartoonize(img.copy())
    assert c1.shape == (40, 60, 3) and c1.min() >= 0 and c1.max() <= 1
    np.testing.assert_array_equal(c1, c2)
    assert len(np.unique(c1)) <= 6  # quantized to 6 levels per channel
    a = pairs.domain_images("photo-cartoon", "A", "train", image_size=16)
    b = pairs.domain_images("photo-cartoon", "B", "train", image_size=16)
    assert a.shape == (256, 16, 16, 3) and b.shape == (256, 16, 16, 3)
    test_b = pairs.domain_images("photo-cartoon", "B", "test", image_size=16)
    assert test_b.shape == (64, 16, 16, 3) and not np.allclose(test_b, b[:64])
    np.testing.assert_array_equal(a, pairs.domain_images("photo-cartoon", "A", "train", image_size=16))
    a[:] = 0  # the returned copy can be changed without touching the cache
    assert pairs.domain_images("photo-cartoon", "A", "train", image_size=16).std() > 0.1


def test_unpaired_only_specs_refuse_load_pairs():
    for spec in ("digits-ink", "photo-cartoon", "tfds:cycle_gan/horse2zebra"):
        with pytest.raises(ValueError, match="load_unpaired"):
            pairs.load_pairs(spec)


def test_unknown_spec_lists_the_forms():
    for spec in ("digits", "tfds:mnist", "nope", ""):
        with pytest.raises(ValueError, match="sbs:PATH"):
            pairs.load_unpaired(spec)


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(8, 8, 1\).*\(8, 8, 3\)"):
        pairs._check_shapes("folder:x", (8, 8, 1), (8, 8, 3))


# ------------------------------------------------------------------ folders


def _write(folder, values, size=(12, 10), ext=".png"):
    """One grey image per name, filled with its value (0..255)."""
    os.makedirs(folder, exist_ok=True)
    for name, v in values.items():
        arr = np.full((size[1], size[0], 3), v, np.uint8)
        Image.fromarray(arr).save(os.path.join(folder, name + ext))


def test_folder_paired_by_name(tmp_path):
    vals = {"x": 10, "y": 100, "z": 200, "w": 250}
    _write(tmp_path / "A", vals)
    _write(tmp_path / "B", {k: 255 - v for k, v in vals.items()}, ext=".jpg", size=(20, 30))
    ds = pairs.load_pairs(f"folder:{tmp_path}", image_size=8, batch_size=4, seed=1)
    a, b = _first(ds)
    _check(a, b, (4, 8, 8, 3))
    np.testing.assert_allclose(a.mean(axis=(1, 2, 3)), -b.mean(axis=(1, 2, 3)), atol=0.05)
    sa, sb = _first(pairs.load_pairs(f"folder:{tmp_path}", image_size=8, batch_size=4, swap=True))
    np.testing.assert_allclose(sa.mean(axis=(1, 2, 3)), -sb.mean(axis=(1, 2, 3)), atol=0.05)
    assert sa.mean(axis=(1, 2, 3)).max() > 0.9  # B's first: 255 - 10
    # unpaired works on the same folder, and split sub-folders win when present
    a, b = _first(pairs.load_unpaired(f"folder:{tmp_path}", image_size=8, batch_size=2, channels=1))
    _check(a, b, (2, 8, 8, 1))
    _write(tmp_path / "test" / "A", {"q": 0})
    _write(tmp_path / "test" / "B", {"q": 0})
    assert pairs.domain_images(f"folder:{tmp_path}", "B", "test", image_size=8).shape == (1, 8, 8, 3)
    assert pairs.domain_images(f"folder:{tmp_path}", "B", "train", image_size=8).shape == (4, 8, 8, 3)


def test_folder_errors(tmp_path):
    _write(tmp_path / "A", {"x": 1, "only_in_a": 2})
    with pytest.raises(ValueError, match="B/") as e:
        pairs.load_unpaired(f"folder:{tmp_path}", batch_size=1)
    assert "Expected layout" in str(e.value)
    _write(tmp_path / "B", {"x": 1, "only_in_b": 2})
    with pytest.raises(ValueError, match="only_in_a") as e:
        pairs.load_pairs(f"folder:{tmp_path}", batch_size=1)
    assert "only_in_b" in str(e.value) and "1 of 2" in str(e.value)
    with pytest.raises(FileNotFoundError):
        pairs.load_unpaired(f"folder:{tmp_path}/missing")


# ------------------------------------------------------------------ side by side


def test_sbs_halves_and_swap(tmp_path):
    root = tmp_path / "train"
    root.mkdir()
    for i in range(3):
        arr = np.zeros((16, 32, 3), np.uint8)
        arr[:, 16:] = 255  # A (left) black, B (right) white
        arr[:, :16, 0] = 40 * i
        Image.fromarray(arr).save(root / f"{i}.png")
    a, b = _first(pairs.load_pairs(f"sbs:{tmp_path}", image_size=8, batch_size=3, shuffle=False))
    _check(a, b, (3, 8, 8, 3))
    assert a[..., 1:].max() == -1.0 and b.min() == 1.0
    np.testing.assert_allclose(a[:, 0, 0, 0], np.array([0, 40, 80]) / 127.5 - 1, atol=1e-5)
    sa, sb = _first(pairs.load_pairs(f"sbs:{tmp_path}", image_size=8, batch_size=3, swap=True))
    assert sa.min() == 1.0 and sb[..., 1:].max() == -1.0
    a, b = _first(pairs.load_unpaired(f"sbs:{tmp_path}", image_size=8, batch_size=2))
    assert a[..., 1:].max() == -1.0 and b.min() == 1.0
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(root / "square.png")
    with pytest.raises(ValueError, match=r"square\.png.*16x16"):
        pairs.load_pairs(f"sbs:{tmp_path}", image_size=8, batch_size=2)


# ------------------------------------------------------------------ tfds


def test_tfds_cycle_gan_mock_resizes():
    with tfds.testing.mock_data(num_examples=6):
        ds = pairs.load_unpaired("tfds:cycle_gan/horse2zebra", image_size=16, batch_size=2, seed=0)
        assert tuple(ds.element_spec[0].shape) == (2, 16, 16, 3)
        batches = list(ds)
        assert len(batches) == 3
        for a, b in batches:
            _check(a.numpy(), b.numpy(), (2, 16, 16, 3))
        a, b = _first(pairs.load_unpaired("tfds:cycle_gan/horse2zebra", image_size=16,
                                          batch_size=2, split="test", channels=1))
        _check(a, b, (2, 16, 16, 1))
        x = pairs.domain_images("tfds:cycle_gan/horse2zebra", "B", "test", image_size=16, num=4)
        assert x.shape == (4, 16, 16, 3)
