"""Reusable layers, grouped by theme; each reloads from `.keras` files by itself.

- normalization: `BatchNorm`, `VirtualBatchNormalization` (with `ReferenceBatch`,
  `DropReferenceBatch`), `PixelNorm`, `AdaIN`, `ConditionalBatchNorm`;
- class conditioning of D: `ProjectionHead`;
- equalized learning rate (ProGAN, StyleGAN): `EqualizedDense`, `EqualizedConv2D`;
- style (StyleGAN): `ModulatedConv2D`, `NoiseInjection`;
- batch statistics for D: `MinibatchDiscrimination`, `MinibatchStdDev`, and PacGAN's
  packing, `PackImages` with `UnpackScores`;
- resampling and padding: `Upsample2D`, `Downsample2D`, `ReflectionPadding2D`;
- `spectral_norm`, the one place every network wraps a layer in spectral norm (Keras'
  `SpectralNormalization`, or `ThroughSigmaSpectralNorm`, the paper's gradient through sigma);
- attention (SAGAN, YLG): `SelfAttention`, `LocalSparseAttention`;
- `ImagePool`, CycleGAN's history of generated images;
- `LatentMixture`, a Gaussian-mixture latent prior as G's first layer;
- `NativeResolution`, G's last layer for data resized from a smaller side.
"""

from keras_gans.layers.attention import LocalSparseAttention, SelfAttention
from keras_gans.layers.batch_norm import BatchNorm
from keras_gans.layers.conditional import ConditionalBatchNorm, ProjectionHead
from keras_gans.layers.equalized import EqualizedConv2D, EqualizedDense
from keras_gans.layers.image_pool import ImagePool
from keras_gans.layers.latent import LatentMixture
from keras_gans.layers.minibatch import MinibatchDiscrimination, PackImages, UnpackScores
from keras_gans.layers.modulated import ModulatedConv2D
from keras_gans.layers.padding import ReflectionPadding2D
from keras_gans.layers.resample import Downsample2D, NativeResolution, Upsample2D
from keras_gans.layers.spectral import ThroughSigmaSpectralNorm, spectral_norm
from keras_gans.layers.style import AdaIN, MinibatchStdDev, NoiseInjection, PixelNorm
from keras_gans.layers.vbn import (
    DropReferenceBatch,
    ReferenceBatch,
    VirtualBatchNormalization,
)

__all__ = [
    "AdaIN",
    "BatchNorm",
    "ConditionalBatchNorm",
    "Downsample2D",
    "DropReferenceBatch",
    "EqualizedConv2D",
    "EqualizedDense",
    "ImagePool",
    "LatentMixture",
    "LocalSparseAttention",
    "MinibatchDiscrimination",
    "MinibatchStdDev",
    "ModulatedConv2D",
    "NativeResolution",
    "NoiseInjection",
    "PackImages",
    "PixelNorm",
    "ProjectionHead",
    "ReferenceBatch",
    "ReflectionPadding2D",
    "SelfAttention",
    "ThroughSigmaSpectralNorm",
    "UnpackScores",
    "Upsample2D",
    "VirtualBatchNormalization",
    "spectral_norm",
]
