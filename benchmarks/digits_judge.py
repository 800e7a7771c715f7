"""The shipped digits classifier, used to judge samples.

`judge(images)` reports how many of the ten digits the samples cover and how
confident the classifier is about them. The classifier is the one that ships
with the package (`keras_gans.metrics.digits_classifier()`, trained by
`scripts/train_digits_classifier.py` on digits:train at 32x32x1); other sizes
and RGB images are resized to 32x32 (bilinear, antialias) and turned grey
inside the model `classifier()` returns. Nothing is trained or cached here.

Run as a script to judge a trained model:

    python benchmarks/digits_judge.py runs/dcgan/model.keras --num 1000
"""

import argparse
import functools
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@functools.lru_cache(maxsize=None)
def _classifier(image_size, channels):
    import keras

    from keras_gans.data import digits_arrays
    from keras_gans.metrics import features

    clf = features.digits_classifier()
    if (image_size, channels) == (features.DIGITS_IMAGE_SIZE, 1):
        model = clf
    else:
        x_in = keras.Input((image_size, image_size, channels))
        x = x_in
        if image_size != features.DIGITS_IMAGE_SIZE:
            x = keras.layers.Resizing(
                features.DIGITS_IMAGE_SIZE, features.DIGITS_IMAGE_SIZE,
                interpolation="bilinear", antialias=True,
            )(x)
        if channels == 3:
            # ITU-R 601 luma, as tf.image.rgb_to_grayscale and the extractor do.
            x = keras.layers.Dense(
                1, use_bias=False, trainable=False, name="rgb_to_grey",
                kernel_initializer=keras.initializers.Constant([[0.2989], [0.587], [0.114]]),
            )(x)
        model = keras.Model(x_in, clf(x), name=f"digits_judge_{image_size}_{channels}")
    x_test, y_test = digits_arrays(image_size, channels, split="test")
    acc = float(np.mean(np.argmax(model.predict(x_test, verbose=0), 1) == y_test))
    return model, acc


def classifier(image_size=32, channels=1, verbose=False):
    """Returns `(model, held_out_accuracy)`.

    `model` takes `[N, image_size, image_size, channels]` images in [-1, 1] and
    gives 10 digit probabilities; `held_out_accuracy` is its accuracy on the
    300 digits:test images at that size (never trained on).
    """
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3; got {channels!r}.")
    model, acc = _classifier(int(image_size), int(channels))
    if verbose:
        print(f"judge classifier held-out accuracy: {acc:.3f}")
    return model, acc


def judge(images, min_share=0.02):
    """Scores generated digits ([N, S, S, C] in [-1, 1]).

    Returns a dict: `coverage` (digits that are at least `min_share` of the
    samples among the confident (top probability > 0.5) predictions),
    `confidence` (mean top probability), `confident` (share of samples with
    top probability > 0.9), `histogram` (predicted class counts) and
    `judge_accuracy` (the classifier's held-out accuracy on real digits).
    The rule is `keras_gans.metrics.class_statistics`, which
    `keras_gans.metrics.evaluate_images` reports too.
    """
    from keras_gans.metrics import class_statistics

    images = np.asarray(images, dtype="float32")
    model, acc = classifier(images.shape[1], images.shape[-1])
    probs = model.predict(images, verbose=0, batch_size=256)
    stats = class_statistics(probs, min_share=min_share)
    return {
        "coverage": stats["coverage"],
        "confidence": stats["confidence"],
        "confident": stats["confident"],
        "histogram": stats["class_histogram"],
        "judge_accuracy": acc,
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path", help="a .keras model, SavedModel dir or .tflite file")
    p.add_argument("--num", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    from keras_gans.inference import load_sampler

    sampler = load_sampler(args.path)
    images = sampler.sample(args.num, seed=args.seed)
    r = judge(images)
    print(
        f"coverage {r['coverage']}/10  confidence {r['confidence']:.3f}  "
        f"confident(>0.9) {r['confident']:.3f}  histogram {r['histogram']}  "
        f"(judge accuracy on real digits {r['judge_accuracy']:.3f})"
    )
    return r


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
