"""benchmarks/svc_diagnosis.py's residual: real digits lie in the space of
upsampled 8x8 digits (no residual), and a pattern finer than 8x8 does not."""

import os
import sys

import numpy as np

from keras_gans.data import digits_arrays

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import svc_diagnosis  # noqa: E402


def test_real_digits_have_no_residual_and_a_fine_checkerboard_has_one():
    real, _ = digits_arrays(32, 1, split="test")
    assert svc_diagnosis.residual(real[:50]) < 1e-4
    checker = (np.indices((32, 32)).sum(0) % 2 * 2 - 1).astype("float32")[None, :, :, None]
    noisy = np.clip(real[:50] + 0.1 * checker, -1, 1)
    assert svc_diagnosis.residual(noisy) > 0.02


def test_projection_and_steps_toward_the_nearest_training_row():
    rng = np.random.default_rng(0)
    train = rng.uniform(0, 16, (40, 64))
    # All 64 components keep every row; the top 1 keeps only the mean and one direction.
    np.testing.assert_allclose(svc_diagnosis.principal_projection(train, train, 64), train,
                               atol=1e-8)
    one = svc_diagnosis.principal_projection(train, train, 1)
    assert np.linalg.matrix_rank(one - train.mean(0)) == 1
    rows = train[:5] + rng.normal(0, 0.5, (5, 64))
    np.testing.assert_allclose(svc_diagnosis.toward_nearest(rows, train, 0.0), rows)
    np.testing.assert_allclose(svc_diagnosis.toward_nearest(rows, train, 1.0), train[:5])
    np.testing.assert_allclose(svc_diagnosis.toward_nearest(rows, train, 0.5),
                               (rows + train[:5]) / 2)
