"""How well an A -> B translator does on digits-ink's 300 held-out test digits.

digits-ink's test split is paired: B is exactly `keras_gans.pairs.ink(A)`, the
ground truth of a translation. `score_ink(translate_fn)` reports

- `mae`: mean absolute error of G(A_test) against ink(A_test), in [-1, 1]
  units (0 is perfect; a translator that outputs plain paper scores about
  the ink's share of the image times the ink-paper distance);
- `class_kept`: the share of translations whose digit is still the same
  digit: the stroke strength read back from G(a) (`ink_strength`, as a
  grayscale digit in [-1, 1]) is classified by the judge of
  `digits_judge.py` and compared with the true label;
- `truth_class_kept`: the same share for the true ink(A_test), the ceiling
  (the judge's accuracy on these digits);
- `judge_accuracy`: the judge's accuracy on real held-out digits, as
  `digits_judge.classifier` reports it.

Run it on a trained model (anything `keras_gans.inference.load_sampler`
takes: a .keras file, a SavedModel directory or a .tflite file):

    python benchmarks/translation_quality.py runs/discogan/model.keras
    python benchmarks/translation_quality.py savedmodels/dualgan
    python benchmarks/translation_quality.py savedmodels/pix2pix   # digits-edges: L1 and class
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def ink_test_set(image_size=32):
    """`(a, truth, labels)`: digits-ink's test A images (RGB, [-1, 1]), their
    true translations ink(a) and the digits' labels, in the same order."""
    from keras_gans import data
    from keras_gans.data import ink

    a = data.domain_images("digits-ink", "A", "test", image_size=image_size, channels=3)
    _, labels = data.digits_arrays(image_size, 1, split="test")
    if len(labels) != len(a):
        raise RuntimeError(f"digits-ink:test has {len(a)} images but digits:test {len(labels)}.")
    return a, ink(a), np.asarray(labels)


def class_kept(images_b, labels, image_size=32):
    """Share of inked images `images_b` ([N, S, S, 3] in [-1, 1]) whose digit
    the judge reads as `labels`."""
    from digits_judge import classifier

    from keras_gans.data import ink_strength

    grey = ink_strength(images_b) * 2.0 - 1.0  # [N, S, S, 1] in [-1, 1]
    model, _ = classifier(image_size, 1)
    pred = np.argmax(model.predict(grey, verbose=0, batch_size=256), axis=1)
    return float(np.mean(pred == labels))


def score_ink(translate_fn, image_size=32):
    """Scores an A -> B translator on digits-ink's 300 test digits.

    Args:
        translate_fn: callable. Takes float32 [N, S, S, 3] white-on-black
            digits in [-1, 1] and returns their translations (same shape,
            numpy or tensor, in [-1, 1]).
        image_size: int. S, the side the translator works at.

    Returns:
        dict with `mae`, `class_kept`, `truth_class_kept`, `judge_accuracy`
        and `num` (see the module docstring).
    """
    from digits_judge import classifier

    a, truth, labels = ink_test_set(image_size)
    out = np.asarray(translate_fn(a), dtype="float32")
    if out.shape != truth.shape:
        raise ValueError(f"translate_fn gave shape {out.shape}; expected {truth.shape}.")
    _, acc = classifier(image_size, 1)
    return {
        "mae": float(np.mean(np.abs(out - truth))),
        "class_kept": class_kept(out, labels, image_size),
        "truth_class_kept": class_kept(truth, labels, image_size),
        "judge_accuracy": acc,
        "num": int(len(a)),
    }


def score_edges(translate_fn, image_size=32):
    """Scores an edges -> digit translator (pix2pix) on digits-edges' 300 test pairs.

    Returns a dict with `l1` (mean |G(edges) - digit| in [-1, 1] units),
    `class_kept` (the judge reads the output as the true digit), the judge's
    score on the true digits (`truth_class_kept`) and `num`.
    """
    from digits_judge import classifier

    from keras_gans import data

    a = data.domain_images("digits-edges", "A", "test", image_size=image_size, channels=1)
    b = data.domain_images("digits-edges", "B", "test", image_size=image_size, channels=1)
    _, labels = data.digits_arrays(image_size, 1, split="test")
    out = np.asarray(translate_fn(a), dtype="float32")
    model, _ = classifier(image_size, 1)

    def kept(images):
        return float(np.mean(np.argmax(model.predict(images, verbose=0), axis=1) == labels))

    return {"l1": float(np.mean(np.abs(out - b))), "class_kept": kept(out),
            "truth_class_kept": kept(b), "num": int(len(a))}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path", help="a .keras model, SavedModel directory or .tflite file")
    args = p.parse_args(argv)
    from keras_gans.inference import load_sampler

    sampler = load_sampler(args.path)
    shape = tuple(getattr(sampler, "image_shape", None) or (32, 32, 3))
    try:  # a generator's sampler says it translates no images
        sampler.translate(np.zeros((0, *shape), "float32"))
    except ValueError as e:
        raise SystemExit(f"{args.path} is not an image-to-image translator: {e}")
    if getattr(sampler, "default_data", None) == "digits-edges":
        r = score_edges(sampler.translate, image_size=shape[0])
        print(f"digits-edges test ({r['num']} pairs): L1 {r['l1']:.4f}  class kept "
              f"{r['class_kept']:.3f}  (true digits: {r['truth_class_kept']:.3f})")
        print(json.dumps(r))
        return r
    if shape[-1] != 3:
        raise SystemExit(f"{args.path} takes {shape[-1]}-channel images; digits-ink is RGB.")
    r = score_ink(sampler.translate, image_size=shape[0])
    print(
        f"digits-ink test ({r['num']} digits): MAE {r['mae']:.4f}  class kept "
        f"{r['class_kept']:.3f}  (true ink: {r['truth_class_kept']:.3f}; judge accuracy "
        f"on real digits {r['judge_accuracy']:.3f})"
    )
    print(json.dumps(r))
    return r


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
