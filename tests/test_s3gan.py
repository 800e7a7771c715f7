"""S2GAN / S3GAN (issue 18): the rotation loss by hand, quarter turns against
numpy, the rotated rows on one and two replicas, k-means on separated blobs,
and the model: its heads, pseudo-labels, losses with their weights, s2's
clustering schedule, saved state and exports."""

import math

import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from keras_gans import clustering, losses
from keras_gans.models import s3gan as s3


def _np(x):
    return np.asarray(x)


# ---------------------------------------------------------------- rotation loss


def test_rotation_loss_by_hand():
    # Equal logits: -log(1/4) for every row.
    assert float(losses.rotation_loss(np.zeros((3, 4)), np.array([0, 1, 3]))) == pytest.approx(
        math.log(4.0), rel=1e-6)
    # softmax of log(1..4) is (1, 2, 3, 4) / 10.
    logits = np.log(np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]]))
    want = -(math.log(4 / 10) + math.log(1 / 10)) / 2
    assert float(losses.rotation_loss(logits, np.array([3, 0]))) == pytest.approx(want, rel=1e-6)
    # A confident right answer costs about nothing, a confident wrong one a lot.
    sure = np.array([[0.0, 0.0, 20.0, 0.0]])
    assert float(losses.rotation_loss(sure, np.array([2]))) < 1e-7
    assert float(losses.rotation_loss(sure, np.array([1]))) == pytest.approx(
        20.0 + math.log(1 + 3 * math.exp(-20.0)), rel=1e-6)


def test_rotation_loss_is_float32_for_half_inputs():
    out = losses.rotation_loss(np.zeros((2, 4), "float16"), np.array([0, 1]))
    assert out.dtype == tf.float32


# ----------------------------------------------------------------- quarter turns


def test_quarter_turns_match_numpy_and_tf():
    x = np.random.default_rng(0).normal(size=(2, 5, 5, 3)).astype("float32")
    for k in range(4):
        want = np.rot90(x, k, axes=(1, 2))
        np.testing.assert_array_equal(_np(s3.quarter_turns(x, k)), want)
        np.testing.assert_array_equal(_np(tf.image.rot90(x, k)), want)


def test_rotated_copies_and_their_rotations():
    x = np.arange(2 * 3 * 3, dtype="float32").reshape(2, 3, 3, 1)
    labels = np.array([4, -1], "int32")
    (copies, copy_labels), rotations = s3.rotated_copies([x, labels])
    np.testing.assert_array_equal(_np(rotations), [0, 0, 1, 1, 2, 2, 3, 3])
    assert copies.shape == (6, 3, 3, 1)
    np.testing.assert_array_equal(_np(copies[:2]), np.rot90(x, 1, axes=(1, 2)))
    np.testing.assert_array_equal(_np(copies[2:4]), np.rot90(x, 2, axes=(1, 2)))
    np.testing.assert_array_equal(_np(copies[4:]), np.rot90(x, 3, axes=(1, 2)))
    np.testing.assert_array_equal(_np(copy_labels), [4, -1] * 3)


def test_rotation_rows_are_the_same_images_on_two_replicas():
    batch = np.arange(16)
    one = _np(s3.rotation_rows(batch, 4))
    two = np.concatenate([_np(s3.rotation_rows(half, 4)) for half in np.split(batch, 2)])
    np.testing.assert_array_equal(one, [0, 4, 8, 12])
    np.testing.assert_array_equal(two, one)
    # A batch smaller than `every` still gives one row.
    np.testing.assert_array_equal(_np(s3.rotation_rows(np.arange(3), 4)), [0])


# ------------------------------------------------------------------------ k-means


def blobs(seed=0, per=50, k=4, dim=3, spread=0.1):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim)) * 10.0
    labels = np.repeat(np.arange(k), per)
    points = centres[labels] + rng.normal(size=(k * per, dim)) * spread
    order = rng.permutation(len(points))
    return points[order].astype("float32"), labels[order], centres


def _same_partition(a, b):
    """Two labelings give the same partition (up to renaming the clusters)."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_kmeans_finds_separated_blobs():
    points, labels, centres = blobs()
    c, assignments = clustering.kmeans(points, 4)
    c, assignments = _np(c), _np(assignments)
    assert _same_partition(assignments, labels)
    # Each centroid is its blob's centre, up to the noise of 50 points.
    for j in range(4):
        nearest = np.min(np.linalg.norm(centres - c[j], axis=1))
        assert nearest < 0.1
    # Inside a traced function too, with the same result.
    traced = tf.function(lambda p: clustering.kmeans(p, 4))(tf.constant(points))
    np.testing.assert_allclose(_np(traced[0]), c, atol=1e-5)


def test_farthest_point_seeding_beats_a_bad_start():
    points, labels, _ = blobs(seed=1)

    def inertia(c):
        return float(np.min(_np(clustering.squared_distances(points, c)), axis=1).sum())

    # Four seeds that may share blobs: Lloyd can stop in a local optimum ...
    bad, _ = clustering.kmeans(points, 4, iterations=30, initial=points[:4])
    # ... farthest-point seeding puts one seed in each blob.
    seeds = _np(clustering.farthest_point_centroids(points, 4))
    assert _same_partition(_np(clustering.nearest_centroid(points, seeds)), labels)
    good, _ = clustering.kmeans(points, 4)
    assert inertia(good) <= inertia(bad) + 1e-3
    assert inertia(good) < 200 * 3 * 0.1**2 * 2  # about the blobs' own spread


def test_kmeans_small_cases_by_hand():
    p = np.array([[0.0], [1.0], [9.0], [10.0]], "float32")
    c, a = clustering.kmeans(p, 2)
    assert sorted(_np(c)[:, 0].tolist()) == [0.5, 9.5]
    assert _np(a)[0] == _np(a)[1] != _np(a)[2] == _np(a)[3]
    np.testing.assert_array_equal(_np(clustering.farthest_point_centroids(
        np.array([[0.0], [1.0], [9.0]]), 2)), [[9.0], [0.0]])
    np.testing.assert_allclose(_np(clustering.squared_distances(
        np.zeros((1, 2)), np.array([[3.0, 4.0]]))), [[25.0]])
    # An empty cluster keeps its centroid.
    c, _ = clustering.kmeans(p, 2, iterations=1, initial=np.array([[0.5], [100.0]]))
    np.testing.assert_allclose(_np(c), [[5.0], [100.0]])


def test_moving_centroids_by_hand():
    c = np.array([[0.0, 0.0], [10.0, 10.0], [50.0, 50.0]], "float32")
    p = np.array([[1.0, 1.0], [3.0, 1.0], [10.0, 12.0]], "float32")
    moved = _np(clustering.moving_centroids(c, p, 0.5))
    # Centroid 0 moves half-way to (2, 1), centroid 1 to (10, 12), 2 gets nothing.
    np.testing.assert_allclose(moved, [[1.0, 0.5], [10.0, 11.0], [50.0, 50.0]])


def test_kmeans_errors():
    with pytest.raises(ValueError, match="k >= 1"):
        clustering.kmeans(np.zeros((3, 2)), 0)
    with pytest.raises(ValueError, match="at least k=4 points"):
        clustering.kmeans(np.zeros((3, 2)), 4)
    with pytest.raises(ValueError, match=r"points \[N, D\]"):
        clustering.kmeans(np.zeros(3), 1)
