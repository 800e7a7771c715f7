"""Load any saved form of a model and sample from it.

`load_sampler(path)` accepts a `.keras` file, a SavedModel version directory,
a TF Serving base directory (the latest version is taken) or a `.tflite` file.
What it returns depends on what the file's `serving_default` takes (inputs
with a default in the file's metadata, such as StyleGAN's psi, left aside):

- `z` only: a `GeneratorSampler`: `latent_dim`, `generate(z)`, `sample(num, seed)`;
- `z` and `labels`: a `LabelSampler` (conditional generators): labels required;
- `z` and `codes`: a `CodeSampler` (InfoGAN): codes, drawn from their prior
  when not given;
- `images`: a `TranslatorSampler` (image-to-image models):
  `translate(images, direction="a_to_b")`.

Every sampler answers what the model of its kind answers:
`evaluation_images(...)` (what `keras_gans.metrics.evaluation.evaluate_model`
scores) and `cli_grid(...)` (what `keras-gans sample` writes), with the same
code as the models (the functions of `keras_gans.models`). `signatures` lists
what the file exports; `run(signature, **inputs)` calls any of them (e.g.
BiGAN's `encode`, SGAN's `classify`).
"""

import numpy as np

from keras_gans.models.base import batched, generator_cli_grid, generator_evaluation_images
from keras_gans.models.conditional import label_cli_grid, label_evaluation_images, validate_labels
from keras_gans.models.infogan import code_cli_grid, make_codes
from keras_gans.models.translation import (
    translation_grid,
    translator_cli_grid,
    translator_evaluation_images,
)
from keras_gans.serving.runtimes import load


class Sampler:
    """What every sampler has: the runtime of its file and its signatures.

    Args:
        runtime: `keras_gans.serving.runtimes.Runtime`. The loaded file.

    Example:
    ```python
    sampler = keras_gans.serving.load_sampler("savedmodels/bigan")
    sampler.run("encode", images=images)["z"]
    ```
    """

    #: What the model makes: "generation" or "translation" (as in its
    #: export metadata).
    task = None
    latent_dim = None
    image_shape = None

    def __init__(self, runtime):
        self.runtime = runtime
        self.source = runtime.source
        self.signatures = runtime.signatures

    def run(self, signature, **inputs):
        """Calls the exported `signature` with numpy inputs.

        Args:
            signature: str. A name from `signatures`.
            **inputs: numpy arrays by input name.

        Returns:
            dict of numpy arrays by output name.

        Example:
        ```python
        keras_gans.serving.load_sampler("savedmodels/sgan").run("classify", images=x)
        ```
        """
        return self.runtime.run(signature, **inputs)


class GeneratorSampler(Sampler):
    """A saved generator, z -> images (`serving_default` takes `z`).

    Example:
    ```python
    sampler = keras_gans.serving.load_sampler("savedmodels/dcgan")
    images = sampler.sample(16, seed=0)
    ```
    """

    task = "generation"
    #: What `generate` takes besides z: None, "labels" or "codes".
    condition = None
    num_classes = None
    num_categories = None
    num_continuous = None
    #: What `num` of `evaluation_images` counts.
    evaluation_unit = "samples"

    def __init__(self, runtime):
        super().__init__(runtime)
        self.latent_dim = int(runtime.inputs["z"][-1])

    def condition_for(self, num, labels=None, codes=None, rng=None):
        """The checked condition for `num` images: None (it takes none).

        Raises:
            ValueError: when labels or codes are given.
        """
        if labels is not None or codes is not None:
            raise ValueError(
                f"{self.source} is an unconditional generator: it takes no "
                f"{'labels' if labels is not None else 'codes'}."
            )
        return None

    def generate(self, z, labels=None, codes=None):
        """Images for latents `z` and the condition.

        Args:
            z: array `[N, latent_dim]`.
            labels: int or ints `[N]` (label-conditional generators).
            codes: array `[N, code_dim]` (InfoGAN; drawn when None).

        Returns:
            float32 numpy `[N, H, W, C]` in [-1, 1].

        Example:
        ```python
        keras_gans.serving.load_sampler("savedmodels/dcgan").generate(z)
        ```
        """
        z = np.asarray(z, "float32")
        cond = self.condition_for(len(z), labels, codes, np.random.default_rng())
        return self.runtime.generate(z, self.condition, cond)

    def sample(self, num, seed=None, labels=None, codes=None, batch_size=256):
        """`num` images from latents drawn with `seed`.

        Args:
            num: int. Images.
            seed: int or None. Seed of the latents (and of drawn codes).
            labels: int or ints `[num]` (label-conditional generators).
            codes: array `[num, code_dim]` or None (InfoGAN).
            batch_size: int. Images per call.

        Returns:
            float32 numpy `[num, H, W, C]` in [-1, 1].

        Example:
        ```python
        keras_gans.serving.load_sampler("savedmodels/cgan").sample(3, seed=0, labels=[1, 2, 3])
        ```
        """
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((int(num), self.latent_dim)).astype("float32")
        cond = self.condition_for(int(num), labels, codes, rng)
        if cond is None:
            return batched(lambda zb: self.runtime.generate(zb, self.condition, None), [z],
                           batch_size)
        return batched(lambda zb, cb: self.runtime.generate(zb, self.condition, cb), [z, cond],
                       batch_size)

    def translate(self, images, direction="a_to_b", batch_size=64):
        """Raises: a generator translates no images."""
        raise ValueError(f"{self.source} is a generator (z -> images); it translates no images.")

    def evaluation_images(self, data=None, num=1000, seed=0, batch_size=250, progress=False):
        """The images `evaluate_model` scores; see
        `keras_gans.models.GenerativeModel.evaluation_images`.

        Example:
        ```python
        fake, real, labels, spec = keras_gans.serving.load_sampler(
            "savedmodels/dcgan").evaluation_images(num=100)
        ```
        """
        return generator_evaluation_images(self, data, num, seed, batch_size, progress)

    def cli_grid(self, num=None, seed=None, labels=None, vary_code=None, inputs=None, data=None,
                 direction="a_to_b", name=None):
        """`keras-gans sample`'s grid; see `keras_gans.models.GenerativeModel.cli_grid`
        (`name` defaults to the file).

        Example:
        ```python
        images, ncols, caption = keras_gans.serving.load_sampler("savedmodels/dcgan").cli_grid(16)
        ```
        """
        return generator_cli_grid(self, name or self.source, num, seed, labels, vary_code,
                                  inputs, data, direction)

    def _model_condition(self, num, labels, codes, rng):
        """The condition as a `.keras` file's model checks it (its messages
        name its class), or None for an exported form."""
        model = self.runtime.model
        if model is None:
            return None
        return model.condition_for(num, labels=labels, codes=codes, rng=rng)


class LabelSampler(GeneratorSampler):
    """A saved label-conditional generator (`serving_default` takes `z` and
    `labels`); `num_classes` comes from the file's metadata (None without).

    Example:
    ```python
    sampler = keras_gans.serving.load_sampler("savedmodels/cgan")
    sevens = sampler.sample(8, seed=0, labels=7)
    ```
    """

    condition = "labels"

    def __init__(self, runtime):
        super().__init__(runtime)
        self.num_classes = runtime.metadata.get("num_classes")

    def condition_for(self, num, labels=None, codes=None, rng=None):
        """The checked labels (int32 numpy `[num]`).

        Raises:
            ValueError: when codes are given, labels are missing or out of range.
        """
        own = self._model_condition(num, labels, codes, rng)
        if own is not None:
            return own
        if codes is not None:
            raise ValueError(f"{self.source} takes labels, not codes.")
        return validate_labels(labels, num, self.num_classes, owner=str(self.source))

    def evaluation_images(self, data=None, num=1000, seed=0, batch_size=250, progress=False):
        """The images `evaluate_model` scores: classes in turn; see
        `keras_gans.models.conditional.label_evaluation_images`.

        Example:
        ```python
        fake, real, labels, spec = keras_gans.serving.load_sampler(
            "savedmodels/cgan").evaluation_images(num=100)
        ```
        """
        return label_evaluation_images(self, data, num, seed, batch_size, progress)

    def cli_grid(self, num=None, seed=None, labels=None, vary_code=None, inputs=None, data=None,
                 direction="a_to_b", name=None):
        """`keras-gans sample`'s grid: a row per label; see
        `keras_gans.models.conditional.label_cli_grid`.

        Example:
        ```python
        images, ncols, _ = keras_gans.serving.load_sampler("savedmodels/cgan").cli_grid(
            5, labels=[0, 3, 7])
        ```
        """
        return label_cli_grid(self, name or self.source, num, seed, labels, vary_code, inputs,
                              data, direction)


class CodeSampler(GeneratorSampler):
    """A saved InfoGAN generator (`serving_default` takes `z` and `codes`);
    `num_categories` and `num_continuous` come from the file's metadata.

    Example:
    ```python
    sampler = keras_gans.serving.load_sampler("savedmodels/infogan")
    images = sampler.sample(10, seed=0, codes=sampler.make_codes(categories=range(10)))
    ```
    """

    condition = "codes"

    def __init__(self, runtime):
        super().__init__(runtime)
        self.num_categories = runtime.metadata.get("num_categories")
        self.num_continuous = runtime.metadata.get("num_continuous")
        self._code_dim = int(runtime.inputs["codes"][-1])

    @property
    def code_dim(self):
        """int. The size of a code vector."""
        return self._code_dim

    def make_codes(self, categories=None, continuous=None, num=None, rng=None):
        """InfoGAN codes for this generator; see `keras_gans.models.infogan.make_codes`.

        Example:
        ```python
        codes = keras_gans.serving.load_sampler("m.tflite").make_codes(categories=[0, 1])
        ```
        """
        if self.num_categories is None:
            raise ValueError(
                f"{self.source} does not say how its {self.code_dim} codes split into "
                "categorical and continuous ones (no keras-gans metadata); pass codes "
                "explicitly."
            )
        return make_codes(self.num_categories, self.num_continuous, categories, continuous, num,
                          rng)

    def condition_for(self, num, labels=None, codes=None, rng=None):
        """The checked codes (float32 numpy `[num, code_dim]`), drawn from
        their prior with `rng` when None.

        Raises:
            ValueError: when labels are given or the codes' shape is wrong.
        """
        own = self._model_condition(num, labels, codes, rng)
        if own is not None:
            return own
        if labels is not None:
            raise ValueError(f"{self.source} is an InfoGAN: it takes codes, not labels.")
        if codes is None:
            return self.make_codes(num=num, rng=rng)
        codes = np.asarray(codes, "float32")
        if codes.shape != (num, self.code_dim):
            raise ValueError(f"codes must be [{num}, {self.code_dim}]; got {codes.shape}.")
        return codes

    def cli_grid(self, num=None, seed=None, labels=None, vary_code=None, inputs=None, data=None,
                 direction="a_to_b", name=None):
        """`keras-gans sample`'s grid: a code sweep, or samples; see
        `keras_gans.models.infogan.code_cli_grid`.

        Example:
        ```python
        images, ncols, _ = keras_gans.serving.load_sampler("m.keras").cli_grid(2, vary_code=0)
        ```
        """
        return code_cli_grid(self, name or self.source, num, seed, labels, vary_code, inputs,
                             data, direction)


class TranslatorSampler(Sampler):
    """A saved image-to-image model (`serving_default` takes `images`).

    `image_shape` comes from the signature, `default_data` (the training
    data) from the metadata; two-way models also export `translate_b_to_a`.

    Example:
    ```python
    sampler = keras_gans.serving.load_sampler("savedmodels/cyclegan")
    inked = sampler.translate(images)
    back = sampler.translate(inked, "b_to_a")
    ```
    """

    task = "translation"
    #: What `num` of `evaluation_images` counts.
    evaluation_unit = "inputs"

    def __init__(self, runtime):
        super().__init__(runtime)
        self.image_shape = tuple(int(d) for d in runtime.inputs["images"][1:])
        self.default_data = runtime.metadata.get("default_data")

    @property
    def two_way(self):
        """bool. Whether the file also translates B -> A."""
        return "translate_b_to_a" in self.signatures

    def translate(self, images, direction="a_to_b", batch_size=64):
        """Translations of `images`.

        Args:
            images: float32 array `[N, H, W, C]` in [-1, 1].
            direction: str. "a_to_b" or (two-way models) "b_to_a".
            batch_size: int. Images per call.

        Returns:
            float32 numpy `[N, H, W, C]` in [-1, 1].

        Example:
        ```python
        keras_gans.serving.load_sampler("savedmodels/cyclegan").translate(images)
        ```
        """
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
        return batched(lambda x: self.run(signature, images=x)["images"], [images], batch_size,
                       want)

    def translation_grid(self, images, direction="a_to_b"):
        """`(grid images, ncols)`: input | output (| reconstruction); see
        `keras_gans.models.translation.translation_grid`.

        Example:
        ```python
        tiles, ncols = keras_gans.serving.load_sampler("m.tflite").translation_grid(images)
        ```
        """
        return translation_grid(lambda x, d: self.translate(x, d), images, self.two_way,
                                direction)

    def evaluation_images(self, data=None, num=1000, seed=0, batch_size=250, progress=False):
        """The images `evaluate_model` scores: translated test inputs of
        domain A against domain B's; see
        `keras_gans.models.translation.translator_evaluation_images`.

        Example:
        ```python
        fake, real, _, spec = keras_gans.serving.load_sampler("m.keras").evaluation_images(num=40)
        ```
        """
        return translator_evaluation_images(self, data, num, batch_size, progress)

    def cli_grid(self, num=None, seed=None, labels=None, vary_code=None, inputs=None, data=None,
                 direction="a_to_b", name=None):
        """`keras-gans sample`'s grid; see
        `keras_gans.models.translation.translator_cli_grid`.

        Example:
        ```python
        tiles, ncols, caption = keras_gans.serving.load_sampler("m.keras").cli_grid(4, seed=3)
        ```
        """
        return translator_cli_grid(self, name or self.source, num, seed, labels, vary_code,
                                   inputs, data, direction)


#: The sampler class for the input names of a file's `serving_default`.
SAMPLERS = {
    frozenset({"z"}): GeneratorSampler,
    frozenset({"z", "labels"}): LabelSampler,
    frozenset({"z", "codes"}): CodeSampler,
    frozenset({"images"}): TranslatorSampler,
}


def sampler_for(runtime):
    """The sampler of a loaded file, chosen by what its `serving_default` takes.

    Args:
        runtime: `keras_gans.serving.runtimes.Runtime`.

    Returns:
        a `GeneratorSampler`, `LabelSampler`, `CodeSampler` or `TranslatorSampler`.

    Example:
    ```python
    from keras_gans.serving import runtimes
    sampler = keras_gans.serving.sampler_for(runtimes.SavedModelRuntime("savedmodels/dcgan/1"))
    ```
    """
    # Inputs with a default (StyleGAN's psi) do not decide the kind.
    cls = SAMPLERS.get(frozenset(runtime.inputs) - frozenset(runtime.input_defaults))
    if cls is None:
        raise ValueError(
            f"Cannot sample from {runtime.source}: its serving_default takes "
            f"{sorted(runtime.inputs)}, not z (with labels or codes) or images."
        )
    return cls(runtime)


def load_sampler(path):
    """A sampler for a `.keras` file, a SavedModel (version or base dir) or a `.tflite` file.

    Args:
        path: str or path. The saved model.

    Returns:
        a `GeneratorSampler`, `LabelSampler`, `CodeSampler` or
        `TranslatorSampler`, by what the file's `serving_default` takes.

    Raises:
        FileNotFoundError, ValueError: as `keras_gans.serving.load`, which
            loads the file (one line saying why a file cannot be read).

    Example:
    ```python
    sampler = keras_gans.inference.load_sampler("savedmodels/dcgan")
    images = sampler.sample(16, seed=0)
    ```
    """
    return sampler_for(load(path))
