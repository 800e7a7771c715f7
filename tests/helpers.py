"""Shared test helpers: every registered model goes through
`keras_gans.testing.run_model_test` (see `run_model_test`)."""


import numpy as np
import tensorflow as tf

import keras_gans
from keras_gans import registry, testing
from keras_gans.testing import changed, litert_run, weights_of  # noqa: F401 - used by tests


def tiny_model(name, **overrides):
    config = registry.tiny_config(name)
    config.update(overrides)
    model = keras_gans.get(name, **config)
    model.compile()
    return model


def tiny_dataset(image_shape, batch_size=8, batches=2, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (batch_size * batches, *image_shape)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(batch_size, drop_remainder=True)


def tiny_labelled_dataset(image_shape, num_classes, batch_size=8, batches=2, seed=0,
                          unlabelled_share=0.0):
    """(images, int32 labels) batches; `unlabelled_share` of the labels are -1."""
    rng = np.random.default_rng(seed)
    n = batch_size * batches
    x = rng.uniform(-1, 1, (n, *image_shape)).astype("float32")
    y = (np.arange(n) % num_classes).astype("int32")
    y[rng.random(n) < unlabelled_share] = -1
    y[0] = 0  # at least one labelled example
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size, drop_remainder=True)


def tiny_pair_dataset(image_shape, batch_size=4, batches=2, seed=0):
    """(A, B) batches of random images in [-1, 1] (B a fixed function of A)."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (batch_size * batches, *image_shape)).astype("float32")
    b = np.clip(0.5 - a, -1, 1).astype("float32")
    return tf.data.Dataset.from_tensor_slices((a, b)).batch(batch_size, drop_remainder=True)


def run_model_test(name, tmp_path):
    """The shared check (`keras_gans.testing.run_model_test`) of the registered
    model `name` on its tiny config."""
    return testing.run_model_test(tiny_model(name), str(tmp_path), name=name)
