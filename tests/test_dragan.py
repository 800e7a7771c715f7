"""DRAGAN: the perturbation and penalty against numbers by hand, the model's
settings, its penalty's effect on D's update, config and a digits run."""

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras_gans import data, losses, registry
from keras_gans.models.dragan import DRAGAN
from helpers import tiny_model


def _batch(shape=(6, 4, 4, 2), seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


def _linear_d(w):
    w = tf.constant(w, tf.float32)
    return lambda x, training=True: tf.reduce_sum(x * w, axis=[1, 2, 3])[:, None]


def _draws(x, seed=1):
    rng = np.random.default_rng(seed)
    noise = rng.uniform(0, 1, x.shape).astype("float32")
    alpha = rng.uniform(0, 1, (x.shape[0], 1, 1, 1)).astype("float32")
    return noise, alpha


# ------------------------------------------------------------- the pure terms


def test_perturbation_is_x_plus_c_times_the_batch_std_times_the_noise():
    x = _batch()
    noise, _ = _draws(x)
    got = np.asarray(losses.dragan_perturbation(x, scale=0.5, noise=noise), "float64")
    band = 0.5 * np.std(x.astype("float64"))  # one std for the whole batch
    np.testing.assert_allclose(got - x, band * noise, rtol=1e-4, atol=1e-6)


def test_perturbed_points_lie_in_the_band_above_x_and_spread_over_it():
    x = _batch((16, 4, 4, 1))
    x[0] = 0.25  # a flat image: its own std is 0, the batch's is not
    for scale in (0.5, 2.0):
        delta = np.asarray(losses.dragan_perturbation(x, scale=scale), "float64") - x
        band = scale * np.std(x.astype("float64"))
        assert delta.min() >= -1e-6 and delta.max() < band + 1e-6
        assert delta.min() < 0.1 * band and delta.max() > 0.9 * band  # U[0, 1), not a constant
        assert delta[0].max() > 0.5 * band  # the flat image moved: the std is per batch


@pytest.mark.parametrize("scale", [0, -0.5, float("nan"), float("inf"), True])
def test_perturbation_scale_must_be_positive(scale):
    with pytest.raises(ValueError, match="scale must be a positive number"):
        losses.dragan_perturbation(_batch(), scale=scale)
    with pytest.raises(ValueError, match="scale must be a positive number"):
        losses.dragan_penalty(_linear_d(np.ones((4, 4, 2))), _batch(), scale=scale)


def test_penalty_of_a_linear_d_is_its_gradient_norm_minus_one_squared():
    x = _batch()
    w = np.random.default_rng(2).normal(size=x.shape[1:])
    unit = w / np.linalg.norm(w)
    assert float(losses.dragan_penalty(_linear_d(unit), x)) == pytest.approx(0.0, abs=1e-6)
    assert float(losses.dragan_penalty(_linear_d(3 * unit), x)) == pytest.approx(4.0, rel=1e-5)
    # k: the target norm.
    gp = losses.dragan_penalty(_linear_d(3 * unit), x, target=3.0)
    assert float(gp) == pytest.approx(0.0, abs=1e-5)


def test_penalty_of_a_quadratic_d_by_hand_at_the_interpolates():
    # D(x) = sum(x^2): grad = 2 x_hat, with x_hat = x + alpha * (x_p - x).
    x = _batch()
    noise, alpha = _draws(x)
    alpha[0], alpha[1] = 0.0, 1.0  # at x itself, and at the perturbed point
    d = lambda v, training=True: tf.reduce_sum(tf.square(v), axis=[1, 2, 3])[:, None]  # noqa: E731
    x64 = x.astype("float64")
    x_p = x64 + 0.5 * np.std(x64) * noise
    x_hat = x64 + alpha * (x_p - x64)
    norms = np.linalg.norm(2 * x_hat.reshape(len(x), -1), axis=1)
    want = np.mean((norms - 1) ** 2)
    got = float(losses.dragan_penalty(d, x, noise=noise, alpha=alpha))
    assert got == pytest.approx(want, rel=1e-5)
    assert got > 0.1
    # The end points are where the docstring says: alpha 0 is x, alpha 1 is x_p.
    first = float(losses.dragan_penalty(d, x[:1], noise=noise[:1], alpha=alpha[:1]))
    assert first == pytest.approx((2 * np.linalg.norm(x64[0]) - 1) ** 2, rel=1e-5)


def test_penalty_trains_only_d_and_is_finite_for_a_flat_d():
    x = _batch()
    w = tf.Variable(np.zeros(x.shape[1:], "float32"))
    d = lambda v, training=True: tf.reduce_sum(v * w, axis=[1, 2, 3])[:, None]  # noqa: E731
    real = tf.Variable(x)
    with tf.GradientTape() as tape:
        gp = losses.dragan_penalty(d, real)
    g_w, g_real = tape.gradient(gp, [w, real])
    assert float(gp) == pytest.approx(1.0, rel=1e-5)  # ||0|| - 1, squared
    assert np.all(np.isfinite(g_w.numpy())) and g_real is None


# ------------------------------------------------------------------ the model


def test_paper_settings():
    model = tiny_model("dragan")
    for opt in (model.d_optimizer, model.g_optimizer):
        assert isinstance(opt, keras.optimizers.Adam)
        assert float(opt.learning_rate) == pytest.approx(1e-4)
        assert opt.beta_1 == pytest.approx(0.5) and opt.beta_2 == pytest.approx(0.9)
    full = keras_gans.get("dragan")
    assert (full.gp_weight, full.perturbation_scale, full.n_critic) == (10.0, 0.5, 1)
    assert full.loss_name == "non_saturating"
    assert full.image_shape == (32, 32, 1) and full.latent_dim == 64
    assert not any("normalization" in type(layer).__name__.lower()
                   for layer in full.discriminator.layers)
    assert set(DRAGAN.metric_names) >= {"d_loss", "g_loss", "gradient_penalty"}


@pytest.mark.parametrize("kwargs, message", [
    ({"gp_weight": -1.0}, "gp_weight must be a non-negative number; got -1.0"),
    ({"perturbation_scale": 0.0}, "perturbation_scale must be a positive number; got 0.0"),
    ({"perturbation_scale": -0.5}, "perturbation_scale must be a positive number"),
    ({"d_normalization": "batch"}, "d_normalization must be one of 'layer', 'none'; got 'batch'"),
])
def test_bad_arguments_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        keras_gans.get("dragan", **registry.tiny_config("dragan"), **kwargs)


def _twins(*gp_weights):
    """Tiny models that differ only in gp_weight: same weights, same seed, SGD."""
    models = []
    for w in gp_weights:
        model = keras_gans.get("dragan", **registry.tiny_config("dragan"), seed=5, gp_weight=w)
        model.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
        if models:
            for net in ("generator", "discriminator"):
                getattr(model, net).set_weights(getattr(models[0], net).get_weights())
        models.append(model)
    return models


def test_the_logged_d_loss_is_the_gan_loss_plus_lambda_times_the_penalty():
    m0, m10 = _twins(0.0, 10.0)
    real = tf.constant(_batch((8, 16, 16, 1)))
    fake = tf.constant(_batch((8, 16, 16, 1), seed=9))
    total0, logs0 = m0.discriminator_loss(real, fake)
    total10, logs10 = m10.discriminator_loss(real, fake)
    gp = float(logs10["gradient_penalty"])
    assert gp == pytest.approx(float(logs0["gradient_penalty"]), rel=1e-5)  # the same draws
    assert gp > 0
    assert float(total10) == pytest.approx(float(total0) + 10.0 * gp, rel=1e-5)
    assert float(logs10["d_loss"]) == pytest.approx(float(total10))


def test_the_penalty_weight_changes_ds_update():
    m0, m10, m10_again = _twins(0.0, 10.0, 10.0)
    x = _batch((8, 16, 16, 1))
    for m in (m0, m10, m10_again):
        m.fit(x, batch_size=8, epochs=1, verbose=0, shuffle=False)
    d0, d10, d10b = (m.discriminator.get_weights() for m in (m0, m10, m10_again))
    for a, b in zip(d10, d10b):  # the control: the same weight gives the same step
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    assert max(float(np.max(np.abs(a - b))) for a, b in zip(d0, d10)) > 1e-4


def test_config_round_trips():
    model = keras_gans.get("dragan", **registry.tiny_config("dragan"), gp_weight=3.5,
                           perturbation_scale=0.25, d_normalization="layer")
    config = model.get_config()
    assert (config["gp_weight"], config["perturbation_scale"]) == (3.5, 0.25)
    for again in (DRAGAN.from_config(config),
                  keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(model))):
        assert isinstance(again, DRAGAN)
        assert (again.gp_weight, again.perturbation_scale) == (3.5, 0.25)
        assert again.get_config() == config
        assert any(isinstance(layer, keras.layers.LayerNormalization)
                   for layer in again.discriminator.layers)


def test_trains_on_digits_and_pulls_ds_gradient_norms_towards_one():
    ds = data.load("digits", image_size=16, batch_size=32, seed=0)
    real = next(iter(ds))
    noise, alpha = _draws(np.asarray(real), seed=3)

    def penalty(model):
        return float(losses.dragan_penalty(model.discriminator, real, noise=noise, alpha=alpha))

    results = {}
    for w in (10.0, 0.0):
        keras.utils.set_random_seed(0)  # the same initial weights for both
        model = keras_gans.get("dragan", image_shape=(16, 16, 1), latent_dim=16, g_width=8,
                               d_width=8, seed=0, gp_weight=w)
        model.compile()
        start = penalty(model)
        g_before = [np.array(v) for v in model.generator.trainable_variables]
        history = model.fit(ds.take(40), epochs=2, verbose=0).history
        for key in ("d_loss", "g_loss", "gradient_penalty"):
            assert np.all(np.isfinite(history[key])), key
        assert any(not np.allclose(a, np.array(b))
                   for a, b in zip(g_before, model.generator.trainable_variables))
        results[w] = (start, penalty(model))
    (start, with_gp), (start0, without_gp) = results[10.0], results[0.0]
    assert start == pytest.approx(start0)
    # D's gradient norms near the data start well below 1; the penalty pulls
    # them towards 1 faster than the GAN loss alone.
    assert with_gp < 0.9 * start
    assert with_gp < without_gp - 0.03
