"""Issue 14: every saved form loads through one function, `keras_gans.serving.load`,
and a saved file that cannot be read (empty, truncated, corrupt, of another
kind, refused by Keras' safe mode) is one clear line: a `ValueError` from the
API, exit code 2 and one stderr line from `keras-gans sample`, `export` and
`evaluate`, which write and change nothing. Also: exports get the umask's
modes after their atomic rename, and `keras-gans export` names its default
output after the model, not the file.

The CLI runs in this process (the `cli_main` fixture); the good files are made
once per module from a tiny DCGAN.
"""

import json
import os
import re
import shutil
import stat
import zipfile

import numpy as np
import pytest

import keras
import keras_gans
from keras import layers
from keras_gans import serving
from conftest import assert_one_clear_line, tree_snapshot
from helpers import tiny_model

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
    hits = []
    for root, _, names in os.walk(PACKAGE):
        for name in names:
            if name.endswith(".py"):
                with open(os.path.join(root, name)) as f:
                    hits += [f"{name}:{i}" for i, line in enumerate(f, 1) if unsafe.search(line)]
    assert hits == []


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
