"""Reusable generator and discriminator builders (functional `keras.Model`s)."""

from keras_gans.networks.autoencoder import autoencoder_decoder, autoencoder_discriminator, autoencoder_encoder
from keras_gans.networks.common import check_image_shape
from keras_gans.networks.dcgan import dcgan_discriminator, dcgan_generator
from keras_gans.networks.mlp import mlp_discriminator, mlp_generator

__all__ = [
    "autoencoder_decoder",
    "autoencoder_discriminator",
    "autoencoder_encoder",
    "check_image_shape",
    "dcgan_discriminator",
    "dcgan_generator",
    "mlp_discriminator",
    "mlp_generator",
]
