"""FID, KID, IS and precision/recall on activations (numpy, float64).

Every function takes features or probabilities already extracted; choosing the
extractor is the caller's business, which is what makes numbers comparable.
"""

import numpy as np


def statistics(features):
    """Mean and covariance (float64, rowvar=False) of `features` [N, D].

    Args:
        features: array `[N, D]`, N >= 2.

    Returns:
        `(mu, sigma)`: numpy float64 `[D]` and `[D, D]`.

    Example:
    ```python
    extractor = keras_gans.metrics.get_extractor("digits")
    mu, sigma = keras_gans.metrics.statistics(extractor.features(real_images))
    ```
    """
    f = np.asarray(features, dtype=np.float64)
    if f.ndim != 2 or f.shape[0] < 2:
        raise ValueError(f"features must be [N >= 2, D]; got shape {f.shape}.")
    return f.mean(axis=0), np.cov(f, rowvar=False)


def _sqrt_psd(matrix):
    """Symmetric square root of a PSD matrix through eigh, negatives clipped."""
    w, v = np.linalg.eigh((matrix + matrix.T) / 2.0)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2).

    d^2 = ||mu1 - mu2||^2 + tr(sigma1) + tr(sigma2) - 2 tr((sigma1 sigma2)^(1/2)).

    Method: tr((s1 s2)^(1/2)) equals the sum of square roots of the eigenvalues
    of the symmetric PSD matrix s1^(1/2) s2 s1^(1/2) (same spectrum as s1 s2).
    Both steps use `eigh` on symmetric matrices with negative round-off
    eigenvalues clipped to zero, so singular covariances (digits have pixels
    that are always zero; fewer samples than dimensions) need no epsilon on the
    diagonal and never produce complex numbers, unlike `scipy.linalg.sqrtm` of
    the non-symmetric product.

    Args:
        mu1: array `[D]`. Mean of the first set's features.
        sigma1: array `[D, D]`. Covariance of the first set's features.
        mu2: array `[D]`. Mean of the second set's features.
        sigma2: array `[D, D]`. Covariance of the second set's features.

    Returns:
        float. d^2 (the FID when the features are InceptionV3's).

    Example:
    ```python
    fid = keras_gans.metrics.frechet_distance(*keras_gans.metrics.statistics(fake_feats),
                                              *keras_gans.metrics.statistics(real_feats))
    ```

    Reference: Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update
    Rule Converge to a Local Nash Equilibrium", arXiv:1706.08500.
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    s1, s2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or s1.shape != s2.shape or s1.shape != (mu1.size, mu1.size):
        raise ValueError(
            f"Mismatched statistics: mu {mu1.shape} vs {mu2.shape}, sigma {s1.shape} vs {s2.shape}."
        )
    root1 = _sqrt_psd(s1)
    middle = root1 @ s2 @ root1
    eig = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    tr_covmean = np.sqrt(np.clip(eig, 0.0, None)).sum()
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * tr_covmean)


def _poly_kernel(x, y):
    d = x.shape[1]
    return (x @ y.T / d + 1.0) ** 3


def kid_subset_size(num1, num2, subset_size=1000):
    """The KID subset size to use for sets of `num1` and `num2` samples.

    Binkowski et al. draw subsets of 1000 from sets of 10,000 or more, so that
    subsets differ and their spread says how noisy the estimate is. Subsets
    as large as a set are that whole set every time, and their standard
    deviation is 0 whatever the noise. This caps the size at half the smaller
    set: subsets then differ, and the two sets' subsets can be drawn from
    disjoint indices (see `kernel_distance(disjoint=True)`).

    Args:
        num1: int. Samples in one set.
        num2: int. Samples in the other.
        subset_size: int. The size asked for (Binkowski's 1000).

    Returns:
        int. `min(subset_size, min(num1, num2) // 2)`.

    Raises:
        ValueError: when that is below 2 (fewer than 4 samples in a set).

    Example:
    ```python
    keras_gans.metrics.core.kid_subset_size(300, 300)  # 150
    ```
    """
    m = min(int(subset_size), min(int(num1), int(num2)) // 2)
    if m < 2:
        raise ValueError(
            f"KID needs at least 4 samples in each set (subsets of 2 or more that differ); "
            f"got {num1} and {num2}."
        )
    return m


def kernel_distance(feats1, feats2, num_subsets=100, subset_size=1000, seed=0, disjoint=False):
    """Kernel Inception Distance: unbiased MMD^2 with k(x, y) = (x.y / d + 1)^3.

    Averaged over `num_subsets` random subsets of `subset_size` from each set
    (capped at the smaller set's size). Each subset's estimate is unbiased,
    so it is below 0 about as often as above when the sets come from the same
    distribution; the mean is negative when the sets are closer than its noise.
    The returned std is the spread over subsets (Binkowski et al. report
    mean and std over subsets); it is 0 when every subset is the whole set,
    which `kid_subset_size` avoids.

    The unbiased estimate assumes the two sets are independent. When they
    are paired by index (a translator's outputs and the ground truth of the
    same inputs), the cross term holds pairs of near-duplicates and the
    estimate is biased below 0: `disjoint=True` draws the two subsets from
    disjoint indices, so no pair is compared with its own partner.

    Args:
        feats1: array `[N, D]`. Features of one set.
        feats2: array `[M, D]`. Features of the other.
        num_subsets: int. Random subsets averaged over.
        subset_size: int. Samples per subset (capped at min(N, M)).
        seed: int. Seed of the subset draws.
        disjoint: bool. Draw the second set's subset from indices the
            first's did not take (needs `2 * subset_size <= M`).

    Returns:
        `(mean, std)`: floats, over the subsets.

    Example:
    ```python
    kid, kid_std = keras_gans.metrics.kernel_distance(fake_feats, real_feats, num_subsets=10)
    ```

    Reference: Binkowski et al. 2018, "Demystifying MMD GANs", arXiv:1801.01401.
    """
    x = np.asarray(feats1, np.float64)
    y = np.asarray(feats2, np.float64)
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(f"features must be [N, D] with the same D; got {x.shape} and {y.shape}.")
    m = min(subset_size, len(x), len(y))
    if m < 2:
        raise ValueError("kernel_distance needs at least 2 samples in each set.")
    if disjoint and 2 * m > len(y):
        raise ValueError(
            f"disjoint subsets of {m} need {m} indices of the second set besides the first's; it has "
            f"{len(y)} (use keras_gans.metrics.core.kid_subset_size)."
        )
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(num_subsets):
        ia = rng.choice(len(x), m, replace=False)
        if disjoint:  # y's subset avoids the indices x's subset took
            free = np.ones(len(y), bool)
            free[ia[ia < len(y)]] = False
            ib = rng.choice(np.flatnonzero(free), m, replace=False)
        else:
            ib = rng.choice(len(y), m, replace=False)
        a, b = x[ia], y[ib]
        kxx, kyy, kxy = _poly_kernel(a, a), _poly_kernel(b, b), _poly_kernel(a, b)
        sxx = (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
        syy = (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        values.append(sxx + syy - 2.0 * kxy.mean())
    values = np.asarray(values)
    return float(values.mean()), float(values.std())


def inception_score(probs, splits=10):
    """exp(E_x KL(p(y|x) || p(y))), mean and std over `splits` chunks.

    Args:
        probs: array `[N, K]`. Class probabilities, N >= `splits`.
        splits: int. Chunks the score is computed on.

    Returns:
        `(mean, std)`: floats, over the chunks.

    Example:
    ```python
    extractor = keras_gans.metrics.get_extractor("digits")
    score, std = keras_gans.metrics.inception_score(extractor.probabilities(fake_images))
    ```

    Reference: Salimans et al. 2016, "Improved Techniques for Training GANs",
    arXiv:1606.03498, section 4.
    """
    p = np.asarray(probs, np.float64)
    if p.ndim != 2 or len(p) < splits:
        raise ValueError(f"probs must be [N >= splits, K]; got {p.shape} with splits={splits}.")
    scores = []
    for chunk in np.array_split(p, splits):
        marginal = chunk.mean(axis=0, keepdims=True)
        kl = np.sum(chunk * (np.log(chunk + 1e-12) - np.log(marginal + 1e-12)), axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def _pairwise_sq(a, b):
    return np.maximum(
        (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T, 0.0
    )


def _knn_radii(feats, k, batch=1024):
    # The k-th nearest neighbour other than the point itself (index 0 in sorted
    # order), a block of rows at a time: N x N distances never held at once.
    radii = []
    for i in range(0, len(feats), batch):
        d = _pairwise_sq(feats[i : i + batch], feats)
        radii.append(np.partition(d, k, axis=1)[:, k])
    return np.concatenate(radii)


def _coverage(reference, radii, queries, batch=1024):
    inside = []
    for i in range(0, len(queries), batch):
        d = _pairwise_sq(queries[i : i + batch], reference)
        inside.append(np.any(d <= radii[None, :], axis=1))
    return float(np.mean(np.concatenate(inside)))


def precision_recall(feats_real, feats_fake, k=3):
    """Improved precision and recall (k-NN manifolds).

    Precision: the share of fake samples inside the real manifold (the union of
    balls around each real sample reaching its k-th nearest real neighbour).
    Recall: the share of real samples inside the fake manifold.

    Args:
        feats_real: array `[N, D]`. Features of real images, N > k.
        feats_fake: array `[M, D]`. Features of generated images, M > k.
        k: int. The neighbour whose distance is each ball's radius.

    Returns:
        `(precision, recall)`: floats in [0, 1].

    Example:
    ```python
    precision, recall = keras_gans.metrics.precision_recall(real_feats, fake_feats, k=3)
    ```

    Reference: Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric
    for Assessing Generative Models", arXiv:1904.06991.
    """
    r = np.asarray(feats_real, np.float64)
    f = np.asarray(feats_fake, np.float64)
    if len(r) <= k or len(f) <= k:
        raise ValueError(f"precision_recall needs more than k={k} samples in each set.")
    precision = _coverage(r, _knn_radii(r, k), f)
    recall = _coverage(f, _knn_radii(f, k), r)
    return precision, recall
