"""`keras.metrics.Metric` wrappers that accumulate FID, KID and IS over batches.

They run eagerly: `update_state` takes a batch of features (or probabilities)
as a numpy array or an eager tensor and accumulates it in numpy float64 on the
host; `result()` calls the pure function of `keras_gans.metrics.core` and
returns a Python float (NaN before any data). They are for evaluation loops and
callbacks, not for use inside a compiled `train_step` (their state is not
Keras variables, so `fit()`'s graph cannot update them).

Example:

```python
extractor = keras_gans.metrics.get_extractor("digits")
mu, sigma = keras_gans.metrics.statistics(extractor.features(real_images))
fid = keras_gans.metrics.FrechetDistance(mu, sigma)
for batch in batches_of_fakes:
    fid.update_state(extractor.features(batch))
print(fid.result())
```
"""

import keras
import numpy as np

from keras_gans.metrics import core


def _as_2d(values, what):
    x = np.asarray(values.numpy() if hasattr(values, "numpy") else values, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"{what} must be a [batch, D] array; got shape {x.shape}.")
    return x


class FrechetDistance(keras.metrics.Metric):
    """FID of the accumulated features against fixed real statistics.

    Accumulates the count, the sum and the sum of outer products of the
    features in numpy float64 (shifted by the first batch's mean, so large
    feature means cost no precision); `result()` forms the mean and the
    unbiased covariance and returns `frechet_distance` against the real ones.

    Args:
        real_mu: array [D]. Mean of the real features.
        real_sigma: array [D, D]. Covariance of the real features (`np.cov`,
            rowvar=False, as `keras_gans.metrics.statistics` gives).
        name: str. Metric name.

    Example:
    ```python
    fid = keras_gans.metrics.FrechetDistance.from_features(real_feats)
    fid.update_state(fake_feats)
    fid.result()  # a float
    ```
    """

    def __init__(self, real_mu, real_sigma, name="fid", **kwargs):
        super().__init__(name=name, **kwargs)
        self.real_mu = np.asarray(real_mu, np.float64)
        self.real_sigma = np.atleast_2d(np.asarray(real_sigma, np.float64))
        d = self.real_mu.size
        if self.real_mu.shape != (d,) or self.real_sigma.shape != (d, d):
            raise ValueError(
                f"real_mu must be [D] and real_sigma [D, D]; got {self.real_mu.shape} and "
                f"{self.real_sigma.shape}."
            )
        self.reset_state()

    @classmethod
    def from_features(cls, real_features, name="fid"):
        """A FrechetDistance against the statistics of `real_features` [N, D].

        Args:
            real_features: array `[N, D]`, N >= 2.
            name: str. Metric name.

        Returns:
            FrechetDistance.
        """
        return cls(*core.statistics(real_features), name=name)

    def reset_state(self):
        self.count = 0
        self._shift = None
        self._sum = None
        self._outer = None

    def update_state(self, features, sample_weight=None):
        if sample_weight is not None:
            raise ValueError("FrechetDistance does not take sample weights.")
        x = _as_2d(features, "features")
        if x.shape[1] != self.real_mu.size:
            raise ValueError(
                f"features have {x.shape[1]} dimensions but the real statistics {self.real_mu.size}."
            )
        if len(x) == 0:
            return
        if self._shift is None:
            self._shift = x.mean(axis=0)
            self._sum = np.zeros_like(self._shift)
            self._outer = np.zeros((x.shape[1], x.shape[1]))
        c = x - self._shift
        self._sum += c.sum(axis=0)
        self._outer += c.T @ c
        self.count += len(x)

    def statistics(self):
        """`(mu, sigma)` of the features accumulated so far (needs >= 2).

        Returns:
            `(mu, sigma)`: numpy float64 `[D]` and `[D, D]` (unbiased covariance).
        """
        n = self.count
        if n < 2:
            raise ValueError(f"FrechetDistance needs at least 2 features; has {n}.")
        mean_c = self._sum / n
        sigma = (self._outer - n * np.outer(mean_c, mean_c)) / (n - 1)
        return self._shift + mean_c, sigma

    def result(self):
        if self.count < 2:
            return float("nan")
        return core.frechet_distance(*self.statistics(), self.real_mu, self.real_sigma)

    def get_config(self):
        return {
            **super().get_config(),
            "real_mu": self.real_mu.tolist(),
            "real_sigma": self.real_sigma.tolist(),
        }


class _BatchAccumulator(keras.metrics.Metric):
    """Keeps every batch it is given (numpy float64) for a metric computed on all of them."""

    def reset_state(self):
        self._batches = []

    @property
    def count(self):
        return sum(len(b) for b in self._batches)

    def _add(self, values, what, sample_weight):
        if sample_weight is not None:
            raise ValueError(f"{type(self).__name__} does not take sample weights.")
        x = _as_2d(values, what)
        self._batches.append(x)
        return x

    def result(self):
        return self.result_with_std()[0]


class KernelDistance(_BatchAccumulator):
    """KID (unbiased MMD^2, cubic kernel) of the accumulated features against real ones.

    Keeps every feature batch (numpy float64); `result()` returns the mean of
    `kernel_distance(fake, real, num_subsets, subset_size, seed)` and
    `result_with_std()` the `(mean, std)` pair.

    Args:
        real_features: array [M, D]. Features of the real images.
        num_subsets: int. Random subsets averaged over.
        subset_size: int. Subset size (capped at the smaller set).
        seed: int. Seed of the subset draws.
        name: str. Metric name.

    Example:
    ```python
    kid = keras_gans.metrics.KernelDistance(real_feats, num_subsets=10)
    kid.update_state(fake_feats)
    mean, std = kid.result_with_std()
    ```
    """

    def __init__(self, real_features, num_subsets=100, subset_size=1000, seed=0, name="kid", **kwargs):
        super().__init__(name=name, **kwargs)
        self.real_features = _as_2d(real_features, "real_features")
        self.num_subsets = int(num_subsets)
        self.subset_size = int(subset_size)
        self.seed = seed
        self.reset_state()

    def update_state(self, features, sample_weight=None):
        x = _as_2d(features, "features")
        if x.shape[1] != self.real_features.shape[1]:
            raise ValueError(
                f"features have {x.shape[1]} dimensions but the real ones {self.real_features.shape[1]}."
            )
        self._add(x, "features", sample_weight)

    def result_with_std(self):
        if self.count < 2:
            return float("nan"), float("nan")
        return core.kernel_distance(
            np.concatenate(self._batches), self.real_features,
            num_subsets=self.num_subsets, subset_size=self.subset_size, seed=self.seed,
        )

    def get_config(self):
        return {
            **super().get_config(),
            "real_features": self.real_features.tolist(),
            "num_subsets": self.num_subsets,
            "subset_size": self.subset_size,
            "seed": self.seed,
        }


class InceptionScore(_BatchAccumulator):
    """Inception Score of the accumulated class probabilities.

    Keeps every probability batch (numpy float64); `result()` returns the mean
    of `inception_score(probs, splits)` and `result_with_std()` the pair.

    Args:
        splits: int. Chunks the score is averaged over (needs at least this
            many samples).
        name: str. Metric name.

    Example:
    ```python
    score = keras_gans.metrics.InceptionScore(splits=10)
    score.update_state(extractor.probabilities(fake_images))
    score.result()
    ```
    """

    def __init__(self, splits=10, name="is", **kwargs):
        super().__init__(name=name, **kwargs)
        self.splits = int(splits)
        self.reset_state()

    def update_state(self, probabilities, sample_weight=None):
        self._add(probabilities, "probabilities", sample_weight)

    def result_with_std(self):
        if self.count < self.splits:
            return float("nan"), float("nan")
        return core.inception_score(np.concatenate(self._batches), splits=self.splits)

    def get_config(self):
        return {**super().get_config(), "splits": self.splits}
