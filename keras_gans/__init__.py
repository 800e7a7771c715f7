"""keras-gans: a GAN model zoo for Keras 3 on TensorFlow.

Example:
```python
import keras_gans

model = keras_gans.get("dcgan")
model.compile()
model.fit(keras_gans.data.load("digits", image_size=32), epochs=10)
keras_gans.export.saved_model(model, "savedmodels/dcgan")
```
"""

__version__ = "0.1.0"

from keras_gans import losses, regularizers  # noqa: E402
from keras_gans.registry import get, list_models  # noqa: E402
from keras_gans import models  # noqa: E402
from keras_gans.models import *  # noqa: E402,F401,F403
from keras_gans import callbacks, data, export  # noqa: E402

__all__ = [
    "get",
    "list_models",
    "losses",
    "regularizers",
    "models",
    "callbacks",
    "data",
    "export",
] + list(models.__all__)
