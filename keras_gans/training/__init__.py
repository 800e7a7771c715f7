"""Training: `run()` (what `keras-gans train` does), its callbacks, backup/resume and state.

- `run(model, data, ...)`: build, compile, train, save, export; returns a
  `TrainingResult`.
- `TrainingState`: what the callbacks of one run tell each other (a run that
  went non-finite, the last good epoch, the epoch a backup restored).
- Callbacks: `NaNGuard`, `DiscriminatorCheck`, `SampleGrid`, `PeriodicSave`, `FIDCallback`,
  `TimeBudget`, `Backup`, and `LearningRateScheduler` / `ReduceLROnPlateau`
  for named optimizer groups (also importable as `keras_gans.callbacks.<Name>`).

Example:
```python
import keras_gans

result = keras_gans.training.run("dcgan", "digits", epochs=2, image_size=16,
                                 run_dir="runs/dcgan", export=False)
result.model.sample(16, seed=0)
```
"""

from keras_gans.training.backup import Backup, seed_generators
from keras_gans.training.callbacks import (
    DiscriminatorCheck,
    DiscriminatorWarning,
    FIDCallback,
    NaNGuard,
    PeriodicSave,
    SampleGrid,
    TimeBudget,
)
from keras_gans.training.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from keras_gans.training.runner import TrainingResult, TrainingWarning, run
from keras_gans.training.state import NonFiniteError, TrainingState, all_finite

__all__ = [
    "Backup",
    "DiscriminatorCheck",
    "DiscriminatorWarning",
    "FIDCallback",
    "LearningRateScheduler",
    "NaNGuard",
    "NonFiniteError",
    "PeriodicSave",
    "ReduceLROnPlateau",
    "SampleGrid",
    "TimeBudget",
    "TrainingResult",
    "TrainingState",
    "TrainingWarning",
    "all_finite",
    "run",
    "seed_generators",
]
