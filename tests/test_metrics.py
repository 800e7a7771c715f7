"""Metrics against independent computations and hand-computed values."""

import numpy as np
import pytest
import scipy.linalg

from keras_gans import metrics


def fid_scipy(mu1, s1, mu2, s2):
    covmean = scipy.linalg.sqrtm(s1.astype(np.float64) @ s2.astype(np.float64))
    covmean = np.real(covmean)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def test_fid_matches_scipy_well_conditioned():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 16))
    b = rng.normal(0.3, 1.2, size=(500, 16)) @ rng.normal(size=(16, 16)) * 0.3
    s = metrics.statistics
    expected = fid_scipy(*s(a), *s(b))
    assert metrics.frechet_distance(*s(a), *s(b)) == pytest.approx(expected, rel=1e-6)


def test_fid_matches_scipy_rank_deficient():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(40, 6)) @ rng.normal(size=(6, 20))  # rank 6 in 20 dims
    b = rng.normal(size=(40, 6)) @ rng.normal(size=(6, 20)) + 0.5
    s = metrics.statistics
    got = metrics.frechet_distance(*s(a), *s(b))
    expected = fid_scipy(*s(a), *s(b))
    assert np.isfinite(got)
    assert got == pytest.approx(expected, rel=1e-6)


def test_fid_of_digit_halves_and_identity():
    from keras_gans.data import digits_arrays

    x, _ = digits_arrays(8)
    x = x.reshape(len(x), -1)
    s = metrics.statistics
    a, b = x[::2], x[1::2]
    assert metrics.frechet_distance(*s(a), *s(b)) == pytest.approx(fid_scipy(*s(a), *s(b)), rel=1e-6)
    assert metrics.frechet_distance(*s(a), *s(a)) == pytest.approx(0.0, abs=1e-6)


def test_fid_one_dimension_by_hand():
    # N(0, 4) vs N(3, 1): 9 + 4 + 1 - 2 * sqrt(4) = 10.
    assert metrics.frechet_distance([0.0], [[4.0]], [3.0], [[1.0]]) == pytest.approx(10.0)


def test_kid_by_hand_and_zero_for_same_distribution():
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([[1.0, 1.0], [0.0, 0.0]])
    k = lambda a, b: (a @ b / 2 + 1) ** 3  # noqa: E731
    sxx = 2 * k(x[0], x[1]) / 2
    syy = 2 * k(y[0], y[1]) / 2
    sxy = sum(k(a, b) for a in x for b in y) / 4
    mean, std = metrics.kernel_distance(x, y, num_subsets=3, subset_size=2)
    assert mean == pytest.approx(sxx + syy - 2 * sxy) and std == pytest.approx(0.0)
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(400, 8)), rng.normal(size=(400, 8))
    assert abs(metrics.kernel_distance(a, b, num_subsets=10, subset_size=200)[0]) < 0.05
    assert metrics.kernel_distance(a, b + 1.0, num_subsets=10, subset_size=200)[0] > 0.5


def test_inception_score_extremes():
    one_hot = np.eye(10)[np.arange(100) % 10]
    assert metrics.inception_score(one_hot, splits=1)[0] == pytest.approx(10.0, rel=1e-6)
    uniform = np.full((100, 10), 0.1)
    assert metrics.inception_score(uniform, splits=5)[0] == pytest.approx(1.0, rel=1e-6)


def test_precision_recall_by_hand():
    real = np.array([[0.0], [1.0], [2.0], [3.0]])
    # k=1: radii (squared) are 1 for every real point -> manifold [-1, 4].
    fake = np.array([[0.5], [3.9], [10.0], [-5.0]])
    p, _ = metrics.precision_recall(real, fake, k=1)
    assert p == pytest.approx(0.5)
    p, r = metrics.precision_recall(real, real + 0.0, k=1)
    assert p == 1.0 and r == 1.0
