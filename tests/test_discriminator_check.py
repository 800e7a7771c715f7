"""DiscriminatorCheck: a D that gives one output for every image is reported
(and can stop the run); a live D is not. The dead D here is the failure the
biggan fashion_mnist run had: the ReLU before D's last layer off for every
input, so every output equals the last layer's bias and no gradient reaches
the layers below."""

import warnings

import numpy as np
import pytest

import keras

from keras_gans.training.callbacks import (
    DiscriminatorCheck,
    DiscriminatorWarning,
    constant_outputs,
)
from tests.helpers import tiny_dataset, tiny_model


def dead_discriminator(shape):
    x = keras.Input(shape)
    h = keras.layers.Flatten()(x)
    # Pre-activations near -1000 for images in [-1, 1]: every ReLU unit is off.
    h = keras.layers.Dense(8, bias_initializer=keras.initializers.Constant(-1000.0))(h)
    h = keras.layers.ReLU()(h)
    return keras.Model(x, keras.layers.Dense(1)(h), name="discriminator")


def test_constant_outputs():
    same = np.full((4, 3), 0.25, "float32")
    varied = np.arange(12, dtype="float32").reshape(4, 3)
    assert constant_outputs(same)
    assert not constant_outputs(varied)
    # Several outputs: dead only when every one is the same for every image.
    assert constant_outputs({"a": same, "b": same[:, :1]})
    assert not constant_outputs({"a": same, "b": varied})
    # Within rtol of the largest magnitude (at least 1).
    assert constant_outputs(same + np.float32(1e-8) * varied)
    with pytest.raises(ValueError, match="at least 2 images"):
        constant_outputs(same[:1])


def test_dead_discriminator_warns_and_stops():
    shape = (16, 16, 1)
    model = tiny_model("dcgan", discriminator=dead_discriminator(shape))
    data = tiny_dataset(shape, batch_size=8, batches=2)
    check = DiscriminatorCheck(data, stop_after=2)
    with pytest.warns(DiscriminatorWarning, match="same output .* for every real image after epoch 1"):
        history = model.fit(data, epochs=5, callbacks=[check], verbose=0)
    assert check.dead_epochs == [1, 2]
    assert check.stopped_epoch == 2
    assert len(history.history["d_loss"]) == 2  # stopped after the second dead epoch
    assert "Training was stopped after epoch 2" in check.message()
    assert "--lr d=" in check.message()


def test_live_discriminator_is_quiet():
    shape = (16, 16, 1)
    model = tiny_model("dcgan")
    data = tiny_dataset(shape, batch_size=8, batches=2)
    check = DiscriminatorCheck(data, stop_after=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DiscriminatorWarning)
        history = model.fit(data, epochs=2, callbacks=[check], verbose=0)
    assert check.dead_epochs == [] and check.stopped_epoch is None
    assert check.message() is None
    assert len(history.history["d_loss"]) == 2


def test_model_without_discriminator_is_not_checked():
    model = tiny_model("vae")
    data = model.example_data()
    check = DiscriminatorCheck(data, stop_after=1)
    model.fit(data, epochs=1, callbacks=[check], verbose=0)
    assert check.dead_epochs == []


def test_bad_stop_after():
    with pytest.raises(ValueError, match="stop_after"):
        DiscriminatorCheck(None, stop_after=0)


def test_train_stops_a_run_whose_discriminator_died(tmp_path, monkeypatch, capsys):
    import keras_gans
    from keras_gans import training

    real_get = keras_gans.get

    def get_with_dead_d(name, **config):
        return real_get(name, discriminator=dead_discriminator(config["image_shape"]), **config)

    monkeypatch.setattr(keras_gans, "get", get_with_dead_d)
    with pytest.warns(DiscriminatorWarning):
        result = training.run("dcgan", "digits", image_size=16, epochs=6, steps_per_epoch=1,
                              seed=0, export=False, run_dir=str(tmp_path / "run"))
    assert result.epochs == 3  # three dead epochs in a row, of 6
    assert result.discriminator_died == 3
    out = capsys.readouterr().out
    assert "same output" in out and "Training was stopped after epoch 3" in out


def test_the_cli_exits_3_when_the_discriminator_died(tmp_path, monkeypatch, capsys):
    import keras_gans
    from keras_gans import cli

    real_get = keras_gans.get
    monkeypatch.setattr(keras_gans, "get", lambda name, **config: real_get(
        name, discriminator=dead_discriminator(config["image_shape"]), **config))
    run = tmp_path / "run"
    code = cli.main(["train", "dcgan", "--image-size", "16", "--epochs", "4",
                     "--steps-per-epoch", "1", "--run-dir", str(run), "--no-export"])
    assert code == 3
    assert (run / "model.keras").exists()  # saved as it was
    out, err = capsys.readouterr()
    assert "Training was stopped after epoch 3" in out
    # The warning of the first dead epoch, as the CLI prints warnings.
    assert "keras-gans: warning: DCGAN's discriminator gives the same output" in err
