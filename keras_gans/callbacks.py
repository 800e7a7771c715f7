"""Keras callbacks for GAN training."""

import os

import numpy as np
import keras

from keras_gans import images as images_lib


class SampleGrid(keras.callbacks.Callback):
    """Writes a grid of samples from a fixed latent batch every few epochs.

    The latents are drawn once from `seed`, so grids of different epochs show
    the same z and can be compared.

    Args:
        every_n_epochs: int. Write a grid after every this many epochs.
        num: int. Images per grid.
        seed: int. Seed of the fixed latents.
        directory: str. Where PNG files go, as `epoch_0001.png`, ...
        tensorboard_dir: str or None. Also write a TensorBoard image summary
            ("samples") here.
        inputs: array or None. Image-to-image models: the domain-A images to
            translate (a row each: input | output | reconstruction); None takes
            test images of the model's `default_data`.

    Example:
    ```python
    model.fit(ds, epochs=10, callbacks=[
        keras_gans.callbacks.SampleGrid(directory="runs/dcgan/samples")])
    ```
    """

    def __init__(self, every_n_epochs=1, num=64, seed=0, directory="samples", tensorboard_dir=None,
                 inputs=None):
        super().__init__()
        if every_n_epochs < 1:
            raise ValueError(f"every_n_epochs must be >= 1; got {every_n_epochs}.")
        self.every_n_epochs = int(every_n_epochs)
        self.num = int(num)
        self.seed = seed
        self.directory = directory
        self.tensorboard_dir = tensorboard_dir
        self.inputs = inputs
        self._z = None
        self._writer = None
        self.paths = []

    def _latents(self):
        if self._z is None:
            rng = np.random.default_rng(self.seed)
            self._z = rng.standard_normal((self.num, self.model.latent_dim)).astype("float32")
        return self._z

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        ncols = None
        if hasattr(self.model, "translation_grid"):
            images, ncols = self.model.preview_grid(min(self.num, 16), self.seed, self.inputs)
        else:
            generate = getattr(self.model, "preview", self.model.generate)
            images = keras.ops.convert_to_numpy(generate(self._latents()))
        path = os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png")
        images_lib.save_grid(images, path, ncols=ncols)
        self.paths.append(path)
        if self.tensorboard_dir:
            import tensorflow as tf

            if self._writer is None:
                self._writer = tf.summary.create_file_writer(self.tensorboard_dir)
            with self._writer.as_default():
                tf.summary.image(
                    "samples", images_lib.grid(images, ncols=ncols)[None], step=epoch + 1
                )
            self._writer.flush()


class PeriodicSave(keras.callbacks.Callback):
    """Saves the whole model (weights, optimizer state, config) every few epochs.

    The file is written beside the target and moved into place, so an
    interruption never leaves a half-written `.keras` file.

    Args:
        path: str. The `.keras` file.
        every_n_epochs: int. Save after every this many epochs (and at the end).
    """

    def __init__(self, path, every_n_epochs=1):
        super().__init__()
        self.path = path
        self.every_n_epochs = max(1, int(every_n_epochs))
        self._last = None

    def _save(self, epoch):
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        tmp = self.path + ".tmp.keras"
        self.model.save(tmp)
        os.replace(tmp, self.path)
        self._last = epoch

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs == 0:
            self._save(epoch)
