"""Up- and downsampling of images by an integer factor, optionally low-pass
filtered as in StyleGAN2 (Karras et al. 2019, arXiv:1912.04958, appendix B:
the [1, 3, 3, 1] filter of Zhang 2019, arXiv:1904.11486)."""

import keras
import numpy as np
from keras import layers, ops


def _check_factor(factor):
    if int(factor) != factor or int(factor) < 1:
        raise ValueError(f"factor must be a positive integer; got {factor!r}.")
    return int(factor)


def _blur_axis(x, axis):
    """[1, 2, 1] / 4 along `axis` (1 or 2), edge pixels repeated past the border."""
    pad = [(0, 0)] * 4
    pad[axis] = (1, 1)
    padded = ops.pad(x, pad, mode="symmetric")  # symmetric by 1 repeats the edge pixel
    if axis == 1:
        a, b, c = padded[:, :-2], padded[:, 1:-1], padded[:, 2:]
    else:
        a, b, c = padded[:, :, :-2], padded[:, :, 1:-1], padded[:, :, 2:]
    return (a + 2.0 * b + c) * 0.25


def blur121(x):
    """Separable [1, 2, 1] / 4 blur of images `[N, H, W, C]`, same shape; the
    edge pixels are repeated past the border, so a constant image stays constant."""
    return _blur_axis(_blur_axis(x, 1), 2)


def _check_images(input_shape, name):
    if len(input_shape) != 4:
        raise ValueError(
            f"{name} takes images [batch, height, width, channels]; got shape "
            f"{tuple(input_shape)}."
        )


class _Resample2D(layers.Layer):
    """What Upsample2D and Downsample2D share: the factor, the blur flag,
    the image-shape check and the config."""

    def __init__(self, factor=2, blur=False, **kwargs):
        super().__init__(**kwargs)
        self.factor = _check_factor(factor)
        self.blur = bool(blur)

    def build(self, input_shape):
        _check_images(input_shape, type(self).__name__)

    def _resized(self, size):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        return (n, None if h is None else self._resized(h), None if w is None else self._resized(w), c)

    def get_config(self):
        config = super().get_config()
        config.update(factor=self.factor, blur=self.blur)
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class Upsample2D(_Resample2D):
    """Nearest-neighbour upsampling by an integer factor, optionally blurred.

    `[N, H, W, C] -> [N, H * factor, W * factor, C]`. With `blur=True` the
    upsampled image is filtered with the separable [1, 2, 1] / 4 kernel
    (depthwise, edges repeated), so nearest + blur is the box of width
    `factor` convolved with [1, 2, 1]. For `factor=2` that is exactly
    StyleGAN2's `upsample2d`: zero insertion followed by the normalised
    [1, 3, 3, 1] filter (times 2 per axis), i.e. bilinear interpolation with
    half-pixel centres, with no half-pixel shift (a 4-tap filter applied
    after nearest upsampling would shift the image). At the borders the
    edge pixel is repeated instead of padding zeros, so a constant image stays
    constant.

    Args:
        factor: int. Upsampling factor.
        blur: bool. Whether to low-pass filter after upsampling.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.layers.Upsample2D(2, blur=True)(x)   # 8x8 -> 16x16
    ```
    """

    def call(self, inputs):
        x = inputs
        if self.factor > 1:
            h, w, c = x.shape[1], x.shape[2], x.shape[3]
            if None in (h, w, c):
                x = ops.repeat(ops.repeat(x, self.factor, axis=1), self.factor, axis=2)
            else:
                # Copies joined and reshaped to static sides: two repeats in a row
                # leave the height unknown to the LiteRT converter, and a nearest
                # resize has no second derivative (R1, path length).
                f = self.factor
                x = ops.reshape(x, (-1, h, 1, w, 1, c))
                x = ops.concatenate([ops.concatenate([x] * f, axis=4)] * f, axis=2)
                x = ops.reshape(x, (-1, h * f, w * f, c))
        if self.blur:
            x = blur121(x)
        return x

    def _resized(self, size):
        return size * self.factor


@keras.saving.register_keras_serializable(package="keras_gans")
class Downsample2D(_Resample2D):
    """Average-pool downsampling by an integer factor, optionally blurred.

    `[N, H, W, C] -> [N, H / factor, W / factor, C]`; height and width must be
    multiples of `factor`. With `blur=True` the image is filtered with the
    separable [1, 2, 1] / 4 kernel (depthwise, edges repeated) before the
    average pool, so blur + pool is the [1, 2, 1] kernel convolved with the
    box of width `factor`, then subsampled. For `factor=2` that is exactly
    StyleGAN2's `downsample2d`: the normalised [1, 3, 3, 1] filter, then every
    other pixel, aligned with the 2x2 blocks (no half-pixel shift). At the
    borders the edge pixel is repeated, so a constant image stays constant.

    Args:
        factor: int. Downsampling factor.
        blur: bool. Whether to low-pass filter before subsampling.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.layers.Downsample2D(2, blur=True)(x)   # 16x16 -> 8x8
    ```
    """

    def build(self, input_shape):
        super().build(input_shape)
        for size in input_shape[1:3]:
            if size is not None and size % self.factor:
                raise ValueError(
                    f"Downsample2D(factor={self.factor}) needs a height and width that are "
                    f"multiples of {self.factor}; got shape {tuple(input_shape)}."
                )

    def call(self, inputs):
        x = inputs
        if self.blur:
            x = blur121(x)
        if self.factor > 1:
            x = ops.average_pool(x, self.factor, strides=self.factor, padding="valid",
                                 data_format="channels_last")
        return x

    def _resized(self, size):
        return size // self.factor


def bilinear_matrix(source, target):
    """The 1-D bilinear resize from `source` to `target` samples as a matrix
    `[target, source]` (numpy float64): half-pixel centres, edges clamped, no
    antialiasing, as `tf.image.resize(..., "bilinear")` resizes each axis."""
    m = np.zeros((target, source))
    for i in range(target):
        x = min(max((i + 0.5) * source / target - 0.5, 0.0), source - 1.0)
        lo = int(np.floor(x))
        hi = min(lo + 1, source - 1)
        m[i, lo] += 1.0 - (x - lo)
        m[i, hi] += x - lo
    return m


@keras.saving.register_keras_serializable(package="keras_gans")
class NativeResolution(layers.Layer):
    """Projects images onto those that a bilinear resize from `native_size`
    pixels can give.

    Small datasets are often drawn at a side below the one a model trains at:
    scikit-learn's digits are 8x8, and `keras_gans.data.load("digits",
    image_size=32)` resizes them bilinearly to 32. Every real image then lies
    in a subspace of `native_size**2` dimensions per channel, and a generator
    drawing at 32 px leaves detail outside it that no real image has. D finds
    that tell easily and spends itself on it rather than on shapes. As G's last
    layer this one keeps G's images in the data's subspace: the least-squares
    projection `P x P^T` on each axis, where `P = U pinv(U)` and `U` is the
    1-D bilinear resize (`bilinear_matrix`). A real image passes unchanged.
    No weights; the projection is a constant of the config.

    Args:
        native_size: int. The side the data were resized from (>= 2). On
            images at or below that side every image is such a resize, and
            the layer changes nothing.
        clip: tuple or None. `(low, high)` to clip the projected images to (a
            projection of tanh's output can step slightly past [-1, 1]).
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras.Input((32, 32, 1))
    y = keras_gans.layers.NativeResolution(8, clip=(-1.0, 1.0))(x)  # [N, 32, 32, 1]
    ```
    """

    def __init__(self, native_size, clip=None, **kwargs):
        super().__init__(**kwargs)
        if int(native_size) != native_size or int(native_size) < 2:
            raise ValueError(
                f"NativeResolution's native_size must be an int >= 2 (the side the data were "
                f"resized from, e.g. 8 for digits); got {native_size!r}."
            )
        if clip is not None and not (len(clip) == 2 and float(clip[0]) < float(clip[1])):
            raise ValueError(f"NativeResolution's clip must be None or (low, high), low < high; got {clip!r}.")
        self.native_size = int(native_size)
        self.clip = None if clip is None else (float(clip[0]), float(clip[1]))

    def build(self, input_shape):
        _check_images(input_shape, "NativeResolution")
        sides = (int(input_shape[1]), int(input_shape[2]))
        # P = U pinv(U) for each axis; symmetric, idempotent.
        self._projections = []
        for side in sides:
            u = bilinear_matrix(self.native_size, side)
            self._projections.append((u @ np.linalg.pinv(u)).astype("float32"))

    def call(self, images):
        ph = ops.convert_to_tensor(self._projections[0], dtype=images.dtype)
        pw = ops.convert_to_tensor(self._projections[1], dtype=images.dtype)
        # [N, C, H, W]: the projection of each axis is one broadcast matmul
        # (which LiteRT converts; its einsum with a dynamic batch does not).
        x = ops.transpose(images, (0, 3, 1, 2))
        x = ops.matmul(ops.matmul(ph, x), ops.transpose(pw))
        out = ops.transpose(x, (0, 2, 3, 1))
        if self.clip is not None:
            out = ops.clip(out, self.clip[0], self.clip[1])
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(native_size=self.native_size, clip=self.clip)
        return config
