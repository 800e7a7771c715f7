"""Steps as data (issue 13): lazy steps, conditions, logs, several players and a
non-adversarial model, all through the base classes with no train_step of
their own."""

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras import layers, ops
from keras_gans import testing
from keras_gans.models import GAN, GenerativeModel, Step
from keras_gans.models.dcgan import DCGAN

TINY = dict(image_shape=(16, 16, 1), latent_dim=8, g_width=4, d_width=4)


def images(n, shape=(16, 16, 1), seed=0, batch_size=4):
    x = np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(batch_size, drop_remainder=True)


@keras.saving.register_keras_serializable(package="keras_gans_tests")
class LazyDCGAN(DCGAN):
    """DCGAN plus a D regularizer every 4 steps that counts when it runs."""

    metric_names = ("d_loss", "g_loss", "reg_loss", "never_loss")

    def __init__(self, every=4, **kwargs):
        super().__init__(**kwargs)
        self.every = int(every)
        self.reg_calls = self.add_weight(shape=(), dtype="int64", initializer="zeros",
                                         trainable=False, name="reg_calls")
        self.reg_steps = self.add_weight(shape=(), dtype="int64", initializer="zeros",
                                         trainable=False, name="reg_steps")
        self.never_calls = self.add_weight(shape=(), dtype="int64", initializer="zeros",
                                           trainable=False, name="never_calls")

    def build_steps(self):
        return super().build_steps() + [
            Step("reg", trains="discriminator", loss="reg_loss", optimizer="d",
                 every=self.every),
            Step("never", trains="generator", loss="never_loss", optimizer="g",
                 when="never"),
        ]

    def reg_loss(self, real):
        self.reg_calls.assign_add(1)
        self.reg_steps.assign_add(ops.cast(2, "int64") ** self.step_counter)  # a bit per step
        loss = 1e-3 * ops.mean(ops.square(self.discriminator(real, training=True)))
        return loss, {"reg_loss": loss}

    def never(self):
        return ops.convert_to_tensor(False)

    def never_loss(self, real):
        self.never_calls.assign_add(1)  # traced, but never run
        loss = ops.mean(self.generator(self.sample_latent(2), training=True))
        return loss, {"never_loss": loss}


def test_lazy_step_runs_exactly_every_k_steps_with_corrected_optimizer(tmp_path):
    model = LazyDCGAN(every=4, **TINY)
    model.compile()
    history = model.fit(images(36), epochs=1, verbose=0)  # 9 train steps: 0..8
    assert int(model.step_counter) == 9
    assert int(model.reg_calls) == 3  # computed on steps 0, 4 and 8 only
    assert int(model.reg_steps) == 2**0 + 2**4 + 2**8
    assert int(model.d_optimizer.iterations) == 9 + 3  # D's loss 9 times, reg 3 times
    assert int(model.g_optimizer.iterations) == 9
    assert int(model.never_calls) == 0  # a step whose condition is False is not computed
    # The values a step did not compute are absent from the logs, not 0.
    assert "never_loss" not in history.history and history.history["reg_loss"][0] > 0

    # StyleGAN2's correction of the lazy step's optimizer: lr * c, beta ** c.
    c = 4 / 5
    d, g = model.d_optimizer, model.g_optimizer
    np.testing.assert_allclose(float(d.learning_rate), 2e-4 * c, rtol=1e-6)
    np.testing.assert_allclose([d.beta_1, d.beta_2], [0.5**c, 0.999**c], rtol=1e-6)
    np.testing.assert_allclose([float(g.learning_rate), g.beta_1, g.beta_2], [2e-4, 0.5, 0.999],
                               rtol=1e-6)

    # Reloading applies the correction once, not twice.
    path = str(tmp_path / "lazy.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_allclose(float(reloaded.d_optimizer.learning_rate), 2e-4 * c, rtol=1e-6)
    np.testing.assert_allclose(reloaded.d_optimizer.beta_1, 0.5**c, rtol=1e-6)
    assert int(reloaded.step_counter) == 9


def test_lazy_step_uses_the_corrected_rate_in_its_update():
    """One SGD-free check that the update itself is Adam at the corrected
    settings: D's weights after step 0 equal a hand-run Adam(lr*c, b**c)."""
    model = LazyDCGAN(every=2, **TINY)
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9),
                  g_optimizer=keras.optimizers.Adam(1e-3))
    c = 2 / 3
    d = model.d_optimizer
    assert np.isclose(float(d.learning_rate), 1e-3 * c) and np.isclose(d.beta_1, 0.5**c)
    assert np.isclose(d.beta_2, 0.9**c)


def test_compile_names_every_group_and_refuses_unknown_ones():
    model = keras_gans.get("triple_gan", **keras_gans.registry.tiny_config("triple_gan"))
    assert model.optimizer_names == ("d", "g", "c")
    model.compile(c_optimizer=keras.optimizers.Adam(1e-3))
    assert np.isclose(float(model.c_optimizer.learning_rate), 1e-3)
    assert [type(o).__name__ for o in model.optimizer.optimizers] == ["Adam"] * 3
    with pytest.raises(ValueError, match=r"no optimizer group \['x'\].*d_optimizer, "
                                         r"g_optimizer, c_optimizer"):
        model.compile(x_optimizer="adam")
    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="optimizer object of its own"):
        model.compile(d_optimizer=shared, c_optimizer=shared)


def mlp_generator(latent_dim=4, shape=(8, 8, 1), name="generator"):
    z = keras.Input((latent_dim,))
    x = layers.Dense(16, activation="relu")(z)
    x = layers.Dense(int(np.prod(shape)), activation="tanh")(x)
    return keras.Model(z, layers.Reshape(shape)(x), name=name)


def mlp_discriminator(shape=(8, 8, 1), name="discriminator"):
    x_in = keras.Input(shape)
    x = layers.Flatten()(x_in)
    x = layers.Dense(16, activation="relu")(x)
    return keras.Model(x_in, layers.Dense(1)(x), name=name)


class ThreeCritics(GAN):
    """GMAN-style: one G against three Ds (mean of their losses)."""

    player_names = ("generator", "discriminators")

    def __init__(self, image_shape=(8, 8, 1), latent_dim=4, **kwargs):
        super().__init__(image_shape, latent_dim, **kwargs)
        self.set_players(
            generator=lambda: mlp_generator(self.latent_dim, self.image_shape),
            discriminators=lambda: [mlp_discriminator(self.image_shape, f"d{i}")
                                    for i in range(3)])

    def discriminator_step_networks(self):
        return self.discriminators

    def discriminator_loss(self, real, fake):
        losses = [self.d_loss_fn(d(real, training=True), d(fake, training=True))
                  for d in self.discriminators]
        loss = ops.mean(ops.stack(losses))
        return loss, {"d_loss": loss}

    def generator_loss(self, real, z):
        fake = self.generator(z, training=True)
        loss = ops.mean(ops.stack([self.g_loss_fn(d(fake, training=True))
                                   for d in self.discriminators]))
        return loss, {"g_loss": loss}


class TwoHeads(GAN):
    """MAD-GAN-style: two generators that share a trunk, one D."""

    player_names = ("generator", "generator_2", "discriminator")

    def __init__(self, image_shape=(8, 8, 1), latent_dim=4, **kwargs):
        super().__init__(image_shape, latent_dim, **kwargs)
        trunk = layers.Dense(16, activation="relu", name="trunk")
        z = keras.Input((self.latent_dim,))
        h = trunk(z)

        def head(name):
            x = layers.Dense(int(np.prod(self.image_shape)), activation="tanh")(h)
            return keras.Model(z, layers.Reshape(self.image_shape)(x), name=name)

        self.set_players(generator=head("g1"), generator_2=head("g2"),
                         discriminator=lambda: mlp_discriminator(self.image_shape))

    def generator_step_networks(self):
        return [self.generator, self.generator_2]

    def generate_fakes(self, z):
        half = ops.shape(z)[0] // 2
        return ops.concatenate([self.generator(z[:half], training=True),
                                self.generator_2(z[half:], training=True)], axis=0)

    def generator_loss(self, real, z):
        fake = self.generate_fakes(z)
        loss = self.g_loss_fn(self.discriminator(fake, training=True))
        return loss, {"g_loss": loss}


@pytest.mark.parametrize("cls", [ThreeCritics, TwoHeads])
def test_several_players_train_through_the_base_class(cls, tmp_path):
    assert "train_step" not in vars(cls)
    model = cls()
    model.compile()
    nets = testing.networks_of(model)
    before = {n: testing.weights_of(net) for n, net in nets.items()}
    history = model.fit(images(16, (8, 8, 1)), epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0]) and np.isfinite(history.history["g_loss"][0])
    for n, net in nets.items():
        assert testing.changed(before[n], testing.weights_of(net)), n
    for group, nets_of_group in (("d", model.discriminator_step_networks()),
                                 ("g", model.generator_step_networks())):
        nets_of_group = nets_of_group if isinstance(nets_of_group, list) else [nets_of_group]
        want = {id(v) for n in nets_of_group for v in n.trainable_variables}
        # each variable once, even the trunk both generators share
        assert len(model.optimizers[group]._trainable_variables) == len(want)
    assert model.sample(3, seed=0).shape == (3, 8, 8, 1)


def test_shared_trunk_is_updated_once_per_step():
    model = TwoHeads()
    model.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    trunk = model.generator.get_layer("trunk")
    assert trunk is model.generator_2.get_layer("trunk")
    w0 = np.array(trunk.kernel)
    model.fit(images(4, (8, 8, 1)), epochs=1, verbose=0)
    assert not np.allclose(w0, np.array(trunk.kernel))


class TinyAutoencoder(GenerativeModel):
    """Not adversarial: Keras' own compile(optimizer, loss) and fit."""

    player_names = ("encoder", "generator")

    def __init__(self, image_shape=(8, 8, 1), latent_dim=4, **kwargs):
        super().__init__(image_shape, latent_dim, **kwargs)
        x_in = keras.Input(self.image_shape)
        code = layers.Dense(self.latent_dim)(layers.Flatten()(x_in))
        self.set_players(encoder=keras.Model(x_in, code, name="encoder"),
                         generator=lambda: mlp_generator(self.latent_dim, self.image_shape))

    def call(self, x, training=False):
        return self.generator(self.encoder(x, training=training), training=training)


def test_non_adversarial_model_on_generative_model(tmp_path):
    from keras_gans import export

    model = TinyAutoencoder()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    x = np.random.default_rng(0).uniform(-1, 1, (64, 8, 8, 1)).astype("float32")
    history = model.fit(x, x, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    samples = model.sample(4, seed=0)
    assert samples.shape == (4, 8, 8, 1) and np.all(np.abs(samples) <= 1)
    np.testing.assert_array_equal(samples, model.sample(4, seed=0))

    z = np.random.default_rng(1).standard_normal((4, 4)).astype("float32")
    path = export.saved_model(model, str(tmp_path / "ae"))
    out = tf.saved_model.load(path).signatures["serving_default"](z=tf.constant(z))["images"]
    np.testing.assert_allclose(out.numpy(), ops.convert_to_numpy(model.generate(z)), atol=1e-5)


class RecordingDCGAN(DCGAN):
    """DCGAN that records, for each of its D updates, the sum and the size
    of the real batch that update saw."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen_sums = self.add_weight(shape=(4,), initializer="zeros", trainable=False,
                                         name="seen_sums")
        self.seen_sizes = self.add_weight(shape=(4,), initializer="zeros", trainable=False,
                                          name="seen_sizes")
        self.d_calls = self.add_weight(shape=(), dtype="int32", initializer="zeros",
                                       trainable=False, name="d_calls")

    def discriminator_step_loss(self, real):
        which = ops.one_hot(self.d_calls, 4)
        self.seen_sums.assign_add(which * ops.sum(real))
        self.seen_sizes.assign_add(which * ops.cast(ops.shape(real)[0], "float32"))
        self.d_calls.assign_add(1)
        return super().discriminator_step_loss(real)


def numbered_batch(n=4):
    """One batch of n images, image i filled with (i + 1) / 10."""
    x = np.ones((n, 16, 16, 1), "float32") * (np.arange(1, n + 1, dtype="float32") / 10.0)[:, None, None, None]
    return x, tf.data.Dataset.from_tensor_slices(x).batch(n, drop_remainder=True)


@pytest.mark.parametrize("split", [False, True])
def test_split_critic_batch_gives_each_critic_update_its_own_part_of_the_real_batch(split):
    x, data = numbered_batch(4)
    model = RecordingDCGAN(n_critic=2, split_critic_batch=split, **TINY)
    model.compile()
    model.fit(data, epochs=1, verbose=0)
    sums, sizes = ops.convert_to_numpy(model.seen_sums), ops.convert_to_numpy(model.seen_sizes)
    assert int(ops.convert_to_numpy(model.d_calls)) == 2
    if split:  # WGAN's Algorithm 1: a real batch of its own per critic update
        np.testing.assert_allclose(sizes[:2], [2, 2])
        np.testing.assert_allclose(sums[:2], [x[:2].sum(), x[2:].sum()], rtol=1e-5)
    else:  # the whole batch, twice
        np.testing.assert_allclose(sizes[:2], [4, 4])
        np.testing.assert_allclose(sums[:2], [x.sum(), x.sum()], rtol=1e-5)


def test_split_critic_batch_refuses_a_batch_smaller_than_n_critic_and_survives_save(tmp_path):
    _, data = numbered_batch(2)
    model = keras_gans.get("wgan", n_critic=3, split_critic_batch=True, **TINY)
    model.compile()
    with pytest.raises(ValueError, match="at least 3 per replica"):
        model.fit(data, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras")
    assert again.split_critic_batch is True and again.n_critic == 3
    assert "split_batch='split_critic_batch'" in repr(again.steps[0])
