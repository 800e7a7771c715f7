"""Feature extractors: the shipped digits classifier, InceptionV3, wrapped models."""

import os
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import metrics
from keras_gans.data import digits_arrays
from keras_gans.metrics import features as features_lib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def digits_test():
    return digits_arrays(32, 1, split="test")


def test_weights_ship_small_with_their_accuracy():
    size = os.path.getsize(features_lib.DIGITS_WEIGHTS)
    assert size < 1024 * 1024
    assert metrics.DIGITS_CLASSIFIER_ACCURACY >= 0.97
    setup = open(os.path.join(ROOT, "setup.cfg")).read()
    assert "metrics/weights/*" in setup  # installs with the package


def test_digits_extractor_shapes_and_accuracy(digits_test):
    x, y = digits_test
    ext = metrics.get_extractor("digits")
    assert ext is metrics.digits_extractor()  # cached per process
    assert (ext.name, ext.dim, ext.num_classes) == ("digits", 128, 10)
    feats, probs = ext.features_and_probabilities(x)
    assert feats.shape == (300, 128) and feats.dtype == np.float32
    assert probs.shape == (300, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    accuracy = np.mean(probs.argmax(axis=1) == y)
    assert accuracy >= 0.95
    # The constant is what the training script measured on the same split.
    assert accuracy == pytest.approx(metrics.DIGITS_CLASSIFIER_ACCURACY, abs=1.5 / 300)
    # Separate calls and other batch sizes give the same numbers.
    np.testing.assert_allclose(ext.features(x[:50], batch_size=7), feats[:50], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ext.probabilities(x[:50]), probs[:50], atol=1e-5)


def test_digits_extractor_resizes_and_converts_channels(digits_test):
    _, y = digits_test
    ext = metrics.digits_extractor()
    small = digits_arrays(16, 1, split="test")[0]
    rgb = digits_arrays(32, 3, split="test")[0]
    for images in (small, rgb):
        probs = ext.probabilities(images)
        assert probs.shape == (300, 10)
        assert np.mean(probs.argmax(axis=1) == y) >= 0.95
    # Grey repeated to RGB comes back to the same grey (luma weights sum to 1).
    np.testing.assert_allclose(
        ext.features(rgb[:20]), ext.features(digits_test[0][:20]), rtol=1e-3, atol=1e-3
    )
    # uint8 images are read as [0, 255].
    as_uint8 = np.round((digits_test[0][:20] + 1.0) * 127.5).astype(np.uint8)
    np.testing.assert_allclose(ext.features(as_uint8), ext.features(digits_test[0][:20]), atol=0.1)


def test_extractor_rejects_bad_images():
    ext = metrics.digits_extractor()
    with pytest.raises(ValueError, match="C 1 or 3"):
        ext.features(np.zeros((2, 32, 32, 2), np.float32))
    with pytest.raises(ValueError, match=r"\[N > 0"):
        ext.features(np.zeros((0, 32, 32, 1), np.float32))


def test_inception_v3_random_weights_shapes():
    ext = metrics.inception_v3_extractor(weights=None)
    assert (ext.name, ext.dim, ext.num_classes, ext.input_size) == ("inception_v3", 2048, 1000, (299, 299))
    images = np.random.default_rng(0).uniform(-1, 1, (2, 24, 24, 1)).astype(np.float32)
    feats, probs = ext.features_and_probabilities(images)
    assert feats.shape == (2, 2048) and probs.shape == (2, 1000)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)


def test_inception_v3_imagenet_offline_is_a_clear_error(monkeypatch):
    def failed_download(*args, **kwargs):
        raise Exception(  # what keras.utils.get_file raises without a network
            "URL fetch failure on https://storage.googleapis.com/tensorflow/keras-applications/"
            "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5: None -- "
            "[Errno -3] Temporary failure in name resolution"
        )

    monkeypatch.setattr(keras.applications, "InceptionV3", failed_download)
    monkeypatch.setattr(features_lib, "_INCEPTION_CACHE", {})
    with pytest.raises(ValueError, match="(?s)ImageNet weights.*local weights file"):
        metrics.inception_v3_extractor("imagenet")
    with pytest.raises(ValueError, match="ImageNet weights"):
        metrics.get_extractor("inception_v3")
    with pytest.raises(ValueError, match="is not a file"):
        metrics.inception_v3_extractor("/no/such/inception.h5")


def test_get_extractor_unknown_name():
    with pytest.raises(ValueError, match="(?s)Unknown extractor 'vgg'.*'digits', 'inception_v3'"):
        metrics.get_extractor("vgg")
    with pytest.raises(ValueError, match="Unknown extractor"):
        metrics.get_extractor(42)


def test_get_extractor_wraps_a_keras_model():
    x_in = keras.Input((8, 8, 3))
    out = keras.layers.Dense(5)(keras.layers.Flatten()(x_in))
    model = keras.Model(x_in, out, name="tiny")
    ext = metrics.get_extractor(model)
    assert metrics.get_extractor(ext) is ext
    assert (ext.name, ext.dim, ext.num_classes) == ("tiny", 5, None)
    images = np.random.default_rng(0).uniform(-1, 1, (6, 16, 16, 1)).astype(np.float32)
    feats, probs = ext.features_and_probabilities(images)
    assert probs is None and ext.probabilities(images) is None
    expected = model(
        tf.repeat(tf.image.resize(images, (8, 8), method="bilinear", antialias=True), 3, axis=-1)
    )
    np.testing.assert_allclose(feats, np.asarray(expected), rtol=1e-5, atol=1e-5)


def test_digits_judge_uses_the_shipped_classifier():
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        import digits_judge
    finally:
        sys.path.pop(0)
    model, accuracy = digits_judge.classifier(32, 1)
    assert model is metrics.digits_classifier()
    assert accuracy == pytest.approx(metrics.DIGITS_CLASSIFIER_ACCURACY, abs=1.5 / 300)
    x, _ = digits_arrays(24, 3, split="test")
    report = digits_judge.judge(x)
    assert report["coverage"] == 10 and report["judge_accuracy"] >= 0.95
