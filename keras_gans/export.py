"""Export to SavedModel (TF Serving layout) and to LiteRT / TFLite.

Both writes are atomic: the files are built in a temporary place beside the
target and moved there only when complete, so a failed export leaves nothing.
"""

import json
import os
import shutil
import tempfile

import keras
import tensorflow as tf


def versions(base_dir):
    """Sorted integer version directories under `base_dir` (TF Serving layout)."""
    if not os.path.isdir(base_dir):
        return []
    return sorted(
        int(d) for d in os.listdir(base_dir)
        if d.isdigit() and os.path.isdir(os.path.join(base_dir, d))
    )


def latest_version_dir(base_dir):
    """`base_dir/<highest version>` or None."""
    v = versions(base_dir)
    return os.path.join(base_dir, str(v[-1])) if v else None


#: Name of the JSON metadata a model may add to its exports (conditional
#: models: the condition and the number of classes), written to
#: `<saved model>/assets.extra/keras_gans.json` and into the .tflite file's
#: metadata table.
METADATA_NAME = "keras_gans"


def _metadata_of(model):
    fn = getattr(model, "export_metadata", None)
    return fn() if callable(fn) else None


def read_saved_model_metadata(directory):
    """The keras-gans metadata of a SavedModel directory (dict), or None."""
    path = os.path.join(directory, "assets.extra", METADATA_NAME + ".json")
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def _add_tflite_metadata(data, metadata):
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(data))
    buffer = schema.BufferT()
    buffer.data = list(json.dumps(metadata).encode())
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name = METADATA_NAME
    entry.buffer = len(model.buffers) - 1
    model.metadata = (model.metadata or []) + [entry]
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def read_tflite_metadata(path):
    """The keras-gans metadata of a .tflite file (dict), or None."""
    from tensorflow.lite.python import schema_py_generated as schema

    with open(path, "rb") as f:
        model = schema.Model.GetRootAsModel(bytearray(f.read()), 0)
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if entry.Name() and entry.Name().decode() == METADATA_NAME:
            raw = model.Buffers(entry.Buffer()).DataAsNumpy()
            return json.loads(bytes(raw).decode())
    return None


def _write_saved_model(model, directory):
    signatures = model.serving_signatures()
    # No archive.track(): add_endpoint keeps exactly the variables the
    # signatures use (G, not D, pools or optimizer state), once. Tracking the
    # model as well stored every variable a second time.
    archive = keras.export.ExportArchive()
    for name, (fn, spec) in signatures.items():
        archive.add_endpoint(name, fn, input_signature=spec)
    archive.write_out(directory, verbose=False)
    metadata = _metadata_of(model)
    if metadata:
        os.makedirs(os.path.join(directory, "assets.extra"), exist_ok=True)
        with open(os.path.join(directory, "assets.extra", METADATA_NAME + ".json"), "w") as f:
            json.dump(metadata, f)


def saved_model(model, base_dir, version=None):
    """Writes `model`'s serving signatures to `base_dir/<version>/`.

    Args:
        model: `keras_gans.models.GAN`. A built model.
        base_dir: str. The model's base directory in TF Serving's layout.
        version: int or None. The next free version (1, 2, ...) when None.

    Returns:
        The path of the version directory.

    Example:
    ```python
    path = keras_gans.export.saved_model(model, "savedmodels/dcgan")
    f = tf.saved_model.load(path).signatures["serving_default"]
    f(z=tf.random.normal([4, model.latent_dim]))["images"]
    ```
    """
    existing = versions(base_dir)
    if version is None:
        version = existing[-1] + 1 if existing else 1
    version = int(version)
    if version < 0:
        raise ValueError(f"version must be a non-negative integer; got {version}.")
    final = os.path.join(base_dir, str(version))
    if os.path.exists(final):
        raise FileExistsError(f"{final!r} already exists; pick another version.")
    os.makedirs(base_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=base_dir)
    try:
        _write_saved_model(model, tmp)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def tflite_bytes_from_saved_model(directory, signature_keys=None):
    """Converts a SavedModel to a TFLite flatbuffer with builtin ops only."""
    converter = tf.lite.TFLiteConverter.from_saved_model(
        directory, signature_keys=signature_keys
    )
    # Builtins only: an op LiteRT lacks fails here, not at inference time.
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    return converter.convert()


def tflite(model, path):
    """Writes `model`'s serving signatures as a LiteRT/TFLite file at `path`.

    Args:
        model: `keras_gans.models.GAN`, or a path to a SavedModel directory.
        path: str. The `.tflite` file to write.

    Returns:
        `path`.

    Example:
    ```python
    keras_gans.export.tflite(model, "savedmodels/dcgan/dcgan.tflite")
    ```
    """
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp_file = None
    with tempfile.TemporaryDirectory(prefix=".tmp-tflite-", dir=parent) as work:
        if isinstance(model, (str, os.PathLike)):
            sm_dir = str(model)
        else:
            from keras_gans.distribute import float32_copy

            sm_dir = os.path.join(work, "saved_model")
            # LiteRT has no 16-bit compute kernels: mixed precision models
            # are converted from a float32 copy with the same weights.
            _write_saved_model(float32_copy(model), sm_dir)
        data = tflite_bytes_from_saved_model(sm_dir)
        metadata = read_saved_model_metadata(sm_dir)
        if metadata:
            data = _add_tflite_metadata(data, metadata)
        fd, tmp_file = tempfile.mkstemp(prefix=".tmp-", suffix=".tflite", dir=parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp_file, path)
        except BaseException:
            if os.path.exists(tmp_file):
                os.remove(tmp_file)
            raise
    return path
