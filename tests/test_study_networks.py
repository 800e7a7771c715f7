"""The networks of Lucic et al. 2018's study (keras_gans/networks/study.py)."""

import os

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans.networks import study_began_discriminator, study_discriminator, study_generator


def _layers(model, kind):
    return [layer for layer in model.layers if type(layer).__name__ == kind]


def test_the_study_shapes_at_28_px():
    g = study_generator((28, 28, 1), latent_dim=64)
    d = study_discriminator((28, 28, 1))
    assert g.output_shape == (None, 28, 28, 1)
    assert d.output_shape == (None, 1)
    # G: FC 1024 -> FC 7x7x128 -> deconv 64 -> deconv 1.
    dense = [layer.units for layer in _layers(g, "Dense")]
    assert dense == [1024, 7 * 7 * 128]
    assert [layer.filters for layer in _layers(g, "Conv2DTranspose")] == [64, 1]
    assert len(_layers(g, "BatchNorm")) == 3
    assert len(_layers(g, "LeakyReLU")) == 3
    # D: conv 64 -> conv 128 -> FC 1024 -> FC 1, no normalization on the first conv.
    assert [layer.filters for layer in _layers(d, "Conv2D")] == [64, 128]
    assert [layer.units for layer in _layers(d, "Dense")] == [1024, 1]
    assert len(_layers(d, "BatchNorm")) == 2
    # The 7x7x128 features feed the FC layer: 6272 x 1024 weights.
    assert _layers(d, "Dense")[0].kernel.shape == (7 * 7 * 128, 1024)


@pytest.mark.parametrize("normalization,kind,count", [("none", "BatchNorm", 0), ("layer", "LayerNormalization", 2)])
def test_discriminator_normalization(normalization, kind, count):
    d = study_discriminator((8, 8, 1), width=4, hidden=8, normalization=normalization)
    assert len(_layers(d, kind)) == count
    assert len(_layers(d, "BatchNorm")) == 0
    # Without normalization each sample's logit depends on that sample only.
    x = np.random.default_rng(0).uniform(-1, 1, (4, 8, 8, 1)).astype("float32")
    full = d(x, training=True).numpy()
    alone = np.concatenate([d(x[i:i + 1], training=True).numpy() for i in range(4)])
    np.testing.assert_allclose(full, alone, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", [(30, 30, 1), (28, 32, 1), (28, 28, 2), (4, 4, 1)])
def test_bad_shapes_are_refused_with_the_rule(shape):
    with pytest.raises(ValueError, match="multiple of 4"):
        study_generator(shape)
    with pytest.raises(ValueError, match="multiple of 4"):
        study_discriminator(shape)
    with pytest.raises(ValueError, match="normalization must be one of"):
        study_discriminator((8, 8, 1), normalization="instance")


def test_a_loss_trains_on_the_study_networks_and_reloads(tmp_path):
    shape = (8, 8, 1)
    g = study_generator(shape, latent_dim=4, width=4, hidden=8)
    d = study_discriminator(shape, width=4, hidden=8, normalization="none")
    model = keras_gans.get("wgan_gp", image_shape=shape, latent_dim=4, n_critic=1,
                           generator=g, discriminator=d)
    assert model.generator is g and model.discriminator is d
    model.compile()
    before = [w.copy() for w in g.get_weights()]
    x = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
    model.fit(x, batch_size=8, epochs=1, verbose=0)
    assert any(not np.allclose(a, b) for a, b in zip(before, g.get_weights()))
    path = os.path.join(tmp_path, "m.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    np.testing.assert_allclose(again.sample(4, seed=3), model.sample(4, seed=3), atol=1e-6)
    assert [layer.units for layer in _layers(again.discriminator, "Dense")] == [8, 1]


def test_the_study_began_autoencoder_at_28_px():
    d = study_began_discriminator((28, 28, 1))
    assert [tuple(o.shape) for o in d.outputs] == [(None, 28, 28, 1), (None, 64)]
    # conv 64 -> conv 128 -> FC 64 (code) -> FC 7x7x128 -> deconv 64 -> deconv 1.
    assert [layer.filters for layer in _layers(d, "Conv2D")] == [64, 128]
    assert [layer.units for layer in _layers(d, "Dense")] == [64, 7 * 7 * 128]
    assert [layer.filters for layer in _layers(d, "Conv2DTranspose")] == [64, 1]
    assert _layers(d, "Dense")[0].kernel.shape == (7 * 7 * 128, 64)
    assert len(_layers(d, "BatchNorm")) == 0
    # compare_gan's count: about 1.3M weights, against the study's D's 8.5M
    # (here, without the study's batch-norm parameters, 1.07M).
    assert 1.0e6 < d.count_params() < 1.3e6
    x = np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1)).astype("float32")
    reconstruction, _ = d(x)
    assert np.all(np.abs(np.asarray(reconstruction)) <= 1.0)  # tanh, as the images


def test_began_trains_on_the_study_began_networks_and_reloads(tmp_path):
    shape = (8, 8, 1)
    g = study_generator(shape, latent_dim=4, width=4, hidden=8)
    d = study_began_discriminator(shape, width=4, code_dim=4, normalization="batch")
    assert len(_layers(d, "BatchNorm")) == 3
    model = keras_gans.get("began", image_shape=shape, latent_dim=4, generator=g, discriminator=d)
    model.compile()
    before = [w.copy() for w in d.get_weights()]
    x = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
    history = model.fit(x, batch_size=8, epochs=2, verbose=0)
    assert any(not np.allclose(a, b) for a, b in zip(before, d.get_weights()))
    assert float(model.k_t) > 0.0  # k_t moved from k_0 = 0: the equilibrium step ran
    assert np.isfinite(history.history["convergence"]).all()
    path = os.path.join(tmp_path, "m.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    np.testing.assert_allclose(again.sample(4, seed=3), model.sample(4, seed=3), atol=1e-6)
    assert float(again.k_t) == pytest.approx(float(model.k_t))


def test_began_refuses_a_discriminator_that_is_not_an_autoencoder():
    shape = (8, 8, 1)
    with pytest.raises(ValueError, match=r"two outputs, \[reconstruction \(8, 8, 1\), code\]"):
        keras_gans.get("began", image_shape=shape, latent_dim=4,
                       generator=study_generator(shape, latent_dim=4, width=4, hidden=8),
                       discriminator=study_discriminator(shape, width=4, hidden=8))
    # EBGAN's D is an autoencoder too: the same check, from the base class.
    with pytest.raises(ValueError, match=r"EBGAN's discriminator is an autoencoder"):
        keras_gans.get("ebgan", image_shape=shape, latent_dim=4,
                       generator=study_generator(shape, latent_dim=4, width=4, hidden=8),
                       discriminator=study_discriminator(shape, width=4, hidden=8))
