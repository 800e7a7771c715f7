"""keras_gans.losses as a package: the names it kept, the terms that moved in
from the models, and the penalties, each against numbers computed by hand
(numpy, float64)."""

import ast
import inspect
import math
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

import keras_gans
from keras_gans import conditional_losses, energy, losses, regularizers

LOSSES_DIR = pathlib.Path(losses.__file__).parent
MODULES = ("adversarial", "classification", "energy", "reconstruction", "likelihood",
           "penalties", "constraints")

# The public names of each module before keras_gans/losses.py became a
# package (taken from the files at 82bb200): all must still be there.
NAMES_BEFORE = {
    "keras_gans.losses": [
        "F_DIVERGENCES", "RELATIVISTIC_PAIRS", "f_divergence_activation", "f_divergence_conjugate",
        "f_divergence_conjugate_activation", "f_divergence_discriminator_loss",
        "f_divergence_generator_loss", "get", "hinge_discriminator_loss", "hinge_generator_loss",
        "least_squares_discriminator_loss", "least_squares_generator_loss",
        "minimax_discriminator_loss", "minimax_generator_loss", "names",
        "non_saturating_discriminator_loss", "non_saturating_generator_loss",
        "relativistic_discriminator_loss", "relativistic_generator_loss",
        "relativistic_hinge_discriminator_loss", "relativistic_hinge_generator_loss",
        "relativistic_least_squares_discriminator_loss",
        "relativistic_least_squares_generator_loss", "wasserstein_discriminator_loss",
        "wasserstein_generator_loss",
    ],
    "keras_gans.conditional_losses": [
        "masked_mean", "auxiliary_classifier_loss", "noisy_classifier_loss", "apply_transition",
        "infogan_categorical_loss", "infogan_continuous_loss", "mutual_information_loss",
        "semi_supervised_logits", "triple_gan_discriminator_loss",
        "triple_gan_classifier_adversarial_loss", "entropy_loss", "update_anchor_rows",
    ],
    "keras_gans.energy": [
        "reconstruction_energy", "ebgan_discriminator_loss", "ebgan_generator_loss",
        "began_discriminator_loss", "began_generator_loss", "began_k_update", "began_convergence",
        "pull_away_term",
    ],
    "keras_gans.regularizers": [
        "gradient_penalty", "pull_away_term", "feature_matching", "historical_average",
        "clip_weights",
    ],
}
OLD_MODULES = {
    "keras_gans.losses": losses,
    "keras_gans.conditional_losses": conditional_losses,
    "keras_gans.energy": energy,
    "keras_gans.regularizers": regularizers,
}


def _np(x):
    return np.asarray(ops.convert_to_numpy(x), dtype="float64")


def _rng(seed=0):
    return np.random.default_rng(seed)


# ------------------------------------------------------------------- the names


@pytest.mark.parametrize("module", sorted(NAMES_BEFORE))
def test_every_name_of_before_is_still_there(module):
    old = OLD_MODULES[module]
    for name in NAMES_BEFORE[module]:
        assert hasattr(old, name), f"{module}.{name} is gone"
        # ... and it is the one object, also reachable as keras_gans.losses.<name>
        if not name.isupper():
            assert getattr(losses, name) is getattr(old, name), name


def test_every_module_name_is_in_the_package_and_the_package_has_no_others():
    import importlib

    seen = []
    for m in MODULES:
        module = importlib.import_module(f"keras_gans.losses.{m}")
        for name in module.__all__:
            assert getattr(losses, name) is getattr(module, name), (m, name)
        seen += module.__all__
    assert len(seen) == len(set(seen)), "a name is exported by two modules"
    assert sorted(losses.__all__) == sorted(seen)
    assert keras_gans.losses is losses


def test_get_and_names_unchanged():
    assert losses.names() == [
        "f_divergence", "hinge", "least_squares", "minimax", "non_saturating", "wasserstein"]
    assert losses.get("hinge") == (losses.hinge_generator_loss, losses.hinge_discriminator_loss)


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            yield node.module or "", [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, []


@pytest.mark.parametrize("path", sorted(LOSSES_DIR.glob("*.py")), ids=lambda p: p.name)
def test_modules_use_no_private_names_and_depend_on_no_model(path):
    for module, names in _imports(path):
        assert not any(n.startswith("_") and n != "__all__" for n in names), (module, names)
        if module.startswith("keras_gans"):
            # Only the leaf helpers and the package's own modules: no circle
            # through keras_gans.models (which imports the losses).
            assert module in ("keras_gans.cross_replica", "keras_gans") or module.startswith(
                "keras_gans.losses"), module
            if module == "keras_gans":
                assert names == ["image_ops"], names
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in MODULES + ("common", "image_ops"):
                private = node.attr.startswith("_") and not node.attr.startswith("__")
                assert not private, f"{node.value.id}.{node.attr}"


def _public_functions():
    for name in losses.__all__:
        obj = getattr(losses, name)
        if inspect.isfunction(obj):
            yield name, obj


@pytest.mark.parametrize("name", [name for name, _ in _public_functions()])
def test_docstrings_have_args_returns_and_an_example(name):
    fn = getattr(losses, name)
    doc = inspect.getdoc(fn)
    assert doc, name
    if inspect.signature(fn).parameters:
        assert "Args:" in doc, name
        for param in inspect.signature(fn).parameters:
            assert f"{param}: " in doc or f"{param}:" in doc, (name, param)
    assert "Returns:" in doc, name
    assert "Example:" in doc and "keras_gans.losses." in doc.split("Example:")[1], name
    if name not in ("get", "names", "masked_mean"):
        assert "Reference" in doc, name


def test_shims_say_where_the_terms_live():
    assert "keras_gans.losses.classification" in conditional_losses.__doc__
    assert "keras_gans.losses.energy" in energy.__doc__
    assert "keras_gans.losses.penalties" in regularizers.__doc__


# ---------------------------------------------------------- reconstruction


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 3, 2)])
def test_l1_l2_by_hand_at_any_rank(shape):
    x = _rng(1).normal(size=shape).astype("float32")
    y = _rng(2).normal(size=shape).astype("float32")
    d = x.astype("float64") - y
    assert _np(losses.l1(x, y)) == pytest.approx(np.mean(np.abs(d)), rel=1e-5)
    assert _np(losses.l2(x, y)) == pytest.approx(np.mean(d**2), rel=1e-5)


def test_l1_l2_small_numbers_and_float32():
    x, y = np.array([0.0, 1.0], "float16"), np.array([1.0, 3.0], "float16")
    assert _np(losses.l1(x, y)) == pytest.approx((1 + 2) / 2)
    assert _np(losses.l2(x, y)) == pytest.approx((1 + 4) / 2)
    for fn in (losses.l1, losses.l2, losses.huber):
        assert keras.backend.standardize_dtype(fn(x, y).dtype) == "float32"


def test_huber_by_hand():
    x = np.zeros(4, "float32")
    y = np.array([0.5, -1.0, 3.0, -0.25], "float32")
    # |d| <= 1: d^2 / 2; else |d| - 1/2
    want = (0.125 + 0.5 + 2.5 + 0.03125) / 4
    assert _np(losses.huber(x, y)) == pytest.approx(want, rel=1e-6)
    # delta 0.5: |d| <= 0.5: d^2 / 2; else 0.5 |d| - 0.125
    want = (0.125 + 0.375 + 1.375 + 0.03125) / 4
    assert _np(losses.huber(x, y, delta=0.5)) == pytest.approx(want, rel=1e-6)
    patch = _rng(3).normal(size=(2, 3, 3, 1)).astype("float32") * 2
    d = np.abs(patch.astype("float64"))
    want = np.mean(np.where(d <= 1, 0.5 * d**2, d - 0.5))
    assert _np(losses.huber(patch, np.zeros_like(patch))) == pytest.approx(want, rel=1e-5)


def _gram(f):
    b, h, w, c = f.shape
    flat = f.reshape(b, h * w, c).astype("float64")
    return np.einsum("bki,bkj->bij", flat, flat) / (h * w * c)


def test_gram_matrix_and_style_loss_by_hand():
    ones = np.ones((1, 2, 2, 3), "float32")
    np.testing.assert_allclose(_np(losses.gram_matrix(ones)), np.full((1, 3, 3), 4 / 12), rtol=1e-6)
    f = _rng(4).normal(size=(2, 3, 4, 5)).astype("float32")
    g = _rng(5).normal(size=(2, 3, 4, 5)).astype("float32")
    np.testing.assert_allclose(_np(losses.gram_matrix(f)), _gram(f), rtol=1e-5, atol=1e-6)
    want = np.mean(np.abs(_gram(f) - _gram(g)))
    assert _np(losses.style_loss(f, g)) == pytest.approx(want, rel=1e-5)
    assert _np(losses.style_loss(f, f)) == 0.0


def test_gram_matrix_bad_rank_is_a_clear_error():
    with pytest.raises(ValueError, match=r"features must be \[batch, height, width, channels\]"):
        losses.gram_matrix(np.ones((2, 3, 4), "float32"))


def _yuv(x):
    """tf.image.rgb_to_yuv's matrix on x in [-1, 1] mapped to [0, 1]."""
    m = np.array([[0.299, 0.587, 0.114],
                  [-0.14714119, -0.28886916, 0.43601035],
                  [0.61497538, -0.51496512, -0.10001026]])
    return ((x.astype("float64") + 1) / 2) @ m.T


def _np_huber(a, b):
    d = np.abs(a - b)
    return np.mean(np.where(d <= 1, 0.5 * d**2, d - 0.5))


def test_color_loss_by_hand():
    photos = _rng(6).uniform(-1, 1, (2, 4, 4, 3)).astype("float32")
    generated = _rng(7).uniform(-1, 1, (2, 4, 4, 3)).astype("float32")
    p, g = _yuv(photos), _yuv(generated)
    want = (np.mean(np.abs(g[..., 0] - p[..., 0])) + _np_huber(g[..., 1], p[..., 1])
            + _np_huber(g[..., 2], p[..., 2]))
    assert _np(losses.color_loss(photos, generated)) == pytest.approx(want, rel=1e-5)
    # white vs black: Y differs by 1, U = V = 0 for both
    white, black = np.ones((1, 1, 1, 3), "float32"), -np.ones((1, 1, 1, 3), "float32")
    assert _np(losses.color_loss(white, black)) == pytest.approx(1.0, abs=1e-6)


# -------------------------------------------------------------- adversarial


@pytest.mark.parametrize("shape", [(4,), (2, 3, 3, 1)])
def test_target_loss_by_hand(shape):
    x = _rng(8).normal(size=shape).astype("float32") * 2
    d = x.astype("float64")
    softplus = lambda v: np.log1p(np.exp(v))  # noqa: E731
    assert _np(losses.target_loss("non_saturating", x, True)) == pytest.approx(
        np.mean(softplus(-d)), rel=1e-5)
    assert _np(losses.target_loss("non_saturating", x, False)) == pytest.approx(
        np.mean(softplus(d)), rel=1e-5)
    assert _np(losses.target_loss("least_squares", x, True)) == pytest.approx(
        np.mean((d - 1) ** 2), rel=1e-5)
    assert _np(losses.target_loss("least_squares", x, False)) == pytest.approx(
        np.mean(d**2), rel=1e-5)
    assert _np(losses.target_loss("least_squares", np.zeros(3), True)) == 1.0
    got = losses.target_loss("non_saturating", np.zeros(3), False)
    assert _np(got) == pytest.approx(math.log(2))


def test_target_loss_unknown_loss_is_a_clear_error():
    with pytest.raises(ValueError, match="must be one of .*non_saturating.*least_squares.*hinge"):
        losses.target_loss("hinge", np.zeros(2), True)


# --------------------------------------------------------------- penalties


def _linear_critic(w):
    # D(x) = sum(w * x) per image: grad_x D = w for every image.
    return lambda x, training=True: tf.reduce_sum(x * w, axis=list(range(1, len(x.shape))))


def test_r1_r2_linear_critic_by_hand():
    w = _rng(9).normal(size=(3, 3, 2)).astype("float32")
    real = _rng(10).normal(size=(4, 3, 3, 2)).astype("float32")
    want = np.sum(w.astype("float64") ** 2)  # ||w||^2, whatever the images
    assert _np(losses.r1_penalty(_linear_critic(w), real)) == pytest.approx(want, rel=1e-5)
    assert _np(losses.r2_penalty(_linear_critic(w), -real)) == pytest.approx(want, rel=1e-5)


def test_r1_quadratic_patch_critic_by_hand():
    # A PatchGAN-like map D(x) = x^2 per pixel: sum of outputs has grad 2 x,
    # so R1 = E_b[sum 4 x_b^2].
    critic = lambda x, training=True: tf.square(x)  # noqa: E731
    real = _rng(11).normal(size=(3, 2, 2, 1)).astype("float32")
    want = np.mean(np.sum(4 * real.astype("float64") ** 2, axis=(1, 2, 3)))
    assert _np(losses.r1_penalty(critic, real)) == pytest.approx(want, rel=1e-5)
    # hand numbers: one image of 1s and one of 2s, 2 pixels: (4*2 + 16*2) / 2 = 20
    real = np.stack([np.ones((2, 1)), 2 * np.ones((2, 1))]).astype("float32")
    assert _np(losses.r1_penalty(critic, real)) == pytest.approx(20.0)


def test_r2_treats_the_fakes_as_constants():
    v = tf.Variable(2.0)
    w = np.ones((2, 2, 1), "float32")
    with tf.GradientTape() as tape:
        fake = v * tf.ones((3, 2, 2, 1))
        penalty = losses.r2_penalty(_linear_critic(w), fake)
    assert tape.gradient(penalty, v) is None
    assert _np(penalty) == pytest.approx(4.0)


def test_penalty_of_a_critic_that_ignores_its_input_is_a_clear_error():
    with pytest.raises(ValueError, match="do not depend on its input"):
        losses.r1_penalty(lambda x, training=True: tf.ones((2, 1)), np.ones((2, 3), "float32"))


class LinearD(keras.Model):
    """D(x) = x_flat . k + b: grad_x D = k, so R1 = ||k||^2 and dR1/dk = 2 k."""

    def __init__(self):
        super().__init__()
        self.flatten = keras.layers.Flatten()
        self.dense = keras.layers.Dense(1)

    def call(self, x, training=False):
        return self.dense(self.flatten(x))


def test_r1_inside_a_compiled_train_step_gives_the_second_order_gradient():
    d = LinearD()
    real = _rng(12).normal(size=(4, 3, 3, 1)).astype("float32")
    d(real)
    kernel = _rng(13).normal(size=(9, 1)).astype("float32")
    d.dense.kernel.assign(kernel)
    optimizer = keras.optimizers.SGD(learning_rate=0.1)
    optimizer.build(d.trainable_variables)

    @tf.function
    def train_step(images):
        with tf.GradientTape() as tape:
            penalty = losses.r1_penalty(d, images)
        grads = tape.gradient(penalty, d.trainable_variables)
        grads = [tf.zeros_like(v) if g is None else g for g, v in zip(grads, d.trainable_variables)]
        optimizer.apply_gradients(zip(grads, d.trainable_variables))
        return penalty, grads[0]

    penalty, grad = train_step(tf.constant(real))
    assert _np(penalty) == pytest.approx(np.sum(kernel.astype("float64") ** 2), rel=1e-5)
    np.testing.assert_allclose(_np(grad), 2 * kernel, rtol=1e-5)
    np.testing.assert_allclose(_np(d.dense.kernel), kernel - 0.1 * 2 * kernel, rtol=1e-5)


def test_gradient_penalty_of_a_zero_gradient_has_a_finite_gradient():
    # D = sum(w * x) with w = 0: ||grad_x D|| = 0, where sqrt has an infinite
    # slope; the guard keeps d GP / dw finite (here 0).
    w = tf.Variable(np.zeros((2, 2, 1), "float32"))
    real, fake = tf.ones((3, 2, 2, 1)), -tf.ones((3, 2, 2, 1))

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            gp = losses.gradient_penalty(_linear_critic(w), real, fake)
        return gp, tape.gradient(gp, w)

    gp, grad = step()
    assert _np(gp) == pytest.approx(1.0, rel=1e-5)  # (0 - 1)^2
    assert np.all(np.isfinite(_np(grad)))


def _np_path_length(g, mean, decay=0.01):
    g = g.astype("float64")
    sq = np.sum(g**2, axis=-1)
    if g.ndim == 3:
        sq = np.mean(sq, axis=1)
    lengths = np.sqrt(sq)
    new_mean = mean + decay * (np.mean(lengths) - mean)
    return np.mean((lengths - new_mean) ** 2), new_mean


@pytest.mark.parametrize("shape", [(4, 6), (4, 3, 6)])
def test_path_length_penalty_by_hand(shape):
    g = _rng(14).normal(size=shape).astype("float32")
    for mean, decay in ((0.0, 0.01), (1.7, 0.01), (0.5, 0.3)):
        penalty, new_mean = losses.path_length_penalty(g, mean, decay=decay)
        want_p, want_m = _np_path_length(g, mean, decay)
        assert _np(penalty) == pytest.approx(want_p, rel=1e-5)
        assert _np(new_mean) == pytest.approx(want_m, rel=1e-6)


def test_path_length_penalty_small_numbers():
    # Rows (3, 4) and (0, 0) have lengths 5 and 0 (the guarded sqrt gives 1e-6);
    # running mean 0 -> new mean 0 + 0.01 * (2.5 - 0) = 0.025;
    # penalty ((5 - 0.025)^2 + (0 - 0.025)^2) / 2.
    g = np.array([[3.0, 4.0], [0.0, 0.0]], "float32")
    penalty, new_mean = losses.path_length_penalty(g, tf.Variable(0.0))
    assert _np(new_mean) == pytest.approx(0.025, rel=1e-5)
    assert _np(penalty) == pytest.approx((4.975**2 + 0.025**2) / 2, rel=1e-5)


def test_path_length_penalty_bad_rank_is_a_clear_error():
    with pytest.raises(ValueError, match=r"gradients must be \[batch, w_dim\]"):
        losses.path_length_penalty(np.ones(3, "float32"), 0.0)


def test_path_length_gradients_are_j_transpose_y():
    # g(w) = reshape(w @ A): J^T y = y_flat @ A^T.
    a = _rng(15).normal(size=(5, 2 * 2 * 3)).astype("float32")
    w = _rng(16).normal(size=(4, 5)).astype("float32")
    y = _rng(17).normal(size=(4, 2, 2, 3)).astype("float32")
    synthesis = lambda w, training=True: tf.reshape(tf.matmul(w, a), (-1, 2, 2, 3))  # noqa: E731
    got = losses.path_length_gradients(synthesis, w, noise=y)
    want = y.reshape(4, -1).astype("float64") @ a.T
    np.testing.assert_allclose(_np(got), want, rtol=1e-4, atol=1e-5)


def test_path_length_gradients_default_noise_scale():
    # g(w) = w reshaped to images: J^T y = y, drawn N(0, 1) / sqrt(H * W).
    synthesis = lambda w, training=True: tf.reshape(w, (-1, 32, 32, 4))  # noqa: E731
    got = _np(losses.path_length_gradients(synthesis, np.zeros((8, 32 * 32 * 4), "float32")))
    assert got.std() == pytest.approx(1 / 32, rel=0.03)


def test_path_length_in_a_compiled_step_with_zero_gradients_is_finite():
    # A synthesis net whose weights are 0: J^T y = 0, the guarded sqrt keeps the
    # gradient with respect to the weights finite.
    kernel = tf.Variable(np.zeros((3, 2 * 2 * 1), "float32"))

    def synthesis(w, training=True):
        return tf.reshape(tf.matmul(w, kernel), (-1, 2, 2, 1))

    w = tf.constant(_rng(18).normal(size=(4, 3)).astype("float32"))

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            grads = losses.path_length_gradients(synthesis, w)
            penalty, new_mean = losses.path_length_penalty(grads, 0.0)
        return penalty, tape.gradient(penalty, kernel)

    penalty, grad = step()
    assert _np(penalty) == pytest.approx(0.0, abs=1e-10)
    assert np.all(np.isfinite(_np(grad)))


def test_orthogonal_regularization_by_hand():
    conv = _rng(19).normal(size=(2, 2, 3, 4)).astype("float32")
    dense = _rng(20).normal(size=(5, 3)).astype("float32")
    bias = np.ones(4, "float32")

    def off(k):
        w = k.reshape(-1, k.shape[-1]).astype("float64")
        g = w.T @ w
        return np.sum((g * (1 - np.eye(k.shape[-1]))) ** 2)

    want = 1e-4 * (off(conv) + off(dense))
    ortho = losses.orthogonal_regularization
    assert _np(ortho([conv, dense, bias])) == pytest.approx(want, rel=1e-5)
    assert _np(ortho(dense, beta=2.0)) == pytest.approx(2 * off(dense), rel=1e-5)
    # W = [[1, 1], [1, -1]]: W^T W = [[2, 0], [0, 2]] -> 0.
    assert _np(ortho(np.array([[1.0, 1.0], [1.0, -1.0]]), beta=1.0)) == 0.0
    # W = [[1, 1], [0, 1]]: W^T W = [[1, 1], [1, 2]], off-diagonal 1 and 1 -> 2.
    assert _np(ortho(np.array([[1.0, 1.0], [0.0, 1.0]]), beta=1.0)) == 2.0
    layer = keras.layers.Dense(3)
    layer.build((None, 5))
    layer.kernel.assign(dense)
    assert _np(losses.orthogonal_regularization(layer.trainable_weights)) == pytest.approx(
        1e-4 * off(dense), rel=1e-5)


def test_historical_average_by_hand():
    got = losses.historical_average([np.array([1.0, 2.0]), np.array([[3.0]])],
                                    [np.array([0.0, 0.0]), np.array([[1.0]])])
    assert _np(got) == pytest.approx(1 + 4 + 4)
    with pytest.raises(ValueError, match="one average per variable"):
        losses.historical_average([np.ones(2)], [])


# ------------------------------------------------------------- constraints


def test_clip_weights_clips_every_trainable_variable_of_every_network():
    nets = []
    for seed in (0, 1):
        net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        net.layers[0].kernel.assign(_rng(seed).normal(size=(3, 2)).astype("float32"))
        net.layers[0].bias.assign(np.array([0.5, -0.005], "float32"))
        nets.append(net)
    before = [_np(v) for v in nets[1].trainable_variables]
    losses.clip_weights(nets[0], 0.01)
    for v in nets[0].trainable_variables:
        assert np.all(np.abs(_np(v)) <= 0.01 + 1e-7)
    np.testing.assert_allclose(_np(nets[0].layers[0].bias), [0.01, -0.005], rtol=1e-6)
    for v, b in zip(nets[1].trainable_variables, before):  # untouched
        np.testing.assert_array_equal(_np(v), b)
    losses.clip_weights(nets, 0.01)
    assert all(np.all(np.abs(_np(v)) <= 0.01 + 1e-7) for n in nets for v in n.trainable_variables)
