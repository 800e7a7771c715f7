"""Improved GAN: its two layers against numpy, historical averaging, the five switches."""

import os

import numpy as np
import pytest

import keras
import keras_gans
from keras_gans.layers import (
    DropReferenceBatch,
    MinibatchDiscrimination,
    ReferenceBatch,
    VirtualBatchNormalization,
)
from keras_gans.regularizers import historical_average
from helpers import tiny_dataset, tiny_model

SWITCHES = (
    "feature_matching",
    "minibatch_discrimination",
    "historical_averaging",
    "label_smoothing",
    "virtual_batch_norm",
)


def _np(x):
    return keras.ops.convert_to_numpy(x)


# ----------------------------------------------------------- minibatch layer


def _minibatch_numpy(f, t, num_kernels, kernel_dim):
    n = len(f)
    m = (f @ t).reshape(n, num_kernels, kernel_dim)
    o = np.zeros((n, num_kernels))
    for i in range(n):
        for j in range(n):  # j = i included, as in the paper's sum
            o[i] += np.exp(-np.abs(m[i] - m[j]).sum(axis=-1))
    return np.concatenate([f, o], axis=1)


def test_minibatch_discrimination_matches_numpy():
    rng = np.random.default_rng(0)
    f = rng.normal(size=(5, 6)).astype("float32")
    layer = MinibatchDiscrimination(num_kernels=3, kernel_dim=4)
    out = _np(layer(f))
    t = np.asarray(layer.kernel)
    assert t.shape == (6, 12) and out.shape == (5, 9)
    np.testing.assert_allclose(out, _minibatch_numpy(f, t, 3, 4), rtol=1e-5, atol=1e-6)


def test_minibatch_discrimination_sees_collapse():
    layer = MinibatchDiscrimination(num_kernels=2, kernel_dim=3)
    same = np.ones((4, 5), "float32")
    diverse = np.random.default_rng(1).normal(scale=10.0, size=(4, 5)).astype("float32")
    # Identical rows: every pair has distance 0, so o = batch size per kernel.
    np.testing.assert_allclose(_np(layer(same))[:, 5:], 4.0, rtol=1e-6)
    assert np.all(_np(layer(diverse))[:, 5:] < 4.0)


def test_minibatch_discrimination_rejects_unflattened_input():
    with pytest.raises(ValueError, match="Flatten"):
        MinibatchDiscrimination()(np.zeros((2, 4, 4, 3), "float32"))


# ------------------------------------------------------------------- VBN


def _vbn_numpy(x, r, gamma, beta, eps=1e-5):
    ref, rest = x[:r], x[r:]
    axes = tuple(range(x.ndim - 1))
    spatial = tuple(range(1, x.ndim - 1))
    ref_mean = ref.mean(axis=axes, keepdims=True)
    ref_sq = (ref**2).mean(axis=axes, keepdims=True)
    out_ref = (ref - ref_mean) / np.sqrt(ref_sq - ref_mean**2 + eps) * gamma + beta
    outs = [out_ref]
    for ex in rest:
        ex = ex[None]
        ex_mean = ex.mean(axis=spatial, keepdims=True) if spatial else ex
        ex_sq = (ex**2).mean(axis=spatial, keepdims=True) if spatial else ex**2
        mean = ex_mean / (r + 1) + ref_mean * r / (r + 1)
        sq = ex_sq / (r + 1) + ref_sq * r / (r + 1)
        outs.append((ex - mean) / np.sqrt(sq - mean**2 + eps) * gamma + beta)
    return np.concatenate(outs, axis=0)


@pytest.mark.parametrize("shape", [(7, 3, 3, 2), (7, 4)])
def test_virtual_batch_normalization_matches_numpy(shape):
    rng = np.random.default_rng(2)
    x = rng.normal(loc=1.5, scale=2.0, size=shape).astype("float32")
    layer = VirtualBatchNormalization(reference_size=4)
    layer.build(x.shape)
    gamma = rng.normal(size=shape[-1]).astype("float32")
    beta = rng.normal(size=shape[-1]).astype("float32")
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    expected = _vbn_numpy(x.astype("float64"), 4, gamma, beta)
    np.testing.assert_allclose(_np(layer(x)), expected, rtol=1e-4, atol=1e-4)
    # The same in training mode: no batch statistics, no moving averages.
    np.testing.assert_allclose(_np(layer(x, training=True)), expected, rtol=1e-4, atol=1e-4)


def _vbn_net(reference_size=3, seed=0):
    z = keras.Input((4,))
    x = ReferenceBatch(reference_size, seed=seed, name="reference")(z)
    x = keras.layers.Dense(5)(x)
    x = VirtualBatchNormalization(reference_size)(x)
    x = DropReferenceBatch(reference_size)(x)
    return keras.Model(z, x)


def test_vbn_output_of_an_example_does_not_depend_on_its_batch():
    net = _vbn_net()
    z = np.random.default_rng(4).normal(size=(6, 4)).astype("float32")
    whole = _np(net(z))
    assert whole.shape == (6, 5)
    np.testing.assert_allclose(_np(net(z[2:3])), whole[2:3], atol=1e-5)
    np.testing.assert_allclose(_np(net(z[::-1])), whole[::-1], atol=1e-5)


def test_layers_round_trip_through_get_config():
    for layer in (
        MinibatchDiscrimination(num_kernels=7, kernel_dim=2, name="mb"),
        VirtualBatchNormalization(5, epsilon=1e-3, center=False, name="vbn"),
        ReferenceBatch(5, stddev=0.5, seed=3, name="ref"),
        DropReferenceBatch(5, name="drop"),
    ):
        config = layer.get_config()
        clone = type(layer).from_config(config)
        assert clone.get_config() == config
        revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
        assert type(revived) is type(layer) and revived.get_config() == config


def test_keras_file_keeps_the_reference_batch(tmp_path):
    net = _vbn_net(seed=7)
    z = np.random.default_rng(5).normal(size=(3, 4)).astype("float32")
    reference = np.asarray(net.get_layer("reference").reference)
    path = os.path.join(tmp_path, "vbn.keras")
    net.save(path)
    loaded = keras.saving.load_model(path)  # no custom_objects needed
    np.testing.assert_array_equal(np.asarray(loaded.get_layer("reference").reference), reference)
    np.testing.assert_allclose(_np(loaded(z)), _np(net(z)), atol=1e-6)


def test_reference_batch_can_be_set_and_checks_its_shape():
    layer = ReferenceBatch(2)
    layer.build((None, 3))
    layer.set_reference(np.ones((2, 3)))
    np.testing.assert_array_equal(np.asarray(layer.reference), 1.0)
    with pytest.raises(ValueError, match="shape"):
        layer.set_reference(np.ones((3, 3)))


# ------------------------------------------------------ historical average


def test_historical_average_matches_hand_computed_values():
    variables = [np.array([1.0, 2.0]), np.array([[3.0, -1.0]])]
    averages = [np.array([0.0, 1.0]), np.array([[1.0, 1.0]])]
    # (1 + 1) + (4 + 4) = 10
    assert float(historical_average(variables, averages)) == pytest.approx(10.0)
    assert float(historical_average(variables, variables)) == 0.0
    with pytest.raises(ValueError, match="one average per variable"):
        historical_average(variables, averages[:1])


def test_running_averages_are_the_mean_of_past_weights(tmp_path):
    model = tiny_model("improved_gan", historical_averaging=True)
    history = [[np.array(v) for v in model.generator.trainable_variables]]

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            history.append([np.array(v) for v in model.generator.trainable_variables])

    model.fit(tiny_dataset(model.image_shape, batches=3), epochs=1, verbose=0, callbacks=[Record()])
    assert float(model.average_steps) == 4.0  # theta_0 (the initial weights) + 3 steps
    for i, average in enumerate(model.g_averages):
        expected = np.mean([h[i] for h in history], axis=0)
        np.testing.assert_allclose(np.asarray(average), expected, rtol=1e-5, atol=1e-6)
    # The averages are model state: saved and reloaded with the model.
    path = os.path.join(tmp_path, "improved.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert float(loaded.average_steps) == 4.0
    for a, b in zip(model.d_averages + model.g_averages, loaded.d_averages + loaded.g_averages):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# ------------------------------------------------------------ the model


def _layer_types(net):
    return {type(layer) for layer in net.layers}


@pytest.mark.parametrize(
    "switches",
    [dict.fromkeys(SWITCHES, False), dict.fromkeys(SWITCHES, True)]
    + [{s: True} | {o: False for o in SWITCHES if o != s} for s in SWITCHES],
    ids=["all_off", "all_on"] + [f"only_{s}" for s in SWITCHES],
)
def test_each_switch_trains_with_finite_losses(switches):
    model = tiny_model("improved_gan", **switches)
    g_types, d_types = _layer_types(model.generator), _layer_types(model.discriminator)
    assert (VirtualBatchNormalization in g_types) == switches["virtual_batch_norm"]
    assert (keras_gans.layers.BatchNorm in g_types) != switches["virtual_batch_norm"]
    assert (MinibatchDiscrimination in d_types) == switches["minibatch_discrimination"]
    assert model.loss_args == (
        {"label_smoothing": pytest.approx(0.1)} if switches["label_smoothing"] else {}
    )
    assert hasattr(model, "g_averages") == switches["historical_averaging"]
    g0 = [np.array(v) for v in model.generator.trainable_variables]
    history = model.fit(tiny_dataset(model.image_shape, batches=1), epochs=1, verbose=0)
    for key, values in history.history.items():
        assert np.all(np.isfinite(values)), (key, values)
    g1 = [np.array(v) for v in model.generator.trainable_variables]
    assert any(not np.allclose(a, b) for a, b in zip(g0, g1))


def test_feature_matching_loss_is_the_squared_distance_of_mean_features():
    model = tiny_model(
        "improved_gan", feature_matching=True, historical_averaging=False,
        minibatch_discrimination=False,
    )
    real = np.random.default_rng(6).uniform(-1, 1, (6, *model.image_shape)).astype("float32")
    z = np.random.default_rng(7).normal(size=(6, model.latent_dim)).astype("float32")
    features = keras.Model(
        model.discriminator.input, model.discriminator.get_layer("features").output
    )
    fake = model.generator(z, training=True)
    expected = np.sum(
        (_np(features(real, training=True)).mean(0) - _np(features(fake, training=True)).mean(0)) ** 2
    )
    loss, logs = model.generator_loss(real, z)
    assert float(loss) == pytest.approx(float(expected), rel=1e-4, abs=1e-6)
    assert set(logs) == {"g_loss"}


def test_vbn_generator_keeps_its_reference_batch_through_save(tmp_path):
    model = tiny_model("improved_gan", virtual_batch_norm=True)
    reference = np.asarray(model.generator.get_layer("reference_z").reference)
    assert reference.shape == (4, model.latent_dim)  # the tiny reference_size
    path = os.path.join(tmp_path, "m.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(
        np.asarray(loaded.generator.get_layer("reference_z").reference), reference
    )
    z = np.random.default_rng(8).normal(size=(3, model.latent_dim)).astype("float32")
    np.testing.assert_allclose(_np(loaded.generate(z)), _np(model.generate(z)), atol=1e-6)
    # One example alone gives what it gives in a batch (VBN, not batch stats).
    np.testing.assert_allclose(_np(model.generate(z[:1])), _np(model.generate(z))[:1], atol=1e-5)


def test_bad_real_target_is_a_clear_error():
    with pytest.raises(ValueError, match="real_target"):
        keras_gans.get("improved_gan", real_target=1.5)
