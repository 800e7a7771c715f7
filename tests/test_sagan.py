"""SAGAN and YLG (issue 18): the base option that calls D once on the
concatenated real and generated batch, the models' wiring and training."""

import numpy as np
import pytest

import keras
import keras_gans
from keras import layers, ops
from keras_gans import registry
from keras_gans.models.base import random_image_batches


class TrainingCalls(layers.Layer):
    """Identity that counts its training-mode calls in a variable (what a
    spectral norm's power iteration would do once per call)."""

    def build(self, input_shape):
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     name="calls")

    def call(self, x, training=False):
        if training:
            self.calls.assign_add(1.0)
        return x


def counting_discriminator(image_shape):
    x_in = keras.Input(image_shape)
    counter = TrainingCalls(name="counter")
    x = counter(x_in)
    x = layers.Flatten()(x)
    out = layers.Dense(1)(x)
    return keras.Model(x_in, out), counter


@pytest.mark.parametrize("joint, calls", [(False, 3.0), (True, 2.0)])
def test_joint_discriminator_call_runs_d_once_per_d_step(joint, calls):
    # One train step: the D step calls D twice (real, fake) or once (joint),
    # the G step once more.
    config = registry.tiny_config("sngan")
    d, counter = counting_discriminator(config["image_shape"])
    model = keras_gans.get("sngan", **config, discriminator=d)
    model.joint_discriminator_call = joint
    model.compile()
    model.fit(random_image_batches(config["image_shape"], batches=1), epochs=1, verbose=0)
    assert float(counter.calls.numpy()) == calls


def test_joint_call_splits_structured_inputs_and_outputs():
    # (images, labels) inputs, two outputs: the joint call gives what two calls give.
    img_in, lab_in = keras.Input((4, 4, 1)), keras.Input((), dtype="int32")
    feat = layers.Dense(3)(layers.Flatten()(img_in))
    emb = layers.Flatten()(layers.Embedding(10, 3)(lab_in))
    d = keras.Model([img_in, lab_in], [layers.Dense(1)(feat), layers.Add()([feat, emb])])
    model = keras_gans.get("sngan", **registry.tiny_config("sngan"))
    rng = np.random.default_rng(0)
    real = [rng.uniform(-1, 1, (3, 4, 4, 1)).astype("float32"), np.array([1, 2, 3], "int32")]
    fake = [rng.uniform(-1, 1, (3, 4, 4, 1)).astype("float32"), np.array([4, 5, 6], "int32")]
    model.joint_discriminator_call = False
    two = model.discriminator_real_fake(real, fake, discriminator=d)
    model.joint_discriminator_call = True
    one = model.discriminator_real_fake(real, fake, discriminator=d)
    for a, b in zip(keras.tree.flatten(two), keras.tree.flatten(one)):
        np.testing.assert_allclose(ops.convert_to_numpy(a), ops.convert_to_numpy(b), atol=1e-6)
    assert ops.shape(one[0][0]) == (3, 1) and ops.shape(one[1][1]) == (3, 3)
    with pytest.raises(ValueError, match="same structure"):
        model.discriminator_real_fake(real, fake[0], discriminator=d)


def test_joint_call_keeps_ada_real_outputs():
    config = registry.tiny_config("sngan")
    model = keras_gans.get("sngan", **config, augment="ada")
    model.joint_discriminator_call = True
    # ADA's r_t is read from the real half of the joint call only.
    d = keras.Sequential([keras.Input(config["image_shape"]), layers.Flatten(),
                          layers.Dense(1)])
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (6, *config["image_shape"])).astype("float32")
    fake = rng.uniform(-1, 1, (6, *config["image_shape"])).astype("float32")
    real_logits, _ = model.discriminator_real_fake(real, fake, discriminator=d)
    model.record_real_outputs(real_logits)
    want = np.mean(np.sign(ops.convert_to_numpy(d(real))))
    assert float(vars(model)["_ada_rt"]) == pytest.approx(want)
    assert ops.shape(real_logits) == (6, 1)
    model.compile()
    history = model.fit(random_image_batches(config["image_shape"], batches=2), epochs=1,
                        verbose=0)
    assert np.isfinite(history.history["ada_p"][-1])


# ------------------------------------------------------------------ sagan, ylg


def tiny(name="sagan", **overrides):
    config = registry.tiny_config(name)
    config.update(overrides)
    return keras_gans.get(name, **config)


def layers_of(network, kind):
    return [layer for layer in network.layers if isinstance(layer, kind)]


@pytest.mark.parametrize("name, kind", [("sagan", keras_gans.layers.SelfAttention),
                                        ("ylg", keras_gans.layers.LocalSparseAttention)])
def test_attention_at_half_the_side_in_g_and_d(name, kind):
    model = keras_gans.get(name)  # the preset: 32 px
    for net in (model.generator, model.discriminator):
        (attention,) = layers_of(net, kind)
        assert tuple(attention.input.shape[1:3]) == (16, 16), net.name
        # D's attention is spectrally normalized, by default in the paper's form
        assert attention.spectral_norm == ("through_sigma" if net is model.discriminator else False)
    if name == "ylg":
        assert attention.heads == 8
        assert not layers_of(model.generator, keras_gans.layers.SelfAttention)


def test_spectral_norm_on_every_weight_layer_of_d_and_of_g_on_request():
    # Keras' form on request (the paper's, the default, is checked below)
    model = keras_gans.get("sagan", g_spectral_norm=True, sn_through_sigma=False)
    assert not layers_of(keras_gans.get("sagan", sn_through_sigma=False).generator,
                         layers.SpectralNormalization)
    for net in (model.generator, model.discriminator):
        wrapped = layers_of(net, layers.SpectralNormalization)
        assert wrapped, net.name
        bare = [la for la in net.layers
                if isinstance(la, (layers.Conv2D, layers.Conv2DTranspose, layers.Dense))]
        assert not bare, [la.name for la in bare]
    # every 1x1 conv of the attention blocks too
    (attention,) = layers_of(model.discriminator, keras_gans.layers.SelfAttention)
    assert all(isinstance(c, layers.SpectralNormalization)
               for c in (attention.query_conv, attention.key_conv, attention.value_conv,
                         attention.output_conv))


@pytest.mark.parametrize("name", ["sagan", "ylg"])
def test_hinge_loss_and_ttur_adam(name):
    model = tiny(name)
    model.compile()
    assert model.loss_name == "hinge"
    # ylg's minibatch std must not group real with generated images: two D calls.
    assert model.joins_real_and_generated() == (name == "sagan")
    d, g = model.optimizers["d"], model.optimizers["g"]
    for opt, lr in ((d, 4e-4), (g, 1e-4)):
        assert isinstance(opt, keras.optimizers.Adam)
        assert float(opt.learning_rate) == pytest.approx(lr)
        assert (opt.beta_1, opt.beta_2) == (0.0, 0.9)


@pytest.mark.parametrize("name", ["sagan", "ylg"])
def test_ttur_false_compiles_sngans_setting_c_and_is_kept_by_a_reload(name, tmp_path):
    model = tiny(name, ttur=False)
    model.compile()
    for opt in (model.optimizers["d"], model.optimizers["g"]):
        assert float(opt.learning_rate) == pytest.approx(2e-4)
        assert (opt.beta_1, opt.beta_2) == (0.5, 0.999)
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    assert again.ttur is False
    again.compile()  # a reloaded model compiled afresh gets the same Adam
    assert float(again.optimizers["g"].learning_rate) == pytest.approx(2e-4)
    assert again.optimizers["g"].beta_1 == 0.5
    assert tiny(name, ttur=True).ttur is True


def test_sagan_calls_d_once_per_d_step():
    config = registry.tiny_config("sagan")
    d, counter = counting_discriminator(config["image_shape"])
    model = keras_gans.get("sagan", **config, discriminator=d)
    model.compile()
    model.fit(random_image_batches(config["image_shape"], batches=1), epochs=1, verbose=0)
    assert float(counter.calls.numpy()) == 2.0  # D step once, G step once


def test_ylg_differs_from_sagan_only_in_the_attention_block():
    def kinds(net):
        return [type(la).__name__ for la in net.layers]

    # ylg's preset adds D's minibatch std (d_minibatch_std=4); sagan takes it too.
    sagan, ylg = keras_gans.get("sagan", d_minibatch_std=4), keras_gans.get("ylg")
    assert "MinibatchStdDev" in kinds(ylg.discriminator)
    for a, b in ((sagan.generator, ylg.generator), (sagan.discriminator, ylg.discriminator)):
        swapped = [k.replace("SelfAttention", "LocalSparseAttention") for k in kinds(a)]
        assert swapped == kinds(b)
        assert a.count_params() == b.count_params()  # the masks are no weights
    assert isinstance(ylg, keras_gans.models.sagan.SAGAN)


def test_clear_errors():
    from keras_gans.networks.sagan import sagan_discriminator

    with pytest.raises(ValueError, match="always spectrally normalized"):
        sagan_discriminator((16, 16, 1), width=8, spectral_norm=False)
    with pytest.raises(ValueError, match="channels must be divisible by 64"):
        keras_gans.get("ylg", g_width=32)
    with pytest.raises(ValueError, match="attention_at=5 is not the side"):
        keras_gans.get("sagan", attention_at=5)
    with pytest.raises(ValueError, match="heads must be a positive int"):
        keras_gans.get("ylg", heads=0)
    with pytest.raises(ValueError, match="num_classes must be"):
        keras_gans.get("sagan", num_classes="ten")


@pytest.mark.parametrize("name", ["sagan", "ylg"])
def test_num_classes_makes_the_conditional_twin(name, tmp_path):
    from keras_gans.layers import ConditionalBatchNorm, ProjectionHead
    from keras_gans.models.conditional import ConditionalGAN
    from keras_gans.testing import run_model_test

    model = tiny(name, num_classes=10)
    assert isinstance(model, ConditionalGAN) and isinstance(model, type(tiny(name)))
    assert model.requires_labels and not type(tiny(name)).__dict__.get("requires_labels")
    assert layers_of(model.generator, ConditionalBatchNorm)
    assert not layers_of(model.generator, keras_gans.layers.BatchNorm)
    assert layers_of(model.discriminator, ProjectionHead)
    model.compile()
    run_model_test(model, str(tmp_path))  # trains, reloads, SavedModel and LiteRT agree
    # The projection: the same images, another label, another logit.
    images = np.random.default_rng(0).uniform(-1, 1, (4, *model.image_shape)).astype("float32")
    a = model.discriminator([images, np.zeros(4, "int32")])
    b = model.discriminator([images, np.full(4, 7, "int32")])
    assert not np.allclose(ops.convert_to_numpy(a), ops.convert_to_numpy(b))
    samples = model.sample(4, seed=0, labels=3)
    assert samples.shape == (4, *model.image_shape)


def test_training_with_num_classes_set_loads_labels(tmp_path):
    """`keras-gans train sagan --set num_classes=10` builds the conditional
    twin, so the data must come with labels (it once loaded images only and
    failed in the first step)."""
    from keras_gans import training
    from keras_gans.models.conditional import ConditionalGAN

    config = registry.tiny_config("sagan")
    overrides = {k: v for k, v in config.items() if k != "image_shape"}
    result = training.run("sagan", "digits", image_size=16, epochs=1, steps_per_epoch=1, seed=0,
                          export=False, run_dir=str(tmp_path / "run"), verbose=False,
                          overrides={**overrides, "num_classes": 10})
    assert not result.state.went_non_finite and result.state.last_good_epoch == 1
    assert result.settings["data_options"]["labels"] is True
    model = keras.saving.load_model(result.paths["model"])
    assert isinstance(model, ConditionalGAN) and model.num_classes == 10


@pytest.mark.parametrize("name", ["sagan", "ylg"])
def test_sn_through_sigma_wraps_every_weight_layer_and_reloads(name, tmp_path):
    model = tiny(name, g_spectral_norm=True)  # the paper's form is the default
    through = keras_gans.layers.ThroughSigmaSpectralNorm
    for net in (model.generator, model.discriminator):
        assert layers_of(net, through), net.name
        assert not layers_of(net, layers.SpectralNormalization), net.name
        (attention,) = [la for la in net.layers if hasattr(la, "query_conv")]
        assert attention.spectral_norm == "through_sigma"
        assert isinstance(attention.query_conv, through)
    model.compile()
    before = ops.convert_to_numpy(model.discriminator.get_layer("sn_conv0").layer.kernel)
    model.fit(random_image_batches(model.image_shape, 2, 4), epochs=1, verbose=0)
    after = ops.convert_to_numpy(model.discriminator.get_layer("sn_conv0").layer.kernel)
    # the variable keeps the raw kernel, stepped by Adam; Keras' wrapper would
    # have left W / sigma there, whose largest singular value is 1
    assert not np.allclose(before, after)
    assert abs(np.linalg.svd(after.reshape(-1, after.shape[-1]), compute_uv=False)[0] - 1.0) > 0.05
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    images = np.asarray(model.sample(4, seed=1))
    np.testing.assert_allclose(np.asarray(again.sample(4, seed=1)), images, atol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(again.discriminator(images)),
                               ops.convert_to_numpy(model.discriminator(images)), atol=1e-5)
