"""benchmarks/digits_candidates.py builds what its keys ask for: `nets=study`
puts the study's InfoGAN-style pair (keras_gans.networks.study_*) at 32 px
into the model as own networks, with `width`, `latent` and `norm` setting
those networks instead of the model's own."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import digits_candidates as bench  # noqa: E402


def _dense_units(net):
    return [layer.units for layer in net.layers if hasattr(layer, "units")]


def test_study_networks_replace_the_model_networks():
    m = bench.build({"model": "nsgan", "nets": "study", "width": "8", "latent": "16", "norm": "layer"})
    assert m.latent_dim == 16
    assert m.generator.input_shape == (None, 16)
    assert m.generator.output_shape == (None, 32, 32, 1)
    # G: FC 1024 -> FC 8x8 x 2*width; D: FC 1024 -> 1 after two stride-2 convs.
    assert _dense_units(m.generator) == [1024, 8 * 8 * 16]
    assert _dense_units(m.discriminator) == [1024, 1]
    kinds = {type(layer).__name__ for layer in m.discriminator.layers}
    assert "LayerNormalization" in kinds


def test_without_nets_the_model_keeps_its_own_networks():
    m = bench.build({"model": "nsgan", "width": "8"})
    assert 1024 not in _dense_units(m.generator)


def test_optimizer_keys_set_both_adams_and_unset_ones_take_the_documented_defaults():
    m = bench.build({"model": "nsgan", "width": "8", "lr": "1e-4", "dlr": "4e-4", "b1": "0", "b2": "0.9"})
    g, d = m.g_optimizer, m.d_optimizer
    assert abs(float(g.learning_rate) - 1e-4) < 1e-9 and abs(float(d.learning_rate) - 4e-4) < 1e-9
    assert g.beta_1 == d.beta_1 == 0.0 and g.beta_2 == d.beta_2 == 0.9
    m = bench.build({"model": "nsgan", "width": "8", "b2": "0.99"})
    g, d = m.g_optimizer, m.d_optimizer
    assert abs(float(d.learning_rate) - 2e-4) < 1e-9 and g.beta_1 == 0.5 and d.beta_2 == 0.99


def test_arg_keys_pass_constructor_arguments_read_as_json():
    m = bench.build({"model": "nsgan", "width": "8", "arg.latent_dim": "12", "arg.d_normalization": "layer"})
    assert m.latent_dim == 12
    assert "LayerNormalization" in {type(layer).__name__ for layer in m.discriminator.layers}


def test_size_sets_the_side_of_both_networks():
    m = bench.build({"model": "nsgan", "width": "8", "size": "16"})
    assert m.generator.output_shape == (None, 16, 16, 1)
    assert m.discriminator.input_shape == (None, 16, 16, 1)
    m = bench.build({"model": "nsgan", "nets": "study", "width": "8", "size": "16"})
    assert m.generator.output_shape == (None, 16, 16, 1)


def test_mbd_gives_d_minibatch_discrimination_before_its_logit():
    m = bench.build({"model": "rgan", "width": "8", "mbd": "1"})
    names = [layer.name for layer in m.discriminator.layers]
    assert "minibatch" in names and names.index("minibatch") < len(names) - 1
    assert m.discriminator.output_shape == (None, 1)
    assert "minibatch" not in [layer.name for layer in bench.build({"model": "rgan", "width": "8"}).discriminator.layers]


def test_mbstd_is_the_minibatch_std_argument_of_dcgan_networks():
    m = bench.build({"model": "fgan", "width": "8", "mbstd": "4"})
    assert m.get_config()["d_minibatch_std"] == 4
    assert "minibatch_std" in [layer.name for layer in m.discriminator.layers]


def test_svc_rarest_counts_the_rarest_digits_confident_samples():
    """The rows' `svc_rarest` (from `quality.svc_scores`)."""
    import numpy as np
    from quality import svc_scores

    from keras_gans.data import digits_arrays

    images, labels = digits_arrays(32, 1, split="test")
    keep = np.concatenate([np.flatnonzero(labels == d)[: 5 if d == 7 else 20] for d in range(10)])
    # 20 of each digit but 5 sevens: the sevens are the rarest, and real digits are read confidently.
    assert 3 <= svc_scores(images[keep], None)["svc_rarest"] <= 5


def test_gnet_and_dnet_swap_in_gans_mlp_players_one_at_a_time():
    """The keys behind MODEL_NOTES' dcgan "It is D that holds the confidence
    back": each replaces one player and keeps the model's other one."""
    m = bench.build({"model": "dcgan", "width": "8", "dnet": "mlp:32,16", "ddrop": "0"})
    assert _dense_units(m.discriminator) == [32, 16, 1]
    assert "Dropout" not in {type(layer).__name__ for layer in m.discriminator.layers}
    assert "Conv2DTranspose" in {type(layer).__name__ for layer in m.generator.layers}
    m = bench.build({"model": "dcgan", "width": "8", "dnet": "mlp:32,16"})
    assert "Dropout" in {type(layer).__name__ for layer in m.discriminator.layers}
    m = bench.build({"model": "dcgan", "width": "8", "latent": "12", "gnet": "mlp:24,48"})
    assert m.generator.input_shape == (None, 12)
    assert _dense_units(m.generator) == [24, 48, 32 * 32]
    assert "Conv2D" in {type(layer).__name__ for layer in m.discriminator.layers}


def test_dnet_study_and_gnorm_none():
    m = bench.build({"model": "dcgan", "width": "8", "dnet": "study:none"})
    assert _dense_units(m.discriminator) == [1024, 1]
    assert "BatchNormalization" not in {type(layer).__name__ for layer in m.discriminator.layers}
    norms = lambda net: [layer for layer in net.layers if "Norm" in type(layer).__name__]  # noqa: E731
    assert norms(bench.build({"model": "dcgan", "width": "8"}).generator)
    assert not norms(bench.build({"model": "dcgan", "width": "8", "gnorm": "none"}).generator)


def test_seed_key_sets_the_weights_seed():
    import keras
    import numpy as np

    def first_kernel(seed):
        keras.utils.set_random_seed(123)  # build seeds the weights itself
        m = bench.build({"model": "dcgan", "width": "8", "seed": str(seed)})
        return np.asarray(m.generator.trainable_weights[0])

    assert np.array_equal(first_kernel(1), first_kernel(1))
    assert not np.array_equal(first_kernel(0), first_kernel(1))


def test_a_malformed_network_key_says_what_it_expects():
    import pytest

    with pytest.raises(ValueError, match=r"dnet='mlp': expected mlp:UNITS"):
        bench.build({"model": "dcgan", "width": "8", "dnet": "mlp"})
    with pytest.raises(ValueError, match=r"gnet='conv:8'"):
        bench.build({"model": "dcgan", "width": "8", "gnet": "conv:8"})
