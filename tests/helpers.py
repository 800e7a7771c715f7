"""Shared test helpers: every registered model goes through `run_model_test`."""

import os

import numpy as np
import tensorflow as tf

import keras
import keras_gans
from keras_gans import export, registry


def tiny_model(name, **overrides):
    config = registry.tiny_config(name)
    config.update(overrides)
    model = keras_gans.get(name, **config)
    model.compile()
    return model


def tiny_dataset(image_shape, batch_size=8, batches=2, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (batch_size * batches, *image_shape)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(batch_size, drop_remainder=True)


def weights_of(net):
    return [np.array(w) for w in net.trainable_weights]


def changed(before, after):
    return any(not np.allclose(a, b) for a, b in zip(before, after))


def litert_run(path, signature, **inputs):
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=path).get_signature_runner(signature)
    return runner(**{k: np.asarray(v) for k, v in inputs.items()})


def run_model_test(name, tmp_path):
    """Fit 2 steps, then check losses, updates, samples, .keras, SavedModel, LiteRT."""
    model = tiny_model(name)
    shape = model.image_shape
    g0, d0 = weights_of(model.generator), weights_of(model.discriminator)

    history = model.fit(tiny_dataset(shape), epochs=1, verbose=0)
    for key, values in history.history.items():
        assert np.all(np.isfinite(values)), f"{name}: {key} is not finite: {values}"
    assert changed(g0, weights_of(model.generator)), f"{name}: G did not change"
    assert changed(d0, weights_of(model.discriminator)), f"{name}: D did not change"

    images = model.sample(5, seed=1)
    assert images.shape == (5, *shape) and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    np.testing.assert_array_equal(images, model.sample(5, seed=1))

    z = np.random.default_rng(3).standard_normal((4, model.latent_dim)).astype("float32")
    expected = keras.ops.convert_to_numpy(model.generate(z))

    path = os.path.join(tmp_path, f"{name}.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)  # no custom_objects
    assert type(reloaded) is type(model)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(reloaded.generate(z)), expected, atol=1e-6)
    assert int(reloaded.g_optimizer.iterations) == int(model.g_optimizer.iterations)

    version_dir = export.saved_model(model, os.path.join(tmp_path, "sm"))
    loaded = tf.saved_model.load(version_dir)
    out = loaded.signatures["serving_default"](z=tf.constant(z))["images"].numpy()
    np.testing.assert_allclose(out, expected, atol=1e-5)

    tfl = export.tflite(model, os.path.join(tmp_path, f"{name}.tflite"))
    lite = litert_run(tfl, "serving_default", z=z)["images"]
    np.testing.assert_allclose(lite, expected, atol=1e-4)
    return model
