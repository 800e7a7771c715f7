"""The VAE (Kingma & Welling 2013): its likelihood terms against numpy, the
reparameterized sample, training on real digits, your own networks, reload
and the command line. The registry-wide checks (save, export, replicas) run
for it in test_models.py and test_replicas.py."""

import os

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras import layers, ops
from keras_gans import export, losses, registry
from keras_gans.models import base
from keras_gans.models.vae import image_logits, tanh_logits_network
from keras_gans.testing import changed, litert_run, weights_of


def _np(x):
    return np.asarray(ops.convert_to_numpy(x), dtype="float64")


def tiny_vae(**overrides):
    config = registry.tiny_config("vae")
    config.update(overrides)
    return keras_gans.get("vae", **config)


# ------------------------------------------------------------ the loss terms


def test_kl_is_zero_at_the_prior_and_the_closed_form_elsewhere():
    zeros = np.zeros((4, 6), "float32")
    assert _np(losses.gaussian_kl(zeros, zeros)) == 0.0
    rng = np.random.default_rng(0)
    mean = rng.normal(size=(5, 3, 2)).astype("float32")
    log_var = rng.normal(size=(5, 3, 2)).astype("float32")
    m, lv = mean.astype("float64"), log_var.astype("float64")
    # KL(N(m, s^2) || N(0, 1)) = log(1 / s) + (s^2 + m^2) / 2 - 1/2, per unit
    per_unit = -0.5 * lv + (np.exp(lv) + m**2) / 2 - 0.5
    want = per_unit.reshape(5, -1).sum(axis=1).mean()
    got = losses.gaussian_kl(mean, log_var)
    assert keras.backend.standardize_dtype(got.dtype) == "float32"
    assert _np(got) == pytest.approx(want, rel=1e-5)
    # a wider posterior than the prior also costs: KL > 0 at mean 0 (6 units per image)
    assert _np(losses.gaussian_kl(zeros, zeros + 1.0)) == pytest.approx(6 * 0.5 * (np.e - 2))


def test_kl_matches_a_monte_carlo_estimate():
    mean, log_var = np.array([[0.7, -1.2]], "float32"), np.array([[-0.5, 0.8]], "float32")
    rng = np.random.default_rng(1)
    s = np.exp(0.5 * log_var.astype("float64"))
    z = mean + s * rng.standard_normal((400_000, 2))
    log_q = -0.5 * (((z - mean) / s) ** 2 + np.log(2 * np.pi) + log_var)
    log_p = -0.5 * (z**2 + np.log(2 * np.pi))
    assert _np(losses.gaussian_kl(mean, log_var)) == pytest.approx(
        np.mean(np.sum(log_q - log_p, axis=1)), abs=0.01)


def test_bernoulli_nll_matches_numpy_and_is_stable_at_any_logit():
    rng = np.random.default_rng(2)
    t = rng.uniform(0, 1, (3, 4, 4, 1)).astype("float32")
    t[0] = (t[0] > 0.5)  # binary and grey targets
    logits = rng.normal(scale=3.0, size=t.shape).astype("float32")
    p = 1 / (1 + np.exp(-logits.astype("float64")))
    want = -(t * np.log(p) + (1 - t) * np.log(1 - p)).reshape(3, -1).sum(axis=1).mean()
    assert _np(losses.bernoulli_nll(t, logits)) == pytest.approx(want, rel=1e-5)
    # far-out logits: finite, the NLL of a confident wrong pixel is its |logit|
    big = np.array([[100.0, -100.0, 100.0]], "float32")
    assert _np(losses.bernoulli_nll(np.array([[0.0, 1.0, 1.0]], "float32"), big)) == (
        pytest.approx(200.0, rel=1e-6))
    x = tf.constant(big)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = losses.bernoulli_nll(np.array([[0.0, 1.0, 1.0]], "float32"), x)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), [[1.0, -1.0, 0.0]], atol=1e-6)


def test_reparameterize_is_mean_plus_std_times_noise():
    mean, log_var = np.full((2, 3), 2.0, "float32"), np.full((2, 3), np.log(0.25), "float32")
    noise = np.array([[1.0, -1.0, 0.0], [2.0, 0.5, -2.0]], "float32")
    np.testing.assert_allclose(_np(losses.reparameterize(mean, log_var, noise)),
                               2.0 + 0.5 * noise, rtol=1e-6)


# ----------------------------------------------------------- the model's parts


def test_reparameterized_z_has_the_posterior_statistics_and_the_models_seed():
    model = tiny_vae(seed=3)
    mean = np.tile(np.array([[2.0, -1.0, 0.0, 0.5, 3.0, -2.0, 1.0, 0.0]], "float32"), (20000, 1))
    log_var = np.tile(np.log(np.array([[0.25, 1.0, 4.0, 0.01, 1.0, 0.5, 2.0, 9.0]], "float32")),
                      (20000, 1))
    z = _np(model.reparameterize(mean, log_var))
    np.testing.assert_allclose(z.mean(axis=0), mean[0], atol=0.05)
    np.testing.assert_allclose(z.std(axis=0), np.exp(0.5 * log_var[0]), rtol=0.03)
    # the same seed gives the same draws; the noise is the model's random_normal
    first = _np(tiny_vae(seed=5).reparameterize(mean[:5], log_var[:5]))
    np.testing.assert_array_equal(_np(tiny_vae(seed=5).reparameterize(mean[:5], log_var[:5])),
                                  first)


def test_the_step_draws_its_noise_through_random_normal(monkeypatch):
    """What tests/replicas.py relies on: patching GAN.random_normal fixes the noise."""
    model = tiny_vae(seed=0)
    x = next(iter(model.example_data(batch_size=4, batches=1)))
    calls = []

    def zeros(self, shape):
        calls.append(tuple(int(s) for s in shape))
        return tf.zeros(shape)

    monkeypatch.setattr(base.GAN, "random_normal", zeros)
    loss, logs = model.vae_step_loss(x)
    assert calls == [(4, model.latent_dim)]
    want = model.elbo_terms(x, noise=np.zeros((4, model.latent_dim), "float32"), training=True)
    assert float(loss) == pytest.approx(float(want[0]), rel=1e-6)
    assert float(logs["loss"]) == pytest.approx(float(logs["reconstruction"] + logs["kl"]),
                                                rel=1e-6)


def test_default_decoder_logits_are_its_pre_tanh_values():
    model = tiny_vae()
    assert tanh_logits_network(model.generator) is not None
    z = np.random.default_rng(0).standard_normal((3, model.latent_dim)).astype("float32")
    logits = _np(model.decoder_logits(z))
    images = _np(model.generator(z))
    np.testing.assert_allclose(np.tanh(logits / 2), images, atol=1e-6)
    # the fallback (from the images) agrees where the images are not saturated
    np.testing.assert_allclose(_np(image_logits(images)), logits, atol=1e-3)


# ------------------------------------------------------------------ training


@pytest.fixture(scope="module")
def digits():
    ds = keras_gans.data.load("digits", image_size=16, batch_size=32, seed=0, shuffle=False)
    return np.concatenate([np.asarray(b) for b in ds])


def test_training_lowers_the_negative_elbo_on_digits(digits):
    model = tiny_vae(seed=0, g_width=8, e_width=8)
    model.compile()
    before = model.negative_elbo(digits, seed=0)
    history = model.fit(digits, batch_size=32, epochs=4, verbose=0, shuffle=False)
    after = model.negative_elbo(digits, seed=0)
    assert set(history.history) == {"loss", "reconstruction", "kl"}
    assert after["loss"] < 0.8 * before["loss"], (before, after)
    assert after["reconstruction"] < before["reconstruction"]
    assert after["kl"] > 0.0
    assert history.history["loss"][-1] < history.history["loss"][0]
    for k in before:
        assert np.isfinite(after[k])
    assert after["loss"] == pytest.approx(after["reconstruction"] + after["kl"], rel=1e-5)
    codes = model.encode(digits[:5])
    assert codes.shape == (5, model.latent_dim) and codes.dtype == np.float32
    again = model.reconstruct(digits[:5])
    assert again.shape == digits[:5].shape and again.min() >= -1 and again.max() <= 1


def test_adversarial_arguments_and_optimizers_are_refused():
    with pytest.raises(ValueError, match="VAE has no argument 'loss'"):
        tiny_vae(loss="hinge")
    with pytest.raises(ValueError, match="has no argument 'n_critic'"):
        keras_gans.models.VAE(n_critic=5)
    assert "loss" not in keras_gans.models.VAE.constructor_arguments()
    model = tiny_vae()
    with pytest.raises(ValueError, match=r"no optimizer group \['d'\]"):
        model.compile(d_optimizer=keras.optimizers.Adam())
    with pytest.raises(ValueError, match="pass vae_optimizer"):
        model.compile(optimizer="adam")
    model.compile(vae_optimizer=keras.optimizers.Adam(5e-5, beta_1=0.5))
    assert model.optimizer_names == ("vae",)
    assert float(model.optimizers["vae"].learning_rate) == pytest.approx(5e-5)


# --------------------------------------------------- your own networks, reload

LATENT = 6


def my_encoder(shape=(28, 28, 1)):
    """A keras.io-style encoder with two heads: [z_mean, z_log_var]."""
    x_in = keras.Input(shape)
    x = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x_in)
    x = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    return keras.Model(x_in, [layers.Dense(LATENT, name="z_mean")(x),
                              layers.Dense(LATENT, name="z_log_var")(x)], name="my_encoder")


def my_decoder(latent=LATENT):
    """A decoder whose tanh sits inside its last Conv2D (logits from the images)."""
    z = keras.Input((latent,))
    x = layers.Dense(7 * 7 * 8, activation="relu")(z)
    x = layers.Reshape((7, 7, 8))(x)
    x = layers.Conv2DTranspose(8, 4, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(8, 4, strides=2, padding="same", activation="relu")(x)
    out = layers.Conv2D(1, 3, padding="same", activation="tanh")(x)
    return keras.Model(z, out, name="my_decoder")


def test_own_encoder_and_decoder_train_save_reload_and_export(tmp_path):
    e, g = my_encoder(), my_decoder()
    model = keras_gans.get("vae", encoder=e, generator=g, seed=0)
    assert model.encoder is e and model.generator is g
    assert model.image_shape == (28, 28, 1) and model.latent_dim == LATENT  # from the networks
    assert tanh_logits_network(g) is None  # its logits come from its images
    model.compile()
    e0, g0 = weights_of(e), weights_of(g)
    x = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    history = model.fit(x, batch_size=8, epochs=1, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert changed(e0, weights_of(e)) and changed(g0, weights_of(g))

    z = np.random.default_rng(1).standard_normal((3, LATENT)).astype("float32")
    expected = _np(model.generate(z))
    codes = model.encode(x[:3])
    path = os.path.join(tmp_path, "vae.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)  # no custom_objects
    assert reloaded.generator.name == "my_decoder" and reloaded.encoder.name == "my_encoder"
    np.testing.assert_allclose(_np(reloaded.generate(z)), expected, atol=1e-6)
    np.testing.assert_allclose(reloaded.encode(x[:3]), codes, atol=1e-6)

    sm = tf.saved_model.load(export.saved_model(model, os.path.join(tmp_path, "sm")))
    np.testing.assert_allclose(sm.signatures["serving_default"](z=tf.constant(z))["images"],
                               expected, atol=1e-5)
    np.testing.assert_allclose(sm.signatures["encode"](images=tf.constant(x[:3]))["z"], codes,
                               atol=1e-5)
    tfl = export.tflite(model, os.path.join(tmp_path, "vae.tflite"))
    np.testing.assert_allclose(litert_run(tfl, "encode", images=x[:3])["z"], codes, atol=1e-4)


def test_own_networks_that_do_not_fit_are_clear_errors():
    with pytest.raises(ValueError, match=r"encoder outputs \[\(5,\)\].*\[N, 12\]"):
        x_in = keras.Input((28, 28, 1))
        odd = keras.Model(x_in, layers.Dense(5)(layers.Flatten()(x_in)))
        keras_gans.get("vae", encoder=odd, generator=my_decoder())
    with pytest.raises(ValueError, match="encoder takes inputs of shape"):
        keras_gans.get("vae", encoder=my_encoder((16, 16, 1)), generator=my_decoder())


def test_reload_gives_the_same_samples_and_training_resumes(tmp_path):
    model = tiny_vae(seed=0, ema=0.9)
    model.compile()
    model.fit(model.example_data(), epochs=1, verbose=0)
    samples = model.sample(6, seed=4)
    path = os.path.join(tmp_path, "vae.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(reloaded.sample(6, seed=4), samples)
    assert int(reloaded.step_counter) == int(model.step_counter) == 2
    assert reloaded.optimizer_names == ("vae",)
    assert int(reloaded.optimizers["vae"].iterations) == 2
    history = reloaded.fit(reloaded.example_data(), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][-1])


# ------------------------------------------------------------- command line


def test_cli_lists_and_trains_vae(tmp_path, cli_main):
    r = cli_main("list", "vae", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("vae ")
    r = cli_main("train", "vae", "--image-size", "16", "--epochs", "1", "--steps-per-epoch", "2",
                 "--batch-size", "8", "--seed", "0", "--set", "latent_dim=8",
                 "--set", "g_width=4", "--set", "e_width=4", "--lr", "vae=2e-3",
                 "--run-dir", "run", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    run = tmp_path / "run"
    for f in ("model.keras", "samples/final.png", "export/1/saved_model.pb", "export/vae.tflite"):
        assert os.path.isfile(run / f), f
    model = keras.saving.load_model(run / "model.keras")
    assert type(model) is keras_gans.models.VAE and model.latent_dim == 8
    assert float(model.optimizers["vae"].learning_rate) == pytest.approx(2e-3)
    r = cli_main("sample", "run/export/1", "--num", "4", "--out", "grid.png", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = cli_main("train", "vae", "--set", "loss='hinge'", "--run-dir", "bad", cwd=tmp_path)
    assert r.returncode == 2 and "VAE has no argument 'loss'" in r.stderr
