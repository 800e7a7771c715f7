"""One check for any keras-gans model, through its players and signatures.

`run_model_test(model, directory)` is what the test suite runs for every
registered model (on its tiny config), and what a contributor runs for a new
one: it asks the model for everything it needs (`players`,
`example_data()`, `example_sample_kwargs()`, `serving_signatures()`,
`optimizers`), so it lists no network by attribute name and knows no kind of
model.

Example:
```python
import keras_gans
from keras_gans import registry, testing

model = keras_gans.get("dcgan", **registry.tiny_config("dcgan"))
model.compile()
testing.run_model_test(model, "/tmp/check")
```
"""

import os

import numpy as np
import tensorflow as tf

import keras


def networks_of(model):
    """Every network among `model.players` (lists flattened): name -> network."""
    out = {}
    for name, net in model.players.items():
        if isinstance(net, (list, tuple)):
            out.update({f"{name}[{i}]": n for i, n in enumerate(net)})
        else:
            out[name] = net
    return out


def weights_of(network):
    """Copies of `network`'s trainable weights (numpy)."""
    return [np.array(w) for w in network.trainable_weights]


def changed(before, after):
    """True when any weight differs between two `weights_of` lists."""
    return any(not np.allclose(a, b) for a, b in zip(before, after))


def signature_inputs(model, specs, num=4, seed=3):
    """Example inputs (numpy, by input name) for a serving signature's specs.

    Args:
        model: the model (its `num_classes` / `make_codes` for labels / codes).
        specs: list of `tf.TensorSpec`. The signature's inputs.
        num: int. Rows.
        seed: int. Seed of the draws.
    """
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


def litert_run(path, signature, **inputs):
    """Runs signature `signature` of the `.tflite` file `path` with LiteRT."""
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=path).get_signature_runner(signature)
    return runner(**{k: np.asarray(v) for k, v in inputs.items()})


def run_model_test(model, directory, data=None, name=None):
    """Trains, samples, saves, reloads and exports `model`, checking each step.

    - `fit` for one epoch of `data` (the model's `example_data()` when None):
      every logged value is finite and every player's weights changed;
    - `discriminator_outputs` on a real batch has a row per image, not all the
      same (None only for a model without D);
    - `sample` gives float32 images of the model's shape in [-1, 1], the same
      for the same seed;
    - the `.keras` file reloads with no custom_objects, as the same class,
      with the same signature outputs and the same optimizer steps;
    - the SavedModel, loaded with plain `tf.saved_model.load`, and the LiteRT
      model give the same outputs for every signature (1e-5 and 1e-4).

    Args:
        model: a compiled keras-gans model.
        directory: str. Where the files go.
        data: `tf.data.Dataset` or None.
        name: str or None. Names the model in failures.

    Returns:
        The trained model.
    """
    from keras_gans import export

    name = name or getattr(model, "registry_name", type(model).__name__)
    shape = model.image_shape
    nets = networks_of(model)
    before = {n: weights_of(net) for n, net in nets.items()}
    history = model.fit(model.example_data() if data is None else data, epochs=1, verbose=0)
    for key, values in history.history.items():
        assert np.all(np.isfinite(values)), f"{name}: {key} is not finite: {values}"
    for n, net in nets.items():
        assert changed(before[n], weights_of(net)), f"{name}: {n} did not change"
    # DiscriminatorCheck's probe: D's outputs on a real batch, one row per
    # image, not the same for every image (a live D).
    from keras_gans.training.callbacks import constant_outputs

    batch = next(iter(model.example_data(batch_size=4, batches=1) if data is None else data))
    outputs = model.discriminator_outputs(batch)
    if outputs is not None:
        rows = int(keras.ops.shape(model.unpack_images(batch))[0])
        for leaf in keras.tree.flatten(outputs):
            assert leaf.shape[0] == rows, f"{name}: discriminator_outputs gave {leaf.shape}"
        assert not constant_outputs(outputs), f"{name}: D gives one output for every image"

    kwargs = model.example_sample_kwargs(5, seed=1)
    images = model.sample(5, seed=1, **kwargs)
    assert images.shape == (5, *shape) and images.dtype == np.float32, images.shape
    assert images.min() >= -1.0 and images.max() <= 1.0
    np.testing.assert_array_equal(images, model.sample(5, seed=1, **kwargs))

    signatures = model.serving_signatures()
    inputs = {n: signature_inputs(model, specs) for n, (_, specs) in signatures.items()}
    expected = {n: call_signature(model, n, inputs[n]) for n in signatures}

    path = os.path.join(directory, f"{name}.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)  # no custom_objects
    assert type(reloaded) is type(model)
    for n in signatures:
        for key, value in call_signature(reloaded, n, inputs[n]).items():
            np.testing.assert_allclose(value, expected[n][key], atol=1e-6, err_msg=f"{name} {n}")
    for group, opt in getattr(model, "optimizers", {}).items():
        assert int(reloaded.optimizers[group].iterations) == int(opt.iterations), group

    version_dir = export.saved_model(model, os.path.join(directory, "sm"))
    loaded = tf.saved_model.load(version_dir)
    assert set(loaded.signatures) == set(signatures)
    for n in signatures:
        got = loaded.signatures[n](**{k: tf.constant(v) for k, v in inputs[n].items()})
        for key, value in expected[n].items():
            np.testing.assert_allclose(got[key].numpy(), value, atol=1e-5, err_msg=f"{name} {n}")

    tfl = export.tflite(model, os.path.join(directory, f"{name}.tflite"), saved_model_dir=version_dir)
    for n in signatures:
        got = litert_run(tfl, n, **inputs[n])
        for key, value in expected[n].items():
            np.testing.assert_allclose(got[key], value, atol=1e-4, err_msg=f"{name} {n} (LiteRT)")
    return model
