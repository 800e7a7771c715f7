"""Export to SavedModel (TF Serving layout) and to LiteRT / TFLite.

The code lives in `keras_gans.serving` (`serving.export`, `serving.layout`,
`serving.metadata`); this module keeps its names under `keras_gans.export`.

Example:
```python
path = keras_gans.export.saved_model(model, "savedmodels/dcgan")   # -> savedmodels/dcgan/1
keras_gans.export.tflite(model, "savedmodels/dcgan/dcgan.tflite")
```
"""

from keras_gans import serving as _serving

#: The export names of `keras_gans.serving`.
__all__ = ["METADATA_NAME", "latest_version_dir", "read_saved_model_metadata",
           "read_tflite_metadata", "saved_model", "tflite", "tflite_bytes_from_saved_model",
           "versions"]
globals().update({name: getattr(_serving, name) for name in __all__})
