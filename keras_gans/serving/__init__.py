"""Serving: export a model and sample from any saved form of it.

- `layout`: TF Serving's directory layout (`versions`, `latest_version_dir`,
  `resolve_saved_model`).
- `metadata`: the keras-gans metadata an export carries (a conditional
  model's classes, InfoGAN's code layout, a translator's data).
- `export`: `saved_model(model, base_dir)` (TF Serving layout) and
  `tflite(model, path)` (LiteRT), both atomic.
- `runtimes`: `load(path)`, which loads any saved form (a `.keras` file, a
  SavedModel version or base directory, a `.tflite` file) with one clear
  `ValueError` line for a file it cannot read, and how to call its signatures.
- `samplers`: `load_sampler(path)`, which picks the sampler of the file's kind
  (generator, label-conditional, InfoGAN, translator) from what its
  `serving_default` takes; each answers `sample`, `evaluation_images` and
  `cli_grid` as the model of its kind does.

`keras_gans.export` and `keras_gans.inference` re-export these names.

Example:
```python
path = keras_gans.serving.saved_model(model, "savedmodels/dcgan")
sampler = keras_gans.serving.load_sampler("savedmodels/dcgan")
images = sampler.sample(16, seed=0)
runtime = keras_gans.serving.load("savedmodels/dcgan/dcgan.tflite")
runtime.run("serving_default", z=z)["images"]
```
"""

from keras_gans.serving.export import (
    saved_model,
    tflite,
    tflite_bytes_from_saved_model,
)
from keras_gans.serving.layout import latest_version_dir, resolve_saved_model, versions
from keras_gans.serving.metadata import (
    METADATA_NAME,
    add_tflite_metadata,
    export_name,
    metadata_of,
    read_saved_model_metadata,
    read_tflite_metadata,
    write_saved_model_metadata,
)
from keras_gans.serving.runtimes import load
from keras_gans.serving.samplers import (
    SAMPLERS,
    CodeSampler,
    GeneratorSampler,
    LabelSampler,
    Sampler,
    TranslatorSampler,
    load_sampler,
    sampler_for,
)

__all__ = [
    "METADATA_NAME",
    "SAMPLERS",
    "CodeSampler",
    "GeneratorSampler",
    "LabelSampler",
    "Sampler",
    "TranslatorSampler",
    "add_tflite_metadata",
    "export_name",
    "latest_version_dir",
    "load",
    "load_sampler",
    "metadata_of",
    "read_saved_model_metadata",
    "read_tflite_metadata",
    "resolve_saved_model",
    "sampler_for",
    "saved_model",
    "tflite",
    "tflite_bytes_from_saved_model",
    "versions",
    "write_saved_model_metadata",
]
