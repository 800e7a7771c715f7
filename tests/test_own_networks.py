"""Your own networks (issue 13): keras.io-style functional G and D, written here
and not by a keras_gans builder, train with several of our losses, save and
reload with no custom_objects, and export with the same outputs."""

import os

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras import layers
from keras_gans import export
from keras_gans.testing import changed, litert_run, weights_of

LATENT = 16


def keras_io_generator(latent_dim=LATENT):
    """The keras.io DCGAN-style generator, shrunk: z -> 28x28x1 in [-1, 1]."""
    z = keras.Input((latent_dim,))
    x = layers.Dense(7 * 7 * 16)(z)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Reshape((7, 7, 16))(x)
    x = layers.Conv2DTranspose(16, 4, strides=2, padding="same")(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2DTranspose(8, 4, strides=2, padding="same")(x)
    x = layers.LeakyReLU(0.2)(x)
    out = layers.Conv2D(1, 5, padding="same", activation="tanh")(x)
    return keras.Model(z, out, name="my_generator")


def keras_io_discriminator(shape=(28, 28, 1)):
    """The keras.io-style discriminator, shrunk: images -> one logit."""
    x_in = keras.Input(shape)
    x = layers.Conv2D(8, 3, strides=2, padding="same")(x_in)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(16, 3, strides=2, padding="same")(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.GlobalMaxPooling2D()(x)
    out = layers.Dense(1)(x)
    return keras.Model(x_in, out, name="my_discriminator")


def mnist_like(n=16, seed=0):
    x = np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(8, drop_remainder=True)


@pytest.mark.parametrize("name", ["dcgan", "lsgan", "wgan_gp", "sngan"])
def test_own_networks_train_save_reload_export(name, tmp_path):
    g, d = keras_io_generator(), keras_io_discriminator()
    model = keras_gans.get(name, generator=g, discriminator=d, n_critic=1)
    assert model.generator is g and model.discriminator is d  # used as given
    assert model.image_shape == (28, 28, 1) and model.latent_dim == LATENT  # taken from G
    model.compile()
    g0, d0 = weights_of(g), weights_of(d)
    history = model.fit(mnist_like(), epochs=1, verbose=0)
    assert np.all(np.isfinite(history.history["g_loss"]))
    assert changed(g0, weights_of(g)) and changed(d0, weights_of(d))

    z = np.random.default_rng(1).standard_normal((3, LATENT)).astype("float32")
    expected = keras.ops.convert_to_numpy(model.generate(z))
    path = os.path.join(tmp_path, f"{name}.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)  # no custom_objects
    assert reloaded.generator.name == "my_generator"  # the user's G, not the preset's
    assert [w.shape for w in reloaded.discriminator.weights] == [w.shape for w in d.weights]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(reloaded.generate(z)), expected,
                               atol=1e-6)

    version_dir = export.saved_model(model, os.path.join(tmp_path, "sm"))
    served = tf.saved_model.load(version_dir).signatures["serving_default"](z=tf.constant(z))
    np.testing.assert_allclose(served["images"].numpy(), expected, atol=1e-5)
    tfl = export.tflite(model, os.path.join(tmp_path, f"{name}.tflite"))
    np.testing.assert_allclose(litert_run(tfl, "serving_default", z=z)["images"], expected,
                               atol=1e-4)


def test_class_constructor_takes_networks():
    g, d = keras_io_generator(), keras_io_discriminator()
    model = keras_gans.models.WGANGP(generator=g, discriminator=d)
    assert model.players == {"generator": g, "discriminator": d}


def test_generator_that_does_not_fit_the_discriminator_is_one_clear_error():
    g = keras_io_generator()  # 28x28x1
    d = keras_io_discriminator((32, 32, 1))
    with pytest.raises(ValueError, match=r"output shape \(28, 28, 1\) does not match the "
                                         r"discriminator's input shape \(32, 32, 1\)"):
        keras_gans.get("dcgan", generator=g, discriminator=d)


def test_a_player_must_be_a_keras_model():
    with pytest.raises(ValueError, match="generator must be a keras.Model"):
        keras_gans.get("dcgan", generator=lambda z: z)


def test_own_discriminator_with_the_preset_generator():
    """Only D given: G comes from the model's builder at the model's shape."""
    model = keras_gans.get("dcgan", image_shape=(16, 16, 1), latent_dim=8, g_width=4,
                           discriminator=keras_io_discriminator((16, 16, 1)))
    assert model.discriminator.name == "my_discriminator"
    assert tuple(model.generator.output.shape[1:]) == (16, 16, 1)
