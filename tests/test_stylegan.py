"""StyleGAN / StyleGAN2 (issue 17): lazy R1 and path length with the
corrected optimizers, truncation to w_avg, style mixing at the cut-off,
saved state (w_avg, pl_mean), both versions through the shared checks, and
the exports' psi default."""

import math

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras import ops
from keras_gans import export, registry, testing
from keras_gans.models.stylegan import EMA_DECAY, latent_average_layer
from keras_gans.serving import load_sampler
from keras_gans.serving.runtimes import load


def tiny(**overrides):
    config = registry.tiny_config("stylegan")
    config.update(overrides)
    return keras_gans.get("stylegan", **config)


def batches(model, n, batch_size=4):
    return model.example_data(batch_size=batch_size, batches=n, seed=1)


def z(model, n=3, seed=0):
    return np.random.default_rng(seed).standard_normal((n, model.latent_dim)).astype("float32")


def test_lazy_r1_and_path_length_run_every_16_and_4_steps_with_corrected_adam():
    model = tiny(seed=0)
    model.compile()
    names = [s.name for s in model.steps]
    assert names == ["discriminator", "r1", "path_length", "generator"]
    history = model.fit(batches(model, 17), epochs=1, verbose=0)  # train steps 0..16
    assert int(model.step_counter) == 17
    # R1 on steps 0 and 16, path length on 0, 4, 8, 12, 16: one extra update each.
    assert int(model.d_optimizer.iterations) == 17 + 2
    assert int(model.g_optimizer.iterations) == 17 + 5
    assert history.history["r1_penalty"][0] > 0 and history.history["pl_mean"][0] > 0
    # StyleGAN2's correction: lr * c, beta ** c, c = k / (k + 1), from Adam(0.0025, 0, 0.99).
    for opt, k in ((model.d_optimizer, 16), (model.g_optimizer, 4)):
        c = k / (k + 1)
        np.testing.assert_allclose(float(opt.learning_rate), 0.0025 * c, rtol=1e-6)
        np.testing.assert_allclose([opt.beta_1, opt.beta_2], [0.0, 0.99**c], rtol=1e-6)
        assert opt.epsilon == 1e-8


def test_lazy_steps_skip_the_variables_their_penalty_cannot_reach_without_a_warning():
    # R1 does not depend on D's output bias, nor the path length on G's to-RGB
    # biases: Keras warned "Gradients do not exist ... did you forget to provide
    # a loss?" at every lazy step. The main steps still train those variables.
    import warnings

    model = tiny(seed=0)
    model.compile()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(batches(model, 1), epochs=1, verbose=0)  # step 0 runs both lazy steps
    assert not [w for w in caught if "Gradients do not exist" in str(w.message)]
    assert int(model.d_optimizer.iterations) == 2 and int(model.g_optimizer.iterations) == 2


def test_version_1_has_r1_in_every_d_step_and_no_path_length():
    model = tiny(version=1, seed=0)
    model.compile()
    assert [s.name for s in model.steps] == ["discriminator", "generator"]
    assert "pl_mean" not in model.metric_names
    history = model.fit(batches(model, 3), epochs=1, verbose=0)
    assert int(model.d_optimizer.iterations) == 3 and int(model.g_optimizer.iterations) == 3
    assert history.history["r1_penalty"][0] > 0
    d = model.d_optimizer
    np.testing.assert_allclose([float(d.learning_rate), d.beta_1, d.beta_2], [0.001, 0.0, 0.99],
                               rtol=1e-6)


def test_the_lazy_r1_loss_is_gamma_over_2_times_interval_times_r1():
    model = tiny(r1_gamma=3.0)
    real = tf.constant(np.random.default_rng(0).uniform(-1, 1, (4, 16, 16, 1)), tf.float32)
    loss, logs = model.r1_loss(real)
    expected = keras_gans.losses.r1_penalty(model.discriminator, real)
    np.testing.assert_allclose(float(logs["r1_penalty"]), float(expected), rtol=1e-5)
    np.testing.assert_allclose(float(loss), 0.5 * 3.0 * 16 * float(expected), rtol=1e-5)


@pytest.mark.parametrize("version", [1, 2])
def test_psi_0_gives_the_w_avg_image_for_every_z(version):
    model = tiny(version=version)
    avg = np.random.default_rng(3).standard_normal(model.w_dim).astype("float32")
    latent_average_layer(model.sampling_network("mapping")).w_avg.assign(avg)
    np.testing.assert_allclose(model.w_avg, avg)
    images = ops.convert_to_numpy(model.generate(z(model, 4), psi=0.0))
    for image in images[1:]:
        np.testing.assert_allclose(image, images[0], atol=1e-6)
    ws = np.repeat(avg[None, None], model.num_ws, axis=1)
    by_hand = np.clip(ops.convert_to_numpy(model.synthesize(ws)), -1, 1)[0]
    np.testing.assert_allclose(images[0], by_hand, atol=1e-5)
    # psi 1 is the untruncated w; psi per row
    w = ops.convert_to_numpy(model.sampling_network("mapping")(z(model, 4)))
    out = ops.convert_to_numpy(model.truncate(w, np.array([0.0, 0.5, 1.0, 2.0], "float32")))
    for row, psi in enumerate([0.0, 0.5, 1.0, 2.0]):
        np.testing.assert_allclose(out[row], np.broadcast_to(avg + psi * (w[row] - avg),
                                                             out[row].shape), atol=1e-5)


def test_truncation_cutoff_leaves_the_later_layers_alone():
    model = tiny(truncation_cutoff=2)
    w = z(model, 2)[:, : model.w_dim]
    out = ops.convert_to_numpy(model.truncate(w, 0.0))  # w_avg is 0 at the start
    assert np.all(out[:, :2] == 0.0)
    np.testing.assert_allclose(out[:, 2:], np.broadcast_to(w[:, None], out[:, 2:].shape))


@pytest.mark.parametrize("version", [1, 2])
def test_style_mixing_crosses_over_at_the_cutoff(version):
    model = tiny(version=version)
    w1, w2 = z(model, 2, seed=1)[:, : model.w_dim], z(model, 2, seed=2)[:, : model.w_dim]
    cutoff = 3
    ws = ops.convert_to_numpy(model.mix_styles(w1, w2, cutoff))
    by_hand = np.concatenate([np.repeat(w1[:, None], cutoff, axis=1),
                              np.repeat(w2[:, None], model.num_ws - cutoff, axis=1)], axis=1)
    np.testing.assert_array_equal(ws, by_hand)
    np.testing.assert_allclose(ops.convert_to_numpy(model.synthesize(ws)),
                               ops.convert_to_numpy(model.synthesize(by_hand)), atol=1e-6)
    # A per-row cut-off; num_ws keeps w1 everywhere.
    ws = ops.convert_to_numpy(model.mix_styles(w1, w2, np.array([1, model.num_ws])))
    np.testing.assert_array_equal(ws[0, 0], w1[0])
    np.testing.assert_array_equal(ws[0, 1:], np.broadcast_to(w2[0], ws[0, 1:].shape))
    np.testing.assert_array_equal(ws[1], np.broadcast_to(w1[1], ws[1].shape))
    # Training: u0 < 0.9 mixes at 1 + floor(u1 * (num_ws - 1)); u0 >= 0.9 does not.
    g_in = {"z": tf.constant(z(model, 2, 4)), "z2": tf.constant(z(model, 2, 5)),
            "mixing": tf.constant([[0.5, 0.4], [0.95, 0.4]], tf.float32), "noise": None}
    w, ws = (ops.convert_to_numpy(t) for t in model.training_styles(g_in, training=False))
    w2 = ops.convert_to_numpy(model.mapping(g_in["z2"]))
    cut = 1 + int(0.4 * (model.num_ws - 1))
    np.testing.assert_allclose(ws[0, :cut], np.broadcast_to(w[0], ws[0, :cut].shape))
    np.testing.assert_allclose(ws[0, cut:], np.broadcast_to(w2[0], ws[0, cut:].shape))
    np.testing.assert_allclose(ws[1], np.broadcast_to(w[1], ws[1].shape))


def test_w_avg_and_pl_mean_are_saved_restored_and_copied_into_the_ema(tmp_path):
    model = tiny(seed=0)
    model.compile()
    model.fit(batches(model, 5), epochs=1, verbose=0)
    w_avg = np.asarray(model.w_avg_variable("mapping"))
    assert np.any(w_avg != 0)  # moved towards the batches' mean w
    np.testing.assert_array_equal(np.asarray(model.w_avg_variable("ema_mapping")), w_avg)
    np.testing.assert_array_equal(model.w_avg, w_avg)  # sampling truncates to it
    pl_mean = float(model.pl_mean)
    assert pl_mean > 0
    path = str(tmp_path / "sg.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    np.testing.assert_array_equal(np.asarray(again.w_avg_variable("mapping")), w_avg)
    np.testing.assert_array_equal(np.asarray(again.w_avg_variable("ema_mapping")), w_avg)
    assert float(again.pl_mean) == pl_mean
    for a, b in zip(again.const_noise, model.const_noise):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_allclose(ops.convert_to_numpy(again.generate(z(model), psi=0.5)),
                               ops.convert_to_numpy(model.generate(z(model), psi=0.5)),
                               atol=1e-6)


def test_w_avg_moves_with_decay_0995():
    model = tiny()
    w = tf.constant(np.random.default_rng(0).standard_normal((4, model.w_dim)), tf.float32)
    model.update_w_avg(w)
    np.testing.assert_allclose(np.asarray(model.w_avg_variable()),
                               0.005 * np.mean(w.numpy(), axis=0), rtol=1e-5, atol=1e-7)


def test_version_1_trains_saves_reloads_and_exports(tmp_path):
    # The registry-wide tests run the tiny config (version 2); this is version 1.
    model = tiny(version=1)
    model.compile()
    testing.run_model_test(model, str(tmp_path), name="stylegan_v1")


def test_exports_default_psi_and_compose_mapping_and_synthesis(tmp_path):
    model = tiny(seed=0)
    zs = z(model, 3, seed=9)
    expected = ops.convert_to_numpy(model.generate(zs))
    half = ops.convert_to_numpy(model.generate(zs, psi=0.5))
    sm = export.saved_model(model, str(tmp_path / "sm"))
    tfl = export.tflite(model, str(tmp_path / "sg.tflite"))
    model.save(str(tmp_path / "sg.keras"))
    for path in (sm, tfl, str(tmp_path / "sg.keras")):
        sampler = load_sampler(path)  # a plain generator sampler: psi has a default
        assert type(sampler).__name__ == "GeneratorSampler"
        np.testing.assert_allclose(sampler.generate(zs), expected, atol=1e-4, err_msg=path)
        np.testing.assert_allclose(sampler.run("serving_default", z=zs)["images"], expected,
                                   atol=1e-4, err_msg=path)
        psi = np.full(3, 0.5, "float32")
        np.testing.assert_allclose(sampler.run("serving_default", z=zs, psi=psi)["images"], half,
                                   atol=1e-4, err_msg=path)
        ws = sampler.run("mapping", z=zs, psi=psi)["ws"]
        assert ws.shape == (3, model.num_ws, model.w_dim)
        np.testing.assert_allclose(sampler.run("synthesis", ws=ws)["images"], half, atol=1e-4,
                                   err_msg=path)
    assert load(sm).input_defaults == {"psi": 1.0}


def test_ema_default_is_a_10k_image_half_life_at_the_default_batch():
    model = tiny()
    assert type(model).default_batch_size == 16
    assert model.ema_decay == pytest.approx(EMA_DECAY)
    assert math.log(0.5) / math.log(EMA_DECAY) * 16 == pytest.approx(10_000)
    assert model.ema_rampup == 0.05


def test_bad_version_and_wrong_networks_are_clear_errors():
    with pytest.raises(ValueError, match="version must be 1 .StyleGAN. or 2"):
        tiny(version=3)
    other = keras_gans.networks.stylegan.stylegan_discriminator((32, 32, 1), width=4)
    with pytest.raises(ValueError, match="discriminator maps"):
        tiny(discriminator=other)


def test_own_mapping_without_w_avg_gets_one():
    inp = keras.Input((8,))
    mapping = keras.Model(inp, keras.layers.Dense(8)(inp))
    model = tiny(mapping=mapping)
    assert latent_average_layer(model.mapping) is not None
    assert model.sample(2, seed=0).shape == (2, 16, 16, 1)
