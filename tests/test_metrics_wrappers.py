"""Metric wrappers against the pure functions, and evaluate_images on real digits."""

import numpy as np
import pytest
import tensorflow as tf

from keras_gans import metrics
from keras_gans.data import digits_arrays


def test_frechet_distance_accumulates_like_one_shot():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 12))
    # A large mean tests that the accumulation loses no precision to it.
    fake = rng.normal(0.2, 1.5, size=(300, 12)) @ rng.normal(size=(12, 12)) + 100.0
    fid = metrics.FrechetDistance(*metrics.statistics(real))
    assert np.isnan(fid.result())
    for batch in (fake[:100], tf.constant(fake[100:170]), fake[170:]):
        fid.update_state(batch)
    expected = metrics.frechet_distance(*metrics.statistics(fake), *metrics.statistics(real))
    assert fid.count == 300
    assert fid.result() == pytest.approx(expected, rel=1e-6)
    mu, sigma = fid.statistics()
    np.testing.assert_allclose(sigma, np.cov(fake, rowvar=False), rtol=1e-9, atol=1e-9)
    fid.reset_state()
    fid.update_state(real)
    assert abs(fid.result()) < 1e-6
    assert metrics.FrechetDistance.from_features(real)(real) == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="dimensions"):
        fid.update_state(fake[:, :5])


def test_kernel_distance_accumulates_like_one_shot():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(120, 8)), rng.normal(0.5, 1.0, size=(90, 8))
    kid = metrics.KernelDistance(real, num_subsets=20, subset_size=50, seed=3)
    for i in range(0, 90, 30):
        kid.update_state(fake[i : i + 30])
    expected = metrics.kernel_distance(fake, real, num_subsets=20, subset_size=50, seed=3)
    assert kid.result() == pytest.approx(expected[0], rel=1e-12)
    assert kid.result_with_std() == pytest.approx(expected, rel=1e-12)


def test_inception_score_accumulates_like_one_shot():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(100, 10)) * 3
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    score = metrics.InceptionScore(splits=5)
    for i in range(0, 100, 40):
        score.update_state(probs[i : i + 40])
    expected = metrics.inception_score(probs, splits=5)
    assert score.result() == pytest.approx(expected[0], rel=1e-12)
    assert score.result_with_std() == pytest.approx(expected, rel=1e-12)


@pytest.fixture(scope="module")
def digits_train():
    return digits_arrays(32, 1, split="train")[0]


@pytest.fixture(scope="module")
def real_vs_real(digits_train):
    # Two halves of digits:train (748 and 749 images). Measured: FID 8.7, KID ~ -1 +- 3.
    return metrics.evaluate_images(
        digits_train[::2], digits_train[1::2], metrics=("fid", "kid"), kid_subsets=20
    )


def test_real_digits_against_real_digits_give_a_digits_fid_near_zero(real_vs_real):
    assert real_vs_real["extractor"] == "digits"
    assert (real_vs_real["num_fake"], real_vs_real["num_real"]) == (749, 748)
    assert 0.0 <= real_vs_real["fid"] < 20.0
    assert abs(real_vs_real["kid"]) < 10.0
    assert real_vs_real["coverage"] == 10


def test_noise_gives_a_large_digits_fid(real_vs_real, digits_train):
    noise = np.random.default_rng(0).uniform(-1, 1, (300, 32, 32, 1)).astype(np.float32)
    r = metrics.evaluate_images(noise, digits_train[1::2], metrics=("fid", "kid"), kid_subsets=20)
    # Measured: FID 660 and KID 390 against 8.7 and ~0 for real against real.
    assert r["fid"] > 10 * real_vs_real["fid"]
    assert real_vs_real["fid"] < 0.05 * r["fid"]
    assert r["kid"] > 100.0 and r["kid"] > 10 * abs(real_vs_real["kid"])


def test_a_single_repeated_digit_gives_low_coverage():
    real = metrics.real_images("digits")  # digits:test, never trained on
    assert real.shape == (300, 32, 32, 1)
    single = np.repeat(real[:1], 500, axis=0)
    r = metrics.evaluate_images(single, real, metrics=("is", "pr"))
    assert r["coverage"] <= 2
    assert r["is"] == pytest.approx(1.0, abs=0.05)  # one class: IS 1
    assert r["recall"] < 0.1  # one point covers almost none of the real manifold
    assert sum(r["class_histogram"]) == 500 and max(r["class_histogram"]) == 500
    assert sum(r["confident_histogram"]) <= 500 and sorted(r["confident_histogram"])[-2] == 0
    full = metrics.evaluate_images(real, real, metrics=("is", "pr"))
    assert full["coverage"] == 10
    assert full["is"] > 8.0  # ten balanced, confidently read classes
    assert full["precision"] == 1.0 and full["recall"] == 1.0
    assert full["confidence"] > 0.95
    # coverage is the count of classes whose confident samples reach 2% of the 300
    assert sum(c >= 6 for c in full["confident_histogram"]) == full["coverage"]


def test_evaluate_images_errors_and_keys(digits_train):
    import keras

    few = digits_train[:20]
    with pytest.raises(ValueError, match="(?s)Unknown metric.*fid, kid, is, pr"):
        metrics.evaluate_images(few, few, metrics=("fid", "lpips"))
    x_in = keras.Input((32, 32, 1))
    plain = keras.Model(x_in, keras.layers.GlobalAveragePooling2D()(x_in), name="plain")
    with pytest.raises(ValueError, match="Inception Score needs class probabilities"):
        metrics.evaluate_images(few, few, extractor=plain, metrics="fid,is")
    r = metrics.evaluate_images(few, few[::-1], extractor=plain, metrics="fid,kid,pr")
    assert set(r) == {"fid", "kid", "kid_std", "kid_subsets", "kid_subset_size", "kid_disjoint", "precision",
                      "recall", "pr_k", "num_fake", "num_real", "extractor", "extractor_description",
                      "real_statistics", "real_cache", "timings"}
    assert (r["kid_subset_size"], r["real_statistics"], r["real_cache"]) == (10, "computed", None)
    assert r["extractor"] == "plain" and r["fid"] == pytest.approx(0.0, abs=1e-6)


def test_real_images_specs(tmp_path):
    from PIL import Image

    train = metrics.real_images("digits:train", num=100, image_size=16, channels=3)
    assert train.shape == (100, 16, 16, 3) and train.min() >= -1.0 and train.max() <= 1.0
    np.testing.assert_array_equal(train, digits_arrays(16, 3, split="train")[0][:100])
    for i in range(5):
        Image.fromarray(np.full((20, 30, 3), 40 * i, np.uint8)).save(tmp_path / f"{i}.png")
    folder = metrics.real_images(f"folder:{tmp_path}", num=3, image_size=8)
    assert folder.shape == (3, 8, 8, 1)
    assert metrics.real_images(f"folder:{tmp_path}", image_size=8).shape == (5, 8, 8, 1)
