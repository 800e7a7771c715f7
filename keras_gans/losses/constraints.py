"""Constraints that train steps apply to weights after an update.

Unlike the loss terms these act on variables in place and return nothing.
"""

from keras import ops

__all__ = ["clip_weights"]


def clip_weights(networks, clip_value):
    """Clips every trainable variable of `networks` to [-clip_value, clip_value].

    WGAN's crude way to keep the critic K-Lipschitz, run after each critic
    update (DualGAN uses it too).

    Reference: Arjovsky et al. 2017, "Wasserstein GAN", arXiv:1701.07875,
    Algorithm 1 (c = 0.01).

    Args:
        networks: keras.Model or list of keras.Model. The critics.
        clip_value: float. c.

    Returns:
        None; the variables are assigned in place.

    Example:
    ```python
    keras_gans.losses.clip_weights(critic, 0.01)
    ```
    """
    if not isinstance(networks, (list, tuple)):
        networks = [networks]
    for network in networks:
        for v in network.trainable_variables:
            v.assign(ops.clip(v, -clip_value, clip_value))
