"""Remakes the small pretrained digits generators in savedmodels/ (`make pretrained`).

Each model is trained with its CLI defaults and seed 0 on the bundled data,
then exported in TF Serving's layout as `savedmodels/NAME/1/` with
`savedmodels/NAME/NAME.tflite` beside it (the old ones are replaced). The
total must stay under 20 MB so a clone stays light; the script fails if not.

    python scripts/make_pretrained.py                # all of them
    python scripts/make_pretrained.py dcgan cgan     # some
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

MODELS = ("dcgan", "wgan_gp", "cgan", "cyclegan")
LIMIT_MB = 20.0
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def size_mb(path):
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total / 1e6


def remake(name, savedmodels):
    work = tempfile.mkdtemp(prefix=f"pretrained-{name}-")
    try:
        start = time.time()
        subprocess.run(
            [sys.executable, "-m", "keras_gans.cli", "train", name, "--seed", "0",
             "--run-dir", os.path.join(ROOT, "runs", "pretrained", name),
             "--export-dir", os.path.join(work, name)],
            check=True, cwd=ROOT,
        )
        target = os.path.join(savedmodels, name)
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        shutil.move(os.path.join(work, name, "1"), os.path.join(target, "1"))
        shutil.move(os.path.join(work, name, f"{name}.tflite"), os.path.join(target, f"{name}.tflite"))
        print(f"{name}: {size_mb(target):.2f} MB in {time.time() - start:.0f} s -> {target}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    names = list(argv if argv is not None else sys.argv[1:]) or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        raise SystemExit(f"Not a pretrained model: {unknown}; choose from {', '.join(MODELS)}.")
    savedmodels = os.path.join(ROOT, "savedmodels")
    for name in names:
        remake(name, savedmodels)
    total = sum(size_mb(os.path.join(savedmodels, n)) for n in MODELS
                if os.path.isdir(os.path.join(savedmodels, n)))
    print(f"savedmodels/ total for {', '.join(MODELS)}: {total:.2f} MB (limit {LIMIT_MB} MB)")
    if total > LIMIT_MB:
        raise SystemExit(f"The pretrained models take {total:.2f} MB, over {LIMIT_MB} MB.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
