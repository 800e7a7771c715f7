"""`LatentMixture` (a fixed Gaussian-mixture prior as G's first layer) and
ConvGAN's `latent_mixture` / `latent_mixture_scale`."""

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans.layers import LatentMixture


def _mixture(k, scale, dim=6):
    layer = LatentMixture(k, scale)
    layer.build((None, dim))
    return layer


def test_each_row_lands_on_one_island_and_every_island_is_equally_likely():
    layer = _mixture(5, 0.3)
    z = np.random.default_rng(0).standard_normal((20000, 6)).astype("float32")
    onehot = np.asarray(layer.component(z))
    assert set(np.unique(onehot)) == {0.0, 1.0} and np.all(onehot.sum(1) == 1)
    np.testing.assert_allclose(onehot.mean(0), 0.2, atol=0.01)
    # The component is read from z[:, 0] alone, in the order of its quantiles.
    k = onehot.argmax(1)
    order = np.argsort(z[:, 0])
    assert np.all(np.diff(k[order]) >= 0)
    centres = np.asarray(layer.centres)
    np.testing.assert_allclose(np.asarray(layer(z)), centres[k] + 0.3 * z, atol=1e-5)


def test_one_component_is_a_shifted_and_scaled_normal():
    layer = _mixture(1, 0.5, dim=3)
    z = np.random.default_rng(1).standard_normal((4, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(layer(z)), np.asarray(layer.centres)[0] + 0.5 * z, atol=1e-6)


def test_bad_arguments_say_what_was_wrong():
    with pytest.raises(ValueError, match="components"):
        LatentMixture(0)
    with pytest.raises(ValueError, match="scale"):
        LatentMixture(4, 0.0)
    with pytest.raises(ValueError, match="latent_mixture"):
        keras_gans.get("dcgan", latent_mixture=-1)
    with pytest.raises(ValueError, match="latent_mixture_scale"):
        keras_gans.get("dcgan", latent_mixture=4, latent_mixture_scale=0.0)


def test_convgan_with_a_mixture_trains_keeps_its_centres_reloads_and_exports(tmp_path):
    from keras_gans import export
    from keras_gans.testing import litert_run

    m = keras_gans.get("dcgan", latent_mixture=4, latent_mixture_scale=0.2, image_shape=(16, 16, 1),
                       latent_dim=8, g_width=4, d_width=4, seed=0)
    m.compile()
    (layer,) = [layer for layer in m.generator.layers if isinstance(layer, LatentMixture)]
    assert layer.trainable_weights == [] and layer.components == 4
    centres = np.asarray(layer.centres).copy()
    before = [np.asarray(w).copy() for w in m.generator.trainable_weights]
    m.fit(keras_gans.data.load("digits", image_size=16, batch_size=16).take(3), epochs=1, verbose=0)
    np.testing.assert_array_equal(np.asarray(layer.centres), centres)
    assert any(not np.allclose(a, np.asarray(b)) for a, b in zip(before, m.generator.trainable_weights))

    m.save(tmp_path / "m.keras")
    reloaded = keras.saving.load_model(tmp_path / "m.keras")
    assert reloaded.get_config()["latent_mixture"] == 4
    np.testing.assert_allclose(reloaded.sample(8, seed=3), m.sample(8, seed=3), atol=1e-6)

    path = export.tflite(m, str(tmp_path / "m.tflite"))
    z = np.random.default_rng(0).standard_normal((5, 8)).astype("float32")
    np.testing.assert_allclose(litert_run(path, "serving_default", z=z)["images"],
                               np.asarray(m.generate(z)), atol=1e-4)


def test_samples_of_one_island_vary_less_than_samples_of_two():
    """The islands are what G sees: z rows that differ only inside one island
    give closer images than rows on two islands (a fresh, untrained G)."""
    keras.utils.set_random_seed(0)
    g = keras_gans.networks.dcgan_generator((16, 16, 1), latent_dim=8, width=4, latent_mixture=2,
                                            latent_mixture_scale=0.1)
    rng = np.random.default_rng(0)
    z = rng.standard_normal((64, 8)).astype("float32")
    z[:, 0] = np.abs(z[:, 0])  # all on island 1 (z0 above the median)
    other = z.copy()
    other[:32, 0] = -other[:32, 0]  # half moved to island 0
    images, moved = np.asarray(g(z, training=False)), np.asarray(g(other, training=False))
    within = np.abs(images[:32] - images[32:]).mean()
    across = np.abs(moved[:32] - images[32:]).mean()
    assert across > 2 * within
