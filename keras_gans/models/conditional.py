"""`ConditionalGAN`: the base of the models whose G takes a condition besides z.

The condition is class labels (`cgan`, `acgan`, `rgan_label_noise`,
`triple_gan`: int32 [N] in [0, num_classes)) or InfoGAN's latent codes (float32
[N, code_dim]). The base's training loop is reused as it is: `unpack` gives
`[images, labels]`, `generator_inputs` gives `[z, labels]` and
`discriminator_inputs` pairs fakes with the labels they were made from.
"""

import numpy as np
import tensorflow as tf

from keras import ops

from keras_gans.models.base import (
    GAN,
    batched,
    generator_evaluation_images,
    refuse_translation_flags,
)


def _is_symbolic(x):
    return tf.is_tensor(x) and not hasattr(x, "numpy")


def validate_labels(labels, num, num_classes, owner="this model"):
    """`labels` as int32 numpy [num], or a `ValueError` that says what is wrong.

    Args:
        labels: int or sequence of ints. One label for all, or one each.
        num: int. How many are needed.
        num_classes: int or None. Labels must be in [0, num_classes); when
            None (unknown) only negative labels are refused.
        owner: str. Names the model in the messages.

    Returns:
        numpy int32 `[num]`.

    Example:
    ```python
    keras_gans.models.conditional.validate_labels(3, num=4, num_classes=10)  # [3, 3, 3, 3]
    ```
    """
    classes = f"[0, {num_classes})" if num_classes else "[0, num_classes)"
    if labels is None:
        raise ValueError(
            f"{owner} is conditional: pass labels (ints in {classes}), e.g. "
            "labels=3 or labels=[0, 1, 2]."
        )
    arr = np.asarray(ops.convert_to_numpy(labels) if tf.is_tensor(labels) else labels)
    if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        arr = arr.astype("int64")
    if arr.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers in {classes}; got {labels!r}.")
    if arr.ndim == 0:
        arr = np.full((int(num),), int(arr))
    if arr.ndim != 1 or len(arr) != int(num):
        raise ValueError(
            f"Got {arr.size} labels for {num} images; pass one label or one per image."
        )
    bad = arr[(arr < 0) | (arr >= (num_classes or np.iinfo("int32").max))]
    if bad.size:
        if num_classes:
            raise ValueError(
                f"Label {int(bad[0])} is out of range: {owner} has {num_classes} "
                f"classes (labels 0 to {num_classes - 1})."
            )
        raise ValueError(f"Label {int(bad[0])} is out of range: labels are >= 0.")
    return arr.astype("int32")


def unpack_labelled(data, owner):
    """`[images, int32 labels]` from an `(images, labels)` batch, or a clear
    error naming `owner` (a model's name) when the batch has no labels.

    Args:
        data: tuple or list. A batch as the dataset yields it.
        owner: str. The model's name, for the error.

    Returns:
        list. `[images, labels]`, the labels cast to int32.
    """
    if not isinstance(data, (tuple, list)) or len(data) < 2:
        raise ValueError(
            f"{owner} trains on (images, labels) batches; load the "
            "data with keras_gans.data.load(spec, labels=True)."
        )
    return [data[0], ops.cast(data[1], "int32")]


def random_labelled_batches(image_shape, num_classes, unlabelled_share=0.0, batch_size=8,
                            batches=2, seed=0):
    """A `tf.data.Dataset` of random `(images, int32 labels)` batches.

    Args:
        image_shape: tuple. (H, W, C); images are uniform in [-1, 1].
        num_classes: int. Labels cycle through 0..num_classes-1.
        unlabelled_share: float. About this share of labels is -1 (the first
            example always keeps its label).
        batch_size: int. Examples per batch.
        batches: int. Batches.
        seed: int. Seed of the draws.

    Returns:
        `tf.data.Dataset` of `(float32 images, int32 labels)` batches.

    Example:
    ```python
    ds = keras_gans.models.conditional.random_labelled_batches((16, 16, 1), 10, 0.5)
    ```
    """
    rng = np.random.default_rng(seed)
    n = batch_size * batches
    x = rng.uniform(-1, 1, (n, *image_shape)).astype("float32")
    y = (np.arange(n) % num_classes).astype("int32")
    y[rng.random(n) < unlabelled_share] = -1
    y[0] = 0
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size, drop_remainder=True)


def label_evaluation_images(source, data=None, num=1000, seed=0, batch_size=250, progress=False):
    """What a label-conditional generator's `evaluation_images` gives: `num`
    samples whose classes cycle 0, 1, ..., K-1, 0, ..., and the real test
    images of `data`.

    Shared by the conditional models and the samplers of their saved forms.

    Args:
        source: a conditional model or sampler: `latent_dim`, `num_classes`
            and `generate(z, labels=...)`.
        data: str or None. The real images' data spec ("digits" when None).
        num: int. Samples.
        seed: int. Seed of the latents.
        batch_size: int. Samples per forward pass.
        progress: bool. A progress bar while sampling.

    Returns:
        `(fake, real, labels, data_spec)`: see `generator_evaluation_images`;
        `labels` are the classes drawn (int32 `[num]`).

    Example:
    ```python
    fake, real, labels, spec = keras_gans.models.conditional.label_evaluation_images(
        keras_gans.get("cgan"), num=100)
    ```
    """
    if not source.num_classes:
        raise ValueError(
            "This conditional generator does not say how many classes it has (an export "
            "without keras-gans metadata); evaluate its .keras file instead."
        )
    labels = (np.arange(int(num)) % source.num_classes).astype("int32")
    return generator_evaluation_images(source, data, num, seed, batch_size, progress, labels)


def label_cli_grid(source, name, num=None, seed=None, labels=None, vary_code=None, inputs=None,
                   data=None, direction="a_to_b"):
    """What a label-conditional generator's `cli_grid` gives: a row per label,
    the same z down each column.

    Shared by the conditional models and the samplers of their saved forms.

    Args:
        source: a conditional model or sampler: `latent_dim`, `num_classes`
            and `generate(z, labels=...)`.
        name: str. The model as error messages name it.
        num: int or None. Images per row (10 when None).
        seed: int or None. Seed of the latents.
        labels: list of int. The classes, one row each (required).
        vary_code: must be None (InfoGAN only).
        inputs: None or "test" (image-to-image only).
        data: None (image-to-image only).
        direction: "a_to_b" (image-to-image only).

    Returns:
        `(images, ncols, caption)`: numpy `[len(labels) * num, H, W, C]`,
        `num`, and "<count> images".

    Example:
    ```python
    images, ncols, _ = keras_gans.models.conditional.label_cli_grid(
        keras_gans.get("cgan"), "cgan", num=5, labels=[0, 3, 7])
    ```
    """
    refuse_translation_flags(name, inputs, data, direction)
    if vary_code is not None:
        raise ValueError("--vary-code is for InfoGAN; this generator takes --labels.")
    if labels is None:
        k = source.num_classes
        classes = f"0 to {k - 1}" if k else "0, 1, ..."
        raise ValueError(
            f"{name} is a conditional generator: pass --labels with classes "
            f"{classes}, e.g. --labels 0,1,2."
        )
    per_row = num or 10
    z = np.random.default_rng(seed).standard_normal((per_row, source.latent_dim)).astype("float32")
    z = np.tile(z, (len(labels), 1))
    images = source.generate(z, labels=np.repeat(labels, per_row))
    images = np.asarray(ops.convert_to_numpy(images), "float32")
    return images, per_row, f"{len(images)} images"


class ConditionalGAN(GAN):
    """A GAN whose generator is G(z, labels).

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        num_classes: int. K; labels are ints in [0, K).
        fake_labels: str. How a train step picks the labels of the fakes:
            "uniform" (each class equally often) or "real" (the real batch's).
        **kwargs: passed to `keras_gans.models.GAN` (`loss`, `seed`, ...).

    Batches are `(images, labels)` from `keras_gans.data.load(..., labels=True)`.

    Example:
    ```python
    model = keras_gans.get("cgan")
    model.compile()
    model.fit(keras_gans.data.load("digits", labels=True), epochs=1)
    sevens = model.sample(8, seed=0, labels=7)
    ```
    """

    #: The training data must be (images, labels) batches.
    requires_labels = True
    #: What G takes besides z: "labels" (int32 [N]) or "codes" (float32 [N, D]).
    condition_name = "labels"
    #: Semi-supervised models: how many examples keep their labels by default
    #: (`keras-gans train --labelled`) and how many of each batch are labelled.
    default_labelled = None
    labelled_per_batch = None
    #: Label noise `keras-gans train` puts on the data by default.
    default_label_noise = 0.0

    def __init__(
        self, image_shape=(32, 32, 1), latent_dim=100, num_classes=10,
        fake_labels="uniform", **kwargs,
    ):
        super().__init__(image_shape, latent_dim, **kwargs)
        if int(num_classes) < 2:
            raise ValueError(f"num_classes must be >= 2; got {num_classes}.")
        if fake_labels not in ("uniform", "real"):
            raise ValueError(f"fake_labels must be 'uniform' or 'real'; got {fake_labels!r}.")
        self.num_classes = int(num_classes)
        self.fake_labels = fake_labels

    # -------------------------------------------------------------- training

    def unpack(self, data):
        return unpack_labelled(data, type(self).__name__)

    def sample_labels(self, batch_size):
        """Uniform int32 labels [batch_size], from the model's seed."""
        return self.random_integers((batch_size,), 0, self.num_classes)

    def generator_inputs(self, batch_size, real):
        z = self.sample_latent(batch_size)
        if self.fake_labels == "real":
            return [z, ops.maximum(real[1], 0)]
        return [z, self.sample_labels(batch_size)]

    def discriminator_inputs(self, images, generator_inputs):
        return [images, generator_inputs[1]]

    def fit(self, x=None, *args, **kwargs):
        spec = getattr(x, "element_spec", None)
        if self.requires_labels and spec is not None:
            if not isinstance(spec, (tuple, list)) or len(spec) < 2:
                raise ValueError(
                    f"{type(self).__name__} trains on (images, labels) batches but the "
                    "dataset yields images only; load it with "
                    "keras_gans.data.load(spec, labels=True)."
                )
            if not spec[1].dtype.is_integer:
                raise ValueError(
                    f"{type(self).__name__} needs int class labels; the dataset's "
                    f"labels are {spec[1].dtype.name}."
                )
        return super().fit(x, *args, **kwargs)

    def example_data(self, batch_size=8, batches=2, seed=0):
        """Random `(images, int32 labels)` batches (for tests and smoke runs)."""
        return random_labelled_batches(self.image_shape, self.num_classes, 0.0, batch_size,
                                       batches, seed)

    def example_sample_kwargs(self, num, seed=0):
        """`{"labels": ...}` (classes in turn) for label-conditional models."""
        if self.condition_name != "labels":
            return {}
        return {"labels": (np.arange(int(num)) % 2).astype("int32")}

    def evaluation_images(self, data=None, num=1000, seed=0, batch_size=250, progress=False):
        """The images `evaluate_model` scores: `num` samples whose classes
        cycle through the model's, and the real test images of `data`.

        Args:
            data: str or None. The real images' data spec ("digits" when None).
            num: int. Samples.
            seed: int. Seed of the latents.
            batch_size: int. Samples per forward pass.
            progress: bool. A progress bar while sampling.

        Returns:
            `(fake, real, labels, data_spec)`; `labels` are the classes drawn.

        Example:
        ```python
        fake, real, labels, spec = keras_gans.get("cgan").evaluation_images(num=100)
        ```
        """
        return label_evaluation_images(self, data, num, seed, batch_size, progress)

    def cli_grid(self, num=None, seed=None, labels=None, vary_code=None, inputs=None, data=None,
                 direction="a_to_b", name=None):
        """`keras-gans sample`'s grid: a row of `num` (default 10) images per
        label, the same z down each column; `labels` are required.

        Args: see `keras_gans.models.GenerativeModel.cli_grid`.

        Returns:
            `(images, ncols, caption)`.

        Example:
        ```python
        images, ncols, caption = keras_gans.get("cgan").cli_grid(num=5, labels=[0, 3, 7])
        ```
        """
        return label_cli_grid(self, name or f"this {type(self).__name__}", num, seed, labels,
                              vary_code, inputs, data, direction)

    # ------------------------------------------------------------ conditions

    def check_labels(self, labels, num):
        """`labels` as int32 numpy [num], with a clear error if any is invalid.

        Args:
            labels: int or sequence of ints. One label for all, or one each.
            num: int. How many are needed.

        Returns:
            numpy int32 `[num]`.
        """
        return validate_labels(labels, num, self.num_classes, f"this {type(self).__name__}")

    def condition_for(self, num, labels=None, codes=None, rng=None):
        """The validated condition for `num` images (numpy): here the labels."""
        if codes is not None:
            raise ValueError(
                f"{type(self).__name__} takes labels, not codes; pass labels=..."
            )
        return self.check_labels(labels, num)

    def preview_condition(self, num):
        """The condition a progress grid uses: classes in turn (0, 1, ..., K-1, 0, ...)."""
        return (np.arange(int(num)) % self.num_classes).astype("int32")

    def condition_spec(self):
        """The serving signature's spec of the condition input."""
        return tf.TensorSpec([None], tf.int32, name="labels")

    # -------------------------------------------------------------- sampling

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def generate(self, z, labels=None, codes=None, training=False):
        """Images in [-1, 1] for latents `z` ([N, latent_dim]) and their condition.

        Args:
            z: array [N, latent_dim].
            labels: int or ints [N]. The classes (label-conditional models).
            codes: array [N, code_dim]. The codes (InfoGAN).
            training: bool. Run G in training mode.

        Returns:
            float32 tensor `[N, H, W, C]` in [-1, 1].
        """
        cond = codes if self.condition_name == "codes" else labels
        if not _is_symbolic(z) and not _is_symbolic(cond):
            other = labels if self.condition_name == "codes" else codes
            if other is not None:
                raise ValueError(
                    f"{type(self).__name__} takes {self.condition_name}, not "
                    f"{'labels' if self.condition_name == 'codes' else 'codes'}."
                )
            num = int(ops.shape(z)[0])
            cond = self.condition_for(num, **{self.condition_name: cond})
        return ops.cast(self.sampling_generator([z, cond], training=training), "float32")

    def preview(self, z):
        return self.generate(
            z, **{self.condition_name: self.preview_condition(int(ops.shape(z)[0]))}
        )

    def preview_grid(self, num, seed, inputs=None):
        """A row per class, the same z down each column (`num // num_classes`
        images a row, at least one); InfoGAN's codes cycle as in `preview`.

        Returns:
            `(images, ncols)`, numpy images in [-1, 1] and the row length.

        Example:
        ```python
        images, ncols = keras_gans.get("cgan").preview_grid(64, seed=0)  # 10 rows of 6
        ```
        """
        if self.condition_name != "labels":
            return super().preview_grid(num, seed, inputs)
        per_row = max(1, int(num) // self.num_classes)
        z = np.random.default_rng(seed).standard_normal((per_row, self.latent_dim))
        z = np.tile(z.astype("float32"), (self.num_classes, 1))
        labels = np.repeat(np.arange(self.num_classes, dtype="int32"), per_row)
        return ops.convert_to_numpy(self.generate(z, labels=labels)), per_row

    def sample(self, num, seed=None, labels=None, codes=None, batch_size=256):
        """Returns `num` generated images as a float32 numpy array in [-1, 1].

        Args:
            num: int. How many images.
            seed: int or None. Same seed and condition, same images.
            labels: int or ints [num]. The classes to draw (required for a
                label-conditional model).
            codes: array [num, code_dim] or None. InfoGAN's codes; drawn from
                their prior with `seed` when None.
            batch_size: int. Images generated per forward pass.

        Returns:
            numpy float32 `[num, H, W, C]` in [-1, 1].
        """
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((int(num), self.latent_dim)).astype("float32")
        cond = self.condition_for(int(num), labels=labels, codes=codes, rng=rng)
        return batched(lambda zb, cb: self.generate(zb, **{self.condition_name: cb}), [z, cond],
                       batch_size, self.image_shape)

    # --------------------------------------------------------------- serving

    def serving_signatures(self):
        """`serving_default` maps `z` float32 [None, latent_dim] and the condition
        (`labels` int32 [None], or InfoGAN's `codes` float32 [None, code_dim]) to
        `{"images": float32 [None, H, W, C] in [-1, 1]}`."""

        def serving_default(z, cond):
            return {"images": ops.cast(self.sampling_generator([z, cond]), "float32")}

        specs = [tf.TensorSpec([None, self.latent_dim], tf.float32, name="z"), self.condition_spec()]
        return {"serving_default": (serving_default, specs)}

    def export_metadata(self):
        """What samplers of exported files need to know (written beside them)."""
        return {
            "model": getattr(self, "registry_name", type(self).__name__),
            "latent_dim": self.latent_dim,
            "condition": self.condition_name,
            "num_classes": self.num_classes,
        }


class SemiSupervisedMixin:
    """Shared by `sgan` and `triple_gan`: a `classify` signature and batches of
    partly labelled data (labels below 0 mark unlabelled examples).

    A model that mixes it in implements `classifier_logits(images, training)`.

    Example:
    ```python
    model = keras_gans.get("sgan")
    model.compile()
    model.fit(keras_gans.data.load("digits", labels=True, labelled=100,
                                   labelled_per_batch=16), epochs=1)
    probs = model.classify(images)  # [N, num_classes]
    ```
    """

    requires_labels = True
    default_labelled = 100
    labelled_per_batch = 16

    def unpack(self, data):
        return unpack_labelled(data, type(self).__name__)

    def example_data(self, batch_size=8, batches=2, seed=0):
        """Random `(images, labels)` batches with about half the labels -1."""
        return random_labelled_batches(self.image_shape, self.num_classes, 0.5, batch_size,
                                       batches, seed)

    def classifier_logits(self, images, training=False):
        raise NotImplementedError

    def classify(self, images, batch_size=256):
        """Class probabilities [N, K] (numpy) for images in [-1, 1].

        Args:
            images: array `[N, H, W, C]` in [-1, 1].
            batch_size: int. Images per forward pass.

        Returns:
            numpy float32 `[N, num_classes]`.
        """
        images = np.asarray(images, "float32")
        self.check_images(images.shape, where="classify()")
        return batched(lambda x: ops.softmax(self.classifier_logits(x), axis=-1), [images],
                       batch_size, (self.num_classes,))

    def classify_signature(self):
        """`(fn, [images spec])` of the `classify` serving signature
        (images -> `{"probabilities": [N, K]}`)."""

        def classify(images):
            return {"probabilities": ops.softmax(ops.cast(self.classifier_logits(images), "float32"), axis=-1)}

        spec = tf.TensorSpec([None, *self.image_shape], tf.float32, name="images")
        return classify, [spec]
