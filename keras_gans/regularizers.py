"""Regularizers that GAN train steps add to their losses. Pure functions."""

import tensorflow as tf
from keras import ops

from keras_gans.cross_replica import global_mean


def gradient_penalty(critic, real, fake, alpha=None, target=1.0, training=True):
    """WGAN-GP penalty E[(||grad_x D(x_hat)||_2 - target)^2] on interpolates.

    x_hat = alpha * real + (1 - alpha) * fake with alpha ~ U[0, 1] per example.

    Reference: Gulrajani et al. 2017, "Improved Training of Wasserstein GANs",
    arXiv:1704.00028, eq. 3 and Algorithm 1.

    Args:
        critic: callable. Maps images to scores (any rank per image).
        real: tensor. Real images, [B, ...].
        fake: tensor. Generated images, same shape as `real`.
        alpha: tensor or None. Mixing weights broadcastable to `real`; drawn
            uniformly per example when None.
        target: float. The gradient norm the penalty pulls towards.
        training: bool. Passed to `critic`.
    """
    real = tf.cast(real, tf.float32)
    fake = tf.cast(fake, tf.float32)
    if alpha is None:
        shape = [tf.shape(real)[0]] + [1] * (len(real.shape) - 1)
        alpha = tf.random.uniform(shape, 0.0, 1.0)
    x_hat = alpha * real + (1.0 - alpha) * fake
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        scores = critic(x_hat, training=training)
        scores = tf.reduce_sum(tf.cast(scores, tf.float32))
    grads = tape.gradient(scores, x_hat)
    flat = tf.reshape(grads, [tf.shape(grads)[0], -1])
    norms = tf.sqrt(tf.reduce_sum(tf.square(flat), axis=1) + 1e-12)
    return ops.mean(ops.square(norms - target))


def pull_away_term(codes, epsilon=1e-8):
    """EBGAN's pull-away term: mean squared cosine similarity between codes.

    PT = 1 / (N (N - 1)) * sum_{i != j} (s_i . s_j / (||s_i|| ||s_j||))^2 over
    the N codes of a batch; it is small when the codes point in different
    directions, so adding it to G's loss discourages mode collapse.

    Reference: Zhao et al. 2016, "Energy-based Generative Adversarial Network",
    arXiv:1609.03126, eq. 6.

    Args:
        codes: tensor. [N, ...] encoder codes (flattened per example), N >= 2.
        epsilon: float. Guards the normalization of all-zero codes.
    """
    codes = ops.cast(codes, "float32")
    n = ops.shape(codes)[0]
    s = ops.reshape(codes, (n, -1))
    s = s / ops.sqrt(ops.sum(ops.square(s), axis=1, keepdims=True) + epsilon)
    cos2 = ops.square(ops.matmul(s, ops.transpose(s)))
    off_diagonal = ops.sum(cos2) - ops.sum(ops.diagonal(cos2))
    n = ops.cast(n, "float32")
    return off_diagonal / ops.maximum(n * (n - 1.0), 1.0)


def feature_matching(real_features, fake_features, reduction="sum"):
    """Feature matching: the squared distance between D's mean features on real
    and on generated images, ||E f(x) - E f(G(z))||^2.

    Reference: Salimans et al. 2016, "Improved Techniques for Training GANs",
    arXiv:1606.03498, section 3.1.

    Under a `tf.distribute` strategy (inside `train_step`) the means are over
    the global batch (one all-reduce of the per-replica difference).

    Args:
        real_features: tensor [B, ...]. D's intermediate features of real images.
        fake_features: tensor [B', ...]. The same features of generated images.
        reduction: str. "sum" over the feature dimensions (the paper's squared
            norm) or "mean" (the same, divided by their number).
    """
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean'; got {reduction!r}.")
    diff = global_mean(ops.mean(ops.cast(real_features, "float32"), axis=0)
                       - ops.mean(ops.cast(fake_features, "float32"), axis=0))
    return ops.sum(ops.square(diff)) if reduction == "sum" else ops.mean(ops.square(diff))


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
    """
    variables, averages = list(variables), list(averages)
    if len(variables) != len(averages):
        raise ValueError(
            f"historical_average got {len(variables)} variables but "
            f"{len(averages)} averages; pass one average per variable."
        )
    total = ops.zeros((), "float32")
    for v, a in zip(variables, averages):
        diff = ops.cast(v, "float32") - ops.cast(a, "float32")
        total = total + ops.sum(ops.square(diff))
    return total


def clip_weights(networks, clip_value):
    """Clips every trainable variable of `networks` (a network or a list) to
    [-clip_value, clip_value]: WGAN's Lipschitz constraint (Arjovsky et al.
    2017, Algorithm 1), run after each critic update."""
    from keras_gans.models.base import trainable_variables_of

    for v in trainable_variables_of(networks):
        v.assign(ops.clip(v, -clip_value, clip_value))
