"""Keras' learning-rate callbacks act on a GAN's optimizers (issue 13)."""

import numpy as np
import tensorflow as tf

import keras
from keras_gans import callbacks
from helpers import tiny_model


def data(n=16, shape=(16, 16, 1)):
    x = np.random.default_rng(0).uniform(-1, 1, (n, *shape)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(8, drop_remainder=True)


def lrs(model):
    return {n: float(o.learning_rate) for n, o in model.optimizers.items()}


def test_keras_learning_rate_scheduler_sets_every_optimizer():
    model = tiny_model("dcgan")
    sched = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 1e-3 / (epoch + 1))
    history = model.fit(data(), epochs=2, verbose=0, callbacks=[sched])
    assert np.allclose(list(lrs(model).values()), 5e-4)
    # ... and the optimizers used it: Adam's lr variable is what apply reads.
    assert np.isclose(float(model.d_optimizer._learning_rate), 5e-4)
    assert len(history.history["d_loss"]) == 2


def test_keras_reduce_lr_on_plateau_reduces_every_optimizer():
    model = tiny_model("dcgan")
    before = lrs(model)
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="d_loss", factor=0.5, patience=0,
                                                mode="min", min_delta=1e9)
    model.fit(data(), epochs=3, verbose=0, callbacks=[plateau])
    after = lrs(model)
    # epoch 1 sets the best value; epochs 2 and 3 are no improvement (min_delta): two halvings
    assert all(np.isclose(after[k], before[k] * 0.25) for k in before), (before, after)


def test_keras_gans_callbacks_act_on_the_groups_named():
    model = tiny_model("triple_gan")
    before = lrs(model)
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.1, optimizers=("g",))
    plateau = callbacks.ReduceLROnPlateau(monitor="c_loss", factor=0.5, patience=0,
                                          min_delta=1e9, optimizers=("c",))
    ds = model.example_data()
    model.fit(ds, epochs=2, verbose=0, callbacks=[sched, plateau])
    after = lrs(model)
    assert np.isclose(after["g"], before["g"] * 0.01)  # x 0.1 at each epoch's start
    assert np.isclose(after["c"], before["c"] * 0.5)  # epoch 1 is the best; epoch 2 halves
    assert np.isclose(after["d"], before["d"])
