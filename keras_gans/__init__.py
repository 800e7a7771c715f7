"""keras-gans: a GAN model zoo for Keras 3 on TensorFlow.

Importing the package registers every model with Keras' serialization, so
`keras.saving.load_model(path)` reloads a keras-gans `.keras` file with no
`custom_objects`.

Example:
```python
import keras_gans

model = keras_gans.get("dcgan")
model.compile()
model.fit(keras_gans.data.load("digits", image_size=32), epochs=10)
keras_gans.export.saved_model(model, "savedmodels/dcgan")
```
"""

import os as _os
import sys as _sys

if _os.path.basename(_sys.argv[0] if _sys.argv else "") in ("keras-gans", "-m"):
    # Run as the command line: keep TensorFlow's C++ start-up chatter (oneDNN
    # and CUDA probes, printed before its log level is read) out of the
    # terminal. Python errors still show: stderr is restored before raising.
    _os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    _saved_fd, _null_fd = _os.dup(2), _os.open(_os.devnull, _os.O_WRONLY)
    _os.dup2(_null_fd, 2)
    try:
        import tensorflow  # noqa: F401
    finally:
        _os.dup2(_saved_fd, 2)
        _os.close(_saved_fd)
        _os.close(_null_fd)

__version__ = "0.1.0"

from keras_gans import losses  # noqa: E402
from keras_gans.registry import get, list_models  # noqa: E402
from keras_gans import models  # noqa: E402
from keras_gans.models import *  # noqa: E402,F401,F403
from keras_gans import callbacks, data, export, images, inference, layers, networks  # noqa: E402
from keras_gans import distribute, serving, testing, training  # noqa: E402
from keras_gans import regularizers  # noqa: E402,F401 - the old path of losses.penalties

__all__ = [
    "get",
    "list_models",
    "callbacks",
    "data",
    "export",
    "images",
    "inference",
    "layers",
    "losses",
    "models",
    "networks",
    "serving",
    "testing",
    "training",
] + list(models.__all__)
