"""SNGAN: every D weight layer is spectrally normalized and stays so in training."""

import os

import numpy as np
import pytest

import keras
import keras_gans
from keras_gans import data
from helpers import tiny_model


def _sn_layers(discriminator):
    return [l for l in discriminator.layers if isinstance(l, keras.layers.SpectralNormalization)]


def _top_singular_value(kernel):
    kernel = np.asarray(kernel, dtype="float64")
    return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]


def test_every_weight_layer_of_d_is_wrapped():
    model = keras_gans.get("sngan")
    wrapped = _sn_layers(model.discriminator)
    assert len(wrapped) == 4  # 3 strided convs at 32px + the logit layer
    for layer in model.discriminator.layers:
        if isinstance(layer, keras.layers.SpectralNormalization):
            continue
        assert not layer.trainable_weights, f"{layer.name} has weights but no SN"
    assert {type(l.layer) for l in wrapped} == {keras.layers.Conv2D, keras.layers.Dense}
    assert not any(
        isinstance(l, keras.layers.BatchNormalization) for l in model.discriminator.layers
    )


def test_spectral_norm_of_every_d_kernel_stays_near_one_after_training():
    keras.utils.set_random_seed(0)
    model = keras_gans.get(
        "sngan", image_shape=(16, 16, 1), latent_dim=16, g_width=8, d_width=8
    )
    model.compile()
    layers = _sn_layers(model.discriminator)
    initial = [_top_singular_value(l.kernel) for l in layers]
    # Without SN the kernels are far from norm 1, so the check below means something.
    assert max(abs(s - 1.0) for s in initial) > 0.05, initial
    ds = data.load("digits", image_size=16, batch_size=32, seed=0).take(30)
    model.fit(ds, epochs=1, verbose=0)
    for layer in layers:
        # The kernel inference uses (as stored) and the W / sigma that the next
        # training forward pass computes and uses: both have spectral norm ~1.
        _, effective = layer.normalized_weights()
        for kernel in (layer.kernel, effective):
            s = _top_singular_value(keras.ops.convert_to_numpy(kernel))
            assert abs(s - 1.0) < 0.05, f"{layer.name}: sigma_max = {s}"


def test_ttur_sets_two_learning_rates():
    plain = tiny_model("sngan")
    for opt in (plain.d_optimizer, plain.g_optimizer):
        assert isinstance(opt, keras.optimizers.Adam)
        assert float(opt.learning_rate) == pytest.approx(2e-4)
        assert opt.beta_1 == pytest.approx(0.5) and opt.beta_2 == pytest.approx(0.999)
    ttur = tiny_model("sngan", ttur=True)
    assert float(ttur.d_optimizer.learning_rate) == pytest.approx(4e-4)
    assert float(ttur.g_optimizer.learning_rate) == pytest.approx(1e-4)
    assert ttur.loss_name == "hinge"


def test_spectral_state_survives_keras_save_and_load(tmp_path):
    model = tiny_model("sngan")
    x = np.random.default_rng(0).uniform(-1, 1, (8, *model.image_shape)).astype("float32")
    model.fit(x, batch_size=4, epochs=1, verbose=0)
    path = os.path.join(tmp_path, "sngan.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.ttur is False
    before = _sn_layers(model.discriminator)
    after = _sn_layers(loaded.discriminator)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(np.asarray(a.vector_u), np.asarray(b.vector_u))
        np.testing.assert_array_equal(np.asarray(a.kernel), np.asarray(b.kernel))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model.discriminator(x)),
        keras.ops.convert_to_numpy(loaded.discriminator(x)),
        atol=1e-6,
    )
    # Training mode (one more power step + renormalization) matches too.
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model.discriminator(x, training=True)),
        keras.ops.convert_to_numpy(loaded.discriminator(x, training=True)),
        atol=1e-5,
    )
