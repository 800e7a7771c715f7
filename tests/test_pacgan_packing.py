"""PacGAN's packing (Lin et al. 2018): `PackImages`, `UnpackScores` and
`dcgan_discriminator(pack=m)` / ConvGAN's `d_pack`."""

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans.layers import PackImages, UnpackScores
from helpers import assert_d_trains_and_reloads


def test_pack_images_stacks_consecutive_images_along_the_channels():
    x = np.random.default_rng(0).normal(size=(6, 4, 4, 3)).astype("float32")
    packed = np.asarray(PackImages(3)(x))
    assert packed.shape == (2, 4, 4, 9)
    for group in range(2):
        for k in range(3):
            np.testing.assert_array_equal(packed[group, ..., 3 * k:3 * k + 3], x[3 * group + k])


def test_a_short_batch_wraps_around_and_unpacking_gives_one_row_per_image():
    x = np.random.default_rng(1).normal(size=(5, 2, 2, 1)).astype("float32")
    packed = np.asarray(PackImages(2)(x))
    assert packed.shape == (3, 2, 2, 2)
    np.testing.assert_array_equal(packed[2, ..., 1:], x[0])  # the last group borrows image 0
    scores = np.array([[1.0], [2.0], [3.0]], "float32")
    np.testing.assert_array_equal(np.asarray(UnpackScores(2)([scores, x]))[:, 0], [1, 1, 2, 2, 3])
    with pytest.raises(ValueError, match="positive integer"):
        PackImages(0)
    with pytest.raises(ValueError, match="positive integer"):
        keras_gans.get("rgan", d_pack=0)


def test_packed_discriminator_judges_each_group_together():
    """With pack=2, images 0 and 1 get one logit, which image 1 changes and image 2 does not."""
    x = np.random.default_rng(2).uniform(-1, 1, (7, 16, 16, 1)).astype("float32")
    keras.utils.set_random_seed(0)
    d = keras_gans.networks.dcgan_discriminator((16, 16, 1), width=4, normalization="none", pack=2)
    assert d.input_shape == (None, 16, 16, 1)
    a = np.asarray(d(x))
    assert a.shape == (7, 1)
    assert a[0, 0] == a[1, 0] and a[2, 0] == a[3, 0] and a[0, 0] != a[2, 0]
    other = x.copy()
    other[1] = -x[1]
    b = np.asarray(d(other))
    assert abs(a[0, 0] - b[0, 0]) > 1e-6 and abs(a[2, 0] - b[2, 0]) < 1e-6
    # The inner stages read 2 channels: the first convolution's kernel says so.
    assert d.get_layer("pack").output.shape[-1] == 2


def test_convgan_d_pack_trains_saves_and_reloads(tmp_path):
    m = keras_gans.get("rgan", d_pack=2, image_shape=(16, 16, 1), latent_dim=4, g_width=4, d_width=4,
                       seed=0)
    assert_d_trains_and_reloads(m, tmp_path, "d_pack", 2)
