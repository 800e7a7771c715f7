"""Losses of the energy / autoencoder GANs (EBGAN, BEGAN) as pure functions.

The discriminator of these models is an autoencoder; an image's energy is how
badly it is reconstructed. The functions take energies (or batch-mean
reconstruction losses) rather than logits, so they live apart from
`keras_gans.losses`. They accept numpy arrays, Python floats or tensors.
"""

from keras import ops

from keras_gans.regularizers import pull_away_term

__all__ = [
    "reconstruction_energy",
    "ebgan_discriminator_loss",
    "ebgan_generator_loss",
    "began_discriminator_loss",
    "began_generator_loss",
    "began_k_update",
    "began_convergence",
]


def _f32(x):
    return ops.cast(x, "float32")


def reconstruction_energy(images, reconstructions, norm="l2"):
    """Per-image reconstruction error: the mean over pixels of the error.

    Args:
        images: tensor. [B, ...] the autoencoder's inputs.
        reconstructions: tensor. Same shape, its outputs.
        norm: str. "l2" (mean squared error, EBGAN's energy) or "l1" (mean
            absolute error, BEGAN's L(v) with eta = 1).

    Returns:
        A [B] tensor.
    """
    diff = _f32(images) - _f32(reconstructions)
    if norm == "l2":
        err = ops.square(diff)
    elif norm == "l1":
        err = ops.abs(diff)
    else:
        raise ValueError(f"norm must be 'l1' or 'l2'; got {norm!r}.")
    return ops.mean(ops.reshape(err, (ops.shape(err)[0], -1)), axis=1)


# --- EBGAN (Zhao et al. 2016, arXiv:1609.03126, eq. 1-2 and eq. 6) -----------


def ebgan_discriminator_loss(real_energy, fake_energy, margin=1.0):
    """EBGAN D loss: E[D(x)] + E[relu(m - D(G(z)))].

    Reference: Zhao et al. 2016, "Energy-based GAN", eq. 1. The hinge is taken
    per generated image, then averaged.

    Args:
        real_energy: tensor. [B] energies of real images.
        fake_energy: tensor. [B] energies of generated images.
        margin: float. m; fakes with energy above it cost D nothing.
    """
    return ops.mean(_f32(real_energy)) + ops.mean(ops.relu(margin - _f32(fake_energy)))


def ebgan_generator_loss(fake_energy, codes=None, pt_weight=0.0):
    """EBGAN G loss: E[D(G(z))] + pt_weight * PT(codes).

    Reference: Zhao et al. 2016, eq. 2 and section 2.4 (the pull-away term,
    `keras_gans.regularizers.pull_away_term`, on the encoder's codes of fakes).

    Args:
        fake_energy: tensor. [B] energies of generated images.
        codes: tensor or None. [B, ...] encoder codes of the same images.
        pt_weight: float. lambda_pt (0.1 in the paper); no term when 0.
    """
    loss = ops.mean(_f32(fake_energy))
    if codes is not None and pt_weight:
        loss = loss + pt_weight * pull_away_term(codes)
    return loss


# --- BEGAN (Berthelot et al. 2017, arXiv:1703.10717, eq. 4-5) ----------------


def began_discriminator_loss(real_loss, fake_loss, k):
    """BEGAN D loss: L(x) - k_t * L(G(z)).

    Reference: Berthelot et al. 2017, "BEGAN", eq. 4.

    Args:
        real_loss: scalar. L(x), the mean reconstruction loss of real images.
        fake_loss: scalar. L(G(z)), that of generated images.
        k: scalar. The control variable k_t in [0, 1].
    """
    return _f32(real_loss) - _f32(k) * _f32(fake_loss)


def began_generator_loss(fake_loss):
    """BEGAN G loss: L(G(z)). Reference: Berthelot et al. 2017, eq. 4."""
    return _f32(fake_loss)


def began_k_update(k, real_loss, fake_loss, gamma=0.5, lambda_k=0.001):
    """k_{t+1} = clip(k_t + lambda_k * (gamma * L(x) - L(G(z))), 0, 1).

    Reference: Berthelot et al. 2017, eq. 4 (proportional control that keeps
    E[L(G(z))] = gamma * E[L(x)]).

    Args:
        k: scalar. k_t.
        real_loss: scalar. L(x).
        fake_loss: scalar. L(G(z)).
        gamma: float. The diversity ratio.
        lambda_k: float. The proportional gain (0.001 in the paper).
    """
    k = _f32(k) + lambda_k * (gamma * _f32(real_loss) - _f32(fake_loss))
    return ops.clip(k, 0.0, 1.0)


def began_convergence(real_loss, fake_loss, gamma=0.5):
    """The global convergence measure M = L(x) + |gamma * L(x) - L(G(z))|.

    Reference: Berthelot et al. 2017, section 3.4.2.
    """
    real_loss = _f32(real_loss)
    return real_loss + ops.abs(gamma * real_loss - _f32(fake_loss))
