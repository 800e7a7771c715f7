"""k-means in pure TensorFlow, for models that label data by clustering features.

`kmeans` runs Lloyd's algorithm from a deterministic farthest-point start
inside a traced train step (no numpy, no scikit-learn), `nearest_centroid`
assigns points to centroids and `moving_centroids` moves centroids towards
the mean of the points each one is given (mini-batch k-means with a fixed
rate), so that clusters follow features that keep changing during training.
"""

import tensorflow as tf

__all__ = ["squared_distances", "nearest_centroid", "farthest_point_centroids", "kmeans",
           "moving_centroids"]


def squared_distances(points, centroids):
    """Squared Euclidean distances of every point to every centroid.

    Computed from the differences (memory N * K * D), so that two runtimes
    (TF, LiteRT) and two summation orders agree closely.

    Args:
        points: float tensor `[N, D]`.
        centroids: float tensor `[K, D]`.

    Returns:
        float32 tensor `[N, K]` (>= 0).

    Example:
    ```python
    keras_gans.clustering.squared_distances(np.zeros((1, 2)), np.array([[3.0, 4.0]]))  # [[25.]]
    ```
    """
    points = tf.cast(points, tf.float32)
    centroids = tf.cast(centroids, tf.float32)
    # The differences themselves ([N, K, D]; small for cluster counts), not
    # |a|^2 - 2ab + |c|^2, which loses the digits of near points far from 0.
    return tf.reduce_sum(tf.square(points[:, None, :] - centroids[None, :, :]), axis=-1)


def nearest_centroid(points, centroids):
    """The index of each point's nearest centroid (ties: the lowest index).

    Args:
        points: float tensor `[N, D]`.
        centroids: float tensor `[K, D]`.

    Returns:
        int32 tensor `[N]` in [0, K).

    Example:
    ```python
    keras_gans.clustering.nearest_centroid(np.array([[0.9, 1.0]]), np.eye(2))  # [1]
    ```
    """
    return tf.argmin(squared_distances(points, centroids), axis=1, output_type=tf.int32)


def farthest_point_centroids(points, k):
    """`k` points of `points` spread out, as a deterministic k-means start:
    the point farthest from the mean first, then each time the point
    farthest from those chosen (Gonzalez 1985's greedy 2-approximation of
    the k-center problem; k-means++ with the sampling replaced by the argmax,
    so one batch of features always gives the same start).

    Args:
        points: float tensor `[N, D]`, N >= k.
        k: int. Number of centroids (static).

    Returns:
        float32 tensor `[k, D]`.

    Example:
    ```python
    keras_gans.clustering.farthest_point_centroids(np.array([[0.0], [1.0], [9.0]]), 2)
    # [[9.], [0.]]
    ```
    """
    points = tf.cast(points, tf.float32)
    mean = tf.reduce_mean(points, axis=0, keepdims=True)
    first = tf.argmax(squared_distances(points, mean)[:, 0], output_type=tf.int32)
    chosen = [tf.gather(points, first)]
    nearest = squared_distances(points, chosen[0][None, :])[:, 0]
    for _ in range(1, int(k)):
        index = tf.argmax(nearest, output_type=tf.int32)
        chosen.append(tf.gather(points, index))
        nearest = tf.minimum(nearest, squared_distances(points, chosen[-1][None, :])[:, 0])
    return tf.stack(chosen, axis=0)


def _cluster_means(points, assignments, centroids):
    """The mean of the points given to each centroid; a centroid given none keeps its place."""
    k = tf.shape(centroids)[0]
    onehot = tf.one_hot(assignments, k, dtype=tf.float32)  # [N, K]
    sums = tf.matmul(onehot, points, transpose_a=True)  # [K, D]
    counts = tf.reduce_sum(onehot, axis=0)[:, None]  # [K, 1]
    return tf.where(counts > 0, sums / tf.maximum(counts, 1.0), centroids), counts[:, 0]


def kmeans(points, k, iterations=20, initial=None):
    """Lloyd's k-means: `iterations` rounds of assigning every point to its
    nearest centroid and moving each centroid to the mean of its points.

    A pure TensorFlow function (a `tf.while_loop`), so it runs inside a
    compiled train step. A centroid that gets no points stays where it was.

    Reference: Lloyd 1982, "Least squares quantization in PCM", IEEE Trans.
    Inf. Theory 28(2).

    Args:
        points: float tensor `[N, D]`, N >= k.
        k: int. Number of clusters.
        iterations: int. Lloyd rounds (it stops early at none; 20 is plenty
            for a few thousand points).
        initial: float tensor `[k, D]` or None. The starting centroids;
            `farthest_point_centroids(points, k)` when None.

    Returns:
        `(centroids, assignments)`: float32 `[k, D]` and int32 `[N]` (each
        point's nearest final centroid).

    Example:
    ```python
    centroids, labels = keras_gans.clustering.kmeans(features, k=10)
    ```
    """
    k = int(k)
    if k < 1:
        raise ValueError(f"kmeans needs k >= 1 clusters; got {k}.")
    if int(iterations) < 0:
        raise ValueError(f"kmeans needs iterations >= 0; got {iterations}.")
    points = tf.cast(points, tf.float32)
    if points.shape.rank != 2:
        raise ValueError(f"kmeans takes points [N, D]; got shape {points.shape}.")
    if points.shape[0] is not None and points.shape[0] < k:
        raise ValueError(f"kmeans needs at least k={k} points; got {points.shape[0]}.")
    centroids = (farthest_point_centroids(points, k) if initial is None
                 else tf.cast(initial, tf.float32))

    def body(i, c):
        means, _ = _cluster_means(points, nearest_centroid(points, c), c)
        return i + 1, means

    _, centroids = tf.while_loop(lambda i, c: i < int(iterations), body,
                                 (tf.constant(0), centroids))
    return centroids, nearest_centroid(points, centroids)


def moving_centroids(centroids, points, rate, counts=None):
    """One step of mini-batch k-means with a fixed rate: each centroid moves
    `rate` of the way to the mean of the points nearest to it; one that gets
    none stays.

    Reference: Sculley 2010, "Web-Scale K-Means Clustering", WWW (with a
    fixed rate in place of the per-centroid 1/count, so that the clusters
    follow features that drift during training).

    Args:
        centroids: float tensor `[K, D]`.
        points: float tensor `[N, D]`.
        rate: float or scalar tensor in [0, 1].
        counts: None, or a function `(sums [K, D], counts [K]) -> (sums, counts)`
            applied before the division (e.g. a sum over replicas).

    Returns:
        float32 tensor `[K, D]`.

    Example:
    ```python
    c = keras_gans.clustering.moving_centroids(c, features, rate=0.05)
    ```
    """
    centroids = tf.cast(centroids, tf.float32)
    points = tf.cast(points, tf.float32)
    k = tf.shape(centroids)[0]
    onehot = tf.one_hot(nearest_centroid(points, centroids), k, dtype=tf.float32)
    sums = tf.matmul(onehot, points, transpose_a=True)
    n = tf.reduce_sum(onehot, axis=0)
    if counts is not None:
        sums, n = counts(sums, n)
    means = sums / tf.maximum(n, 1.0)[:, None]
    moved = centroids + tf.cast(rate, tf.float32) * (means - centroids)
    return tf.where((n > 0)[:, None], moved, centroids)
