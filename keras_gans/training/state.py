"""The state of one training run, shared by its callbacks."""

import weakref

import numpy as np


def all_finite(logs):
    """True when every numeric value in a Keras `logs` dict is finite.

    Args:
        logs: dict or None. What Keras passes to a callback; values that are
            not numbers are skipped.

    Returns:
        bool.

    Example:
    ```python
    keras_gans.training.all_finite({"d_loss": 0.7, "g_loss": float("nan")})  # False
    ```
    """
    for value in (logs or {}).values():
        try:
            if not np.all(np.isfinite(np.asarray(value, dtype="float64"))):
                return False
        except (TypeError, ValueError):
            continue
    return True


class NonFiniteError(ValueError):
    """Training went non-finite (NaN or inf losses) and was stopped.

    `keras_gans.training.run` raises it after `NaNGuard` stopped `fit()`; the
    last good checkpoint, backup and export are kept. `keras-gans train`
    prints its message and exits with code 2.

    Args:
        message: str. One line: where it happened and what to try.
        state: `TrainingState` or None. The run's state (`failure` says where).

    Example:
    ```python
    try:
        keras_gans.training.run("dcgan", epochs=2)
    except keras_gans.training.NonFiniteError as e:
        print(e.state.failure)
    ```
    """

    def __init__(self, message, state=None):
        super().__init__(message)
        self.state = state


_DEFAULT_STATES = weakref.WeakKeyDictionary()


class TrainingState:
    """What the callbacks of one run tell each other, in place of marks on the model.

    One `TrainingState` is shared by the callbacks of a run: `NaNGuard` records
    a non-finite batch in it, and `PeriodicSave`, `SampleGrid`, `FIDCallback`
    and `Backup` read it, so a model that went non-finite never replaces the
    last good checkpoint or backup. `keras_gans.training.run` creates one and
    returns it in its result. A callback built without a `state` uses the
    state of the model it is attached to (`TrainingState.of(model)`), so
    callbacks built separately for one `fit()` still agree.

    Attributes:
        went_non_finite: bool. A logged value was NaN or inf; training stopped.
        failure: dict or None. Where: `{"epoch", "batch", "values"}` (1-based
            epoch and batch; the non-finite scalar logs).
        epoch: int. The epoch running or last run (0-based, as Keras counts).
        last_good_epoch: int or None. Epochs finished with finite logs,
            counted from the first (1-based); None before the first.
        resumed_epoch: int or None. The finished epochs a `Backup` restored.

    Example:
    ```python
    state = keras_gans.training.TrainingState()
    model.fit(ds, epochs=5, callbacks=[
        keras_gans.callbacks.NaNGuard(state=state),
        keras_gans.callbacks.PeriodicSave("model.keras", state=state)])
    state.went_non_finite, state.last_good_epoch
    ```
    """

    def __init__(self):
        self.went_non_finite = False
        self.failure = None
        self.epoch = 0
        self.last_good_epoch = None
        self.resumed_epoch = None

    @classmethod
    def of(cls, model):
        """The state shared by the callbacks of `model` that were given none.

        Args:
            model: keras.Model. The model being trained.

        Returns:
            TrainingState. The same object for the same model, for as long as
            the model lives (the model itself is not changed).
        """
        state = _DEFAULT_STATES.get(model)
        if state is None:
            state = _DEFAULT_STATES[model] = cls()
        return state

    def mark_non_finite(self, epoch, batch, values):
        """Records that batch `batch` of epoch `epoch` (both 1-based) logged non-finite `values`."""
        self.went_non_finite = True
        self.failure = {"epoch": int(epoch), "batch": int(batch), "values": dict(values)}

    def __repr__(self):
        return (f"TrainingState(went_non_finite={self.went_non_finite}, epoch={self.epoch}, "
                f"last_good_epoch={self.last_good_epoch}, resumed_epoch={self.resumed_epoch})")


class StateCallbackMixin:
    """For callbacks that share a `TrainingState`: `self.state` is the one
    given to the constructor, else the model's (`TrainingState.of`)."""

    _state = None

    @property
    def state(self):
        if self._state is not None:
            return self._state
        if getattr(self, "model", None) is None:
            raise ValueError(f"{type(self).__name__} has no state: pass state= or attach it "
                             "to a model (fit(callbacks=[...])).")
        return TrainingState.of(self.model)

    @state.setter
    def state(self, value):
        if value is not None and not isinstance(value, TrainingState):
            raise ValueError(f"state must be a keras_gans.training.TrainingState or None; "
                             f"got {type(value).__name__}.")
        self._state = value
