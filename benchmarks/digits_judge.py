"""A digit classifier trained on the real bundled digits, used to judge samples.

`judge(images)` reports how many of the ten digits the samples cover and how
confident the classifier is about them. The classifier is trained once per
image size (a few seconds) and cached in ~/.cache/keras_gans/.

Run as a script to judge a trained model:

    python benchmarks/digits_judge.py runs/dcgan/model.keras --num 1000
"""

import argparse
import os
import sys

import numpy as np

CACHE = os.path.join(os.path.expanduser("~"), ".cache", "keras_gans")


def _build(image_size, channels):
    import keras
    from keras import layers

    x_in = keras.Input((image_size, image_size, channels))
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x_in)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.3)(x)
    x = layers.Dense(128, activation="relu")(x)
    out = layers.Dense(10, activation="softmax")(x)
    return keras.Model(x_in, out)


def classifier(image_size=32, channels=1, verbose=False):
    """Returns `(model, held_out_accuracy)`; trains and caches it on first use."""
    import keras

    from keras_gans.data import digits_arrays

    path = os.path.join(CACHE, f"digits_judge_{image_size}_{channels}.keras")
    x, y = digits_arrays(image_size, channels)
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(x))
    test, train = idx[:300], idx[300:]
    if os.path.exists(path):
        model = keras.saving.load_model(path)
    else:
        keras.utils.set_random_seed(0)
        model = _build(image_size, channels)
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        # Light augmentation (shifts) keeps it from trusting exact pixel grids.
        model.fit(x[train], y[train], epochs=15, batch_size=64, verbose=0)
        os.makedirs(CACHE, exist_ok=True)
        model.save(path)
    acc = float(np.mean(np.argmax(model.predict(x[test], verbose=0), 1) == y[test]))
    if verbose:
        print(f"judge classifier held-out accuracy: {acc:.3f}")
    return model, acc


def judge(images, min_share=0.02):
    """Scores generated digits ([N, S, S, C] in [-1, 1]).

    Returns a dict: `coverage` (digits that are at least `min_share` of the
    confident predictions), `confidence` (mean top probability), `confident`
    (share of samples with top probability > 0.9), `histogram` (predicted
    class counts) and `judge_accuracy` (the classifier's held-out accuracy on
    real digits).
    """
    images = np.asarray(images, dtype="float32")
    model, acc = classifier(images.shape[1], images.shape[-1])
    probs = model.predict(images, verbose=0, batch_size=256)
    top = probs.max(1)
    pred = probs.argmax(1)
    hist = np.bincount(pred, minlength=10)
    confident_pred = pred[top > 0.5]
    chist = np.bincount(confident_pred, minlength=10)
    coverage = int(np.sum(chist >= max(1, min_share * len(images))))
    return {
        "coverage": coverage,
        "confidence": float(top.mean()),
        "confident": float(np.mean(top > 0.9)),
        "histogram": hist.tolist(),
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
