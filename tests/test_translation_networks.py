"""Image-to-image building blocks: U-Net, ResNet generator, PatchGAN, reflection
padding, the image pool, image ops and the feature extractors (tiny sizes)."""

import os
from unittest import mock

import numpy as np
import pytest
import tensorflow as tf

import keras
from keras_gans import export, image_ops
from keras_gans.layers import ImagePool, ReflectionPadding2D
from keras_gans.networks import (
    feature_extractor,
    instance_norm,
    patchgan_discriminator,
    receptive_field,
    resnet_generator,
    unet_generator,
)


def _images(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


# Networks ------------------------------------------------------------------


def test_unet_shapes_and_depth():
    g = unet_generator((32, 32, 3), filters=8)
    assert g.output_shape == (None, 32, 32, 3)
    assert len([l for l in g.layers if l.name.startswith("down")]) == 5  # log2(32)
    assert g.get_layer("down5_conv").output.shape[1:3] == (1, 1)
    assert g.output.dtype == "float32"

    g = unet_generator((16, 16, 1), out_channels=3, filters=8, depth=3, max_filters=16,
                       normalization="instance")
    assert g.output_shape == (None, 16, 16, 3)
    assert g.get_layer("down3_conv").output.shape[1:] == (2, 2, 16)  # capped at max_filters
    out = keras.ops.convert_to_numpy(g(_images((2, 16, 16, 1))))
    assert out.shape == (2, 16, 16, 3) and np.abs(out).max() <= 1.0

    with pytest.raises(ValueError, match="divisible"):
        unet_generator((24, 24, 3), depth=4)
    with pytest.raises(ValueError, match="normalization"):
        unet_generator((16, 16, 3), normalization="layer")


def test_unet_dropout_only_when_training():
    g = unet_generator((16, 16, 3), filters=8, normalization="none")
    x = _images((2, 16, 16, 3))
    a, b = (keras.ops.convert_to_numpy(g(x, training=True)) for _ in range(2))
    assert not np.allclose(a, b)
    a, b = (keras.ops.convert_to_numpy(g(x, training=False)) for _ in range(2))
    np.testing.assert_array_equal(a, b)


def test_resnet_generator_shapes():
    g = resnet_generator((16, 16, 3), filters=8, num_blocks=2)
    assert g.output_shape == (None, 16, 16, 3) and g.output.dtype == "float32"
    assert len([l for l in g.layers if isinstance(l, keras.layers.Add)]) == 2
    assert sum(isinstance(l, keras.layers.GroupNormalization) for l in g.layers) == 2 + 2 * 2 + 2 + 1
    g = resnet_generator((32, 32, 1), out_channels=3, filters=4)
    assert g.output_shape == (None, 32, 32, 3)
    assert len([l for l in g.layers if isinstance(l, keras.layers.Add)]) == 6  # < 256 px
    with pytest.raises(ValueError, match="divisible"):
        resnet_generator((18, 18, 3))


def test_patchgan_shapes_and_receptive_field():
    assert receptive_field(3) == 70 and receptive_field(2) == 34 and receptive_field(1) == 16
    d = patchgan_discriminator((32, 32, 3), filters=8)
    assert d.output_shape == (None, 4, 4, 1) and d.output.dtype == "float32"
    logits = d(_images((2, 32, 32, 3)))
    assert logits.shape == (2, 4, 4, 1)

    d = patchgan_discriminator((16, 16, 3), condition_channels=1, filters=8, num_layers=2,
                               normalization="batch")
    assert [tuple(i.shape) for i in d.inputs] == [(None, 16, 16, 1), (None, 16, 16, 3)]
    assert d([_images((2, 16, 16, 1)), _images((2, 16, 16, 3))]).shape == (2, 4, 4, 1)
    norm = instance_norm("n")
    assert isinstance(norm, keras.layers.GroupNormalization) and norm.groups == -1


def _litert_matches(model, x, tmp_path, name):
    sm = os.path.join(tmp_path, name)
    model.export(sm, format="tf_saved_model", verbose=False)
    data = export.tflite_bytes_from_saved_model(sm)  # TFLite builtins only
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=data)
    (key,) = interpreter.get_signature_list()
    runner = interpreter.get_signature_runner(key)
    (input_name,) = interpreter.get_signature_list()[key]["inputs"]
    (out,) = runner(**{input_name: x}).values()
    expected = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_allclose(out, expected, atol=1e-4)


def test_generators_convert_to_litert_builtins(tmp_path):
    x = _images((2, 16, 16, 3), seed=1)
    _litert_matches(resnet_generator((16, 16, 3), filters=8, num_blocks=1), x, tmp_path, "resnet")
    _litert_matches(unet_generator((16, 16, 3), filters=8, normalization="instance"), x,
                    tmp_path, "unet")


# ReflectionPadding2D ---------------------------------------------------------


def test_reflection_padding_matches_numpy():
    x = _images((2, 5, 4, 3))
    layer = ReflectionPadding2D((2, 1))
    out = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_array_equal(out, np.pad(x, [(0, 0), (2, 2), (1, 1), (0, 0)], mode="reflect"))
    assert layer.compute_output_shape((None, 5, 4, 3)) == (None, 9, 6, 3)
    clone = ReflectionPadding2D.from_config(layer.get_config())
    assert clone.padding == (2, 1)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(restored, ReflectionPadding2D) and restored.padding == (2, 1)
    with pytest.raises(ValueError, match="above"):
        ReflectionPadding2D(4)(x)


# ImagePool -----------------------------------------------------------------


def _rows(values, shape=(2, 2, 1)):
    """A batch whose row i is filled with values[i] (so rows are identifiable)."""
    return np.stack([np.full(shape, v, "float32") for v in values])


def _ids(batch):
    return [float(r.flat[0]) for r in np.asarray(batch)]


def test_image_pool_fills_then_mixes():
    pool = ImagePool(pool_size=4, seed=0)
    np.testing.assert_array_equal(pool(_rows([1, 2])), _rows([1, 2]))
    np.testing.assert_array_equal(pool(_rows([3, 4, 5][:2])), _rows([3, 4]))
    assert int(pool.count.numpy()) == 4
    assert sorted(_ids(pool.images.numpy())) == [1, 2, 3, 4]
    assert not pool.trainable_weights
    assert {w.name for w in pool.non_trainable_weights} >= {"images", "count"}

    swapped = kept = 0
    value = 10
    for _ in range(6):
        new = list(range(value, value + 3))
        value += 3
        before = _ids(pool.images.numpy())
        out = _ids(pool(_rows(new)))
        after = _ids(pool.images.numpy())
        for o, n in zip(out, new):
            assert o == n or o in before
            swapped += o != n
            kept += o == n
        # Nothing is lost or duplicated: what went in is what is stored or returned.
        assert sorted(before + new) == sorted(after + out)
    assert swapped and kept


def test_image_pool_partial_fill_and_identity():
    pool = ImagePool(pool_size=3, seed=1)
    out = _ids(pool(_rows([1, 2, 3, 4, 5])))  # 3 fill, 2 may swap with them
    assert out[:3] == [1, 2, 3] and all(o in (1, 2, 3, n) for o, n in zip(out[3:], (4, 5)))
    # The 3 fills are both stored and returned; a swap hands one of them out again.
    assert sorted(_ids(pool.images.numpy()) + out) == sorted([1, 2, 3] + [1, 2, 3, 4, 5])

    identity = ImagePool(pool_size=0)
    x = _rows([1, 2])
    np.testing.assert_array_equal(identity(x), x)
    assert ImagePool.from_config(ImagePool(7, seed=3).get_config()).pool_size == 7


def test_image_pool_in_tf_function():
    pool = ImagePool(pool_size=2, seed=0)
    step = tf.function(lambda x: pool(x))
    np.testing.assert_array_equal(step(tf.constant(_rows([1, 2]))), _rows([1, 2]))
    outs = [_ids(step(tf.constant(_rows([v]))))[0] for v in range(3, 13)]
    assert int(pool.count.numpy()) == 2
    assert any(o == v for o, v in zip(outs, range(3, 13)))
    assert any(o != v for o, v in zip(outs, range(3, 13)))


def test_image_pool_saved_and_restored(tmp_path):
    inputs = keras.Input((2, 2, 1))
    model = keras.Model(inputs, ImagePool(pool_size=3, seed=0, name="pool")(inputs))
    model(_rows([1, 2]))
    path = os.path.join(tmp_path, "pool.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)
    pool = reloaded.get_layer("pool")
    assert pool.pool_size == 3 and int(pool.count.numpy()) == 2
    np.testing.assert_array_equal(pool.images.numpy(), model.get_layer("pool").images.numpy())
    # It continues where it stopped: one free slot left, then swaps.
    np.testing.assert_array_equal(reloaded(_rows([3])), _rows([3]))
    assert sorted(_ids(pool.images.numpy())) == [1, 2, 3]


# Image ops -----------------------------------------------------------------


def test_gram_matrix_matches_numpy():
    f = _images((2, 3, 4, 5))
    expected = np.einsum("bhwi,bhwj->bij", f, f) / (3 * 4 * 5)
    np.testing.assert_allclose(image_ops.gram_matrix(f).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_colour_ops():
    white = np.ones((1, 2, 2, 3), "float32")
    yuv = image_ops.rgb_to_yuv(white).numpy()
    np.testing.assert_allclose(yuv[..., 0], 1.0, atol=1e-5)
    np.testing.assert_allclose(yuv[..., 1:], 0.0, atol=1e-5)
    x = _images((2, 4, 4, 3))
    np.testing.assert_allclose(image_ops.from_unit(image_ops.to_unit(x)).numpy(), x, atol=1e-6)
    grey = image_ops.grayscale(x).numpy()
    np.testing.assert_allclose(grey[..., 0], x @ np.array([0.299, 0.587, 0.114], "float32"), atol=1e-6)
    # tf.image.rgb_to_grayscale rounds R's weight to 0.2989.
    np.testing.assert_allclose(
        image_ops.to_unit(grey).numpy(), tf.image.rgb_to_grayscale(image_ops.to_unit(x)).numpy(),
        atol=2e-4,
    )
    rgb = image_ops.grayscale_rgb(x).numpy()
    assert rgb.shape == (2, 4, 4, 3) and np.array_equal(rgb[..., 0], rgb[..., 2])


def test_edge_smooth():
    flat = np.full((1, 16, 16, 3), 0.3, "float32")
    np.testing.assert_array_equal(image_ops.edge_smooth(flat).numpy(), flat)

    step = np.full((2, 16, 16, 3), -1.0, "float32")
    step[:, :, 8:] = 1.0  # a sharp vertical edge between columns 7 and 8
    out = tf.function(image_ops.edge_smooth)(tf.constant(step)).numpy()
    assert out.shape == step.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out[:, :, :4], step[:, :, :4])  # far from the edge
    np.testing.assert_array_equal(out[:, :, 12:], step[:, :, 12:])
    assert np.all(out[:, :, 7] > -1.0) and np.all(out[:, :, 8] < 1.0)  # blurred at the edge
    np.testing.assert_array_equal(out, image_ops.edge_smooth(step).numpy())  # deterministic


# Feature extractors ----------------------------------------------------------


def test_offline_features_deterministic_and_frozen(tmp_path):
    a = feature_extractor("offline", (32, 32, 3))
    b = feature_extractor("offline", (32, 32, 3))
    # The last block's 256 convolution channels plus its pixel group (3).
    assert a.output_shape == (None, 4, 4, 256 + 3)
    assert not a.trainable_weights and a.non_trainable_weights
    x = _images((2, 32, 32, 3))
    fa = keras.ops.convert_to_numpy(a(x))
    np.testing.assert_array_equal(fa, keras.ops.convert_to_numpy(b(x)))
    assert fa.std() > 0
    cut = feature_extractor("offline", (32, 32, 3), layer="block2_conv2")
    assert cut.output_shape == (None, 16, 16, 64)
    # block{i}_output: the convolutions then the image's 2^(i-1)-pixel means,
    # scaled by width / 3.
    x_np = keras.ops.convert_to_numpy(x)
    b1 = keras.ops.convert_to_numpy(feature_extractor("offline", (32, 32, 3), layer="block1_output")(x))
    assert b1.shape == (2, 32, 32, 32 + 3)
    np.testing.assert_allclose(b1[..., 32:], x_np * 32 / 3, rtol=1e-5, atol=1e-5)
    b2 = keras.ops.convert_to_numpy(feature_extractor("offline", (32, 32, 3), layer="block2_output")(x))
    pooled = x_np.reshape(2, 16, 2, 16, 2, 3).mean(axis=(2, 4))
    np.testing.assert_allclose(b2[..., 64:], pooled * 64 / 3, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(
        b2[..., :64], keras.ops.convert_to_numpy(cut(x)))
    with pytest.raises(ValueError, match="block1_output"):
        feature_extractor("offline", (32, 32, 3), layer="block9_conv1")

    # As part of a saved model.
    inputs = keras.Input((32, 32, 3))
    model = keras.Model(inputs, a(inputs))
    path = os.path.join(tmp_path, "features.keras")
    model.save(path)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(keras.saving.load_model(path)(x)), fa,
                               atol=1e-6)


def test_vgg19_features_from_local_file_and_errors(tmp_path):
    vgg = keras.applications.VGG19(include_top=False, weights=None, input_shape=(32, 32, 3))
    path = os.path.join(tmp_path, "vgg19.weights.h5")
    vgg.save_weights(path)
    fe = feature_extractor(path, (32, 32, 3))
    assert fe.output_shape == (None, 4, 4, 512) and not fe.trainable_weights
    x = _images((1, 32, 32, 3))
    cut = keras.Model(vgg.input, vgg.get_layer("block4_conv4").output)
    expected = cut(keras.applications.vgg19.preprocess_input((x + 1.0) * 127.5))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(fe(x)), keras.ops.convert_to_numpy(expected),
                               rtol=1e-4, atol=1e-4)
    clone = keras.Model.from_config(fe.get_config())  # the preprocessing layer deserializes
    assert clone.output_shape == fe.output_shape

    with pytest.raises(FileNotFoundError, match="no VGG19 weights file"):
        feature_extractor(os.path.join(tmp_path, "missing.weights.h5"), (32, 32, 3))
    failing = mock.patch.object(keras.applications, "VGG19",
                                side_effect=OSError("URL fetch failure: no internet"))
    with failing, pytest.raises(ValueError, match="download.*offline"):
        feature_extractor("vgg19", (32, 32, 3))
    with pytest.raises(ValueError, match="offline"):
        feature_extractor("resnet50")
    own = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(2, 3)])
    assert feature_extractor(own) is own and not own.trainable_weights
