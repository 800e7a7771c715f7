"""The GAN base class: compile, optimizer state across save/load, errors."""

import os

import numpy as np
import pytest

import keras
import keras_gans
from helpers import tiny_dataset, tiny_model


def test_compile_defaults_are_the_papers_and_built():
    m = keras_gans.get("wgan_gp", **keras_gans.registry.tiny_config("wgan_gp"))
    m.compile()
    for opt in (m.d_optimizer, m.g_optimizer):
        assert isinstance(opt, keras.optimizers.Adam)
        assert opt.built
        assert float(opt.learning_rate) == pytest.approx(1e-4)
        assert opt.beta_1 == 0.0 and opt.beta_2 == pytest.approx(0.9)
    d = keras_gans.get("dcgan", **keras_gans.registry.tiny_config("dcgan"))
    d.compile()
    assert float(d.d_optimizer.learning_rate) == pytest.approx(2e-4)
    assert d.d_optimizer.beta_1 == pytest.approx(0.5)


def test_compile_rejects_keras_losses_and_shared_optimizer():
    m = tiny_model("dcgan")
    with pytest.raises(ValueError, match="constructor"):
        m.compile(loss="mse")
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="different"):
        m.compile(d_optimizer=opt, g_optimizer=opt)


def test_fit_before_compile_is_a_clear_error():
    m = keras_gans.get("dcgan", **keras_gans.registry.tiny_config("dcgan"))
    with pytest.raises(ValueError, match="compile"):
        m.fit(tiny_dataset(m.image_shape), verbose=0)


def test_data_shape_mismatch_is_a_clear_error():
    m = tiny_model("dcgan")
    with pytest.raises(ValueError, match=r"built for \(16, 16, 1\)"):
        m.fit(tiny_dataset((16, 16, 3)), verbose=0)


def test_unsupported_image_shape_is_a_clear_error():
    with pytest.raises(ValueError, match="power of two|side in"):
        keras_gans.get("dcgan", image_shape=(36, 36, 1))
    with pytest.raises(ValueError, match="channel"):
        keras_gans.get("dcgan", image_shape=(32, 32, 2))


@pytest.mark.parametrize("size,channels", [(16, 1), (32, 3), (64, 1)])
def test_dcgan_adapts_to_image_shape(size, channels):
    m = keras_gans.get("dcgan", image_shape=(size, size, channels), g_width=4, d_width=4, latent_dim=8)
    assert m.sample(2, seed=0).shape == (2, size, size, channels)
    assert m.discriminator.output_shape == (None, 1)


def test_reload_continues_optimizer_state(tmp_path):
    m = tiny_model("dcgan")
    ds = tiny_dataset(m.image_shape, batches=3)
    m.fit(ds, epochs=1, verbose=0)
    assert int(m.g_optimizer.iterations) == 3
    path = os.path.join(tmp_path, "m.keras")
    m.save(path)
    r = keras.saving.load_model(path)
    assert int(r.d_optimizer.iterations) == 3 and int(r.g_optimizer.iterations) == 3
    # The Adam moments came back too, not only the counter.
    for a, b in zip(m.g_optimizer.variables, r.g_optimizer.variables):
        np.testing.assert_allclose(np.array(a), np.array(b))
    r.fit(ds, epochs=1, verbose=0)
    assert int(r.d_optimizer.iterations) == 6 and int(r.g_optimizer.iterations) == 6


def test_config_round_trip_keeps_arguments():
    m = keras_gans.get("lsgan", a=-1.0, b=1.0, c=0.0, **keras_gans.registry.tiny_config("lsgan"))
    config = m.get_config()
    assert config["a"] == -1.0 and config["c"] == 0.0 and tuple(config["image_shape"]) == (16, 16, 1)
    clone = type(m).from_config(config)
    assert clone.loss_args == {"a": -1.0, "b": 1.0, "c": 0.0}
    assert clone.count_params() == m.count_params()


@pytest.mark.parametrize("abc", [(0.0, 1.0, 1.0), (-1.0, 1.0, 0.0)])
def test_lsgan_both_paper_settings_train(abc):
    a, b, c = abc
    m = tiny_model("lsgan", a=a, b=b, c=c)
    h = m.fit(tiny_dataset(m.image_shape), epochs=1, verbose=0)
    assert np.isfinite(h.history["d_loss"][-1])


def test_gan_generator_loss_switch():
    m = tiny_model("gan", generator_loss="non_saturating")
    assert m.g_loss_fn is keras_gans.losses.non_saturating_generator_loss
    assert tiny_model("gan").g_loss_fn is keras_gans.losses.minimax_generator_loss
    with pytest.raises(ValueError, match="generator_loss"):
        tiny_model("gan", generator_loss="nope")


def test_wgan_gp_runs_n_critic_d_steps_per_g_step():
    m = tiny_model("wgan_gp", n_critic=3)
    m.fit(tiny_dataset(m.image_shape, batches=2), epochs=1, verbose=0)
    assert int(m.d_optimizer.iterations) == 6 and int(m.g_optimizer.iterations) == 2
