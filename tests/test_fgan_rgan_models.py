"""Model-specific tests of nsgan, fgan and rgan (the shared registry test covers the rest)."""

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras_gans import losses
from keras_gans.registry import tiny_config

TINY_IMAGES = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 1)).astype("float32")


def _fit_one_step(model, batch_size=8):
    model.compile()
    ds = tf.data.Dataset.from_tensor_slices(TINY_IMAGES).batch(batch_size, drop_remainder=True)
    history = model.fit(ds.take(1), epochs=1, verbose=0)
    return {k: float(v[-1]) for k, v in history.history.items()}


FGAN_CASES = [(d, "alternative") for d in losses.F_DIVERGENCES] + [
    ("gan", "saddle"),
    ("squared_hellinger", "saddle"),
]


@pytest.mark.parametrize("divergence,objective", FGAN_CASES)
def test_fgan_each_divergence_trains(divergence, objective):
    keras.utils.set_random_seed(0)
    model = keras_gans.get("fgan", divergence=divergence, generator_objective=objective, **tiny_config("fgan"))
    g_before = [w.copy() for w in model.generator.get_weights()]
    logs = _fit_one_step(model)
    assert set(logs) == {"d_loss", "g_loss"}
    assert all(np.isfinite(v) for v in logs.values()), logs
    g_after = model.generator.get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(g_before, g_after))
    assert model.get_config()["divergence"] == divergence


@pytest.mark.parametrize(
    "average,variant",
    [(False, "standard"), (True, "standard"), (True, "least_squares"), (False, "hinge")],
)
def test_rgan_variants_train(average, variant):
    keras.utils.set_random_seed(0)
    model = keras_gans.get("rgan", average=average, variant=variant, **tiny_config("rgan"))
    logs = _fit_one_step(model)
    assert all(np.isfinite(v) for v in logs.values()), logs


def test_rgan_generator_loss_uses_real_logits():
    keras.utils.set_random_seed(0)
    model = keras_gans.get("rgan", average=True, **tiny_config("rgan"))
    model.compile()
    z = model.sample_latent(8)
    real_a, real_b = TINY_IMAGES[:8], -TINY_IMAGES[8:16]
    loss_a, _ = model.generator_loss(real_a, z)
    loss_b, _ = model.generator_loss(real_b, z)
    assert not np.isclose(float(loss_a), float(loss_b))
    # And it is exactly the library's RaSGAN G loss on D's outputs.
    fake = model.generator(z, training=True)
    want = losses.relativistic_generator_loss(
        model.discriminator(real_a, training=True),
        model.discriminator(fake, training=True),
        average=True,
    )
    np.testing.assert_allclose(float(loss_a), float(want), rtol=1e-5)


def test_fgan_hooks_use_the_f_divergence_pair():
    model = keras_gans.get("fgan", divergence="pearson", **tiny_config("fgan"))
    assert model.d_loss_fn is losses.f_divergence_discriminator_loss
    assert model.g_loss_fn is losses.f_divergence_generator_loss
    assert model.loss_kwargs(model.d_loss_fn) == {"divergence": "pearson"}
    assert model.loss_kwargs(model.g_loss_fn) == {
        "divergence": "pearson",
        "generator_objective": "alternative",
    }


def test_nsgan_is_non_saturating():
    model = keras_gans.get("nsgan", **tiny_config("nsgan"))
    assert model.g_loss_fn is losses.non_saturating_generator_loss
    assert model.d_loss_fn is losses.non_saturating_discriminator_loss


def test_configs_round_trip(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras_gans.get("rgan", average=True, variant="hinge", **tiny_config("rgan"))
    _fit_one_step(model)
    path = str(tmp_path / "rgan.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.average is True and loaded.variant == "hinge"
    z = np.random.default_rng(1).standard_normal((4, model.latent_dim)).astype("float32")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded.generate(z)),
        keras.ops.convert_to_numpy(model.generate(z)),
        atol=1e-6,
    )
    fgan = keras_gans.get("fgan", divergence="js", generator_objective="saddle", **tiny_config("fgan"))
    clone = type(fgan).from_config(fgan.get_config())
    assert (clone.divergence, clone.generator_objective) == ("js", "saddle")


@pytest.mark.parametrize("name", ["nsgan", "fgan", "rgan"])
def test_default_epochs_set(name):
    from keras_gans.registry import entry

    assert isinstance(entry(name).cls.default_epochs, int)


def test_bad_arguments_are_clear():
    with pytest.raises(ValueError, match="Unknown divergence 'chi2'.*pearson"):
        keras_gans.get("fgan", divergence="chi2", **tiny_config("fgan"))
    with pytest.raises(ValueError, match="generator_objective must be"):
        keras_gans.get("fgan", generator_objective="minimax", **tiny_config("fgan"))
    with pytest.raises(ValueError, match="Unknown variant 'wasserstein'"):
        keras_gans.get("rgan", variant="wasserstein", **tiny_config("rgan"))
    with pytest.raises(ValueError, match="nsgan always uses the non-saturating loss"):
        keras_gans.get("nsgan", loss="hinge", **tiny_config("nsgan"))
    with pytest.raises(ValueError, match="label_smoothing"):
        keras_gans.get("nsgan", label_smoothing=1.0, **tiny_config("nsgan"))
