"""Augmentation on little data: dcgan on 200 digits with augment None, "diffaugment" and "ada".

With 200 training images D memorizes the training set and G's samples get
worse (Karras et al. 2020, arXiv:2006.06676; Zhao et al. 2020,
arXiv:2006.10738). This script trains `dcgan` with its registry defaults
(`keras_gans.get("dcgan", seed=0, augment=...)`, `compile()`) the same
number of steps on the same 200 images of digits:train (drawn with seed 0)
for each option, and scores each generator as benchmarks/quality.py does:
`evaluate_model` with the shipped digits classifier's features, 1000
samples against the 300 images of digits:test (digits-FID and KID). It also
scores along the way (every `--fid-every` epochs, 500 samples) to show
whether FID turns up again as D overfits, and logs ADA's p at the end of
every epoch (the p curve).

    python benchmarks/augment_small_data.py                       # the three rows
    python benchmarks/augment_small_data.py --options ada --epochs 20 --out /tmp/a.jsonl

Prints a table and appends one JSON line per option to
docs/augment_small_data.jsonl (FID, KID, the FID curve, the p and r_t
curves for ADA, seconds, img/s, the machine and the command).
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import machine  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "augment_small_data.jsonl")
OPTIONS = ("none", "diffaugment", "ada")


def small_digits(count, seed):
    """`count` images of digits:train at 32 px, chosen with `seed` (and their labels)."""
    import numpy as np

    from keras_gans.data import digits_arrays

    images, labels = digits_arrays(32, 1, split="train")
    idx = np.sort(np.random.default_rng(seed).choice(len(images), count, replace=False))
    return images[idx], labels[idx]


def run(option, args):
    import numpy as np
    import tensorflow as tf

    import keras
    import keras_gans
    from keras_gans.metrics.evaluation import evaluate_model

    images, labels = small_digits(args.images, args.seed)
    keras.utils.set_random_seed(args.seed)
    augment = None if option == "none" else option
    kwargs = {"augment": augment} if augment else {}
    if augment == "ada" and args.ada_kimg is not None:
        kwargs["ada_kimg"] = args.ada_kimg
    if augment == "ada" and args.ada_ops is not None:
        kwargs["ada_ops"] = args.ada_ops
    model = keras_gans.get("dcgan", seed=args.seed, **kwargs)
    model.compile()
    ds = (tf.data.Dataset.from_tensor_slices(images)
          .shuffle(len(images), seed=args.seed, reshuffle_each_iteration=True)
          .batch(args.batch_size, drop_remainder=True))
    steps = args.epochs * (len(images) // args.batch_size)

    curve, p_curve, rt_curve = [], [], []
    train_seconds = [0.0]

    class Track(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.time()

        def on_epoch_end(self, epoch, logs=None):
            train_seconds[0] += time.time() - self.start
            if augment == "ada":
                p_curve.append(round(float(keras.ops.convert_to_numpy(model.ada_p)), 4))
                rt_curve.append(round(float(logs["ada_rt"]), 4))
            done = epoch + 1
            if args.fid_every and done % args.fid_every == 0 and done < args.epochs:
                score = evaluate_model(model, metrics="fid", num=500, seed=args.seed)
                curve.append([done, round(score["fid"], 2)])
                extra = f"  p {p_curve[-1]:.3f}  r_t {rt_curve[-1]:+.3f}" if p_curve else ""
                print(f"  {option:<11} epoch {done:>4}  FID(500) {score['fid']:7.2f}{extra}",
                      flush=True)

    model.fit(ds, epochs=args.epochs, verbose=0, callbacks=[Track()])
    score = evaluate_model(model, metrics="fid,kid", num=args.num, seed=args.seed)
    curve.append([args.epochs, round(evaluate_model(model, metrics="fid", num=500,
                                                    seed=args.seed)["fid"], 2)])
    row = {
        "option": option,
        "model": "dcgan",
        "data": f"digits:train, {len(images)} images (seed {args.seed}), 32 px",
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "steps": steps,
        "images_trained": steps * args.batch_size,
        "fid": round(score["fid"], 3),
        "kid": round(score["kid"], 5),
        "coverage": score.get("coverage"),
        "confidence": round(score["confidence"], 3) if "confidence" in score else None,
        "num": args.num,
        "fid_curve_500": curve,
        "ada_kimg": model.ada_kimg if augment == "ada" else None,
        "ada_ops": list(model.ada_ops or ()) or None if augment == "ada" else None,
        "ada_p_per_epoch": p_curve or None,
        "ada_rt_per_epoch": rt_curve or None,
        "train_seconds": round(train_seconds[0], 1),
        "images_per_second": round(steps * args.batch_size / max(train_seconds[0], 1e-9), 1),
        "seed": args.seed,
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": _commit(),
        "command": "python benchmarks/augment_small_data.py " + " ".join(sys.argv[1:]),
    }
    return row


def _commit():
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "keras_gans"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("+changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def table(rows):
    lines = [f"{'augment':<12} {'steps':>6} {'train s':>8} {'img/s':>7} {'digits-FID':>10} "
             f"{'KID':>8} {'coverage':>8}  final p"]
    for r in rows:
        p = f"{r['ada_p_per_epoch'][-1]:.3f}" if r.get("ada_p_per_epoch") else "-"
        lines.append(f"{r['option']:<12} {r['steps']:>6} {r['train_seconds']:>8.1f} "
                     f"{r['images_per_second']:>7.1f} {r['fid']:>10.2f} {r['kid']:>8.4f} "
                     f"{str(r['coverage']):>8}  {p}")
    for r in rows:
        if r.get("ada_p_per_epoch"):
            lines.append(f"ADA p per epoch ({r['option']}, ada_kimg {r['ada_kimg']}): "
                         + " ".join(f"{p:.3f}" for p in r["ada_p_per_epoch"]))
            lines.append("ADA r_t per epoch: " + " ".join(f"{v:+.2f}" for v in r["ada_rt_per_epoch"]))
        lines.append(f"FID(500) curve ({r['option']}): "
                     + " ".join(f"{e}:{f}" for e, f in r["fid_curve_500"]))
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--options", default=",".join(OPTIONS),
                   help="comma-separated of none, diffaugment, ada")
    p.add_argument("--images", type=int, default=200, help="training images")
    p.add_argument("--epochs", type=int, default=300)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--num", type=int, default=1000, help="samples of the final evaluation")
    p.add_argument("--fid-every", type=int, default=50, help="epochs between FID(500) checks")
    p.add_argument("--ada-kimg", type=float, default=None,
                   help="ADA's speed (default: the model's, 10)")
    p.add_argument("--ada-ops", default=None,
                   help="ADA's ops, comma-separated (default: the model's, all of "
                        "keras_gans.augment.ADA_OPS); digits are not mirror or "
                        "quarter-turn symmetric: translation,brightness,contrast,cutout")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=OUT)
    args = p.parse_args(argv)
    options = [o.strip() for o in args.options.split(",") if o.strip()]
    unknown = set(options) - set(OPTIONS)
    if unknown:
        p.error(f"unknown options {sorted(unknown)}; choose from {', '.join(OPTIONS)}")
    rows = []
    for option in options:
        row = run(option, args)
        rows.append(row)
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "a") as f:  # after every row: nothing lost on a crash
            f.write(json.dumps(row) + "\n")
        print(f"{option}: FID {row['fid']:.2f}  KID {row['kid']:.4f}  "
              f"{row['train_seconds']:.0f} s", flush=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
