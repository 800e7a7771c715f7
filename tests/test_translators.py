"""The image-to-image base and its two anchors, pix2pix and CycleGAN."""

import os

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras_gans import data, export
from keras_gans.inference import load_sampler
from keras_gans.losses import l1

from tests.helpers import tiny_model, tiny_pair_dataset


def _np(x):
    return keras.ops.convert_to_numpy(x)


@pytest.fixture(scope="module")
def cyclegan():
    model = tiny_model("cyclegan", identity_weight=5.0)
    model.fit(tiny_pair_dataset(model.image_shape), epochs=1, verbose=0)
    return model


def test_cyclegan_generator_loss_is_adv_plus_weighted_cycle_and_identity(cyclegan):
    m = cyclegan
    a, b = next(iter(tiny_pair_dataset(m.image_shape)))
    # With instance norm and no dropout, training=True nets are deterministic.
    loss, logs = m.generator_loss((a, b), (a, b))
    g, f = m.generator, m.generator_ba
    fake_b, fake_a = g(a, training=True), f(b, training=True)
    adv = (0.5 * np.mean((_np(m.discriminator(fake_b, training=True)) - 1) ** 2)
           + 0.5 * np.mean((_np(m.discriminator_a(fake_a, training=True)) - 1) ** 2))
    cycle = (np.mean(np.abs(_np(f(fake_b, training=True)) - a.numpy()))
             + np.mean(np.abs(_np(g(fake_a, training=True)) - b.numpy())))
    identity = (np.mean(np.abs(_np(g(b, training=True)) - b.numpy()))
                + np.mean(np.abs(_np(f(a, training=True)) - a.numpy())))
    np.testing.assert_allclose(float(logs["adv_loss"]), adv, rtol=1e-5)
    np.testing.assert_allclose(float(logs["cycle_loss"]), cycle, rtol=1e-5)
    np.testing.assert_allclose(float(logs["identity_loss"]), identity, rtol=1e-5)
    np.testing.assert_allclose(float(loss), adv + 10 * cycle + 5 * identity, rtol=1e-5)


def test_cyclegan_identity_weight_defaults_to_half_lambda_and_can_be_off():
    assert keras_gans.get("cyclegan", **{**_tiny("cyclegan"), "cycle_weight": 8}).identity_weight == 4
    model = tiny_model("cyclegan", identity_weight=0.0)
    h = model.fit(tiny_pair_dataset(model.image_shape), epochs=1, verbose=0)
    assert h.history["identity_loss"] == [0.0]
    assert h.history["cycle_loss"][0] > 0


def _tiny(name):
    from keras_gans import registry

    return registry.tiny_config(name)


def test_cyclegan_history_has_cycle_and_identity_terms(cyclegan):
    h = cyclegan.history.history
    for key in ("d_loss", "g_loss", "adv_loss", "cycle_loss", "identity_loss"):
        assert key in h and np.isfinite(h[key][0]) and h[key][0] > 0, key


def test_cyclegan_pools_are_saved_state(cyclegan, tmp_path):
    pool = cyclegan.pool_b
    stored = _np(pool.count)
    assert int(stored) > 0  # the two fit steps put fakes in
    path = os.path.join(tmp_path, "c.keras")
    cyclegan.save(path)
    reloaded = keras.saving.load_model(path)
    for name in ("pool_a", "pool_b"):
        for w0, w1 in zip(getattr(cyclegan, name).weights, getattr(reloaded, name).weights):
            np.testing.assert_array_equal(_np(w0), _np(w1))


def test_pools_feed_discriminators_and_generators_are_both_ways(cyclegan):
    assert cyclegan.discriminator_step_networks() == [cyclegan.discriminator_a, cyclegan.discriminator]
    assert cyclegan.generator_step_networks() == [cyclegan.generator, cyclegan.generator_ba]
    x = np.random.default_rng(0).uniform(-1, 1, (3, *cyclegan.image_shape)).astype("float32")
    np.testing.assert_allclose(cyclegan.sample(images=x), _np(cyclegan.generator(x)), atol=1e-6)
    np.testing.assert_allclose(cyclegan.sample(images=x, direction="b_to_a"),
                               _np(cyclegan.generator_ba(x)), atol=1e-6)
    grid, ncols = cyclegan.translation_grid(x)
    assert grid.shape == (9, *cyclegan.image_shape) and ncols % 3 == 0
    np.testing.assert_allclose(grid[0], x[0])
    np.testing.assert_allclose(grid[2], cyclegan.sample(images=grid[1:2], direction="b_to_a")[0],
                               atol=1e-6)


def test_pix2pix_loss_is_cgan_plus_100_l1_and_d_sees_the_pair():
    model = tiny_model("pix2pix", dropout=0.0)
    a, b = next(iter(tiny_pair_dataset(model.image_shape)))
    assert [tuple(i.shape[1:]) for i in model.discriminator.inputs] == [model.image_shape] * 2
    loss, logs = model.generator_loss((a, b), a)
    fake = model.generator(a, training=True)
    logits = _np(model.discriminator([a, fake], training=True))
    adv = np.mean(np.log1p(np.exp(-logits)))  # -log sigmoid
    np.testing.assert_allclose(float(logs["adv_loss"]), adv, rtol=1e-4)
    np.testing.assert_allclose(float(logs["l1_loss"]), float(l1(fake, b)), rtol=1e-5)
    np.testing.assert_allclose(float(loss), adv + 100 * float(l1(fake, b)), rtol=1e-4)


def test_pix2pix_dropout_is_training_only():
    model = tiny_model("pix2pix")
    x = np.random.default_rng(0).uniform(-1, 1, (2, *model.image_shape)).astype("float32")
    np.testing.assert_array_equal(model.sample(images=x), model.sample(images=x))
    assert not np.allclose(_np(model.generator(x, training=True)), _np(model.generator(x, training=True)))


def test_one_way_model_has_no_b_to_a():
    model = tiny_model("pix2pix")
    x = np.zeros((1, *model.image_shape), "float32")
    with pytest.raises(ValueError, match="one way"):
        model.translate(x, direction="b_to_a")
    assert set(model.serving_signatures()) == {"serving_default"}
    assert set(tiny_model("cyclegan").serving_signatures()) == {"serving_default", "translate_b_to_a"}


def test_clear_errors_for_wrong_data():
    model = tiny_model("cyclegan")
    single = tf.data.Dataset.from_tensor_slices(np.zeros((4, *model.image_shape), "float32")).batch(2)
    with pytest.raises(ValueError, match="load_unpaired"):
        model.fit(single, epochs=1, verbose=0)
    h, w, c = model.image_shape
    mismatched = tf.data.Dataset.from_tensor_slices(
        (np.zeros((4, h, w, c), "float32"), np.zeros((4, h, w, 1), "float32"))).batch(2)
    with pytest.raises(ValueError, match="different image shapes"):
        model.fit(mismatched, epochs=1, verbose=0)
    wrong_size = tiny_pair_dataset((h * 2, w * 2, c))
    with pytest.raises(ValueError, match="image_shape"):
        model.fit(wrong_size, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="load_pairs"):
        tiny_model("pix2pix").fit(single, epochs=1, verbose=0)


def test_cyclegan_trains_on_mocked_tfds_horse2zebra_of_random_sizes():
    import tensorflow_datasets as tfds

    model = tiny_model("cyclegan")
    with tfds.testing.mock_data(num_examples=8):
        ds = data.load_unpaired("tfds:cycle_gan/horse2zebra", image_size=model.image_shape[0],
                                batch_size=2, seed=0)
        history = model.fit(ds, epochs=1, steps_per_epoch=2, verbose=0)
    assert np.isfinite(history.history["cycle_loss"][0])


def test_sampler_translates_both_ways_from_every_saved_form(cyclegan, tmp_path):
    x = np.random.default_rng(1).uniform(-1, 1, (3, *cyclegan.image_shape)).astype("float32")
    want_ab, want_ba = cyclegan.sample(images=x), cyclegan.sample(images=x, direction="b_to_a")
    keras_path = os.path.join(tmp_path, "c.keras")
    cyclegan.save(keras_path)
    base = os.path.join(tmp_path, "sm")
    export.saved_model(cyclegan, base)
    tfl = export.tflite(cyclegan, os.path.join(tmp_path, "c.tflite"))
    for path, atol in ((keras_path, 1e-6), (base, 1e-5), (tfl, 1e-4)):
        sampler = load_sampler(path)
        assert sampler.task == "translation" and sampler.two_way
        assert sampler.image_shape == cyclegan.image_shape
        assert sampler.default_data == "digits-ink"
        np.testing.assert_allclose(sampler.translate(x), want_ab, atol=atol)
        np.testing.assert_allclose(sampler.translate(x, "b_to_a"), want_ba, atol=atol)
        with pytest.raises(ValueError, match="shape"):
            sampler.translate(np.zeros((1, 8, 8, 3), "float32"))
