"""f-GAN and relativistic losses against hand-computed numbers (numpy, float64).

The references below are written straight from the papers' tables and
equations (Nowozin et al. 2016, Tables 1, 2 and 6; Jolicoeur-Martineau 2018,
sections 4.1 and 4.3), not from the simplified closed forms the library uses.
"""

import math

import numpy as np
import pytest
from keras import ops

from keras_gans import losses

DIVERGENCES = ("kl", "reverse_kl", "pearson", "squared_hellinger", "js", "gan")
LOG2 = math.log(2.0)

_rng = np.random.default_rng(1234)
LOGITS = {
    "vector": np.array([[-2.0], [-0.5], [0.0], [0.7], [3.0]], "float32"),
    "patch": _rng.uniform(-3.0, 3.0, size=(3, 2, 2, 1)).astype("float32"),
    "flat": _rng.uniform(-2.0, 2.0, size=(4,)).astype("float32"),
}
# Relativistic losses pair reals with fakes: same shapes.
PAIRS = {
    "vector": (
        np.array([[1.0], [-0.5], [2.0], [0.25]], "float32"),
        np.array([[-1.0], [0.5], [0.0], [-2.0]], "float32"),
    ),
    "patch": (
        _rng.uniform(-3.0, 3.0, size=(3, 2, 2, 1)).astype("float32"),
        _rng.uniform(-3.0, 3.0, size=(3, 2, 2, 1)).astype("float32"),
    ),
}


def _np(x):
    return np.asarray(ops.convert_to_numpy(x), dtype="float64")


# --- the paper's tables, by hand ---------------------------------------------


def g_f(v, d):
    """Nowozin et al. 2016, Table 2 (output activations), literally."""
    v = np.asarray(v, "float64")
    return {
        "kl": lambda: v,
        "reverse_kl": lambda: -np.exp(-v),
        "pearson": lambda: v,
        "squared_hellinger": lambda: 1.0 - np.exp(-v),
        "js": lambda: np.log(2.0) - np.log(1.0 + np.exp(-v)),
        "gan": lambda: -np.log(1.0 + np.exp(-v)),
    }[d]()


def f_star(t, d):
    """Nowozin et al. 2016, Table 6 (Fenchel conjugates), literally."""
    t = np.asarray(t, "float64")
    return {
        "kl": lambda: np.exp(t - 1.0),
        "reverse_kl": lambda: -1.0 - np.log(-t),
        "pearson": lambda: 0.25 * t**2 + t,
        "squared_hellinger": lambda: t / (1.0 - t),
        "js": lambda: -np.log(2.0 - np.exp(t)),
        "gan": lambda: -np.log(1.0 - np.exp(t)),
    }[d]()


def f_gen(u, d):
    """Nowozin et al. 2016, Table 1 (generator functions f(u)), literally."""
    u = np.asarray(u, "float64")
    return {
        "kl": lambda: u * np.log(u),
        "reverse_kl": lambda: -np.log(u),
        "pearson": lambda: (u - 1.0) ** 2,
        "squared_hellinger": lambda: (np.sqrt(u) - 1.0) ** 2,
        "js": lambda: -(u + 1.0) * np.log((1.0 + u) / 2.0) + u * np.log(u),
        "gan": lambda: u * np.log(u) - (u + 1.0) * np.log(u + 1.0),
    }[d]()


# Points inside dom f* (Table 6's domains), for the conjugate tests.
DOMAIN_POINTS = {
    "kl": [-2.0, 0.0, 0.3, 1.5],
    "reverse_kl": [-3.0, -1.0, -0.5, -0.05],
    "pearson": [-1.5, 0.0, 0.5, 2.0],
    "squared_hellinger": [-2.0, 0.0, 0.4, 0.75],
    "js": [-3.0, 0.0, 0.2, 0.6],
    "gan": [-4.0, -1.0, -0.7, -0.05],
}


# --- f-divergence pieces -------------------------------------------------------


@pytest.mark.parametrize("shape", sorted(LOGITS))
@pytest.mark.parametrize("divergence", DIVERGENCES)
def test_activation_matches_table(divergence, shape):
    v = LOGITS[shape]
    got = _np(losses.f_divergence_activation(v, divergence))
    assert got.shape == v.shape
    np.testing.assert_allclose(got, g_f(v, divergence), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("divergence", DIVERGENCES)
def test_conjugate_matches_table(divergence):
    t = np.array(DOMAIN_POINTS[divergence], "float32")
    got = _np(losses.f_divergence_conjugate(t, divergence))
    np.testing.assert_allclose(got, f_star(t, divergence), rtol=1e-5, atol=1e-6)


def test_conjugate_hand_numbers():
    # A few values worked out on paper.
    def c(t, d):
        return float(_np(losses.f_divergence_conjugate(np.float32(t), d)))

    assert c(1.0, "kl") == pytest.approx(1.0)  # exp(0)
    assert c(-1.0, "reverse_kl") == pytest.approx(-1.0)  # -1 - log 1
    assert c(2.0, "pearson") == pytest.approx(3.0)  # 4/4 + 2
    assert c(0.5, "squared_hellinger") == pytest.approx(1.0)  # 0.5 / 0.5
    assert c(0.0, "js") == pytest.approx(0.0)  # -log(2 - 1)
    assert c(-LOG2, "gan") == pytest.approx(LOG2)  # -log(1 - 1/2)


@pytest.mark.parametrize("shape", sorted(LOGITS))
@pytest.mark.parametrize("divergence", DIVERGENCES)
def test_conjugate_of_activation(divergence, shape):
    """f*(g_f(v)): the closed form equals Table 6 applied to Table 2."""
    v = LOGITS[shape]
    want = f_star(g_f(v, divergence), divergence)
    closed = _np(losses.f_divergence_conjugate_activation(v, divergence))
    composed = _np(
        losses.f_divergence_conjugate(losses.f_divergence_activation(v, divergence), divergence)
    )
    assert closed.shape == v.shape
    np.testing.assert_allclose(closed, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(composed, want, rtol=1e-4, atol=1e-5)


def test_conjugate_of_activation_hand_numbers():
    def ca(v, d):
        return float(_np(losses.f_divergence_conjugate_activation(np.float32(v), d)))

    assert ca(1.0, "kl") == pytest.approx(1.0)
    assert ca(2.0, "reverse_kl") == pytest.approx(1.0)  # -1 - log(exp(-2))
    assert ca(2.0, "pearson") == pytest.approx(3.0)
    assert ca(math.log(3.0), "squared_hellinger") == pytest.approx(2.0)  # e^v - 1
    assert ca(0.0, "js") == pytest.approx(0.0)
    assert ca(0.0, "gan") == pytest.approx(LOG2)


@pytest.mark.parametrize("divergence", DIVERGENCES)
def test_fenchel_identity(divergence):
    """f*(t) = sup_u (t u - f(u)), checked by brute force over a fine grid of u.

    Every point's maximizer u* = (f*)'(t) lies inside the grid (at most ~20).
    """
    u = np.linspace(1e-6, 40.0, 4_000_001)
    fu = f_gen(u, divergence)
    for t in DOMAIN_POINTS[divergence]:
        sup = np.max(t * u - fu)
        got = float(_np(losses.f_divergence_conjugate(np.float32(t), divergence)))
        assert got == pytest.approx(sup, abs=2e-5), (divergence, t)
    # Fenchel-Young: t u - f(u) <= f*(t) for every u and t.
    for t in DOMAIN_POINTS[divergence]:
        got = float(_np(losses.f_divergence_conjugate(np.float32(t), divergence)))
        assert np.all(t * u[::1000] - fu[::1000] <= got + 1e-5)


@pytest.mark.parametrize("divergence", DIVERGENCES)
def test_activation_lands_in_conjugate_domain(divergence):
    v = np.linspace(-8.0, 8.0, 101).astype("float32")
    t = _np(losses.f_divergence_activation(v, divergence))
    upper = {"reverse_kl": 0.0, "squared_hellinger": 1.0, "js": LOG2, "gan": 0.0}
    if divergence in upper:
        assert np.all(t < upper[divergence] + 1e-6)
    assert np.all(np.isfinite(_np(losses.f_divergence_conjugate_activation(v, divergence))))


@pytest.mark.parametrize("real_shape,fake_shape", [("vector", "flat"), ("patch", "vector"), ("patch", "patch")])
@pytest.mark.parametrize("divergence", DIVERGENCES)
def test_f_divergence_losses(divergence, real_shape, fake_shape):
    real, fake = LOGITS[real_shape], LOGITS[fake_shape][::-1].copy()
    t_real = g_f(real, divergence)
    t_fake = g_f(fake, divergence)
    want_d = -(np.mean(t_real) - np.mean(f_star(t_fake, divergence)))
    want_alt = -np.mean(t_fake)
    want_saddle = -np.mean(f_star(t_fake, divergence))
    d = losses.f_divergence_discriminator_loss(real, fake, divergence)
    g_alt = losses.f_divergence_generator_loss(fake, divergence)
    g_saddle = losses.f_divergence_generator_loss(fake, divergence, "saddle")
    assert _np(d).shape == ()
    assert float(_np(d)) == pytest.approx(want_d, rel=1e-5, abs=1e-5)
    assert float(_np(g_alt)) == pytest.approx(want_alt, rel=1e-5, abs=1e-5)
    assert float(_np(g_saddle)) == pytest.approx(want_saddle, rel=1e-5, abs=1e-5)


def test_f_divergence_hand_numbers():
    # Pearson, real v = [1, 3], fake v = [0, 2]:
    # D = -(mean(1, 3) - mean(0, 2^2/4 + 2)) = -(2 - 1.5) = -0.5
    assert float(_np(losses.f_divergence_discriminator_loss(
        np.array([1.0, 3.0]), np.array([0.0, 2.0]), "pearson"))) == pytest.approx(-0.5)
    # KL alternative G: -mean(v) = -1; saddle: -mean(exp(v - 1)) = -(e^-1 + e)/2
    fake = np.array([0.0, 2.0], "float32")
    assert float(_np(losses.f_divergence_generator_loss(fake, "kl"))) == pytest.approx(-1.0)
    assert float(_np(losses.f_divergence_generator_loss(fake, "kl", "saddle"))) == pytest.approx(
        -(math.exp(-1.0) + math.e) / 2, rel=1e-6
    )


@pytest.mark.parametrize("shape", sorted(LOGITS))
def test_gan_divergence_is_the_original_gan(shape):
    real, fake = LOGITS[shape], -LOGITS[shape]
    np.testing.assert_allclose(
        _np(losses.f_divergence_discriminator_loss(real, fake, "gan")),
        _np(losses.minimax_discriminator_loss(real, fake)),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        _np(losses.f_divergence_generator_loss(fake, "gan")),
        _np(losses.non_saturating_generator_loss(fake)),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        _np(losses.f_divergence_generator_loss(fake, "gan", "saddle")),
        _np(losses.minimax_generator_loss(fake)),
        rtol=1e-6,
    )


@pytest.mark.parametrize("divergence", ["reverse_kl", "pearson", "js", "gan"])
def test_f_divergence_stable_for_large_logits(divergence):
    import tensorflow as tf

    v = tf.constant([[-60.0], [-20.0], [0.0], [20.0], [60.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(v)
        d = losses.f_divergence_discriminator_loss(v, v, divergence) if divergence != "reverse_kl" \
            else losses.f_divergence_discriminator_loss(tf.abs(v), v, divergence)
        g = losses.f_divergence_generator_loss(v, divergence, "saddle")
    for value in (d, g, tape.gradient(d, v), tape.gradient(g, v)):
        assert np.all(np.isfinite(_np(value))), divergence


def test_conjugate_gan_and_js_near_domain_edge():
    # -log(1 - e^t) for t -> 0-: log1mexp keeps it accurate where 1 - e^t rounds.
    t = np.array([-1e-6, -30.0], "float32")
    got = _np(losses.f_divergence_conjugate(t, "gan"))
    t64 = t.astype("float64")
    # float64 references, each in the form that is exact at its end.
    np.testing.assert_allclose(got[0], -np.log(-np.expm1(t64[0])), rtol=1e-4)
    np.testing.assert_allclose(got[1], -np.log1p(-np.exp(t64[1])), rtol=1e-4)
    t = np.float32(LOG2 - 1e-3)
    got = _np(losses.f_divergence_conjugate(t, "js"))
    assert float(got) == pytest.approx(-math.log(2.0 - math.exp(float(t))), rel=1e-3)


def test_f_divergence_bad_arguments():
    with pytest.raises(ValueError, match="Unknown f-divergence 'chi'.*kl, reverse_kl"):
        losses.f_divergence_activation(np.zeros(2), "chi")
    with pytest.raises(ValueError, match="Unknown f-divergence"):
        losses.f_divergence_discriminator_loss(np.zeros(2), np.zeros(2), "hellinger")
    with pytest.raises(ValueError, match="generator_objective must be"):
        losses.f_divergence_generator_loss(np.zeros(2), "kl", "minimax")


def test_f_divergence_pair_in_get():
    g, d = losses.get("f_divergence")
    assert g is losses.f_divergence_generator_loss
    assert d is losses.f_divergence_discriminator_loss
    assert "f_divergence" in losses.names()


# --- relativistic ---------------------------------------------------------------


def _softplus(x):
    return np.log1p(np.exp(x))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _rel_reference(real, fake, variant, average):
    """Jolicoeur-Martineau 2018 written out: returns (d_loss, g_loss)."""
    r = real.astype("float64")
    f = fake.astype("float64")
    if average:
        dr = r - f.mean(axis=0, keepdims=True)  # C(x_r) - E_f C(x_f)
        df = f - r.mean(axis=0, keepdims=True)  # C(x_f) - E_r C(x_r)
        if variant == "standard":
            d = -np.mean(np.log(_sigmoid(dr))) - np.mean(np.log(1.0 - _sigmoid(df)))
            g = -np.mean(np.log(_sigmoid(df))) - np.mean(np.log(1.0 - _sigmoid(dr)))
        elif variant == "least_squares":
            d = np.mean((dr - 1.0) ** 2) + np.mean((df + 1.0) ** 2)
            g = np.mean((df - 1.0) ** 2) + np.mean((dr + 1.0) ** 2)
        else:
            d = np.mean(np.maximum(0, 1.0 - dr)) + np.mean(np.maximum(0, 1.0 + df))
            g = np.mean(np.maximum(0, 1.0 - df)) + np.mean(np.maximum(0, 1.0 + dr))
        return d, g
    if variant == "standard":
        return -np.mean(np.log(_sigmoid(r - f))), -np.mean(np.log(_sigmoid(f - r)))
    if variant == "least_squares":
        return np.mean((r - f - 1.0) ** 2), np.mean((f - r - 1.0) ** 2)
    return np.mean(np.maximum(0, 1.0 - (r - f))), np.mean(np.maximum(0, 1.0 - (f - r)))


REL_FNS = {
    "standard": (losses.relativistic_generator_loss, losses.relativistic_discriminator_loss),
    "least_squares": (
        losses.relativistic_least_squares_generator_loss,
        losses.relativistic_least_squares_discriminator_loss,
    ),
    "hinge": (losses.relativistic_hinge_generator_loss, losses.relativistic_hinge_discriminator_loss),
}


@pytest.mark.parametrize("average", [False, True])
@pytest.mark.parametrize("shape", sorted(PAIRS))
@pytest.mark.parametrize("variant", sorted(REL_FNS))
def test_relativistic_losses(variant, shape, average):
    real, fake = PAIRS[shape]
    g_fn, d_fn = REL_FNS[variant]
    want_d, want_g = _rel_reference(real, fake, variant, average)
    d = _np(d_fn(real, fake, average=average))
    g = _np(g_fn(real, fake, average=average))
    assert d.shape == () and g.shape == ()
    assert float(d) == pytest.approx(want_d, rel=1e-5, abs=1e-6)
    assert float(g) == pytest.approx(want_g, rel=1e-5, abs=1e-6)


def test_rsgan_hand_numbers():
    # C(x_r) = [2, 0], C(x_f) = [0, 0]: D = (softplus(-2) + softplus(0)) / 2
    real = np.array([[2.0], [0.0]], "float32")
    fake = np.array([[0.0], [0.0]], "float32")
    d = float(_np(losses.relativistic_discriminator_loss(real, fake)))
    g = float(_np(losses.relativistic_generator_loss(real, fake)))
    assert d == pytest.approx((math.log1p(math.exp(-2.0)) + LOG2) / 2, rel=1e-6)
    assert g == pytest.approx((math.log1p(math.exp(2.0)) + LOG2) / 2, rel=1e-6)


def test_ragan_terms_by_hand():
    # C(x_r) = [1, 3] (mean 2), C(x_f) = [-1, 1] (mean 0).
    # D: real term -mean(log sig([1, 3] - 0)), fake term -mean(log(1 - sig([-1, 1] - 2)))
    real = np.array([1.0, 3.0], "float32")
    fake = np.array([-1.0, 1.0], "float32")
    d_real = (math.log1p(math.exp(-1.0)) + math.log1p(math.exp(-3.0))) / 2
    d_fake = (math.log1p(math.exp(-3.0)) + math.log1p(math.exp(-1.0))) / 2
    g_fake = (math.log1p(math.exp(3.0)) + math.log1p(math.exp(1.0))) / 2  # -log sig([-3, -1])
    g_real = (math.log1p(math.exp(1.0)) + math.log1p(math.exp(3.0))) / 2  # -log(1 - sig([1, 3]))
    d = float(_np(losses.relativistic_discriminator_loss(real, fake, average=True)))
    g = float(_np(losses.relativistic_generator_loss(real, fake, average=True)))
    assert d == pytest.approx(d_real + d_fake, rel=1e-6)
    assert g == pytest.approx(g_fake + g_real, rel=1e-6)
    # RaLSGAN, RaHinge at the same point.
    d_ls = float(_np(losses.relativistic_least_squares_discriminator_loss(real, fake, True)))
    # real: ([1, 3] - 0 - 1)^2 -> [0, 4]; fake: ([-1, 1] - 2 + 1)^2 -> [4, 0]
    assert d_ls == pytest.approx(2.0 + 2.0)
    d_h = float(_np(losses.relativistic_hinge_discriminator_loss(real, fake, True)))
    # real: relu(1 - [1, 3]) = [0, 0]; fake: relu(1 + [-3, -1]) = [0, 0]
    assert d_h == pytest.approx(0.0)
    g_h = float(_np(losses.relativistic_hinge_generator_loss(real, fake, True)))
    # fake: relu(1 - [-3, -1]) = [4, 2]; real: relu(1 + [1, 3]) = [2, 4]
    assert g_h == pytest.approx(3.0 + 3.0)


@pytest.mark.parametrize("average", [False, True])
def test_relativistic_roles_swap(average):
    """G's loss is D's loss with real and fake exchanged (the paper's symmetry)."""
    real, fake = PAIRS["patch"]
    for g_fn, d_fn in REL_FNS.values():
        np.testing.assert_allclose(
            _np(g_fn(real, fake, average=average)),
            _np(d_fn(fake, real, average=average)),
            rtol=1e-6,
        )


def test_ragan_compares_patch_with_patch():
    # Two patches, both real and fake constant per patch: averaging is over the
    # batch only, so patch 0 compares with fake patch 0 and not with patch 1.
    real = np.array([[[[5.0]], [[0.0]]], [[[5.0]], [[0.0]]]], "float32")  # [2, 2, 1, 1]
    fake = np.array([[[[0.0]], [[-5.0]]], [[[0.0]], [[-5.0]]]], "float32")
    d = float(_np(losses.relativistic_discriminator_loss(real, fake, average=True)))
    want = 2 * math.log1p(math.exp(-5.0))  # every difference is 5 in the right direction
    assert d == pytest.approx(want, rel=1e-5)


def test_relativistic_stable_for_large_logits():
    real = np.array([[200.0], [-200.0]], "float32")
    fake = np.array([[-200.0], [200.0]], "float32")
    for average in (False, True):
        for g_fn, d_fn in REL_FNS.values():
            assert np.isfinite(float(_np(d_fn(real, fake, average=average))))
            assert np.isfinite(float(_np(g_fn(real, fake, average=average))))


@pytest.mark.parametrize("name", sorted(losses.RELATIVISTIC_PAIRS))
def test_relativistic_not_a_get_pair(name):
    assert name not in losses.names()
    with pytest.raises(ValueError, match="relativistic.*'rgan' model"):
        losses.get(name)
