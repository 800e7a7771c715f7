"""keras_gans.layers.spectral_norm: the one wrapper every network uses."""

import numpy as np
import keras

from keras_gans.layers import spectral_norm


def test_disabled_returns_the_layer_itself():
    conv = keras.layers.Conv2D(4, 3, name="c")
    assert spectral_norm(conv, enabled=False) is conv


def test_wrapped_kernel_has_unit_spectral_norm_after_training_calls():
    dense = keras.layers.Dense(6, name="d", kernel_initializer=keras.initializers.RandomNormal(0, 3.0, seed=1))
    wrapped = spectral_norm(dense, power_iterations=1)
    assert isinstance(wrapped, keras.layers.SpectralNormalization)
    assert wrapped.name == "sn_d"  # saved files key on this name
    x = np.random.default_rng(0).normal(size=(8, 5)).astype("float32")
    for _ in range(30):  # the power iteration's u keeps improving between calls
        wrapped(x, training=True)
    top = np.linalg.svd(keras.ops.convert_to_numpy(dense.kernel), compute_uv=False)[0]
    assert abs(top - 1.0) < 1e-3, top


def test_extra_arguments_reach_the_wrapper():
    wrapped = spectral_norm(keras.layers.Dense(2, name="d"), power_iterations=3, dtype="float32")
    assert wrapped.power_iterations == 3


# ThroughSigmaSpectralNorm, the paper's form (gradient through sigma).

from keras_gans.layers import ThroughSigmaSpectralNorm  # noqa: E402


def _converged(layer, x, calls=60):
    for _ in range(calls):  # training calls move u only; W stays as initialized
        layer(x, training=True)
    return layer


def test_through_sigma_keeps_raw_kernel_and_runs_with_unit_sigma():
    dense = keras.layers.Dense(6, name="d", kernel_initializer=keras.initializers.RandomNormal(0, 3.0, seed=1))
    wrapped = spectral_norm(dense, "through_sigma", power_iterations=1)
    assert isinstance(wrapped, ThroughSigmaSpectralNorm) and wrapped.name == "sn_d"
    x = np.random.default_rng(0).normal(size=(8, 5)).astype("float32")
    _converged(wrapped, x)
    raw = keras.ops.convert_to_numpy(dense.kernel)
    top = np.linalg.svd(raw, compute_uv=False)[0]
    assert top > 2.0  # the variable is not overwritten, unlike Keras' wrapper
    y = keras.ops.convert_to_numpy(wrapped(x))
    np.testing.assert_allclose(y, x @ (raw / top) + keras.ops.convert_to_numpy(dense.bias), rtol=1e-4, atol=1e-5)


def test_gradient_flows_through_sigma_as_the_paper_differentiates():
    import tensorflow as tf

    rng = np.random.default_rng(1)
    w0 = rng.normal(size=(5, 4))
    x = rng.normal(size=(7, 5)).astype("float32")
    c = rng.normal(size=(7, 4)).astype("float32")

    def loss_numpy(w):  # L(W) = sum(c * x W / sigma_max(W)), in float64
        return float(np.sum(c * (x @ (w / np.linalg.svd(w, compute_uv=False)[0]))))

    eps, numeric = 1e-6, np.zeros_like(w0)
    for i in np.ndindex(*w0.shape):
        d = np.zeros_like(w0)
        d[i] = eps
        numeric[i] = (loss_numpy(w0 + d) - loss_numpy(w0 - d)) / (2 * eps)

    def gradient(wrapper):
        dense = keras.layers.Dense(4, use_bias=False, name="d",
                                   kernel_initializer=keras.initializers.Constant(w0))
        layer = _converged(wrapper(dense, power_iterations=1), x)
        kernel = dense.kernel
        if wrapper is keras.layers.SpectralNormalization:
            kernel.assign(w0)  # Keras' wrapper normalized it in place
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(c * layer(x, training=True))
        return tape.gradient(loss, kernel.value if hasattr(kernel, "value") else kernel).numpy()

    ours = gradient(ThroughSigmaSpectralNorm)
    np.testing.assert_allclose(ours, numeric, rtol=2e-3, atol=2e-4)
    # Keras' form differentiates w.r.t. the normalized kernel: another gradient.
    keras_form = gradient(keras.layers.SpectralNormalization)
    assert np.abs(keras_form - numeric).max() > 10 * np.abs(ours - numeric).max()


def test_through_sigma_wraps_convolutions_and_reloads(tmp_path):
    x = np.random.default_rng(2).normal(size=(2, 8, 8, 3)).astype("float32")
    inputs = keras.Input((8, 8, 3))
    h = spectral_norm(keras.layers.Conv2D(4, 3, strides=2, padding="same", name="c"), "through_sigma")(inputs)
    out = spectral_norm(keras.layers.Conv2DTranspose(2, 4, strides=2, padding="same", name="t"),
                        "through_sigma", power_iterations=2)(h)
    model = keras.Model(inputs, out)
    for _ in range(5):
        model(x, training=True)
    assert model.output_shape == (None, 8, 8, 2)
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    assert isinstance(again.layers[-1], ThroughSigmaSpectralNorm) and again.layers[-1].power_iterations == 2
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again(x)), keras.ops.convert_to_numpy(model(x)),
                               rtol=1e-5, atol=1e-6)


def test_through_sigma_leaves_an_all_zero_kernel_at_zero():
    wrapped = spectral_norm(keras.layers.Dense(3, kernel_initializer="zeros", name="z"), "through_sigma")
    y = keras.ops.convert_to_numpy(wrapped(np.ones((2, 4), "float32"), training=True))
    assert np.all(np.isfinite(y)) and np.all(y == 0.0)


def test_spectral_norm_mode_refuses_other_values():
    import pytest

    with pytest.raises(ValueError, match="through_sigma"):
        spectral_norm(keras.layers.Dense(2), "paper")
    with pytest.raises(ValueError, match="has none"):
        ThroughSigmaSpectralNorm(keras.layers.ReLU())(np.ones((1, 2), "float32"))
