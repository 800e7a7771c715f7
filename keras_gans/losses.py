"""Adversarial losses as pure functions of discriminator outputs.

Every function takes logits (raw discriminator outputs) of any rank, so the same
function serves a scalar-per-image discriminator and a PatchGAN that scores each
patch, and returns a scalar: the mean over every element. Each pair is named
`<name>_generator_loss` / `<name>_discriminator_loss`; `get(name)` returns the
pair. Both members of a pair are *minimized*.
"""

from keras import ops

__all__ = [
    "minimax_generator_loss",
    "minimax_discriminator_loss",
    "non_saturating_generator_loss",
    "non_saturating_discriminator_loss",
    "least_squares_generator_loss",
    "least_squares_discriminator_loss",
    "wasserstein_generator_loss",
    "wasserstein_discriminator_loss",
    "hinge_generator_loss",
    "hinge_discriminator_loss",
    "get",
    "names",
]


def _mean(x):
    return ops.mean(ops.cast(x, "float32"))


# --- minimax (Goodfellow et al. 2014, arXiv:1406.2661, eq. 1) ---------------


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """D's side of the minimax game: -E[log D(x)] - E[log(1 - D(G(z)))].

    Reference: Goodfellow et al. 2014, "Generative Adversarial Nets", eq. 1.

    Args:
        real_logits: tensor. D's logits on real images, any rank.
        fake_logits: tensor. D's logits on generated images, any rank.
        label_smoothing: float. One-sided smoothing: the real target becomes
            `1 - label_smoothing` (Salimans et al. 2016, section 3.4).
    """
    target = 1.0 - label_smoothing
    real_logits = ops.cast(real_logits, "float32")
    real = target * ops.softplus(-real_logits) + (1.0 - target) * ops.softplus(
        real_logits
    )
    return _mean(real) + _mean(ops.softplus(fake_logits))


def minimax_generator_loss(fake_logits):
    """G's saturating minimax loss: E[log(1 - D(G(z)))], to be minimized.

    Reference: Goodfellow et al. 2014, eq. 1 (the form the paper's theory uses;
    its gradient vanishes when D rejects the fakes confidently).

    Args:
        fake_logits: tensor. D's logits on generated images, any rank.
    """
    return -_mean(ops.softplus(fake_logits))


# --- non-saturating (Goodfellow et al. 2014, section 3) ---------------------


def non_saturating_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """D's loss for the non-saturating GAN; identical to the minimax D loss.

    Reference: Goodfellow et al. 2014, section 3.
    """
    return minimax_discriminator_loss(real_logits, fake_logits, label_smoothing)


def non_saturating_generator_loss(fake_logits):
    """G's non-saturating loss: -E[log D(G(z))].

    Reference: Goodfellow et al. 2014, section 3 ("maximize log D(G(z))").

    Args:
        fake_logits: tensor. D's logits on generated images, any rank.
    """
    return _mean(ops.softplus(-ops.cast(fake_logits, "float32")))


# --- least squares (Mao et al. 2016, arXiv:1611.04076, eq. 2) ----------------


def least_squares_discriminator_loss(real_logits, fake_logits, a=0.0, b=1.0):
    """LSGAN D loss: 1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2].

    Reference: Mao et al. 2016, "Least Squares GANs", eq. 2.

    Args:
        real_logits: tensor. D's (linear) outputs on real images.
        fake_logits: tensor. D's (linear) outputs on generated images.
        a: float. Target for fakes.
        b: float. Target for reals.
    """
    real_logits = ops.cast(real_logits, "float32")
    fake_logits = ops.cast(fake_logits, "float32")
    return 0.5 * _mean(ops.square(real_logits - b)) + 0.5 * _mean(
        ops.square(fake_logits - a)
    )


def least_squares_generator_loss(fake_logits, c=1.0):
    """LSGAN G loss: 1/2 E[(D(G(z)) - c)^2].

    Reference: Mao et al. 2016, eq. 2.

    Args:
        fake_logits: tensor. D's outputs on generated images.
        c: float. The value G wants D to give its fakes.
    """
    return 0.5 * _mean(ops.square(ops.cast(fake_logits, "float32") - c))


# --- Wasserstein (Arjovsky et al. 2017, arXiv:1701.07875, eq. 3) -------------


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """Critic loss: E[D(G(z))] - E[D(x)] (the negated Wasserstein estimate).

    Reference: Arjovsky et al. 2017, "Wasserstein GAN", eq. 3 and Algorithm 1.
    """
    return _mean(fake_logits) - _mean(real_logits)


def wasserstein_generator_loss(fake_logits):
    """Generator loss: -E[D(G(z))].

    Reference: Arjovsky et al. 2017, Algorithm 1.
    """
    return -_mean(fake_logits)


# --- hinge (Lim & Ye 2017; Miyato et al. 2018, arXiv:1802.05957) ------------


def hinge_discriminator_loss(real_logits, fake_logits):
    """Hinge D loss: E[relu(1 - D(x))] + E[relu(1 + D(G(z)))].

    Reference: Miyato et al. 2018, "Spectral Normalization for GANs", eq. 16.
    """
    return _mean(ops.relu(1.0 - ops.cast(real_logits, "float32"))) + _mean(
        ops.relu(1.0 + ops.cast(fake_logits, "float32"))
    )


def hinge_generator_loss(fake_logits):
    """Hinge G loss: -E[D(G(z))].

    Reference: Miyato et al. 2018, eq. 17.
    """
    return -_mean(fake_logits)


_PAIRS = {
    "minimax": (minimax_generator_loss, minimax_discriminator_loss),
    "non_saturating": (non_saturating_generator_loss, non_saturating_discriminator_loss),
    "least_squares": (least_squares_generator_loss, least_squares_discriminator_loss),
    "wasserstein": (wasserstein_generator_loss, wasserstein_discriminator_loss),
    "hinge": (hinge_generator_loss, hinge_discriminator_loss),
}


def names():
    """Returns the names `get` accepts, sorted."""
    return sorted(_PAIRS)


def get(name):
    """Returns the `(generator_loss, discriminator_loss)` pair called `name`.

    Args:
        name: str. One of `keras_gans.losses.names()`.

    Example:
    ```python
    g_loss, d_loss = keras_gans.losses.get("hinge")
    ```
    """
    if name not in _PAIRS:
        raise ValueError(
            f"Unknown loss {name!r}. Known losses: {', '.join(names())}."
        )
    return _PAIRS[name]
