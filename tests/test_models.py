"""Every registered model, on its tiny config, through the shared checks."""

import pytest

import keras_gans
from helpers import run_model_test


@pytest.mark.parametrize("name", keras_gans.list_models())
def test_model(name, tmp_path):
    run_model_test(name, str(tmp_path))
