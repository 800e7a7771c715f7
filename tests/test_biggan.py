"""BigGAN (issue 18): truncation (psi small gives G(0, label); the graph form
against the truncated normal), the hierarchical z, orthogonal regularization
in G's loss, the EMA's start step (a base argument), standing statistics and
the export signature (z, labels, psi)."""

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras import layers, ops
from keras_gans import losses, registry
from keras_gans.models.biggan import truncate_latent, truncated_normal
from keras_gans.networks.biggan import (
    biggan_discriminator,
    biggan_discriminator_features,
    biggan_generator,
    latent_chunks,
)
from keras_gans.standing import batch_norm_layers
from keras_gans.testing import call_signature


def tiny(**overrides):
    config = registry.tiny_config("biggan")
    config.update(overrides)
    return keras_gans.get("biggan", **config)


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


# ----------------------------------------------------------------- truncation


def test_psi_small_gives_samples_close_to_g_of_zero():
    model = tiny(seed=0)
    model.compile()
    model.fit(model.example_data(), epochs=1, verbose=0)  # BN statistics away from 0/1
    z = np.random.default_rng(0).standard_normal((6, model.latent_dim)).astype("float32")
    labels = np.array([0, 1, 0, 1, 1, 0], "int32")
    at_zero = _np(model.generate(np.zeros_like(z), labels=labels))
    near = _np(model.generate(z, labels=labels, psi=1e-4))
    untruncated = _np(model.generate(z, labels=labels))
    assert np.abs(near - at_zero).max() < 1e-3
    assert np.abs(untruncated - at_zero).max() > 1e-2  # z matters without truncation
    sampled = model.sample(6, seed=3, labels=labels, psi=1e-4)
    assert np.abs(sampled - at_zero).max() < 1e-3
    # the export signature: psi per row; <= 0 is no truncation
    psi = np.array([1e-4, 1e-4, 1e-4, 0.0, 0.0, 0.0], "float32")
    out = call_signature(model, "serving_default", {"z": z, "labels": labels, "psi": psi})
    assert np.abs(out["images"][:3] - at_zero[:3]).max() < 1e-3
    np.testing.assert_allclose(out["images"][3:], untruncated[3:], atol=1e-5)
    assert model.export_metadata()["input_defaults"] == {"psi": 0.0}


def test_graph_truncation_resamples_entries_outside_psi():
    z = np.random.default_rng(1).standard_normal((4000, 64)).astype("float32")
    for psi in (0.5, 1.0, 2.0):
        out = _np(truncate_latent(z, psi))
        assert np.abs(out).max() <= psi + 1e-6
        inside = np.abs(z) <= psi
        np.testing.assert_array_equal(out[inside], z[inside])  # kept as drawn
        resampled = out[~inside]
        assert np.mean(np.abs(np.abs(resampled) - psi) < 1e-6) < 0.01  # few clipped
        # the standard deviation of N(0, 1) truncated to [-psi, psi]
        from math import erf, exp, pi, sqrt

        mass = erf(psi / sqrt(2.0))
        density = exp(-psi * psi / 2.0) / sqrt(2.0 * pi)
        want = sqrt(1.0 - 2.0 * psi * density / mass)
        assert out.std() == pytest.approx(want, rel=0.03)
    np.testing.assert_array_equal(_np(truncate_latent(z, 0.0)), z)  # psi <= 0: none
    np.testing.assert_array_equal(_np(truncate_latent(z, 0.7)), _np(truncate_latent(z, 0.7)))


def test_numpy_truncated_normal():
    z = truncated_normal(np.random.default_rng(0), (1000, 16), 0.5)
    assert z.dtype == np.float32 and np.abs(z).max() <= 0.5
    assert z.std() == pytest.approx(0.2800, rel=0.05)  # sd of N(0, 1) on [-0.5, 0.5]
    with pytest.raises(ValueError, match="psi must be a positive threshold"):
        truncated_normal(np.random.default_rng(0), (2, 2), 0.0)


# -------------------------------------------------------------- hierarchical z


def test_hierarchical_z_splits_over_the_blocks():
    assert latent_chunks(120, 4) == [30, 30, 30, 30]
    assert latent_chunks(9, 3) == [3, 3, 3]
    assert latent_chunks(10, 4) == [3, 3, 2, 2]
    with pytest.raises(ValueError, match="latent_dim 3 is smaller than the 4 chunks"):
        latent_chunks(3, 4)
    g = biggan_generator((32, 32, 1), latent_dim=20, num_classes=10, width=8, shared_dim=6)
    # 32 px: a 4x4 first map and three up-blocks, so four chunks of 5
    for i in range(3):
        assert tuple(g.get_layer(f"condition{i}").output.shape) == (None, 6 + 5)
    z = np.random.default_rng(0).standard_normal((4, 20)).astype("float32")
    y = np.array([0, 1, 2, 3], "int32")
    block0 = keras.Model(g.inputs, g.get_layer("block0").output)
    z2 = z.copy()
    z2[:, 15:] += 1.0  # only the last chunk (the last block's)
    np.testing.assert_allclose(_np(block0([z2, y])), _np(block0([z, y])), atol=1e-6)
    assert not np.allclose(_np(g([z2, y])), _np(g([z, y])), atol=1e-4)
    z3 = z.copy()
    z3[:, 5:10] += 1.0  # the first block's chunk
    assert not np.allclose(_np(block0([z3, y])), _np(block0([z, y])), atol=1e-4)


def test_discriminator_is_trunk_plus_projection():
    d = biggan_discriminator((16, 16, 1), num_classes=3, width=8, extra_blocks=1)
    trunk = biggan_discriminator_features((16, 16, 1), width=8, extra_blocks=1)
    assert tuple(trunk.output.shape) == (None, 8)
    x = np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 1)).astype("float32")
    a = _np(d([x, np.array([0, 0, 0], "int32")]))
    b = _np(d([x, np.array([1, 1, 1], "int32")]))
    assert a.shape == (3, 1) and not np.allclose(a, b)  # the label moves the logit
    with pytest.raises(ValueError, match="attention_resolution 5 is not a side"):
        biggan_discriminator_features((16, 16, 1), width=8, attention_resolution=5)


@pytest.mark.parametrize("size, sides", [(16, [8, 8]), (28, [14, 7, 7]), (32, [16, 8, 8]),
                                         (48, [24, 12, 6, 6])])
def test_discriminator_halves_down_to_a_side_of_at_most_8(size, sides):
    # 28 px used to stop at 14x14 (twice G's 7x7 first map): a D that saw
    # 14-px patches and died on fashion_mnist.
    trunk = biggan_discriminator_features((size, size, 1), width=4, extra_blocks=1)
    blocks = [trunk.get_layer(f"block{i}").output.shape[1] for i in range(len(sides))]
    assert blocks == sides
    with pytest.raises(ValueError):
        trunk.get_layer(f"block{len(sides)}")


# ------------------------------------------------------ losses and optimizers


def plain_generator(latent_dim=9):
    z = keras.Input((latent_dim,), name="z")
    y = keras.Input((), dtype="int32", name="labels")
    e = layers.Embedding(2, 4, name="shared_embedding")(y)
    h = layers.Dense(16 * 16, activation="tanh", name="dense")(layers.Concatenate()([z, e]))
    return keras.Model([z, y], layers.Reshape((16, 16, 1))(h))


def plain_discriminator():
    x = keras.Input((16, 16, 1), name="images")
    y = keras.Input((), dtype="int32", name="labels")
    f = layers.Dense(8, name="features")(layers.Flatten()(x))
    out = keras_gans.layers.ProjectionHead(2)([f, y])
    return keras.Model([x, y], out)


def test_generator_loss_adds_the_orthogonal_penalty_of_g_kernels():
    model = tiny(generator=plain_generator(), discriminator=plain_discriminator(),
                 orthogonal_weight=1e-2)
    kernels = model.orthogonal_kernels()
    assert [v.path for v in kernels] == ["dense/kernel"]  # not the shared embedding, no bias
    real = model.example_data().take(1).get_single_element()
    rng = np.random.default_rng(0)
    g_in = [tf.constant(rng.standard_normal((8, 9)).astype("float32")),
            tf.constant(np.arange(8) % 2, "int32")]
    with_penalty, logs = model.generator_loss(real, g_in)
    assert float(logs["g_loss"]) == pytest.approx(float(with_penalty))
    model.orthogonal_weight = 0.0
    without, _ = model.generator_loss(real, g_in)
    penalty = float(losses.orthogonal_regularization(kernels, 1e-2))
    assert penalty > 0
    assert float(with_penalty) - float(without) == pytest.approx(penalty, rel=1e-4)


def test_paper_settings_and_the_digits_preset():
    paper = keras_gans.models.BigGAN(**registry.tiny_config("biggan"))  # no preset
    assert paper.joint_discriminator_call
    assert paper.loss_name == "hinge"
    paper.compile()
    d, g = paper.optimizers["d"], paper.optimizers["g"]
    assert float(_np(d.learning_rate)) == pytest.approx(4e-4)
    assert float(_np(g.learning_rate)) == pytest.approx(1e-4)
    assert (d.beta_1, d.beta_2, g.beta_1, g.beta_2) == (0.0, 0.999, 0.0, 0.999)
    assert paper.orthogonal_weight == 1e-4
    assert keras_gans.models.BigGAN.default_arguments(preset=False)["n_critic"] == 2
    preset = tiny()
    preset.compile()
    assert float(_np(preset.optimizers["g"].learning_rate)) == pytest.approx(2e-4)
    assert preset.optimizers["d"].beta_1 == 0.5
    digits = keras_gans.models.BigGAN.default_arguments()
    # The digits preset: the paper's z use (no class in G's first layer), a ramped
    # EMA, and a lighter D (no attention, one extra block, n_critic 1) for 2 cores.
    assert digits["n_critic"] == 1 and not digits["label_in_linear"] and not digits["cbn_spectral_norm"]
    assert digits["attention_resolution"] == 0 and digits["d_extra_blocks"] == 1
    assert digits["ema_start"] is None and digits["ema_rampup"] == 0.05


# ---------------------------------------------------------------- EMA start


def test_ema_start_copies_the_weights_until_its_step():
    model = tiny(seed=0, ema=0.9, ema_start=2)
    assert model.ema_start == 2
    for step, want in ((0, 0.0), (1, 0.0), (2, 0.9), (10, 0.9)):
        model.step_counter.assign(step)
        assert float(_np(model.ema_decay_now())) == pytest.approx(want)
    model.step_counter.assign(0)
    model.compile()
    data = model.example_data(batch_size=8, batches=2)
    model.fit(data, epochs=1, verbose=0)  # steps 0 and 1: copies
    for e, w in zip(model.ema_generator.trainable_variables,
                    model.generator.trainable_variables):
        np.testing.assert_allclose(_np(e), _np(w), atol=1e-7)
    model.fit(data, epochs=1, verbose=0)  # steps 2 and 3: averaged
    assert any(not np.allclose(_np(e), _np(w), atol=1e-6) for e, w in zip(
        model.ema_generator.trainable_variables, model.generator.trainable_variables))
    # with the ramp-up, its t counts from ema_start
    ramped = tiny(ema=0.999, ema_start=10, ema_rampup=0.5)
    ramped.step_counter.assign(10)  # t = 1: half-life 0.5 steps, decay 0.25
    assert float(_np(ramped.ema_decay_now())) == pytest.approx(0.25, rel=1e-5)
    reloaded = type(model).from_config(model.get_config())
    assert reloaded.ema_start == 2
    with pytest.raises(ValueError, match="ema_start delays the EMA"):
        tiny(ema=None, ema_start=5)
    with pytest.raises(ValueError, match="ema_start must be a non-negative int"):
        tiny(ema=0.9, ema_start=-1)


# ---------------------------------------------------------- standing statistics


def test_standing_statistics_reset_the_sampling_generator_statistics():
    model = tiny(seed=0, ema=0.9)
    g = model.sampling_generator
    bns = batch_norm_layers(g)
    assert len(bns) == 2 * 2 + 1  # two CBNs per block, one output BN (16 px: two blocks)
    weights = [_np(v).copy() for v in g.trainable_variables]
    assert model.standing_statistics(num_batches=3, batch_size=16, seed=1) == 3
    # the first CBN of the first block normalizes the first linear layer's maps
    rng = np.random.default_rng(1)
    zs, ys = [], []
    for _ in range(3):  # the method's draws: z, then the labels, per batch
        zs.append(rng.standard_normal((16, model.latent_dim)).astype("float32"))
        ys.append(rng.integers(0, model.num_classes, 16).astype("int32"))
    first = keras.Model(g.inputs, g.get_layer("first_map").output)
    values = [_np(v) for v in g.variables]
    maps = []
    for z, y in zip(zs, ys):  # training mode (SN writes its kernel), the same weights each time
        maps.append(_np(first([z, y], training=True)))
        for v, value in zip(g.variables, values):
            v.assign(value)
    maps = np.concatenate(maps)
    bn = g.get_layer("block0_cbn1").bn
    np.testing.assert_allclose(_np(bn.moving_mean), maps.mean((0, 1, 2)), atol=1e-4)
    for before, v in zip(weights, g.trainable_variables):
        np.testing.assert_array_equal(before, _np(v))


def test_the_papers_model_has_self_attention_in_g_and_d():
    kinds = lambda net: {type(l).__name__ for l in net._flatten_layers()}  # noqa: E731
    # The constructor's defaults (the paper's), at small widths.
    model = keras_gans.models.BigGAN(image_shape=(32, 32, 1), latent_dim=20, g_width=16,
                                     d_width=16, shared_dim=8)
    assert "SelfAttention" in kinds(model.generator)
    assert "SelfAttention" in kinds(model.discriminator)
    assert "ConditionalBatchNorm" in kinds(model.generator)
    assert "ProjectionHead" in kinds(model.discriminator)
    # The digits preset leaves attention out (its time budget), nothing else.
    preset = keras_gans.get("biggan")
    assert "SelfAttention" not in kinds(preset.generator) | kinds(preset.discriminator)
    assert "ConditionalBatchNorm" in kinds(preset.generator)
    assert "ProjectionHead" in kinds(preset.discriminator)
