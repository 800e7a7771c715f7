"""Export a model's serving signatures to SavedModel (TF Serving layout) and
to LiteRT / TFLite.

Both writes are atomic: the files are built in a temporary place beside the
target and moved there only when complete, so a failed export leaves nothing.
What they write has the modes of a plain write under the process umask (0644
files and 0755 folders under umask 022), not the private modes of the
temporary place, so a server running as another user can read it.
"""

import os
import shutil
import tempfile

import keras
import tensorflow as tf

from keras_gans.serving.layout import versions
from keras_gans.serving.metadata import (
    add_tflite_metadata,
    metadata_of,
    read_saved_model_metadata,
    write_saved_model_metadata,
)


def _umask():
    """The process umask (read by setting it and setting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _give_umask_modes(path):
    """Gives the file `path`, or the folder `path` and all under it, the modes
    a plain write has under the umask (mkdtemp and mkstemp make them private)."""
    mask = _umask()
    file_mode, dir_mode = 0o666 & ~mask, 0o777 & ~mask
    if not os.path.isdir(path):
        os.chmod(path, file_mode)
        return
    for root, dirs, files in os.walk(path):
        os.chmod(root, dir_mode)
        for name in files:
            os.chmod(os.path.join(root, name), file_mode)


def _write_saved_model(model, directory):
    """Writes `model.serving_signatures()` and its metadata as a SavedModel
    in `directory` (only the variables the signatures use, each once)."""
    signatures = model.serving_signatures()
    # No archive.track(): add_endpoint keeps exactly the variables the
    # signatures use. Tracking the model as well stored every variable twice.
    archive = keras.export.ExportArchive()
    for name, (fn, spec) in signatures.items():
        archive.add_endpoint(name, fn, input_signature=spec)
    archive.write_out(directory, verbose=False)
    metadata = metadata_of(model)
    if metadata:
        write_saved_model_metadata(directory, metadata)


def saved_model(model, base_dir, version=None):
    """Writes `model`'s serving signatures to `base_dir/<version>/`.

    Args:
        model: `keras_gans.models.GenerativeModel`. A built model.
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
        _give_umask_modes(tmp)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def tflite_bytes_from_saved_model(directory, signature_keys=None):
    """Converts a SavedModel to a TFLite flatbuffer with builtin ops only.

    Args:
        directory: str. A SavedModel directory.
        signature_keys: list of str or None. The signatures to convert (all
            when None).

    Returns:
        bytes. An op LiteRT lacks fails here, not at inference time.

    Example:
    ```python
    data = keras_gans.serving.tflite_bytes_from_saved_model("savedmodels/dcgan/1")
    ```
    """
    converter = tf.lite.TFLiteConverter.from_saved_model(
        directory, signature_keys=signature_keys
    )
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    return converter.convert()


def tflite(model, path, saved_model_dir=None):
    """Writes `model`'s serving signatures as a LiteRT/TFLite file at `path`.

    Args:
        model: `keras_gans.models.GenerativeModel`, or a path to a SavedModel
            directory.
        path: str. The `.tflite` file to write.
        saved_model_dir: str or None. A SavedModel that `saved_model` has just
            written from `model`. A model that computes in float32 is then
            converted from it instead of being traced and written again
            (`keras-gans train` exports both this way); a mixed precision model
            is still converted from its float32 copy.

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

            # LiteRT has no 16-bit compute kernels: mixed precision models
            # are converted from a float32 copy with the same weights.
            source = float32_copy(model)
            if saved_model_dir is not None and source is model:
                sm_dir = str(saved_model_dir)
            else:
                sm_dir = os.path.join(work, "saved_model")
                _write_saved_model(source, sm_dir)
        data = tflite_bytes_from_saved_model(sm_dir)
        metadata = read_saved_model_metadata(sm_dir)
        if metadata:
            data = add_tflite_metadata(data, metadata)
        fd, tmp_file = tempfile.mkstemp(prefix=".tmp-", suffix=".tflite", dir=parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            _give_umask_modes(tmp_file)
            os.replace(tmp_file, path)
        except BaseException:
            if os.path.exists(tmp_file):
                os.remove(tmp_file)
            raise
    return path
