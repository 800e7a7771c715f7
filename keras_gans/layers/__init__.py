"""Reusable layers, grouped by theme; each reloads from `.keras` files by itself."""

from keras_gans.layers.batch_norm import BatchNorm
from keras_gans.layers.image_pool import ImagePool
from keras_gans.layers.minibatch import MinibatchDiscrimination
from keras_gans.layers.padding import ReflectionPadding2D
from keras_gans.layers.vbn import (
    DropReferenceBatch,
    ReferenceBatch,
    VirtualBatchNormalization,
)

__all__ = [
    "BatchNorm",
    "DropReferenceBatch",
    "ImagePool",
    "MinibatchDiscrimination",
    "ReferenceBatch",
    "ReflectionPadding2D",
    "VirtualBatchNormalization",
]
