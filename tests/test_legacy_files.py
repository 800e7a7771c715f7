"""`.keras` files written before the players/steps base (main at 0d8d7a6) still load.

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

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "main_0d8d7a6")
with open(os.path.join(HERE, "outputs.json")) as f:
    REFERENCE = json.load(f)

# What the old counters held after the fixture's one epoch (2 train steps).
STEPS = {"cartoongan": 2, "triple_gan": 2, "improved_gan": 2}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_old_keras_file_loads_with_the_same_outputs(name):
    ref = REFERENCE[name]
    model = keras.saving.load_model(os.path.join(HERE, f"{name}.keras"))
    if "inputs" in ref:
        out = model.sample(images=np.asarray(ref["inputs"], "float32"))
    else:
        out = model.sample(**ref["sample_kwargs"])
    np.testing.assert_allclose(out, np.asarray(ref["outputs"], "float32"), atol=1e-6)
    for opt_name, iterations in ref["optimizer_iterations"].items():
        assert int(getattr(model, opt_name).iterations) == iterations, opt_name
    assert int(model.step_counter) == STEPS.get(name, 0)
    if name == "triple_gan":  # its third optimizer came back through the generic config
        assert set(model.optimizers) == {"d", "g", "c"}
