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
    model.compile()
    history = model.fit(random_image_batches(config["image_shape"], batches=2), epochs=1,
                        verbose=0)
    assert np.isfinite(history.history["ada_p"][-1])
