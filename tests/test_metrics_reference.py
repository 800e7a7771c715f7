"""The cache of real statistics (keras_gans.metrics.reference): read back, never recomputed, keyed right.

Every test writes under a tmp folder (`$KERAS_GANS_CACHE`), with HOME moved
to another tmp folder and `$KERAS_HOME` unset, and checks that nothing
reached that HOME.
"""

import json
import os

import numpy as np
import pytest

import keras
from keras_gans import data, metrics
from keras_gans.metrics import reference
from keras_gans.metrics.features import Extractor


@pytest.fixture
def cache(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv(reference.CACHE_ENV, str(tmp_path / "cache"))
    yield tmp_path / "cache"
    assert not any(home.iterdir()), list(home.rglob("*"))  # nothing under ~/.keras


def _extractor(seed=0):
    """A small extractor whose every call on images is recorded in `.calls` (image counts)."""
    x_in = keras.Input((32, 32, 1))
    x = keras.layers.Conv2D(4, 3, strides=4, kernel_initializer=keras.initializers.GlorotUniform(seed))(x_in)
    x = keras.layers.GlobalAveragePooling2D()(x)
    ext = Extractor(keras.Model(x_in, x, name=f"tiny{seed}"), f"tiny{seed}", input_size=(32, 32), channels=1)
    ext.calls = []
    run = ext.features_and_probabilities

    def counted(images, *args, **kwargs):
        ext.calls.append(len(images))
        return run(images, *args, **kwargs)

    ext.features_and_probabilities = counted
    return ext


@pytest.fixture(scope="module")
def digits_sets():
    test = data.digits_arrays(32, 1, split="test")[0]
    train = data.digits_arrays(32, 1, split="train")[0][:300]
    fake = np.clip(train[::-1] + 0.1, -1, 1)
    return fake, test, train


def test_the_second_evaluation_reads_the_real_statistics_and_runs_no_extractor_on_them(cache, digits_sets):
    fake, test, _ = digits_sets
    ext = _extractor()
    first = metrics.evaluate_images(fake, test, extractor=ext, metrics="fid,kid,pr",
                                    real_label="digits:test", cache=True)
    assert ext.calls == [len(fake), len(test)]
    assert first["real_statistics"] == "written" and os.path.dirname(first["real_cache"]) == str(cache)
    ext.calls.clear()
    second = metrics.evaluate_images(fake, test, extractor=ext, metrics="fid,kid,pr",
                                     real_label="digits:test", cache=True)
    assert ext.calls == [len(fake)]  # the generated images only
    assert second["real_statistics"] == "read" and second["real_cache"] == first["real_cache"]
    for key in ("fid", "kid", "kid_std", "precision", "recall", "num_real"):
        assert second[key] == first[key], key
    # And the same numbers as without any cache.
    plain = metrics.evaluate_images(fake, test, extractor=ext, metrics="fid,kid,pr")
    assert plain["real_statistics"] == "computed" and plain["real_cache"] is None
    assert (plain["fid"], plain["kid"], plain["recall"]) == (first["fid"], first["kid"], first["recall"])
    files = sorted(p.name for p in cache.iterdir())
    assert len(files) == 1 and files[0].startswith("digits_test-300-32x32x1-tiny0-") and files[0].endswith(".npz")


def test_count_split_label_and_extractor_each_miss_the_cache(cache, digits_sets):
    fake, test, train = digits_sets
    ext = _extractor()
    stats = reference.real_statistics(test, ext, "digits:test")
    assert stats.status == "written" and ext.calls == [300]
    assert reference.real_statistics(test, ext, "digits:test").status == "read" and ext.calls == [300]
    misses = [
        (test[:299], ext, "digits:test"),  # count
        (train, ext, "digits:train"),  # split
        (test, ext, "digits:test:other"),  # label
    ]
    for images, extractor, label in misses:
        ext.calls.clear()
        got = reference.real_statistics(images, extractor, label)
        assert got.status == "written" and ext.calls == [len(images)], label
    other = _extractor(seed=1)  # same architecture and name, other weights
    other.name = ext.name
    got = reference.real_statistics(test, other, "digits:test")
    assert got.status == "written" and other.calls == [300]
    assert len(list(cache.glob("*.npz"))) == 5
    assert not list(cache.glob(".part-*"))  # atomic writes leave no partial file


def test_a_cache_file_holds_features_statistics_and_what_they_are(cache, digits_sets):
    _, test, _ = digits_sets
    ext = _extractor()
    stats = reference.real_statistics(test, ext, "digits:test")
    with np.load(stats.path, allow_pickle=False) as f:
        np.testing.assert_array_equal(f["features"], stats.features)
        mu, sigma = metrics.statistics(f["features"])
        np.testing.assert_array_equal(f["mu"], mu)
        np.testing.assert_array_equal(f["sigma"], sigma)
        info = json.loads(str(f["info"]))
    assert info["label"] == "digits:test" and info["num"] == 300 and info["image_shape"] == [32, 32, 1]
    assert info["extractor"] == "tiny0" and info["version"] == reference.CACHE_VERSION
    assert info["protocol"] == Extractor.protocol


def test_a_broken_cache_file_is_computed_again(cache, digits_sets):
    _, test, _ = digits_sets
    ext = _extractor()
    path = reference.real_statistics(test, ext, "digits:test").path
    with open(path, "wb") as f:
        f.write(b"not an npz")
    ext.calls.clear()
    again = reference.real_statistics(test, ext, "digits:test")
    assert again.status == "written" and ext.calls == [300]
    assert reference.real_statistics(test, ext, "digits:test").status == "read"


def test_no_cache_and_an_unwritable_cache(cache, digits_sets, tmp_path):
    _, test, _ = digits_sets
    ext = _extractor()
    assert reference.real_statistics(test[:50], ext, "x", cache=False).status == "computed"
    assert not cache.exists()
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    stats = reference.real_statistics(test[:50], ext, "x", cache=str(blocked / "sub"))
    assert stats.status.startswith("computed (cache not written") and stats.path is None


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.delenv(reference.CACHE_ENV, raising=False)
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert reference.default_cache_dir() == str(tmp_path / ".keras" / "keras_gans" / "reference_statistics")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert reference.default_cache_dir() == str(tmp_path / "kh" / "keras_gans" / "reference_statistics")
    monkeypatch.setenv(reference.CACHE_ENV, str(tmp_path / "c"))
    assert reference.default_cache_dir() == str(tmp_path / "c")


def test_fid_callback_extracts_the_real_side_once_over_a_run(cache):
    from keras_gans import callbacks

    from tests.helpers import tiny_model

    model = tiny_model("dcgan", image_shape=(32, 32, 1))
    ext = _extractor()
    fid = callbacks.FIDCallback("digits", every_n_epochs=1, num=16, features=ext)
    ds = data.load("digits", image_size=32, batch_size=16, seed=0)
    history = model.fit(ds, epochs=3, steps_per_epoch=2, callbacks=[fid], verbose=0)
    assert len(history.history["fid"]) == 3
    # 300 real digits:test images once, then only the 16 generated ones each epoch.
    assert ext.calls == [16, 300, 16, 16], ext.calls
