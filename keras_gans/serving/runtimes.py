"""The saved forms a sampler runs: a `.keras` file, a SavedModel, a `.tflite` file.

A runtime loads one form and calls its signatures. It does not know what
kind of model it holds; the samplers of `keras_gans.serving.samplers` do,
from the inputs of its `serving_default` signature.
"""

import re

import numpy as np

from keras_gans.serving.metadata import metadata_of, read_saved_model_metadata, read_tflite_metadata


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

    def check_signature(self, signature):
        """Raises a clear `ValueError` when the form has no `signature`."""
        if signature not in self.signatures:
            raise ValueError(
                f"{self.source} has no {signature!r} signature (it has "
                f"{', '.join(sorted(self.signatures))})."
            )

    def run(self, signature, **inputs):
        """Calls the exported `signature` with numpy inputs.

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
        import keras

        import keras_gans  # noqa: F401 - registers the classes

        self.source = path
        self.model = keras.saving.load_model(path)
        self._signatures = self.model.serving_signatures()
        self.signatures = tuple(self._signatures)
        self.metadata = metadata_of(self.model) or {}
        self.inputs = {s.name: list(s.shape) for s in self._signatures["serving_default"][1]}

    def call(self, signature, inputs):
        import keras
        import tensorflow as tf

        fn, specs = self._signatures[signature]
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
        self.loaded = tf.saved_model.load(path)
        self.signatures = tuple(self.loaded.signatures.keys())
        self.metadata = read_saved_model_metadata(path) or {}
        specs = self.loaded.signatures["serving_default"].structured_input_signature[1]
        self.inputs = {k: list(s.shape) for k, s in specs.items()}

    def call(self, signature, inputs):
        import tensorflow as tf

        fn = self.loaded.signatures[signature]
        specs = fn.structured_input_signature[1]
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
        self.interpreter = Interpreter(model_path=path)
        self.signatures = tuple(self.interpreter.get_signature_list())
        self.metadata = read_tflite_metadata(path) or {}
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
        return runner(**{k: np.asarray(inputs[k], details[k]["dtype"]) for k in details})
