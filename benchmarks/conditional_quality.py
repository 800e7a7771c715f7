"""Figures for the conditional and latent-code models (cgan ... triple_gan).

Each model is trained from the command line with its defaults (`keras-gans
train MODEL --seed 0`), then judged:

- cgan, acgan, rgan_label_noise: for each requested digit, the share of
  samples that the digit classifier of `digits_judge.py` reads as that digit.
- rgan_label_noise (50% symmetric label noise, its default) against cgan
  trained on the same noisy labels (`--label-noise 0.5`).
- sgan, triple_gan: trained on `digits:train` with 100 labels; test accuracy
  on the 300 held-out `digits:test` images, against the same classifier
  network trained on those 100 labels alone.
- infogan: samples for each value of the categorical code, read by the judge:
  the accuracy of the best one-to-one map from code values to digits, and how
  many distinct digits the code values' majority classes cover.
- bigan: a linear probe (logistic regression) on the encoder's features of
  `digits:train`, tested on `digits:test`, against the same probe on pixels.

    python benchmarks/conditional_quality.py                # every model
    python benchmarks/conditional_quality.py --models cgan,acgan --epochs 5
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ALL = ("cgan", "acgan", "rgan_label_noise", "cgan_noisy", "sgan", "triple_gan", "infogan", "bigan")
#: Extra `keras-gans train` arguments of each run (tag -> (model, args)).
RUNS = {
    "cgan": ("cgan", []),
    "acgan": ("acgan", []),
    "rgan_label_noise": ("rgan_label_noise", []),  # 50% symmetric noise by default
    "cgan_noisy": ("cgan", ["--label-noise", "0.5"]),
    "sgan": ("sgan", ["--data", "digits:train"]),  # 100 labels by default
    "triple_gan": ("triple_gan", ["--data", "digits:train"]),
    "infogan": ("infogan", []),
    "bigan": ("bigan", ["--data", "digits:train"]),
}


def train(tag, root, epochs=None, seed=0):
    """Runs `keras-gans train` for `tag`; returns (seconds, cpu seconds, model path).

    The CPU seconds (user + system of the run, start-up and export included)
    tell how long it would take on free cores when the machine is shared.
    """
    import resource

    model, extra = RUNS[tag]
    run_dir = os.path.join(root, tag)
    args = [sys.executable, "-m", "keras_gans.cli", "train", model, "--seed", str(seed),
            "--run-dir", run_dir, "--export-dir", os.path.join(root, "export", tag), *extra]
    if epochs:
        args += ["--epochs", str(epochs)]
    start = time.time()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(args, capture_output=True, text=True,
                       env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    if r.returncode:
        raise RuntimeError(f"{tag}: keras-gans train failed:\n{r.stderr[-3000:]}")
    trained = [line for line in r.stdout.splitlines() if line.startswith("Trained in")]
    seconds = float(trained[0].split()[2]) if trained else time.time() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, os.path.join(run_dir, "model.keras")


def load(path):
    import keras

    import keras_gans  # noqa: F401

    return keras.saving.load_model(path)


def predict(judge, images):
    return np.argmax(judge.predict(images, verbose=0, batch_size=256), axis=1)


def class_accuracy(model, judge, per_class=100, seed=0):
    """Per requested digit, the share of samples the judge reads as that digit."""
    accs = []
    for digit in range(10):
        images = model.sample(per_class, seed=seed + digit, labels=digit)
        accs.append(float(np.mean(predict(judge, images) == digit)))
    return accs


def infogan_figures(model, judge, per_value=100, seed=0):
    from scipy.optimize import linear_sum_assignment

    k = model.num_categories
    confusion = np.zeros((k, 10), int)
    rng = np.random.default_rng(seed)
    for c in range(k):
        codes = model.make_codes(categories=c, num=per_value, rng=rng)
        images = model.sample(per_value, seed=seed + c, codes=codes)
        confusion[c] = np.bincount(predict(judge, images), minlength=10)
    # Sweeps: one z (and continuous codes) per row, the categorical code across.
    from keras_gans.models.infogan import code_sweep

    n_rows = 100
    codes, n_cols = code_sweep(k, model.num_continuous, 0, n_rows, seed=seed)
    z = np.random.default_rng(seed).standard_normal((n_rows, model.latent_dim)).astype("float32")
    images = model.generate(np.repeat(z, n_cols, axis=0), codes=codes)
    sweep = predict(judge, np.asarray(images)).reshape(n_rows, n_cols)
    distinct = np.array([len(set(row.tolist())) for row in sweep])
    rows, cols = linear_sum_assignment(-confusion)
    matched = confusion[rows, cols].sum() / confusion.sum()
    majority = confusion.argmax(1)
    purity = confusion.max(1).sum() / confusion.sum()
    return {
        "matched_accuracy": float(matched),
        "purity": float(purity),
        "distinct_majority_digits": int(len(set(majority.tolist()))),
        "sweep_distinct_digits_per_row": float(distinct.mean()),
        "sweep_rows_that_change_digit": float(np.mean(distinct > 1)),
        "confusion": confusion.tolist(),
    }


def supervised_baseline(network, x, y, x_test, y_test, epochs=300, seed=0):
    """Test accuracy of `network` (images -> logits) trained on (x, y) alone."""
    import keras

    keras.utils.set_random_seed(seed)
    network.compile(
        keras.optimizers.Adam(1e-3),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    network.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return float(np.mean(np.argmax(network.predict(x_test, verbose=0), 1) == y_test))


def semi_supervised_figures(tag, model, size):
    import keras

    from keras_gans.data import digits_arrays, select_labelled

    x_train, y_train = digits_arrays(size, 1, "train")
    x_test, y_test = digits_arrays(size, 1, "test")
    mask = select_labelled(y_train, 100, seed=0)  # the CLI's labelled set (--seed 0)
    acc = float(np.mean(np.argmax(model.classify(x_test), 1) == y_test))
    if tag == "sgan":
        from keras_gans.models.sgan import sgan_classifier

        cfg = model.get_config()
        net = sgan_classifier(model.image_shape, 10, cfg["d_width"], cfg["d_normalization"],
                              cfg["d_dropout"])
        x_in = keras.Input(model.image_shape)
        network = keras.Model(x_in, net(x_in)["classes"])
    else:
        from keras_gans.models.triple_gan import triple_gan_classifier

        cfg = model.get_config()
        network = triple_gan_classifier(model.image_shape, 10, cfg["c_width"], "batch", cfg["c_dropout"])
    base = supervised_baseline(network, x_train[mask], y_train[mask], x_test, y_test)
    return {"test_accuracy": acc, "same_network_100_labels_only": base}


def bigan_figures(model, size):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from keras_gans.data import digits_arrays

    x_train, y_train = digits_arrays(size, 1, "train")
    x_test, y_test = digits_arrays(size, 1, "test")

    def probe(f_train, f_test):
        scaler = StandardScaler().fit(f_train)
        clf = LogisticRegression(max_iter=3000).fit(scaler.transform(f_train), y_train)
        return float(clf.score(scaler.transform(f_test), y_test))

    return {
        "encoder_features": probe(model.encode(x_train), model.encode(x_test)),
        "raw_pixels": probe(x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)),
        "latent_dim": model.latent_dim,
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default=",".join(ALL), help=f"comma-separated, from {ALL}")
    p.add_argument("--epochs", type=int, default=None, help="override the models' defaults")
    p.add_argument("--root", default="runs/conditional_quality")
    p.add_argument("--reuse", action="store_true", help="evaluate existing runs; train only missing ones")
    args = p.parse_args(argv)
    tags = [t for t in args.models.split(",") if t]
    for t in tags:
        if t not in RUNS:
            p.error(f"unknown model {t!r}; choose from {ALL}")

    from digits_judge import classifier

    results = {}
    out_path = os.path.join(args.root, "results.json")
    if os.path.exists(out_path):
        with open(out_path) as f:
            results = json.load(f)
    for tag in tags:
        path = os.path.join(args.root, tag, "model.keras")
        if args.reuse and os.path.exists(path):
            seconds = results.get(tag, {}).get("train_seconds")
            cpu = results.get(tag, {}).get("cpu_seconds")
        else:
            seconds, cpu, path = train(tag, args.root, args.epochs)
        model = load(path)
        size = model.image_shape[0]
        judge, judge_acc = classifier(size, 1)
        r = {"train_seconds": seconds, "cpu_seconds": cpu, "judge_accuracy_on_real": judge_acc}
        if tag in ("cgan", "acgan", "rgan_label_noise", "cgan_noisy"):
            accs = class_accuracy(model, judge)
            r.update(per_digit=[round(a, 3) for a in accs], mean_class_accuracy=float(np.mean(accs)))
            line = f"class accuracy {np.mean(accs):.3f}  per digit {[round(a, 2) for a in accs]}"
        elif tag in ("sgan", "triple_gan"):
            r.update(semi_supervised_figures(tag, model, size))
            line = (f"test accuracy {r['test_accuracy']:.3f} vs same network on the 100 labels "
                    f"alone {r['same_network_100_labels_only']:.3f}")
        elif tag == "infogan":
            r.update(infogan_figures(model, judge))
            line = (f"categorical code -> digit: matched accuracy {r['matched_accuracy']:.3f}, "
                    f"purity {r['purity']:.3f}, {r['distinct_majority_digits']}/10 distinct digits; "
                    f"a sweep of the code (z fixed) shows {r['sweep_distinct_digits_per_row']:.1f} "
                    f"digits per row")
        else:
            r.update(bigan_figures(model, size))
            line = (f"linear probe: encoder features {r['encoder_features']:.3f} vs raw pixels "
                    f"{r['raw_pixels']:.3f}")
        results[tag] = r
        secs = f"{seconds:.0f} s" if seconds is not None else "? s"
        cpus = f"{cpu:.0f}" if cpu is not None else "?"
        print(f"{tag:<17} trained {secs:>6} (cpu {cpus:>4} s)  {line}", flush=True)
        os.makedirs(args.root, exist_ok=True)
        with open(out_path, "w") as f:
            json.dump(results, f, indent=1)
    if "rgan_label_noise" in results and "cgan_noisy" in results:
        a = results["rgan_label_noise"]["mean_class_accuracy"]
        b = results["cgan_noisy"]["mean_class_accuracy"]
        print(f"50% symmetric label noise: rgan_label_noise {a:.3f} vs cgan {b:.3f} ({a - b:+.3f})")
    return results


if __name__ == "__main__":
    main()
