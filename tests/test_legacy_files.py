"""`.keras` files written by earlier code still load, with the outputs they gave.

- tests/fixtures/main_0d8d7a6/: before the players/steps base.
- tests/fixtures/main_741bca9/: before cgan's D took the label by projection
  and acgan/rgan_label_noise's D got dropout (those files come back with the
  label channel and no dropout, as they were built).

The files in tests/fixtures/main_0d8d7a6/ were written by that commit's code
with tests/fixtures/main_0d8d7a6/make.py (tiny configs, one epoch each), with
the samples they gave then in outputs.json. Models that kept a step count of
their own then (CartoonGAN's `trained_steps`, Triple-GAN's `c_steps`, Improved
GAN's `average_steps`) now read it into the one `step_counter`.
"""

import json
import os

import numpy as np
import pytest

import keras
import keras_gans  # noqa: F401 - registers the model classes

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
REFERENCE = {}
for commit in ("main_0d8d7a6", "main_741bca9"):
    with open(os.path.join(FIXTURES, commit, "outputs.json")) as f:
        REFERENCE.update({(commit, name): ref for name, ref in json.load(f).items()})

# What the step counter holds after the fixture's one epoch (2 train steps):
# at 0d8d7a6 only the models that kept a count of their own had one; by
# 741bca9 every model counted its steps.
STEPS = {("main_0d8d7a6", name): 2 for name in ("cartoongan", "triple_gan", "improved_gan")}
STEPS.update({("main_741bca9", name): 2 for name in ("cgan", "acgan", "rgan_label_noise")})


@pytest.mark.parametrize("commit,name", sorted(REFERENCE))
def test_old_keras_file_loads_with_the_same_outputs(commit, name):
    ref = REFERENCE[commit, name]
    model = keras.saving.load_model(os.path.join(FIXTURES, commit, f"{name}.keras"))
    if "inputs" in ref:
        out = model.sample(images=np.asarray(ref["inputs"], "float32"))
    else:
        out = model.sample(**ref["sample_kwargs"])
    np.testing.assert_allclose(out, np.asarray(ref["outputs"], "float32"), atol=1e-6)
    for opt_name, iterations in ref["optimizer_iterations"].items():
        assert int(getattr(model, opt_name).iterations) == iterations, opt_name
    assert int(model.step_counter) == STEPS.get((commit, name), 0)
    if name == "triple_gan":  # its third optimizer came back through the generic config
        assert set(model.optimizers) == {"d", "g", "c"}


@pytest.mark.parametrize("name", ["cgan", "acgan", "rgan_label_noise"])
def test_conditional_files_from_before_come_back_as_built(name):
    """The new defaults (projection, dropout) are not forced on old files."""
    model = keras.saving.load_model(os.path.join(FIXTURES, "main_741bca9", f"{name}.keras"))
    layer_names = [layer.name for layer in model.discriminator.layers]
    if name == "cgan":
        assert model.get_config()["d_label"] == "channel"
        assert "label_map" in layer_names and "label_projection" not in layer_names
    else:
        assert model.get_config()["d_dropout"] == 0.0
        assert not any(isinstance(layer, keras.layers.Dropout) for layer in model.discriminator.layers)
