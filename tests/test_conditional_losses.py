"""conditional_losses against hand-computed numbers."""

import math

import numpy as np
import pytest

from keras import ops

from keras_gans import conditional_losses as cl
from keras_gans import data


def _n(x):
    return float(ops.convert_to_numpy(x))


def test_masked_mean_skips_and_handles_empty():
    assert _n(cl.masked_mean(np.array([1.0, 2.0, 6.0]), np.array([True, False, True]))) == pytest.approx(3.5)
    assert _n(cl.masked_mean(np.array([1.0, 2.0]), np.array([False, False]))) == 0.0


def test_auxiliary_classifier_loss_by_hand():
    logits = np.array([[0.0, math.log(3.0)], [2.0, 0.0], [5.0, 5.0]], "float32")
    labels = np.array([1, 0, -1])  # the third is unlabelled: skipped
    # p(1|x0) = 3/4; p(0|x1) = e^2 / (e^2 + 1)
    expected = (-math.log(0.75) - math.log(math.exp(2) / (math.exp(2) + 1))) / 2
    assert _n(cl.auxiliary_classifier_loss(logits, labels)) == pytest.approx(expected, rel=1e-5)


def test_noisy_classifier_loss_applies_the_transition():
    logits = np.array([[math.log(3.0), 0.0]], "float32")  # p(clean) = [0.75, 0.25]
    t = np.array([[0.8, 0.2], [0.4, 0.6]], "float32")
    # p(noisy=1|x) = 0.75 * 0.2 + 0.25 * 0.6 = 0.3
    assert _n(cl.noisy_classifier_loss(logits, np.array([1]), t)) == pytest.approx(-math.log(0.3), rel=1e-5)
    # identity T gives the plain cross-entropy
    eye = np.eye(2, dtype="float32")
    assert _n(cl.noisy_classifier_loss(logits, np.array([0]), eye)) == pytest.approx(
        _n(cl.auxiliary_classifier_loss(logits, np.array([0]))), rel=1e-5
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(cl.apply_transition(np.array([[0.75, 0.25]]), t)), [[0.7, 0.3]], rtol=1e-6
    )


def test_infogan_terms_by_hand():
    logits = np.array([[0.0, 0.0, 0.0, math.log(2.0)]], "float32")  # p = [.2,.2,.2,.4]
    codes = np.array([[0, 0, 0, 1]], "float32")
    assert _n(cl.infogan_categorical_loss(logits, codes)) == pytest.approx(-math.log(0.4), rel=1e-5)
    mean = np.array([[0.5, -1.0]], "float32")
    c = np.array([[1.5, -1.0]], "float32")
    half_log_2pi = 0.5 * math.log(2 * math.pi)
    # dim 0: 0.5 * 1^2 + c; dim 1: 0 + c
    assert _n(cl.infogan_continuous_loss(mean, c)) == pytest.approx(0.5 + 2 * half_log_2pi, rel=1e-5)
    log_std = np.array([[math.log(2.0), 0.0]], "float32")
    # dim 0: 0.5 * (1/2)^2 + log 2 + c
    want = 0.125 + math.log(2.0) + 2 * half_log_2pi
    assert _n(cl.infogan_continuous_loss(mean, c, log_std)) == pytest.approx(want, rel=1e-5)
    total = cl.mutual_information_loss(logits, codes, mean, c, continuous_weight=0.5)
    assert _n(total) == pytest.approx(-math.log(0.4) + 0.5 * (0.5 + 2 * half_log_2pi), rel=1e-5)
    assert _n(cl.mutual_information_loss(None, None, mean, c)) == pytest.approx(0.5 + 2 * half_log_2pi, rel=1e-5)


def test_semi_supervised_logits_is_logsumexp():
    logits = np.array([[0.0, 0.0], [math.log(3.0), 0.0]], "float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(cl.semi_supervised_logits(logits)), [math.log(2.0), math.log(4.0)], rtol=1e-6
    )


def test_triple_gan_losses_by_hand():
    sp = lambda x: math.log1p(math.exp(x))  # noqa: E731
    real = np.array([1.0, 9.0], "float32")
    gen = np.array([0.0, 2.0], "float32")
    by_c = np.array([5.0, -1.0], "float32")
    mask_r = np.array([True, False])
    mask_c = np.array([False, True])
    want = sp(-1.0) + 0.3 * sp(-1.0) + 0.7 * (sp(0.0) + sp(2.0)) / 2
    got = cl.triple_gan_discriminator_loss(real, gen, by_c, 0.3, mask_r, mask_c)
    assert _n(got) == pytest.approx(want, rel=1e-5)
    assert _n(cl.triple_gan_classifier_adversarial_loss(by_c, mask_c)) == pytest.approx(sp(1.0), rel=1e-5)
    # The authors' argmax form weights each row by C's probability of its label.
    w = np.array([0.9, 0.25], "float32")
    got = cl.triple_gan_classifier_adversarial_loss(by_c, None, weights=w)
    assert _n(got) == pytest.approx((0.9 * sp(-5.0) + 0.25 * sp(1.0)) / 2, rel=1e-5)


def test_anchor_rows_estimate_a_known_transition():
    t = data.noise_transition(0.4, "symmetric", 3)
    scores = -np.ones(3, "float32")
    rows = np.zeros((3, 3), "float32")
    # classifier outputs: anchors (p(noisy | x) = T[i]) and mixtures of them
    probs = np.concatenate([t, 0.5 * (t[:1] + t[1:2]), 0.5 * (t[1:2] + t[2:])])
    scores, rows = cl.update_anchor_rows(scores, rows, probs)
    np.testing.assert_allclose(ops.convert_to_numpy(rows), t, rtol=1e-6)
    # a later batch with lower scores changes nothing
    s2, r2 = cl.update_anchor_rows(scores, rows, np.full((2, 3), 1 / 3, "float32"))
    np.testing.assert_allclose(ops.convert_to_numpy(r2), t, rtol=1e-6)


def test_entropy_loss_by_hand():
    logits = np.array([[0.0, 0.0], [math.log(3.0), 0.0], [9.0, -9.0]], "float32")
    h1 = math.log(2.0)
    h2 = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert _n(cl.entropy_loss(logits[:2])) == pytest.approx((h1 + h2) / 2, rel=1e-5)
    assert _n(cl.entropy_loss(logits, np.array([False, True, False]))) == pytest.approx(h2, rel=1e-5)
