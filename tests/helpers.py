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


def tiny_labelled_dataset(image_shape, num_classes, batch_size=8, batches=2, seed=0,
                          unlabelled_share=0.0):
    """(images, int32 labels) batches; `unlabelled_share` of the labels are -1."""
    rng = np.random.default_rng(seed)
    n = batch_size * batches
    x = rng.uniform(-1, 1, (n, *image_shape)).astype("float32")
    y = (np.arange(n) % num_classes).astype("int32")
    y[rng.random(n) < unlabelled_share] = -1
    y[0] = 0  # at least one labelled example
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size, drop_remainder=True)


def tiny_pair_dataset(image_shape, batch_size=4, batches=2, seed=0):
    """(A, B) batches of random images in [-1, 1] (B a fixed function of A)."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (batch_size * batches, *image_shape)).astype("float32")
    b = np.clip(0.5 - a, -1, 1).astype("float32")
    return tf.data.Dataset.from_tensor_slices((a, b)).batch(batch_size, drop_remainder=True)


def signature_inputs(model, specs, num=4, seed=3):
    """Example inputs (numpy, by name) for a serving signature's input specs."""
    rng = np.random.default_rng(seed)
    out = {}
    for spec in specs:
        shape = [num] + [int(d) for d in spec.shape[1:]]
        if spec.name == "labels":
            out[spec.name] = rng.integers(0, model.num_classes, shape).astype("int32")
        elif spec.name == "codes":
            out[spec.name] = model.make_codes(num=num, rng=rng)
        elif spec.name == "images":
            out[spec.name] = rng.uniform(-1, 1, shape).astype("float32")
        else:
            out[spec.name] = rng.standard_normal(shape).astype("float32")
    return out


def call_signature(model, name, inputs):
    """Calls the Keras side of `model`'s serving signature `name` (numpy dict out)."""
    fn, specs = model.serving_signatures()[name]
    outputs = fn(*[tf.constant(inputs[s.name]) for s in specs])
    return {k: keras.ops.convert_to_numpy(v) for k, v in outputs.items()}


def needs_signature_test(model):
    """True for models whose exports go beyond `serving_default(z)`."""
    signatures = model.serving_signatures()
    if set(signatures) != {"serving_default"}:
        return True
    return [s.name for s in signatures["serving_default"][1]] != ["z"] or getattr(
        model, "requires_labels", False
    )


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
    if needs_signature_test(model):
        return run_signatures_model_test(name, tmp_path, model)
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


def run_signatures_model_test(name, tmp_path, model=None):
    """`run_model_test` for models that take labels or codes or export more
    signatures: trains on labelled data when the model needs it, and compares
    every signature between Keras, the reloaded .keras, SavedModel and LiteRT."""
    model = model or tiny_model(name)
    shape = model.image_shape
    translator = model.task == "translation"
    if translator:
        ds = tiny_pair_dataset(shape)
    elif getattr(model, "requires_labels", False):
        share = 0.5 if getattr(model, "default_labelled", None) else 0.0
        ds = tiny_labelled_dataset(shape, model.num_classes, unlabelled_share=share)
    else:
        ds = tiny_dataset(shape)
    nets = {n: getattr(model, n) for n in ("generator", "discriminator", "encoder", "classifier",
                                           "generator_ba", "discriminator_a")
            if getattr(model, n, None) is not None}
    before = {n: weights_of(net) for n, net in nets.items()}

    history = model.fit(ds, epochs=1, verbose=0)
    for key, values in history.history.items():
        assert np.all(np.isfinite(values)), f"{name}: {key} is not finite: {values}"
    for n, net in nets.items():
        assert changed(before[n], weights_of(net)), f"{name}: {n} did not change"

    kwargs = {"labels": [0, 1, 0, 1, 0]} if getattr(model, "condition_name", None) == "labels" else {}
    if translator:
        kwargs = {"images": next(iter(tiny_pair_dataset(shape, batch_size=5)))[0].numpy()}
    images = model.sample(5, seed=1, **kwargs)
    assert images.shape == (5, *shape) and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    np.testing.assert_array_equal(images, model.sample(5, seed=1, **kwargs))

    signatures = model.serving_signatures()
    inputs = {n: signature_inputs(model, specs) for n, (_, specs) in signatures.items()}
    expected = {n: call_signature(model, n, inputs[n]) for n in signatures}

    path = os.path.join(tmp_path, f"{name}.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)  # no custom_objects
    assert type(reloaded) is type(model)
    for n in signatures:
        for key, value in call_signature(reloaded, n, inputs[n]).items():
            np.testing.assert_allclose(value, expected[n][key], atol=1e-6, err_msg=f"{name} {n}")
    assert int(reloaded.g_optimizer.iterations) == int(model.g_optimizer.iterations)

    version_dir = export.saved_model(model, os.path.join(tmp_path, "sm"))
    loaded = tf.saved_model.load(version_dir)
    assert set(loaded.signatures) == set(signatures)
    for n in signatures:
        got = loaded.signatures[n](**{k: tf.constant(v) for k, v in inputs[n].items()})
        for key, value in expected[n].items():
            np.testing.assert_allclose(got[key].numpy(), value, atol=1e-5, err_msg=f"{name} {n}")

    tfl = export.tflite(model, os.path.join(tmp_path, f"{name}.tflite"))
    for n in signatures:
        got = litert_run(tfl, n, **inputs[n])
        for key, value in expected[n].items():
            np.testing.assert_allclose(got[key], value, atol=1e-4, err_msg=f"{name} {n} (LiteRT)")
    return model
