"""Reusable layers, grouped by theme; each reloads from `.keras` files by itself."""

from keras_gans.layers.minibatch import MinibatchDiscrimination
from keras_gans.layers.vbn import (
    DropReferenceBatch,
    ReferenceBatch,
    VirtualBatchNormalization,
)

__all__ = [
    "DropReferenceBatch",
    "MinibatchDiscrimination",
    "ReferenceBatch",
    "VirtualBatchNormalization",
]
