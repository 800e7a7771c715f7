"""Sample-quality metrics as pure functions on activations, plus Keras wrappers.

- `core`: `frechet_distance`, `kernel_distance`, `inception_score`,
  `precision_recall`, `statistics` (numpy float64, on features).
- `features`: the extractors (`get_extractor("digits" | "inception_v3" | FILE |
  keras.Model)`) and the shipped digits classifier.
- `wrappers`: `FrechetDistance`, `KernelDistance`, `InceptionScore`
  (`keras.metrics.Metric`s that accumulate over batches, eagerly).
- `evaluation`: `evaluate_images(fake, real, extractor)` and `real_images(spec)`.
- `reference`: `real_statistics(images, extractor, label)`, the real side of an
  evaluation, computed once and cached under ~/.keras/keras_gans/.
"""

from keras_gans.metrics.core import (
    frechet_distance,
    inception_score,
    kernel_distance,
    kid_subset_size,
    precision_recall,
    statistics,
)
from keras_gans.metrics.evaluation import (
    METRICS,
    class_statistics,
    evaluate_images,
    real_images,
    report_lines,
)
from keras_gans.metrics.features import (
    DIGITS_CLASSIFIER_ACCURACY,
    EXTRACTORS,
    Extractor,
    build_digits_classifier,
    digits_classifier,
    digits_extractor,
    get_extractor,
    inception_v3_extractor,
)
from keras_gans.metrics.reference import RealStatistics, real_statistics
from keras_gans.metrics.wrappers import FrechetDistance, InceptionScore, KernelDistance

__all__ = [
    "DIGITS_CLASSIFIER_ACCURACY",
    "EXTRACTORS",
    "METRICS",
    "Extractor",
    "FrechetDistance",
    "InceptionScore",
    "KernelDistance",
    "RealStatistics",
    "build_digits_classifier",
    "class_statistics",
    "digits_classifier",
    "digits_extractor",
    "evaluate_images",
    "frechet_distance",
    "get_extractor",
    "inception_score",
    "inception_v3_extractor",
    "kernel_distance",
    "kid_subset_size",
    "precision_recall",
    "real_images",
    "real_statistics",
    "report_lines",
    "statistics",
]
