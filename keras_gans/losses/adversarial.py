"""Adversarial losses as pure functions of discriminator outputs.

Every function takes logits (raw discriminator outputs) of any rank, so the same
function serves a scalar-per-image discriminator and a PatchGAN that scores each
patch, and returns a float32 scalar: the mean over every element. Each pair is
named `<name>_generator_loss` / `<name>_discriminator_loss`; `get(name)` returns
the pair. Both members of a pair are *minimized*.

Also here: `target_loss` (one term against a real or fake target, the form
CartoonGAN and AnimeGAN weight term by term) and `feature_matching` (Improved
GAN's generator objective on D's features).
"""

import math

from keras import ops

from keras_gans.cross_replica import global_mean
from keras_gans.losses.common import float32_mean, to_float32

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
    "F_DIVERGENCES",
    "f_divergence_activation",
    "f_divergence_conjugate",
    "f_divergence_conjugate_activation",
    "f_divergence_generator_loss",
    "f_divergence_discriminator_loss",
    "relativistic_generator_loss",
    "relativistic_discriminator_loss",
    "relativistic_least_squares_generator_loss",
    "relativistic_least_squares_discriminator_loss",
    "relativistic_hinge_generator_loss",
    "relativistic_hinge_discriminator_loss",
    "RELATIVISTIC_PAIRS",
    "TARGET_LOSSES",
    "target_loss",
    "feature_matching",
    "get",
    "names",
]


# --- minimax (Goodfellow et al. 2014, arXiv:1406.2661, eq. 1) ---------------


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """D's side of the minimax game: -E[log D(x)] - E[log(1 - D(G(z)))].

    Reference: Goodfellow et al. 2014, "Generative Adversarial Nets",
    arXiv:1406.2661, eq. 1.

    Args:
        real_logits: tensor. D's logits on real images, any rank.
        fake_logits: tensor. D's logits on generated images, any rank.
        label_smoothing: float. One-sided smoothing: the real target becomes
            `1 - label_smoothing` (Salimans et al. 2016, section 3.4).

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.minimax_discriminator_loss(np.zeros(4), np.zeros(4))  # 2 log 2
    ```
    """
    target = 1.0 - label_smoothing
    real_logits = to_float32(real_logits)
    real = target * ops.softplus(-real_logits) + (1.0 - target) * ops.softplus(
        real_logits
    )
    return float32_mean(real) + float32_mean(ops.softplus(fake_logits))


def minimax_generator_loss(fake_logits):
    """G's saturating minimax loss: E[log(1 - D(G(z)))], to be minimized.

    Reference: Goodfellow et al. 2014, eq. 1 (the form the paper's theory uses;
    its gradient vanishes when D rejects the fakes confidently).

    Args:
        fake_logits: tensor. D's logits on generated images, any rank.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.minimax_generator_loss(np.zeros(4))  # -log 2
    ```
    """
    return -float32_mean(ops.softplus(fake_logits))


# --- non-saturating (Goodfellow et al. 2014, section 3) ---------------------


def non_saturating_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """D's loss for the non-saturating GAN; identical to the minimax D loss.

    Reference: Goodfellow et al. 2014, "Generative Adversarial Nets", section 3.

    Args:
        real_logits: tensor. D's logits on real images, any rank.
        fake_logits: tensor. D's logits on generated images, any rank.
        label_smoothing: float. One-sided smoothing of the real target.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.non_saturating_discriminator_loss(real_logits, fake_logits)
    ```
    """
    return minimax_discriminator_loss(real_logits, fake_logits, label_smoothing)


def non_saturating_generator_loss(fake_logits):
    """G's non-saturating loss: -E[log D(G(z))].

    Reference: Goodfellow et al. 2014, section 3 ("maximize log D(G(z))").

    Args:
        fake_logits: tensor. D's logits on generated images, any rank.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.non_saturating_generator_loss(np.zeros(4))  # log 2
    ```
    """
    return float32_mean(ops.softplus(-to_float32(fake_logits)))


# --- least squares (Mao et al. 2016, arXiv:1611.04076, eq. 2) ----------------


def least_squares_discriminator_loss(real_logits, fake_logits, a=0.0, b=1.0):
    """LSGAN D loss: 1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2].

    Reference: Mao et al. 2016, "Least Squares GANs", arXiv:1611.04076, eq. 2.

    Args:
        real_logits: tensor. D's (linear) outputs on real images, any rank.
        fake_logits: tensor. D's (linear) outputs on generated images, any rank.
        a: float. Target for fakes.
        b: float. Target for reals.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.least_squares_discriminator_loss(np.ones(4), np.zeros(4))  # 0.0
    ```
    """
    real_logits = to_float32(real_logits)
    fake_logits = to_float32(fake_logits)
    return 0.5 * float32_mean(ops.square(real_logits - b)) + 0.5 * float32_mean(
        ops.square(fake_logits - a)
    )


def least_squares_generator_loss(fake_logits, c=1.0):
    """LSGAN G loss: 1/2 E[(D(G(z)) - c)^2].

    Reference: Mao et al. 2016, "Least Squares GANs", eq. 2.

    Args:
        fake_logits: tensor. D's outputs on generated images, any rank.
        c: float. The value G wants D to give its fakes.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.least_squares_generator_loss(np.zeros(4))  # 0.5
    ```
    """
    return 0.5 * float32_mean(ops.square(to_float32(fake_logits) - c))


# --- Wasserstein (Arjovsky et al. 2017, arXiv:1701.07875, eq. 3) -------------


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """Critic loss: E[D(G(z))] - E[D(x)] (the negated Wasserstein estimate).

    Reference: Arjovsky et al. 2017, "Wasserstein GAN", arXiv:1701.07875, eq. 3
    and Algorithm 1.

    Args:
        real_logits: tensor. The critic's scores of real images, any rank.
        fake_logits: tensor. Its scores of generated images, any rank.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.wasserstein_discriminator_loss(np.ones(4), np.zeros(4))  # -1.0
    ```
    """
    return float32_mean(fake_logits) - float32_mean(real_logits)


def wasserstein_generator_loss(fake_logits):
    """Generator loss: -E[D(G(z))].

    Reference: Arjovsky et al. 2017, "Wasserstein GAN", Algorithm 1.

    Args:
        fake_logits: tensor. The critic's scores of generated images, any rank.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.wasserstein_generator_loss(np.ones(4))  # -1.0
    ```
    """
    return -float32_mean(fake_logits)


# --- hinge (Lim & Ye 2017; Miyato et al. 2018, arXiv:1802.05957) ------------


def hinge_discriminator_loss(real_logits, fake_logits):
    """Hinge D loss: E[relu(1 - D(x))] + E[relu(1 + D(G(z)))].

    Reference: Miyato et al. 2018, "Spectral Normalization for GANs",
    arXiv:1802.05957, eq. 16 (after Lim & Ye 2017, "Geometric GAN").

    Args:
        real_logits: tensor. D's outputs on real images, any rank.
        fake_logits: tensor. D's outputs on generated images, any rank.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.hinge_discriminator_loss(np.ones(4), -np.ones(4))  # 0.0
    ```
    """
    return float32_mean(ops.relu(1.0 - to_float32(real_logits))) + float32_mean(
        ops.relu(1.0 + to_float32(fake_logits))
    )


def hinge_generator_loss(fake_logits):
    """Hinge G loss: -E[D(G(z))].

    Reference: Miyato et al. 2018, "Spectral Normalization for GANs", eq. 17.

    Args:
        fake_logits: tensor. D's outputs on generated images, any rank.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.hinge_generator_loss(np.ones(4))  # -1.0
    ```
    """
    return -float32_mean(fake_logits)


# --- f-divergences (Nowozin et al. 2016, arXiv:1606.00709) -------------------

#: The divergences `f_divergence_*` accept: Table 2 / Table 6 of the f-GAN paper.
F_DIVERGENCES = ("kl", "reverse_kl", "pearson", "squared_hellinger", "js", "gan")

_LOG2 = math.log(2.0)


def _check_divergence(divergence):
    if divergence not in F_DIVERGENCES:
        raise ValueError(
            f"Unknown f-divergence {divergence!r}. Known divergences: "
            f"{', '.join(F_DIVERGENCES)}."
        )


def _log1mexp(t):
    """log(1 - exp(t)) for t < 0, accurate at both ends (Maechler 2012)."""
    near_zero = t > -_LOG2
    # Each branch is evaluated only where it is finite, so no NaN reaches the
    # gradient through `where`.
    t_hi = ops.where(near_zero, t, -1.0)
    t_lo = ops.where(near_zero, -1.0, t)
    return ops.where(near_zero, ops.log(-ops.expm1(t_hi)), ops.log1p(-ops.exp(t_lo)))


def f_divergence_activation(v, divergence):
    """The output activation g_f: maps D's raw output v into dom f*.

    Reference: Nowozin et al. 2016, "f-GAN", arXiv:1606.00709, Table 2 (and
    Table 6).

    | divergence        | g_f(v)                    |
    |-------------------|---------------------------|
    | kl                | v                         |
    | reverse_kl        | -exp(-v)                  |
    | pearson           | v                         |
    | squared_hellinger | 1 - exp(-v)               |
    | js                | log(2) - log(1 + exp(-v)) |
    | gan               | -log(1 + exp(-v))         |

    Args:
        v: tensor. D's raw outputs, any rank.
        divergence: str. One of `F_DIVERGENCES`.

    Returns:
        A float32 tensor shaped like `v`.

    Example:
    ```python
    keras_gans.losses.f_divergence_activation(np.zeros(3), "reverse_kl")  # [-1, -1, -1]
    ```
    """
    _check_divergence(divergence)
    v = to_float32(v)
    if divergence in ("kl", "pearson"):
        return v
    if divergence == "reverse_kl":
        return -ops.exp(-v)
    if divergence == "squared_hellinger":
        return -ops.expm1(-v)
    if divergence == "js":
        return _LOG2 - ops.softplus(-v)
    return -ops.softplus(-v)  # gan


def f_divergence_conjugate(t, divergence):
    """The Fenchel conjugate f*(t) = sup_u (t u - f(u)), on its domain.

    Reference: Nowozin et al. 2016, "f-GAN", Table 6.

    | divergence        | f*(t)              | dom f*     |
    |-------------------|--------------------|------------|
    | kl                | exp(t - 1)         | R          |
    | reverse_kl        | -1 - log(-t)       | t < 0      |
    | pearson           | t^2 / 4 + t        | R          |
    | squared_hellinger | t / (1 - t)        | t < 1      |
    | js                | -log(2 - exp(t))   | t < log 2  |
    | gan               | -log(1 - exp(t))   | t < 0      |

    Outside its domain the value is not finite. The losses never call this on
    `g_f(v)` directly: they use `f_divergence_conjugate_activation`, the same
    composition in closed form.

    Args:
        t: tensor. Values in dom f*, any rank.
        divergence: str. One of `F_DIVERGENCES`.

    Returns:
        A float32 tensor shaped like `t`.

    Example:
    ```python
    keras_gans.losses.f_divergence_conjugate(np.ones(2), "kl")  # [1, 1]
    ```
    """
    _check_divergence(divergence)
    t = to_float32(t)
    if divergence == "kl":
        return ops.exp(t - 1.0)
    if divergence == "reverse_kl":
        return -1.0 - ops.log(-t)
    if divergence == "pearson":
        return 0.25 * ops.square(t) + t
    if divergence == "squared_hellinger":
        return t / (1.0 - t)
    if divergence == "js":
        # -log(2 - e^t) = -log 2 - log(1 - e^(t - log 2))
        return -_LOG2 - _log1mexp(t - _LOG2)
    return -_log1mexp(t)  # gan


def f_divergence_conjugate_activation(v, divergence):
    """f*(g_f(v)) in closed form, finite for every finite v where it can be.

    Reference: Nowozin et al. 2016, "f-GAN", Table 6 composed with Table 2.

    | divergence        | f*(g_f(v))           |
    |-------------------|----------------------|
    | kl                | exp(v - 1)           |
    | reverse_kl        | v - 1                |
    | pearson           | v^2 / 4 + v          |
    | squared_hellinger | exp(v) - 1           |
    | js                | softplus(v) - log 2  |
    | gan               | softplus(v)          |

    Args:
        v: tensor. D's raw outputs, any rank.
        divergence: str. One of `F_DIVERGENCES`.

    Returns:
        A float32 tensor shaped like `v`.

    Example:
    ```python
    keras_gans.losses.f_divergence_conjugate_activation(np.zeros(2), "gan")  # [log 2, log 2]
    ```
    """
    _check_divergence(divergence)
    v = to_float32(v)
    if divergence == "kl":
        return ops.exp(v - 1.0)
    if divergence == "reverse_kl":
        return v - 1.0
    if divergence == "pearson":
        return 0.25 * ops.square(v) + v
    if divergence == "squared_hellinger":
        return ops.expm1(v)
    if divergence == "js":
        return ops.softplus(v) - _LOG2
    return ops.softplus(v)  # gan


def f_divergence_discriminator_loss(real_logits, fake_logits, divergence="gan"):
    """D's f-GAN loss: -(E_real[g_f(v)] - E_fake[f*(g_f(v))]).

    D maximizes the variational lower bound F = E_P[T(x)] - E_Q[f*(T(x))] of
    the f-divergence, with T = g_f(v); this returns -F. With `divergence="gan"`
    (the default, so that the `get("f_divergence")` pair with no `loss_args`
    is the original GAN) it equals `minimax_discriminator_loss`.

    Reference: Nowozin et al. 2016, "f-GAN", section 3 (F with T = g_f(V))
    and Algorithm 1.

    Args:
        real_logits: tensor. D's raw outputs v on real images, any rank.
        fake_logits: tensor. D's raw outputs v on generated images, any rank.
        divergence: str. One of `F_DIVERGENCES`.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.f_divergence_discriminator_loss(real_logits, fake_logits, divergence="js")
    ```
    """
    return float32_mean(f_divergence_conjugate_activation(fake_logits, divergence)) - float32_mean(
        f_divergence_activation(real_logits, divergence)
    )


def f_divergence_generator_loss(fake_logits, divergence="gan", generator_objective="alternative"):
    """G's f-GAN loss.

    `generator_objective="alternative"` (the default): -E_fake[g_f(v)], the
    update of the paper's section 3.2 ("Practical considerations"), which
    generalizes the non-saturating trick, keeps the saddle point and is what
    the paper found useful for every divergence. `"saddle"`: -E_fake[f*(g_f(v))],
    i.e. G minimizes F itself (the real term does not depend on G); for
    `divergence="gan"` this is the saturating `minimax_generator_loss`.

    Reference: Nowozin et al. 2016, "f-GAN", Algorithm 1 and section 3.2.

    Args:
        fake_logits: tensor. D's raw outputs v on generated images, any rank.
        divergence: str. One of `F_DIVERGENCES`.
        generator_objective: str. "alternative" or "saddle".

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.f_divergence_generator_loss(fake_logits, divergence="pearson")
    ```
    """
    if generator_objective == "alternative":
        return -float32_mean(f_divergence_activation(fake_logits, divergence))
    if generator_objective == "saddle":
        return -float32_mean(f_divergence_conjugate_activation(fake_logits, divergence))
    raise ValueError(
        "generator_objective must be 'alternative' or 'saddle'; "
        f"got {generator_objective!r}."
    )


# --- relativistic (Jolicoeur-Martineau 2018, arXiv:1807.00734) --------------
#
# These take D's logits on real AND on generated images for both players: G's
# loss needs C(x_r). With `average=False` (RSGAN, RLSGAN, RHingeGAN) real and
# fake logits are paired element by element, so both must have the same shape;
# with `average=True` (RaSGAN, RaLSGAN, RaHingeGAN) each is compared with the
# mean of the other over the batch (axis 0; the global batch under
# tf.distribute), per output element, so PatchGAN logits compare patch with
# patch.


def _relativistic_differences(real_logits, fake_logits, average):
    """Returns (C(x_r) - ref_f, C(x_f) - ref_r) with the paper's references."""
    real_logits = to_float32(real_logits)
    fake_logits = to_float32(fake_logits)
    if average:
        # The mean over the global batch: under tf.distribute each replica
        # holds a share of it, and a per-replica mean would change the loss.
        real_ref, fake_ref = global_mean([ops.mean(real_logits, axis=0, keepdims=True),
                                          ops.mean(fake_logits, axis=0, keepdims=True)])
        return real_logits - fake_ref, fake_logits - real_ref
    diff = real_logits - fake_logits
    return diff, -diff


def relativistic_discriminator_loss(real_logits, fake_logits, average=False):
    """Relativistic standard D loss (RSGAN; RaSGAN with `average=True`).

    RSGAN: -E[log sigmoid(C(x_r) - C(x_f))].
    RaSGAN: -E_r[log sigmoid(C(x_r) - E_f C(x_f))]
    - E_f[log(1 - sigmoid(C(x_f) - E_r C(x_r)))].

    Reference: Jolicoeur-Martineau 2018, "The relativistic discriminator",
    arXiv:1807.00734, section 4.1 (RSGAN) and section 4.3 (RaSGAN).

    Args:
        real_logits: tensor. C(x_r), D's logits on real images, any rank >= 1.
        fake_logits: tensor. C(x_f), same shape (or any batch size if average).
        average: bool. RaSGAN instead of RSGAN.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.relativistic_discriminator_loss(real_logits, fake_logits, average=True)
    ```
    """
    real_rel, fake_rel = _relativistic_differences(real_logits, fake_logits, average)
    if average:
        return float32_mean(ops.softplus(-real_rel)) + float32_mean(ops.softplus(fake_rel))
    return float32_mean(ops.softplus(-real_rel))


def relativistic_generator_loss(real_logits, fake_logits, average=False):
    """Relativistic standard G loss (RSGAN; RaSGAN with `average=True`).

    RSGAN: -E[log sigmoid(C(x_f) - C(x_r))].
    RaSGAN: -E_f[log sigmoid(C(x_f) - E_r C(x_r))]
    - E_r[log(1 - sigmoid(C(x_r) - E_f C(x_f)))].

    Reference: Jolicoeur-Martineau 2018, section 4.1 (RSGAN) and 4.3 (RaSGAN).

    Args:
        real_logits: tensor. C(x_r), D's logits on real images, any rank >= 1.
        fake_logits: tensor. C(x_f), D's logits on generated images.
        average: bool. RaSGAN instead of RSGAN.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.relativistic_generator_loss(real_logits, fake_logits)
    ```
    """
    # G's loss is D's with the roles of real and fake swapped (the paper's
    # symmetric definition), for every variant and with or without `average`.
    return relativistic_discriminator_loss(fake_logits, real_logits, average)


def relativistic_least_squares_discriminator_loss(real_logits, fake_logits, average=False):
    """Relativistic least squares D loss (RLSGAN; RaLSGAN with `average=True`).

    RLSGAN: E[(C(x_r) - C(x_f) - 1)^2].
    RaLSGAN: E_r[(C(x_r) - E_f C(x_f) - 1)^2] + E_f[(C(x_f) - E_r C(x_r) + 1)^2].

    Reference: Jolicoeur-Martineau 2018, section 4.3 and appendix (RaLSGAN).

    Args:
        real_logits: tensor. C(x_r), D's outputs on real images, any rank >= 1.
        fake_logits: tensor. C(x_f), same shape (or any batch size if average).
        average: bool. RaLSGAN instead of RLSGAN.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.relativistic_least_squares_discriminator_loss(real_logits, fake_logits)
    ```
    """
    real_rel, fake_rel = _relativistic_differences(real_logits, fake_logits, average)
    if average:
        return float32_mean(ops.square(real_rel - 1.0)) + float32_mean(ops.square(fake_rel + 1.0))
    return float32_mean(ops.square(real_rel - 1.0))


def relativistic_least_squares_generator_loss(real_logits, fake_logits, average=False):
    """Relativistic least squares G loss (RLSGAN; RaLSGAN with `average=True`).

    RLSGAN: E[(C(x_f) - C(x_r) - 1)^2].
    RaLSGAN: E_f[(C(x_f) - E_r C(x_r) - 1)^2] + E_r[(C(x_r) - E_f C(x_f) + 1)^2].

    Reference: Jolicoeur-Martineau 2018, section 4.3 and appendix (RaLSGAN).

    Args:
        real_logits: tensor. C(x_r), D's outputs on real images, any rank >= 1.
        fake_logits: tensor. C(x_f), D's outputs on generated images.
        average: bool. RaLSGAN instead of RLSGAN.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.relativistic_least_squares_generator_loss(real_logits, fake_logits)
    ```
    """
    # G's loss is D's with the roles of real and fake swapped (the paper's
    # symmetric definition), for every variant and with or without `average`.
    return relativistic_least_squares_discriminator_loss(fake_logits, real_logits, average)


def relativistic_hinge_discriminator_loss(real_logits, fake_logits, average=False):
    """Relativistic hinge D loss (RHingeGAN; RaHingeGAN with `average=True`).

    RHingeGAN: E[relu(1 - (C(x_r) - C(x_f)))].
    RaHingeGAN: E_r[relu(1 - (C(x_r) - E_f C(x_f)))]
    + E_f[relu(1 + (C(x_f) - E_r C(x_r)))].

    Reference: Jolicoeur-Martineau 2018, section 4.3 and appendix (RaHingeGAN).

    Args:
        real_logits: tensor. C(x_r), D's outputs on real images, any rank >= 1.
        fake_logits: tensor. C(x_f), same shape (or any batch size if average).
        average: bool. RaHingeGAN instead of RHingeGAN.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.relativistic_hinge_discriminator_loss(real_logits, fake_logits)
    ```
    """
    real_rel, fake_rel = _relativistic_differences(real_logits, fake_logits, average)
    if average:
        return float32_mean(ops.relu(1.0 - real_rel)) + float32_mean(ops.relu(1.0 + fake_rel))
    return float32_mean(ops.relu(1.0 - real_rel))


def relativistic_hinge_generator_loss(real_logits, fake_logits, average=False):
    """Relativistic hinge G loss (RHingeGAN; RaHingeGAN with `average=True`).

    RHingeGAN: E[relu(1 - (C(x_f) - C(x_r)))].
    RaHingeGAN: E_f[relu(1 - (C(x_f) - E_r C(x_r)))]
    + E_r[relu(1 + (C(x_r) - E_f C(x_f)))].

    Reference: Jolicoeur-Martineau 2018, section 4.3 and appendix (RaHingeGAN).

    Args:
        real_logits: tensor. C(x_r), D's outputs on real images, any rank >= 1.
        fake_logits: tensor. C(x_f), D's outputs on generated images.
        average: bool. RaHingeGAN instead of RHingeGAN.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.relativistic_hinge_generator_loss(real_logits, fake_logits)
    ```
    """
    # G's loss is D's with the roles of real and fake swapped (the paper's
    # symmetric definition), for every variant and with or without `average`.
    return relativistic_hinge_discriminator_loss(fake_logits, real_logits, average)


#: Relativistic pairs: `name -> (generator_loss, discriminator_loss)`, both
#: called as `fn(real_logits, fake_logits, average=...)`. Kept out of `_PAIRS`
#: and `get()` on purpose: `get()` pairs promise a generator loss of
#: `(fake_logits)` alone, which the base class's `generator_loss` hook calls;
#: a relativistic G loss also needs C(x_r) and would fail there. The `rgan`
#: model wires these with its own hooks.
RELATIVISTIC_PAIRS = {
    "relativistic": (relativistic_generator_loss, relativistic_discriminator_loss),
    "relativistic_least_squares": (
        relativistic_least_squares_generator_loss,
        relativistic_least_squares_discriminator_loss,
    ),
    "relativistic_hinge": (
        relativistic_hinge_generator_loss,
        relativistic_hinge_discriminator_loss,
    ),
}


# --- one term against a target (CartoonGAN, AnimeGAN) ------------------------

#: The losses `target_loss` accepts.
TARGET_LOSSES = ("non_saturating", "least_squares")


def target_loss(loss, logits, real):
    """Mean loss of D's `logits` against the real (`real=True`) or fake target.

    Models whose D loss is a sum of separately weighted terms, one per kind of
    image D is shown (CartoonGAN's edge-smoothed cartoons, AnimeGAN's grayscale
    frames), build it from this one term. G's adversarial loss is the "real"
    term of its fakes' logits.

    - "non_saturating" (the standard GAN loss, CartoonGAN): softplus(-D) for
      real, softplus(D) for fake, i.e. sigmoid cross-entropy with targets 1 / 0.
    - "least_squares" (AnimeGAN's LSGAN as in its code, without LSGAN's 1/2):
      (D - 1)^2 for real, D^2 for fake.

    Reference: Chen, Lai and Liu 2018, "CartoonGAN: Generative Adversarial
    Networks for Photo Cartoonization" (CVPR), eq. 2; Chen, Liu and Chen 2019,
    "AnimeGAN: A Novel Lightweight GAN for Photo Animation" (ISICA), section 3.

    Args:
        loss: str. One of `TARGET_LOSSES`.
        logits: tensor. D's outputs, any rank (PatchGAN maps).
        real: bool. The target: True for real, False for fake.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.target_loss("least_squares", np.zeros((2, 4, 4, 1)), real=True)  # 1.0
    ```
    """
    if loss not in TARGET_LOSSES:
        raise ValueError(f"loss must be one of {TARGET_LOSSES}; got {loss!r}.")
    logits = to_float32(logits)
    if loss == "non_saturating":
        return non_saturating_generator_loss(logits if real else -logits)
    return 2.0 * least_squares_generator_loss(logits, c=1.0 if real else 0.0)


# --- feature matching (Salimans et al. 2016, arXiv:1606.03498) ---------------


def feature_matching(real_features, fake_features, reduction="sum"):
    """Feature matching: the squared distance between D's mean features on real
    and on generated images, ||E f(x) - E f(G(z))||^2.

    G's objective in Improved GAN: instead of fooling D's last output, G
    matches the statistics of an intermediate layer f of D.

    Under a `tf.distribute` strategy (inside `train_step`) the means are over
    the global batch (one all-reduce of the per-replica difference).

    Reference: Salimans et al. 2016, "Improved Techniques for Training GANs",
    arXiv:1606.03498, section 3.1.

    Args:
        real_features: tensor [B, ...]. D's intermediate features of real images.
        fake_features: tensor [B', ...]. The same features of generated images.
        reduction: str. "sum" over the feature dimensions (the paper's squared
            norm) or "mean" (the same, divided by their number).

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.feature_matching(d_features(real), d_features(fake))
    ```
    """
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean'; got {reduction!r}.")
    diff = global_mean(ops.mean(to_float32(real_features), axis=0)
                       - ops.mean(to_float32(fake_features), axis=0))
    return ops.sum(ops.square(diff)) if reduction == "sum" else ops.mean(ops.square(diff))


# --- the get() registry --------------------------------------------------------

_PAIRS = {
    "minimax": (minimax_generator_loss, minimax_discriminator_loss),
    "non_saturating": (non_saturating_generator_loss, non_saturating_discriminator_loss),
    "least_squares": (least_squares_generator_loss, least_squares_discriminator_loss),
    "wasserstein": (wasserstein_generator_loss, wasserstein_discriminator_loss),
    "hinge": (hinge_generator_loss, hinge_discriminator_loss),
    # Same (fake_logits) G signature; choose the divergence with
    # loss_args={"divergence": ...} (default "gan", the minimax pair).
    "f_divergence": (f_divergence_generator_loss, f_divergence_discriminator_loss),
}


def names():
    """The names `get` accepts.

    Returns:
        A sorted list of str.

    Example:
    ```python
    keras_gans.losses.names()  # ['f_divergence', 'hinge', 'least_squares', ...]
    ```
    """
    return sorted(_PAIRS)


def get(name):
    """Returns the `(generator_loss, discriminator_loss)` pair called `name`.

    The generator loss is called as `g_loss(fake_logits)` and the
    discriminator loss as `d_loss(real_logits, fake_logits)`. Relativistic
    losses are not pairs here (their G loss needs real logits too): see
    `RELATIVISTIC_PAIRS`.

    Args:
        name: str. One of `keras_gans.losses.names()`.

    Returns:
        A tuple `(generator_loss, discriminator_loss)` of functions.

    Example:
    ```python
    g_loss, d_loss = keras_gans.losses.get("hinge")
    ```
    """
    if name in RELATIVISTIC_PAIRS:
        raise ValueError(
            f"Loss {name!r} is relativistic: its generator loss needs D's logits "
            "on real images too, so it is not a get() pair. Use the 'rgan' model "
            f"or call keras_gans.losses.{name}_generator_loss(real_logits, "
            "fake_logits, average=...) yourself."
        )
    if name not in _PAIRS:
        raise ValueError(
            f"Unknown loss {name!r}. Known losses: {', '.join(names())}."
        )
    return _PAIRS[name]
