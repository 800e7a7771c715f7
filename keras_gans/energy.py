"""The EBGAN and BEGAN loss terms; they live in `keras_gans.losses.energy`
(and are all in `keras_gans.losses`).

This module re-exports them so that code importing it keeps working.
"""

from keras_gans.losses.energy import (  # noqa: F401
    __all__,
    began_convergence,
    began_discriminator_loss,
    began_generator_loss,
    began_k_update,
    ebgan_discriminator_loss,
    ebgan_generator_loss,
    pull_away_term,
    reconstruction_energy,
)
