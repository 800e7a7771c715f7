"""Reusable generator and discriminator builders (functional `keras.Model`s)."""

from keras_gans.networks.autoencoder import autoencoder_decoder, autoencoder_discriminator, autoencoder_encoder
from keras_gans.networks.common import check_image_shape
from keras_gans.networks.dcgan import dcgan_discriminator, dcgan_generator
from keras_gans.networks.features import feature_extractor
from keras_gans.networks.mlp import mlp_discriminator, mlp_generator
from keras_gans.networks.study import study_began_discriminator, study_discriminator, study_generator
from keras_gans.networks.translation import (
    instance_norm,
    patchgan_discriminator,
    receptive_field,
    resnet_generator,
    unet_generator,
)

__all__ = [
    "autoencoder_decoder",
    "autoencoder_discriminator",
    "autoencoder_encoder",
    "check_image_shape",
    "dcgan_discriminator",
    "dcgan_generator",
    "feature_extractor",
    "instance_norm",
    "mlp_discriminator",
    "mlp_generator",
    "patchgan_discriminator",
    "receptive_field",
    "resnet_generator",
    "study_began_discriminator",
    "study_discriminator",
    "study_generator",
    "unet_generator",
]
