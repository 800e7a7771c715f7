"""S2GAN / S3GAN (Lucic et al. 2019, arXiv:1903.02271): BigGAN with rotation
self-supervision in D and labels that D infers itself.

The helpers of this module (quarter turns of a batch, the rows that get
turned) are pure functions; the model is at the end.
"""

from keras import ops

#: The self-supervised task's classes: turns by 0, 90, 180 and 270 degrees.
NUM_ROTATIONS = 4


def quarter_turns(images, k):
    """`images` turned by `k` quarter turns counter-clockwise (k * 90 degrees).

    Args:
        images: tensor `[N, H, W, C]`, H == W.
        k: int. Quarter turns (0 to 3; taken modulo 4).

    Returns:
        tensor `[N, H, W, C]`.

    Example:
    ```python
    keras_gans.models.s3gan.quarter_turns(images, 1)  # 90 degrees
    ```
    """
    k = int(k) % NUM_ROTATIONS
    if k == 0:
        return images
    if k == 2:
        return ops.flip(ops.flip(images, axis=1), axis=2)
    transposed = ops.transpose(images, (0, 2, 1, 3))
    # 90 degrees counter-clockwise: the transpose read bottom-up; 270: right-left.
    return ops.flip(transposed, axis=1) if k == 1 else ops.flip(transposed, axis=2)


def rotation_rows(inputs, every):
    """The rows of a batch that the rotation task turns: rows 0, every,
    2 * every, ... of this replica's share.

    With a local batch that is a multiple of `every`, these are the same
    images of the global batch on one device and on several replicas (global
    row `r * b + i` is picked when `i` is), so training does not depend on
    the number of replicas.

    Args:
        inputs: tensor `[N, ...]`, or a list/tuple of them (D's `[images, labels]`).
        every: int. One row in `every`.

    Returns:
        the same structure with `ceil(N / every)` rows.

    Example:
    ```python
    keras_gans.models.s3gan.rotation_rows(np.arange(8), 4)  # [0, 4]
    ```
    """
    every = int(every)
    if isinstance(inputs, (list, tuple)):
        return type(inputs)(x[::every] for x in inputs)
    return inputs[::every]


def rotated_copies(inputs):
    """The three turned copies (90, 180, 270 degrees) of a batch, and the turn
    of every row of `[inputs, copies]`.

    Args:
        inputs: tensor `[n, H, W, C]`, or a list/tuple whose first entry is the
            images (the other entries, e.g. labels, are repeated).

    Returns:
        `(copies, rotations)`: the copies (same structure, `3n` rows: n turned
        by 90, then n by 180, then n by 270) and int32 `[4n]`: n zeros (the
        inputs themselves), n ones, n twos, n threes.

    Example:
    ```python
    copies, rotations = keras_gans.models.s3gan.rotated_copies(images)
    d_in = ops.concatenate([images, copies], axis=0)  # rotations label its rows
    ```
    """
    if isinstance(inputs, (list, tuple)):
        images, rest = inputs[0], list(inputs[1:])
    else:
        images, rest = inputs, None
    n = ops.shape(images)[0]
    turned = ops.concatenate([quarter_turns(images, k) for k in (1, 2, 3)], axis=0)
    rotations = ops.repeat(ops.arange(NUM_ROTATIONS, dtype="int32"), n)
    if rest is None:
        return turned, rotations
    repeated = [ops.concatenate([x, x, x], axis=0) for x in rest]
    return type(inputs)([turned, *repeated]), rotations


__all__ = ["NUM_ROTATIONS", "quarter_turns", "rotation_rows", "rotated_copies"]

