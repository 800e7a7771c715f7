"""Hostile data (issue 14): odd image files in a folder are read or skipped
with one warning that names them, never a crash mid-epoch; tensorflow-datasets
goes through its real builder, and offline it is one clear line."""

import os
import struct
import threading
import time
import warnings
import zlib

import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from conftest import assert_one_clear_line, tree_snapshot
from keras_gans import data
from keras_gans.data import sources

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
    ("mnist", {}, ValueError, "Unknown data spec"),
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
