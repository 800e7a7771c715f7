"""The keras-gans metadata of an exported file: what a sampler needs to know
that the signatures don't say (a conditional model's number of classes,
InfoGAN's code layout, a translator's default data).

A model gives it through `export_metadata()` (a JSON-able dict). It is
written to `<saved model>/assets.extra/keras_gans.json` and into the .tflite
file's metadata table under the name `METADATA_NAME`.
"""

import json
import os

#: The name of the keras-gans metadata: the JSON file's stem in a SavedModel's
#: `assets.extra/`, and the entry's name in a .tflite file's metadata table.
METADATA_NAME = "keras_gans"


def metadata_of(model):
    """The metadata `model` writes beside its exports.

    Args:
        model: `keras_gans.models.GenerativeModel`.

    Returns:
        dict: `{"model": export_name(model)}` and the model's own
        `export_metadata()`, so every export says what model it holds.

    Example:
    ```python
    keras_gans.serving.metadata_of(keras_gans.get("cgan"))["num_classes"]  # 10
    ```
    """
    fn = getattr(model, "export_metadata", None)
    own = fn() if callable(fn) else None
    return {"model": export_name(model), **(own or {})}


def export_name(model):
    """The name a model's exports go under: its registered name.

    Args:
        model: `keras_gans.models.GenerativeModel`.

    Returns:
        str. The name it is registered under (`keras-gans list`), else its
        class name in lower case.

    Example:
    ```python
    keras_gans.serving.export_name(keras_gans.get("dcgan"))  # "dcgan"
    ```
    """
    return getattr(model, "registry_name", None) or type(model).__name__.lower()


def write_saved_model_metadata(directory, metadata):
    """Writes `metadata` to `directory/assets.extra/keras_gans.json`.

    Args:
        directory: str. A SavedModel directory.
        metadata: dict. JSON-able.

    Example:
    ```python
    keras_gans.serving.write_saved_model_metadata("sm/1", {"num_classes": 10})
    ```
    """
    os.makedirs(os.path.join(directory, "assets.extra"), exist_ok=True)
    with open(os.path.join(directory, "assets.extra", METADATA_NAME + ".json"), "w") as f:
        json.dump(metadata, f)


def read_saved_model_metadata(directory):
    """The keras-gans metadata of a SavedModel directory.

    Args:
        directory: str. A SavedModel (version) directory.

    Returns:
        dict, or None when the directory has none.

    Example:
    ```python
    keras_gans.serving.read_saved_model_metadata("savedmodels/cgan/1")["condition"]  # "labels"
    ```
    """
    path = os.path.join(directory, "assets.extra", METADATA_NAME + ".json")
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def add_tflite_metadata(data, metadata):
    """A copy of the TFLite flatbuffer `data` with `metadata` in its metadata table.

    Args:
        data: bytes. A .tflite flatbuffer.
        metadata: dict. JSON-able.

    Returns:
        bytes, the flatbuffer with a `METADATA_NAME` entry.

    Example:
    ```python
    data = keras_gans.serving.add_tflite_metadata(data, {"num_classes": 10})
    ```
    """
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
    """The keras-gans metadata of a .tflite file.

    Args:
        path: str. A .tflite file.

    Returns:
        dict, or None when the file has none.

    Example:
    ```python
    keras_gans.serving.read_tflite_metadata("savedmodels/cgan/cgan.tflite")["num_classes"]
    ```
    """
    from tensorflow.lite.python import schema_py_generated as schema

    with open(path, "rb") as f:
        model = schema.Model.GetRootAsModel(bytearray(f.read()), 0)
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if entry.Name() and entry.Name().decode() == METADATA_NAME:
            raw = model.Buffers(entry.Buffer()).DataAsNumpy()
            return json.loads(bytes(raw).decode())
    return None
