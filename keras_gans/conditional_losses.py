"""The conditional and latent-code loss terms; they live in
`keras_gans.losses.classification` (and are all in `keras_gans.losses`).

This module re-exports them so that code importing it keeps working.
"""

from keras_gans.losses.classification import (  # noqa: F401
    __all__,
    apply_transition,
    auxiliary_classifier_loss,
    entropy_loss,
    infogan_categorical_loss,
    infogan_continuous_loss,
    masked_mean,
    mutual_information_loss,
    noisy_classifier_loss,
    semi_supervised_logits,
    triple_gan_classifier_adversarial_loss,
    triple_gan_discriminator_loss,
    update_anchor_rows,
)
