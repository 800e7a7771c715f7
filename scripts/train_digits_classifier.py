"""Trains the digits classifier that ships in keras_gans/metrics/weights/.

It is the `digits` feature extractor of `keras_gans.metrics`: its 128-d
penultimate layer gives the digits-FID/KID and its softmax the digits
Inception Score and class coverage. It trains on digits:train (1497 images,
32x32x1 in [-1, 1]) with light augmentation (random shifts of up to 3 px and
a little Gaussian noise, so it reads generated digits that are a bit off the
data's grid), and reports its accuracy on digits:test (300 images), which it
never sees in training or model selection.

    .venv/bin/python scripts/train_digits_classifier.py

writes keras_gans/metrics/weights/digits_classifier.weights.h5 and
digits_classifier.json (the test accuracy and how it was made). Deterministic
on CPU: keras.utils.set_random_seed(0) and TF op determinism.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--out", default=None, help="folder (default: keras_gans/metrics/weights)")
    args = p.parse_args(argv)

    import keras
    import numpy as np
    import tensorflow as tf
    from keras import layers

    from keras_gans.data import digits_arrays
    from keras_gans.metrics import features

    keras.utils.set_random_seed(0)
    tf.config.experimental.enable_op_determinism()
    x_train, y_train = digits_arrays(32, 1, split="train")
    x_test, y_test = digits_arrays(32, 1, split="test")

    clf = features.build_digits_classifier()
    trainer = keras.Sequential(
        [
            keras.Input((32, 32, 1)),
            layers.RandomTranslation(0.1, 0.1, fill_mode="constant", fill_value=-1.0, seed=1),
            layers.GaussianNoise(0.1, seed=2),
            clf,
        ]
    )
    trainer.compile(
        keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    start = time.time()
    hist = trainer.fit(
        x_train, y_train, epochs=args.epochs, batch_size=args.batch_size, shuffle=True, verbose=2
    )
    seconds = time.time() - start
    test_acc = float(np.mean(np.argmax(clf.predict(x_test, verbose=0), 1) == y_test))
    train_acc = float(np.mean(np.argmax(clf.predict(x_train, verbose=0), 1) == y_train))
    print(f"digits:test accuracy {test_acc:.4f}  digits:train accuracy {train_acc:.4f}  ({seconds:.0f} s)")

    out = args.out or features.WEIGHTS_DIR
    os.makedirs(out, exist_ok=True)
    weights = os.path.join(out, os.path.basename(features.DIGITS_WEIGHTS))
    clf.save_weights(weights)
    with open(weights, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    info = {
        "test_accuracy": test_acc,
        "test_split": "digits:test (300 images)",
        "train_accuracy": train_acc,
        "train_split": "digits:train (1497 images)",
        "final_train_loss": float(hist.history["loss"][-1]),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "augmentation": "RandomTranslation(0.1, 0.1, fill -1) + GaussianNoise(0.1)",
        "params": int(clf.count_params()),
        "weights_sha256": digest,
        "command": "python scripts/train_digits_classifier.py",
        "date": datetime.date.today().isoformat(),
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__, "python": platform.python_version()},
    }
    with open(os.path.join(out, os.path.basename(features.DIGITS_INFO)), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
    print(f"wrote {weights} ({os.path.getsize(weights) / 1024:.0f} KiB) and its json")
    return test_acc


if __name__ == "__main__":
    sys.exit(0 if main() >= 0.97 else 1)
