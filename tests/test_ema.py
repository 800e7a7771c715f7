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
