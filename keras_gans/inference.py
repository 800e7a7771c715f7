"""Load any saved form of a generator and sample from it.

`load_sampler(path)` accepts a `.keras` file, a SavedModel version directory,
a TF Serving base directory (the latest version is taken) or a `.tflite` file,
and returns an object with `latent_dim`, `generate(z, labels=None, codes=None)`
and `sample(num, seed, labels=None, codes=None)`. Conditional generators
(`condition == "labels"`) need labels; InfoGAN's (`condition == "codes"`) take
codes (drawn from their prior when not given). `signatures` lists what the file
exports; `run(signature, **inputs)` calls any of them (e.g. BiGAN's `encode`,
SGAN's `classify`).

Image-to-image models (`task == "translation"`) have no latents:
`translate(images, direction="a_to_b")` maps images [N, H, W, C] in [-1, 1]
through `serving_default` (A -> B) or `translate_b_to_a`.
"""

import os
import re

import numpy as np

from keras_gans import export


class _Sampler:
    latent_dim = None
    source = None
    #: None (unconditional), "labels" or "codes".
    condition = None
    num_classes = None
    num_categories = None
    num_continuous = None
    signatures = ("serving_default",)
    #: "generation" (z -> images) or "translation" (images -> images).
    task = "generation"
    image_shape = None
    default_data = None

    @property
    def two_way(self):
        return "translate_b_to_a" in self.signatures

    def translate(self, images, direction="a_to_b", batch_size=64):
        """Translations of `images` (float32 [N, H, W, C] in [-1, 1]) as numpy."""
        if self.task != "translation":
            raise ValueError(f"{self.source} is a generator (z -> images); it translates no images.")
        if direction not in ("a_to_b", "b_to_a"):
            raise ValueError(f"direction must be 'a_to_b' or 'b_to_a'; got {direction!r}.")
        if direction == "b_to_a" and not self.two_way:
            raise ValueError(f"{self.source} translates one way (A -> B); it has no b_to_a.")
        signature = "serving_default" if direction == "a_to_b" else "translate_b_to_a"
        images = np.asarray(images, "float32")
        want = tuple(self.image_shape or ())
        if want and tuple(images.shape[1:]) != want:
            raise ValueError(
                f"{self.source} takes images of shape {want}; got {tuple(images.shape[1:])}."
            )
        out = [self.run(signature, images=images[i : i + batch_size])["images"]
               for i in range(0, len(images), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, *want), "float32")

    def _set_task(self, input_names, input_shape, metadata):
        if "images" in input_names and "z" not in input_names:
            self.task = "translation"
            self.image_shape = tuple(int(d) for d in input_shape[1:])
            self.default_data = (metadata or {}).get("default_data")

    def _raw_generate(self, z, cond):
        raise NotImplementedError

    def run(self, signature, **inputs):
        """Calls the exported `signature` with numpy inputs; returns a dict of numpy."""
        raise NotImplementedError

    def _check_signature(self, signature):
        if signature not in self.signatures:
            raise ValueError(
                f"{self.source} has no {signature!r} signature (it has "
                f"{', '.join(sorted(self.signatures))})."
            )

    @property
    def code_dim(self):
        return (self.num_categories or 0) + (self.num_continuous or 0)

    def _condition(self, num, labels, codes, rng):
        from keras_gans.models.conditional import validate_labels

        if self.condition is None:
            if labels is not None or codes is not None:
                raise ValueError(
                    f"{self.source} is an unconditional generator: it takes no "
                    f"{'labels' if labels is not None else 'codes'}."
                )
            return None
        if self.condition == "labels":
            if codes is not None:
                raise ValueError(f"{self.source} takes labels, not codes.")
            return validate_labels(labels, num, self.num_classes, owner=str(self.source))
        if labels is not None:
            raise ValueError(f"{self.source} is an InfoGAN: it takes codes, not labels.")
        if codes is None:
            return self.make_codes(num=num, rng=rng)
        codes = np.asarray(codes, "float32")
        if codes.shape != (num, self.code_dim):
            raise ValueError(f"codes must be [{num}, {self.code_dim}]; got {codes.shape}.")
        return codes

    def _need_code_layout(self):
        if self.num_categories is None:
            raise ValueError(
                f"{self.source} does not say how its {self.code_dim} codes split into "
                "categorical and continuous ones (no keras-gans metadata); pass codes "
                "explicitly."
            )

    def make_codes(self, categories=None, continuous=None, num=None, rng=None):
        """InfoGAN codes for this generator; see `keras_gans.models.infogan.make_codes`."""
        from keras_gans.models.infogan import make_codes

        self._need_code_layout()
        return make_codes(self.num_categories, self.num_continuous, categories, continuous, num, rng)

    def generate(self, z, labels=None, codes=None):
        """Images [N, H, W, C] in [-1, 1] for latents `z` and the condition."""
        z = np.asarray(z, "float32")
        cond = self._condition(len(z), labels, codes, np.random.default_rng())
        return self._raw_generate(z, cond)

    def sample(self, num, seed=None, labels=None, codes=None, batch_size=256):
        """`num` images as a float32 numpy array in [-1, 1]."""
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((int(num), self.latent_dim)).astype("float32")
        cond = self._condition(int(num), labels, codes, rng)
        return np.concatenate(
            [
                self._raw_generate(
                    z[i : i + batch_size], None if cond is None else cond[i : i + batch_size]
                )
                for i in range(0, len(z), batch_size)
            ]
        )

    def _set_condition(self, input_names, metadata):
        metadata = metadata or {}
        if "labels" in input_names:
            self.condition = "labels"
            self.num_classes = metadata.get("num_classes")
        elif "codes" in input_names:
            self.condition = "codes"
            self.num_categories = metadata.get("num_categories")
            self.num_continuous = metadata.get("num_continuous")


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


class KerasSampler(_Sampler):
    def __init__(self, path):
        import keras

        import keras_gans  # noqa: F401 - registers the classes

        self.model = keras.saving.load_model(path)
        self.latent_dim = self.model.latent_dim
        self.task = self.model.task
        if self.task == "translation":
            self.image_shape = self.model.image_shape
            self.default_data = self.model.default_data
        self.source = path
        self.signatures = tuple(self.model.serving_signatures())
        self.condition = getattr(self.model, "condition_name", None)
        self.num_classes = getattr(self.model, "num_classes", None)
        self.num_categories = getattr(self.model, "num_categories", None)
        self.num_continuous = getattr(self.model, "num_continuous", None)

    def _condition(self, num, labels, codes, rng):
        if self.condition:
            return self.model.condition_for(num, labels=labels, codes=codes, rng=rng)
        return super()._condition(num, labels, codes, rng)

    def _raw_generate(self, z, cond):
        import keras

        if self.condition is None:
            return keras.ops.convert_to_numpy(self.model.generate(z))
        return keras.ops.convert_to_numpy(self.model.generate(z, **{self.condition: cond}))

    def run(self, signature, **inputs):
        import keras
        import tensorflow as tf

        self._check_signature(signature)
        fn, specs = self.model.serving_signatures()[signature]
        args = [tf.constant(np.asarray(inputs[s.name], s.dtype.as_numpy_dtype)) for s in specs]
        return {k: keras.ops.convert_to_numpy(v) for k, v in fn(*args).items()}


class SavedModelSampler(_Sampler):
    def __init__(self, path):
        import tensorflow as tf

        self.loaded = tf.saved_model.load(path)
        self.signatures = tuple(self.loaded.signatures.keys())
        self.fn = self.loaded.signatures["serving_default"]
        inputs = self.fn.structured_input_signature[1]
        self.source = path
        metadata = export.read_saved_model_metadata(path)
        if "z" in inputs:
            self.latent_dim = int(inputs["z"].shape[-1])
            self._set_condition(set(inputs), metadata)
        else:
            self._set_task(set(inputs), inputs["images"].shape, metadata)

    def _raw_generate(self, z, cond):
        import tensorflow as tf

        kwargs = {"z": tf.constant(z)}
        if self.condition:
            kwargs[self.condition] = tf.constant(cond)
        try:
            return self.fn(**kwargs)["images"].numpy()
        except tf.errors.InvalidArgumentError as e:
            err = _label_error(e, self.source)
            if err is None:
                raise
            raise err from None

    def run(self, signature, **inputs):
        import tensorflow as tf

        self._check_signature(signature)
        fn = self.loaded.signatures[signature]
        specs = fn.structured_input_signature[1]
        args = {k: tf.constant(np.asarray(inputs[k], specs[k].dtype.as_numpy_dtype)) for k in specs}
        return {k: v.numpy() for k, v in fn(**args).items()}


class TFLiteSampler(_Sampler):
    def __init__(self, path):
        from ai_edge_litert.interpreter import Interpreter

        self.interpreter = Interpreter(model_path=path)
        self.signatures = tuple(self.interpreter.get_signature_list())
        self.runner = self.interpreter.get_signature_runner("serving_default")
        details = self.runner.get_input_details()
        self.source = path
        metadata = export.read_tflite_metadata(path)
        if "z" in details:
            self.latent_dim = int(details["z"]["shape_signature"][-1])
            self._set_condition(set(details), metadata)
        else:
            self._set_task(set(details), details["images"]["shape_signature"], metadata)

    def _raw_generate(self, z, cond):
        kwargs = {"z": np.asarray(z, "float32")}
        if self.condition == "labels":
            kwargs["labels"] = np.asarray(cond, "int32")
        elif self.condition == "codes":
            kwargs["codes"] = np.asarray(cond, "float32")
        try:
            return self.runner(**kwargs)["images"]
        except RuntimeError as e:
            err = _label_error(e, self.source)
            if err is None:
                raise
            raise err from None

    def run(self, signature, **inputs):
        self._check_signature(signature)
        runner = self.interpreter.get_signature_runner(signature)
        details = runner.get_input_details()
        return runner(**{k: np.asarray(inputs[k], details[k]["dtype"]) for k in details})


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
