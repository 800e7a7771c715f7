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
