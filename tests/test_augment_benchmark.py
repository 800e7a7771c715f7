"""benchmarks/augment_small_data.py's own pieces: the held-out digits are
disjoint from the training ones, D's statistics (r_v of the ADA paper) come
from the logits as the formula says and leave D's BatchNorm statistics as
they were, and the picture is written."""

import json
import os
import sys

import numpy as np

import keras
from helpers import tiny_model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import augment_small_data as bench  # noqa: E402


def test_held_out_digits_are_not_the_training_ones():
    train, _ = bench.small_digits(200, 0)
    held = bench.held_out_digits(300, 200, 0)
    assert held.shape == (300, 32, 32, 1)
    flat_train = {t.tobytes() for t in train}
    assert not any(h.tobytes() in flat_train for h in held)


def test_discriminator_stats_follow_the_formula_and_keep_batchnorm_state():
    model = tiny_model("dcgan")
    shape = model.image_shape
    rng = np.random.default_rng(0)
    train = rng.uniform(-1, 1, (8,) + shape).astype("float32")
    held = rng.uniform(-1, 1, (8,) + shape).astype("float32")
    model.discriminator(train[:4], training=True)  # built
    before = [np.array(keras.ops.convert_to_numpy(v)) for v in model.discriminator.non_trainable_variables]
    stats = bench.discriminator_stats(model, train, held, 4, seed=0)
    after = [np.array(keras.ops.convert_to_numpy(v)) for v in model.discriminator.non_trainable_variables]
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a, b)
    t, v, g = stats["train_logit"], stats["held_out_logit"], stats["generated_logit"]
    if abs(t - g) > 1e-2:
        np.testing.assert_allclose(stats["r_v"], (t - v) / (t - g), atol=0.05)
    for key in ("train_sign", "held_out_sign", "generated_sign"):
        assert -1.0 <= stats[key] <= 1.0


def test_the_picture_is_drawn_from_rows(tmp_path):
    rows = []
    for option in ("none", "diffaugment", "ada"):
        rows.append({"option": option, "seed": 0, "epochs": 20,
                     "fid_curve_500": [[10, 90.0], [20, 70.0]],
                     "d_stats": [{"epoch": 10, "r_v": 0.1}, {"epoch": 20, "r_v": 0.3}],
                     "ada_target": 0.6 if option == "ada" else None,
                     "ada_p_per_epoch": [i / 20 for i in range(20)] if option == "ada" else None,
                     "ada_rt_per_epoch": [0.8] * 20 if option == "ada" else None})
    out = tmp_path / "rows.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    png = tmp_path / "p.png"
    assert bench.main(["--out", str(out), "--plot", str(png), "--plot-only", "3"]) == 0
    from PIL import Image

    assert Image.open(png).size == (1000, 1000)


def test_unseen_digits_are_every_digit_not_trained_on():
    train, _ = bench.small_digits(200, 0)
    unseen = bench.unseen_digits(200, 0)
    assert unseen.shape == (1797 - 200, 32, 32, 1)
    flat_train = {t.tobytes() for t in train}
    assert not any(u.tobytes() in flat_train for u in unseen)
