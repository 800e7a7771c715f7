"""`NativeResolution` (G's images kept in the subspace that a bilinear resize
from the data's own side spans) and ConvGAN's `native_size`."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from keras_gans.layers import NativeResolution
from keras_gans.layers.resample import bilinear_matrix


def test_the_resize_matrix_is_tensorflows_bilinear_resize():
    for source, target in ((8, 32), (7, 28), (5, 16), (8, 8)):
        basis = np.eye(source, dtype="float32").reshape(source, source, 1, 1)
        tf_rows = tf.image.resize(basis, (target, 1), method="bilinear").numpy()
        np.testing.assert_allclose(bilinear_matrix(source, target),
                                   tf_rows.reshape(source, target).T, atol=1e-6)


def test_resized_images_pass_unchanged_and_others_are_projected():
    rng = np.random.default_rng(0)
    small = rng.uniform(-1, 1, (6, 8, 8, 2)).astype("float32")
    big = tf.image.resize(small, (32, 32), method="bilinear").numpy()
    layer = NativeResolution(8)
    np.testing.assert_allclose(np.asarray(layer(big)), big, atol=1e-5)

    noise = rng.standard_normal((6, 32, 32, 2)).astype("float32")
    once = np.asarray(layer(noise))
    # A projection: idempotent, and what it drops is orthogonal to every resized image.
    np.testing.assert_allclose(np.asarray(layer(once)), once, atol=1e-4)
    dropped = (noise - once).transpose(0, 3, 1, 2).reshape(12, -1)
    np.testing.assert_allclose(dropped @ big.transpose(0, 3, 1, 2).reshape(12, -1).T, 0.0, atol=1e-3)
    # ... and its result is the resize of some 8x8 image: 64 dimensions of 1024 per channel.
    flat = once[..., 0].reshape(6, -1)
    ups = tf.image.resize(np.eye(64, dtype="float32").reshape(64, 8, 8, 1), (32, 32)).numpy()
    coef, *_ = np.linalg.lstsq(ups.reshape(64, -1).T, flat.T, rcond=None)
    np.testing.assert_allclose(ups.reshape(64, -1).T @ coef, flat.T, atol=1e-4)
    assert np.linalg.norm(noise - once) > 0.9 * np.linalg.norm(noise)


def test_clip_and_bad_arguments():
    x = np.full((1, 16, 16, 1), 0.99, "float32")
    x[0, ::2, ::2] = -0.99
    assert np.asarray(NativeResolution(4, clip=(-0.5, 0.5))(x)).max() <= 0.5
    with pytest.raises(ValueError, match="native_size"):
        NativeResolution(1)
    with pytest.raises(ValueError, match="clip"):
        NativeResolution(8, clip=(1.0, -1.0))
    # At or below the native side every image is a resize from it: nothing changes.
    for side in (8, 6):
        y = np.random.default_rng(side).standard_normal((2, side, side, 1)).astype("float32")
        np.testing.assert_allclose(np.asarray(NativeResolution(8)(y)), y, atol=1e-5)
    with pytest.raises(ValueError, match="native_size"):
        keras_gans.get("dcgan", native_size=0)


def test_dcgan_with_native_size_trains_reloads_and_exports_in_the_subspace(tmp_path):
    from keras_gans import export
    from keras_gans.testing import litert_run

    m = keras_gans.get("dcgan", native_size=4, image_shape=(16, 16, 1), latent_dim=8, g_width=4,
                       d_width=4, ema=0.9, seed=0)
    m.compile()
    before = [np.asarray(w).copy() for w in m.generator.trainable_weights]
    m.fit(keras_gans.data.load("digits", image_size=16, batch_size=16).take(3), epochs=1, verbose=0)
    assert any(not np.allclose(a, np.asarray(b)) for a, b in zip(before, m.generator.trainable_weights))
    samples = np.asarray(m.sample(8, seed=3))
    assert samples.min() >= -1.0 and samples.max() <= 1.0
    np.testing.assert_allclose(np.asarray(NativeResolution(4)(samples)), samples, atol=1e-5)

    m.save(tmp_path / "m.keras")
    reloaded = keras.saving.load_model(tmp_path / "m.keras")
    assert reloaded.get_config()["native_size"] == 4
    np.testing.assert_allclose(reloaded.sample(8, seed=3), samples, atol=1e-6)

    path = export.tflite(m, str(tmp_path / "m.tflite"))
    z = np.random.default_rng(0).standard_normal((5, 8)).astype("float32")
    np.testing.assert_allclose(litert_run(path, "serving_default", z=z)["images"],
                               np.asarray(m.generate(z)), atol=1e-4)


def test_dcgan_on_digits_takes_native_size_from_its_data_preset(tmp_path, monkeypatch):
    # issue 16: on digits (8x8 resized to the model's side) dcgan's G ends in
    # NativeResolution(8); other data keep DCGAN's plain G, and a user's
    # --set wins over the data preset.
    from helpers import one_step_run, tiny_fashion_mnist

    tiny_fashion_mnist(tmp_path, monkeypatch)

    def projected(model):
        return [layer.native_size for layer in model.generator.layers
                if isinstance(layer, NativeResolution)]

    small = {"g_width": 4, "d_width": 4}
    digits = one_step_run("dcgan", "digits", tmp_path / "digits", **small)
    preset = keras_gans.models.DCGAN.data_presets["digits"]
    assert preset["native_size"] == 8 and projected(digits) == [8]
    assert float(digits.g_optimizer.learning_rate) == pytest.approx(preset["learning_rate"])
    assert digits.latent_dim == preset["latent_dim"]
    samples = np.asarray(digits.sample(4, seed=0))
    np.testing.assert_allclose(np.asarray(NativeResolution(8)(samples)), samples, atol=1e-5)

    fashion = one_step_run("dcgan", "fashion_mnist", tmp_path / "fashion", **small)
    assert projected(fashion) == [] and fashion.get_config().get("native_size") is None
    assert float(fashion.g_optimizer.learning_rate) == pytest.approx(2e-4)
    own = one_step_run("dcgan", "digits:test", tmp_path / "own", native_size=None, **small)
    assert projected(own) == []
