"""Load any saved form of a generator and sample from it.

`load_sampler(path)` accepts a `.keras` file, a SavedModel version directory,
a TF Serving base directory (the latest version is taken) or a `.tflite` file,
and returns an object with `latent_dim`, `generate(z)` and `sample(num, seed)`.
"""

import os

import numpy as np

from keras_gans import export


class _Sampler:
    latent_dim = None
    source = None

    def generate(self, z):
        raise NotImplementedError

    def sample(self, num, seed=None, batch_size=256):
        """`num` images as a float32 numpy array in [-1, 1]."""
        z = np.random.default_rng(seed).standard_normal((int(num), self.latent_dim))
        z = z.astype("float32")
        return np.concatenate(
            [self.generate(z[i : i + batch_size]) for i in range(0, len(z), batch_size)]
        )


class KerasSampler(_Sampler):
    def __init__(self, path):
        import keras

        import keras_gans  # noqa: F401 - registers the classes

        self.model = keras.saving.load_model(path)
        self.latent_dim = self.model.latent_dim
        self.source = path

    def generate(self, z):
        import keras

        return keras.ops.convert_to_numpy(self.model.generate(z))


class SavedModelSampler(_Sampler):
    def __init__(self, path):
        import tensorflow as tf

        self.loaded = tf.saved_model.load(path)
        self.fn = self.loaded.signatures["serving_default"]
        spec = self.fn.structured_input_signature[1]["z"]
        self.latent_dim = int(spec.shape[-1])
        self.source = path

    def generate(self, z):
        return self.fn(z=z)["images"].numpy()


class TFLiteSampler(_Sampler):
    def __init__(self, path):
        from ai_edge_litert.interpreter import Interpreter

        self.interpreter = Interpreter(model_path=path)
        self.runner = self.interpreter.get_signature_runner("serving_default")
        details = self.runner.get_input_details()["z"]
        self.latent_dim = int(details["shape_signature"][-1])
        self.source = path

    def generate(self, z):
        return self.runner(z=np.asarray(z, "float32"))["images"]


def resolve_saved_model(path):
    """A SavedModel version dir for `path` (a version dir or a base dir), or None."""
    if os.path.isfile(os.path.join(path, "saved_model.pb")):
        return path
    latest = export.latest_version_dir(path)
    if latest and os.path.isfile(os.path.join(latest, "saved_model.pb")):
        return latest
    return None


def load_sampler(path):
    """Returns a sampler for a `.keras`, SavedModel (version or base dir) or `.tflite`."""
    path = str(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path!r} does not exist.")
    if os.path.isfile(path):
        if path.endswith(".keras"):
            return KerasSampler(path)
        if path.endswith(".tflite"):
            return TFLiteSampler(path)
        raise ValueError(
            f"Cannot sample from {path!r}: expected a .keras file, a .tflite file "
            "or a SavedModel directory."
        )
    sm = resolve_saved_model(path)
    if sm is None:
        raise ValueError(
            f"{path!r} is a folder but holds no SavedModel (no saved_model.pb, and no "
            "numbered version folder with one)."
        )
    return SavedModelSampler(sm)
