"""ProGAN: the growing schedule as a pure function of images seen, the blends
against numpy, one traced train function through every stage, the full-size
exports, and a --deterministic run killed with SIGKILL mid-fade that resumes
to the weights of an uninterrupted run."""

import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras_gans import callbacks, export, registry
from keras_gans.losses import drift_penalty
from keras_gans.models.progan import (
    blend_levels,
    image_pyramid,
    level_of_detail,
    schedule,
)
from keras_gans.networks.progan import (
    NearestUpsample2D,
    progan_discriminator,
    stage_resolutions,
    stage_widths,
)
from keras_gans.testing import litert_run

ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONUNBUFFERED="1")


def tiny(**overrides):
    config = registry.tiny_config("progan")
    config.update(overrides)
    return keras_gans.get("progan", **config)


def np_down(x):
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def np_up(x, times=1):
    for _ in range(times):
        x = x.repeat(2, axis=1).repeat(2, axis=2)
    return x


def as_float(t):
    return float(np.asarray(keras.ops.convert_to_numpy(t)))


# ------------------------------------------------------------- the schedule


@pytest.mark.parametrize("images,stage,alpha", [
    (0, 0, 1.0), (599, 0, 1.0),          # 4x4, stable
    (600, 1, 0.0), (900, 1, 0.5),        # 8x8 fades in over 600 images
    (1199, 1, 599 / 600), (1200, 1, 1.0), (1799, 1, 1.0),  # 8x8 stable
    (1800, 2, 0.0), (2250, 2, 0.75), (2400, 2, 1.0),
    (3000, 3, 0.0), (3300, 3, 0.5),      # the last stage fades in
    (3600, 3, 1.0), (10 ** 9, 3, 1.0),   # and stays
])
def test_schedule_gives_stage_and_alpha_of_the_images_seen(images, stage, alpha):
    s, a = schedule(images, stable_images=600, fade_images=600, num_stages=4)
    assert int(s) == stage and as_float(a) == pytest.approx(alpha, abs=1e-6)
    s, a = schedule(tf.constant(images, tf.int64), 600, 600, 4)  # a tensor too
    assert int(s) == stage and as_float(a) == pytest.approx(alpha, abs=1e-6)


def test_schedule_of_unequal_phases_and_level_of_detail():
    # stable 100, fade 300: 4x4 until 100, 8x8 fades in until 400, stable until 500, ...
    got = [(int(s), round(as_float(a), 4)) for s, a in
           (schedule(n, 100, 300, 3) for n in (0, 99, 100, 250, 399, 400, 499, 500, 650, 800))]
    assert got == [(0, 1.0), (0, 1.0), (1, 0.0), (1, 0.5), (1, 0.9967), (1, 1.0), (1, 1.0),
                   (2, 0.0), (2, 0.5), (2, 1.0)]
    assert as_float(level_of_detail(3, 1.0, 4)) == 0.0  # full size
    assert as_float(level_of_detail(0, 1.0, 4)) == 3.0  # 4x4 of 32 px
    assert as_float(level_of_detail(1, 0.5, 4)) == 2.5  # 8x8 half faded in
    with pytest.raises(ValueError, match="fade_images must be positive"):
        schedule(0, 100, 0, 3)


def test_the_model_counts_images_as_step_counter_times_the_global_batch():
    model = tiny(image_shape=(32, 32, 1), stable_images=600, fade_images=600)
    assert model.sizes == (4, 8, 16, 32) and model.num_stages == 4
    batch = tf.zeros((64, 32, 32, 1))
    for step in (0, 9, 10, 14, 28, 47, 1000):
        model.step_counter.assign(step)
        assert int(model.images_seen(batch)) == 64 * step
        stage, alpha = model.stage_and_alpha(batch)
        want_stage, want_alpha = schedule(64 * step, 600, 600, 4)
        assert int(stage) == int(want_stage) and as_float(alpha) == as_float(want_alpha)
    model.step_counter.assign(14)  # 896 images: 8x8 fading in, alpha 296/600
    assert as_float(model.step_level(batch)) == pytest.approx(3 - 1 + 1 - 296 / 600)


# ------------------------------------------------------------------ blends


def test_blend_levels_and_real_images_against_numpy():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2, 32, 32, 1)).astype("float32")
    pyramid = [np.asarray(p) for p in image_pyramid(tf.constant(x), 4)]
    want = [np_down(np_down(np_down(x))), np_down(np_down(x)), np_down(x), x]
    for got, w in zip(pyramid, want):
        np.testing.assert_allclose(got, w, atol=1e-6)
    # stage 2 (16x16) with alpha 0.25: lerp(up(8x8), 16x16, 0.25), then up to 32
    lod = as_float(level_of_detail(2, 0.25, 4))
    expected = np_up(0.25 * want[2] + 0.75 * np_up(want[1]))
    np.testing.assert_allclose(np.asarray(blend_levels(pyramid, lod)), expected, atol=1e-6)
    # a stable stage: its own images, nearest-upsampled; lod 0: the full size exactly
    np.testing.assert_allclose(np.asarray(blend_levels(pyramid, 3.0)), np_up(want[0], 3),
                               atol=1e-6)
    np.testing.assert_array_equal(np.asarray(blend_levels(pyramid, 0.0)), x)


def test_nearest_upsample_repeats_pixels_and_keeps_static_sides():
    x = np.random.default_rng(1).standard_normal((2, 4, 4, 3)).astype("float32")
    y = NearestUpsample2D()(x)
    np.testing.assert_array_equal(np.asarray(y), np_up(x))
    z = NearestUpsample2D()(NearestUpsample2D()(keras.Input((4, 4, 3))))
    assert tuple(z.shape) == (None, 16, 16, 3)


def test_discriminator_fades_its_fine_path_out_by_lod():
    d = progan_discriminator((16, 16, 1), width=4, max_width=8, mbstd_group_size=1)
    x = tf.constant(np.random.default_rng(2).uniform(-1, 1, (4, 16, 16, 1)), tf.float32)
    fine = [v for v in d.trainable_variables if "16x16" in v.path]
    assert fine  # fromRGB and the block of the full size, built from the start

    def grads(lod):
        with tf.GradientTape() as tape:
            out = tf.reduce_sum(d([x, tf.fill((4, 1), lod)]))
        return tape.gradient(out, fine)

    assert all(float(tf.reduce_max(tf.abs(g))) == 0.0 for g in grads(2.0))  # 4x4 stage
    assert all(float(tf.reduce_max(tf.abs(g))) == 0.0 for g in grads(1.0))  # 8x8 stable
    assert all(float(tf.reduce_max(tf.abs(g))) > 0.0 for g in grads(0.5))   # 16x16 fading
    assert all(float(tf.reduce_max(tf.abs(g))) > 0.0 for g in grads(0.0))


def test_networks_hold_every_stage_from_the_start():
    assert stage_resolutions(32) == [4, 8, 16, 32] and stage_resolutions(28) == [7, 14, 28]
    assert stage_widths(4, 16, 128) == [128, 64, 32, 16]
    model = keras_gans.get("progan")  # the digits preset
    g_names = {layer.name for layer in model.generator.layers}
    d_names = {layer.name for layer in model.discriminator.layers}
    for s in (4, 8, 16, 32):
        assert f"to_rgb_{s}x{s}" in g_names and f"from_rgb_{s}x{s}" in d_names
    assert [tuple(o.shape) for o in model.generator.outputs] == [
        (None, s, s, 1) for s in (4, 8, 16, 32)]
    mbstd = [la for la in model.discriminator.layers if "minibatch_std" in la.name]
    assert len(mbstd) == 1 and mbstd[0].group_size == 4  # the paper's group


def test_drift_penalty_by_hand():
    assert as_float(drift_penalty(np.array([1.0, -3.0, 2.0, 0.0]))) == pytest.approx(3.5)
    assert as_float(drift_penalty(np.zeros((2, 1)))) == 0.0


# ------------------------------------------------- one graph through every stage


def test_one_traced_train_function_runs_through_every_stage():
    # 16 px: stages 4, 8, 16; 8 images stable and 8 fading per phase, batches of 8
    model = tiny(seed=0, stable_images=8, fade_images=16)
    model.compile()
    traces = []
    train_step = model.train_step

    def counting_train_step(data):
        traces.append(1)  # Python runs only while TF traces the step
        return train_step(data)

    model.train_step = counting_train_step
    variables = [id(v) for v in model.variables]
    names = sorted(v.path for v in model.generator.weights + model.discriminator.weights)
    ds = model.example_data(batch_size=8, batches=2)
    history = model.fit(ds, epochs=1, verbose=0)  # images 0, 8: 4x4, then 8x8 fading
    function = model.train_function
    stages, alphas = list(history.history["stage"]), list(history.history["alpha"])
    for _ in range(5):  # further fit calls: the same compiled function goes on
        h = model.fit(ds, epochs=1, verbose=0)
        stages += h.history["stage"]
        alphas += h.history["alpha"]
        assert model.train_function is function
    assert len(traces) == 1
    assert [id(v) for v in model.variables] == variables  # nothing built on the way
    assert sorted(v.path for v in model.generator.weights + model.discriminator.weights) == names
    assert int(model.step_counter) == 12
    # last step of each fit: images 8, 24, 40, 56, 72, 88
    assert stages == [1, 1, 2, 2, 2, 2]
    np.testing.assert_allclose(alphas, [0.0, 1.0, 0.5, 1.0, 1.0, 1.0], atol=1e-6)
    assert as_float(model.lod) == 0.0  # the last step's level of detail: full size


def test_training_logs_finite_losses_and_moves_the_blocks_of_its_stage():
    model = tiny(seed=0, stable_images=1000, fade_images=1000)  # 4x4 for the whole test
    model.compile()
    g = {v.path: np.array(v) for v in model.generator.trainable_variables}
    history = model.fit(model.example_data(batch_size=8, batches=3), epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "gradient_penalty", "wasserstein",
                                    "drift", "stage", "alpha"}
    for key, values in history.history.items():
        assert np.all(np.isfinite(values)), key
    assert history.history["stage"] == [0.0] and history.history["alpha"] == [1.0]
    after = {v.path: np.array(v) for v in model.generator.trainable_variables}
    moved = {p for p in g if not np.array_equal(g[p], after[p])}
    assert any("4x4" in p for p in moved)
    assert not any("16x16" in p or "8x8" in p for p in moved)  # zero gradient, zero Adam step


# ---------------------------------------------------------------- sampling and exports


def test_exports_and_reload_serve_the_full_size_whatever_the_stage(tmp_path):
    model = tiny(seed=0, stable_images=1000, fade_images=1000)
    model.compile()
    model.fit(model.example_data(batch_size=8, batches=2), epochs=1, verbose=0)
    assert as_float(model.lod) == 2.0  # trained at 4x4 so far
    z = np.random.default_rng(3).standard_normal((3, model.latent_dim)).astype("float32")
    full = np.clip(np.asarray(model.ema_generator(z)[-1]), -1, 1)
    np.testing.assert_allclose(np.asarray(model.generate(z)), full, atol=1e-6)
    # the progress grid shows the current stage: 4x4 blocks nearest-upsampled
    preview = np.asarray(model.preview(z))
    np.testing.assert_allclose(preview, np.clip(np_up(np.asarray(model.ema_generator(z)[0]), 2),
                                                -1, 1), atol=1e-6)
    assert not np.allclose(preview, full)
    served = tf.saved_model.load(export.saved_model(model, str(tmp_path / "sm")))
    fn = served.signatures["serving_default"]
    assert list(fn.structured_input_signature[1]) == ["z"]
    saved = fn(z=tf.constant(z))["images"].numpy()
    assert saved.shape == (3, 16, 16, 1)
    np.testing.assert_allclose(saved, full, atol=1e-5)
    lite = litert_run(export.tflite(model, str(tmp_path / "p.tflite")), "serving_default", z=z)
    np.testing.assert_allclose(lite["images"], full, atol=1e-4)
    model.save(str(tmp_path / "p.keras"))
    again = keras.saving.load_model(str(tmp_path / "p.keras"))
    np.testing.assert_allclose(np.asarray(again.generate(z)), full, atol=1e-6)
    np.testing.assert_allclose(np.asarray(again(z)), np.asarray(model(z)), atol=1e-6)
    assert as_float(again.lod) == 2.0 and int(again.step_counter) == 2


def test_given_networks_that_do_not_fit_and_refused_arguments_are_clear_errors():
    d32 = progan_discriminator((32, 32, 1), width=4, max_width=8)
    with pytest.raises(ValueError, match=r"discriminator maps .*needs \[\(16, 16, 1\), \(1,\)\]"):
        tiny(discriminator=d32)
    with pytest.raises(ValueError, match="ProGAN does not take loss: .*gp_weight"):
        tiny(loss="hinge")
    with pytest.raises(ValueError, match="fade_images must be a positive int"):
        tiny(fade_images=0)


# ------------------------------------------------- kill -9 mid-fade, resume, same weights


def _weights(model):
    return [np.asarray(v) for v in model.weights if "seed" not in v.path]


def test_deterministic_run_killed_mid_fade_resumes_to_the_same_weights(tmp_path):
    # 16 px (4, 8, 16), batches of 8, 3 steps (24 images) per epoch; stable 8,
    # fade 32: 8x8 fades in over images 8-40, 16x16 over 48-80. Epoch 1 ends
    # at 24 images, 8x8 half faded in; the kill lands in epoch 2 (mid-fade).
    def command(run):
        return [sys.executable, "-m", "keras_gans.cli", "train", "progan", "--image-size", "16",
                "--batch-size", "8", "--epochs", "4", "--steps-per-epoch", "3",
                "--set", "latent_dim=8", "--set", "g_width=4", "--set", "d_width=4",
                "--set", "max_width=8", "--set", "stable_images=8", "--set", "fade_images=32",
                "--deterministic", "--no-export", "--run-dir", run]

    # the uninterrupted run goes on beside the one that is killed
    whole = subprocess.Popen(command("whole"), cwd=tmp_path, env=ENV, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    p = subprocess.Popen(command("killed"), cwd=tmp_path, env=ENV, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    for line in p.stdout:
        if line.startswith("Epoch 2/"):  # epoch 1 finished and backed up, 8x8 at alpha 0.5
            os.kill(p.pid, signal.SIGKILL)
            break
    p.wait(timeout=120)
    assert p.returncode == -signal.SIGKILL
    finished = callbacks.Backup.finished_epochs(str(tmp_path / "killed" / "backup"))
    assert finished in (1, 2)

    r = subprocess.run(command("killed"), cwd=tmp_path, env=ENV, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    out, _ = whole.communicate(timeout=600)
    assert whole.returncode == 0, out[-3000:]
    assert r.stdout.startswith(f"Resuming killed after epoch {finished} of 4")
    epochs = [line.split()[1] for line in r.stdout.splitlines() if line.startswith("Epoch ")]
    assert epochs == [f"{e}/4" for e in range(finished + 1, 5)]

    a = keras.saving.load_model(str(tmp_path / "whole" / "model.keras"))
    b = keras.saving.load_model(str(tmp_path / "killed" / "model.keras"))
    assert int(a.step_counter) == int(b.step_counter) == 12
    assert as_float(a.lod) == as_float(b.lod) == 0.0  # 88 images: 16x16 faded in
    wa, wb = _weights(a), _weights(b)
    assert len(wa) == len(wb) > 0
    for x, y in zip(wa, wb):
        np.testing.assert_array_equal(x, y)


def test_mixed_bfloat16_trains_reloads_and_exports(tmp_path):
    keras.utils.set_random_seed(0)
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = tiny(seed=0, stable_images=8, fade_images=8)
        model.compile()
        history = model.fit(model.example_data(batch_size=8, batches=2), epochs=1, verbose=0)
        assert all(np.isfinite(v).all() for v in history.history.values())
        z = np.random.default_rng(0).standard_normal((3, model.latent_dim)).astype("float32")
        expected = np.asarray(model.generate(z))
        assert expected.dtype == np.float32
        model.save(str(tmp_path / "m.keras"))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    again = keras.saving.load_model(str(tmp_path / "m.keras"))
    assert again.generator.get_layer("conv0_16x16").compute_dtype == "bfloat16"
    np.testing.assert_allclose(np.asarray(again.generate(z)), expected, atol=1e-6)
    lite = litert_run(export.tflite(again, str(tmp_path / "m.tflite")), "serving_default", z=z)
    # LiteRT computes a float32 copy. bfloat16's 8-bit mantissa through the
    # pixel norms of a 4-channel G and a linear (no tanh) output leaves a few
    # pixels far apart (up to ~0.3 seen), most of them close
    diff = np.abs(lite["images"] - expected)
    assert lite["images"].shape == expected.shape
    assert diff.mean() < 0.02 and np.percentile(diff, 99) < 0.15
