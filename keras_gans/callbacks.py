"""Keras callbacks for GAN training (they live in `keras_gans.training`).

`keras_gans.callbacks.<Name>` is the same class as `keras_gans.training.<Name>`:
`NaNGuard`, `SampleGrid`, `PeriodicSave`, `FIDCallback`, `TimeBudget` and
`Backup`, with `TrainingState`, `all_finite` and `seed_generators`.

Example:
```python
model.fit(ds, epochs=10, callbacks=[
    keras_gans.callbacks.NaNGuard(),
    keras_gans.callbacks.SampleGrid(directory="runs/dcgan/samples")])
```
"""

from keras_gans.training.backup import Backup, seed_generators
from keras_gans.training.callbacks import (
    FIDCallback,
    NaNGuard,
    PeriodicSave,
    SampleGrid,
    TimeBudget,
)
from keras_gans.training.state import TrainingState, all_finite

__all__ = [
    "Backup",
    "FIDCallback",
    "NaNGuard",
    "PeriodicSave",
    "SampleGrid",
    "TimeBudget",
    "TrainingState",
    "all_finite",
    "seed_generators",
]
