"""ema=DECAY keeps an exponential moving average of G used for sampling and export."""

import os

import numpy as np
import pytest
import tensorflow as tf

import keras
from keras_gans import export

from tests.helpers import tiny_dataset, tiny_model, weights_of


def test_ema_follows_the_decay_and_sampling_uses_it(tmp_path):
    model = tiny_model("dcgan", ema=0.5)
    g0 = weights_of(model.generator)
    np.testing.assert_array_equal(weights_of(model.ema_generator)[0], g0[0])
    model.fit(tiny_dataset(model.image_shape, batches=1), epochs=1, verbose=0)  # one G step
    g1 = weights_of(model.generator)
    for e, a, b in zip(weights_of(model.ema_generator), g0, g1):
        np.testing.assert_allclose(e, 0.5 * a + 0.5 * b, rtol=1e-5, atol=1e-6)
    z = np.random.default_rng(0).standard_normal((3, model.latent_dim)).astype("float32")
    want = keras.ops.convert_to_numpy(model.ema_generator(z))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model.generate(z)), want, atol=1e-6)
    assert not np.allclose(keras.ops.convert_to_numpy(model.generator(z)), want)

    path = os.path.join(tmp_path, "m.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(reloaded.generate(z)), want, atol=1e-6)
    sm = tf.saved_model.load(export.saved_model(model, os.path.join(tmp_path, "sm")))
    np.testing.assert_allclose(sm.signatures["serving_default"](z=tf.constant(z))["images"].numpy(),
                               want, atol=1e-5)


def test_ema_one_keeps_the_initial_generator_and_conditional_models_use_it():
    model = tiny_model("cgan", ema=1.0)
    g0 = weights_of(model.ema_generator)
    from tests.helpers import tiny_labelled_dataset

    model.fit(tiny_labelled_dataset(model.image_shape, model.num_classes), epochs=1, verbose=0)
    for a, b in zip(weights_of(model.ema_generator), g0):
        np.testing.assert_array_equal(a, b)
    z = np.zeros((2, model.latent_dim), "float32")
    out = keras.ops.convert_to_numpy(model.generate(z, labels=[0, 1]))
    np.testing.assert_allclose(
        out, keras.ops.convert_to_numpy(model.ema_generator([z, np.array([0, 1])])), atol=1e-6)


def test_bad_ema_is_a_clear_error():
    with pytest.raises(ValueError, match="decay"):
        tiny_model("dcgan", ema=1.5)
    with pytest.raises(ValueError, match="ema"):
        tiny_model("cyclegan", ema=0.9)


def test_ema_rampup_shortens_the_half_life_early_in_training(tmp_path):
    # ema=0.999 has a half-life of ln(0.5)/ln(0.999) = 692.8 steps; with
    # ema_rampup=0.5 the half-life after t updates is min(692.8, 0.5 t), so the
    # first update uses 0.5 ** (1 / 0.5) = 0.25 and the second 0.5 ** 1 = 0.5.
    model = tiny_model("dcgan", ema=0.999, ema_rampup=0.5)
    data = tiny_dataset(model.image_shape, batches=1)
    for want_decay in (0.25, 0.5):
        e0 = weights_of(model.ema_generator)
        model.fit(data, epochs=1, verbose=0)  # one G step
        g1 = weights_of(model.generator)
        for e, a, b in zip(weights_of(model.ema_generator), e0, g1):
            np.testing.assert_allclose(e, want_decay * a + (1 - want_decay) * b,
                                       rtol=1e-5, atol=1e-6)
    # Late in training the ramp is over and the decay is ema's own.
    model.step_counter.assign(100_000)
    assert float(model.ema_decay_now()) == pytest.approx(0.999, abs=1e-6)
    model.step_counter.assign(99)  # 100th update: half-life 50 steps
    assert float(model.ema_decay_now()) == pytest.approx(0.5 ** (1 / 50), abs=1e-6)

    path = os.path.join(tmp_path, "m.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)
    assert reloaded.ema_rampup == 0.5 and reloaded.ema_decay == 0.999
    assert int(reloaded.step_counter.numpy()) == 99


def test_ema_rampup_without_ema_is_a_clear_error():
    with pytest.raises(ValueError, match="give ema as well"):
        tiny_model("dcgan", ema_rampup=0.05)
    with pytest.raises(ValueError, match="ema_rampup"):
        tiny_model("dcgan", ema=0.999, ema_rampup=-1.0)


@pytest.mark.parametrize("name", ["nsgan", "fgan", "rgan", "lsgan", "dragan"])
def test_convgan_presets_chosen_on_fashion_mnist_have_width_64_and_an_ema_with_ramp_up(name):
    # The defaults chosen by issue 16's rule (docs/PAPER_TABLE.md, "Defaults
    # tried"; fgan's and rgan's in docs/fashion_pack.jsonl): nsgan's width 64
    # in G and D with an EMA of G (0.999, ramp-up 0.05).
    import keras_gans

    defaults = keras_gans.registry.entry(name).defaults
    assert (defaults["g_width"], defaults["d_width"]) == (64, 64)
    model = keras_gans.get(name, image_shape=(16, 16, 1), latent_dim=8, g_width=4, d_width=4)
    assert model.ema_decay == 0.999 and model.ema_rampup == 0.05
    assert model.sampling_generator is model.ema_generator
