"""DiscoGAN and DualGAN: their losses against hand computations with the
model's own networks, DualGAN's clipping and critic schedule, the logged
reconstruction terms, and DiscoGAN's encoder-decoder generator."""

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from helpers import tiny_model, tiny_pair_dataset
from keras_gans.networks.encoder_decoder import encoder_decoder_generator


def _np(x):
    return keras.ops.convert_to_numpy(x).astype("float64")


def _softplus(x):
    return np.logaddexp(0.0, x)


def _batch(shape, seed=0, n=4):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (n, *shape)).astype("float32")
    b = rng.uniform(-1, 1, (n, *shape)).astype("float32")
    return tf.constant(a), tf.constant(b)


# ----------------------------------------------------------- encoder-decoder


def test_encoder_decoder_generator_shapes():
    g = encoder_decoder_generator((16, 16, 3), filters=4)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 3)).astype("float32")
    y = keras.ops.convert_to_numpy(g(x, training=False))
    assert y.shape == (2, 16, 16, 3) and y.dtype == np.float32
    assert np.all(np.abs(y) <= 1.0)
    # Default depth: down to a 4x4 bottleneck (2 stride-2 stages at 16 px), no skips.
    convs = [l for l in g.layers if isinstance(l, keras.layers.Conv2D)
             and not isinstance(l, keras.layers.Conv2DTranspose)]
    assert len(convs) == 2 and convs[-1].output.shape[1:3] == (4, 4)
    assert not any(isinstance(l, keras.layers.Concatenate) for l in g.layers)
    g2 = encoder_decoder_generator((32, 32, 1), out_channels=3, filters=4, depth=5,
                                   max_filters=16)
    assert tuple(g2.output.shape) == (None, 32, 32, 3)
    with pytest.raises(ValueError, match="divisible by 2 \\*\\* depth"):
        encoder_decoder_generator((16, 16, 3), depth=5)


# ------------------------------------------------------------------ DiscoGAN


def test_discogan_generator_loss_is_adversarial_plus_l2_reconstruction():
    model = tiny_model("discogan", reconstruction_weight=2.5)
    a, b = _batch(model.image_shape)
    loss, logs = model.generator_loss((a, b), (a, b))
    # By hand, with the model's networks (BatchNorm in training mode uses the
    # batch's statistics: deterministic; no dropout in DiscoGAN's nets).
    fake_b = model.generator(a, training=True)
    fake_a = model.generator_ba(b, training=True)
    adv = (np.mean(_softplus(-_np(model.discriminator(fake_b, training=True))))
           + np.mean(_softplus(-_np(model.discriminator_a(fake_a, training=True)))))
    rec_a = np.mean((_np(model.generator_ba(fake_b, training=True)) - _np(a)) ** 2)
    rec_b = np.mean((_np(model.generator(fake_a, training=True)) - _np(b)) ** 2)
    np.testing.assert_allclose(float(logs["adv_loss"]), adv, rtol=1e-5)
    np.testing.assert_allclose(float(logs["reconstruction_a"]), rec_a, rtol=1e-5)
    np.testing.assert_allclose(float(logs["reconstruction_b"]), rec_b, rtol=1e-5)
    np.testing.assert_allclose(float(loss), adv + 2.5 * (rec_a + rec_b), rtol=1e-5)
    assert float(logs["g_loss"]) == float(loss)


def test_discogan_discriminator_loss_is_standard_gan_loss_of_both_ds():
    model = tiny_model("discogan")
    a, b = _batch(model.image_shape, seed=1)
    fake_b, fake_a = model.generate_fakes((a, b))
    loss, _ = model.discriminator_loss((a, b), (fake_b, fake_a))

    def d_loss(d, real, fake):
        return (np.mean(_softplus(-_np(d(real, training=True))))
                + np.mean(_softplus(_np(d(fake, training=True)))))

    expected = d_loss(model.discriminator, b, fake_b) + d_loss(model.discriminator_a, a, fake_a)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-5)
    # One logit per image (the paper's D), not a patch grid.
    assert tuple(model.discriminator.output.shape) == (None, 1)


def test_discogan_paper_optimizers():
    model = tiny_model("discogan")
    for opt in (model.d_optimizer, model.g_optimizer):
        assert isinstance(opt, keras.optimizers.Adam)
        np.testing.assert_allclose(float(opt.learning_rate), 2e-4)
        assert (opt.beta_1, opt.beta_2) == (0.5, 0.999)


# ------------------------------------------------------------------- DualGAN


def test_dualgan_generator_loss_is_wasserstein_plus_weighted_l1():
    model = tiny_model("dualgan", dropout=0.0, lambda_a=3.0, lambda_b=7.0)
    a, b = _batch(model.image_shape, seed=2)
    loss, logs = model.generator_loss((a, b), (a, b))
    fake_b = model.generator(a, training=True)      # primal G_A: A -> B
    fake_a = model.generator_ba(b, training=True)   # dual G_B: B -> A
    adv = (-np.mean(_np(model.discriminator(fake_b, training=True)))
           - np.mean(_np(model.discriminator_a(fake_a, training=True))))
    rec_a = np.mean(np.abs(_np(model.generator_ba(fake_b, training=True)) - _np(a)))
    rec_b = np.mean(np.abs(_np(model.generator(fake_a, training=True)) - _np(b)))
    np.testing.assert_allclose(float(logs["adv_loss"]), adv, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(float(logs["reconstruction_a"]), rec_a, rtol=1e-5)
    np.testing.assert_allclose(float(logs["reconstruction_b"]), rec_b, rtol=1e-5)
    np.testing.assert_allclose(float(loss), adv + 3.0 * rec_a + 7.0 * rec_b, rtol=1e-5)


def test_dualgan_critic_loss_is_wasserstein():
    model = tiny_model("dualgan", dropout=0.0)
    a, b = _batch(model.image_shape, seed=3)
    fake_b, fake_a = model.generate_fakes((a, b))
    loss, logs = model.discriminator_loss((a, b), (fake_b, fake_a))
    d_b, d_a = model.discriminator, model.discriminator_a
    expected = (np.mean(_np(d_b(fake_b))) - np.mean(_np(d_b(b)))
                + np.mean(_np(d_a(fake_a))) - np.mean(_np(d_a(a))))
    np.testing.assert_allclose(float(loss), expected, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(float(logs["wasserstein"]), -expected, rtol=1e-4, atol=1e-7)


def _within(model, c):
    for critic in (model.discriminator, model.discriminator_a):
        for v in critic.trainable_variables:
            x = keras.ops.convert_to_numpy(v)
            assert np.all(np.abs(x) <= c + 1e-7), f"{v.path}: max |w| {np.abs(x).max()} > {c}"


def test_dualgan_clips_both_critics_and_runs_n_critic_updates():
    model = tiny_model("dualgan", clip_value=0.005)
    assert model.n_critic == 2 and model.loss_name == "wasserstein"
    _within(model, 0.005)  # clipped when built
    before = [keras.ops.convert_to_numpy(v).copy() for v in model.discriminator_a.trainable_variables]
    history = model.fit(tiny_pair_dataset(model.image_shape), epochs=1, verbose=0)
    _within(model, 0.005)
    assert any(not np.allclose(x, keras.ops.convert_to_numpy(v))
               for x, v in zip(before, model.discriminator_a.trainable_variables))
    # The generators are not clipped (their N(0, 0.02) weights exceed c).
    assert max(np.abs(keras.ops.convert_to_numpy(v)).max()
               for v in model.generator.trainable_variables) > 0.005
    # 2 steps: 2 critic updates per generator update.
    assert int(model.g_optimizer.iterations) == 2
    assert int(model.d_optimizer.iterations) == 4
    assert {"reconstruction_a", "reconstruction_b", "wasserstein"} <= set(history.history)


def test_dualgan_paper_optimizers_and_defaults():
    model = tiny_model("dualgan")
    for opt in (model.d_optimizer, model.g_optimizer):
        assert isinstance(opt, keras.optimizers.RMSprop)
        np.testing.assert_allclose(float(opt.learning_rate), 5e-5)
    config = model.get_config()
    assert config["clip_value"] == 0.01 and config["lambda_a"] == config["lambda_b"] == 500.0
    with pytest.raises(ValueError, match="clip_value"):
        keras_gans.get("dualgan", image_shape=(16, 16, 3), filters=4, d_filters=4, clip_value=0)


# ------------------------------------------------------------------ history


def test_discogan_logs_reconstruction_terms():
    model = tiny_model("discogan")
    history = model.fit(tiny_pair_dataset(model.image_shape), epochs=1, verbose=0)
    for key in ("reconstruction_a", "reconstruction_b", "adv_loss", "g_loss", "d_loss"):
        assert key in history.history and np.isfinite(history.history[key][0])
