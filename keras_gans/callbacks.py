"""Keras callbacks for GAN training (they live in `keras_gans.training`).

`keras_gans.callbacks.<Name>` is the same class as `keras_gans.training.<Name>`:
`NaNGuard`, `DiscriminatorCheck`, `SampleGrid`, `PeriodicSave`, `FIDCallback`,
`TimeBudget` and `Backup`, with `TrainingState`, `all_finite` and `seed_generators`; and
`LearningRateScheduler` / `ReduceLROnPlateau`, Keras' callbacks for the
optimizer groups named (Keras' own act on every group of a GAN).

Example:
```python
model.fit(ds, epochs=10, callbacks=[
    keras_gans.callbacks.NaNGuard(),
    keras_gans.callbacks.SampleGrid(directory="runs/dcgan/samples")])
```
"""

from keras_gans import training as _training

#: The callbacks (and the state they share) re-exported from keras_gans.training.
__all__ = [n for n in _training.__all__ if n not in (
    "NonFiniteError", "TrainingResult", "TrainingWarning", "run")]
globals().update({n: getattr(_training, n) for n in __all__})
