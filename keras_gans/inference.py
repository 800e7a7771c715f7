"""Load any saved form of a model and sample from it.

The code lives in `keras_gans.serving.samplers`; this module keeps its names
under `keras_gans.inference`. `load_sampler(path)` takes a `.keras` file, a
SavedModel (version or base directory) or a `.tflite` file and returns the
sampler of the file's kind: `GeneratorSampler` (z), `LabelSampler` (z and
labels), `CodeSampler` (InfoGAN: z and codes) or `TranslatorSampler` (images).

Example:
```python
sampler = keras_gans.inference.load_sampler("savedmodels/dcgan")
images = sampler.sample(16, seed=0)
```
"""

from keras_gans import serving as _serving

#: The sampler names of `keras_gans.serving`, with `resolve_saved_model`.
__all__ = ["SAMPLERS", "CodeSampler", "GeneratorSampler", "LabelSampler", "Sampler",
           "TranslatorSampler", "load_sampler", "resolve_saved_model", "sampler_for"]
globals().update({name: getattr(_serving, name) for name in __all__})
