"""Each loss against numbers computed by hand (numpy), at several ranks."""

import math

import numpy as np
import pytest

from keras_gans import losses

R = np.array([2.0, -1.0, 0.5, 0.0], dtype="float32")
F = np.array([-3.0, 1.0, 0.25, 2.0], dtype="float32")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def f(x):
    return float(np.asarray(x))


def test_minimax_by_hand():
    d = -np.mean(np.log(sigmoid(R))) - np.mean(np.log(1 - sigmoid(F)))
    g = np.mean(np.log(1 - sigmoid(F)))
    assert f(losses.minimax_discriminator_loss(R, F)) == pytest.approx(d, rel=1e-5)
    assert f(losses.minimax_generator_loss(F)) == pytest.approx(g, rel=1e-5)
    # A single example, fully by hand: r = 0, f = 0 -> D loss 2 log 2.
    assert f(losses.minimax_discriminator_loss(np.zeros(1), np.zeros(1))) == pytest.approx(
        2 * math.log(2), rel=1e-6
    )


def test_minimax_label_smoothing_by_hand():
    t = 0.9
    d = -np.mean(t * np.log(sigmoid(R)) + (1 - t) * np.log(1 - sigmoid(R))) - np.mean(
        np.log(1 - sigmoid(F))
    )
    got = losses.minimax_discriminator_loss(R, F, label_smoothing=0.1)
    assert f(got) == pytest.approx(d, rel=1e-5)


def test_non_saturating_by_hand():
    assert f(losses.non_saturating_generator_loss(F)) == pytest.approx(
        -np.mean(np.log(sigmoid(F))), rel=1e-5
    )
    assert f(losses.non_saturating_discriminator_loss(R, F)) == pytest.approx(
        f(losses.minimax_discriminator_loss(R, F)), rel=1e-6
    )


@pytest.mark.parametrize("a,b,c", [(0.0, 1.0, 1.0), (-1.0, 1.0, 0.0)])
def test_least_squares_by_hand(a, b, c):
    d = 0.5 * np.mean((R - b) ** 2) + 0.5 * np.mean((F - a) ** 2)
    g = 0.5 * np.mean((F - c) ** 2)
    assert f(losses.least_squares_discriminator_loss(R, F, a=a, b=b)) == pytest.approx(d, rel=1e-6)
    assert f(losses.least_squares_generator_loss(F, c=c)) == pytest.approx(g, rel=1e-6)
    # One value by hand: r = 2, f = -3, a=0, b=1 -> 0.5 * 1 + 0.5 * 9 = 5.
    if a == 0.0:
        assert f(losses.least_squares_discriminator_loss([2.0], [-3.0])) == pytest.approx(5.0)


def test_wasserstein_by_hand():
    assert f(losses.wasserstein_discriminator_loss(R, F)) == pytest.approx(
        np.mean(F) - np.mean(R), rel=1e-6
    )
    assert f(losses.wasserstein_generator_loss(F)) == pytest.approx(-np.mean(F), rel=1e-6)


def test_hinge_by_hand():
    # relu(1 - R) = [0, 2, 0.5, 1] -> 0.875 ; relu(1 + F) = [0, 2, 1.25, 3] -> 1.5625
    assert f(losses.hinge_discriminator_loss(R, F)) == pytest.approx(0.875 + 1.5625, rel=1e-6)
    assert f(losses.hinge_generator_loss(F)) == pytest.approx(-0.0625, rel=1e-6)


@pytest.mark.parametrize("name", losses.names())
def test_any_rank_patch_logits(name):
    """PatchGAN logits [B, H, W, 1] give the mean over every element."""
    g_fn, d_fn = losses.get(name)
    rng = np.random.default_rng(0)
    real = rng.normal(size=(2, 3, 3, 1)).astype("float32")
    fake = rng.normal(size=(2, 3, 3, 1)).astype("float32")
    assert f(d_fn(real, fake)) == pytest.approx(f(d_fn(real.ravel(), fake.ravel())), rel=1e-5)
    assert f(g_fn(fake)) == pytest.approx(f(g_fn(fake.ravel())), rel=1e-5)


def test_get_unknown_loss_names_the_known_ones():
    with pytest.raises(ValueError, match="hinge"):
        losses.get("nope")
