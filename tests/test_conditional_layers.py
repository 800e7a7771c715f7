"""Issue 18's class-conditional pieces: ConditionalBatchNorm, ProjectionHead,
orthogonal regularization by hand, and standing statistics."""

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras import layers, ops
from keras_gans import losses
from keras_gans.layers import ConditionalBatchNorm, ProjectionHead
from keras_gans.standing import batch_norm_layers, standing_statistics


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def rng(seed=0):
    return np.random.default_rng(seed)


# ------------------------------------------------------------ ConditionalBatchNorm


def test_cbn_gain_and_bias_follow_the_condition():
    x = rng(0).standard_normal((6, 4, 4, 3)).astype("float32")
    c = rng(1).standard_normal((6, 5)).astype("float32")
    cbn = ConditionalBatchNorm(epsilon=1e-3)
    cbn([x, c])  # build
    wg = rng(2).standard_normal((5, 3)).astype("float32")
    wb = rng(3).standard_normal((5, 3)).astype("float32")
    cbn.gain.kernel.assign(wg)
    cbn.bias.kernel.assign(wb)
    got = _np(cbn([x, c], training=True))
    mean = x.mean(axis=(0, 1, 2))
    var = x.var(axis=(0, 1, 2))
    normalized = (x - mean) / np.sqrt(var + cbn.bn.epsilon)
    gain, bias = 1.0 + c @ wg, c @ wb
    want = normalized * gain[:, None, None, :] + bias[:, None, None, :]
    np.testing.assert_allclose(got, want, atol=1e-4)
    # another condition, another output; the same condition, the same output
    c2 = c[::-1].copy()
    assert not np.allclose(_np(cbn([x, c2], training=True)), got, atol=1e-3)
    # inference: the moving statistics, the same affine of the condition
    moving = (x - _np(cbn.bn.moving_mean)) / np.sqrt(_np(cbn.bn.moving_variance) + cbn.bn.epsilon)
    np.testing.assert_allclose(_np(cbn([x, c])),
                               moving * gain[:, None, None, :] + bias[:, None, None, :],
                               atol=1e-4)


def test_cbn_starts_as_plain_batch_norm_and_has_no_affine_of_its_own():
    x = rng(0).standard_normal((8, 3)).astype("float32")  # rank 2 features too
    c = rng(1).standard_normal((8, 4)).astype("float32")
    cbn = ConditionalBatchNorm()
    y = _np(cbn([x, c], training=True))
    want = (x - x.mean(0)) / np.sqrt(x.var(0) + cbn.bn.epsilon)
    np.testing.assert_allclose(y, want, atol=1e-4)
    assert not cbn.bn.center and not cbn.bn.scale and cbn.bn.synchronized
    names = sorted(w.path.split("/")[-1] for w in cbn.trainable_weights)
    assert names == ["kernel", "kernel"]  # gain and bias maps only


def test_cbn_bad_inputs_say_what_to_do():
    with pytest.raises(ValueError, match=r"takes \[x, condition\]"):
        ConditionalBatchNorm()(np.zeros((2, 4, 4, 3), "float32"))
    with pytest.raises(ValueError, match="condition must be"):
        ConditionalBatchNorm()([np.zeros((2, 4, 4, 3), "float32"), np.zeros((2,), "float32")])


def test_cbn_spectral_norm_wraps_the_maps():
    cbn = ConditionalBatchNorm(spectral_norm=True, gain_initializer="orthogonal")
    x = rng(0).standard_normal((4, 4, 4, 8)).astype("float32")
    c = rng(1).standard_normal((4, 6)).astype("float32")
    cbn([x, c], training=True)
    assert isinstance(cbn.gain, layers.SpectralNormalization)
    w = _np(cbn.gain.layer.kernel)
    assert np.linalg.svd(w, compute_uv=False)[0] == pytest.approx(1.0, abs=0.1)


# ------------------------------------------------------------------ ProjectionHead


def test_projection_logit_changes_with_the_label_and_is_linear_plus_inner_product():
    head = ProjectionHead(4)
    f = rng(0).standard_normal((3, 6)).astype("float32")
    head([f, np.zeros((3,), "int32")])
    e = rng(1).standard_normal((4, 6)).astype("float32")
    head.embedding.kernel.assign(e)
    w, b = _np(head.linear.kernel), _np(head.linear.bias)
    for y in ([0, 1, 2], [3, 3, 3]):
        got = _np(head([f, np.array(y, "int32")]))
        want = f @ w + b + np.sum(e[y] * f, axis=1, keepdims=True)
        np.testing.assert_allclose(got, want, atol=1e-5)
    a = _np(head([f, np.array([0, 0, 0], "int32")]))
    b2 = _np(head([f, np.array([1, 1, 1], "int32")]))
    assert np.all(np.abs(a - b2) > 1e-4)  # the label moves every logit
    # an unlabelled example (-1) gets the unconditional term only
    np.testing.assert_allclose(_np(head([f, np.array([-1, -1, -1], "int32")])), f @ w + b,
                               atol=1e-5)


def test_projection_head_with_spectral_norm():
    head = ProjectionHead(10, spectral_norm=True)
    f = rng(0).standard_normal((5, 16)).astype("float32")
    y = np.arange(5, dtype="int32")
    for _ in range(20):  # one power iteration per training call; u carries over
        out = _np(head([f, y], training=True))
    assert out.shape == (5, 1)
    sigma = np.linalg.svd(_np(head.embedding.layer.kernel), compute_uv=False)[0]
    assert sigma == pytest.approx(1.0, abs=0.02)
    assert isinstance(head.linear, layers.SpectralNormalization)
    with pytest.raises(ValueError, match=r"features must be \[N, F\]"):
        ProjectionHead(3)([np.zeros((2, 4, 4, 3), "float32"), np.zeros((2,), "int32")])


def test_layers_round_trip_through_a_keras_file(tmp_path):
    x_in = keras.Input((4, 4, 3))
    c_in = keras.Input((5,))
    y_in = keras.Input((), dtype="int32")
    h = ConditionalBatchNorm(spectral_norm=True, gain_initializer="orthogonal")([x_in, c_in])
    h = layers.GlobalAveragePooling2D()(h)
    out = ProjectionHead(7, spectral_norm=True)([h, y_in])
    model = keras.Model([x_in, c_in, y_in], out)
    x = rng(0).standard_normal((4, 4, 4, 3)).astype("float32")
    c = rng(1).standard_normal((4, 5)).astype("float32")
    y = np.array([0, 3, 6, 2], "int32")
    model([x, c, y], training=True)  # moves the statistics and the SN vectors
    want = _np(model([x, c, y]))
    path = str(tmp_path / "m.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)  # no custom_objects
    np.testing.assert_allclose(_np(reloaded([x, c, y])), want, atol=1e-6)
    for layer in (ConditionalBatchNorm(momentum=0.8, spectral_norm=True),
                  ProjectionHead(5, use_bias=False)):
        clone = type(layer).from_config(layer.get_config())
        assert clone.get_config() == layer.get_config()
    assert keras_gans.layers.ConditionalBatchNorm is ConditionalBatchNorm
    assert keras_gans.layers.ProjectionHead is ProjectionHead


# ------------------------------------------------------- orthogonal regularization


def test_orthogonal_penalty_is_zero_for_an_orthogonal_kernel():
    q = keras.initializers.Orthogonal(seed=0)((12, 5))  # orthonormal columns
    assert float(_np(losses.orthogonal_regularization(q))) == pytest.approx(0.0, abs=1e-10)
    # orthogonal but not unit columns: still 0 (the diagonal is left free)
    scaled = _np(q) * np.array([1.0, 2.0, 3.0, 0.5, 4.0], "float32")
    assert float(_np(losses.orthogonal_regularization(scaled))) == pytest.approx(0.0, abs=1e-9)
    # a conv kernel [kh, kw, in, out] reshaped to [kh * kw * in, out]
    conv = keras.initializers.Orthogonal(seed=1)((3, 3, 4, 6))
    flat = _np(conv).reshape(-1, 6)
    np.testing.assert_allclose(flat.T @ flat, np.eye(6), atol=1e-5)
    assert float(_np(losses.orthogonal_regularization(conv))) == pytest.approx(0.0, abs=1e-8)


def test_orthogonal_penalty_by_hand():
    w = np.array([[1.0, 2.0], [0.0, 1.0], [1.0, 0.0]], "float32")
    # W^T W = [[2, 2], [2, 5]]; off-diagonal squares 4 + 4 = 8
    assert float(_np(losses.orthogonal_regularization(w))) == pytest.approx(8e-4)
    assert float(_np(losses.orthogonal_regularization(w, beta=1.0))) == pytest.approx(8.0)


# ------------------------------------------------------------- standing statistics


def small_generator():
    z = keras.Input((6,))
    h = layers.Dense(12)(z)
    h = keras_gans.layers.BatchNorm(momentum=0.99)(h)
    h = layers.ReLU()(h)
    h = layers.SpectralNormalization(layers.Dense(8))(h)
    h = keras_gans.layers.BatchNorm(momentum=0.99)(h)
    return keras.Model(z, h), z


def test_standing_statistics_set_the_moving_mean_to_the_mean_over_the_batches():
    g, _ = small_generator()
    zs = [rng(i).standard_normal((32, 6)).astype("float32") for i in range(5)]
    weights = [w.copy() for w in (_np(v) for v in g.trainable_variables)]
    assert standing_statistics(g, zs) == 5
    bns = batch_norm_layers(g)
    assert len(bns) == 2
    dense = g.layers[1]
    first_inputs = np.concatenate([_np(dense(z)) for z in zs])
    np.testing.assert_allclose(_np(bns[0].moving_mean), first_inputs.mean(0), atol=1e-5)
    per_batch_var = np.mean([_np(dense(z)).var(0) for z in zs], axis=0)
    np.testing.assert_allclose(_np(bns[0].moving_variance), per_batch_var, rtol=1e-4)
    # the second layer's inputs: through BN0 and SN in training mode, batch by
    # batch, from the same weights (a training call of SN writes its kernel)
    upto = keras.Model(g.input, g.layers[4].output)
    values = [_np(v) for v in g.variables]
    second = []
    for z in zs:
        second.append(_np(upto(z, training=True)))
        for v, value in zip(g.variables, values):
            v.assign(value)
    second = np.concatenate(second)
    np.testing.assert_allclose(_np(bns[1].moving_mean), second.mean(0), atol=1e-4)
    # weights (and the SN kernel a training call writes) unchanged; momenta restored
    for before, after in zip(weights, g.trainable_variables):
        np.testing.assert_array_equal(before, _np(after))
    assert all(bn.momentum == 0.99 for bn in bns)
    with pytest.raises(ValueError, match="at least one batch"):
        standing_statistics(g, [])


def test_batch_norm_layers_finds_the_one_inside_conditional_batch_norm():
    x = keras.Input((4, 4, 2))
    c = keras.Input((3,))
    y = ConditionalBatchNorm()([x, c])
    model = keras.Model([x, c], y)
    found = batch_norm_layers(model)
    assert len(found) == 1 and not found[0].scale
    batch = [rng(0).standard_normal((8, 4, 4, 2)).astype("float32"),
             rng(1).standard_normal((8, 3)).astype("float32")]
    standing_statistics(model, [batch])
    np.testing.assert_allclose(_np(found[0].moving_mean), batch[0].mean((0, 1, 2)), atol=1e-5)
