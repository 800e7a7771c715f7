"""MSG-GAN: G's pyramid, D taking every scale, the real pyramid by average
pooling inside the train step, gradient penalties over every scale, RaHinge by
default, the exports, the user's own networks and the clear errors."""

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras_gans import export, losses, registry
from keras_gans.layers import MinibatchStdDev
from keras_gans.models.msggan import real_pyramid
from keras_gans.networks.msggan import msggan_discriminator, msggan_generator, scale_sizes
from keras_gans.testing import changed, litert_run, weights_of


def tiny(**overrides):
    config = registry.tiny_config("msggan")
    config.update(overrides)
    return keras_gans.get("msggan", **config)


def np_down(x):
    """2x2 means."""
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def images(n=4, shape=(32, 32, 1), seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


def latents(model, n=3, seed=1):
    return np.random.default_rng(seed).standard_normal((n, model.latent_dim)).astype("float32")


def np_pyramid(x, num):
    out = [x]
    for _ in range(num - 1):
        out.insert(0, np_down(out[0]))
    return out


# ------------------------------------------------------------------ shapes


def test_scale_sizes():
    assert scale_sizes(32) == [4, 8, 16, 32]
    assert scale_sizes(28) == [7, 14, 28]
    assert scale_sizes(8) == [4, 8]
    assert scale_sizes(64) == [4, 8, 16, 32, 64]


def test_generator_gives_an_image_at_every_scale_through_1x1_convolutions():
    model = tiny(image_shape=(32, 32, 3))
    assert model.sizes == (4, 8, 16, 32)
    g = model.generator
    assert [tuple(o.shape[1:]) for o in g.outputs] == [(s, s, 3) for s in (4, 8, 16, 32)]
    for s in (4, 8, 16, 32):  # toRGB: a 1x1 convolution per scale
        assert g.get_layer(f"to_rgb_{s}").kernel_size == (1, 1)
    z = latents(model)
    pyramid = [keras.ops.convert_to_numpy(p) for p in model.generate_pyramid(z)]
    assert [p.shape for p in pyramid] == [(3, s, s, 3) for s in (4, 8, 16, 32)]
    for p in pyramid:
        assert p.dtype == np.float32 and p.min() >= -1.0 and p.max() <= 1.0
    # sampling, model(z) and serving give the finest scale of the same G
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model.generate(z)), pyramid[-1],
                               atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(z)), pyramid[-1], atol=1e-6)
    zs = np.random.default_rng(7).standard_normal((2, model.latent_dim)).astype("float32")
    np.testing.assert_allclose(model.sample(2, seed=7),
                               keras.ops.convert_to_numpy(model.generate(zs)), atol=1e-6)


@pytest.mark.parametrize("combine", ["simple", "cat"])
def test_discriminator_takes_every_scale_at_its_own_depth(combine):
    d = msggan_discriminator((32, 32, 1), width=4, max_width=8, combine=combine,
                             minibatch_std=False)
    assert [tuple(i.shape[1:]) for i in d.inputs] == [(s, s, 1) for s in (4, 8, 16, 32)]
    assert tuple(d.output.shape[1:]) == (1,)
    # each coarser scale joins D's activations at its resolution
    for s in (4, 8, 16):
        joined = d.get_layer(f"combine_{s}").output
        assert tuple(joined.shape[1:3]) == (s, s)
        extra = 1 if combine == "simple" else d.get_layer(f"from_rgb_{s}").filters
        assert joined.shape[-1] > extra  # the image (or its features) and D's activations
    pyramid = np_pyramid(images(), 4)
    base = d(pyramid).numpy()
    for k in range(4):  # every scale changes the logit
        moved = list(pyramid)
        moved[k] = moved[k] + 0.5
        assert not np.allclose(d(moved).numpy(), base, atol=1e-6), k


def test_default_discriminator_has_minibatch_stddev_and_the_tiny_one_not():
    model = keras_gans.get("msggan")
    assert any(isinstance(layer, MinibatchStdDev) for layer in model.discriminator.layers)
    assert not any(isinstance(layer, MinibatchStdDev) for layer in tiny().discriminator.layers)


# ------------------------------------------------------------- the pyramid


def test_real_pyramid_is_average_pooling():
    x = images(shape=(32, 32, 3))
    got = [keras.ops.convert_to_numpy(p) for p in real_pyramid(tf.constant(x), 4)]
    for g, want in zip(got, np_pyramid(x, 4)):
        np.testing.assert_allclose(g, want, atol=1e-6)
    model = tiny(image_shape=(32, 32, 3))
    for g, want in zip(model.real_pyramid(tf.constant(x)), np_pyramid(x, 4)):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(g), want, atol=1e-6)


class Recorder(keras.Model):
    """A D that keeps (eagerly) the inputs it is called with."""

    def __init__(self, inner, log, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner
        vars(self)["log"] = log  # untracked: Keras would track a copy of a list

    def call(self, inputs, training=False):
        self.log.append([keras.ops.convert_to_numpy(t) for t in inputs])
        return self.inner(inputs, training=training)


def test_train_step_pools_the_real_batch_into_the_pyramid_d_sees():
    log = []
    d = Recorder(msggan_discriminator((16, 16, 1), 4, 8, minibatch_std=False), log)
    model = tiny(discriminator=d, seed=0)
    x = images(shape=(16, 16, 1))
    model.discriminator_step_loss(tf.constant(x))  # eager: real, then generated
    model.generator_step_loss(tf.constant(x))  # generated, then real (relativistic G)
    want = np_pyramid(x, 3)
    assert len(log) == 4
    for seen, expected in zip(log[0], want):
        np.testing.assert_allclose(seen, expected, atol=1e-6)
    for seen, expected in zip(log[3], want):
        np.testing.assert_allclose(seen, expected, atol=1e-6)
    for fake in (log[1], log[2]):  # G's pyramid: every scale, coarsest first
        assert [f.shape for f in fake] == [e.shape for e in want]
        assert not np.allclose(fake[-1], x)


# ------------------------------------------------------------- the losses


def rahinge(real, fake):
    """RaHinge by hand: D = mean relu(1 - (r - mean f)) + mean relu(1 + (f - mean r))."""
    d = (np.mean(np.maximum(0, 1 - (real - fake.mean()))) +
         np.mean(np.maximum(0, 1 + (fake - real.mean()))))
    g = (np.mean(np.maximum(0, 1 - (fake - real.mean()))) +
         np.mean(np.maximum(0, 1 + (real - fake.mean()))))
    return d, g


class MeanOfFinest(keras.Model):
    """A D without weights: the logit is 4 times the mean of the finest scale."""

    def call(self, inputs, training=False):
        return 4.0 * keras.ops.mean(inputs[-1], axis=(1, 2, 3))[:, None]


def test_loss_is_relativistic_average_hinge_by_default():
    # a hand-checked value of the loss function on fixed logits
    real, fake = np.array([[0.5], [-1.0], [2.0]]), np.array([[0.0], [1.5], [-0.5]])
    d, g = rahinge(real, fake)
    # means: real 0.5, fake 1/3; D = mean(5/6, 7/3, 0) + mean(1/2, 2, 0) = 34/18
    assert d == pytest.approx((5.0 / 6 + 7.0 / 3 + 0.0) / 3 + (0.5 + 2.0 + 0.0) / 3)
    assert d == pytest.approx(34.0 / 18)
    np.testing.assert_allclose(float(losses.relativistic_hinge_discriminator_loss(
        real, fake, average=True)), d, rtol=1e-6)
    # the model: RaHinge, D's logits on the real pyramid and on G's
    model = tiny(discriminator=MeanOfFinest(), seed=0)
    assert model.loss_name == "relativistic_hinge" and model.average
    x = images(n=4, shape=(16, 16, 1))
    fake_pyramid = np_pyramid(images(n=4, shape=(16, 16, 1), seed=5), 3)
    real_logits = 4.0 * x.mean(axis=(1, 2, 3))
    fake_logits = 4.0 * fake_pyramid[-1].mean(axis=(1, 2, 3))
    loss, logs = model.discriminator_loss(tf.constant(x), [tf.constant(f) for f in fake_pyramid])
    np.testing.assert_allclose(float(loss), rahinge(real_logits, fake_logits)[0], rtol=1e-5)
    assert set(logs) == {"d_loss"}
    z = tf.constant(latents(model, 4))
    g_fake = keras.ops.convert_to_numpy(model.generator(z, training=True)[-1])
    loss, _ = model.generator_loss(tf.constant(x), z)
    np.testing.assert_allclose(float(loss),
                               rahinge(real_logits, 4.0 * g_fake.mean(axis=(1, 2, 3)))[1],
                               rtol=1e-5)


def test_other_losses_and_the_pairwise_variant_are_taken():
    model = tiny(discriminator=MeanOfFinest(), loss="hinge")
    x = images(n=4, shape=(16, 16, 1))
    fake = np_pyramid(images(n=4, shape=(16, 16, 1), seed=5), 3)
    r, f = 4.0 * x.mean(axis=(1, 2, 3)), 4.0 * fake[-1].mean(axis=(1, 2, 3))
    loss, _ = model.discriminator_loss(tf.constant(x), [tf.constant(p) for p in fake])
    want = np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f))
    np.testing.assert_allclose(float(loss), want, rtol=1e-5)
    model = tiny(discriminator=MeanOfFinest(), average=False)  # RHinge: pairwise
    loss, _ = model.discriminator_loss(tf.constant(x), [tf.constant(p) for p in fake])
    np.testing.assert_allclose(float(loss), np.mean(np.maximum(0, 1 - (r - f))), rtol=1e-5)


# ------------------------------------------------- penalties over every scale


class TwoInputLinear(keras.Model):
    """f([a, b]) = sum(w_a * a) + sum(w_b * b) per example (known gradients)."""

    def __init__(self, w_a, w_b, **kwargs):
        super().__init__(**kwargs)
        vars(self)["w"] = (tf.constant(w_a), tf.constant(w_b))

    def call(self, inputs, training=False):
        a, b = inputs
        return (tf.reduce_sum(self.w[0] * a, axis=[1, 2, 3])
                + tf.reduce_sum(self.w[1] * b, axis=[1, 2, 3]))[:, None]


def test_penalties_take_every_input_of_a_multi_input_critic():
    rng = np.random.default_rng(0)
    w_a = rng.standard_normal((2, 2, 1)).astype("float32")
    w_b = rng.standard_normal((4, 4, 1)).astype("float32")
    critic = TwoInputLinear(w_a, w_b)
    real = [rng.standard_normal((3, 2, 2, 1)).astype("float32"),
            rng.standard_normal((3, 4, 4, 1)).astype("float32")]
    fake = [rng.standard_normal((3, 2, 2, 1)).astype("float32"),
            rng.standard_normal((3, 4, 4, 1)).astype("float32")]
    squares = float(np.sum(w_a ** 2) + np.sum(w_b ** 2))  # ||grad||^2 over both inputs
    np.testing.assert_allclose(float(losses.r1_penalty(critic, real)), squares, rtol=1e-5)
    gp = losses.gradient_penalty(critic, real, fake, alpha=np.full((3, 1, 1, 1), 0.3, "float32"))
    np.testing.assert_allclose(float(gp), (np.sqrt(squares) - 1.0) ** 2, rtol=1e-5)
    # only the finest input: what BMSG-GAN issue 34 computed; it is not this
    assert abs(float(gp) - (np.sqrt(np.sum(w_b ** 2)) - 1.0) ** 2) > 1e-3
    with pytest.raises(ValueError, match="real and fake must have the same structure"):
        losses.gradient_penalty(critic, real, fake[1])

    class IgnoresFirst(keras.Model):
        def call(self, inputs, training=False):
            return tf.reduce_sum(inputs[1], axis=[1, 2, 3])[:, None]

    with pytest.raises(ValueError, match=r"do not depend on its input images \(input \[0\] of 2\)"):
        losses.r1_penalty(IgnoresFirst(), real)


@pytest.mark.parametrize("penalty", ["gradient_penalty", "r1"])
def test_model_penalty_differentiates_with_respect_to_every_scale(penalty):
    model = tiny(image_shape=(32, 32, 1), penalty=penalty, seed=0)
    x = images(n=4)
    real = [tf.constant(p) for p in np_pyramid(x, 4)]
    fake = [tf.constant(p) for p in np_pyramid(images(n=4, seed=3), 4)]
    alpha = np.full((4, 1, 1, 1), 0.25, "float32")
    model.random_uniform = lambda shape, minval=0.0, maxval=1.0: tf.constant(alpha)
    value = float(model._penalty(real, fake))
    # by hand: D's gradient with respect to each scale at the same points
    points = real if penalty == "r1" else [0.25 * r + 0.75 * f for r, f in zip(real, fake)]
    with tf.GradientTape() as tape:
        tape.watch(points)
        score = tf.reduce_sum(model.discriminator(points, training=True))
    grads = tape.gradient(score, points)
    per_scale = [np.sum(g.numpy().reshape(4, -1) ** 2, axis=1) for g in grads]
    for k, sq in enumerate(per_scale):
        assert np.all(sq > 0), f"D's gradient with respect to scale {k} is zero"
    total = np.sum(per_scale, axis=0)
    want = np.mean(total) if penalty == "r1" else np.mean((np.sqrt(total) - 1.0) ** 2)
    np.testing.assert_allclose(value, want, rtol=1e-4)
    finest_only = (np.mean(per_scale[-1]) if penalty == "r1"
                   else np.mean((np.sqrt(per_scale[-1]) - 1.0) ** 2))
    assert abs(value - finest_only) > 1e-6 * max(1.0, abs(value))
    # perturbing only the coarsest scale's input changes the penalty
    moved = [real[0] + 0.3 * tf.constant(np.random.default_rng(9).standard_normal(
        real[0].shape).astype("float32"))] + real[1:]
    assert abs(float(model._penalty(moved, fake)) - value) > 1e-7


def test_wgan_gp_trains_and_logs_its_penalty():
    model = tiny(loss="wasserstein", penalty="gradient_penalty", seed=0)
    model.compile()
    history = model.fit(model.example_data(), epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "penalty"}
    assert all(np.isfinite(v).all() for v in history.history.values())
    assert history.history["penalty"][-1] > 0


# ------------------------------------------------------ sampling and exports


def test_ema_save_reload_and_the_pyramid_signature(tmp_path):
    model = tiny(ema=0.9, seed=0)
    model.compile()
    model.fit(model.example_data(), epochs=1, verbose=0)
    z = latents(model)
    assert not np.allclose(keras.ops.convert_to_numpy(model(z)),
                           keras.ops.convert_to_numpy(model.generate(z)))  # EMA samples
    path = str(tmp_path / "msggan.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    np.testing.assert_array_equal(again.sample(5, seed=3), model.sample(5, seed=3))
    served = tf.saved_model.load(export.saved_model(model, str(tmp_path / "sm")))
    assert set(served.signatures) == {"serving_default", "pyramid"}
    fn = served.signatures["serving_default"]
    assert list(fn.structured_input_signature[1]) == ["z"]
    np.testing.assert_allclose(fn(z=tf.constant(z))["images"].numpy(),
                               keras.ops.convert_to_numpy(model.generate(z)), atol=1e-5)
    pyr = served.signatures["pyramid"](z=tf.constant(z))
    assert sorted(pyr) == ["images_16", "images_4", "images_8"]
    for s, want in zip(model.sizes, model.generate_pyramid(z)):
        np.testing.assert_allclose(pyr[f"images_{s}"].numpy(),
                                   keras.ops.convert_to_numpy(want), atol=1e-5)
    lite = litert_run(export.tflite(model, str(tmp_path / "m.tflite")), "serving_default", z=z)
    np.testing.assert_allclose(lite["images"], fn(z=tf.constant(z))["images"].numpy(),
                               atol=1e-4)


# ----------------------------------------------------------- own networks


def test_own_networks_train_and_reload(tmp_path):
    g = msggan_generator((16, 16, 1), latent_dim=5, width=4, max_width=8, name="my_g")
    d = msggan_discriminator((16, 16, 1), width=4, max_width=8, combine="cat",
                             minibatch_std=False, name="my_d")
    model = tiny(generator=g, discriminator=d, seed=0)
    assert model.generator is g and model.discriminator is d
    assert model.latent_dim == 5  # taken from G
    model.compile()
    before = {"g": weights_of(g), "d": weights_of(d)}
    model.fit(model.example_data(), epochs=1, verbose=0)
    assert changed(before["g"], weights_of(g)) and changed(before["d"], weights_of(d))
    path = str(tmp_path / "own.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    assert again.generator.name == "my_g" and again.discriminator.name == "my_d"
    np.testing.assert_allclose(again.sample(3, seed=1), model.sample(3, seed=1), atol=1e-6)


# ------------------------------------------------------------- bad inputs


def test_networks_that_do_not_fit_are_one_clear_error():
    single = keras_gans.networks.dcgan_generator((16, 16, 1), latent_dim=8, width=4)
    with pytest.raises(ValueError, match=r"The generator outputs \[\(16, 16, 1\)\]; an MSGGAN "
                                         r"at \(16, 16, 1\) needs one image per scale, "
                                         r"coarsest first: \[\(4, 4, 1\), \(8, 8, 1\), "
                                         r"\(16, 16, 1\)\]"):
        tiny(generator=single)
    finest_only = keras_gans.networks.dcgan_discriminator((16, 16, 1), width=4)
    with pytest.raises(ValueError, match=r"The discriminator maps \[\(16, 16, 1\)\] -> "
                                         r"\[\(1,\)\]; an MSGGAN at \(16, 16, 1\) needs every "
                                         r"scale, coarsest first"):
        tiny(discriminator=finest_only)
    wrong_size = msggan_discriminator((32, 32, 1), width=4, max_width=8, minibatch_std=False)
    with pytest.raises(ValueError, match=r"The discriminator maps \[\(4, 4, 1\), \(8, 8, 1\), "
                                         r"\(16, 16, 1\), \(32, 32, 1\)\]"):
        tiny(discriminator=wrong_size)


def test_bad_arguments_are_refused_clearly():
    with pytest.raises(ValueError, match="MSGGAN does not take augment: its D judges every "
                                         "scale of an image together"):
        tiny(augment="diffaugment")
    tiny(augment=None)  # none of it: fine
    with pytest.raises(ValueError, match="penalty must be one of 'gradient_penalty', 'r1'"):
        tiny(penalty="wgan")
    with pytest.raises(ValueError, match="d_combine must be one of 'simple', 'cat'"):
        tiny(d_combine="sum")
    with pytest.raises(ValueError, match="loss must be one of"):
        tiny(loss="rahinge")
    with pytest.raises(ValueError, match="Unsupported image size 36x36"):
        tiny(image_shape=(36, 36, 1))
    with pytest.raises(ValueError, match="combine must be one of 'simple', 'cat'"):
        msggan_discriminator((16, 16, 1), combine="sum")


def test_training_data_of_the_wrong_shape_is_a_clear_error():
    model = tiny()
    model.compile()
    with pytest.raises(ValueError, match=r"has images of shape \(32, 32, 1\) but this MSGGAN "
                                         r"was built for \(16, 16, 1\)"):
        model.fit(np.zeros((8, 32, 32, 1), "float32"), epochs=1, verbose=0)
