"""IDX data specs: `idx:PATH`, `mnist`, `fashion_mnist` (tiny IDX files written here)."""

import gzip
import os
import struct

import numpy as np
import pytest

from helpers import idx_bytes as _idx_bytes
from helpers import idx_dir as _idx_dir
from helpers import idx_images as _images
from helpers import write_idx as _write
from keras_gans import data
from keras_gans.data import sources

DEBIAN_FASHION = "/usr/share/datasets/fashion-mnist"


def _all(ds):
    batches = list(ds)
    if isinstance(batches[0], tuple):
        return (np.concatenate([b[0].numpy() for b in batches]),
                np.concatenate([b[1].numpy() for b in batches]))
    return np.concatenate([b.numpy() for b in batches])


@pytest.fixture
def no_sources(tmp_path, monkeypatch):
    """Debian's folder and Keras' cache moved to empty tmp folders, no env vars,
    and tfds offline (no network probe)."""
    debian, keras_home = tmp_path / "debian", tmp_path / "keras"
    debian.mkdir()
    keras_home.mkdir()
    monkeypatch.setattr(sources, "DEBIAN_DATASETS", str(debian))
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    for info in sources.IDX_DATASETS.values():
        monkeypatch.delenv(info["env"], raising=False)
    calls = []

    def offline(name, split, data_dir):
        calls.append(name)
        raise ValueError(f"tfds dataset {name!r} is not in X yet ... network is unreachable")

    monkeypatch.setattr(sources, "tfds_load", offline)
    return {"debian": str(debian), "keras": str(keras_home / "datasets"), "tfds_calls": calls}


# ------------------------------------------------------------------ the IDX reader


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_raw_and_gz(tmp_path, gz):
    x = _images(3)
    p = _write(tmp_path / "imgs", x, gz=gz)  # no .gz in the name: told by the bytes
    got = data.read_idx(p)
    assert got.shape == (3, 28, 28, 1) and got.dtype == np.uint8
    np.testing.assert_array_equal(got[..., 0], x)
    assert data.idx_header(p) == (3, 28, 28)
    np.testing.assert_array_equal(data.read_idx(p, limit=2)[..., 0], x[:2])
    lp = _write(tmp_path / "labels", [3, 1, 4], gz=gz)
    np.testing.assert_array_equal(data.read_idx(lp, "labels"), [3, 1, 4])
    assert data.idx_header(lp, "labels") == (3,)


def test_read_idx_bad_magic_truncated_and_trailing(tmp_path):
    img = _idx_bytes(_images(2))
    cases = {
        "magic": b"\x00\x00\x08\x02" + img[4:],        # 2 dims: not images
        "float": b"\x00\x00\x0d\x03" + img[4:],        # float data, not uint8
        "text": b"hello world, not idx at all",
        "short_head": img[:9],
        "short_data": img[:-5],
        "trailing": img + b"\x00",
    }
    needles = {"magic": "magic number is 0x00000802, not 0x00000803",
               "float": "magic number is 0x00000d03", "text": "magic number",
               "short_head": "truncated", "short_data": "truncated: 1563 of the 1568",
               "trailing": "bytes after the data"}
    for name, raw in cases.items():
        for gz in (False, True):
            p = str(tmp_path / f"{name}{'.gz' if gz else ''}")
            with open(p, "wb") as f:
                f.write(gzip.compress(raw) if gz else raw)
            with pytest.raises(ValueError) as e:
                data.read_idx(p)
            msg = str(e.value)
            assert "\n" not in msg and p in msg and needles[name] in msg, msg
    # a labels file read as images, and images as labels: the magic says so
    lp = _write(tmp_path / "l.gz", [1, 2])
    with pytest.raises(ValueError, match="not an IDX file of uint8 images.*0x00000801"):
        data.read_idx(lp)
    with pytest.raises(ValueError, match="uint8 labels.*0x00000803, not 0x00000801"):
        data.read_idx(_write(tmp_path / "i.gz", _images(1)), "labels")
    # a cut gzip stream
    p = str(tmp_path / "cut.gz")
    with open(p, "wb") as f:
        f.write(gzip.compress(img)[:-40])
    with pytest.raises(ValueError, match="truncated") as e:
        data.read_idx(p)
    assert p in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        data.read_idx(str(tmp_path / "missing"))


def test_header_claiming_too_much_costs_no_memory(tmp_path):
    p = str(tmp_path / "huge")
    with open(p, "wb") as f:
        f.write(bytes([0, 0, 8, 3]) + struct.pack(">3I", 2**31, 4096, 4096) + b"\x00" * 100)
    with pytest.raises(ValueError, match="truncated: 100 of the"):
        data.read_idx(p)


# ------------------------------------------------------------------ idx:PATH


def test_idx_spec_values_sizes_and_labels(tmp_path):
    x = _images(6)
    ip = _write(tmp_path / "train-images-idx3-ubyte.gz", x)
    _write(tmp_path / "train-labels-idx1-ubyte", [5, 4, 3, 2, 1, 0])  # raw beside a gz
    assert data.idx_labels_path(ip) == str(tmp_path / "train-labels-idx1-ubyte")
    expect = x[..., None].astype(np.float32) / 127.5 - 1.0

    got = _all(data.load(f"idx:{ip}", image_size=28, batch_size=3, shuffle=False))
    assert got.shape == (6, 28, 28, 1) and got.dtype == np.float32
    np.testing.assert_allclose(got, expect, atol=1e-6)  # 28: as they are

    got = _all(data.load(f"idx:{ip}", image_size=32, batch_size=3, shuffle=False))
    assert got.shape == (6, 32, 32, 1)
    np.testing.assert_allclose(got[:, 2:30, 2:30], expect, atol=1e-6)  # padded, not resized
    border = np.ones((32, 32), bool)
    border[2:30, 2:30] = False
    assert np.all(got[:, border] == -1.0)

    got = _all(data.load(f"idx:{ip}", image_size=14, batch_size=3, shuffle=False, channels=3))
    assert got.shape == (6, 14, 14, 3) and got.min() >= -1 and got.max() <= 1  # resized
    np.testing.assert_array_equal(got[..., 0], got[..., 2])

    imgs, labels = _all(data.load(f"idx:{ip}", image_size=32, batch_size=3, shuffle=False,
                                  labels=True))
    np.testing.assert_array_equal(labels, [5, 4, 3, 2, 1, 0])
    assert data.num_classes(f"idx:{ip}") == 6
    # labels named explicitly
    other = _write(tmp_path / "mine.gz", [1, 1, 1, 1, 1, 0])
    _, labels = _all(data.load(f"idx:{ip},{other}", batch_size=3, shuffle=False, labels=True))
    np.testing.assert_array_equal(labels, [1, 1, 1, 1, 1, 0])


def test_idx_spec_errors(tmp_path):
    ip = _write(tmp_path / "pics.gz", _images(4))
    assert len(_all(data.load(f"idx:{ip}", batch_size=2))) == 4  # images only: no labels needed
    with pytest.raises(FileNotFoundError, match="No labels file beside"):
        data.load(f"idx:{ip}", batch_size=2, labels=True)
    with pytest.raises(ValueError, match="fewer than one batch of 8"):
        data.load(f"idx:{ip}", batch_size=8)
    lp = _write(tmp_path / "three.gz", [0, 1, 2])
    with pytest.raises(ValueError, match="4 images but 3 labels"):
        data.load(f"idx:{ip},{lp}", batch_size=2, labels=True)
    with pytest.raises(ValueError, match="needs an IDX images file"):
        data.load("idx:")


def test_parse_spec_forms(tmp_path):
    assert sources.parse_spec("mnist") == ("mnist", None, "train")
    assert sources.parse_spec("fashion_mnist:test") == ("fashion_mnist", None, "test")
    assert sources.parse_spec("fashion_mnist:/a/b") == ("fashion_mnist", "/a/b", "train")
    assert sources.parse_spec("mnist:/a/b:test") == ("mnist", "/a/b", "test")
    assert sources.parse_spec("idx:/a/x.gz") == ("idx", ("/a/x.gz", None), None)
    assert sources.parse_spec("idx:/a/x.gz,/a/y") == ("idx", ("/a/x.gz", "/a/y"), None)
    with pytest.raises(ValueError, match="splits 'train' and 'test'; got 'valid'"):
        sources.parse_spec("fashion_mnist:valid")
    with pytest.raises(ValueError, match="needs a split or a folder"):
        sources.parse_spec("mnist:")


# ------------------------------------------------------------------ mnist / fashion_mnist


def test_fashion_mnist_path_splits_and_labels(tmp_path, no_sources):
    root = _idx_dir(tmp_path / "fm", n_train=12, n_test=5, gz=False)
    x, y = _all(data.load(f"fashion_mnist:{root}", batch_size=4, shuffle=False,
                          drop_remainder=False, labels=True))
    assert x.shape == (12, 32, 32, 1)
    np.testing.assert_array_equal(y, np.arange(12) % 10)
    np.testing.assert_allclose(x[:, 2:30, 2:30, 0], _images(12) / 127.5 - 1.0, atol=1e-6)
    x, y = _all(data.load(f"fashion_mnist:{root}:test", image_size=28, batch_size=5,
                          shuffle=False, labels=True))
    assert x.shape == (5, 28, 28, 1)
    np.testing.assert_array_equal(y, np.arange(5) % 10)
    assert data.num_classes(f"fashion_mnist:{root}") == 10
    assert no_sources["tfds_calls"] == []


def test_search_order(tmp_path, no_sources, monkeypatch):
    debian = _idx_dir(os.path.join(no_sources["debian"], "fashion-mnist"), offset=1)
    cache = _idx_dir(os.path.join(no_sources["keras"], "fashion-mnist"), offset=2, gz=False)
    env = _idx_dir(tmp_path / "env", offset=3)
    given = _idx_dir(tmp_path / "given", offset=4)

    def source(spec_path=None):
        x, _, where = data.mnist_arrays("fashion_mnist", "train", spec_path)
        return int(x[0, 0, 0, 0]), where

    assert source() == (1, debian)          # Debian's package before Keras' cache
    os.rename(debian, debian + ".off")
    assert source() == (2, cache)           # then Keras' cache
    os.rename(debian + ".off", debian)
    monkeypatch.setenv("KERAS_GANS_FASHION_MNIST", env)
    assert source() == (3, env)             # the environment variable beats both
    assert source(given) == (4, given)      # and the spec's folder beats it
    # a given place is the only one looked in: no fall-through to Debian's
    monkeypatch.setenv("KERAS_GANS_FASHION_MNIST", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="KERAS_GANS_FASHION_MNIST.*does not exist"):
        source()
    with pytest.raises(ValueError, match="has no train IDX files"):
        source(str(tmp_path))
    assert no_sources["tfds_calls"] == []


def test_mnist_from_keras_cache_folder_and_npz(no_sources):
    npz = os.path.join(no_sources["keras"], "mnist.npz")
    os.makedirs(no_sources["keras"])
    np.savez(npz, x_train=_images(4, 7), y_train=np.arange(4), x_test=_images(2),
             y_test=np.array([9, 8]))
    x, y, where = data.mnist_arrays("mnist", "test")
    assert where == npz and x.shape == (2, 28, 28, 1)
    np.testing.assert_array_equal(y, [9, 8])
    folder = _idx_dir(os.path.join(no_sources["keras"], "mnist"), offset=5)
    x, _, where = data.mnist_arrays("mnist", "train")  # the IDX folder before the npz
    assert where == folder and x[0, 0, 0, 0] == 5
    # the Debian folder of Fashion-MNIST is not MNIST's
    _idx_dir(os.path.join(no_sources["debian"], "fashion-mnist"))
    assert data.mnist_arrays("mnist", "train")[2] == folder


def test_missing_is_one_line_naming_apt_and_tfds(no_sources):
    with pytest.raises(ValueError) as e:
        data.load("fashion_mnist")
    msg = str(e.value)
    assert "\n" not in msg
    for needle in ("dataset-fashion-mnist", "tfds:fashion_mnist", "KERAS_GANS_FASHION_MNIST",
                   no_sources["debian"], "make data"):
        assert needle in msg, (needle, msg)
    with pytest.raises(ValueError) as e:
        data.load("mnist:test", labels=True)
    msg = str(e.value)
    assert "\n" not in msg and "tfds:mnist" in msg and "apt-get" not in msg
    assert no_sources["tfds_calls"] == ["fashion_mnist", "mnist"]


def test_falls_back_to_tfds(no_sources, monkeypatch):
    import tensorflow_datasets as tfds

    monkeypatch.undo()  # the real tfds_load, under mock_data (no network)
    monkeypatch.setattr(sources, "DEBIAN_DATASETS", no_sources["debian"])
    monkeypatch.setenv("KERAS_HOME", os.path.dirname(no_sources["keras"]))
    for info in sources.IDX_DATASETS.values():
        monkeypatch.delenv(info["env"], raising=False)
    with tfds.testing.mock_data(num_examples=6):
        x, y, where = data.mnist_arrays("fashion_mnist", "test")
    assert where == "tfds:fashion_mnist" and x.shape == (6, 28, 28, 1) and y.shape == (6,)


def test_bad_label_in_mnist_files(tmp_path, no_sources):
    root = _idx_dir(tmp_path / "fm")
    _write(os.path.join(root, "t10k-labels-idx1-ubyte.gz"), [0, 1, 2, 3, 12])
    with pytest.raises(ValueError, match="a label is 12; the classes are 0 to 9"):
        data.mnist_arrays("fashion_mnist", "test", root)


# ------------------------------------------------------------------ the real Debian package


@pytest.mark.skipif(not os.path.isdir(DEBIAN_FASHION),
                    reason=f"{DEBIAN_FASHION} absent (`make data` installs dataset-fashion-mnist)")
def test_debian_fashion_mnist(monkeypatch):
    monkeypatch.delenv("KERAS_GANS_FASHION_MNIST", raising=False)
    explicit, places = data.idx_search_dirs("fashion_mnist")
    assert not explicit and places[0] == ("debian", DEBIAN_FASHION)
    for split, n in (("train", 60000), ("test", 10000)):
        images, labels = (sources._idx_file(DEBIAN_FASHION, s)
                          for s in sources.IDX_SPLIT_FILES[split])
        assert data.idx_header(images) == (n, 28, 28)
        assert data.idx_header(labels, "labels") == (n,)
    x, y = data.idx_arrays(images, labels, labels=True)  # the 10,000 test images
    assert x.shape == (10000, 28, 28, 1) and sorted(set(y.tolist())) == list(range(10))
    assert data.num_classes("fashion_mnist") == 10
    ds = data.load("fashion_mnist:test", image_size=32, batch_size=100, labels=True, seed=0)
    for xb, yb in ds.take(3):
        assert xb.shape == (100, 32, 32, 1) and yb.shape == (100,)
        assert float(xb.numpy().min()) == -1.0 and float(xb.numpy().max()) <= 1.0
        assert np.all(xb.numpy()[:, :2] == -1.0)  # the padded border


def test_evaluation_reads_the_test_split_of_a_bare_fashion_mnist(monkeypatch):
    """`keras-gans evaluate --data fashion_mnist` compares with the held-out
    10,000 test images, as `digits` compares with digits:test."""
    from keras_gans import data
    from keras_gans.metrics import evaluation

    asked = []
    real_load = data.load

    def spy(spec, *args, **kwargs):
        asked.append(spec)
        return real_load("digits", *args, **kwargs)

    monkeypatch.setattr(data, "load", spy)
    evaluation.real_images("fashion_mnist", num=8)
    evaluation.real_images("mnist", split="train", num=8)
    evaluation.real_images("fashion_mnist:train", num=8)
    assert asked == ["fashion_mnist:test", "mnist:train", "fashion_mnist:train"]
