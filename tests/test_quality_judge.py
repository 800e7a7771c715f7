"""The second digit judge of benchmarks/quality.py (a scikit-learn SVC that
keras-gans does not ship): it reads real digits, and it is not fooled by noise
or by one digit drawn over and over."""

import os
import sys

import numpy as np

from keras_gans.data import digits_arrays

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "benchmarks"))
import quality  # noqa: E402


def test_the_svc_reads_real_digits_through_the_samples_pooling():
    _, raw, pooled = quality.svc_judge()
    assert raw >= 0.99 and pooled == raw  # real digits at 32 px come back to their exact 8x8 rows
    images, labels = digits_arrays(32, 1, split="test")
    real = quality.svc_scores(images, labels)
    assert real["svc_coverage"] == 10 and real["svc_class_accuracy"] >= 0.99
    assert quality.to_digits_8x8(images[:2]).shape == (2, 64)


def test_noise_and_a_single_digit_score_low():
    rng = np.random.default_rng(0)
    noise = quality.svc_scores(rng.uniform(-1, 1, (300, 32, 32, 1)).astype("float32"), None)
    images, labels = digits_arrays(32, 1, split="test")
    real = quality.svc_scores(images, None)
    assert noise["svc_confidence"] < real["svc_confidence"] - 0.2
    sevens = np.repeat(images[labels == 7][:1], 300, axis=0)
    one = quality.svc_scores(sevens, np.full(300, 3))
    assert one["svc_coverage"] == 1 and one["svc_class_accuracy"] == 0.0  # asked 3, drew 7
    assert "svc_class_accuracy" not in noise
