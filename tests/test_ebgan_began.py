"""EBGAN and BEGAN: their pure losses against hand-computed numbers, BEGAN's k_t
as saved state, and the autoencoder network. (The shared checks of both models
run in test_models.py.)"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import keras
import keras_gans
from keras_gans import energy
from keras_gans.networks import (
    autoencoder_decoder,
    autoencoder_discriminator,
    autoencoder_encoder,
)
from keras_gans.regularizers import pull_away_term
from helpers import tiny_dataset, tiny_model


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _k(model):
    return float(_np(model.k_t))


# ------------------------------------------------------------- pull-away term


def test_pull_away_term_hand_computed():
    # cos(s1, s2) = 0, cos(s1, s3) = cos(s2, s3) = 1/sqrt(2): cos^2 = 0, 1/2, 1/2.
    # Sum over ordered pairs i != j = 2 * (0 + 1/2 + 1/2) = 2; N(N-1) = 6.
    codes = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "float32")
    np.testing.assert_allclose(_np(pull_away_term(codes)), 1.0 / 3.0, rtol=1e-6)


def test_pull_away_term_extremes_and_scale_invariance():
    same = np.array([[1.0, 2.0, 3.0]] * 4, "float32")
    np.testing.assert_allclose(_np(pull_away_term(same)), 1.0, rtol=1e-6)
    # Opposite directions are "the same" for cos^2.
    np.testing.assert_allclose(_np(pull_away_term(np.array([[1.0, 1], [-2, -2]], "float32"))), 1.0, rtol=1e-6)
    np.testing.assert_allclose(_np(pull_away_term(np.eye(5, dtype="float32"))), 0.0, atol=1e-7)
    codes = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")
    np.testing.assert_allclose(
        _np(pull_away_term(codes)), _np(pull_away_term(codes * np.arange(1, 7)[:, None])), rtol=1e-5
    )


def test_pull_away_term_matches_a_loop_and_flattens_codes():
    codes = np.random.default_rng(1).normal(size=(5, 2, 3)).astype("float32")
    s = codes.reshape(5, -1)
    total = 0.0
    for i in range(5):
        for j in range(5):
            if i != j:
                c = s[i] @ s[j] / (np.linalg.norm(s[i]) * np.linalg.norm(s[j]))
                total += c * c
    np.testing.assert_allclose(_np(pull_away_term(codes)), total / 20.0, rtol=1e-5)


# -------------------------------------------------------------- EBGAN losses


def test_reconstruction_energy():
    x = np.array([[[0.0, 1.0], [1.0, -1.0]], [[1.0, 1.0], [1.0, 1.0]]], "float32")[..., None]
    r = np.zeros_like(x)
    # x^2: (0 + 1 + 1 + 1) / 4 and 4 / 4
    np.testing.assert_allclose(_np(energy.reconstruction_energy(x, r, "l2")), [0.75, 1.0])
    # |x + 1|: (1 + 2 + 2 + 0) / 4 and (2 + 2 + 2 + 2) / 4
    np.testing.assert_allclose(_np(energy.reconstruction_energy(x, r - 1.0, "l1")), [1.25, 2.0])
    with pytest.raises(ValueError, match="norm must be"):
        energy.reconstruction_energy(x, r, "l3")


def test_ebgan_discriminator_loss_hand_computed():
    # mean(0.1, 0.3) + mean(relu(1 - 0.2), relu(1 - 1.5)) = 0.2 + 0.4
    got = energy.ebgan_discriminator_loss([0.1, 0.3], [0.2, 1.5], margin=1.0)
    np.testing.assert_allclose(_np(got), 0.6, rtol=1e-6)
    # With a margin of 0.5 only the first fake is inside: 0.2 + mean(0.3, 0)
    got = energy.ebgan_discriminator_loss([0.1, 0.3], [0.2, 1.5], margin=0.5)
    np.testing.assert_allclose(_np(got), 0.35, rtol=1e-6)


def test_ebgan_generator_loss_hand_computed():
    np.testing.assert_allclose(_np(energy.ebgan_generator_loss([0.2, 0.4])), 0.3, rtol=1e-6)
    # PT of [[1, 0], [1, 1]] is cos^2(45 deg) = 0.5.
    codes = np.array([[1.0, 0.0], [1.0, 1.0]], "float32")
    got = energy.ebgan_generator_loss([0.2, 0.4], codes, pt_weight=0.1)
    np.testing.assert_allclose(_np(got), 0.35, rtol=1e-6)


# -------------------------------------------------------------- BEGAN losses


def test_began_k_update_hand_computed():
    # 0.1 + 0.001 * (0.5 * 0.2 - 0.05) = 0.10005
    np.testing.assert_allclose(_np(energy.began_k_update(0.1, 0.2, 0.05, 0.5, 0.001)), 0.10005, rtol=1e-6)
    # 0.3 + 0.01 * (0.7 * 0.1 - 0.2) = 0.2987
    np.testing.assert_allclose(_np(energy.began_k_update(0.3, 0.1, 0.2, 0.7, 0.01)), 0.2987, rtol=1e-6)


def test_began_k_update_is_clipped_to_unit_interval():
    assert float(_np(energy.began_k_update(0.9995, 1.0, 0.0, 1.0, 0.01))) == 1.0
    assert float(_np(energy.began_k_update(0.0001, 0.0, 1.0, 0.5, 0.01))) == 0.0


def test_began_convergence_and_losses_hand_computed():
    # M = 0.2 + |0.5 * 0.2 - 0.15| = 0.25; and 0.2 + |0.1 - 0.05| = 0.25 too.
    np.testing.assert_allclose(_np(energy.began_convergence(0.2, 0.15, 0.5)), 0.25, rtol=1e-6)
    np.testing.assert_allclose(_np(energy.began_convergence(0.2, 0.05, 0.5)), 0.25, rtol=1e-6)
    np.testing.assert_allclose(_np(energy.began_convergence(0.4, 0.1, 0.75)), 0.6, rtol=1e-6)
    np.testing.assert_allclose(_np(energy.began_discriminator_loss(0.2, 0.15, 0.1)), 0.185, rtol=1e-6)
    np.testing.assert_allclose(_np(energy.began_generator_loss(0.15)), 0.15, rtol=1e-6)


# ------------------------------------------------------- BEGAN's k_t in models


def _fit_one_step(model, seed=0):
    data = tiny_dataset(model.image_shape, batch_size=8, batches=1, seed=seed)
    return {k: v[-1] for k, v in model.fit(data, epochs=1, verbose=0).history.items()}


def test_began_train_step_updates_k_and_logs_m():
    model = tiny_model("began", k_0=0.3, lambda_k=0.1, gamma=0.7)
    logs = _fit_one_step(model)
    # One step: the trackers' means are that step's values.
    want_k = float(_np(energy.began_k_update(0.3, logs["real_loss"], logs["fake_loss"], 0.7, 0.1)))
    assert _k(model) == pytest.approx(want_k, abs=1e-6)
    assert _k(model) != pytest.approx(0.3, abs=1e-6)
    assert logs["k_t"] == pytest.approx(want_k, abs=1e-6)
    want_m = float(_np(energy.began_convergence(logs["real_loss"], logs["fake_loss"], 0.7)))
    assert logs["convergence"] == pytest.approx(want_m, rel=1e-5)
    # D's loss used k_t before the update.
    assert logs["d_loss"] == pytest.approx(logs["real_loss"] - 0.3 * logs["fake_loss"], rel=1e-5)


def test_began_k_t_is_non_trainable_model_state():
    model = tiny_model("began", k_0=0.25)
    assert _k(model) == pytest.approx(0.25)
    assert any(v is model.k_t for v in model.non_trainable_weights)
    assert all(v is not model.k_t for v in model.trainable_weights)
    assert all(v is not model.k_t for v in model.discriminator.trainable_variables)


def test_began_k_t_round_trips_through_keras_file_and_continues(tmp_path):
    model = tiny_model("began", k_0=0.37, lambda_k=0.05)
    _fit_one_step(model, seed=0)
    _fit_one_step(model, seed=1)
    k_saved = _k(model)
    assert k_saved != pytest.approx(0.37, abs=1e-6)
    path = os.path.join(str(tmp_path), "began.keras")
    model.save(path)

    loaded = keras.saving.load_model(path)
    assert _k(loaded) == pytest.approx(k_saved, abs=1e-7)
    assert loaded.get_config()["k_0"] == pytest.approx(0.37)  # config keeps k_0 ...
    logs = _fit_one_step(loaded, seed=2)  # ... but training goes on from k_saved
    want = float(_np(energy.began_k_update(k_saved, logs["real_loss"], logs["fake_loss"], loaded.gamma, 0.05)))
    assert _k(loaded) == pytest.approx(want, abs=1e-6)


def test_began_k_t_is_in_weights_files(tmp_path):
    # save_weights / load_weights is what BackupAndRestore and checkpoints use.
    model = tiny_model("began", k_0=0.6)
    path = os.path.join(str(tmp_path), "began.weights.h5")
    model.save_weights(path)
    other = tiny_model("began")
    assert _k(other) == 0.0
    other.load_weights(path)
    assert _k(other) == pytest.approx(0.6)


def test_began_rejects_bad_gamma_and_k0():
    with pytest.raises(ValueError, match="gamma"):
        tiny_model("began", gamma=0.0)
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        tiny_model("began", gamma=1.5)
    with pytest.raises(ValueError, match="k_0"):
        tiny_model("began", k_0=1.5)


_DISTRIBUTED = textwrap.dedent(
    """
    import numpy as np, tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras, keras_gans
    from keras_gans import energy, registry
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        m = keras_gans.get("began", **registry.tiny_config("began"), k_0=0.3, lambda_k=0.1)
        m.compile()
    x = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    h = m.fit(tf.data.Dataset.from_tensor_slices(x).batch(8), epochs=1, verbose=0).history
    want = float(energy.began_k_update(0.3, h["real_loss"][0], h["fake_loss"][0], m.gamma, 0.1))
    got = float(keras.ops.convert_to_numpy(m.k_t))
    assert abs(got - want) < 1e-6 and abs(got - 0.3) > 1e-6, (got, want)
    print("OK", got)
    """
)


def test_began_k_update_under_mirrored_strategy_uses_global_means():
    # Two replicas: each replica's k_{t+1} is computed from the all-reduced
    # (global batch) means of L(x) and L(G(z)), the values the metrics report.
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run(
        [sys.executable, "-c", _DISTRIBUTED], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0 and "OK" in out.stdout, out.stderr[-3000:]


# ------------------------------------------------------------------- EBGAN


def test_ebgan_losses_are_the_pure_functions():
    model = tiny_model("ebgan", margin=0.5, pt_weight=0.2)
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
    fake = rng.uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
    z = rng.normal(size=(4, model.latent_dim)).astype("float32")

    def energy_and_code(images):
        # training=True as in the train step (BatchNorm uses the batch's stats).
        rec, code = model.discriminator(images, training=True)
        return np.mean((images - _np(rec)) ** 2, axis=(1, 2, 3)), _np(code)

    e_r, code_r = energy_and_code(real)
    e_f, _ = energy_and_code(fake)
    assert code_r.shape == (4, 8)
    got_e, _ = model.energy(real, training=True)
    np.testing.assert_allclose(_np(got_e), e_r, rtol=1e-5)

    d_loss, d_logs = model.discriminator_loss(real, fake)
    np.testing.assert_allclose(_np(d_loss), e_r.mean() + np.maximum(0.5 - e_f, 0).mean(), rtol=1e-5)
    np.testing.assert_allclose(_np(d_logs["fake_energy"]), e_f.mean(), rtol=1e-5)

    g_loss, g_logs = model.generator_loss(real, z)
    e_g, code_g = energy_and_code(_np(model.generator(z, training=True)))
    want_pt = float(_np(pull_away_term(code_g)))
    np.testing.assert_allclose(_np(g_logs["pull_away"]), want_pt, rtol=1e-5)
    np.testing.assert_allclose(_np(g_loss), e_g.mean() + 0.2 * want_pt, rtol=1e-5)


def test_ebgan_rejects_bad_margin():
    with pytest.raises(ValueError, match="margin"):
        tiny_model("ebgan", margin=0.0)


# ------------------------------------------------------- autoencoder network


@pytest.mark.parametrize("size,channels", [(8, 1), (16, 3), (32, 1)])
def test_autoencoder_shapes(size, channels):
    ae = autoencoder_discriminator((size, size, channels), code_dim=5, width=4)
    x = np.zeros((2, size, size, channels), "float32")
    reconstruction, code = ae(x)
    assert reconstruction.shape == (2, size, size, channels)
    assert code.shape == (2, 5)
    assert autoencoder_encoder((size, size, channels), 5, 4)(x).shape == (2, 5)
    dec = autoencoder_decoder((size, size, channels), 5, 4, output_activation="tanh")
    out = _np(dec(np.random.default_rng(0).normal(size=(2, 5)).astype("float32") * 10))
    assert out.shape == (2, size, size, channels) and np.abs(out).max() <= 1.0


def test_autoencoder_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="square images"):
        autoencoder_discriminator((36, 36, 1))
    with pytest.raises(ValueError, match="channel"):
        autoencoder_discriminator((32, 32, 2))
    with pytest.raises(ValueError, match="normalization"):
        autoencoder_discriminator((32, 32, 1), normalization="layer")
    with pytest.raises(ValueError, match="activation"):
        autoencoder_discriminator((32, 32, 1), activation="gelu")


def test_began_on_fashion_mnist_takes_its_data_preset_and_digits_keep_the_registry_one(
        tmp_path, monkeypatch):
    # issue 16: width 64 + EMA won on Fashion-MNIST (FID 31.2 against 40.7) but
    # drew 8/10 digits, so it is Fashion-MNIST's preset only; a 16-d code and
    # z then won there too (28.5), Adam at 4e-4 after them (26.3), and then
    # BatchNorm in D (16.2). Tiny IDX files stand in for the data; the run's
    # own latent_dim=8 must win over the preset's 16.
    from helpers import one_step_run, tiny_fashion_mnist

    tiny_fashion_mnist(tmp_path, monkeypatch)

    def widths(data, run_dir):
        model = one_step_run("began", data, run_dir, latent_dim=8)
        config = model.get_config()
        code = model.discriminator.outputs[1].shape[-1]  # (reconstruction, code)
        rates = {group: float(opt.learning_rate) for group, opt in model.optimizers.items()}
        d_norms = len(keras_gans.standing.batch_norm_layers(model.discriminator))
        return (model.generator.count_params(), config["d_width"], model.ema_decay is not None,
                code, model.latent_dim, rates, d_norms)

    fashion = widths("fashion_mnist", tmp_path / "fashion")
    digits = widths("digits", tmp_path / "digits")
    registry = keras_gans.registry.entry("began").defaults
    assert fashion[2] and not digits[2]
    assert fashion[0] > 2 * digits[0]
    assert fashion[1] == 64 and digits[1] == registry["d_width"] < 64
    # D's code is 16 wide on Fashion-MNIST, the registry's size on digits.
    assert fashion[3] == 16 and digits[3] == registry["code_dim"] != 16
    assert fashion[4] == digits[4] == 8
    # Both Adams at 4e-4 on Fashion-MNIST, at the registry's rate on digits.
    assert fashion[5] == pytest.approx({"d": 4e-4, "g": 4e-4})
    assert digits[5] == pytest.approx({"d": registry["learning_rate"], "g": registry["learning_rate"]})
    assert registry["learning_rate"] != 4e-4
    # BatchNorm in D's autoencoder on Fashion-MNIST (FID 16.2 against 26.3), none on digits.
    assert fashion[6] > 0 and digits[6] == 0
