"""Equalized learning rate (Karras et al. 2017, ProGAN, arXiv:1710.10196, section 4.1).

Weights are stored with unit-scale initial values and multiplied at run time
by the He constant `gain / sqrt(fan_in)`. Adam-like optimizers make update
sizes independent of a parameter's scale, so with the constant applied at run
time every layer learns at the same speed whatever its fan-in. StyleGAN
(Karras et al. 2019, arXiv:1812.04948, appendix C) adds `lr_multiplier`: the
stored weights start at N(0, 1/lr_multiplier^2) and are multiplied by a further
`lr_multiplier` at run time, so the effective weights start the same but move
`lr_multiplier` times as fast (0.01 in the mapping network).
"""

import math

import keras
from keras import layers, ops


def he_scale(fan_in, gain=math.sqrt(2.0), lr_multiplier=1.0):
    """The run-time weight multiplier of an equalized layer.

    Args:
        fan_in: int. Inputs feeding one output (`in` for a dense layer,
            `kh * kw * in` for a convolution).
        gain: float. The He gain (sqrt(2) before a ReLU / leaky ReLU, 1 before a linear use).
        lr_multiplier: float. Learning-rate multiplier.

    Returns:
        float. `gain / sqrt(fan_in) * lr_multiplier`.

    Example:
    ```python
    keras_gans.layers.equalized.he_scale(512, gain=1.0, lr_multiplier=0.01)
    ```
    """
    return float(gain) / math.sqrt(float(fan_in)) * float(lr_multiplier)


class _Equalized(layers.Layer):
    """What the equalized dense and convolution layers share: the checks, the
    weights, the run-time scales and the config."""

    def __init__(self, use_bias=True, gain=math.sqrt(2.0), lr_multiplier=1.0, bias_init=0.0,
                 activation=None, **kwargs):
        super().__init__(**kwargs)
        if not float(lr_multiplier) > 0.0:
            raise ValueError(f"lr_multiplier must be positive; got {lr_multiplier!r}.")
        if not float(gain) > 0.0:
            raise ValueError(f"gain must be positive; got {gain!r}.")
        self.use_bias = bool(use_bias)
        self.gain = float(gain)
        self.lr_multiplier = float(lr_multiplier)
        self.bias_init = float(bias_init)
        self.activation = keras.activations.get(activation)

    def _make_weights(self, kernel_shape, fan_in, units):
        self.fan_in = int(fan_in)
        # The run-time scales, kept as Python floats: they are part of the graph, not weights.
        self.weight_scale = he_scale(self.fan_in, self.gain, self.lr_multiplier)
        self.bias_scale = self.lr_multiplier
        # Float32 weights read without autocast: the scale is applied in float32
        # and the product cast once to the compute dtype.
        self.kernel = self.add_weight(
            shape=kernel_shape,
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier),
            autocast=False,
            name="kernel",
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(int(units),),
                initializer=keras.initializers.Constant(self.bias_init / self.lr_multiplier),
                autocast=False,
                name="bias",
            )

    def effective_kernel(self):
        """The kernel the layer computes with: the stored one times `weight_scale` (float32)."""
        return ops.convert_to_tensor(self.kernel) * self.weight_scale

    def effective_bias(self):
        """The bias the layer adds: the stored one times `bias_scale` (float32), or None."""
        if self.bias is None:
            return None
        return ops.convert_to_tensor(self.bias) * self.bias_scale

    def _finish(self, y):
        if self.bias is not None:
            y = y + ops.cast(self.effective_bias(), y.dtype)
        return self.activation(y) if self.activation is not None else y

    def get_config(self):
        config = super().get_config()
        config.update(
            use_bias=self.use_bias,
            gain=self.gain,
            lr_multiplier=self.lr_multiplier,
            bias_init=self.bias_init,
            activation=keras.activations.serialize(self.activation),
        )
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class EqualizedDense(_Equalized):
    """A dense layer with equalized learning rate (ProGAN, StyleGAN).

    `y = x @ (kernel * gain / sqrt(in) * lr_multiplier) + bias * lr_multiplier`,
    with the stored kernel initialised N(0, (1 / lr_multiplier)^2) and the
    stored bias initialised to `bias_init / lr_multiplier`: the effective
    kernel starts with standard deviation `gain / sqrt(in)` and the effective
    bias at `bias_init`, whatever `lr_multiplier`; gradients reaching the
    stored weights are multiplied by the run-time scale, so the effective
    weights move `lr_multiplier` times as fast as with `lr_multiplier=1`.
    (StyleGAN2-ADA's PyTorch code stores the bias at `bias_init` and so starts
    the effective bias at `bias_init * lr_multiplier`; the two agree when
    `bias_init` is 0, as in the mapping network, or `lr_multiplier` is 1.)

    Weights are float32; under a mixed policy the scaled kernel is cast once to
    the compute dtype. Inputs of any rank are mapped along their last axis.

    Args:
        units: int. Output size.
        use_bias: bool. Whether to add a bias.
        gain: float. He gain (sqrt(2) before leaky ReLU; StyleGAN's style
            affine layers use 1).
        lr_multiplier: float. Learning-rate multiplier (StyleGAN's mapping network: 0.01).
        bias_init: float. Initial value of the effective bias.
        activation: activation name or callable, applied after the bias, or None.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    w = keras_gans.layers.EqualizedDense(512, lr_multiplier=0.01, activation="leaky_relu")(z)
    ```
    """

    def __init__(self, units, use_bias=True, gain=math.sqrt(2.0), lr_multiplier=1.0,
                 bias_init=0.0, activation=None, **kwargs):
        super().__init__(use_bias=use_bias, gain=gain, lr_multiplier=lr_multiplier,
                         bias_init=bias_init, activation=activation, **kwargs)
        if int(units) < 1:
            raise ValueError(f"units must be a positive integer; got {units!r}.")
        self.units = int(units)

    def build(self, input_shape):
        if input_shape[-1] is None:
            raise ValueError(
                "EqualizedDense needs a known last dimension; got input shape "
                f"{tuple(input_shape)}."
            )
        fan_in = int(input_shape[-1])
        self._make_weights((fan_in, self.units), fan_in, self.units)

    def call(self, inputs):
        kernel = ops.cast(self.effective_kernel(), inputs.dtype)
        return self._finish(ops.matmul(inputs, kernel))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units)
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class EqualizedConv2D(_Equalized):
    """A 2-D convolution with equalized learning rate (ProGAN, StyleGAN).

    As `EqualizedDense`, with `fan_in = kernel_size^2 * in_channels` and a
    kernel `[kh, kw, in, filters]` (channels last).

    Args:
        filters: int. Output channels.
        kernel_size: int or (int, int). Kernel height and width.
        strides: int or (int, int). Convolution strides.
        padding: str. "same" or "valid".
        use_bias: bool. Whether to add a bias.
        gain: float. He gain.
        lr_multiplier: float. Learning-rate multiplier.
        bias_init: float. Initial value of the effective bias.
        activation: activation name or callable, applied after the bias, or None.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    x = keras_gans.layers.EqualizedConv2D(128, 3, activation="leaky_relu")(x)
    ```
    """

    def __init__(self, filters, kernel_size=3, strides=1, padding="same", use_bias=True,
                 gain=math.sqrt(2.0), lr_multiplier=1.0, bias_init=0.0, activation=None,
                 **kwargs):
        super().__init__(use_bias=use_bias, gain=gain, lr_multiplier=lr_multiplier,
                         bias_init=bias_init, activation=activation, **kwargs)
        if int(filters) < 1:
            raise ValueError(f"filters must be a positive integer; got {filters!r}.")
        padding = str(padding).lower()
        if padding not in ("same", "valid"):
            raise ValueError(f'padding must be "same" or "valid"; got {padding!r}.')
        self.filters = int(filters)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.padding = padding

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(
                "EqualizedConv2D takes images [batch, height, width, channels] with known "
                f"channels; got shape {tuple(input_shape)}."
            )
        channels = int(input_shape[-1])
        kh, kw = self.kernel_size
        self._make_weights((kh, kw, channels, self.filters), kh * kw * channels, self.filters)

    def call(self, inputs):
        kernel = ops.cast(self.effective_kernel(), inputs.dtype)
        y = ops.conv(inputs, kernel, strides=self.strides, padding=self.padding,
                     data_format="channels_last")
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        out = []
        for size, k, s in zip((h, w), self.kernel_size, self.strides):
            if size is None:
                out.append(None)
            elif self.padding == "same":
                out.append(-(-size // s))
            else:
                out.append((size - k) // s + 1)
        return (n, out[0], out[1], self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides,
                      padding=self.padding)
        return config


def _pair(value, name):
    """(int, int) from an int or a pair of positive ints."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or any(int(v) < 1 for v in pair):
        raise ValueError(f"{name} must be a positive int or a pair of them; got {value!r}.")
    return tuple(int(v) for v in pair)


def check_image_and_style(input_shape, layer, style):
    """Checks the `[x, style]` input shape of a style-modulated layer (AdaIN,
    ModulatedConv2D): x `[batch, height, width, channels]` with known
    channels, the style vector `[batch, dim]`. Returns `(x_shape, style_shape)`."""
    if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not isinstance(
            input_shape[0], (list, tuple)):
        raise ValueError(f"{layer} takes [x, {style}]; got input shape {input_shape}.")
    x_shape, style_shape = input_shape
    if len(x_shape) != 4 or x_shape[-1] is None or len(style_shape) != 2:
        raise ValueError(
            f"{layer} takes [x, {style}] with x [batch, height, width, channels] and "
            f"{style} [batch, dim]; got {tuple(x_shape)} and {tuple(style_shape)}."
        )
    return x_shape, style_shape
