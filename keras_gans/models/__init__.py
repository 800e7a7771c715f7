"""The GAN base class and every registered model."""

from keras_gans.models.base import GAN
from keras_gans.models.dcgan import DCGAN, ConvGAN
from keras_gans.models.gan import VanillaGAN
from keras_gans.models.lsgan import LSGAN
from keras_gans.models.wgan_gp import WGANGP

__all__ = ["GAN", "ConvGAN", "DCGAN", "LSGAN", "VanillaGAN", "WGANGP"]
