"""Regularizers of the train steps; they live in `keras_gans.losses`:
`gradient_penalty` and `historical_average` in `keras_gans.losses.penalties`,
`pull_away_term` in `keras_gans.losses.energy`, `feature_matching` in
`keras_gans.losses.adversarial` and `clip_weights` in
`keras_gans.losses.constraints`.

This module re-exports them so that code importing it keeps working.
"""

from keras_gans.losses.adversarial import feature_matching
from keras_gans.losses.constraints import clip_weights
from keras_gans.losses.energy import pull_away_term
from keras_gans.losses.penalties import gradient_penalty, historical_average

__all__ = [
    "gradient_penalty",
    "pull_away_term",
    "feature_matching",
    "historical_average",
    "clip_weights",
]
