"""KID's subsets (Binkowski 2018), index-paired sets, the report's words, and blocked k-NN radii."""

import io

import numpy as np
import pytest

from keras_gans import metrics
from keras_gans.metrics import core
from keras_gans.metrics.evaluation import report_lines
from keras_gans.metrics.features import Progress


def test_kid_subset_size_is_at_most_half_the_smaller_set():
    assert core.kid_subset_size(300, 300) == 150
    assert core.kid_subset_size(10000, 10000) == 1000  # Binkowski's 1000 of 10,000
    assert core.kid_subset_size(1000, 300, 1000) == 150
    assert core.kid_subset_size(40, 41, 8) == 8
    with pytest.raises(ValueError, match="at least 4 samples"):
        core.kid_subset_size(3, 100)


def test_kid_subsets_below_the_set_size_differ_so_their_spread_is_not_zero():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(60, 8)), rng.normal(size=(60, 8))
    whole = metrics.kernel_distance(a, b, num_subsets=5, subset_size=60)  # every subset is the set
    assert whole[1] == pytest.approx(0.0, abs=1e-12)
    m = core.kid_subset_size(60, 60)
    mean, std = metrics.kernel_distance(a, b, num_subsets=20, subset_size=m, disjoint=True)
    assert std > 0.0 and abs(mean) < 3 * std


def test_paired_sets_bias_kid_below_zero_unless_the_subsets_are_disjoint():
    """A translator's outputs and the ground truth of the same inputs are paired
    by index; comparing each with its own partner biases the unbiased estimate
    down (what made `evaluate savedmodels/cyclegan` print KID -1.35)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 16))
    y = x + 0.01 * rng.normal(size=x.shape)  # the same distribution, paired
    paired = metrics.kernel_distance(x, y, num_subsets=50, subset_size=200)
    disjoint = metrics.kernel_distance(x, y, num_subsets=50, subset_size=200, disjoint=True)
    assert paired[0] < -5 * paired[1] / np.sqrt(50)  # far below 0 for its noise
    assert abs(disjoint[0]) < 3 * disjoint[1] / np.sqrt(50) + 1e-3
    # Unpaired sets: disjoint draws change nothing but the draw.
    z = rng.normal(size=(400, 16))
    assert abs(metrics.kernel_distance(x, z, 50, 200, disjoint=True)[0]) < 0.05
    with pytest.raises(ValueError, match="disjoint subsets of 201 need 201 indices"):
        metrics.kernel_distance(x, y, num_subsets=1, subset_size=201, disjoint=True)


def test_disjoint_subsets_never_hold_both_partners():
    # Every x_i is far from every other point, y_i == x_i: any pair (i, i) would
    # show in the cross term as a kernel value of a point with itself.
    x = np.eye(12) * 10.0
    mean_paired, _ = metrics.kernel_distance(x, x, num_subsets=30, subset_size=6)
    mean_disjoint, std = metrics.kernel_distance(x, x, num_subsets=30, subset_size=6, disjoint=True)
    k = lambda a, b: (a @ b / 12 + 1) ** 3  # noqa: E731
    # Disjoint: every cross pair is two different points, as within each set.
    assert mean_disjoint == pytest.approx(0.0, abs=1e-9) and std == pytest.approx(0.0, abs=1e-9)
    assert mean_paired < -0.1 * k(x[0], x[0]) / 6
    # Fewer translated inputs than ground-truth images: the partners are the first 8.
    y = np.eye(20) * 10.0
    assert metrics.kernel_distance(y[:8], y, num_subsets=30, subset_size=4, disjoint=True) == (
        pytest.approx(0.0, abs=1e-9), pytest.approx(0.0, abs=1e-9))


def test_evaluate_images_states_the_kid_subsets_and_draws_them_disjoint():
    import keras

    x_in = keras.Input((8, 8, 1))
    plain = keras.Model(x_in, keras.layers.Flatten()(x_in), name="plain")
    rng = np.random.default_rng(2)
    a = rng.uniform(-1, 1, (40, 8, 8, 1)).astype("float32")
    b = rng.uniform(-1, 1, (40, 8, 8, 1)).astype("float32")
    r = metrics.evaluate_images(a, b, extractor=plain, metrics="kid", kid_subsets=10)
    assert (r["kid_subsets"], r["kid_subset_size"], r["kid_disjoint"]) == (10, 20, True)
    assert r["kid_std"] > 0.0
    r = metrics.evaluate_images(a, b[:30], extractor=plain, metrics="kid", kid_subsets=10)
    assert (r["kid_subset_size"], r["kid_disjoint"]) == (15, True)
    with pytest.raises(ValueError, match="at least 4 samples"):
        metrics.evaluate_images(a, b[:3], extractor=plain, metrics="kid")


def _result(**kw):
    r = dict(num_fake=300, num_real=300, extractor="digits", extractor_description="digits features",
             generated="300 translations of the first 300 domain-A test images of digits-ink",
             real_images="the 300 domain-B test images of digits-ink", real_statistics="read",
             real_cache="/tmp/x.npz", task="translation", unit="inputs", fid=1.9, kid=0.59, kid_std=2.03,
             kid_subsets=100, kid_subset_size=150, kid_disjoint=True)
    r.update(kw)
    return r


def test_report_says_what_each_figure_is_computed_on():
    lines = report_lines(_result())
    text = "\n".join(lines)
    fid = next(line for line in lines if line.startswith("FID"))
    kid = next(line for line in lines if line.startswith("KID"))
    assert "300 translated vs 300 real" in fid
    assert "0.5900 ± 2.0300" in kid and "100 subsets of 150 translated vs 150 real" in kid
    assert "std over subsets" in kid and "below 0" not in kid
    assert "read from the cache /tmp/x.npz" in text and "domain-B test images of digits-ink" in text


def test_a_small_fid_inception_evaluation_says_it_is_not_the_published_protocol():
    note = "published FIDs compare 10,000 generated with 10,000 real images"
    assert note not in "\n".join(report_lines(_result()))  # digits features: no such protocol
    assert note in "\n".join(report_lines(_result(extractor="fid_inception")))
    full = _result(extractor="fid_inception", num_fake=10000, num_real=10000)
    assert note not in "\n".join(report_lines(full))


def test_a_negative_kid_is_explained_not_printed_bare():
    kid = next(line for line in report_lines(_result(kid=-0.4, kid_std=2.0)) if line.startswith("KID"))
    assert "-0.4000 ± 2.0000" in kid
    assert "below 0: the unbiased estimate dips under 0 when the sets differ by less than its noise" in kid
    small = next(line for line in report_lines(_result(kid=-0.00012, kid_std=0.003)) if line.startswith("KID"))
    assert "-0.00012 ± 0.003" in small and "below 0" in small  # Inception-scale KIDs keep their digits


def test_blocked_knn_radii_equal_the_full_sort():
    rng = np.random.default_rng(3)
    f = rng.normal(size=(130, 5))
    full = np.sort(core._pairwise_sq(f, f), axis=1)[:, 3]
    np.testing.assert_allclose(core._knn_radii(f, 3, batch=32), full, rtol=1e-12, atol=1e-12)


def test_progress_prints_lines_with_rate_and_time_left_when_not_on_a_terminal():
    out = io.StringIO()
    bar = Progress(1000, interval=0.0, stream=out)
    bar.start -= 20.0  # as if 20 s had passed
    bar.update(250)
    bar.update(1000)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("  250/1,000 images,") and "img/s" in lines[0] and "left" in lines[0]
    assert lines[1].startswith("  1,000/1,000 images,") and " in " in lines[1]
    quiet = io.StringIO()
    short = Progress(10, interval=30.0, stream=quiet)
    short.update(5)
    short.update(10)
    assert quiet.getvalue() == ""  # a run of under 10 s says nothing more than its announcement
