"""The conditional and latent-code family: conditions, errors, extra players, samplers."""

import os

import numpy as np
import pytest
import tensorflow as tf

import keras
import keras_gans
from keras_gans import export, inference
from helpers import tiny_dataset, tiny_labelled_dataset, tiny_model


@pytest.fixture(scope="module")
def cgan():
    m = tiny_model("cgan")
    m.fit(tiny_labelled_dataset(m.image_shape, 10), verbose=0)
    return m


def test_labels_change_the_images_and_are_validated(cgan):
    a = cgan.sample(4, seed=0, labels=1)
    b = cgan.sample(4, seed=0, labels=2)
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(cgan.sample(4, seed=0, labels=[1, 1, 1, 1]), a)
    np.testing.assert_array_equal(cgan.sample(4, seed=0, labels=np.float32(1)), a)
    with pytest.raises(ValueError, match="is conditional: pass labels"):
        cgan.sample(4)
    with pytest.raises(ValueError, match="Label 10 is out of range.*10 classes"):
        cgan.sample(2, labels=[0, 10])
    with pytest.raises(ValueError, match="Label -1 is out of range"):
        cgan.generate(np.zeros((1, cgan.latent_dim), "float32"), labels=[-1])
    with pytest.raises(ValueError, match="3 labels for 2 images"):
        cgan.sample(2, labels=[0, 1, 2])
    with pytest.raises(ValueError, match="integers"):
        cgan.sample(2, labels=[0.5, 1])
    with pytest.raises(ValueError, match="not codes"):
        cgan.sample(2, labels=1, codes=np.zeros((2, 3)))


def test_conditional_model_needs_labelled_data(cgan):
    with pytest.raises(ValueError, match="labels=True"):
        cgan.fit(tiny_dataset(cgan.image_shape), verbose=0)


def test_preview_cycles_through_the_classes(cgan):
    z = np.random.default_rng(0).standard_normal((12, cgan.latent_dim)).astype("float32")
    want = cgan.generate(z, labels=np.arange(12) % 10)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(cgan.preview(z)), want, atol=1e-6)


def test_infogan_codes():
    m = tiny_model("infogan")  # tiny: 3 categories, 2 continuous
    assert m.code_dim == 5 and not m.requires_labels
    codes = m.make_codes(categories=[0, 2], continuous=[[0.5, -0.5], [0.0, 1.0]])
    np.testing.assert_array_equal(codes, [[1, 0, 0, 0.5, -0.5], [0, 0, 1, 0, 1]])
    one = m.make_codes(categories=1, num=3, rng=np.random.default_rng(0))
    assert one.shape == (3, 5) and np.all(one[:, 1] == 1) and np.all(np.abs(one[:, 3:]) <= 1)
    a = m.sample(2, seed=0, codes=codes)
    b = m.sample(2, seed=0, codes=m.make_codes(categories=[1, 2], continuous=[[0.5, -0.5], [0.0, 1.0]]))
    assert not np.allclose(a[0], b[0]) and np.allclose(a[1], b[1])
    assert m.sample(3, seed=4).shape == (3, 16, 16, 1)  # codes from the prior
    with pytest.raises(ValueError, match="Category 3 is out of range"):
        m.make_codes(categories=[3])
    with pytest.raises(ValueError, match=r"codes must be \[2, 5\]"):
        m.sample(2, codes=np.zeros((2, 4)))
    with pytest.raises(ValueError, match="not labels"):
        m.sample(2, labels=1)
    from keras_gans.models.infogan import code_sweep

    sweep, cols = code_sweep(3, 2, 0, rows=2, seed=0)
    assert cols == 3 and sweep.shape == (6, 5)
    np.testing.assert_array_equal(sweep[:3, :3], np.eye(3))
    np.testing.assert_array_equal(sweep[0, 3:], sweep[2, 3:])  # other codes fixed per row
    sweep, cols = code_sweep(3, 2, 2, rows=1, steps=5)
    np.testing.assert_allclose(sweep[:, 4], np.linspace(-1, 1, 5))
    with pytest.raises(ValueError, match="not a code"):
        code_sweep(3, 2, 3, rows=1)


def test_rgan_label_noise_variants_and_transition():
    m = tiny_model("rgan_label_noise", noise_rate=0.2)
    np.testing.assert_allclose(m.noise_transition()[0, :2], [0.8, 0.2 / 9], rtol=1e-6)
    c = tiny_model("rgan_label_noise", variant="c", noise_rate=0.5)
    assert c.discriminator.input[1].dtype == "int32"  # D takes (image, label)
    noisy = keras.ops.convert_to_numpy(c.noisy_labels(np.zeros(2000, "int32")))
    assert abs(np.mean(noisy != 0) - 0.5) < 0.05
    c.fit(tiny_labelled_dataset(c.image_shape, 10), verbose=0)
    with pytest.raises(ValueError, match="variant"):
        tiny_model("rgan_label_noise", variant="x")
    with pytest.raises(ValueError, match="rows summing to 1"):
        tiny_model("rgan_label_noise", transition=[[1.0, 0.0], [0.0, 1.0]])


def test_rgan_label_noise_estimates_the_transition(tmp_path):
    m = tiny_model("rgan_label_noise", transition="estimate", estimate_steps=4)
    np.testing.assert_array_equal(m.noise_transition(), np.eye(10))
    m.fit(tiny_labelled_dataset(m.image_shape, 10, batches=5), verbose=0)
    t = m.noise_transition()
    assert not np.allclose(t, np.eye(10))
    np.testing.assert_allclose(t.sum(1), 1.0, rtol=1e-5)
    path = str(tmp_path / "r.keras")
    m.save(path)
    np.testing.assert_allclose(keras.saving.load_model(path).noise_transition(), t)


def test_triple_gan_has_three_optimizers_that_reload(tmp_path):
    m = tiny_model("triple_gan")
    assert m.c_optimizer.built and float(m.c_optimizer.learning_rate) == pytest.approx(3e-4)
    m.fit(tiny_labelled_dataset(m.image_shape, 10, unlabelled_share=0.5), verbose=0)
    path = str(tmp_path / "t.keras")
    m.save(path)
    r = keras.saving.load_model(path)
    assert int(r.c_optimizer.iterations) == int(m.c_optimizer.iterations) == 2
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="its own"):
        m.compile(d_optimizer=opt, c_optimizer=opt)


def test_triple_gan_pseudo_real_gives_d_the_unlabelled_images_with_c_argmax_labels():
    # With pseudo_real (the authors' code) an all-unlabelled batch still has
    # real pairs, (x, argmax C(x)), and C's fake pairs carry that hard label.
    # Read literally, eq. 1 has no real pair there and C's soft prediction goes
    # in. Dropout off and no D normalization, so D's outputs repeat exactly.
    from keras import ops

    images = ops.convert_to_tensor(
        np.random.default_rng(0).uniform(-1, 1, (6, 16, 16, 1)).astype("float32"))
    unlabelled = ops.convert_to_tensor(-np.ones(6, "int32"))
    sp = lambda t: ops.convert_to_numpy(ops.softplus(t)).mean()  # noqa: E731
    for flag in (False, True):
        m = tiny_model("triple_gan", pseudo_real=flag, d_dropout=0.0, c_dropout=0.0,
                       d_normalization="none")
        g_in = m.generator_inputs(6, (images, unlabelled))
        fake = m.discriminator_inputs(m.generator(g_in, training=True), g_in)
        got = float(m.discriminator_loss((images, unlabelled), fake)[0])
        probs = ops.softmax(m.classifier(images, training=True), axis=-1)
        hard = ops.one_hot(ops.argmax(probs, axis=-1), 10)
        by_g = sp(m.discriminator(fake, training=True))
        if flag:
            d_hard = m.discriminator([images, hard], training=True)
            want = sp(-d_hard) + m.alpha * sp(d_hard) + (1 - m.alpha) * by_g
        else:
            want = m.alpha * sp(m.discriminator([images, probs], training=True)) + (1 - m.alpha) * by_g
        assert got == pytest.approx(float(want), rel=1e-4), flag


def test_semi_supervised_classify_and_bigan_encode():
    s = tiny_model("sgan")
    images = np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 1)).astype("float32")
    p = s.classify(images)
    assert p.shape == (3, 10) and np.allclose(p.sum(1), 1.0, atol=1e-5)
    with pytest.raises(ValueError, match="built for"):
        s.classify(np.zeros((1, 8, 8, 1), "float32"))
    b = tiny_model("bigan")
    assert b.encode(images).shape == (3, b.latent_dim)
    assert b.generator_step_networks() == [b.generator, b.encoder]


@pytest.fixture(scope="module")
def exported_cgan(cgan, tmp_path_factory):
    root = tmp_path_factory.mktemp("exp")
    keras_path = str(root / "m.keras")
    cgan.save(keras_path)
    sm = export.saved_model(cgan, str(root / "sm"))
    tfl = export.tflite(cgan, str(root / "m.tflite"))
    return keras_path, sm, tfl


def test_exports_carry_metadata(exported_cgan):
    _, sm, tfl = exported_cgan
    meta = export.read_saved_model_metadata(sm)
    assert meta["condition"] == "labels" and meta["num_classes"] == 10
    assert export.read_tflite_metadata(tfl) == meta


@pytest.mark.parametrize("which", [0, 1, 2])
def test_samplers_of_every_format_take_labels(exported_cgan, cgan, which):
    sampler = inference.load_sampler(exported_cgan[which])
    assert sampler.condition == "labels" and sampler.num_classes == 10
    want = cgan.sample(3, seed=5, labels=[3, 4, 5])
    np.testing.assert_allclose(sampler.sample(3, seed=5, labels=[3, 4, 5]), want, atol=1e-4)
    with pytest.raises(ValueError, match="out of range"):
        sampler.sample(2, labels=[0, 10])
    with pytest.raises(ValueError, match="conditional"):
        sampler.sample(2)


def test_exported_label_range_errors_without_metadata(exported_cgan, tmp_path):
    import shutil

    _, sm, _ = exported_cgan
    bare = str(tmp_path / "bare")
    shutil.copytree(sm, bare)
    shutil.rmtree(os.path.join(bare, "assets.extra"))
    sampler = inference.load_sampler(bare)
    assert sampler.num_classes is None
    with pytest.raises(ValueError, match="Label 12 is out of range.*10 classes"):
        sampler.sample(2, labels=[1, 12])
    tfl = export.tflite(bare, str(tmp_path / "bare.tflite"))
    lite = inference.load_sampler(tfl)
    with pytest.raises(ValueError, match="out of range"):
        lite.sample(2, labels=[1, 12])


def test_sampler_runs_extra_signatures(tmp_path):
    b = tiny_model("bigan")
    images = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 1)).astype("float32")
    want = b.encode(images)
    sm = export.saved_model(b, str(tmp_path / "sm"))
    tfl = export.tflite(b, str(tmp_path / "b.tflite"))
    for path in (sm, tfl):
        s = inference.load_sampler(path)
        assert set(s.signatures) == {"serving_default", "encode"} and s.condition is None
        np.testing.assert_allclose(s.run("encode", images=images)["z"], want, atol=1e-4)
        with pytest.raises(ValueError, match="no 'classify' signature"):
            s.run("classify", images=images)
        with pytest.raises(ValueError, match="unconditional"):
            s.sample(2, labels=[1, 2])


def test_projection_discriminator_is_linear_plus_label_projection():
    """logit = w.f + b + <E[y], f>, f the trunk's features (Miyato & Koyama 2018)."""
    from keras_gans.networks.conditional import label_discriminator

    d = label_discriminator((16, 16, 1), 10, width=4, normalization="none", label_input="projection")
    x = np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 1)).astype("float32")
    y = np.array([0, 3, 9], "int32")
    for layer in d.layers:  # give the projection weights that matter (it starts small)
        if layer.name == "label_projection":
            layer.embeddings.assign(np.random.default_rng(1).standard_normal(layer.embeddings.shape))
    features = keras.Model(d.inputs, d.get_layer("unconditional_logits").input)([x, y])
    features = keras.ops.convert_to_numpy(features)
    dense = d.get_layer("unconditional_logits")
    w, b = (keras.ops.convert_to_numpy(v) for v in dense.weights)
    table = keras.ops.convert_to_numpy(d.get_layer("label_projection").embeddings)
    want = features @ w + b + np.sum(table[y] * features, axis=1, keepdims=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(d([x, y])), want, rtol=1e-5, atol=1e-5)
    other = keras.ops.convert_to_numpy(d([x, np.array([1, 1, 1], "int32")]))
    assert not np.allclose(other, want)
    with pytest.raises(ValueError, match="label_input must be one of"):
        label_discriminator((16, 16, 1), 10, label_input="concat")


def test_conditional_defaults_projection_and_dropout():
    """cgan's D takes the label by projection; acgan's and rgan_label_noise's D
    use dropout 0.5; bad values are refused with the choices."""
    cgan = tiny_model("cgan")
    names = [layer.name for layer in cgan.discriminator.layers]
    assert "label_projection" in names and "label_map" not in names
    channel = tiny_model("cgan", d_label="channel")
    assert "label_map" in [layer.name for layer in channel.discriminator.layers]
    with pytest.raises(ValueError, match="d_label must be one of.*channel.*projection"):
        tiny_model("cgan", d_label="concat")
    for name in ("acgan", "rgan_label_noise"):
        model = tiny_model(name)
        rates = [l.rate for l in model.discriminator.layers if isinstance(l, keras.layers.Dropout)]
        assert rates and all(r == 0.5 for r in rates), name
        assert not any(isinstance(l, keras.layers.Dropout)
                       for l in tiny_model(name, d_dropout=0.0).discriminator.layers)
        with pytest.raises(ValueError, match="d_dropout must be a number in \\[0, 1\\]"):
            tiny_model(name, d_dropout=1.5)
