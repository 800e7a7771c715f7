"""Reflection padding, as in CycleGAN's ResNet generator (Zhu et al. 2017, arXiv:1703.10593)."""

import keras
from keras import layers, ops


def _pair(padding):
    if isinstance(padding, int):
        pair = (padding, padding)
    else:
        try:
            pair = tuple(int(p) for p in padding)
        except (TypeError, ValueError):
            pair = ()
    if len(pair) != 2 or any(p < 0 for p in pair):
        raise ValueError(
            "padding must be a non-negative int or a pair (height, width) of them; "
            f"got {padding!r}."
        )
    return pair


@keras.saving.register_keras_serializable(package="keras_gans")
class ReflectionPadding2D(layers.Layer):
    """Pads the height and width of `[B, H, W, C]` images by mirroring them.

    The border pixel itself is not repeated (NumPy's `np.pad(mode="reflect")`,
    PyTorch's `ReflectionPad2d`): `[1, 2, 3]` padded by 2 is `[3, 2, 1, 2, 3, 2, 1]`.
    Each padding must be smaller than the side it pads. It lowers to TF's
    `MirrorPad`, a LiteRT builtin (`MIRROR_PAD`).

    Args:
        padding: int or (int, int). Pixels added on each side of the height and
            of the width.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras.Input((32, 32, 3))
    y = keras_gans.layers.ReflectionPadding2D(3)(x)   # [B, 38, 38, 3]
    ```
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pair(padding)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                f"ReflectionPadding2D takes [batch, height, width, channels]; got {tuple(input_shape)}."
            )
        for side, pad, name in zip(input_shape[1:3], self.padding, ("height", "width")):
            if side is not None and pad >= side:
                raise ValueError(
                    f"Reflection padding of {pad} needs a {name} above {pad}; got {side}."
                )

    def call(self, inputs):
        ph, pw = self.padding
        return ops.pad(inputs, [[0, 0], [ph, ph], [pw, pw], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        ph, pw = self.padding
        return (
            b,
            None if h is None else h + 2 * ph,
            None if w is None else w + 2 * pw,
            c,
        )

    def get_config(self):
        config = super().get_config()
        config.update(padding=self.padding)
        return config
