"""The saved forms a sampler runs: a `.keras` file, a SavedModel, a `.tflite` file.

`load(path)` loads any of them. A runtime loads one form and calls its
signatures. It does not know what kind of model it holds; the samplers of
`keras_gans.serving.samplers` do, from the inputs of its `serving_default`
signature.

A file that cannot be read (empty, truncated, corrupt, of another kind, or a
`.keras` file holding Python code that Keras' safe mode refuses) raises one
`ValueError` line that says what the file is and why it cannot be read.
Nothing is unpickled: `.keras` files load with `safe_mode=True`.
"""

import json
import os
import re
import warnings
import zipfile

import numpy as np

from keras_gans.serving.layout import latest_version_dir, resolve_saved_model
from keras_gans.serving.metadata import (
    export_name,
    metadata_of,
    read_saved_model_metadata,
    read_tflite_metadata,
)


def _head(path, size=8):
    with open(path, "rb") as f:
        return f.read(size)


def _what(path):
    """What the bytes of the file `path` are, in words, from its first bytes."""
    size = os.path.getsize(path)
    head = _head(path)
    if size == 0:
        return "an empty file (0 bytes)"
    if head.startswith(b"PK"):
        return "a zip archive"
    if head[4:8] == b"TFL3":
        return "a TFLite flatbuffer"
    if head.startswith(b"\x89HDF"):
        return "an HDF5 file"
    if head.startswith(b"\x89PNG"):
        return "a PNG image"
    return f"{size} bytes of another kind"


def _reason(error, limit=200):
    """The first line of `error`'s message (its type when it has none), shortened."""
    text = str(error).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    if isinstance(error, KeyError):
        line = line.strip("\"'")
    return line if len(line) <= limit else line[:limit - 3] + "..."


def _check_not_empty(path, kind):
    if os.path.getsize(path) == 0:
        raise ValueError(f"{path} is an empty file (0 bytes), not {kind}: was it cut short "
                         "while being written or copied?")


def _label_error(error, source):
    """A `ValueError` for a runtime's out-of-range label failure, else None."""
    text = str(error)
    m = re.search(r"indices\[\d+\] = (-?\d+) is not in \[0, (\d+)\)", text)
    if m:
        return ValueError(
            f"Label {m.group(1)} is out of range: {source} has {m.group(2)} classes "
            f"(labels 0 to {int(m.group(2)) - 1})."
        )
    if "gather index out of bounds" in text:
        return ValueError(f"A label is out of range for {source} (more than its classes).")
    return None


class Runtime:
    """One loaded saved form: its signatures, metadata and a way to call them.

    Attributes:
        source: str. The file or directory loaded.
        signatures: tuple of str. The exported signatures.
        metadata: dict. The keras-gans metadata (empty when the file has none).
        inputs: dict. `serving_default`'s input name -> shape (a list, None
            for an unknown dimension).
        model: the `keras_gans` model of a `.keras` file, else None.
        name: str. The model's registered name (from the model or the export
            metadata), else the file's or base directory's name.

    Example:
    ```python
    runtime = keras_gans.serving.runtimes.SavedModelRuntime("savedmodels/dcgan/1")
    runtime.run("serving_default", z=z)["images"]
    ```
    """

    source = None
    signatures = ("serving_default",)
    metadata = {}
    inputs = {}
    model = None
    name = None

    def check_signature(self, signature):
        """Raises a clear `ValueError` when the form has no `signature`."""
        if signature not in self.signatures:
            raise ValueError(
                f"{self.source} has no {signature!r} signature (it has "
                f"{', '.join(sorted(self.signatures))})."
            )

    @property
    def input_defaults(self):
        """dict: input name -> the value a signature input takes when the
        caller leaves it out (the export metadata's `input_defaults`, e.g.
        StyleGAN's `psi`: 1.0); empty for most models."""
        return dict((self.metadata or {}).get("input_defaults") or {})

    def with_defaults(self, inputs, shapes):
        """`inputs` plus, for each input in `shapes` (name -> shape, batch
        first) that the caller left out and that has a default, that value
        for every row of the given inputs."""
        defaults = self.input_defaults
        missing = [k for k in shapes if k not in inputs and k in defaults]
        if not missing:
            return inputs
        rows = len(np.asarray(next(iter(inputs.values())))) if inputs else 1
        out = dict(inputs)
        for k in missing:
            dims = list(shapes[k])
            shape = [rows] + [1 if d is None or d < 0 else int(d) for d in dims[1:]] if dims else []
            out[k] = np.full(shape, defaults[k], "float32")
        return out

    def run(self, signature, **inputs):
        """Calls the exported `signature` with numpy inputs (an input with a
        default in `input_defaults` may be left out).

        Args:
            signature: str. A name from `signatures`.
            **inputs: numpy arrays by input name.

        Returns:
            dict of numpy arrays by output name.
        """
        self.check_signature(signature)
        return self.call(signature, inputs)

    def call(self, signature, inputs):
        raise NotImplementedError

    def generate(self, z, condition_name=None, condition=None):
        """`serving_default`'s images for latents `z` and the condition.

        Args:
            z: float32 numpy `[N, latent_dim]`.
            condition_name: str or None. "labels" or "codes", the input's name.
            condition: numpy array or None. The checked condition.

        Returns:
            float32 numpy `[N, H, W, C]`.
        """
        inputs = {"z": z}
        if condition_name is not None:
            inputs[condition_name] = condition
        try:
            return self.call("serving_default", inputs)["images"]
        except Exception as e:  # a label out of range, in the runtime's words
            err = _label_error(e, self.source)
            if err is None:
                raise
            raise err from None


class KerasRuntime(Runtime):
    """A `.keras` file: its model's own `generate` and `serving_signatures()`.

    Args:
        path: str. The `.keras` file.
    """

    def __init__(self, path):
        self.source = path
        self.model = _load_keras(path)
        self.name = export_name(self.model)
        self._signatures = self.model.serving_signatures()
        self.signatures = tuple(self._signatures)
        self.metadata = metadata_of(self.model) or {}
        self.inputs = {s.name: list(s.shape) for s in self._signatures["serving_default"][1]}

    def call(self, signature, inputs):
        import keras
        import tensorflow as tf

        fn, specs = self._signatures[signature]
        inputs = self.with_defaults(inputs, {s.name: s.shape for s in specs})
        args = [tf.constant(np.asarray(inputs[s.name], s.dtype.as_numpy_dtype)) for s in specs]
        return {k: keras.ops.convert_to_numpy(v) for k, v in fn(*args).items()}

    def generate(self, z, condition_name=None, condition=None):
        import keras

        kwargs = {} if condition_name is None else {condition_name: condition}
        return keras.ops.convert_to_numpy(self.model.generate(z, **kwargs))


class SavedModelRuntime(Runtime):
    """A SavedModel version directory.

    Args:
        path: str. The directory holding `saved_model.pb`.
    """

    def __init__(self, path):
        import tensorflow as tf

        self.source = path
        pb = os.path.join(path, "saved_model.pb")
        if not os.path.isfile(pb):
            raise ValueError(f"{path!r} holds no SavedModel (no saved_model.pb).")
        _check_not_empty(pb, "a SavedModel's saved_model.pb")
        try:
            self.loaded = tf.saved_model.load(path)
        except Exception as e:  # TF's parse or restore failure, in one line
            reason = ("saved_model.pb is not a valid SavedModel protobuf (corrupt or truncated)"
                      if "Cannot parse file" in str(e) else _reason(e))
            raise ValueError(f"{path} is a damaged SavedModel and cannot be read: {reason}.") from e
        self.signatures = tuple(self.loaded.signatures.keys())
        _check_serving_default(path, "SavedModel", self.signatures)
        try:
            self.metadata = read_saved_model_metadata(path) or {}
        except (ValueError, UnicodeDecodeError) as e:
            raise ValueError(f"{path} is a SavedModel with unreadable keras-gans metadata "
                             f"(assets.extra/keras_gans.json): {_reason(e)}.") from e
        base, version = os.path.split(os.path.normpath(path))
        self.name = self.metadata.get("model") or os.path.basename(
            base if version.isdigit() and base else os.path.abspath(path))
        specs = self.loaded.signatures["serving_default"].structured_input_signature[1]
        self.inputs = {k: list(s.shape) for k, s in specs.items()}

    def call(self, signature, inputs):
        import tensorflow as tf

        fn = self.loaded.signatures[signature]
        specs = fn.structured_input_signature[1]
        inputs = self.with_defaults(inputs, {k: s.shape for k, s in specs.items()})
        args = {k: tf.constant(np.asarray(inputs[k], specs[k].dtype.as_numpy_dtype))
                for k in specs}
        return {k: v.numpy() for k, v in fn(**args).items()}


class TFLiteRuntime(Runtime):
    """A `.tflite` file, run by LiteRT's interpreter.

    Args:
        path: str. The `.tflite` file.
    """

    def __init__(self, path):
        from ai_edge_litert.interpreter import Interpreter

        self.source = path
        _check_not_empty(path, "a TFLite model")
        if _head(path)[4:8] != b"TFL3":
            raise ValueError(f"{path} is not a TFLite model: it is {_what(path)}, without the "
                             "TFLite flatbuffer identifier (TFL3).")
        try:
            self.interpreter = Interpreter(model_path=path)
            self.signatures = tuple(self.interpreter.get_signature_list())
        except Exception as e:  # LiteRT's "not a valid Flatbuffer buffer", ...
            raise ValueError(f"{path} is a damaged TFLite model (truncated or corrupt) and "
                             f"cannot be read: {_reason(e)}.") from e
        _check_serving_default(path, "TFLite model", self.signatures)
        try:
            self.metadata = read_tflite_metadata(path) or {}
        except Exception as e:  # a damaged metadata table
            raise ValueError(f"{path} is a TFLite model with unreadable keras-gans metadata: "
                             f"{_reason(e)}.") from e
        self.name = self.metadata.get("model") or os.path.splitext(os.path.basename(path))[0]
        self._runners = {}
        details = self.runner("serving_default").get_input_details()
        self.inputs = {k: [None if d < 0 else int(d) for d in v["shape_signature"]]
                       for k, v in details.items()}

    def runner(self, signature):
        """LiteRT's signature runner of `signature` (made once)."""
        if signature not in self._runners:
            self._runners[signature] = self.interpreter.get_signature_runner(signature)
        return self._runners[signature]

    def call(self, signature, inputs):
        runner = self.runner(signature)
        details = runner.get_input_details()
        inputs = self.with_defaults(inputs, {k: v["shape_signature"] for k, v in details.items()})
        return runner(**{k: np.asarray(inputs[k], details[k]["dtype"]) for k in details})


def _check_serving_default(path, kind, signatures):
    if "serving_default" not in signatures:
        has = ", ".join(sorted(signatures)) or "none"
        raise ValueError(f"{path} is a {kind} without a serving_default signature (it has "
                         f"{has}): not a keras-gans export.")


def _keras_archive_config(path):
    """Checks that `path` is a Keras archive and returns its config.json."""
    _check_not_empty(path, "a .keras archive")
    if not zipfile.is_zipfile(path):
        if _head(path, 4) == b"PK\x03\x04":
            raise ValueError(f"{path} is a damaged .keras archive: a zip file without its end "
                             "(truncated, e.g. a copy cut short).")
        raise ValueError(f"{path} is not a .keras archive (a zip file): it is {_what(path)}.")
    try:
        with zipfile.ZipFile(path) as z:
            if "config.json" not in z.namelist():
                raise ValueError(f"{path} is a zip file but not a Keras archive: it has no "
                                 "config.json.")
            config = json.loads(z.read("config.json"))
            if "model.weights.h5" in z.namelist():
                with z.open("model.weights.h5") as f:
                    if f.read(8) != b"\x89HDF\r\n\x1a\n":
                        raise ValueError(f"{path} is a damaged Keras archive: its "
                                         "model.weights.h5 is not an HDF5 weights file.")
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path} is a damaged .keras archive: its config.json cannot be read "
                         f"({_reason(e)}).") from e
    if not isinstance(config, dict):
        raise ValueError(f"{path} is not a Keras archive: its config.json is not a model config.")
    return config


def _load_keras(path):
    """The model of the `.keras` file `path`, loaded with Keras' safe mode on.

    Raises:
        ValueError: one line, when the file is not a Keras archive, is damaged,
            names a class nobody registered, holds Python code (a Lambda
            layer's function, refused by safe mode) or holds a model that is
            not a keras-gans model.
    """
    import keras

    import keras_gans  # noqa: F401 - registers the classes

    config = _keras_archive_config(path)
    try:
        # Keras' warnings of a file it then fails to load say less than the error.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = keras.saving.load_model(path, safe_mode=True)
    except Exception as e:  # Keras' own words, made one line that names the file
        text = str(e)
        n = re.search(r"A total of (\d+) objects could not be loaded", text)
        if n:
            raise ValueError(f"{path} is a damaged Keras archive: its weights do not match its "
                             f"model config ({n.group(1)} objects could not be loaded).") from e
        m = re.search(r"Could not locate (?:class|function) '([^']+)'", text)
        if "safe_mode" in text or "unsafe_deserialization" in text:
            raise ValueError(
                f"{path} was refused by Keras' safe mode: it holds Python code (e.g. a Lambda "
                "layer's function), which keras-gans never loads; rebuild the model from "
                "registered layers."
            ) from e
        if m:
            top = config.get("class_name")
            what = (f"a model of class {m.group(1)!r}" if top in (None, m.group(1))
                    else f"a {top} model that uses the class {m.group(1)!r}")
            raise ValueError(
                f"{path} holds {what}, which is not registered: not a keras-gans model, or "
                "one saved by another version (custom classes must be registered before "
                "loading)."
            ) from e
        raise ValueError(f"{path} is a damaged Keras archive and cannot be loaded: "
                         f"{type(e).__name__}: {_reason(e)}") from e
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if not callable(getattr(model, "serving_signatures", None)):
        raise ValueError(
            f"{path} holds a plain Keras model ({type(model).__name__}), not a keras-gans "
            "model: it has no serving signatures to sample from or export."
        )
    return model


def _saved_model_dir(path):
    """The SavedModel version directory of the directory `path`, or a clear error."""
    sm = resolve_saved_model(path)
    if sm is not None:
        return sm
    latest = latest_version_dir(path)
    if latest is not None:
        raise ValueError(
            f"{path!r} holds no SavedModel: its latest version folder "
            f"{os.path.basename(latest)!r} has no saved_model.pb."
        )
    raise ValueError(
        f"{path!r} is a folder but holds no SavedModel (no saved_model.pb, and no "
        "numbered version folder with one)."
    )


def load(path):
    """Loads any saved form of a model: a `.keras` file, a SavedModel (a
    version directory, or a base directory whose highest version is taken) or
    a `.tflite` file.

    Args:
        path: str or path. The saved model.

    Returns:
        `KerasRuntime`, `SavedModelRuntime` or `TFLiteRuntime`: `source`,
        `name` (the registered model name when the file says it), `signatures`,
        `metadata`, `inputs`, `run(signature, **inputs)`; `model` for a
        `.keras` file.

    Raises:
        FileNotFoundError: when `path` does not exist.
        ValueError: one line, when `path` is not a saved form keras-gans reads
            or cannot be read (empty, truncated, corrupt, a `.keras` file that
            safe mode refuses or that holds no keras-gans model).

    Example:
    ```python
    runtime = keras_gans.serving.load("savedmodels/dcgan")
    images = runtime.run("serving_default", z=z)["images"]
    ```
    """
    path = str(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path!r} does not exist.")
    if os.path.isdir(path):
        return SavedModelRuntime(_saved_model_dir(path))
    if path.endswith(".keras"):
        return KerasRuntime(path)
    if path.endswith(".tflite"):
        return TFLiteRuntime(path)
    raise ValueError(
        f"Cannot load {path!r} ({_what(path)}): expected a .keras file, a .tflite file "
        "or a SavedModel directory."
    )
