"""keras_gans.layers.BatchNorm: Keras' BatchNormalization, computed by the fused kernel."""

import numpy as np
import pytest
import tensorflow as tf

import keras
from keras_gans.layers import BatchNorm


def _pair(policy, **kwargs):
    """A BatchNorm and a Keras BatchNormalization(synchronized=True) with the same weights."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        ours = BatchNorm(**kwargs)
        ref = keras.layers.BatchNormalization(synchronized=True, **kwargs)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    rng = np.random.default_rng(0)
    for layer in (ours, ref):
        layer.build((None, 6, 6, 5))
    weights = [rng.normal(1.0, 0.3, w.shape).astype("float32") for w in ref.get_weights()]
    weights[-1] = np.abs(weights[-1])  # a variance
    ours.set_weights(weights)
    ref.set_weights(weights)
    return ours, ref


def _train_call(layer, x, w):
    """Output, d(sum(y * w))/d(x, weights), after one training call."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
        loss = tf.reduce_sum(tf.cast(y, "float32") * w)
    grads = tape.gradient(loss, [x] + [v.value for v in layer.trainable_weights])
    return y, grads


@pytest.mark.parametrize("policy,tol", [("float32", 1e-5), ("mixed_bfloat16", 3e-2)])
@pytest.mark.parametrize("kwargs", [{}, {"momentum": 0.9, "epsilon": 1e-5},
                                    {"center": False, "scale": False}])
def test_training_call_matches_keras_batch_normalization(policy, tol, kwargs):
    ours, ref = _pair(policy, **kwargs)
    rng = np.random.default_rng(1)
    x = tf.constant(rng.normal(3.0, 2.0, (8, 6, 6, 5)).astype("float32"))
    w = tf.constant(rng.normal(size=(8, 6, 6, 5)).astype("float32"))
    if policy != "float32":
        x = tf.cast(x, "bfloat16")
    y, grads = _train_call(ours, x, w)
    y_ref, grads_ref = _train_call(ref, x, w)
    assert y.dtype == y_ref.dtype
    np.testing.assert_allclose(np.float32(y), np.float32(y_ref), atol=tol, rtol=tol)
    assert len(grads) == len(grads_ref)
    for g, g_ref in zip(grads, grads_ref):
        scale = float(np.abs(np.float32(g_ref)).max())
        np.testing.assert_allclose(np.float32(g), np.float32(g_ref), atol=tol * scale)
    # The moving statistics move the same way (Keras' biased batch variance).
    for a, b in zip(ours.non_trainable_weights, ref.non_trainable_weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
    assert not np.allclose(np.asarray(ours.moving_mean), _pair(policy, **kwargs)[0].moving_mean)


def test_training_builds_the_fused_kernel_and_inference_keras_graph():
    layer, _ = _pair("float32")
    x = tf.zeros((2, 6, 6, 5))

    def ops(training):
        fn = tf.function(lambda x: layer(x, training=training))
        return {op.type for op in fn.get_concrete_function(x).graph.get_operations()}

    assert any(t.startswith("FusedBatchNorm") for t in ops(True))
    assert not any(t.startswith("FusedBatchNorm") for t in ops(False))
    ref_in = layer(tf.ones((2, 6, 6, 5)), training=False)
    assert ref_in.shape == (2, 6, 6, 5)


def test_other_ranks_and_frozen_layers_take_keras_path():
    layer = BatchNorm()
    x = tf.random.normal((4, 7))
    y = layer(x, training=True)  # rank 2: Keras' path
    np.testing.assert_allclose(np.mean(np.asarray(y), axis=0), 0.0, atol=1e-5)
    frozen, _ = _pair("float32")
    frozen.trainable = False
    before = np.asarray(frozen.moving_mean).copy()
    frozen(tf.random.normal((2, 6, 6, 5)), training=True)
    np.testing.assert_array_equal(np.asarray(frozen.moving_mean), before)


def test_config_round_trip_keeps_synchronized():
    layer = BatchNorm(momentum=0.9, epsilon=1e-5)
    config = layer.get_config()
    assert config["synchronized"] is True and config["momentum"] == 0.9
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(again) is BatchNorm and again.get_config() == config
