"""Keras' learning-rate callbacks, for some of a GAN's optimizers.

A keras-gans GAN's `model.optimizer` is a `keras_gans.models.OptimizerGroup`:
Keras' own `keras.callbacks.LearningRateScheduler` and `ReduceLROnPlateau`
act on every optimizer it holds (D's, G's, ...). The two classes here are the
same callbacks with an `optimizers` argument that names the groups to act on.
"""

import keras


class _GroupView:
    """`model` as a callback sees it, with `optimizer` limited to some groups."""

    def __init__(self, model, groups):
        from keras_gans.models.base import OptimizerGroup

        vars(self)["_model"] = model
        vars(self)["_groups"] = groups
        vars(self)["_group_class"] = OptimizerGroup

    @property
    def optimizer(self):
        return self._group_class(self._model, self._groups)

    def __getattr__(self, name):
        return getattr(self._model, name)

    def __setattr__(self, name, value):
        setattr(self._model, name, value)


class LearningRateScheduler(keras.callbacks.LearningRateScheduler):
    """`keras.callbacks.LearningRateScheduler` on the optimizer groups named.

    Args:
        schedule: callable. `(epoch, lr) -> new lr`, as in Keras.
        optimizers: tuple of str or None. Groups such as ("g",); every group
            of the model when None.
        verbose: int. 1 prints each change.

    Example:
    ```python
    halve_g = keras_gans.callbacks.LearningRateScheduler(
        lambda epoch, lr: lr * 0.5, optimizers=("g",))
    model.fit(ds, epochs=4, callbacks=[halve_g])
    ```
    """

    def __init__(self, schedule, optimizers=None, verbose=0):
        super().__init__(schedule, verbose=verbose)
        self.groups = None if optimizers is None else tuple(optimizers)

    def set_model(self, model):
        super().set_model(model if self.groups is None else _GroupView(model, self.groups))


class ReduceLROnPlateau(keras.callbacks.ReduceLROnPlateau):
    """`keras.callbacks.ReduceLROnPlateau` on the optimizer groups named.

    Args:
        optimizers: tuple of str or None. Groups such as ("d", "g"); every
            group of the model when None.
        **kwargs: Keras' arguments (`monitor`, `factor`, `patience`, ...);
            `mode` is "min" for a monitored name ending in "loss".

    Example:
    ```python
    plateau = keras_gans.callbacks.ReduceLROnPlateau(
        monitor="g_loss", factor=0.5, patience=2, optimizers=("g",))
    ```
    """

    def __init__(self, optimizers=None, **kwargs):
        # A GAN's logs are losses: "min" unless told otherwise (Keras' "auto"
        # cannot tell for names such as "g_loss").
        if kwargs.get("mode", "auto") == "auto" and kwargs.get("monitor", "val_loss").endswith("loss"):
            kwargs["mode"] = "min"
        super().__init__(**kwargs)
        self.groups = None if optimizers is None else tuple(optimizers)

    def set_model(self, model):
        super().set_model(model if self.groups is None else _GroupView(model, self.groups))
