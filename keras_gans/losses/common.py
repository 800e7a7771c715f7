"""Helpers the loss modules share: every term computes and returns float32.

A mixed precision policy makes networks output float16 or bfloat16; the loss
terms cast their inputs to float32 first, so that means, logs and gradients
are float32 whatever the policy.
"""

from keras import ops

__all__ = ["to_float32", "float32_mean"]


def to_float32(x):
    """`x` cast to float32.

    Args:
        x: tensor, numpy array or Python number. Any rank.

    Returns:
        A float32 tensor of the same shape.

    Example:
    ```python
    keras_gans.losses.common.to_float32(np.ones(3, "float16"))
    ```
    """
    return ops.cast(x, "float32")


def float32_mean(x):
    """The mean of every element of `x`, computed in float32.

    Args:
        x: tensor, numpy array or Python number. Any rank.

    Returns:
        A float32 scalar tensor.

    Example:
    ```python
    keras_gans.losses.common.float32_mean(np.array([[1.0, 2.0], [3.0, 6.0]]))  # 3.0
    ```
    """
    return ops.mean(to_float32(x))
