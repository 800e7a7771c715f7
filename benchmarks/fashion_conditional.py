"""A class-conditional model on Fashion-MNIST: the standard FID and class accuracy.

Trains MODEL (default biggan) with its defaults on fashion_mnist at 28 px for
15,625 steps of 64 (25 epochs of 625 steps: the step count of Lucic et al.
2018's Fashion-MNIST runs, as benchmarks/paper_table.py counts them), through
`keras-gans train`, which resumes from the run's last epoch backup when the
run directory already holds one. Then it scores 10,000 samples (the ten classes
in turn) with `keras_gans.metrics.evaluation`:

- the standard FID (and KID) on the FID Inception's pool features against
  the 10,000 images of fashion_mnist:test;
- class accuracy: how often a judge reads the class that was asked for. Only
  digits has a shipped classifier, so the judge is a small CNN this script
  trains on fashion_mnist:train (3 epochs, seed 0) and keeps beside the runs
  (`--judge`); its accuracy on fashion_mnist:test is reported with the row.

One JSON line per evaluation goes to docs/fashion_results.jsonl, which
benchmarks/quality.py shows under docs/RESULTS.md's table.

    python benchmarks/fashion_conditional.py                         # biggan
    python benchmarks/fashion_conditional.py --model biggan --standing
    python benchmarks/fashion_conditional.py --skip-train --num 2000  # score the run as it is
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import machine  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "fashion_results.jsonl")
EPOCHS, STEPS, BATCH, SIZE = 25, 625, 64, 28


def train_command(model, run_dir, seed):
    return ["keras-gans", "train", model, "--data", "fashion_mnist", "--image-size", str(SIZE),
            "--batch-size", str(BATCH), "--epochs", str(EPOCHS), "--steps-per-epoch", str(STEPS),
            "--seed", str(seed), "--run-dir", run_dir, "--no-export"]


def train_judge(path, seed=0):
    """A small CNN on fashion_mnist:train, saved with two outputs (features,
    probabilities) so that `keras_gans.metrics.features.Extractor` takes it.
    Returns its accuracy on fashion_mnist:test."""
    import keras
    from keras import layers

    from keras_gans import data

    keras.utils.set_random_seed(seed)
    train = data.load("fashion_mnist", image_size=SIZE, channels=1, batch_size=128, labels=True,
                      seed=seed)
    test = data.load("fashion_mnist:test", image_size=SIZE, channels=1, batch_size=500,
                     labels=True, seed=seed)
    x = keras.Input((SIZE, SIZE, 1))
    h = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    h = layers.MaxPooling2D()(h)
    h = layers.Conv2D(64, 3, padding="same", activation="relu")(h)
    h = layers.MaxPooling2D()(h)
    features = layers.Dense(128, activation="relu", name="features")(layers.Flatten()(h))
    probs = layers.Dense(10, activation="softmax", name="probabilities")(layers.Dropout(0.3)(features))
    clf = keras.Model(x, probs)
    clf.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    clf.fit(train, epochs=3, verbose=2)
    accuracy = float(clf.evaluate(test, verbose=0)[1])
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    keras.Model(x, [features, probs]).save(path)
    with open(path + ".json", "w") as f:
        json.dump({"test_accuracy": accuracy}, f)
    return accuracy


def load_judge(path):
    import keras

    from keras_gans.metrics.features import Extractor

    with open(path + ".json") as f:
        accuracy = json.load(f)["test_accuracy"]
    judge = Extractor(keras.saving.load_model(path), "fashion_judge", input_size=(SIZE, SIZE),
                      channels=1, num_classes=10,
                      description="a small CNN trained on fashion_mnist:train by "
                                  "benchmarks/fashion_conditional.py")
    return judge, accuracy


def score(model_path, judge, num, seed=0, standing=False):
    """FID/KID (FID Inception, cached real statistics) and the judge's class
    accuracy on the same `num` samples."""
    import keras

    import keras_gans  # noqa: F401
    from keras_gans.metrics.evaluation import evaluate_images, resolve_spec

    model = keras.saving.load_model(model_path)
    if standing:
        model.standing_statistics()
    start = time.time()
    fake, real, labels, spec = model.evaluation_images(data="fashion_mnist", num=num, seed=seed,
                                                       progress=True)
    # The label keys the cached real statistics: the same as evaluate_model's
    # (and paper_table's), so the 10k test images go through Inception once.
    real_label = resolve_spec(spec, "test")
    standard = evaluate_images(fake, real, extractor="fid_inception", metrics="fid,kid",
                               progress=True, cache=True, real_label=real_label)
    judged = evaluate_images(fake, real, extractor=judge, metrics="fid", labels=labels,
                             real_label=real_label)
    return {
        "fid": round(float(standard["fid"]), 2),
        "kid": round(float(standard["kid"]), 5),
        "class_accuracy": round(float(judged["class_accuracy"]), 4),
        "per_class_accuracy": [round(float(a), 3) for a in judged["per_class_accuracy"]],
        "real": spec,
        "eval_seconds": round(time.time() - start, 1),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="biggan")
    p.add_argument("--run-dir", default=None, help="default runs/<model>_fashion")
    p.add_argument("--judge", default=os.path.join(ROOT, "runs", "fashion_judge.keras"))
    p.add_argument("--num", type=int, default=10000, help="samples scored")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--standing", action="store_true",
                   help="re-estimate G's BatchNorm statistics first (biggan's standing_statistics)")
    p.add_argument("--skip-train", action="store_true", help="score the run's model.keras as it is")
    p.add_argument("--out", default=OUT)
    args = p.parse_args(argv)

    run_dir = args.run_dir or os.path.join(ROOT, "runs", f"{args.model}_fashion")
    command = train_command(args.model, os.path.relpath(run_dir, ROOT), args.seed)
    train_seconds = None
    if not args.skip_train:
        start = time.time()
        r = subprocess.run([sys.executable, "-m", "keras_gans.cli", *command[1:]], cwd=ROOT)  # run dir relative to ROOT
        if r.returncode == 3:
            raise SystemExit(f"training stopped: D died (see the log above); {run_dir} holds the "
                             "model as it was, and no row was written.")
        if r.returncode:
            raise SystemExit(f"training failed (exit {r.returncode}); rerun the same command to "
                             f"resume from {run_dir}'s backup.")
        train_seconds = round(time.time() - start, 1)
    model_path = os.path.join(run_dir, "model.keras")
    if not os.path.isfile(model_path):
        raise SystemExit(f"no trained model at {model_path}; run without --skip-train first.")
    if not os.path.isfile(args.judge + ".json"):
        print(f"training the fashion judge -> {args.judge}", flush=True)
        train_judge(args.judge)
    judge, judge_accuracy = load_judge(args.judge)
    row = {"model": args.model, "data": f"fashion_mnist at {SIZE} px",
           "steps": EPOCHS * STEPS, "batch_size": BATCH, "num": args.num, "standing": args.standing}
    row.update(score(model_path, judge, args.num, args.seed, args.standing))
    row.update(judge_test_accuracy=round(judge_accuracy, 4),
               train_seconds_this_call=train_seconds, command=" ".join(command),
               machine=machine(), date=datetime.date.today().isoformat())
    with open(args.out, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(json.dumps(row), flush=True)
    if os.path.abspath(args.out) == OUT:
        import fcntl

        import quality

        # RESULTS.md shows this file's rows under its table; the lock is quality.py's.
        with open(os.path.join(ROOT, "docs", "results.json.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            md, _ = quality.rewrite()
        print(f"wrote {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
