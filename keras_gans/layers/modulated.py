"""Modulated convolution with weight demodulation (Karras et al. 2019, StyleGAN2,
arXiv:1912.04958, section 2.2 and eq. 1-3)."""

import keras
from keras import ops

from keras_gans.layers.equalized import EqualizedDense, _Equalized, _pair, check_image_and_style


@keras.saving.register_keras_serializable(package="keras_gans")
class ModulatedConv2D(_Equalized):
    """StyleGAN2's style-modulated convolution, in its non-fused form.

    Inputs `[x, style]`: images `[N, H, W, C_in]` and style vectors `[N, D]`.
    An equalized affine layer (`EqualizedDense`, gain 1, bias initialised to
    1) maps each style to per-input-channel scales `s [N, C_in]`; the
    convolution kernel `w [k, k, C_in, filters]` is equalized
    (`EqualizedConv2D`'s run-time scale; StyleGAN2 uses gain 1). Per sample n:

    - modulation: the input channels are scaled, `x * s[n]`;
    - convolution with `w` ("same" padding, stride 1);
    - demodulation (`demodulate=True`): output channel o is multiplied by
      `d[n, o] = 1 / sqrt(sum over (kh, kw, i) of (w[kh, kw, i, o] * s[n, i])^2 + 1e-8)`.

    This equals convolving each sample with its own modulated and demodulated
    kernel (the paper's eq. 1-3), which the official code runs as one grouped
    convolution with the batch folded into the channels. TensorFlow has no
    grouped convolution on CPU (tensorflow#29005), so this layer scales the
    activations instead of the weights: one ordinary convolution shared by the
    batch, and it runs, trains and exports on every device. It also computes
    d in float32 (the modulation scales and kernel are float32 weights), so it
    is safe under a mixed policy.

    With `up=True` the input is first upsampled by 2 (nearest neighbour; the
    per-channel modulation commutes with it), so the output is
    `[N, 2H, 2W, filters]`; StyleGAN2's transposed convolution with a
    [1, 3, 3, 1] blur is the fused alternative. A bias (`use_bias`) and an
    activation are applied last; StyleGAN2 adds its noise input before them
    (`NoiseInjection` commutes with the bias).

    Args:
        filters: int. Output channels.
        kernel_size: int. Kernel height and width.
        demodulate: bool. Whether to demodulate (False for toRGB layers).
        up: bool. Whether to upsample the input by 2 first.
        use_bias: bool. Whether to add a bias.
        gain: float. He gain of the convolution weight.
        lr_multiplier: float. Learning-rate multiplier of the convolution weight and bias.
        bias_init: float. Initial value of the bias.
        activation: activation name or callable, applied after the bias, or None.
        epsilon: float. Added to the sum of squares in the demodulation.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.layers.ModulatedConv2D(256, 3, up=True)([x, w])
    rgb = keras_gans.layers.ModulatedConv2D(3, 1, demodulate=False)([x, w])
    ```
    """

    def __init__(self, filters, kernel_size=3, demodulate=True, up=False, use_bias=True,
                 gain=1.0, lr_multiplier=1.0, bias_init=0.0, activation=None, epsilon=1e-8,
                 **kwargs):
        super().__init__(use_bias=use_bias, gain=gain, lr_multiplier=lr_multiplier,
                         bias_init=bias_init, activation=activation, **kwargs)
        if int(filters) < 1:
            raise ValueError(f"filters must be a positive integer; got {filters!r}.")
        self.filters = int(filters)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.demodulate = bool(demodulate)
        self.up = bool(up)
        self.epsilon = float(epsilon)
        self.affine = None

    def build(self, input_shape):
        x_shape, style_shape = check_image_and_style(input_shape, "ModulatedConv2D", "style")
        channels = int(x_shape[-1])
        kh, kw = self.kernel_size
        self.affine = EqualizedDense(channels, gain=1.0, bias_init=1.0, dtype="float32",
                                     name="affine")
        self.affine.build(tuple(style_shape))
        self._make_weights((kh, kw, channels, self.filters), kh * kw * channels, self.filters)

    def call(self, inputs):
        x, style = inputs
        s = self.affine(ops.cast(style, "float32"))  # [N, C_in], float32
        w = self.effective_kernel()  # [kh, kw, C_in, filters], float32
        if self.up:
            x = ops.repeat(ops.repeat(x, 2, axis=1), 2, axis=2)
        x = x * ops.cast(s[:, None, None, :], x.dtype)
        y = ops.conv(x, ops.cast(w, x.dtype), strides=1, padding="same",
                     data_format="channels_last")
        if self.demodulate:
            # sum_{kh,kw,i} (w[kh,kw,i,o] s[n,i])^2 = sum_i s[n,i]^2 sum_{kh,kw} w[kh,kw,i,o]^2
            energy = ops.matmul(ops.square(s), ops.sum(ops.square(w), axis=(0, 1)))  # [N, filters]
            d = ops.rsqrt(energy + self.epsilon)
            y = y * ops.cast(d[:, None, None, :], y.dtype)
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape[0]
        if self.up:
            h = None if h is None else 2 * h
            w = None if w is None else 2 * w
        return (n, h, w, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=self.kernel_size,
                      demodulate=self.demodulate, up=self.up, epsilon=self.epsilon)
        return config

