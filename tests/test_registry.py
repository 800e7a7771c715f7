import pytest

import keras_gans


def test_foundation_models_registered():
    names = keras_gans.list_models()
    for n in ("gan", "dcgan", "lsgan", "wgan_gp"):
        assert n in names
    assert names == sorted(names)
    assert keras_gans.list_models("wgan*") == [n for n in names if n.startswith("wgan")]


def test_get_applies_overrides():
    m = keras_gans.get("dcgan", image_shape=(16, 16, 3), latent_dim=7, g_width=4, d_width=4)
    assert m.image_shape == (16, 16, 3) and m.latent_dim == 7


def test_unknown_name_names_closest():
    with pytest.raises(ValueError, match="'dcgan'"):
        keras_gans.get("dcgn")
    with pytest.raises(ValueError, match="keras-gans list"):
        keras_gans.get("completely-unknown")
