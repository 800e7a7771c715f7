"""CartoonGAN and AnimeGAN: losses by hand, the initialization phase, saving."""

import inspect
import os

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from helpers import changed, tiny_model, tiny_pair_dataset, weights_of
from keras_gans import image_ops
from keras_gans.models.animegan import AnimeGAN, animegan_generator
from keras_gans.losses import target_loss
from keras_gans.networks import resnet_generator


def np_(x):
    return keras.ops.convert_to_numpy(x).astype("float64")


def softplus(x):
    return np.logaddexp(0.0, x)


def batch(shape, seed=0, n=4):
    """(a, b): random photos, and "cartoons" with hard edges (flat halves), so
    that edge smoothing changes them."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (n, *shape)).astype("float32")
    b = np.full((n, *shape), -0.8, "float32")
    b[:, :, shape[1] // 2:] = rng.uniform(0.2, 1.0, (n, 1, 1, shape[2]))
    return tf.constant(a), tf.constant(b)


def nets(model, a, b):
    fake = model.generator(a, training=False)
    d = lambda x: np_(model.discriminator(x, training=False))  # noqa: E731
    f = lambda x: np_(model.features(x, training=False))  # noqa: E731
    return fake, d, f


def test_target_loss_by_hand():
    x = np.array([[-2.0, 0.0], [0.5, 3.0]], "float32")
    for loss, real, want in (("non_saturating", True, softplus(-x)),
                             ("non_saturating", False, softplus(x)),
                             ("least_squares", True, (x - 1) ** 2),
                             ("least_squares", False, x**2)):
        np.testing.assert_allclose(np_(target_loss(loss, x, real)), want.mean(), rtol=1e-6)
    with pytest.raises(ValueError, match="loss must be one of"):
        target_loss("hinge", x, True)


def test_cartoongan_losses_by_hand():
    model = tiny_model("cartoongan", init_steps=0)
    a, b = batch(model.image_shape)
    fake, d, f = nets(model, a, b)

    loss, logs = model.generator_loss((a, b), a)
    content = np.abs(f(fake) - f(a)).mean()
    adv = softplus(-d(fake)).mean()
    np.testing.assert_allclose(np_(logs["content_loss"]), content, rtol=1e-5)
    np.testing.assert_allclose(np_(logs["adv_loss"]), adv, rtol=1e-5)
    # omega = 10 (the paper's); the registered preset's adversarial weight 0.3.
    assert model.adv_weight == 0.3
    np.testing.assert_allclose(np_(loss), 10.0 * content + 0.3 * adv, rtol=1e-5)

    # D: real cartoons as real; generated images AND edge-smoothed cartoons as fake.
    smoothed = image_ops.edge_smooth(b)
    assert np.abs(np_(smoothed) - np_(b)).max() > 0.1  # the batch has edges to smooth
    d_loss, _ = model.discriminator_loss((a, b), fake)
    without_edges = softplus(-d(b)).mean() + softplus(d(fake)).mean()
    edge_term = softplus(d(smoothed)).mean()
    np.testing.assert_allclose(np_(d_loss), without_edges + edge_term, rtol=1e-5)
    assert edge_term > 0.1


def huber(x):
    d = np.abs(x)
    return np.where(d <= 1.0, 0.5 * d**2, d - 0.5).mean()


def test_animegan_defaults_are_the_papers():
    params = inspect.signature(AnimeGAN.__init__).parameters
    weights = {k: params[k].default for k in ("adv_weight", "content_weight", "style_weight",
                                              "color_weight", "gray_weight", "smooth_weight")}
    assert weights == dict(adv_weight=300.0, content_weight=1.5, style_weight=3.0,
                           color_weight=10.0, gray_weight=1.0, smooth_weight=0.1)
    assert params["loss"].default == "least_squares"


def test_animegan_losses_by_hand():
    # The paper's weights (the registered preset lowers adv_weight).
    model = tiny_model("animegan", init_steps=0, adv_weight=300.0)
    a, b = batch(model.image_shape, seed=1)
    fake, d, f = nets(model, a, b)

    loss, logs = model.generator_loss((a, b), a)
    gray_b = image_ops.grayscale_rgb(b)
    content = np.abs(f(fake) - f(a)).mean()

    def gram(x):  # [B, H, W, C] -> [B, C, C] / (H W C)
        _, h, w, c = x.shape
        return np.einsum("bhwi,bhwj->bij", x, x) / (h * w * c)

    style = np.abs(gram(f(fake)) - gram(f(gray_b))).mean()
    yuv_fake, yuv_a = np_(image_ops.rgb_to_yuv(fake)), np_(image_ops.rgb_to_yuv(a))
    color = (np.abs(yuv_fake[..., 0] - yuv_a[..., 0]).mean()
             + huber(yuv_fake[..., 1] - yuv_a[..., 1]) + huber(yuv_fake[..., 2] - yuv_a[..., 2]))
    adv = ((d(fake) - 1.0) ** 2).mean()
    for key, value in (("content_loss", content), ("style_loss", style), ("color_loss", color),
                       ("adv_loss", adv)):
        np.testing.assert_allclose(np_(logs[key]), value, rtol=1e-4, err_msg=key)
    # The paper's weights: omega_adv 300, omega_con 1.5, omega_gra 3, omega_col 10.
    np.testing.assert_allclose(np_(loss), 300 * adv + 1.5 * content + 3 * style + 10 * color,
                               rtol=1e-5)

    # D: real anime real; G(p), grayscale anime and (0.1) grayscale edge-smoothed anime fake.
    d_loss, _ = model.discriminator_loss((a, b), fake)
    smooth_gray = image_ops.grayscale_rgb(image_ops.edge_smooth(b))
    expected = 300 * (((d(b) - 1) ** 2).mean() + (d(fake) ** 2).mean() + (d(gray_b) ** 2).mean()
                      + 0.1 * (d(smooth_gray) ** 2).mean())
    np.testing.assert_allclose(np_(d_loss), expected, rtol=1e-5)


@pytest.mark.parametrize("name", ["cartoongan", "animegan"])
def test_init_phase_then_adversarial_training(name, tmp_path):
    model = tiny_model(name, init_steps=2)
    ds = tiny_pair_dataset(model.image_shape)  # 2 steps per epoch
    a, b = next(iter(ds))

    # In the phase, G's loss is the weighted content loss alone and D's step
    # does not run (issue 13: a phase is a step condition, not a loss times 0).
    loss, logs = model.generator_init_loss((a, b))
    content = np_(logs["content_loss"])
    np.testing.assert_allclose(np_(loss), model.content_weight * content, rtol=1e-6)
    assert [s.name for s in model.steps if s.when == "after_init_phase"] == [
        "discriminator", "generator"]

    g0, d0 = weights_of(model.generator), weights_of(model.discriminator)
    history = model.fit(ds, epochs=1, verbose=0)
    # A value no step computed is absent, not 0 (issue 13).
    assert history.history["init_phase"] == [1.0] and "d_loss" not in history.history
    assert changed(g0, weights_of(model.generator))
    for before, after in zip(d0, weights_of(model.discriminator)):
        np.testing.assert_array_equal(before, after)
    assert int(model.trained_steps) == 2
    assert int(model.d_optimizer.iterations) == 0  # D's Adam starts fresh after the phase

    history = model.fit(ds, epochs=1, verbose=0)
    assert history.history["init_phase"] == [0.0] and history.history["d_loss"][0] > 0.0
    assert changed(d0, weights_of(model.discriminator))
    assert int(model.trained_steps) == 4 and int(model.d_optimizer.iterations) == 2

    # The counter and the frozen feature net are saved with the model.
    path = os.path.join(tmp_path, f"{name}.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)
    assert int(reloaded.trained_steps) == 4 and not bool(reloaded.in_init_phase())
    np.testing.assert_array_equal(np_(reloaded.features(a)), np_(model.features(a)))
    np.testing.assert_array_equal(np_(reloaded.translate(a)), np_(model.translate(a)))


def test_feature_extractor_is_frozen():
    model = tiny_model("cartoongan", init_steps=0)
    assert model.features.trainable_weights == [] and model.features.weights
    feature_ids = {id(v) for v in model.features.weights}
    trained = model.generator_step_networks().trainable_variables
    assert not feature_ids & {id(v) for v in trained}
    f0 = [np.array(w) for w in model.features.weights]
    model.fit(tiny_pair_dataset(model.image_shape), epochs=1, verbose=0)
    for before, after in zip(f0, model.features.weights):
        np.testing.assert_array_equal(before, np.array(after))


def test_animegan_generator_is_light():
    light = animegan_generator((32, 32, 3), filters=64, num_blocks=8).count_params()
    resnet = resnet_generator((32, 32, 3), filters=64, num_blocks=8).count_params()
    assert 3.5e6 < light < 4.5e6 and light < 0.5 * resnet  # the paper: 3.96 M


def test_bad_arguments():
    with pytest.raises(ValueError, match="loss in"):
        keras_gans.get("cartoongan", image_shape=(16, 16, 3), loss="hinge")
    with pytest.raises(ValueError, match="feature_extractor must be a string"):
        keras_gans.get("cartoongan", image_shape=(16, 16, 3), feature_extractor=3)
    with pytest.raises(ValueError, match="init_steps"):
        keras_gans.get("cartoongan", image_shape=(16, 16, 3), init_steps=-1)
    with pytest.raises(ValueError, match="RGB"):
        keras_gans.get("animegan", image_shape=(16, 16, 1))
