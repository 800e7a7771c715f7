"""LAPGAN (issue 17): the pyramid against numpy, the chain against the level
generators composed by hand, each level's D given its conditioning image,
training, reload, the exports and the user's own level networks."""

import os

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras import layers
from keras_gans import export, registry
from keras_gans.models.lapgan import pyramid_sizes
from keras_gans.networks.lapgan import lapgan_discriminator
from keras_gans.testing import changed, litert_run, weights_of


def tiny(**overrides):
    config = registry.tiny_config("lapgan")
    config.update(overrides)
    return keras_gans.get("lapgan", **config)


def np_down(x):
    """2x2 means."""
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def _np_up_axis(x, axis):
    # Bilinear x2 with half-pixel centres: 3/4 of the nearest pixel and 1/4
    # of the next one on that side, the edge pixel repeated past the border.
    n = x.shape[axis]
    before = np.take(x, np.clip(np.arange(n) - 1, 0, n - 1), axis=axis)
    after = np.take(x, np.clip(np.arange(n) + 1, 0, n - 1), axis=axis)
    out = np.stack([0.75 * x + 0.25 * before, 0.75 * x + 0.25 * after], axis=axis + 1)
    shape = list(x.shape)
    shape[axis] *= 2
    return out.reshape(shape)


def np_up(x):
    return _np_up_axis(_np_up_axis(x, 1), 2)


def images(n=4, shape=(32, 32, 3), seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


def test_pyramid_sizes():
    assert pyramid_sizes(32) == [8, 16, 32]
    assert pyramid_sizes(16, 8) == [8, 16]
    assert pyramid_sizes(28, 8) == [14, 28]  # halved while the half is >= base_size
    assert pyramid_sizes(8) == [8]
    assert pyramid_sizes(64, 16) == [16, 32, 64]
    with pytest.raises(ValueError, match="base_size 32 is larger than the image side 16"):
        pyramid_sizes(16, 32)


def test_pyramid_conditioning_and_residuals_against_numpy():
    model = tiny(image_shape=(32, 32, 3))
    x = images()
    pyramid = [np.asarray(p) for p in model.real_pyramid(tf.constant(x))]
    cond = model.conditioning([tf.constant(p) for p in pyramid])
    expected = [np_down(np_down(x)), np_down(x), x]
    for got, want in zip(pyramid, expected):
        np.testing.assert_allclose(got, want, atol=1e-6)
    assert cond[0] is None
    for k in (1, 2):
        l_k = np_up(expected[k - 1])
        np.testing.assert_allclose(np.asarray(cond[k]), l_k, atol=1e-6)
        # the real residual h_k = x_k - l_k, and l_k + h_k rebuilds x_k
        np.testing.assert_allclose(pyramid[k] - np.asarray(cond[k]), expected[k] - l_k,
                                   atol=1e-6)
    # the Laplacian pyramid is invertible: coarsest image + residuals -> x
    rebuilt = expected[0]
    for k in (1, 2):
        rebuilt = np_up(rebuilt) + (expected[k] - np_up(expected[k - 1]))
    np.testing.assert_allclose(rebuilt, x, atol=1e-5)


def test_chain_is_the_level_generators_composed_by_hand():
    model = tiny(image_shape=(32, 32, 1))
    assert model.sizes == (8, 16, 32)
    assert model.latent_dim == model.code_dim + 16 * 16 + 32 * 32
    z = np.random.default_rng(1).standard_normal((3, model.latent_dim)).astype("float32")
    x = model.generator_0(z[:, : model.code_dim]).numpy()
    start = model.code_dim
    for k, s in ((1, 16), (2, 32)):
        l_k = np_up(x)
        noise = z[:, start: start + s * s].reshape(-1, s, s, 1)
        start += s * s
        h = getattr(model, f"generator_{k}")([l_k, noise]).numpy()
        x = np.clip(l_k + h, -1.0, 1.0)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model.generate(z)), x, atol=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(z)), x, atol=1e-5)
    # sample() draws z ~ N(0, I) of latent_dim from its seed and runs the chain
    zs = np.random.default_rng(7).standard_normal((2, model.latent_dim)).astype("float32")
    np.testing.assert_allclose(model.sample(2, seed=7),
                               keras.ops.convert_to_numpy(model.generate(zs)), atol=1e-6)


class Recorder(keras.Model):
    """A level D that keeps (eagerly) the inputs it is called with."""

    def __init__(self, inner, log, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner
        vars(self)["log"] = log  # untracked: Keras would track a copy of a list

    def call(self, inputs, training=False):
        self.log.append([keras.ops.convert_to_numpy(t) for t in inputs])
        return self.inner(inputs, training=training)


def test_each_level_discriminator_is_given_its_conditioning_image():
    logs = {1: [], 2: []}
    own = {f"discriminator_{k}": Recorder(lapgan_discriminator((s, s, 1), 4), logs[k])
           for k, s in ((1, 16), (2, 32))}
    model = tiny(image_shape=(32, 32, 1), **own)
    x = images(shape=(32, 32, 1))
    model.discriminator_step_loss(tf.constant(x))  # eager: real, then generated
    model.generator_step_loss(tf.constant(x))  # generated
    real = {1: np_down(x), 2: x}
    for k in (1, 2):
        l_k = np_up(np_down(real[k]))
        assert len(logs[k]) == 3
        for seen_image, seen_l in logs[k]:
            np.testing.assert_allclose(seen_l, l_k, atol=1e-6)  # the real coarse image, up
        np.testing.assert_allclose(logs[k][0][0], real[k], atol=1e-6)  # D's real input
        for fake, _ in logs[k][1:]:
            assert fake.shape == real[k].shape and not np.allclose(fake, real[k])
            assert fake.min() >= -1.0 and fake.max() <= 1.0


def test_training_is_finite_and_moves_every_player():
    model = tiny(image_shape=(32, 32, 1), seed=0)
    model.compile()
    before = {n: weights_of(net) for n, net in model.players.items()}
    assert sorted(before) == sorted(f"{r}_{k}" for k in range(3)
                                    for r in ("generator", "discriminator"))
    history = model.fit(model.example_data(batch_size=8, batches=3), epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss"} | {
        f"{p}_loss_{k}" for k in range(3) for p in "dg"}
    for key, values in history.history.items():
        assert np.all(np.isfinite(values)), key
    logs = {k: v[-1] for k, v in history.history.items()}
    assert logs["d_loss"] == pytest.approx(sum(logs[f"d_loss_{k}"] for k in range(3)), 1e-5)
    for name, net in model.players.items():
        assert changed(before[name], weights_of(net)), name


def test_save_reload_gives_the_same_samples_with_ema(tmp_path):
    model = tiny(ema=0.9, seed=0)
    model.compile()
    model.fit(model.example_data(), epochs=1, verbose=0)
    chain = model.sampling_network("generator")
    assert model.ema_generator_1 in chain.layers  # sampling runs the EMA generators
    z = np.random.default_rng(0).standard_normal((4, model.latent_dim)).astype("float32")
    assert not np.allclose(keras.ops.convert_to_numpy(model(z)),
                           keras.ops.convert_to_numpy(model.generate(z)))
    path = str(tmp_path / "lapgan.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    np.testing.assert_array_equal(again.sample(5, seed=3), model.sample(5, seed=3))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again(z)),
                               keras.ops.convert_to_numpy(model(z)), atol=1e-6)


def test_saved_model_and_litert_run_the_whole_chain_from_z(tmp_path):
    model = tiny(image_shape=(32, 32, 1))
    z = np.random.default_rng(2).standard_normal((3, model.latent_dim)).astype("float32")
    expected = keras.ops.convert_to_numpy(model.generate(z))
    served = tf.saved_model.load(export.saved_model(model, str(tmp_path / "sm")))
    fn = served.signatures["serving_default"]
    assert list(fn.structured_input_signature[1]) == ["z"]  # z only: a plain sampler
    saved = fn(z=tf.constant(z))["images"].numpy()
    np.testing.assert_allclose(saved, expected, atol=1e-5)
    lite = litert_run(export.tflite(model, str(tmp_path / "lapgan.tflite")),
                      "serving_default", z=z)["images"]
    np.testing.assert_allclose(lite, saved, atol=1e-4)


def my_residual_generator(size, name):
    l_in = keras.Input((size, size, 1))
    noise = keras.Input((size, size, 1))
    x = layers.Concatenate()([l_in, noise])
    x = layers.Conv2D(4, 3, padding="same", activation="relu")(x)
    return keras.Model([l_in, noise], layers.Conv2D(1, 3, padding="same")(x), name=name)


def test_own_level_networks_train_and_reload(tmp_path):
    g0 = keras_gans.networks.dcgan_generator((8, 8, 1), latent_dim=5, width=4, name="my_g0")
    g1 = my_residual_generator(16, "my_g1")
    model = tiny(generator_0=g0, generator_1=g1)
    assert model.generator_0 is g0 and model.generator_1 is g1
    assert model.code_dim == 5 and model.latent_dim == 5 + 16 * 16  # taken from G_0
    model.compile()
    before = weights_of(g1)
    model.fit(model.example_data(), epochs=1, verbose=0)
    assert changed(before, weights_of(g1))
    path = str(tmp_path / "own.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    assert again.generator_1.name == "my_g1" and again.generator_0.name == "my_g0"
    np.testing.assert_allclose(again.sample(3, seed=1), model.sample(3, seed=1), atol=1e-6)


def test_level_networks_that_do_not_fit_are_one_clear_error():
    with pytest.raises(ValueError, match=r"generator_1 maps .*\(32, 32, 1\).* level 1 of this "
                                         r"LAPGAN \(16 px\) needs"):
        tiny(generator_1=my_residual_generator(32, "g"))
    with pytest.raises(ValueError, match=r"\['generator_2'\] given, but 16 px with base_size 8 "
                                         r"has 2 pyramid levels \[8, 16\]"):
        tiny(generator_2=my_residual_generator(32, "g"))
    with pytest.raises(ValueError, match="LAPGAN does not take latent_dim: .*Set code_dim"):
        tiny(latent_dim=8)


def test_mixed_bfloat16_trains_reloads_and_exports(tmp_path):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = tiny(seed=0)
        model.compile()
        history = model.fit(model.example_data(), epochs=1, verbose=0)
        assert all(np.isfinite(v).all() for v in history.history.values())
        z = np.random.default_rng(0).standard_normal((3, model.latent_dim)).astype("float32")
        expected = keras.ops.convert_to_numpy(model.generate(z))
        assert expected.dtype == np.float32
        model.save(str(tmp_path / "m.keras"))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    again = keras.saving.load_model(str(tmp_path / "m.keras"))
    assert again.generator_1.layers[3].compute_dtype == "bfloat16"  # reloads mixed
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again.generate(z)), expected, atol=1e-6)
    lite = litert_run(export.tflite(again, str(tmp_path / "m.tflite")), "serving_default", z=z)
    np.testing.assert_allclose(lite["images"], expected, atol=0.05)  # float32 copy vs bf16
