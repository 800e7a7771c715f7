"""Shared test helpers: every registered model goes through
`keras_gans.testing.run_model_test` (see `run_model_test`)."""


import gzip
import os
import struct

import keras
import numpy as np

import keras_gans
from keras_gans import registry, testing
from keras_gans.data import sources
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


def assert_d_trains_and_reloads(model, tmp_path, setting, value, batch_size=8):
    """One epoch of 2 batches moves D; the saved and reloaded model keeps the
    constructor `setting` at `value` and gives the same D outputs."""
    model.compile()
    before = [w.copy() for w in model.discriminator.get_weights()]
    model.fit(model.example_data(batch_size=batch_size, batches=2), epochs=1, verbose=0)
    assert any(np.abs(a - b).max() > 0 for a, b in zip(before, model.discriminator.get_weights()))
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.models.load_model(path)
    assert again.get_config()[setting] == value
    x = np.random.default_rng(3).uniform(-1, 1, (batch_size,) + model.image_shape).astype("float32")
    np.testing.assert_allclose(np.asarray(again.discriminator(x)),
                               np.asarray(model.discriminator(x)), atol=1e-5)
    return again


# ------------------------------------------------------------------ IDX files


def idx_bytes(arr):
    """`arr` (uint8) as the bytes of an IDX file."""
    arr = np.asarray(arr, np.uint8)
    head = bytes([0, 0, 8, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return head + arr.tobytes()


def write_idx(path, arr, gz=None):
    """`arr` written to `path` as an IDX file, gzipped when the name ends in
    .gz (or as `gz` says); returns the path."""
    raw = idx_bytes(arr)
    gz = str(path).endswith(".gz") if gz is None else gz
    with open(path, "wb") as f:
        f.write(gzip.compress(raw) if gz else raw)
    return str(path)


def idx_images(n, offset=0):
    """n 28x28 images: image i is a ramp plus i (a pattern that must survive)."""
    ramp = (np.arange(28 * 28).reshape(28, 28) % 200).astype(np.int64)
    return np.stack([(ramp + offset + i) % 256 for i in range(n)]).astype(np.uint8)


def idx_dir(root, n_train=12, n_test=5, gz=True, offset=0):
    """A folder with the four standard IDX files; labels i % 10."""
    os.makedirs(root, exist_ok=True)
    ext = ".gz" if gz else ""
    for n, stems in ((n_train, sources.IDX_SPLIT_FILES["train"]),
                     (n_test, sources.IDX_SPLIT_FILES["test"])):
        write_idx(os.path.join(root, stems[0] + ext), idx_images(n, offset))
        write_idx(os.path.join(root, stems[1] + ext), np.arange(n) % 10)
    return str(root)


def tiny_fashion_mnist(tmp_path, monkeypatch):
    """Points the `fashion_mnist` data spec at tiny IDX files under `tmp_path`
    (8 training images), for tests of what training on it builds."""
    root = idx_dir(tmp_path / "fashion_mnist_idx", n_train=8, n_test=4)
    monkeypatch.setenv(sources.IDX_DATASETS["fashion_mnist"]["env"], root)


def one_step_run(name, data, run_dir, **overrides):
    """The model `keras_gans.training.run` builds for `data` (with its data
    preset, as `keras-gans train --data` does) and trains one step of 4
    images at 28 px; `overrides` as `--set`."""
    result = keras_gans.training.run(
        name, data, epochs=1, steps_per_epoch=1, batch_size=4, image_size=28,
        run_dir=str(run_dir), export=False, verbose=False, overrides=overrides)
    return result.model
