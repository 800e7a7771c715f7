"""Bad constructor arguments, image sizes and fit() data get one clear error (issue 14).

Constructor arguments are checked in one place, `GenerativeModel.check_arguments`
(types from the defaults over the MRO, ranges from `argument_rules`), so `--set`,
`keras_gans.get` and direct construction give the same message; an image size a
model cannot take is refused by `check_image_shape` before any data is read; and
`fit()` refuses integer or out-of-range images and says how to fix a shape.
"""

import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from conftest import assert_one_clear_line, tree_snapshot
from keras_gans import registry
from keras_gans.models import base


@pytest.fixture
def no_data(monkeypatch):
    """Makes reading any training data fail the test: a refused run reads none."""

    def refuse(*args, **kwargs):
        raise AssertionError("the data was read before the refusal")

    from keras_gans import data

    for name in ("load", "load_pairs", "load_unpaired"):
        if hasattr(data, name):
            monkeypatch.setattr(data, name, refuse)


# ------------------------------------------------------------------ --set


@pytest.mark.parametrize(
    "model,setting,needle",
    [
        ("dcgan", "g_width=abc", "g_width must be a positive int; got 'abc'"),
        ("dcgan", "g_width=-4", "g_width must be a positive int; got -4"),
        ("wgan", "n_critic=2.5", "n_critic must be a positive int; got 2.5"),
        ("dcgan", "d_width=True", "d_width must be a positive int; got True"),
        ("lsgan", "d_normalization=spectral",
         "d_normalization must be one of 'batch', 'layer', 'none'; got 'spectral'"),
        ("dcgan", "loss=nope", "loss must be one of"),
        ("cyclegan", "cycle_weight=-1", "cycle_weight must be a non-negative number; got -1"),
        ("rgan", "average=1", "average must be a bool (True or False); got 1"),
        ("gan", "dropout=1.5", "dropout must be a number in [0, 1]; got 1.5"),
        ("gan", "g_units=256", "g_units must be a tuple/list of positive ints; got 256"),
        ("began", "gamma=abc", "gamma must be a non-negative number; got 'abc'"),
    ],
)
def test_bad_set_value_is_one_line_before_any_data(model, setting, needle, tmp_path, cli_main,
                                                   no_data):
    before = tree_snapshot(tmp_path)
    r = cli_main("train", model, "--set", setting, "--run-dir", str(tmp_path / "run"),
                 cwd=tmp_path)
    assert_one_clear_line(r, needle)
    assert tree_snapshot(tmp_path) == before


# ------------------------------------------------------- the Python API


@pytest.mark.parametrize(
    "name,overrides,match",
    [
        ("dcgan", {"bad": 1}, r"DCGAN has no argument 'bad'; it takes: .*g_width"),
        ("dcgan", {"ema": 2.0}, r"ema must be a decay in \[0, 1\].*or None; got 2.0"),
        ("nsgan", {"label_smoothing": 1.5}, r"label_smoothing must be a number in \[0, 1\]"),
        # the same name, another default: Improved GAN's label_smoothing is a bool
        ("improved_gan", {"label_smoothing": 0.3}, r"label_smoothing must be a bool"),
        # a class's own rule: DualGAN's PatchGAN critics take instance norm, not layer norm
        ("dualgan", {"d_normalization": "layer"}, r"'batch', 'instance', 'none'; got 'layer'"),
        ("began", {"d_activation": "gelu"}, r"d_activation must be one of 'leaky_relu'"),
        ("cyclegan", {"identity_weight": "x"}, r"identity_weight must be a non-negative number "
                                               r"or None; got 'x'"),
        ("dcgan", {"image_shape": (32, 32)}, r"image_shape must be \(height, width, channels\)"),
    ],
)
def test_get_refuses_bad_arguments(name, overrides, match):
    with pytest.raises(ValueError, match=match):
        keras_gans.get(name, **overrides)


def test_direct_construction_is_checked_too():
    with pytest.raises(ValueError, match="latent_dim must be a positive int; got '8'"):
        keras_gans.models.DCGAN(latent_dim="8")


@pytest.mark.parametrize("name", registry.list_models())
def test_every_preset_passes_the_rules(name):
    cls = registry.entry(name).cls
    cls.check_arguments(cls.default_arguments(preset=False))
    cls.check_arguments(registry.entry(name).defaults)
    cls.check_arguments(registry.tiny_config(name))
    shape = cls.default_arguments()["image_shape"]
    assert cls.check_image_shape(shape) == tuple(shape)


def test_config_reload_passes_the_rules():
    model = keras_gans.get("dcgan", **registry.tiny_config("dcgan"))
    again = type(model).from_config(model.get_config())
    assert again.image_shape == model.image_shape


# ----------------------------------------------------------- image sizes


def test_unsupported_image_size_is_refused_before_any_data(tmp_path, cli_main, no_data):
    before = tree_snapshot(tmp_path)
    r = cli_main("train", "dcgan", "--image-size", "4096", "--run-dir", str(tmp_path / "run"),
                 cwd=tmp_path)
    assert_one_clear_line(r, "Unsupported image size 4096x4096")
    assert "[8, 16, 32, 64, 128, 256]" in r.stderr
    assert tree_snapshot(tmp_path) == before


def test_mlp_size_past_memory_is_refused_with_the_estimate(tmp_path, cli_main, no_data,
                                                           monkeypatch):
    monkeypatch.setattr(base, "physical_memory", lambda: 64 * 2**30)
    before = tree_snapshot(tmp_path)
    r = cli_main("train", "gan", "--image-size", "4096", "--run-dir", str(tmp_path / "run"),
                 cwd=tmp_path)
    assert_one_clear_line(r, "VanillaGAN at 4096x4096x1 would need about")
    assert "GiB" in r.stderr and "64.0 GiB of memory" in r.stderr
    assert tree_snapshot(tmp_path) == before
    # the constructor refuses it too, before Keras allocates the weights
    with pytest.raises(ValueError, match="would need about"):
        keras_gans.get("gan", image_shape=(4096, 4096, 1))


@pytest.mark.parametrize(
    "cls,shape,ok",
    [
        ("DCGAN", (28, 28, 1), False),  # conv builders: square powers of two
        ("DCGAN", (64, 64, 3), True),
        ("VanillaGAN", (28, 28, 1), True),  # MLPs: any size that fits in memory
        ("CycleGAN", (48, 48, 3), True),  # fully convolutional: multiples of 4
        ("CycleGAN", (30, 30, 3), False),
    ],
)
def test_check_image_shape_follows_the_networks(cls, shape, ok):
    model_cls = getattr(keras_gans.models, cls)
    if ok:
        assert model_cls.check_image_shape(shape) == shape
    else:
        with pytest.raises(ValueError, match=f"{cls}: Unsupported image size"):
            model_cls.check_image_shape(shape)


# ------------------------------------------------------------- fit() data


@pytest.fixture(scope="module")
def dcgan():
    model = keras_gans.get("dcgan", **registry.tiny_config("dcgan"))  # 16x16x1
    model.compile()
    return model


def _dataset(x):
    return tf.data.Dataset.from_tensor_slices(x).batch(8)


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: np.random.default_rng(0).integers(0, 256, (16, 16, 16, 1)).astype("uint8"),
         r"^images must be float in \[-1, 1\]; got uint8 in 0\.\.255: divide by 127\.5 and "
         r"subtract 1 \(or use keras_gans\.data\.load\)"),
        (lambda: np.full((16, 16, 16, 1), 200.0, "float32"),
         r"images must be float in \[-1, 1\]; got float32 in 200\.\.200: divide by 127\.5"),
        (lambda: _dataset(np.zeros((16, 16, 16, 1), "uint8")),
         r"images must be float in \[-1, 1\]; got uint8"),
        (lambda: np.zeros((16, 28, 28, 1), "float32"),
         r"shape \(28, 28, 1\).*takes square images with a side in \[8, 16, 32, 64, 128, 256\]"
         r".*image_size=16, channels=1\).*resize"),
        (lambda: np.zeros((1797, 16, 16), "float32"),
         r"no channel axis \(\[N, H, W\] = \(1797, 16, 16\)\): "
         r"add a channel axis: x\[\.\.\., None\]"),
        (lambda: _dataset(np.zeros((16, 16, 16), "float32")),
         r"add a channel axis: dataset\.map\(lambda x: x\[\.\.\., None\]\)"),
        (lambda: tf.data.Dataset.from_tensor_slices(np.zeros((16, 16, 16, 1), "float32")),
         r"single images of shape \(16, 16, 1\), not batches"),
    ],
    ids=["uint8", "float-0-255", "dataset-uint8", "28x28", "no-channel-axis",
         "dataset-no-channel-axis", "unbatched"],
)
def test_fit_refuses_bad_data_with_a_fix(dcgan, make, match):
    with pytest.raises(ValueError, match=match) as info:
        dcgan.fit(make(), epochs=1, verbose=0, batch_size=8)
    message = str(info.value)
    assert "\n" not in message
    assert "image_shape=(1797" not in message and "image_shape=(28" not in message


def test_fit_takes_good_data(dcgan):
    x = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 1)).astype("float32")
    history = dcgan.fit(x, epochs=1, verbose=0, batch_size=8)
    assert np.isfinite(history.history["g_loss"][-1])
