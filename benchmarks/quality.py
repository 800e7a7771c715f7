"""Trains every registered model on its bundled data and scores it: docs/RESULTS.md.

For each model: `keras-gans train MODEL --seed 0` with its defaults (or with a
time budget, `--seconds S`), then `evaluate_model` with the shipped digits
classifier's features on 1000 samples against digits:test (translators:
their test split, translated, against domain B's test images). Records
digits-FID, KID, class coverage and confidence, training seconds and img/s,
merges them into docs/results.json (so a subset can be re-run) and rewrites
docs/RESULTS.md with a table and a plot of FID against training time
(docs/results_fid_time.png).

    python benchmarks/quality.py                       # every model, defaults
    python benchmarks/quality.py --seconds 60          # every model, 60 s each, FID
                                                       # logged every 10 s for the curves
    python benchmarks/quality.py --models dcgan,cgan   # some
    python benchmarks/quality.py --rewrite             # only rewrite RESULTS.md
"""

import argparse
import datetime
import fcntl
import functools
import json
import os
import re
import subprocess
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import cpu_name  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
# The CLI's summary line, e.g. "Trained in 40.1 s: epochs 1 to 33 of 100 (33 in this
# run, 52736 images), 1313 img/s." (seconds, epochs run, images, img/s).
TRAINED = re.compile(r"Trained in ([\d.]+) s: .*?\((\d+) in this run, (\d+) images\), (\d+) img/s")


def machine():
    return f"{os.cpu_count()} cores, {cpu_name()}, no GPU"


def model_class(name):
    """The registered class of the model a row is about: it says how the row
    is shown (`plot_color`, `judged_by_class_coverage`)."""
    from keras_gans import registry

    return registry.entry(name).cls


_SVC = []


def svc_judge():
    """A second digit judge that keras-gans does not ship (so a generator cannot
    have fitted the judge's quirks): scikit-learn's SVC with the settings of its
    own digits example (RBF, gamma 0.001, C 1; probabilities by Platt scaling,
    seed 0), trained on the raw 8x8 rows of digits:train. Samples reach it
    through `to_digits_8x8`, which takes real digits at 32 px back to their
    exact 8x8 rows. (Average pooling to 8x8 blurs instead: the SVC then read
    only 0.88 of real digits:test and gave them 9 of 10 classes; trained on
    pooled digits, it read samples with far less confidence, dcgan 7/10 at 0.44.)

    Returns:
        `(classifier, accuracy on raw digits:test, accuracy on digits:test
        taken to 32 px and back by `to_digits_8x8`)`.
    """
    if not _SVC:
        from sklearn import datasets, svm

        from keras_gans.data import digits_arrays
        from keras_gans.data.sources import digits_split_indices

        d = datasets.load_digits()
        train, test = digits_split_indices("train"), digits_split_indices("test")
        clf = _platt_svc(svm)
        with warnings.catch_warnings():  # scikit-learn 1.9's, at every fit with probability
            warnings.filterwarnings("ignore", message=".*probability.*", category=FutureWarning)
            clf.fit(d.data[train], d.target[train])
        raw = float(np.mean(clf.predict(d.data[test]) == d.target[test]))
        images, labels = digits_arrays(32, 1, split="test")
        pooled = float(np.mean(clf.predict(to_digits_8x8(images)) == labels))
        _SVC.extend([clf, raw, pooled])
    return tuple(_SVC)


def _platt_svc(svm):
    """The judge's SVC (RBF, gamma 0.001, C 1) with libsvm's own Platt
    probabilities, as every recorded SVC figure was read. scikit-learn 1.9
    deprecates `probability=True` (removed in 1.11, for
    `CalibratedClassifierCV(SVC(), ensemble=False)`); where it is gone, the
    judge says so and uses that calibration, whose confidences are close to
    but not the same as the recorded ones."""
    import sklearn
    from sklearn.calibration import CalibratedClassifierCV

    if "probability" in svm.SVC().get_params():
        return svm.SVC(C=1.0, gamma=0.001, probability=True, random_state=0)
    print(f"svc_judge: scikit-learn {sklearn.__version__} has no SVC(probability=True); "
          "probabilities by CalibratedClassifierCV (sigmoid): confidences are not "
          "comparable with docs/RESULTS.md's", file=sys.stderr)
    return CalibratedClassifierCV(svm.SVC(C=1.0, gamma=0.001), method="sigmoid", ensemble=False)


@functools.lru_cache(maxsize=None)
def _upsampling(size):
    """How the digits reach `size` px: the bilinear resize from 8x8 as a
    linear map U, `[size^2, 64]` (full column rank): the 1-D resize that
    `keras_gans.layers.NativeResolution` projects with, on both axes."""
    from keras_gans.layers.resample import bilinear_matrix

    u = bilinear_matrix(8, size)
    return np.kron(u, u).astype("float32")


@functools.lru_cache(maxsize=None)
def _upsampling_inverse(size):
    """The least-squares inverse pinv(U) of `_upsampling(size)`, `[64, size^2]`:
    it gives back any real digit exactly and, for a sample, the 8x8 digit
    whose upsampling is nearest to it."""
    return np.linalg.pinv(_upsampling(size))


def grey_rows(images):
    """Images in [-1, 1], `[N, H, W, C]`, as grey rows on [0, 1], `[N, H * W]`."""
    x = ((np.asarray(images, "float32") + 1.0) / 2.0).mean(axis=-1)
    return x.reshape(len(x), -1)


def to_digits_8x8(images):
    """Images in [-1, 1], `[N, H, W, C]` (square), as scikit-learn's digits
    rows: grey, taken back to 8x8 by the least-squares inverse of the bilinear
    upsampling the training data went through, on its 0..16 scale, `[N, 64]`."""
    rows = grey_rows(images) @ _upsampling_inverse(np.shape(images)[1]).T
    return np.clip(rows, 0.0, 1.0) * 16.0


def svc_scores(fake, labels):
    """The second judge's coverage, confidence and (with `labels`: the classes
    asked for) asked-digit accuracy of samples in [-1, 1]."""
    from keras_gans.metrics.evaluation import class_statistics

    clf = svc_judge()[0]
    probs = clf.predict_proba(to_digits_8x8(fake))
    stats = class_statistics(probs)
    out = {"svc_coverage": stats["coverage"], "svc_confidence": round(float(stats["confidence"]), 3),
           # the rarest digit's confident samples; coverage counts a digit from 2% of them
           "svc_rarest": min(stats["confident_histogram"])}
    if labels is not None:
        out["svc_class_accuracy"] = round(float(np.mean(np.argmax(probs, 1) == np.asarray(labels))), 3)
    return out


def train_and_score(name, seconds, num, run_root, fid_every=None, labelled=None):
    from keras_gans.metrics.evaluation import evaluate_model
    from keras_gans.serving import load_sampler

    run_dir = os.path.join(run_root, name)
    command = ["keras-gans", "train", name, "--seed", "0"]
    if seconds:
        command += ["--max-seconds", str(seconds)]
    if fid_every:
        command += ["--fid-every-seconds", str(fid_every)]
    if labelled is not None and getattr(model_class(name), "default_labelled", None) is not None:
        command += ["--labelled", str(labelled)]  # semi-supervised models only
    start = time.time()
    r = subprocess.run(
        [sys.executable, "-m", "keras_gans.cli", *command[1:], "--run-dir", run_dir, "--no-export",
         "--overwrite"],  # a rerun replaces the model's last finished run
        cwd=ROOT, capture_output=True, text=True,
    )
    wall = time.time() - start
    if r.returncode != 0:
        raise RuntimeError(f"{name} failed to train:\n{r.stderr[-3000:]}")
    m = TRAINED.search(r.stdout)
    if not m:
        raise RuntimeError(f"{name}: no 'Trained in' line in its output:\n{r.stdout[-2000:]}")
    curve = []
    if fid_every and os.path.isfile(os.path.join(run_dir, "fid.json")):
        with open(os.path.join(run_dir, "fid.json")) as f:
            curve = json.load(f)["curve"]
    sampler = load_sampler(os.path.join(run_dir, "model.keras"))
    score = evaluate_model(sampler, metrics="fid,kid", num=num, seed=0)
    second = {}
    if model_class(name).judged_by_class_coverage:
        # The same samples evaluate_model scored (same num and seed), judged again.
        fake, _, labels, _ = sampler.evaluation_images(num=num, seed=0)
        second = svc_scores(fake, labels)
    row = {
        "model": name,
        "task": score["task"],
        "data": score["data"],
        "train_seconds": float(m.group(1)),
        "epochs": int(m.group(2)),
        "images": int(m.group(3)),
        "images_per_second": int(m.group(4)),
        "wall_seconds": round(wall, 1),
        "fid": round(score["fid"], 3),
        "kid": round(score["kid"], 4),
        "coverage": score.get("coverage"),
        "confidence": round(score["confidence"], 3) if "confidence" in score else None,
        "class_accuracy": round(score["class_accuracy"], 3) if "class_accuracy" in score else None,
        "svc_coverage": second.get("svc_coverage"),
        "svc_confidence": second.get("svc_confidence"),
        "svc_class_accuracy": second.get("svc_class_accuracy"),
        "command": " ".join(command),
        "machine": machine(),
        "date": datetime.date.today().isoformat(),
        "load_average": round(os.getloadavg()[0], 1),
        "curve": curve,
    }
    print(f"{name:<18} {row['train_seconds']:>7.1f} s  {row['images_per_second']:>5} img/s  "
          f"FID {row['fid']:>8.2f}  KID {row['kid']:>8.3f}  coverage {row['coverage']}  "
          f"SVC coverage {row['svc_coverage']} confidence {row['svc_confidence']} "
          f"asked {row['class_accuracy']} / {row['svc_class_accuracy']}", flush=True)
    return row


def plot(rows, path):
    """digits-FID (log scale) against training seconds: a curve per model from
    its `curve` (FID logged during training, 500 samples), ending at the final
    1000-sample figure; a point where no curve was logged."""
    import math

    from PIL import Image, ImageDraw

    series = []
    for r in rows:
        pts = [(t, f) for t, f in r.get("curve") or [] if f > 0 and t < r["train_seconds"]]
        pts.append((r["train_seconds"], r["fid"]))
        series.append((r["model"], model_class(r["model"]).plot_color,
                       [p for p in pts if p[1] > 0]))
    width, height, margin = 1000, 700, 70
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    all_pts = [p for _, _, pts in series for p in pts]
    max_t = max(p[0] for p in all_pts) * 1.12
    lo = math.floor(math.log10(min(p[1] for p in all_pts)))
    hi = max(math.ceil(math.log10(max(p[1] for p in all_pts))), lo + 1)

    def xy(t, fid):
        x = margin + (width - 2 * margin) * t / max_t
        y = height - margin - (height - 2 * margin) * (math.log10(fid) - lo) / (hi - lo)
        return x, y

    d.line([(margin, height - margin), (width - margin, height - margin)], fill="black")
    d.line([(margin, margin), (margin, height - margin)], fill="black")
    for e in range(lo, hi + 1):
        _, y = xy(1, 10 ** e)
        d.line([(margin - 5, y), (width - margin, y)], fill=(225, 225, 225))
        d.text((8, y - 6), f"{10 ** e:g}", fill="black")
    step = max(5, int(round(max_t / 8 / 5.0)) * 5)
    for t in range(0, int(max_t) + 1, step):
        x, _ = xy(t, 10 ** lo)
        d.line([(x, height - margin), (x, height - margin + 5)], fill="black")
        d.text((x - 10, height - margin + 10), str(t), fill="black")
    d.text((width // 2 - 90, height - 30), "training seconds (2 CPU cores)", fill="black")
    d.text((10, 20), "digits-FID (log scale, lower is better) during training; "
                     "generators red, translators blue", fill="black")
    for i, (name, base, pts) in enumerate(series):
        shade = 40 + (i * 37) % 140
        color = (base[0], min(255, base[1] + shade // 2), base[2])
        coords = [xy(t, f) for t, f in pts]
        if len(coords) > 1:
            d.line(coords, fill=color, width=2)
        for x, y in coords:
            d.ellipse([x - 3, y - 3, x + 3, y + 3], fill=color)
        x, y = coords[-1]
        d.text((x + 6, y - 6), name, fill=color)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img.save(path)
    return path


def write_markdown(rows, path, png_name):
    judged = {r["model"]: model_class(r["model"]).judged_by_class_coverage for r in rows}
    # Models judged by class coverage (the generators) first, then the others.
    rows = sorted(rows, key=lambda r: (not judged[r["model"]], r["fid"]))
    lines = [
        "# Results: every registered model on bundled data",
        "",
        "Written by `python benchmarks/quality.py` (see its docstring). Each model was",
        "trained by the command in its row (its defaults, seed 0) and scored with",
        "`evaluate_model`: digits-FID and KID on the features of the classifier shipped",
        "in `keras_gans/metrics/weights/` (0.993 on digits:test), 1000 samples against",
        "the 300 digits of digits:test; coverage (of 10 digits) and confidence from its",
        "probabilities. Image-to-image rows translate their data's test split and compare",
        "with domain B's test images on the same features (the digit classifier is out",
        "of its domain on inked or photo images, so compare those rows only with each",
        "other). Real digits:train against digits:test score FID 13.1 here: the floor.",
        "Times are wall seconds of `fit()` on the machine in the row, which other jobs",
        "may have shared (the load average is in results.json). The plot follows each",
        "model's digits-FID during training (500 samples, logged by `FIDCallback`",
        "through `keras-gans train --fid-every-seconds`), ending at its final figure.",
        "",
        "The generators are judged a second time by a classifier keras-gans does not ship",
        "(`svc_judge` in benchmarks/quality.py): scikit-learn's SVC (gamma 0.001) trained",
        f"on the raw 8x8 rows of digits:train ({svc_judge()[1]:.3f} on digits:test; {svc_judge()[2]:.3f}",
        "on digits:test taken to 32 px and back), on the same 1000 samples taken back to",
        "8x8 by the least-squares inverse of the digits' bilinear upsampling: its",
        "coverage, mean confidence and, for",
        "conditional models, how often it reads the digit asked for (`asked`: the shipped",
        "classifier's figure / the SVC's).",
        "",
        f"![digits-FID against training time]({png_name})",
        "",
        "| model | data | epochs | train s | img/s | digits-FID | KID | coverage | confidence "
        "| SVC coverage | SVC confidence | asked | command | machine | date |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        shown = judged[r["model"]]
        cov = f"{r['coverage']}/10" if shown and r["coverage"] is not None else "-"
        conf = f"{r['confidence']:.3f}" if shown and r["confidence"] is not None else "-"
        svc_cov = f"{r['svc_coverage']}/10" if r.get("svc_coverage") is not None else "-"
        svc_conf = f"{r['svc_confidence']:.3f}" if r.get("svc_confidence") is not None else "-"
        asked = (f"{r['class_accuracy']:.3f} / {r['svc_class_accuracy']:.3f}"
                 if r.get("class_accuracy") is not None and r.get("svc_class_accuracy") is not None
                 else "-")
        lines.append(
            f"| `{r['model']}` | {r['data']} | {r['epochs']} | {r['train_seconds']:.0f} | "
            f"{r['images_per_second']} | {r['fid']:.2f} | {r['kid']:.3f} | {cov} | {conf} | "
            f"{svc_cov} | {svc_conf} | {asked} | `{r['command']}` | {r['machine']} | {r['date']} |"
        )
    lines += fashion_section(os.path.join(os.path.dirname(path), "fashion_results.jsonl"))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def fashion_section(jsonl):
    """RESULTS.md's Fashion-MNIST table: the rows benchmarks/fashion_conditional.py
    appended to `jsonl` (the standard FID and the asked-class accuracy of
    class-conditional models at 15,625 steps); nothing when there are none."""
    if not os.path.isfile(jsonl):
        return []
    with open(jsonl) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    if not rows:
        return []
    lines = [
        "",
        "## Class-conditional models on Fashion-MNIST",
        "",
        "Written by `python benchmarks/fashion_conditional.py` (see its docstring): the",
        "model's defaults on fashion_mnist at 28 px for 15,625 steps of 64, then 10,000",
        "samples (the ten classes in turn) scored by the standard FID (FID Inception)",
        "against the 10,000 images of fashion_mnist:test, and by a small CNN judge that",
        "the script trains on fashion_mnist:train (its test accuracy is in the row):",
        "`asked` is how often it reads the class that was asked for.",
        "",
        "| model | steps | standing stats | samples | FID | KID | asked | judge's test accuracy "
        "| eval s | command | machine | date |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        m = r["machine"]
        if isinstance(m, dict):  # benchmarks/machine.py's record
            m = f"{m['cores']} cores, {m['cpu']}, no GPU, load {m['load_average'][0]:.1f}"
        lines.append(
            f"| `{r['model']}` | {r['steps']} | {'yes' if r['standing'] else 'no'} | {r['num']} | "
            f"{r['fid']:.2f} | {r['kid']:.4f} | {r['class_accuracy']:.3f} | "
            f"{r['judge_test_accuracy']:.3f} | {r['eval_seconds']:.0f} | `{r['command']}` | "
            f"{m} | {r['date']} |"
        )
    return lines


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default=None, help="comma-separated names (default: all)")
    p.add_argument("--seconds", type=float, default=None, help="time budget per model")
    p.add_argument("--num", type=int, default=1000, help="samples per evaluation")
    p.add_argument("--run-root", default=os.path.join(ROOT, "runs", "quality"))
    p.add_argument("--fid-every-seconds", type=float, default=None,
                   help="log FID during training for the curves (default: a sixth of "
                        "--seconds when it is given)")
    p.add_argument("--labelled", type=int, default=None,
                   help="labelled examples for the semi-supervised models (sgan, triple_gan, "
                        "s3gan; default: each model's own, e.g. 100)")
    p.add_argument("--rewrite", action="store_true",
                   help="train nothing: rewrite docs/RESULTS.md from docs/results.json and "
                        "docs/fashion_results.jsonl")
    args = p.parse_args(argv)

    import keras_gans

    names = args.models.split(",") if args.models else keras_gans.list_models()
    if args.rewrite and not args.models:
        names = []
    results_path = os.path.join(DOCS, "results.json")
    os.makedirs(DOCS, exist_ok=True)
    for name in names:
        every = args.fid_every_seconds or (args.seconds / 6 if args.seconds else None)
        row = train_and_score(name, args.seconds, args.num, args.run_root, every, args.labelled)
        # After every model (nothing lost on a crash), merged into the file as it is now,
        # under a lock: two runs of this script for different models keep both rows.
        with open(results_path + ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            results = {}
            if os.path.isfile(results_path):
                with open(results_path) as f:
                    results = {r["model"]: r for r in json.load(f)}
            results[name] = row
            with open(results_path, "w") as f:
                json.dump(sorted(results.values(), key=lambda r: r["model"]), f, indent=1)
            md, png = rewrite(results)
        print(f"wrote {md} and {png}")
    if args.rewrite and not names:
        md, png = rewrite()
        print(f"wrote {md} and {png}")
    return 0


def rewrite(results=None):
    """Writes docs/RESULTS.md and its plot from `results` (model -> row;
    default: docs/results.json as it is). Returns the two paths."""
    import keras_gans

    if results is None:
        with open(os.path.join(DOCS, "results.json")) as f:
            results = {r["model"]: r for r in json.load(f)}
    rows = [results[n] for n in keras_gans.list_models() if n in results]
    png = plot(rows, os.path.join(DOCS, "results_fid_time.png"))
    md = write_markdown(rows, os.path.join(DOCS, "RESULTS.md"), os.path.basename(png))
    return md, png


if __name__ == "__main__":
    sys.exit(main())
