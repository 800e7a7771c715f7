"""SAGAN's SelfAttention and YLG's LocalSparseAttention (issue 18): identity
at start, the computation against numpy, float32 softmax under mixed
precision, YLG's patterns and masks (2-D locality of ESA, full information),
the heads error and the .keras round trip."""

import numpy as np
import pytest

import keras
import keras_gans
from keras import ops
from keras_gans.layers import LocalSparseAttention, SelfAttention
from keras_gans.layers.attention import (
    YLG_PATTERNS,
    esa_positions,
    ylg_masks,
    ylg_pattern,
)

LAYERS = {
    "self_attention": lambda **kw: SelfAttention(**kw),
    "local_sparse": lambda **kw: LocalSparseAttention(heads=8, **kw),
}


def features(n=2, h=8, w=8, c=64, seed=0):
    return np.random.default_rng(seed).normal(size=(n, h, w, c)).astype("float32")


@pytest.fixture
def policy():
    yield keras.mixed_precision.set_global_policy
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("sn", [False, True])
def test_sigma_starts_at_zero_and_the_layer_is_the_identity(kind, sn):
    x = features()
    layer = LAYERS[kind](spectral_norm=sn)
    for training in (False, True):
        np.testing.assert_array_equal(ops.convert_to_numpy(layer(x, training=training)), x)
    assert float(ops.convert_to_numpy(layer.sigma)) == 0.0
    assert layer.sigma in layer.trainable_weights


def _np_softmax(a):
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _np_pool(a):
    n, h, w, c = a.shape
    return a.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_attention_against_numpy(kind):
    x = features(n=2, h=8, w=4, c=64)
    layer = LAYERS[kind]()
    layer(x)
    layer.sigma.assign(0.7)
    k = {n: ops.convert_to_numpy(getattr(layer, f"{n}_conv").kernel)[0, 0]
         for n in ("query", "key", "value", "output")}
    assert k["query"].shape == (64, 8) and k["value"].shape == (64, 32)  # C/8 and C/2
    heads = layer.heads
    q = (x @ k["query"]).reshape(2, 32, heads, 8 // heads).transpose(0, 2, 1, 3)
    key = _np_pool(x @ k["key"]).reshape(2, 8, heads, 8 // heads).transpose(0, 2, 1, 3)
    v = _np_pool(x @ k["value"]).reshape(2, 8, heads, 32 // heads).transpose(0, 2, 1, 3)
    logits = q @ key.transpose(0, 1, 3, 2)
    if kind == "local_sparse":
        logits = np.where(ylg_masks(8, 4, heads), logits, -np.inf)
    o = (_np_softmax(logits) @ v).transpose(0, 2, 1, 3).reshape(2, 8, 4, 32) @ k["output"]
    want = x + 0.7 * o
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_softmax_in_float32_under_mixed_float16(kind, policy):
    policy("mixed_float16")
    layer = LAYERS[kind]()
    x = ops.cast(features(), "float16")
    out, attention = layer.attend(x)
    assert keras.backend.standardize_dtype(attention.dtype) == "float32"
    assert keras.backend.standardize_dtype(out.dtype) == "float16"
    assert keras.backend.standardize_dtype(layer.sigma.dtype) == "float32"
    np.testing.assert_allclose(ops.convert_to_numpy(ops.sum(attention, axis=-1)), 1.0,
                               atol=1e-6)


def test_esa_enumerates_by_manhattan_distance_to_the_corner():
    pos = esa_positions(4, 4)
    assert sorted(pos.reshape(-1)) == list(range(16))
    i, j = np.indices((4, 4))
    order = np.argsort(pos.reshape(-1))
    d = (i + j).reshape(-1)[order]
    assert (np.diff(d) >= 0).all()  # positions follow the distance to (0, 0)
    np.testing.assert_array_equal(esa_positions(3, 3), [[0, 1, 3], [2, 4, 6], [5, 7, 8]])


def test_ylg_patterns_by_hand():
    # 9 positions, blocks of 3: [0 1 2] [3 4 5] [6 7 8].
    row = {name: np.flatnonzero(ylg_pattern(name, 9)[4]).tolist() for name in YLG_PATTERNS}
    assert row == {"ltr_local": [3, 4], "rtl_local": [4, 5],
                   "ltr_summary": [2, 4, 5, 8], "rtl_summary": [0, 3, 4, 6]}
    with pytest.raises(ValueError, match="Unknown YLG pattern"):
        ylg_pattern("diagonal", 9)


@pytest.mark.parametrize("length", [16, 64, 35])
def test_each_direction_has_full_information_in_two_steps(length):
    # Local step then summary step of one direction: every key reaches every query.
    for direction in ("ltr", "rtl"):
        local = ylg_pattern(f"{direction}_local", length).astype(int)
        summary = ylg_pattern(f"{direction}_summary", length).astype(int)
        assert ((summary @ local) > 0).all(), direction


def test_sparse_masks_keep_2d_locality():
    # A 16x16 map: queries on 16x16, keys pooled to 8x8, blocks of 8 ESA positions.
    masks = ylg_masks(16, 16, heads=8)
    assert masks.shape == (8, 256, 64)
    qi, qj = np.indices((16, 16))
    q_dist = ((qi // 2) + (qj // 2)).reshape(-1)  # the query's pooled cell's distance to (0, 0)
    ki, kj = np.indices((8, 8))
    k_dist = (ki + kj).reshape(-1)
    gap = np.abs(q_dist[:, None] - k_dist[None, :])  # [256, 64]
    local = [h for h in range(8) if YLG_PATTERNS[h % 4].endswith("_local")]
    summary = [h for h in range(8) if YLG_PATTERNS[h % 4].endswith("_summary")]
    assert len(local) == 4 and len(summary) == 4
    # A key more than 3 anti-diagonals from the query is masked in every local
    # head (ESA: a window of 8 positions spans at most 4 anti-diagonals).
    for h in local:
        assert not masks[h][gap > 3].any(), h
        assert masks[h][gap <= 1].any()
    # The far corner from query (0, 0): masked in every local head and in the
    # right-to-left summary heads (not a block's first position); the
    # left-to-right summary heads see it (the last position: the global path).
    far = 7 * 8 + 7
    for h in range(8):
        assert masks[h][0, far] == (YLG_PATTERNS[h % 4] == "ltr_summary"), h
    # The summary heads see, besides the query's own cell, one cell per block.
    for h in summary:
        assert masks[h].sum(axis=1).max() <= 8 + 1
    # The row-major reshape (no ESA) would put a whole row, 7 anti-diagonals
    # wide, in one window: ESA is what keeps the band narrow.
    raster = ylg_pattern("ltr_local", 64)
    row_major_gap = np.abs(k_dist[:, None] - k_dist[None, :])
    assert row_major_gap[raster].max() == 7
    # A query sees its own pooled cell in every head.
    own = ((qi // 2) * 8 + (qj // 2)).reshape(-1)
    assert masks[:, np.arange(256), own].all()


def test_masked_keys_get_no_attention():
    layer = LocalSparseAttention(heads=8)
    x = features(h=16, w=16)
    _, attention = layer.attend(x)
    attention = ops.convert_to_numpy(attention)
    masks = ylg_masks(16, 16, 8)
    assert attention[:, ~masks].max() == 0.0
    np.testing.assert_allclose(attention.sum(-1), 1.0, atol=1e-5)


def test_masks_are_built_from_the_shape_and_not_saved():
    layer = LocalSparseAttention(heads=8)
    layer.build((None, 16, 8, 64))
    assert layer.mask_bias.shape == (8, 128, 32)
    assert all(w.shape != layer.mask_bias.shape for w in layer.weights)
    assert len(layer.weights) == 5  # sigma and four 1x1 kernels


def test_heads_must_divide_the_channels():
    with pytest.raises(ValueError, match="channels must be divisible by 64; got C = 32"):
        LocalSparseAttention(heads=8)(features(c=32))
    LocalSparseAttention(heads=2)(features(c=32))  # C/8 = 4 and C/2 = 16 split in 2
    with pytest.raises(ValueError, match="divisible by 8"):
        SelfAttention()(features(c=12))
    with pytest.raises(ValueError, match="must be even"):
        SelfAttention()(features(h=7, w=7))
    with pytest.raises(ValueError, match="at least one head"):
        LocalSparseAttention(heads=0)


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_keras_round_trip(kind, tmp_path):
    x_in = keras.Input((8, 8, 64))
    layer = LAYERS[kind](spectral_norm=True)
    model = keras.Model(x_in, layer(x_in))
    layer.sigma.assign(0.5)
    model(features(), training=True)  # moves the spectral norm's vector u
    x = features(seed=1)
    want = ops.convert_to_numpy(model(x))
    path = str(tmp_path / "m.keras")
    model.save(path)
    back = keras.models.load_model(path)
    np.testing.assert_allclose(ops.convert_to_numpy(back(x)), want, rtol=1e-6, atol=1e-6)
    again = type(layer).from_config(layer.get_config())
    assert again.get_config() == layer.get_config()
    assert isinstance(back.layers[-1], type(layer))
    assert keras_gans.layers.SelfAttention is SelfAttention
