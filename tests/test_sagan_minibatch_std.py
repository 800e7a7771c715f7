"""`sagan`/`ylg` with `d_minibatch_std`: ProGAN's minibatch standard deviation
before D's logit, with D called on the real and the generated batch apart."""

import numpy as np

import keras_gans
from helpers import assert_d_trains_and_reloads


def _tiny(name, **kw):
    return keras_gans.get(name, image_shape=(16, 16, 1), latent_dim=4, g_width=64 if name == "ylg" else 8,
                          d_width=64 if name == "ylg" else 8, d_minibatch_std=2, seed=0, **kw)


def test_the_std_layer_makes_d_read_its_group_and_real_never_meets_generated():
    m = _tiny("sagan")
    assert m.joins_real_and_generated() is False
    assert keras_gans.get("sagan").joins_real_and_generated() is True  # off: one joined call
    assert m.discriminator.get_layer("minibatch_std").group_size == 2
    x = np.random.default_rng(0).uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
    # Groups take every (N / 2)-th example: 0 with 2, 1 with 3.
    a = np.asarray(m.discriminator(x))
    other = x.copy()
    other[2] = -x[2]
    b = np.asarray(m.discriminator(other))
    assert abs(a[0, 0] - b[0, 0]) > 1e-6 and abs(a[1, 0] - b[1, 0]) < 1e-6
    # In training, real logits are D's on the real batch alone, whatever the generated one is
    # (spectral norm's power iteration moves its state at each training call: reset between).
    fake = np.random.default_rng(1).uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
    state = m.discriminator.get_weights()
    real_logits, _ = m.discriminator_real_fake(x, fake)
    m.discriminator.set_weights(state)
    real_again, _ = m.discriminator_real_fake(x, -fake)
    np.testing.assert_allclose(np.asarray(real_logits), np.asarray(real_again), atol=1e-6)


def test_ylg_with_minibatch_std_trains_saves_and_reloads(tmp_path):
    again = assert_d_trains_and_reloads(_tiny("ylg"), tmp_path, "d_minibatch_std", 2)
    assert again.joins_real_and_generated() is False


def test_an_own_d_with_a_batch_reading_layer_is_never_called_on_the_joined_batch():
    """The base class reads D's layers: a user's D with minibatch std or minibatch
    discrimination gets two calls under a model that joins real and generated."""
    import keras

    def own_d(layer):
        x_in = keras.Input((16, 16, 1))
        x = keras.layers.Conv2D(4, 4, strides=2, padding="same")(x_in)
        if isinstance(layer, keras_gans.layers.MinibatchDiscrimination):
            x = layer(keras.layers.Flatten()(x))
        else:
            x = keras.layers.Flatten()(layer(x))
        return keras.Model(x_in, keras.layers.Dense(1)(x))

    for layer in (keras_gans.layers.MinibatchStdDev(2), keras_gans.layers.MinibatchDiscrimination(3, 2)):
        m = keras_gans.get("sagan", image_shape=(16, 16, 1), latent_dim=4, g_width=8, seed=0,
                           discriminator=own_d(layer))
        assert m.joint_discriminator_call and m.joins_real_and_generated() is False
        x = np.random.default_rng(0).uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
        fake = np.random.default_rng(1).uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
        real_logits, _ = m.discriminator_real_fake(x, fake)
        real_again, _ = m.discriminator_real_fake(x, -fake)
        np.testing.assert_allclose(np.asarray(real_logits), np.asarray(real_again), atol=1e-6)
