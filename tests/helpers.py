"""Shared test helpers: every registered model goes through
`keras_gans.testing.run_model_test` (see `run_model_test`)."""


import keras_gans
from keras_gans import registry, testing
from keras_gans.models.base import random_image_batches
from keras_gans.models.conditional import random_labelled_batches
from keras_gans.models.translation import random_pair_batches
from keras_gans.testing import changed, litert_run, weights_of  # noqa: F401 - used by tests


def tiny_model(name, **overrides):
    config = registry.tiny_config(name)
    config.update(overrides)
    model = keras_gans.get(name, **config)
    model.compile()
    return model


def tiny_dataset(image_shape, batch_size=8, batches=2, seed=0):
    """Random image batches in [-1, 1] (the models' own example data)."""
    return random_image_batches(image_shape, batch_size, batches, seed)


def tiny_labelled_dataset(image_shape, num_classes, batch_size=8, batches=2, seed=0,
                          unlabelled_share=0.0):
    """(images, int32 labels) batches; `unlabelled_share` of the labels are -1."""
    return random_labelled_batches(image_shape, num_classes, unlabelled_share, batch_size,
                                   batches, seed)


def tiny_pair_dataset(image_shape, batch_size=4, batches=2, seed=0):
    """(A, B) batches of random images in [-1, 1] (B a fixed function of A)."""
    return random_pair_batches(image_shape, batch_size, batches, seed)


def run_model_test(name, tmp_path):
    """The shared check (`keras_gans.testing.run_model_test`) of the registered
    model `name` on its tiny config."""
    return testing.run_model_test(tiny_model(name), str(tmp_path), name=name)
