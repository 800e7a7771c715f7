"""Image sizes (issue 15): the convolutional builders take a side that is a
small base (3 to 7) times a power of two, 28 px (7 x 4) among them.

- The rule: `SUPPORTED_SIZES`, `base_and_doublings`, and the error that names
  the rule and a size to use instead.
- Powers of two keep exactly the networks they had (so committed `.keras`
  files still load): DCGAN at 32 px against the weight list recorded before
  the rule changed.
- Every builder at 10, 28 and 48 px; every registered model built at 28 px
  with its tiny config, and one generate.
- The acceptance: dcgan, wgan_gp and cgan train on Fashion-MNIST at 28 px
  from the CLI; the `.keras` file, the SavedModel and the `.tflite` give the
  same 28x28x1 images for the same inputs.
"""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from keras_gans import data, registry, testing
from keras_gans.models.improved_gan import vbn_dcgan_generator
from keras_gans.networks import common
from keras_gans.networks.conditional import (
    conditional_generator,
    heads_discriminator,
    image_encoder,
    joint_discriminator,
    label_discriminator,
)
from keras_gans.networks.encoder_decoder import encoder_decoder_generator
from keras_gans.networks.sn import sn_dcgan_discriminator

# ------------------------------------------------------------------ the rule


def test_supported_sizes_are_a_small_base_times_a_power_of_two():
    assert common.SUPPORTED_SIZES == (8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80,
                                      96, 112, 128, 160, 192, 224, 256)
    got = {s: common.base_and_doublings(s) for s in (8, 16, 32, 256, 10, 12, 14, 28, 40, 48, 96)}
    assert got == {8: (4, 1), 16: (4, 2), 32: (4, 3), 256: (4, 6),  # powers of two: from 4x4
                   10: (5, 1), 12: (6, 1), 14: (7, 1), 28: (7, 2), 40: (5, 3), 48: (6, 3),
                   96: (6, 4)}
    for s in common.SUPPORTED_SIZES:
        base, n = common.base_and_doublings(s)
        assert base * 2**n == s and 3 <= base <= 7 and n >= 1
        assert common.num_doublings(s) == n
    assert common.num_doublings(32, start=4) == 3  # the old form still answers


@pytest.mark.parametrize(
    "shape,suggested",
    [((36, 36, 1), 40), ((44, 44, 3), 48), ((9, 9, 1), 10), ((6, 6, 1), 8),
     ((512, 512, 3), 256), ((28, 32, 1), 32)],
)
def test_refused_sizes_name_the_rule_and_a_size_to_use(shape, suggested):
    with pytest.raises(ValueError) as info:
        common.check_image_shape(shape)
    message = str(info.value)
    assert message.startswith(f"Unsupported image size {shape[0]}x{shape[1]}: ")
    assert "3 to 7 times a power of two" in message
    assert "[8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, " in message
    assert f"(e.g. --image-size {suggested})" in message
    assert "\n" not in message
    with pytest.raises(ValueError, match="DCGAN: Unsupported image size"):
        keras_gans.models.DCGAN.check_image_shape(shape)
    if shape[0] not in common.SUPPORTED_SIZES:  # what the builders call refuses it too
        with pytest.raises(ValueError, match=f"Unsupported image size {shape[0]}x{shape[0]}"):
            common.base_and_doublings(shape[0])


def test_channels_and_the_smallest_side_still_checked():
    with pytest.raises(ValueError, match="channel count 2"):
        common.check_image_shape((28, 28, 2))
    with pytest.raises(ValueError, match=r"in \[16, 20, 24, 28"):
        common.check_image_shape((12, 12, 1), min_size=16)
    assert common.check_image_shape((28, 28, 1)) == (28, 28, 1)
    assert common.check_model_image_shape([48, 48, 3]) == (48, 48, 3)


# ---------------------------------------------- powers of two: the same networks


def _bn(n):
    return [("gamma", (n,)), ("beta", (n,)), ("moving_mean", (n,)), ("moving_variance", (n,))]


# The layers (class, weights: name and shape) of `registry.get("dcgan")` (32x32x1,
# latent_dim 64, widths 32), printed from `model.generator.layers` and
# `model.discriminator.layers` at commit d09dc07, before sides other than powers
# of two were allowed. Keras' .keras files name weights by layer class and order,
# so an equal list means the committed files (tests/fixtures, savedmodels/) load.
DCGAN_32_GENERATOR = [
    ("InputLayer", []),
    ("Dense", [("kernel", (64, 2048))]),
    ("Reshape", []),
    ("BatchNorm", _bn(128)),
    ("ReLU", []),
    ("Conv2DTranspose", [("kernel", (4, 4, 64, 128))]),
    ("BatchNorm", _bn(64)),
    ("ReLU", []),
    ("Conv2DTranspose", [("kernel", (4, 4, 32, 64))]),
    ("BatchNorm", _bn(32)),
    ("ReLU", []),
    ("Conv2DTranspose", [("kernel", (4, 4, 1, 32)), ("bias", (1,))]),
    ("Activation", []),
]
DCGAN_32_DISCRIMINATOR = [
    ("InputLayer", []),
    ("Conv2D", [("kernel", (4, 4, 1, 32)), ("bias", (32,))]),
    ("LeakyReLU", []),
    ("Conv2D", [("kernel", (4, 4, 32, 64))]),
    ("BatchNorm", _bn(64)),
    ("LeakyReLU", []),
    ("Conv2D", [("kernel", (4, 4, 64, 128))]),
    ("BatchNorm", _bn(128)),
    ("LeakyReLU", []),
    ("Flatten", []),
    ("Dense", [("kernel", (2048, 1)), ("bias", (1,))]),
]


def _layers(network):
    return [(layer.__class__.__name__, [(w.name, tuple(w.shape)) for w in layer.weights])
            for layer in network.layers]


def test_power_of_two_networks_are_unchanged():
    model = registry.get("dcgan")
    assert model.image_shape == (32, 32, 1)
    assert _layers(model.generator) == DCGAN_32_GENERATOR
    assert _layers(model.discriminator) == DCGAN_32_DISCRIMINATOR


# ------------------------------------------------------------ every builder


@pytest.mark.parametrize("size", [10, 28, 48])
def test_builders_start_at_the_base(size):
    base, n = common.base_and_doublings(size)
    shape, width = (size, size, 1), 2
    last = width * 2 ** (n - 1)  # filters of the discriminators' last stage

    g = keras_gans.networks.dcgan_generator(shape, latent_dim=4, width=width)
    assert g.output_shape == (None, size, size, 1)
    assert [layer for layer in g.layers if layer.__class__.__name__ == "Reshape"][0] \
        .output.shape[1:] == (base, base, last)
    d = keras_gans.networks.dcgan_discriminator(shape, width=width)
    assert d.get_layer("features").output.shape == (None, base * base * last)
    assert d.output_shape == (None, 1)
    assert sn_dcgan_discriminator(shape, width=width).output_shape == (None, 1)
    ae = keras_gans.networks.autoencoder_discriminator(shape, code_dim=4, width=width)
    assert [tuple(o.shape) for o in ae.outputs] == [(None, size, size, 1), (None, 4)]
    assert conditional_generator(shape, 4, num_classes=3, width=width).output_shape == \
        (None, size, size, 1)
    assert conditional_generator(shape, 4, code_dim=2, width=width).output_shape == \
        (None, size, size, 1)
    assert label_discriminator(shape, 3, width=width).output_shape == (None, 1)
    heads = heads_discriminator(shape, {"logits": 1, "classes": 3}, width=width)
    assert tuple(heads.output["features"].shape) == (None, base * base * last)
    assert image_encoder(shape, 5, width=width).output_shape == (None, 5)
    assert joint_discriminator(shape, 4, width=width, units=4).output_shape == (None, 1)
    vbn = vbn_dcgan_generator(shape, 4, width=width, reference_size=2, seed=0)
    assert vbn.output_shape == (None, size, size, 1)
    ed = encoder_decoder_generator((size, size, 3), filters=width)
    assert ed.output_shape == (None, size, size, 3)
    unet = keras_gans.networks.unet_generator((size, size, 3), filters=width)
    assert unet.output_shape == (None, size, size, 3)


# ------------------------------------------------------ every registered model


def _takes(cls, size):
    """Whether the model's own size rule (`image_sizes`) admits `size`."""
    sizes = cls.image_sizes
    return sizes in ("conv", "any") or size % int(sizes) == 0


@pytest.mark.parametrize("name", registry.list_models())
def test_every_model_builds_and_generates_at_28(name):
    config = registry.tiny_config(name)
    channels = config["image_shape"][-1]
    config["image_shape"] = (28, 28, channels)
    cls = registry.entry(name).cls
    if not _takes(cls, 28):  # a rule of its own that refuses 28: a clear error
        with pytest.raises(ValueError, match=f"{cls.__name__}: Unsupported image size 28x28"):
            cls.check_image_shape(config["image_shape"])
        return
    assert cls.check_image_shape(config["image_shape"]) == (28, 28, channels)
    model = keras_gans.get(name, **config)
    assert model.image_shape == (28, 28, channels)
    images = model.sample(2, seed=0, **model.example_sample_kwargs(2, seed=0))
    assert images.shape == (2, 28, 28, channels) and images.dtype == np.float32
    assert np.all(np.isfinite(images))


# ---------------------------------------------- the CLI at 28 px (acceptance)


def _have_fashion_mnist():
    return any(os.path.exists(path) for _, path in data.idx_search_dirs("fashion_mnist")[1])


@pytest.mark.skipif(not _have_fashion_mnist(),
                    reason="no Fashion-MNIST files (`make data` installs dataset-fashion-mnist)")
@pytest.mark.parametrize("name", ["dcgan", "wgan_gp", "cgan"])
def test_cli_trains_at_28_saves_reloads_and_exports(name, tmp_path, cli_main):
    r = cli_main("train", name, "--data", "fashion_mnist", "--image-size", "28", "--epochs", "1",
                 "--steps-per-epoch", "1", "--batch-size", "8", "--seed", "0",
                 "--set", "latent_dim=8", "--set", "g_width=4", "--set", "d_width=4",
                 "--run-dir", "run", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert f"Training {name} on fashion_mnist at 28x28x1" in r.stdout
    run = tmp_path / "run"
    assert os.path.isfile(run / "samples" / "final.png")

    model = keras.saving.load_model(run / "model.keras")  # no custom_objects
    assert model.image_shape == (28, 28, 1)
    _, specs = model.serving_signatures()["serving_default"]
    inputs = testing.signature_inputs(model, specs, num=3, seed=1)
    expected = testing.call_signature(model, "serving_default", inputs)
    assert expected["images"].shape == (3, 28, 28, 1)
    again = keras.saving.load_model(run / "model.keras")
    np.testing.assert_array_equal(
        testing.call_signature(again, "serving_default", inputs)["images"], expected["images"])

    serving = tf.saved_model.load(str(run / "export" / "1")).signatures["serving_default"]
    saved = serving(**{k: tf.constant(v) for k, v in inputs.items()})["images"].numpy()
    np.testing.assert_allclose(saved, expected["images"], atol=1e-5)
    lite = testing.litert_run(str(run / "export" / f"{name}.tflite"), "serving_default",
                              **inputs)["images"]
    assert lite.shape == (3, 28, 28, 1)
    np.testing.assert_allclose(lite, expected["images"], atol=1e-4)
