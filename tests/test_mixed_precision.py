"""Mixed precision in the base class: loss scaling for float16, float32 outputs,
and a saved mixed precision model reloads as one."""

import os

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras_gans import export

from tests.helpers import tiny_dataset, tiny_model


@pytest.fixture
def policy():
    def set_policy(name):
        keras.mixed_precision.set_global_policy(name)

    try:
        yield set_policy
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_float16_wraps_every_optimizer_in_a_loss_scale_optimizer(policy):
    policy("mixed_float16")
    model = tiny_model("triple_gan")
    for opt in (model.d_optimizer, model.g_optimizer, model.c_optimizer):
        assert isinstance(opt, keras.optimizers.LossScaleOptimizer)
    policy("float32")
    plain = tiny_model("dcgan")
    assert not isinstance(plain.d_optimizer, keras.optimizers.LossScaleOptimizer)


def test_float16_trains_with_a_dynamic_loss_scale(policy):
    policy("mixed_float16")
    model = tiny_model("dcgan", seed=0)
    scale = float(model.g_optimizer.dynamic_scale)
    g0 = [np.array(w) for w in model.generator.trainable_weights]
    history = model.fit(tiny_dataset(model.image_shape, batches=3), epochs=1, verbose=0)
    assert all(np.isfinite(v).all() for v in history.history.values())
    assert any(not np.allclose(a, np.array(b)) for a, b in
               zip(g0, model.generator.trainable_weights))
    assert model.generator.layers[1].compute_dtype == "float16"
    assert float(model.g_optimizer.dynamic_scale) <= scale  # starts high, only halves on inf
    assert model.generate(np.zeros((2, model.latent_dim), "float32")).dtype == "float32"


@pytest.mark.parametrize("name", ["mixed_bfloat16", "mixed_float16"])
def test_a_mixed_model_reloads_mixed_and_exports_float32(policy, tmp_path, name):
    policy(name)
    model = tiny_model("dcgan", seed=0)
    model.fit(tiny_dataset(model.image_shape), epochs=1, verbose=0)
    z = np.random.default_rng(0).standard_normal((3, model.latent_dim)).astype("float32")
    expected = keras.ops.convert_to_numpy(model.generate(z))
    path = os.path.join(tmp_path, "m.keras")
    model.save(path)
    policy("float32")  # a fresh process would start in float32
    reloaded = keras.saving.load_model(path)
    compute = {layer.compute_dtype for layer in reloaded.generator.layers[1:-1]}
    assert compute == {name.split("_")[1]}
    np.testing.assert_allclose(keras.ops.convert_to_numpy(reloaded.generate(z)), expected,
                               atol=1e-6)
    sm = tf.saved_model.load(export.saved_model(reloaded, os.path.join(tmp_path, "sm")))
    out = sm.signatures["serving_default"](z=tf.constant(z))["images"]
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-6)


@pytest.mark.parametrize("name", ["cgan", "infogan", "began", "bigan", "cyclegan", "sgan"])
def test_networks_end_in_float32_under_bfloat16(policy, name):
    policy("mixed_bfloat16")
    model = tiny_model(name)
    for net in ("generator", "discriminator"):
        for out in keras.tree.flatten(getattr(model, net).output):
            assert out.dtype == "float32", (name, net, out)


def test_the_float32_output_wrapper(policy):
    from keras_gans.models.base import _float32_outputs

    policy("mixed_bfloat16")
    x = keras.Input((3,))
    net = keras.Model(x, {"a": keras.layers.Dense(2)(x), "b": keras.layers.Dense(1)(x)})
    wrapped = _float32_outputs(net)
    assert {k: v.dtype for k, v in wrapped.output.items()} == {"a": "float32", "b": "float32"}
    assert wrapped.get_layer(net.layers[1].name) is net.layers[1]  # same weights
    policy("float32")
    plain = keras.Model(x, keras.layers.Dense(2, dtype="float32")(x))
    assert _float32_outputs(plain) is plain
