"""`keras-gans evaluate`, `evaluate_model` and `FIDCallback`."""

import glob
import json
import os

import numpy as np
import pytest

import keras
from keras_gans import callbacks, data, export
from keras_gans.metrics.evaluation import evaluate_model

from tests.helpers import tiny_model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def stats_cache(tmp_path, monkeypatch):
    """Real statistics go to a tmp folder, never to ~/.keras."""
    from keras_gans.metrics.reference import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "stats_cache"))
    return tmp_path / "stats_cache"


@pytest.fixture(scope="module")
def dcgan(tmp_path_factory):
    model = tiny_model("dcgan", image_shape=(32, 32, 1))
    ds = data.load("digits", image_size=32, batch_size=16, seed=0)
    tmp = tmp_path_factory.mktemp("eval")
    fid = callbacks.FIDCallback("digits", every_n_epochs=1, num=64,
                                best_path=str(tmp / "best.keras"), tensorboard_dir=str(tmp / "tb"))
    history = model.fit(ds, epochs=2, steps_per_epoch=3, callbacks=[fid], verbose=0)
    return model, history, fid, tmp


def test_fid_callback_logs_into_history_tensorboard_and_keeps_the_best(dcgan):
    model, history, fid, tmp = dcgan
    values = history.history["fid"]
    assert len(values) == 2 and all(np.isfinite(values)) and all(v > 0 for v in values)
    assert [v for _, v in fid.values] == values
    assert fid.best == min(values)
    assert os.path.isfile(tmp / "best.keras")
    assert glob.glob(str(tmp / "tb" / "events.out.tfevents.*"))
    # The callback's value is what evaluate_model gives for the same model and seed.
    again = evaluate_model(model, data="digits", metrics="fid", num=64)["fid"]
    assert again == pytest.approx(values[-1], rel=1e-4)


def test_fid_callback_every_n_epochs_skips_other_epochs():
    model = tiny_model("dcgan", image_shape=(32, 32, 1))
    ds = data.load("digits", image_size=32, batch_size=16, seed=0)
    real = data.digits_arrays(32, 1, split="test")[0]
    fid = callbacks.FIDCallback(real, every_n_epochs=2, num=32)
    model.fit(ds, epochs=2, steps_per_epoch=1, callbacks=[fid], verbose=0)
    assert [e for e, _ in fid.values] == [2]


def test_untrained_generator_scores_far_worse_than_real_digits(dcgan):
    model, *_ = dcgan
    fresh = tiny_model("dcgan", image_shape=(32, 32, 1))
    bad = evaluate_model(fresh, data="digits", metrics="fid,kid", num=300)
    from keras_gans.metrics.evaluation import evaluate_images

    real_train = data.digits_arrays(32, 1, split="train")[0][:300]
    good = evaluate_images(real_train, data.digits_arrays(32, 1, split="test")[0], metrics="fid")
    assert bad["fid"] > 10 * good["fid"]


def test_evaluate_command_prints_a_table_and_writes_json(dcgan, tmp_path, cli_main, stats_cache):
    model, *_ = dcgan
    export.saved_model(model, str(tmp_path / "sm"))
    r = cli_main("evaluate", "sm", "--data", "digits", "--num", "200", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for label in ("FID", "KID", "IS", "precision", "recall", "coverage"):
        assert label in r.stdout
    result = json.loads((tmp_path / "evaluation_sm.json").read_text())
    for key in ("fid", "kid", "is", "precision", "recall", "coverage", "num_fake", "num_real"):
        assert key in result
    assert result["num_fake"] == 200 and result["num_real"] == 300
    assert result["extractor"] == "digits"
    # What each figure is computed on, and where the real statistics went.
    assert "(200 samples)" in r.stdout and f"real statistics cached in {stats_cache}" in r.stdout
    assert "generated: 200 samples (z from seed 0)" in r.stdout
    assert "real:      300 real images of digits:test; features computed and cached in " in r.stdout
    lines = r.stdout.splitlines()
    assert "200 generated vs 300 real" in next(ln for ln in lines if ln.startswith("FID"))
    assert "100 subsets of 100 generated vs 100 real" in next(ln for ln in lines if ln.startswith("KID"))
    assert result["real_statistics"] == "written" and result["kid_std"] > 0
    assert os.path.dirname(result["real_cache"]) == str(stats_cache)
    # The second evaluation reads them, and its figures are the same.
    again = cli_main("evaluate", "sm", "--data", "digits", "--num", "200", "--out", "2.json", cwd=tmp_path)
    assert f"features read from the cache {result['real_cache']}" in again.stdout
    second = json.loads((tmp_path / "2.json").read_text())
    assert second["real_statistics"] == "read"
    assert (second["fid"], second["kid"]) == (result["fid"], result["kid"])
    off = cli_main("evaluate", "sm", "--num", "200", "--no-cache", "--out", "3.json", cwd=tmp_path)
    assert "not cached (--no-cache)" in off.stdout and "features computed (no cache)" in off.stdout
    assert json.loads((tmp_path / "3.json").read_text())["fid"] == result["fid"]


def test_evaluate_the_shipped_cyclegan_agrees_with_itself(tmp_path, cli_main):
    """Issue 15: it said "(1000 inputs)", then "(300 generated ...)", KID -1.35 and KID std 0.0000."""
    r = cli_main("evaluate", os.path.join(ROOT, "savedmodels", "cyclegan"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    result = json.loads((tmp_path / "evaluation_cyclegan.json").read_text())
    assert (result["num_fake"], result["num_real"], result["num_requested"]) == (300, 300, 1000)
    assert "(up to 1,000 test inputs)" in r.stdout and "(1000 inputs)" not in r.stdout
    assert ("generated: 300 translations of the first 300 domain-A test images of digits-ink "
            "(all it has; --num 1000 is a cap)") in r.stdout
    assert "real:      the 300 domain-B test images of digits-ink" in r.stdout
    lines = r.stdout.splitlines()
    assert "300 translated vs 300 real" in next(ln for ln in lines if ln.startswith("FID"))
    kid = next(ln for ln in lines if ln.startswith("KID"))
    assert "100 subsets of 150 translated vs 150 real (disjoint indices: no output meets" in kid
    # digits-ink's test B is its test A, inked: the two sets are paired by index,
    # and subsets drawn apart take that bias away (it was -1.35 with a std of 0).
    assert result["kid_disjoint"] and result["kid_std"] > 0.5
    assert abs(result["kid"]) < 2 * result["kid_std"]
    assert ("below 0" in kid) == (result["kid"] < 0)


def test_evaluate_conditional_reports_class_accuracy(tmp_path, cli_main):
    model = tiny_model("cgan", image_shape=(32, 32, 1))
    model.fit(data.load("digits", image_size=32, batch_size=16, labels=True, seed=0),
              epochs=1, steps_per_epoch=2, verbose=0)
    path = str(tmp_path / "cgan.keras")
    model.save(path)
    r = cli_main("evaluate", path, "--metrics", "fid", "--num", "50", "--out", "c.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    result = json.loads((tmp_path / "c.json").read_text())
    assert 0.0 <= result["class_accuracy"] <= 1.0 and len(result["per_class_accuracy"]) == 10
    assert "class accuracy" in r.stdout


def test_evaluate_translator_compares_translated_test_images(tmp_path):
    model = tiny_model("cyclegan")
    result = evaluate_model(model, metrics="fid", num=40)
    assert result["task"] == "translation" and result["data"] == "digits-ink"
    assert result["num_fake"] == 40 and result["num_real"] == 300
    assert result["generated"] == "40 translations of the first 40 domain-A test images of digits-ink"
    assert result["real_images"] == "the 300 domain-B test images of digits-ink"


@pytest.mark.parametrize(
    "args,message",
    [
        (["evaluate", "nope.keras"], "does not exist"),
        (["evaluate", "m.keras", "--metrics", "fid,bogus"], "bogus"),
        (["evaluate", "m.keras", "--features", "alexnet"], "alexnet"),
    ],
)
def test_evaluate_bad_input_is_one_line(dcgan, tmp_path, args, message, cli_main):
    model, *_ = dcgan
    model.save(str(tmp_path / "m.keras"))
    r = cli_main(*args, cwd=tmp_path)
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_time_budget_stops_training_and_counts_images():
    model = tiny_model("gan")
    ds = data.load("digits", image_size=model.image_shape[0], batch_size=8, seed=0)
    budget = callbacks.TimeBudget(seconds=1.0, batch_size=8)
    history = model.fit(ds, epochs=1000, callbacks=[budget], verbose=0)
    assert 1 <= len(history.history["d_loss"]) < 1000
    assert budget.seconds >= 1.0 and budget.images == 8 * budget.batches
    assert budget.images_per_second > 0
    with pytest.raises(ValueError, match="positive"):
        callbacks.TimeBudget(seconds=0)


def test_quality_report_has_a_row_with_command_machine_and_date_per_model(tmp_path):
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
    import quality

    rows = [dict(model=m, task=t, data=d, train_seconds=s, epochs=3, images=100,
                 images_per_second=50, fid=f, kid=0.5, coverage=10, confidence=0.9,
                 command=f"keras-gans train {m} --seed 0", machine="2 cores", date="2026-11-22")
            for m, t, d, s, f in [("dcgan", "generation", "digits", 100, 20.0),
                                  ("cyclegan", "translation", "digits-ink", 200, 3.0)]]
    md = quality.write_markdown(rows, str(tmp_path / "R.md"), "p.png")
    text = open(md).read()
    for r in rows:
        assert f"`{r['model']}`" in text and r["command"] in text
    assert text.count("2026-11-22") == 2 and "2 cores" in text
    png = quality.plot(rows, str(tmp_path / "p.png"))
    from PIL import Image

    assert Image.open(png).size == (1000, 700)


def test_fid_callback_every_seconds_gives_a_curve_of_training_time():
    model = tiny_model("dcgan", image_shape=(32, 32, 1))
    ds = data.load("digits", image_size=32, batch_size=16, seed=0)
    fid = callbacks.FIDCallback("digits", num=32, every_seconds=1e-3)
    model.fit(ds, epochs=3, steps_per_epoch=1, callbacks=[fid], verbose=0)
    times = [t for t, _ in fid.curve]
    assert len(times) == 3 and times == sorted(times) and times[0] > 0
    slow = callbacks.FIDCallback("digits", num=32, every_seconds=1e6)
    model.fit(ds, epochs=3, steps_per_epoch=1, callbacks=[slow], verbose=0)
    assert len(slow.curve) == 1  # only after the first epoch
