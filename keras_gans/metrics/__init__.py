"""Sample-quality metrics as pure functions on activations, plus Keras wrappers."""

from keras_gans.metrics.core import (
    frechet_distance,
    inception_score,
    kernel_distance,
    precision_recall,
    statistics,
)

__all__ = [
    "frechet_distance",
    "inception_score",
    "kernel_distance",
    "precision_recall",
    "statistics",
]
