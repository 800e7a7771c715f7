"""Penalties that train steps add to their losses, as pure functions.

Gradient penalties on the discriminator's input (WGAN-GP, DRAGAN, R1, R2),
StyleGAN2's path length regularizer, BigGAN's orthogonal regularization and
Improved GAN's historical averaging. Each returns the unweighted term: the
caller multiplies it by its paper's weight (lambda, gamma / 2, ...).

The gradient penalties take the network itself, because they differentiate it
with respect to its input: each opens its own `tf.GradientTape` inside the
caller's, so the penalty's gradient with respect to the network's weights is
a second-order gradient, which works inside a compiled `train_step`
(`tf.function`); nothing needs to run eagerly. Square roots of a norm are
guarded so that a zero gradient gives a finite gradient, not NaN.
"""

import math
import numbers

import tensorflow as tf
from keras import ops

from keras_gans.cross_replica import global_mean
from keras_gans.losses.common import to_float32

__all__ = [
    "gradient_penalty",
    "dragan_perturbation",
    "dragan_penalty",
    "r1_penalty",
    "r2_penalty",
    "drift_penalty",
    "path_length_gradients",
    "path_length_penalty",
    "orthogonal_regularization",
    "historical_average",
]

# Added under each square root of a squared norm: d sqrt(s) / ds is finite at
# s = 0, so the second-order gradient of a zero input gradient is not NaN.
_SQRT_EPSILON = 1e-12


def _safe_sqrt(squares):
    return tf.sqrt(squares + _SQRT_EPSILON)


def _as_float32(x):
    """`x` in float32; a list or tuple of tensors (the scales of one batch of
    images, as MSG-GAN's D takes them) stays a list."""
    if isinstance(x, (list, tuple)):
        return [tf.cast(t, tf.float32) for t in x]
    return tf.cast(x, tf.float32)


def _input_gradients(network, x, training):
    """d sum(network(x)) / dx, in float32, recorded for a surrounding tape.
    For a list of input tensors, a list of gradients, one per tensor."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = network(x, training=training)
        scores = tf.reduce_sum(tf.cast(scores, tf.float32))
    grads = tape.gradient(scores, x)
    missing = grads is None or (isinstance(grads, list) and any(g is None for g in grads))
    if missing:
        which = ""
        if isinstance(grads, list):
            which = f" (input {[i for i, g in enumerate(grads) if g is None]} of {len(grads)})"
        raise ValueError(
            f"The network's outputs do not depend on its input images{which}, so their "
            "gradient with respect to the images is undefined. Pass a callable "
            "`network(images, training=...)` that uses the images."
        )
    return grads


def _per_example_squares(grads):
    """sum of squares over every axis but the first: [B]. For a list of
    gradients (one per input tensor), the sum over all of them: the squared
    norm of the gradient with respect to every input together."""
    if isinstance(grads, (list, tuple)):
        return tf.add_n([_per_example_squares(g) for g in grads])
    flat = tf.reshape(grads, [tf.shape(grads)[0], -1])
    return tf.reduce_sum(tf.square(flat), axis=1)


def gradient_penalty(critic, real, fake, alpha=None, target=1.0, training=True):
    """WGAN-GP penalty E[(||grad_x D(x_hat)||_2 - target)^2] on interpolates.

    x_hat = alpha * real + (1 - alpha) * fake with alpha ~ U[0, 1] per example.
    The critic's outputs are summed per image (any rank: a PatchGAN map too)
    before the gradient is taken. Multiply by lambda (10 in the paper).

    A critic of several inputs (MSG-GAN's D takes every scale of an image)
    takes lists: each scale is interpolated with the same alpha per example,
    and the norm is that of the gradient with respect to every scale together
    (the square root of the sum of each scale's squared norm).

    Reference: Gulrajani et al. 2017, "Improved Training of Wasserstein GANs",
    arXiv:1704.00028, eq. 3 and Algorithm 1.

    Args:
        critic: callable. `critic(images, training=...)` maps images to scores
            (any rank per image).
        real: tensor [B, ...], or a list of tensors with the same first
            dimension (every input of a multi-input critic).
        fake: tensor or list. Generated images, the same structure and shapes
            as `real`.
        alpha: tensor or float or None. Mixing weights broadcastable to
            `real` (to each of its tensors); drawn uniformly per example when
            None.
        target: float. The gradient norm the penalty pulls towards.
        training: bool. Passed to `critic`.

    Returns:
        A float32 scalar.

    Example:
    ```python
    gp = keras_gans.losses.gradient_penalty(discriminator, real, fake)
    d_loss = keras_gans.losses.wasserstein_discriminator_loss(r, f) + 10.0 * gp
    ```
    """
    real, fake = _as_float32(real), _as_float32(fake)
    several = isinstance(real, list)
    if several != isinstance(fake, list) or (several and len(real) != len(fake)):
        raise ValueError(
            "real and fake must have the same structure: two tensors, or two lists of as "
            f"many tensors (one per critic input); got {_structure(real)} and "
            f"{_structure(fake)}.")
    first = real[0] if several else real
    if alpha is None:
        shape = [tf.shape(first)[0]] + [1] * (len(first.shape) - 1)
        alpha = tf.random.uniform(shape, 0.0, 1.0)
    if several:
        x_hat = [alpha * r + (1.0 - alpha) * f for r, f in zip(real, fake)]
    else:
        x_hat = alpha * real + (1.0 - alpha) * fake
    norms = _safe_sqrt(_per_example_squares(_input_gradients(critic, x_hat, training)))
    return ops.mean(ops.square(norms - target))


def _structure(x):
    return f"a list of {len(x)}" if isinstance(x, list) else "one tensor"


def _check_scale(scale):
    if isinstance(scale, bool) or (isinstance(scale, numbers.Real)
                                   and not (math.isfinite(scale) and scale > 0)):
        raise ValueError(
            f"scale must be a positive number (DRAGAN's c, 0.5 in the authors' code); "
            f"got {scale!r}."
        )


def dragan_perturbation(real, scale=0.5, noise=None):
    """DRAGAN's perturbed real batch: x + scale * std(x) * u, u ~ U[0, 1).

    std(x) is one number for the whole batch: the population standard
    deviation of every element of `real` (under a `tf.distribute` strategy,
    of the global batch, so every replica perturbs by the same amount). u is
    drawn per element, so each perturbed pixel lies in
    [x, x + scale * std(x)). The result is not clipped to the data's range,
    as in the authors' code.

    Reference: Kodali et al. 2017, "On Convergence and Stability of GANs",
    arXiv:1705.07215; the constant 0.5, the batch std and the one-sided
    uniform noise are those of the authors' code (github.com/kodalinaveen3/
    DRAGAN, DRAGAN.ipynb) and of google/compare_gan's first DRAGAN.

    Args:
        real: tensor [B, ...]. Real images.
        scale: float. c, the size of the neighbourhood in units of the
            batch's std (> 0).
        noise: tensor or None. u, shaped like `real`, in [0, 1); drawn
            uniformly when None.

    Returns:
        A float32 tensor shaped like `real`.

    Example:
    ```python
    perturbed = keras_gans.losses.dragan_perturbation(real, scale=0.5)
    ```
    """
    _check_scale(scale)
    real = tf.stop_gradient(tf.cast(real, tf.float32))
    if noise is None:
        noise = tf.random.uniform(tf.shape(real), 0.0, 1.0)
    mean = global_mean(tf.reduce_mean(real))
    std = tf.sqrt(global_mean(tf.reduce_mean(tf.square(real - mean))))
    return real + scale * std * tf.cast(noise, tf.float32)


def dragan_penalty(discriminator, real, scale=0.5, noise=None, alpha=None, target=1.0,
                   training=True):
    """DRAGAN's penalty E[(||grad_x D(x_hat)||_2 - target)^2] near the real data.

    x_p = `dragan_perturbation(real, scale, noise)`, and the penalty is taken
    at x_hat = x + alpha * (x_p - x) with alpha ~ U[0, 1] per example (the
    authors' code and google/compare_gan's first DRAGAN interpolate so), i.e.
    `gradient_penalty` between x_p and x. D's outputs are summed per image
    before the gradient is taken; the real images are a constant for the
    penalty, so it trains only D. Multiply by lambda (10 in the paper).

    Reference: Kodali et al. 2017, "On Convergence and Stability of GANs",
    arXiv:1705.07215 (the penalty with k = 1, lambda = 10).

    Args:
        discriminator: callable. `discriminator(images, training=...)` gives
            D's logits (any rank per image).
        real: tensor [B, ...]. Real images.
        scale: float. c of `dragan_perturbation` (> 0).
        noise: tensor or None. u of `dragan_perturbation`, shaped like
            `real`; drawn uniformly when None.
        alpha: tensor or float or None. Interpolation weights broadcastable
            to `real` ([B, 1, ..., 1]); drawn uniformly per example when None.
        target: float. k, the gradient norm the penalty pulls towards (1).
        training: bool. Passed to `discriminator`.

    Returns:
        A float32 scalar.

    Example:
    ```python
    gp = keras_gans.losses.dragan_penalty(discriminator, real)
    d_loss = keras_gans.losses.non_saturating_discriminator_loss(r, f) + 10.0 * gp
    ```
    """
    perturbed = dragan_perturbation(real, scale, noise)
    real = tf.stop_gradient(tf.cast(real, tf.float32))
    # gradient_penalty's x_hat = alpha * perturbed + (1 - alpha) * real.
    return gradient_penalty(discriminator, perturbed, real, alpha=alpha, target=target,
                            training=training)


def r1_penalty(discriminator, real, training=True):
    """R1: E_real[||grad_x D(x)||^2], the squared gradient norm on real data.

    Mescheder et al. define R1 = gamma / 2 * E[||grad_x D(x)||^2]; this returns
    the expectation without gamma / 2, so the caller weights it (StyleGAN2:
    `gamma / 2 * r1_penalty(...)`, gamma = 10 on FFHQ, applied every 16 steps
    with lazy regularization). D's outputs are summed per image (any rank)
    before the gradient is taken; the images are a constant for the penalty
    (`stop_gradient`), so it trains only D.

    A D of several inputs (MSG-GAN's D takes every scale of an image) takes
    a list: the squared norm is that of the gradient with respect to every
    input together (the sum of each one's squared norm).

    Reference: Mescheder, Geiger and Nowozin 2018, "Which Training Methods for
    GANs do actually Converge?", arXiv:1801.04406, section 4.1.

    Args:
        discriminator: callable. `discriminator(images, training=...)` gives
            D's logits (any rank per image). Wrap a conditional D in a lambda
            that supplies its labels.
        real: tensor [B, ...], or a list of tensors with the same first
            dimension (every input of a multi-input D). Real images.
        training: bool. Passed to `discriminator`.

    Returns:
        A float32 scalar.

    Example:
    ```python
    d_loss = d_loss + 0.5 * gamma * keras_gans.losses.r1_penalty(discriminator, real)
    ```
    """
    real = tf.nest.map_structure(tf.stop_gradient, _as_float32(real))
    return tf.reduce_mean(_per_example_squares(_input_gradients(discriminator, real, training)))


def r2_penalty(discriminator, fake, training=True):
    """R2: E_fake[||grad_x D(x)||^2], the squared gradient norm on generated data.

    As `r1_penalty`, on the generator's samples: Mescheder et al.'s R2 =
    gamma / 2 * E_{p_theta}[||grad_x D(x)||^2], returned without gamma / 2.
    The fakes are a constant for the penalty (`stop_gradient`), so it trains
    only D.

    Reference: Mescheder, Geiger and Nowozin 2018, "Which Training Methods for
    GANs do actually Converge?", arXiv:1801.04406, section 4.1.

    Args:
        discriminator: callable. `discriminator(images, training=...)` gives
            D's logits (any rank per image).
        fake: tensor [B, ...]. Generated images.
        training: bool. Passed to `discriminator`.

    Returns:
        A float32 scalar.

    Example:
    ```python
    d_loss = d_loss + 0.5 * gamma * keras_gans.losses.r2_penalty(discriminator, fake)
    ```
    """
    return r1_penalty(discriminator, fake, training)  # the same term, on the fakes


def drift_penalty(real_logits):
    """ProGAN's drift term E[D(x)^2] on the critic's outputs for real images,
    which keeps them from drifting far from 0 (the paper weights it by
    epsilon_drift = 0.001).

    Reference: Karras, Aila, Laine & Lehtinen 2017, "Progressive Growing of
    GANs for Improved Quality, Stability, and Variation", arXiv:1710.10196,
    appendix A.1.

    Args:
        real_logits: tensor. D's outputs on real images, any rank.

    Returns:
        A float32 scalar: the mean of their squares.

    Example:
    ```python
    keras_gans.losses.drift_penalty(np.array([1.0, -3.0, 2.0, 0.0]))  # 3.5
    ```
    """
    return ops.mean(ops.square(to_float32(real_logits)))


def path_length_gradients(synthesis, w, noise=None, training=True):
    """J_w^T y: the gradient of sum(g(w) * y) with respect to w, per example.

    g is the synthesis network and y an image of Gaussian noise scaled by
    1 / sqrt(H * W) (the official code's scaling, so that the penalty's
    strength does not depend on the resolution). The result feeds
    `path_length_penalty`. The gradient flows back into `synthesis` (and into
    whatever computed `w`) for a surrounding tape.

    Reference: Karras et al. 2020, "Analyzing and Improving the Image Quality
    of StyleGAN", arXiv:1912.04958, section 3.2, eq. 4.

    Args:
        synthesis: callable. `synthesis(w, training=...)` maps the
            intermediate latents to images [B, H, W, C] (any rank >= 2).
        w: tensor. The intermediate latents, [B, w_dim] or [B, num_ws, w_dim].
        noise: tensor or None. y, shaped like the images; drawn as
            N(0, 1) / sqrt(H * W) when None.
        training: bool. Passed to `synthesis`.

    Returns:
        A float32 tensor shaped like `w`.

    Example:
    ```python
    grads = keras_gans.losses.path_length_gradients(synthesis, mapping(z))
    ```
    """
    w = tf.cast(w, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(w)
        images = tf.cast(synthesis(w, training=training), tf.float32)
        if noise is None:
            pixels = tf.cast(tf.reduce_prod(tf.shape(images)[1:-1]), tf.float32)
            noise = tf.random.normal(tf.shape(images)) / tf.sqrt(pixels)
        total = tf.reduce_sum(images * tf.cast(noise, tf.float32))
    grads = tape.gradient(total, w)
    if grads is None:
        raise ValueError("The synthesis network's images do not depend on `w`.")
    return grads


def path_length_penalty(gradients, mean, decay=0.01):
    """StyleGAN2's path length penalty E[(||J_w^T y|| - a)^2] and the new a.

    The length of each example is sqrt of the squared norm over the last axis
    of `gradients`, averaged over the middle axes (StyleGAN2's mean over the
    num_ws copies of w). `a` is the exponential moving average of the lengths:
    new_mean = mean + decay * (E[lengths] - mean), and the penalty uses
    new_mean, as the official code does. The caller stores new_mean (e.g.
    `pl_mean.assign(new_mean)` on a non-trainable variable) and weights the
    penalty (2.0 in the paper, every 4 steps with lazy regularization). Under
    a `tf.distribute` strategy E[lengths] is the global batch's, so every
    replica keeps the same running mean.

    Reference: Karras et al. 2020, "Analyzing and Improving the Image Quality
    of StyleGAN", arXiv:1912.04958, section 3.2, eq. 4 (decay 0.01 and weight
    2 from the official code).

    Args:
        gradients: tensor [B, w_dim] or [B, num_ws, w_dim]. J_w^T y per
            example, e.g. from `path_length_gradients`.
        mean: scalar tensor or variable or float. a, the running mean of the
            lengths so far (0 at the start).
        decay: float. The moving average's rate.

    Returns:
        `(penalty, new_mean)`: float32 scalars.

    Example:
    ```python
    grads = keras_gans.losses.path_length_gradients(synthesis, w)
    penalty, new_mean = keras_gans.losses.path_length_penalty(grads, pl_mean)
    pl_mean.assign(new_mean)
    ```
    """
    g = to_float32(gradients)
    rank = len(g.shape)
    if rank < 2:
        raise ValueError(
            "gradients must be [batch, w_dim] or [batch, num_ws, w_dim]; "
            f"got shape {tuple(g.shape)}."
        )
    squares = ops.sum(ops.square(g), axis=-1)
    if rank > 2:
        squares = ops.mean(squares, axis=tuple(range(1, rank - 1)))
    lengths = _safe_sqrt(squares)
    mean = to_float32(mean)
    new_mean = mean + decay * (global_mean(ops.mean(lengths)) - mean)
    penalty = ops.mean(ops.square(lengths - new_mean))
    return penalty, new_mean


def orthogonal_regularization(kernels, beta=1e-4):
    """BigGAN's orthogonal regularization: beta * sum_W ||W^T W * (1 - I)||_F^2.

    Each kernel is read as a matrix W with one column per output unit (a
    [kh, kw, in, out] convolution kernel becomes [kh * kw * in, out]); the
    penalty pushes the filters towards orthogonality without constraining
    their norms. Tensors of rank below 2 (biases, normalization scales) are
    skipped, so `network.trainable_weights` may be passed as they are.

    Reference: Brock, Donahue and Simonyan 2019, "Large Scale GAN Training for
    High Fidelity Natural Image Synthesis", arXiv:1809.11096, eq. 3
    (beta = 1e-4).

    Args:
        kernels: tensor or variable, or a list of them. The weights to
            regularize.
        beta: float. The weight.

    Returns:
        A float32 scalar.

    Example:
    ```python
    g_loss = g_loss + keras_gans.losses.orthogonal_regularization(generator.trainable_weights)
    ```
    """
    if not isinstance(kernels, (list, tuple)):
        kernels = [kernels]
    total = ops.zeros((), "float32")
    for kernel in kernels:
        if len(kernel.shape) < 2:
            continue
        w = ops.reshape(to_float32(kernel), (-1, kernel.shape[-1]))
        gram = ops.matmul(ops.transpose(w), w)
        off_diagonal = gram * (1.0 - ops.eye(kernel.shape[-1], dtype="float32"))
        total = total + ops.sum(ops.square(off_diagonal))
    return beta * total


def historical_average(variables, averages):
    """Historical averaging penalty: sum_k ||theta_k - avg_k||^2.

    Each player's cost gets ||theta - (1/t) sum_{i=1}^t theta[i]||^2, where
    theta[i] are its parameters at past times; the running averages are kept
    by the caller (e.g. as non-trainable model state) and passed in.

    Reference: Salimans et al. 2016, "Improved Techniques for Training GANs",
    arXiv:1606.03498, section 3.3.

    Args:
        variables: list of tensors or variables. The current parameters.
        averages: list of tensors. Their running averages, same shapes, same
            order.

    Returns:
        A float32 scalar.

    Example:
    ```python
    penalty = keras_gans.losses.historical_average(d.trainable_variables, d_averages)
    ```
    """
    variables, averages = list(variables), list(averages)
    if len(variables) != len(averages):
        raise ValueError(
            f"historical_average got {len(variables)} variables but "
            f"{len(averages)} averages; pass one average per variable."
        )
    total = ops.zeros((), "float32")
    for v, a in zip(variables, averages):
        diff = to_float32(v) - to_float32(a)
        total = total + ops.sum(ops.square(diff))
    return total
