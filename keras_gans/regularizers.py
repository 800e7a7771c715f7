"""Regularizers that GAN train steps add to their losses. Pure functions."""

import tensorflow as tf
from keras import ops


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
