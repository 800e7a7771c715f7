"""Model registry: a name maps to a class, its defaults and a tiny test config.

`register_model` fills the registry and also registers the class with Keras'
serialization, so a `.keras` file reloads with no `custom_objects`.
"""

import difflib
import fnmatch

import keras

_REGISTRY = {}


class _Entry:
    def __init__(self, name, cls, defaults, tiny, summary):
        self.name = name
        self.cls = cls
        self.defaults = dict(defaults)
        self.tiny = dict(tiny)
        self.summary = summary


def register_model(name, defaults=None, tiny=None, summary=None):
    """Class decorator: registers a GAN under `name`.

    Args:
        name: str. The name `keras_gans.get` and the CLI take.
        defaults: dict. Constructor overrides that define the preset.
        tiny: dict. Overrides for a seconds-long smoke test (used by the tests).
        summary: str. One line for `keras-gans list`; the class docstring's first
            line when None.

    Returns:
        The class decorator; it returns the class, registered with Keras'
        serialization and given `registry_name`.

    Example:
    ```python
    @keras_gans.registry.register_model("my_gan", tiny={"image_shape": (16, 16, 1)})
    class MyGAN(keras_gans.models.GAN):
        ...
    ```
    """

    def decorator(cls):
        if name in _REGISTRY:
            raise ValueError(f"Model {name!r} is already registered.")
        keras.saving.register_keras_serializable(package="keras_gans", name=cls.__name__)(cls)
        doc = summary or (cls.__doc__ or "").strip().splitlines()[0:1]
        if isinstance(doc, list):
            doc = doc[0] if doc else ""
        _REGISTRY[name] = _Entry(name, cls, defaults or {}, tiny or {}, doc)
        cls.registry_name = name
        return cls

    return decorator


def _ensure_loaded():
    # Importing the models package runs every `register_model`.
    from keras_gans import models  # noqa: F401


def list_models(pattern="*"):
    """Returns the sorted registered names that match `pattern`.

    Args:
        pattern: str. A shell-style pattern (`"*gan"`), or, without any of
            `*?[`, a part of a name (`"cycle"`).

    Returns:
        list of str.

    Example:
    ```python
    keras_gans.list_models()        # every model
    keras_gans.list_models("*gan")  # names ending in "gan"
    keras_gans.list_models("cycle")  # ["cyclegan"]
    ```
    """
    _ensure_loaded()
    if not any(c in pattern for c in "*?["):
        pattern = f"*{pattern}*"
    return sorted(n for n in _REGISTRY if fnmatch.fnmatch(n, pattern))


def entry(name):
    """Returns the registry entry for `name`, with a helpful error if unknown.

    Args:
        name: str. A registered name.

    Returns:
        The entry: `name`, `cls`, `defaults`, `tiny` and `summary`.

    Example:
    ```python
    keras_gans.registry.entry("wgan").cls  # keras_gans.models.WGAN
    ```
    """
    _ensure_loaded()
    if name not in _REGISTRY:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"Unknown model {name!r}.{hint} Run `keras-gans list` to see all "
            f"{len(_REGISTRY)} models."
        )
    return _REGISTRY[name]


def get(name, **overrides):
    """Builds the registered model `name` with its defaults, updated by `overrides`.

    Args:
        name: str. A name from `keras_gans.list_models()`.
        **overrides: constructor arguments that replace the preset's values.

    Returns:
        keras_gans.models.GenerativeModel. The model, not yet compiled.

    Raises:
        ValueError: for an unknown name, an argument the model does not take,
            or a value that breaks the argument's rule ("g_width must be a
            positive int; got 'abc'."): the model's constructor checks every
            argument (`GenerativeModel.check_arguments`) before it builds.

    Example:
    ```python
    model = keras_gans.get("dcgan", image_shape=(32, 32, 1))
    model.compile()
    ```
    """
    e = entry(name)
    config = dict(e.defaults)
    config.update(overrides)
    return e.cls(**config)


def tiny_config(name):
    """Returns the overrides that make `name` small enough for a smoke test.

    Args:
        name: str. A registered name.

    Returns:
        dict. Constructor overrides (a copy).

    Example:
    ```python
    model = keras_gans.get("dcgan", **keras_gans.registry.tiny_config("dcgan"))
    ```
    """
    return dict(entry(name).tiny)
