"""StyleGAN / ProGAN layers (keras_gans.layers: equalized, style, modulated,
resample), each checked against a numpy formula written here."""

import math
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import keras
from keras_gans import layers as kl

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rng(seed=0):
    return np.random.default_rng(seed)


def np_conv(x, w, stride=1, padding="same"):
    """Cross-correlation of [N, H, W, C] with [kh, kw, C, O], as tf.nn.conv2d (stride 1 'same')."""
    kh, kw = w.shape[:2]
    if padding == "same":
        x = np.pad(x, [(0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)])
    n, h, wd, _ = x.shape
    oh, ow = h - kh + 1, wd - kw + 1
    out = np.zeros((n, oh, ow, w.shape[3]))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nhwc,co->nhwo", x[:, i:i + oh, j:j + ow], w[i, j])
    return out[:, ::stride, ::stride]


def set_weights(layer, seed=1):
    """Random values in every weight, so a test sees the weights actually used."""
    r = rng(seed)
    for v in layer.weights:
        v.assign(r.normal(0.5, 1.0, v.shape).astype(v.dtype))


@pytest.fixture
def bf16():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy("float32")


# ----------------------------------------------------------------- equalized


@pytest.mark.parametrize("gain,lr", [(math.sqrt(2), 1.0), (1.0, 0.01)])
def test_equalized_dense_scales_weights_at_run_time(gain, lr):
    layer = kl.EqualizedDense(5, gain=gain, lr_multiplier=lr, bias_init=0.3)
    x = rng().normal(size=(4, 7)).astype("float32")
    layer(x)
    scale = gain / math.sqrt(7) * lr
    assert layer.weight_scale == pytest.approx(scale)
    # The effective bias starts at bias_init, stored as bias_init / lr.
    np.testing.assert_allclose(np.asarray(layer.bias), 0.3 / lr, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(layer.effective_bias()), 0.3, rtol=1e-6)
    set_weights(layer)
    k, b = (np.asarray(v) for v in (layer.kernel, layer.bias))
    np.testing.assert_allclose(np.asarray(layer(x)), x @ (k * scale) + b * lr, rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("lr", [1.0, 0.01])
def test_equalized_effective_weight_std_is_the_he_constant(lr):
    dense = kl.EqualizedDense(256, lr_multiplier=lr)
    dense.build((None, 512))
    conv = kl.EqualizedConv2D(64, 3, lr_multiplier=lr, gain=1.0)
    conv.build((None, 8, 8, 32))
    for layer, fan_in, gain in ((dense, 512, math.sqrt(2)), (conv, 9 * 32, 1.0)):
        stored = np.asarray(layer.kernel)
        assert np.std(stored) == pytest.approx(1.0 / lr, rel=0.03)
        effective = np.asarray(layer.effective_kernel())
        np.testing.assert_allclose(effective, stored * gain / math.sqrt(fan_in) * lr, rtol=1e-6)
        assert np.std(effective) == pytest.approx(gain / math.sqrt(fan_in), rel=0.03)
        assert abs(np.mean(effective)) < 0.05 * gain / math.sqrt(fan_in)


def _dense_grads(lr, effective_kernel, effective_bias, x, g):
    layer = kl.EqualizedDense(effective_kernel.shape[1], lr_multiplier=lr)
    layer.build(x.shape)
    scale = math.sqrt(2) / math.sqrt(x.shape[1]) * lr
    layer.kernel.assign(effective_kernel / scale)
    layer.bias.assign(effective_bias / lr)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x) * g)
    gk, gb = tape.gradient(loss, [layer.kernel.value, layer.bias.value])
    return np.asarray(layer(x)), np.asarray(gk), np.asarray(gb), scale


def test_equalized_gradient_wrt_the_stored_weight_is_scaled():
    r = rng(2)
    x = r.normal(size=(6, 8)).astype("float32")
    g = r.normal(size=(6, 3)).astype("float32")
    k = r.normal(size=(8, 3)).astype("float32") * 0.5
    b = r.normal(size=(3,)).astype("float32")
    y1, gk1, gb1, s1 = _dense_grads(1.0, k, b, x, g)
    y2, gk2, gb2, s2 = _dense_grads(0.01, k, b, x, g)
    # Same effective weights, same function ...
    np.testing.assert_allclose(y1, y2, rtol=1e-4, atol=1e-5)
    # ... but d loss / d stored = run-time scale * d loss / d effective.
    np.testing.assert_allclose(gk1, s1 * x.T @ g, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(gb1, g.sum(0), rtol=1e-5)
    np.testing.assert_allclose(gk2, s2 * x.T @ g, rtol=1e-4, atol=1e-8)
    np.testing.assert_allclose(gb2, 0.01 * g.sum(0), rtol=1e-5)
    # The lr multiplier: gradients 100 times smaller, on weights stored 100 times larger.
    np.testing.assert_allclose(gk2, 0.01 * gk1, rtol=1e-4, atol=1e-8)


@pytest.mark.parametrize("kwargs", [dict(kernel_size=3), dict(kernel_size=1, lr_multiplier=0.1),
                                    dict(kernel_size=3, strides=2, padding="valid"),
                                    dict(kernel_size=(3, 1), use_bias=False, gain=1.0)])
def test_equalized_conv_matches_numpy(kwargs):
    layer = kl.EqualizedConv2D(4, **kwargs)
    x = rng(3).normal(size=(2, 7, 7, 3)).astype("float32")
    layer(x)
    set_weights(layer)
    k = np.asarray(layer.kernel)
    kh, kw = k.shape[:2]
    lr = kwargs.get("lr_multiplier", 1.0)
    scale = kwargs.get("gain", math.sqrt(2)) / math.sqrt(kh * kw * 3) * lr
    assert layer.weight_scale == pytest.approx(scale)
    want = np_conv(x, k * scale, kwargs.get("strides", 1), kwargs.get("padding", "same"))
    if kwargs.get("use_bias", True):
        want = want + np.asarray(layer.bias) * lr
    y = np.asarray(layer(x))
    assert y.shape == layer.compute_output_shape(x.shape) == want.shape
    np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-4)
    # Gradient wrt the stored kernel = scale * gradient wrt the effective kernel.
    g = rng(4).normal(size=y.shape).astype("float32")
    eff = tf.Variable(k * scale)
    with tf.GradientTape(persistent=True) as tape:
        ours = tf.reduce_sum(layer(x) * g)
        plain = tf.reduce_sum(tf.nn.conv2d(x, eff, kwargs.get("strides", 1),
                                           kwargs.get("padding", "same").upper()) * g)
    np.testing.assert_allclose(np.asarray(tape.gradient(ours, layer.kernel.value)),
                               scale * np.asarray(tape.gradient(plain, eff)), rtol=1e-4, atol=1e-6)


def test_equalized_bad_arguments():
    with pytest.raises(ValueError, match="lr_multiplier"):
        kl.EqualizedDense(3, lr_multiplier=0)
    with pytest.raises(ValueError, match="padding"):
        kl.EqualizedConv2D(3, padding="full")


# ----------------------------------------------------------------- pixel norm


def test_pixel_norm_matches_numpy():
    x = rng().normal(2.0, 3.0, size=(2, 3, 3, 5)).astype("float32")
    want = x / np.sqrt(np.mean(x.astype("float64") ** 2, axis=-1, keepdims=True) + 1e-8)
    y = np.asarray(kl.PixelNorm()(x))
    np.testing.assert_allclose(y, want, rtol=1e-5)
    np.testing.assert_allclose(np.mean(y ** 2, axis=-1), 1.0, rtol=1e-5)
    z = rng(1).normal(size=(4, 6)).astype("float32")  # StyleGAN's latent normalisation
    np.testing.assert_allclose(np.asarray(kl.PixelNorm()(z)),
                               z / np.sqrt(np.mean(z ** 2, -1, keepdims=True) + 1e-8), rtol=1e-5)


# ----------------------------------------------------------------- minibatch std


def np_mbstd(x, group_size, num_features):
    """Written from ProGAN's description: groups of G examples taken with
    stride M = N / G (example n in group n mod M)."""
    x = x.astype("float64")
    n, h, w, c = x.shape
    g = min(group_size, n)
    m = n // g
    feats = np.zeros((n, num_features))
    for group in range(m):
        members = [i for i in range(n) if i % m == group]
        assert len(members) == g
        std = np.sqrt(np.var(x[members], axis=0) + 1e-8)  # [H, W, C]
        for f, part in enumerate(np.split(std, num_features, axis=-1)):
            feats[members, f] = part.mean()
    maps = np.broadcast_to(feats[:, None, None, :], (n, h, w, num_features))
    return np.concatenate([x, maps], axis=-1)


@pytest.mark.parametrize("n,group,features", [(8, 4, 1), (8, 4, 2), (2, 4, 1), (12, 4, 3),
                                              (6, 3, 1), (8, 1, 1)])
def test_minibatch_stddev_matches_numpy(n, group, features):
    x = rng(n).normal(size=(n, 3, 2, 6)).astype("float32") * rng(1).uniform(0.5, 2, (n, 1, 1, 1))
    layer = kl.MinibatchStdDev(group_size=group, num_features=features)
    want = np_mbstd(x, group, features)
    y = np.asarray(layer(x))
    assert y.shape == (n, 3, 2, 6 + features)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-6)
    # In a tf.function with a static batch, and with a dynamic one.
    np.testing.assert_allclose(np.asarray(tf.function(layer)(x)), want, rtol=1e-5, atol=1e-6)
    dynamic = tf.function(layer, input_signature=[tf.TensorSpec([None, 3, 2, 6])])
    np.testing.assert_allclose(np.asarray(dynamic(x)), want, rtol=1e-5, atol=1e-6)


def test_minibatch_stddev_groups_are_strided():
    # Two groups of 4 in a batch of 8: {0,2,4,6} are all zeros, {1,3,5,7} are not.
    x = np.zeros((8, 2, 2, 1), "float32")
    x[1::2] = rng().normal(size=(4, 2, 2, 1))
    y = np.asarray(kl.MinibatchStdDev(4)(x))[..., -1]
    np.testing.assert_allclose(y[0::2], 1e-4, rtol=1e-3)  # sqrt(0 + 1e-8)
    assert np.all(y[1::2] > 0.1)


def test_minibatch_stddev_rejects_a_batch_not_divisible_by_the_group():
    layer = kl.MinibatchStdDev(group_size=4)
    x = np.ones((6, 2, 2, 3), "float32")
    with pytest.raises(ValueError, match=r"batch size 6 .*group size 4.*e.g. group_size=3"):
        layer(x)
    with pytest.raises(ValueError, match=r"batch size 6 .*group size 4"):
        tf.function(layer)(x)  # static batch: raised while tracing
    dynamic = tf.function(layer, input_signature=[tf.TensorSpec([None, 2, 2, 3])])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"batch size\] \[6\] \[is not a multiple of the group size\] \[4\]"):
        dynamic(x)
    with pytest.raises(ValueError, match="num_features=2 must divide"):
        kl.MinibatchStdDev(num_features=2)(x)


REPLICA_SCRIPT = """
import json
import numpy as np
import tensorflow as tf
from tests import replicas  # two logical CPUs, set before TensorFlow starts
from keras_gans.layers import MinibatchStdDev

strategy = replicas.strategies()[1]
x = np.random.default_rng(0).normal(size=(8, 3, 3, 4)).astype("float32")
x[4:] *= 3.0
with strategy.scope():
    layer = MinibatchStdDev(group_size=2)
shards = strategy.experimental_distribute_values_from_function(
    lambda ctx: tf.constant(np.split(x, 2)[ctx.replica_id_in_sync_group]))
step = tf.function(lambda d: strategy.run(layer, args=(d,)))
per_replica = [np.asarray(v) for v in strategy.experimental_local_results(step(shards))]
halves = [np.asarray(layer(x[:4])), np.asarray(layer(x[4:]))]
whole = np.asarray(layer(x))
print(json.dumps({
    "replicas": strategy.num_replicas_in_sync,
    "shapes": [list(p.shape) for p in per_replica],
    "diff": max(float(np.abs(p - h).max()) for p, h in zip(per_replica, halves)),
    "whole_diff": float(np.abs(np.concatenate(per_replica) - whole).max()),
}))
"""


def test_minibatch_stddev_groups_within_each_replica():
    import json

    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    r = subprocess.run([sys.executable, "-c", REPLICA_SCRIPT], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads([line for line in r.stdout.splitlines() if line.startswith("{")][-1])
    assert out["replicas"] == 2
    assert out["shapes"] == [[4, 3, 3, 5], [4, 3, 3, 5]]
    assert out["diff"] < 1e-6  # each replica = the layer on its half
    assert out["whole_diff"] > 1e-2  # groups over the global batch would differ


# ----------------------------------------------------------------- noise


def test_noise_injection_starts_as_the_identity_and_draws_per_pixel_noise():
    x = rng().normal(size=(2, 4, 4, 3)).astype("float32")
    layer = kl.NoiseInjection(seed=3)
    np.testing.assert_array_equal(np.asarray(layer(x)), x)  # strength 0
    layer.strength.assign([1.0, 2.0, -1.0])
    noise = (np.asarray(layer(x)) - x) / np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(noise[..., 1], noise[..., 0], atol=1e-5)  # one value per pixel
    np.testing.assert_allclose(noise[..., 2], noise[..., 0], atol=1e-5)
    assert 0.5 < noise[..., 0].std() < 1.5
    again = (np.asarray(layer(x)) - x)[..., 0]
    assert not np.allclose(again, noise[..., 0])  # a new draw each call
    other = kl.NoiseInjection(seed=3)
    other(x)
    other.strength.assign([1.0, 1.0, 1.0])
    np.testing.assert_allclose((np.asarray(other(x)) - x)[..., 0], noise[..., 0], atol=1e-5)


def test_noise_injection_uses_explicit_noise_exactly():
    r = rng(5)
    x = r.normal(size=(2, 4, 4, 3)).astype("float32")
    noise = r.normal(size=(2, 4, 4, 1)).astype("float32")
    layer = kl.NoiseInjection()
    np.testing.assert_array_equal(np.asarray(layer([x, noise])), x)
    strength = np.array([0.5, -2.0, 3.0], "float32")
    layer.strength.assign(strength)
    np.testing.assert_allclose(np.asarray(layer([x, noise])), x + noise * strength, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(layer([x, noise])), np.asarray(layer([x, noise])))


# ----------------------------------------------------------------- AdaIN


def np_instance_norm(x):
    x = x.astype("float64")
    mean = x.mean(axis=(1, 2), keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=(1, 2), keepdims=True) + 1e-8)


def test_adain_matches_numpy():
    r = rng(6)
    x = r.normal(1.0, 2.0, size=(3, 4, 5, 6)).astype("float32")
    w = r.normal(size=(3, 8)).astype("float32")
    layer = kl.AdaIN()
    # At initialisation with w = 0: ys = 1, yb = 0, so AdaIN is instance norm.
    np.testing.assert_allclose(np.asarray(layer([x, np.zeros_like(w)])), np_instance_norm(x),
                               rtol=1e-4, atol=1e-5)
    set_weights(layer, seed=7)
    ks, bs = np.asarray(layer.style_scale.kernel), np.asarray(layer.style_scale.bias)
    kb, bb = np.asarray(layer.style_bias.kernel), np.asarray(layer.style_bias.bias)
    ys = w @ ks / math.sqrt(8) + bs  # gain 1, lr multiplier 1
    yb = w @ kb / math.sqrt(8) + bb
    want = np_instance_norm(x) * ys[:, None, None, :] + yb[:, None, None, :]
    np.testing.assert_allclose(np.asarray(layer([x, w])), want, rtol=1e-4, atol=1e-4)


# ----------------------------------------------------------------- modulated conv


def np_modulated_conv(x, style, affine_k, affine_b, kernel, bias, demodulate, up):
    """The fused form: each sample convolved with its own modulated kernel."""
    s = style @ affine_k / math.sqrt(style.shape[1]) + affine_b  # [N, C_in]
    kh, kw, cin, _ = kernel.shape
    w = kernel / math.sqrt(kh * kw * cin)  # gain 1
    if up:
        x = np.repeat(np.repeat(x, 2, axis=1), 2, axis=2)
    out = []
    for n in range(x.shape[0]):
        wn = w * s[n][None, None, :, None]
        if demodulate:
            wn = wn / np.sqrt(np.sum(wn ** 2, axis=(0, 1, 2), keepdims=True) + 1e-8)
        out.append(np_conv(x[n:n + 1], wn)[0])
    return np.stack(out) + bias


@pytest.mark.parametrize("demodulate", [True, False])
@pytest.mark.parametrize("up,kernel_size", [(False, 3), (True, 3), (False, 1)])
def test_modulated_conv_equals_the_fused_per_sample_computation(demodulate, up, kernel_size):
    r = rng(8)
    x = r.normal(size=(3, 5, 5, 4)).astype("float32")
    style = r.normal(size=(3, 6)).astype("float32")
    layer = kl.ModulatedConv2D(7, kernel_size, demodulate=demodulate, up=up)
    layer([x, style])
    set_weights(layer, seed=9)
    want = np_modulated_conv(x.astype("float64"), style, np.asarray(layer.affine.kernel),
                             np.asarray(layer.affine.bias), np.asarray(layer.kernel),
                             np.asarray(layer.bias), demodulate, up)
    y = np.asarray(layer([x, style]))
    assert y.shape == want.shape == (3, 10 if up else 5, 10 if up else 5, 7)
    np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-4)


def test_modulated_conv_starts_with_unit_scales():
    layer = kl.ModulatedConv2D(2, 3)
    layer.build([(None, 4, 4, 3), (None, 5)])
    np.testing.assert_array_equal(np.asarray(layer.affine.effective_bias()), 1.0)
    assert layer.affine.weight_scale == pytest.approx(1 / math.sqrt(5))  # gain 1


# ----------------------------------------------------------------- resampling


def np_upfirdn_1d(x, axis, up, down, pad):
    """StyleGAN2's upfirdn along one axis with the [1, 3, 3, 1] filter, zero padding."""
    k = np.array([1.0, 3.0, 3.0, 1.0]) / 8.0 * up
    x = np.moveaxis(x, axis, -1)
    z = np.zeros(x.shape[:-1] + (x.shape[-1] * up,))
    z[..., ::up] = x
    z = np.pad(z, [(0, 0)] * (z.ndim - 1) + [pad])
    out = sum(k[t] * z[..., t:z.shape[-1] - 3 + t] for t in range(4))
    return np.moveaxis(out[..., ::down], -1, axis)


def test_resample_shapes():
    x = np.zeros((2, 6, 9, 3), "float32")
    assert kl.Upsample2D(2)(x).shape == (2, 12, 18, 3)
    assert kl.Upsample2D(3, blur=True)(x).shape == (2, 18, 27, 3)
    assert kl.Downsample2D(3)(x).shape == (2, 2, 3, 3)
    assert kl.Downsample2D(3, blur=True)(x).shape == (2, 2, 3, 3)
    assert kl.Upsample2D(2).compute_output_shape((None, 6, 9, 3)) == (None, 12, 18, 3)
    with pytest.raises(ValueError, match="multiples of 2"):
        kl.Downsample2D(2)(x)


def test_resample_nearest_and_average_pool():
    x = rng().normal(size=(2, 3, 4, 2)).astype("float32")
    up = np.asarray(kl.Upsample2D(2)(x))
    np.testing.assert_array_equal(up[:, ::2, ::2], x)
    np.testing.assert_array_equal(up[:, 1::2, 1::2], x)
    np.testing.assert_allclose(np.asarray(kl.Downsample2D(2)(up)), x, rtol=1e-6)
    y = rng(1).normal(size=(1, 4, 6, 2)).astype("float32")
    want = y.reshape(1, 2, 2, 3, 2, 2).mean(axis=(2, 4))
    np.testing.assert_allclose(np.asarray(kl.Downsample2D(2)(y)), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("factor", [2, 3])
def test_blur_keeps_a_constant_image_constant(factor):
    x = np.full((2, 6, 6, 3), 0.7, "float32")
    up = np.asarray(kl.Upsample2D(factor, blur=True)(x))
    np.testing.assert_allclose(up, 0.7, rtol=1e-6)
    down = np.asarray(kl.Downsample2D(factor, blur=True)(x))
    np.testing.assert_allclose(down, 0.7, rtol=1e-6)
    for blur in (False, True):
        back = kl.Downsample2D(factor, blur=blur)(kl.Upsample2D(factor, blur=blur)(x))
        np.testing.assert_allclose(np.asarray(back), x, rtol=1e-6)


def test_blur_is_stylegan2_filtering_away_from_the_borders():
    x = rng(2).normal(size=(1, 8, 8, 2))
    up = np.asarray(kl.Upsample2D(2, blur=True)(x.astype("float32")))
    want = np_upfirdn_1d(np_upfirdn_1d(x, 1, 2, 1, (2, 1)), 2, 2, 1, (2, 1))
    assert up.shape == want.shape == (1, 16, 16, 2)
    np.testing.assert_allclose(up[:, 2:-2, 2:-2], want[:, 2:-2, 2:-2], rtol=1e-5, atol=1e-5)
    down = np.asarray(kl.Downsample2D(2, blur=True)(x.astype("float32")))
    want = np_upfirdn_1d(np_upfirdn_1d(x, 1, 1, 2, (1, 1)), 2, 1, 2, (1, 1))
    assert down.shape == want.shape == (1, 4, 4, 2)
    np.testing.assert_allclose(down[:, 1:-1, 1:-1], want[:, 1:-1, 1:-1], rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------- serialization, dtypes


def _cases():
    img = (4, 4, 4)
    return {
        "equalized_dense": (lambda: kl.EqualizedDense(3, lr_multiplier=0.1, bias_init=0.2,
                                                      activation="leaky_relu"), [(6,)]),
        "equalized_conv": (lambda: kl.EqualizedConv2D(3, 3, strides=2, gain=1.0), [img]),
        "pixel_norm": (lambda: kl.PixelNorm(), [img]),
        "minibatch_stddev": (lambda: kl.MinibatchStdDev(group_size=2, num_features=2), [img]),
        "noise": (lambda: kl.NoiseInjection(seed=4), [img, (4, 4, 1)]),
        "adain": (lambda: kl.AdaIN(lr_multiplier=0.5), [img, (6,)]),
        "modulated": (lambda: kl.ModulatedConv2D(3, 3, up=True, activation="leaky_relu"),
                      [img, (6,)]),
        "modulated_rgb": (lambda: kl.ModulatedConv2D(3, 1, demodulate=False), [img, (6,)]),
        "upsample": (lambda: kl.Upsample2D(2, blur=True), [img]),
        "downsample": (lambda: kl.Downsample2D(2, blur=True), [img]),
    }


def _model(make, shapes):
    inputs = [keras.Input(s) for s in shapes]
    layer = make()
    out = layer(inputs if len(inputs) > 1 else inputs[0])
    return keras.Model(inputs, out), layer


def _data(shapes, seed=0):
    r = rng(seed)
    return [r.normal(size=(4, *s)).astype("float32") for s in shapes]


@pytest.mark.parametrize("case", list(_cases()))
def test_saved_and_reloaded_layer_gives_the_same_output(case, tmp_path):
    make, shapes = _cases()[case]
    model, layer = _model(make, shapes)
    r = rng(11)
    model.set_weights([r.normal(0.5, 0.5, w.shape).astype("float32") for w in model.get_weights()])
    data = _data(shapes)
    y = np.asarray(model(data))
    path = str(tmp_path / f"{case}.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    reloaded = loaded.layers[-1]
    assert type(reloaded) is type(layer)
    assert reloaded.get_config() == layer.get_config()
    np.testing.assert_allclose(np.asarray(loaded(data)), y, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", list(_cases()))
def test_mixed_bfloat16_keeps_float32_weights_and_matches_float32(case, bf16):
    make, shapes = _cases()[case]
    model16, layer16 = _model(make, shapes)
    keras.mixed_precision.set_global_policy("float32")
    model32, _ = _model(make, shapes)
    r = rng(12)
    weights = [r.normal(0.5, 0.5, w.shape).astype("float32") for w in model32.get_weights()]
    model32.set_weights(weights)
    model16.set_weights(weights)
    assert all(w.dtype == "float32" for w in layer16.weights)
    data = _data(shapes, seed=1)
    y16, y32 = model16(data), np.asarray(model32(data))
    assert y16.dtype == "bfloat16"
    y16 = np.asarray(tf.cast(y16, "float32"))
    scale = np.abs(y32).max()
    np.testing.assert_allclose(y16, y32, atol=0.03 * scale)


def test_dcgan_discriminator_minibatch_std_makes_d_read_the_batch():
    """`dcgan_discriminator(minibatch_std=4)` (ConvGAN's `d_minibatch_std`): an example's logit
    depends on the examples of its group, which it does not without the option."""
    import keras_gans

    x = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    other = x.copy()
    other[4] = -x[4]  # example 4 shares a group with example 0 (n mod 2 with 8 / 4 groups)
    for std, changes in ((0, False), (4, True)):
        keras.utils.set_random_seed(0)
        d = keras_gans.networks.dcgan_discriminator((16, 16, 1), width=4, normalization="none",
                                                    minibatch_std=std)
        a, b = np.asarray(d(x)), np.asarray(d(other))
        assert (abs(a[0, 0] - b[0, 0]) > 1e-6) == changes
        assert abs(a[1, 0] - b[1, 0]) < 1e-6  # example 1 is in the other group
    with pytest.raises(ValueError, match="multiple of the group size"):
        d(x[:6])
    m = keras_gans.get("rgan", d_minibatch_std=4, image_shape=(16, 16, 1), latent_dim=4, g_width=4,
                       d_width=4)
    assert "minibatch_std" in [layer.name for layer in m.discriminator.layers]
    assert type(m).from_config(m.get_config()).get_config()["d_minibatch_std"] == 4
