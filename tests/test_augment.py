"""Augmentation of D's inputs (`GAN(augment=...)`, `keras_gans.augment`): each
op against what it should do, gradients through all of them, ADA's p
controller (direction, size, clipping, saved state), `augment=None` changing
nothing, and dcgan / cgan training with each option (also on two replicas)."""

import functools
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras_gans import augment, callbacks, registry
from helpers import tiny_dataset, tiny_labelled_dataset, tiny_model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(-1, 1, (4, 16, 16, 3)).astype("float32")


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


# ------------------------------------------------------------------ the ops


@pytest.mark.parametrize("mode", ["constant", "reflect"])
def test_translation_moves_the_content_by_the_shift(mode):
    dy, dx = np.array([2, -3, 0, 4]), np.array([1, 0, -2, -4])
    out = _np(augment.translate(IMAGES, dy, dx, fill=0.5, mode=mode))
    h, w = IMAGES.shape[1:3]
    for b in range(4):
        for y in range(h):
            for x in range(w):
                sy, sx = y - dy[b], x - dx[b]
                if mode == "reflect":
                    sy, sx = abs(sy), abs(sx)
                    sy, sx = (2 * (h - 1) - sy if sy >= h else sy), (2 * (w - 1) - sx if sx >= w else sx)
                    expected = IMAGES[b, sy, sx]
                elif 0 <= sy < h and 0 <= sx < w:
                    expected = IMAGES[b, sy, sx]
                else:
                    expected = np.full(3, 0.5, "float32")
                np.testing.assert_array_equal(out[b, y, x], expected)


def test_diffaugment_translation_is_the_drawn_shift_of_at_most_an_eighth():
    u = np.zeros((4, augment.DIFFAUGMENT_UNIFORMS), "float32")
    u[:, 3] = [0.0, 0.999, 0.5, 0.3]  # 16 px: shifts -2..2 (int(16/8 + .5) = 2), 5 values
    u[:, 4] = [0.5, 0.5, 0.0, 0.999]
    out = _np(augment.diffaugment(IMAGES, u, policy="translation"))
    expected = augment.translate(IMAGES, [-2, 2, 0, -1], [0, 0, -2, 2], fill=0.0)
    np.testing.assert_array_equal(out, _np(expected))


def test_cutout_sets_the_square_to_fill():
    out = _np(augment.cutout(IMAGES, [8, 0, 16, 5], [8, 3, 16, 10], 8, fill=0.0))
    for b, (cy, cx) in enumerate([(8, 8), (0, 3), (16, 16), (5, 10)]):
        mask = np.zeros((16, 16), bool)
        mask[max(cy - 4, 0):cy + 4, max(cx - 4, 0):cx + 4] = True
        np.testing.assert_array_equal(out[b][mask], 0.0)
        np.testing.assert_array_equal(out[b][~mask], IMAGES[b][~mask])
    assert (out[0] == 0).all(axis=-1).sum() == 64  # a whole 8x8 square inside
    assert (out[1] == 0).all(axis=-1).sum() == 4 * 7  # clipped at the top and left
    # `apply`: only the chosen images are cut
    some = _np(augment.cutout(IMAGES, [8] * 4, [8] * 4, 8, apply=[True, False, True, False]))
    np.testing.assert_array_equal(some[1], IMAGES[1])
    assert (some[2] == 0).all(axis=-1).sum() == 64


def test_diffaugment_cutout_is_half_the_side():
    u = np.full((4, augment.DIFFAUGMENT_UNIFORMS), 0.5, "float32")
    out = _np(augment.diffaugment(IMAGES, u, policy=["cutout"]))
    assert ((out == 0).all(axis=-1).sum(axis=(1, 2)) == 64).all()  # 8x8 of 16x16, centred


def test_colour_ops_change_the_statistics_as_specified():
    b = _np(augment.brightness(IMAGES, [0.5, -0.25, 0.0, 0.1]))
    np.testing.assert_allclose(b - IMAGES, np.broadcast_to(
        np.array([0.5, -0.25, 0.0, 0.1], "float32")[:, None, None, None], IMAGES.shape), atol=1e-6)
    c = _np(augment.contrast(IMAGES, [0.5, 1.5, 1.0, 0.0]))
    np.testing.assert_allclose(c.mean(axis=(1, 2, 3)), IMAGES.mean(axis=(1, 2, 3)), atol=1e-6)
    np.testing.assert_allclose(c.std(axis=(1, 2, 3)),
                               IMAGES.std(axis=(1, 2, 3)) * [0.5, 1.5, 1.0, 0.0], atol=1e-6)
    s = _np(augment.saturation(IMAGES, [0.0, 2.0, 1.0, 0.5]))
    np.testing.assert_allclose(s.mean(axis=-1), IMAGES.mean(axis=-1), atol=1e-6)  # luma kept
    np.testing.assert_allclose(s[0], np.repeat(IMAGES[0].mean(-1, keepdims=True), 3, -1),
                               atol=1e-6)  # factor 0: grey
    dev = lambda x: x - x.mean(axis=-1, keepdims=True)  # noqa: E731
    np.testing.assert_allclose(dev(s[1]), 2 * dev(IMAGES[1]), atol=1e-5)
    np.testing.assert_allclose(s[2], IMAGES[2], atol=1e-6)
    grey = IMAGES[..., :1]
    np.testing.assert_array_equal(_np(augment.saturation(grey, [0.0, 2.0, 1.0, 0.5])), grey)


def test_diffaugment_colour_draws_are_the_papers_ranges():
    u = np.zeros((4, augment.DIFFAUGMENT_UNIFORMS), "float32")
    u[:, 0] = [0.0, 1.0, 0.5, 0.75]  # brightness u - 0.5
    u[:, 1] = 0.5  # saturation 2u = 1: unchanged
    u[:, 2] = [0.5, 0.5, 1.0, 0.0]  # contrast u + 0.5
    out = _np(augment.diffaugment(IMAGES, u, policy="color"))
    expected = augment.contrast(augment.brightness(IMAGES, [-0.5, 0.5, 0.0, 0.25]),
                                [1.0, 1.0, 1.5, 0.5])
    np.testing.assert_allclose(out, _np(expected), atol=1e-6)


def test_flip_and_quarter_turns_match_numpy():
    np.testing.assert_array_equal(_np(augment.flip_x(IMAGES, [True, False, True, False]))[0],
                                  IMAGES[0, :, ::-1])
    out = _np(augment.rotate90(IMAGES, [0, 1, 2, 3]))
    for b in range(4):
        np.testing.assert_array_equal(out[b], np.rot90(IMAGES[b], b, axes=(0, 1)))
    with pytest.raises(ValueError, match="square"):
        augment.rotate90(np.zeros((2, 8, 6, 1), "float32"), [1, 1])


def test_ada_at_p_0_is_the_identity_and_at_p_1_applies_every_op():
    u = tf.random.stateless_uniform([4, augment.ADA_UNIFORMS], seed=[1, 2])
    n = tf.random.stateless_normal([4, augment.ADA_NORMALS], seed=[1, 3])
    np.testing.assert_array_equal(_np(augment.ada_augment(IMAGES, 0.0, u, n)), IMAGES)
    u1 = np.array(u)
    u1[:, len(augment.ADA_OPS):] = 0.999  # 3 turns, shifts +2, cutout at the corner
    u1[:, len(augment.ADA_OPS)] = 0.0  # and flipped (below 1/2)
    out = _np(augment.ada_augment(IMAGES, 1.0, u1, n))
    x = np.rot90(IMAGES[:, :, ::-1], 3, axes=(1, 2))
    x = _np(augment.translate(x, [2] * 4, [2] * 4, mode="reflect"))
    x = _np(augment.brightness(x, np.array(n)[:, 0] * 0.2))
    x = _np(augment.contrast(x, 2.0 ** (np.array(n)[:, 1] * 0.5)))
    x = _np(augment.cutout(x, [16] * 4, [16] * 4, 8))
    np.testing.assert_allclose(out, x, atol=1e-5)


def test_ada_ops_leave_out_the_ops_not_named():
    u = np.array(tf.random.stateless_uniform([4, augment.ADA_UNIFORMS], seed=[1, 2]))
    n = tf.random.stateless_normal([4, augment.ADA_NORMALS], seed=[1, 3])
    u[:, len(augment.ADA_OPS):] = 0.999
    u[:, len(augment.ADA_OPS)] = 0.0
    out = _np(augment.ada_augment(IMAGES, 1.0, u, n, ops=("translation", "cutout")))
    x = _np(augment.translate(IMAGES, [2] * 4, [2] * 4, mode="reflect"))  # no flip, no turns
    x = _np(augment.cutout(x, [16] * 4, [16] * 4, 8))  # no brightness, no contrast
    np.testing.assert_allclose(out, x, atol=1e-6)
    assert augment.check_ada_ops("translation, cutout") == ("translation", "cutout")
    with pytest.raises(ValueError, match="ada_ops must name one or more of xflip"):
        augment.check_ada_ops("translation,zoom")
    with pytest.raises(ValueError, match="ada_ops must name"):
        tiny_model("dcgan", augment="ada", ada_ops=())
    m = tiny_model("dcgan", augment="ada", ada_ops="translation,brightness")
    assert m.ada_ops == ("translation", "brightness")
    assert type(m).from_config(m.get_config()).ada_ops == ("translation", "brightness")


def test_ops_check_their_inputs():
    with pytest.raises(ValueError, match=r"\[batch, height, width, channels\]"):
        augment.diffaugment(np.zeros((16, 16, 1), "float32"), np.zeros((1, 7), "float32"))
    with pytest.raises(ValueError, match=r"u must be \[batch, 7\]"):
        augment.diffaugment(IMAGES, np.zeros((4, 3), "float32"))
    with pytest.raises(ValueError, match="policy may hold"):
        augment.diffaugment(IMAGES, np.zeros((4, 7), "float32"), policy="color,zoom")
    with pytest.raises(ValueError, match="kimg must be a positive number"):
        augment.ada_adjustment(1.0, 0.6, 64, 0)


@pytest.mark.parametrize("op", ["brightness", "saturation", "contrast", "translate", "reflect",
                                "cutout", "flip_x", "rotate90", "diffaugment", "ada"])
def test_gradients_flow_through_every_op(op):
    x = tf.Variable(IMAGES)
    u = tf.random.stateless_uniform([4, augment.ADA_UNIFORMS], seed=[4, 5])
    n = tf.random.stateless_normal([4, augment.ADA_NORMALS], seed=[4, 6])
    weights = tf.random.stateless_normal(IMAGES.shape, seed=[7, 7])
    fn = {
        "brightness": lambda v: augment.brightness(v, u[:, 0]),
        "saturation": lambda v: augment.saturation(v, u[:, 0] * 2),
        "contrast": lambda v: augment.contrast(v, u[:, 0] + 0.5),
        "translate": lambda v: augment.translate(v, [1, -2, 0, 3], [2, 0, -1, -3]),
        "reflect": lambda v: augment.translate(v, [1, -2, 0, 3], [2, 0, -1, -3], mode="reflect"),
        "cutout": lambda v: augment.cutout(v, [8] * 4, [4] * 4, 8),
        "flip_x": lambda v: augment.flip_x(v, [True, False, True, False]),
        "rotate90": lambda v: augment.rotate90(v, [0, 1, 2, 3]),
        "diffaugment": lambda v: augment.diffaugment(v, u[:, :augment.DIFFAUGMENT_UNIFORMS]),
        "ada": lambda v: augment.ada_augment(v, 0.7, u, n),
    }[op]
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(fn(x) * weights)
    grad = _np(tape.gradient(loss, x))
    assert np.all(np.isfinite(grad))
    assert np.mean(grad != 0) > 0.3  # most pixels reach the output
    # and it is the true gradient (checked on one pixel by finite differences)
    eps = 1e-2
    for index in [(0, 8, 8, 0), (2, 9, 5, 1)]:
        d = np.zeros_like(IMAGES)
        d[index] = eps
        f = lambda v: float(tf.reduce_sum(fn(tf.constant(v)) * weights))  # noqa: E731
        numeric = (f(IMAGES + d) - f(IMAGES - d)) / (2 * eps)
        np.testing.assert_allclose(grad[index], numeric, rtol=2e-2, atol=2e-3)


# ------------------------------------------------------------------ the model


def test_the_hook_augments_only_the_images_and_draws_from_the_models_seed():
    model = tiny_model("cgan", augment="diffaugment", seed=3)
    images = tf.constant(IMAGES[..., :1][:, :model.image_shape[0], :model.image_shape[1]])
    labels = tf.constant([1, 2, 3, 4])
    out = model.augment_discriminator_inputs([images, labels])
    assert isinstance(out, list) and out[1] is labels
    assert not np.array_equal(_np(out[0]), _np(images))
    other = tiny_model("cgan", augment="diffaugment", seed=3)
    np.testing.assert_array_equal(_np(other.augment_discriminator_inputs([images, labels])[0]),
                                  _np(out[0]))  # the same seed, the same draws
    plain = tiny_model("cgan")
    assert plain.augment_discriminator_inputs([images, labels])[0] is images


def _constant_sign_discriminator(image_shape, sign):
    """A D whose output has one sign whatever its weights: sign * (|w.x| + 1)."""
    x = keras.Input(image_shape)
    h = keras.layers.Dense(1)(keras.layers.Flatten()(x))
    out = keras.layers.Activation(lambda t: sign * (keras.ops.abs(t) + 1.0))(h)
    return keras.Model(x, out, name="discriminator")


def _ada_model(sign, **kw):
    shape = registry.tiny_config("dcgan")["image_shape"]
    return tiny_model("dcgan", augment="ada", seed=0,
                      discriminator=_constant_sign_discriminator(shape, sign), **kw)


def test_ada_p_rises_by_the_papers_step_when_d_is_sure_of_the_reals():
    # batch 8, every 4 steps: 32 images per adjustment; kimg 0.32: +0.1 each time.
    model = _ada_model(+1.0, ada_kimg=0.32)
    seen = []
    probe = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda b, logs: seen.append(float(_np(model.ada_p))))
    history = model.fit(tiny_dataset(model.image_shape, batches=10), epochs=1, verbose=0,
                        callbacks=[probe])
    np.testing.assert_allclose(seen, [0, 0, 0, .1, .1, .1, .1, .2, .2, .2], atol=1e-6)
    assert history.history["ada_rt"] == [1.0]
    np.testing.assert_allclose(history.history["ada_p"], np.mean(seen), atol=1e-6)
    assert float(_np(model.ada_signs)) == 2.0  # two steps into the next interval
    # p stops at 1
    model.ada_p.assign(0.95)
    model.fit(tiny_dataset(model.image_shape, batches=8), epochs=1, verbose=0)
    assert float(_np(model.ada_p)) == 1.0


def test_ada_p_falls_when_d_calls_the_reals_fake_and_stops_at_0():
    model = _ada_model(-1.0, ada_kimg=0.32, ada_interval=2, ada_target=0.5)
    model.ada_p.assign(0.25)
    seen = []
    probe = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda b, logs: seen.append(float(_np(model.ada_p))))
    history = model.fit(tiny_dataset(model.image_shape, batches=6), epochs=1, verbose=0,
                        callbacks=[probe])
    # every 2 steps: 16 images / 320 = -0.05
    np.testing.assert_allclose(seen, [.25, .2, .2, .15, .15, .1], atol=1e-6)
    assert history.history["ada_rt"] == [-1.0]
    model.fit(tiny_dataset(model.image_shape, batches=10), epochs=1, verbose=0)
    assert float(_np(model.ada_p)) == 0.0


def test_ada_state_survives_keras_save_and_a_backup(tmp_path):
    keras.utils.set_random_seed(0)
    model = tiny_model("dcgan", augment="ada", seed=0, ada_kimg=0.32)
    model.ada_p.assign(0.3)
    model.fit(tiny_dataset(model.image_shape, batches=6), epochs=1, verbose=0)
    p, signs = float(_np(model.ada_p)), float(_np(model.ada_signs))
    assert p in (pytest.approx(0.2), pytest.approx(0.4))  # one adjustment, 2 steps summed
    path = str(tmp_path / "ada.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    assert again.augment == "ada" and again.ada_kimg == 0.32
    assert float(_np(again.ada_p)) == p and float(_np(again.ada_signs)) == signs
    assert "ada_p" in again.trackers

    class Crash(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    backup_dir = str(tmp_path / "backup")
    killed = tiny_model("dcgan", augment="ada", seed=0, ada_kimg=0.32)
    killed.ada_p.assign(0.3)
    with pytest.raises(KeyboardInterrupt):
        killed.fit(tiny_dataset(killed.image_shape, batches=6), epochs=2, verbose=0,
                   callbacks=[callbacks.Backup(backup_dir), Crash()])
    resumed = tiny_model("dcgan", augment="ada", seed=0, ada_kimg=0.32)
    restore = callbacks.Backup(backup_dir)
    restore.set_model(resumed)
    restore.on_train_begin()
    assert float(_np(resumed.ada_p)) == float(_np(killed.ada_p)) != 0.3
    assert float(_np(resumed.ada_signs)) == float(_np(killed.ada_signs))


def _trained_weights(name, seed_weights=0, **kw):
    keras.utils.set_random_seed(seed_weights)
    model = tiny_model(name, seed=0, **kw)
    ds = (tiny_labelled_dataset(model.image_shape, model.num_classes) if name == "cgan"
          else tiny_dataset(model.image_shape))
    history = model.fit(ds, epochs=2, verbose=0)
    return model, [np.array(w) for w in model.weights], history.history


@functools.lru_cache(maxsize=None)
def _plain_weights(name):
    """The weights of `_trained_weights(name)` without augmentation, trained
    once per worker for both options' comparisons."""
    return _trained_weights(name)[1]


def test_augment_none_trains_bit_identically_to_no_argument():
    for name in ("dcgan", "cgan"):
        _, absent, logs_absent = _trained_weights(name)
        model, none, logs_none = _trained_weights(name, augment=None)
        assert model.augment is None and set(logs_none) == {"d_loss", "g_loss"}
        assert len(absent) == len(none)
        assert all(np.array_equal(a, b) for a, b in zip(absent, none))
        assert logs_absent == logs_none
        assert "augment" not in model.get_config() or model.get_config()["augment"] is None


@pytest.mark.parametrize("name", ["dcgan", "cgan"])
@pytest.mark.parametrize("option", ["diffaugment", "ada"])
def test_tiny_models_train_with_each_option(name, option):
    model, weights, logs = _trained_weights(name, augment=option)
    assert all(np.isfinite(v).all() for v in logs.values())
    plain = _plain_weights(name)
    assert not all(np.array_equal(a, b) for a, b in zip(plain, weights[:len(plain)]))
    _, again, _ = _trained_weights(name, augment=option)  # the seed fixes the augmentations
    assert all(np.array_equal(a, b) for a, b in zip(weights, again))
    if option == "ada":
        assert {"ada_p", "ada_rt"} <= set(logs)
        assert [w.name for w in model.weights[:3]] == ["step_counter", "ada_p", "ada_signs"]


def test_models_whose_losses_bypass_the_hook_refuse_augment():
    with pytest.raises(ValueError, match="BEGAN does not take augment: .*its own generator_loss"):
        keras_gans.get("began", augment="diffaugment", **registry.tiny_config("began"))
    with pytest.raises(ValueError, match="VAE does not take ada_kimg"):
        keras_gans.get("vae", ada_kimg=5.0)
    keras_gans.get("began", augment=None, **registry.tiny_config("began"))  # none: fine
    assert "augment" not in keras_gans.models.BEGAN.constructor_arguments()
    assert "augment" in keras_gans.models.WGANGP.constructor_arguments()  # own D loss only
    with pytest.raises(ValueError, match="augment must be one of 'diffaugment', 'ada'; got 'ADA'"):
        keras_gans.get("dcgan", augment="ADA")
    with pytest.raises(ValueError, match=r"ada_target must be a number in \[0, 1\]"):
        keras_gans.get("dcgan", augment="ada", ada_target=1.5)


def test_augmented_step_on_two_replicas_equals_one_device():
    """tests/replicas.py's comparison (fixed per-replica noise, one step,
    eager) with augmentation on, p at 0.5 and adjusted after the step."""
    code = (
        "import tests.replicas as r\n"
        "from keras_gans import registry\n"
        "import keras_gans\n"
        "tiny, get = registry.tiny_config, keras_gans.get\n"
        "def build(name, **kw):\n"
        "    m = get(name, **kw)\n"
        "    if m.augment == 'ada':\n"
        "        m.ada_p.assign(0.5)\n"
        "    return m\n"
        "r.keras_gans.get = build\n"
        "for option in ('diffaugment', 'ada'):\n"
        "    registry.tiny_config = lambda name, o=option: dict(\n"
        "        tiny(name), augment=o, ada_interval=1)\n"
        "    r.main(['dcgan', 'cgan', '--eager'])\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    results = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    assert len(results) == 4
    for res in results:
        assert "error" not in res, res.get("error")
        assert res["moved"] > 1e-6
        assert res["weight_diff"] <= 1e-5, (res["model"], res["weight_diff"], res["worst"])
        for k, v in res["logs_one"].items():
            assert abs(v - res["logs_two"][k]) <= 1e-4 * max(1.0, abs(v)), (res["model"], k)
    ada = [res for res in results[2:]]
    assert all("ada_p" in res["logs_one"] for res in ada)
    assert all(res["logs_one"]["ada_p"] != 0.5 for res in ada)  # p moved, equally on both


def test_the_shared_model_checks_pass_with_ada(tmp_path):
    """Train, .keras reload, SavedModel and LiteRT (`keras_gans.testing`) with
    ADA's state variables in the model."""
    from keras_gans import testing

    testing.run_model_test(tiny_model("cgan", augment="ada"), str(tmp_path), name="cgan")
