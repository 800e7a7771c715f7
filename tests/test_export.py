"""Export layout, versions, atomicity, and the callback's grids."""

import os
import subprocess
import sys

import numpy as np
import pytest

import keras_gans
from keras_gans.serving import export
from helpers import tiny_dataset, tiny_model


def test_versions_increment_and_latest(tmp_path):
    m = tiny_model("dcgan")
    base = str(tmp_path / "dcgan")
    assert export.saved_model(m, base).endswith(os.sep + "1")
    assert export.saved_model(m, base).endswith(os.sep + "2")
    assert export.saved_model(m, base, version=7).endswith(os.sep + "7")
    assert export.versions(base) == [1, 2, 7]
    with pytest.raises(FileExistsError):
        export.saved_model(m, base, version=2)
    assert sorted(os.listdir(base)) == ["1", "2", "7"]  # no temp dirs left


def test_failed_export_leaves_nothing(tmp_path, monkeypatch):
    m = tiny_model("dcgan")
    base = tmp_path / "dcgan"

    def boom(model, directory):
        os.makedirs(directory, exist_ok=True)
        open(os.path.join(directory, "saved_model.pb"), "wb").close()
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "_write_saved_model", boom)
    with pytest.raises(RuntimeError):
        export.saved_model(m, str(base))
    assert os.listdir(base) == []
    with pytest.raises(RuntimeError):
        export.tflite(m, str(tmp_path / "x.tflite"))
    assert sorted(os.listdir(tmp_path)) == ["dcgan"]


def test_saved_model_runs_in_plain_tensorflow_process(tmp_path):
    m = tiny_model("dcgan")
    version_dir = export.saved_model(m, str(tmp_path / "sm"))
    z = np.random.default_rng(0).standard_normal((3, m.latent_dim)).astype("float32")
    np.save(tmp_path / "z.npy", z)
    expected = m.generate(z).numpy()
    code = (
        "import sys, numpy as np, tensorflow as tf\n"
        "f = tf.saved_model.load(sys.argv[1]).signatures['serving_default']\n"
        "out = f(z=tf.constant(np.load(sys.argv[2])))['images'].numpy()\n"
        "assert 'keras_gans' not in sys.modules\n"
        "np.save(sys.argv[3], out)\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, version_dir, str(tmp_path / "z.npy"), str(tmp_path / "o.npy")],
        check=True, cwd=str(tmp_path),
    )
    np.testing.assert_allclose(np.load(tmp_path / "o.npy"), expected, atol=1e-5)


def test_sample_grid_fixed_latents_and_tensorboard(tmp_path):
    m = tiny_model("dcgan")
    cb = keras_gans.callbacks.SampleGrid(
        every_n_epochs=1, num=4, seed=3, directory=str(tmp_path / "s"),
        tensorboard_dir=str(tmp_path / "tb"),
    )
    m.fit(tiny_dataset(m.image_shape), epochs=2, verbose=0, callbacks=[cb])
    assert sorted(os.listdir(tmp_path / "s")) == ["epoch_0001.png", "epoch_0002.png"]
    z1 = cb._latents().copy()
    assert np.array_equal(z1, cb._latents())
    assert any(f.startswith("events.out") for f in os.listdir(tmp_path / "tb"))
    from PIL import Image

    assert Image.open(tmp_path / "s" / "epoch_0002.png").size[0] >= 256


def test_periodic_save_writes_a_loadable_model(tmp_path):
    import keras

    m = tiny_model("dcgan")
    path = str(tmp_path / "run" / "model.keras")
    m.fit(tiny_dataset(m.image_shape), epochs=2, verbose=0,
          callbacks=[keras_gans.callbacks.PeriodicSave(path, every_n_epochs=2)])
    assert os.listdir(tmp_path / "run") == ["model.keras"]
    assert int(keras.saving.load_model(path).g_optimizer.iterations) == 4


def test_saved_model_holds_only_the_generator_once(tmp_path):
    import tensorflow as tf

    model = tiny_model("dcgan")
    path = export.saved_model(model, str(tmp_path / "sm"))
    reader = tf.train.load_checkpoint(os.path.join(path, "variables", "variables"))
    stored = sum(int(np.prod(s)) for n, s in reader.get_variable_to_shape_map().items()
                 if not n.startswith("_CHECKPOINTABLE") and "OBJECT_GRAPH" not in n)
    assert stored == model.generator.count_params()  # not D, optimizer slots or a second copy


def test_tflite_reuses_the_saved_model_just_written_unless_the_model_is_mixed(tmp_path, monkeypatch):
    import keras

    from keras_gans.testing import litert_run

    m = tiny_model("dcgan")
    version = export.saved_model(m, str(tmp_path / "sm"))
    written = []
    real = export._write_saved_model

    def counted(model, directory):
        written.append(model)
        return real(model, directory)

    monkeypatch.setattr(export, "_write_saved_model", counted)
    path = export.tflite(m, str(tmp_path / "m.tflite"), saved_model_dir=version)
    assert written == []  # converted from `version`, not traced a second time
    z = np.random.default_rng(0).standard_normal((2, m.latent_dim)).astype("float32")
    np.testing.assert_allclose(litert_run(path, "serving_default", z=z)["images"],
                               m.generate(z).numpy(), atol=1e-4)
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        mixed = tiny_model("dcgan")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    mixed.set_weights(m.get_weights())
    export.tflite(mixed, str(tmp_path / "mixed.tflite"), saved_model_dir=version)
    assert len(written) == 1 and written[0] is not mixed  # its float32 copy, written afresh
