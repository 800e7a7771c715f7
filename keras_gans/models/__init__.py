"""The base classes (`GenerativeModel`, `GAN`, `Step`) and every registered model.

Every module in this package is imported here, so a new model file registers
itself (with `keras_gans.registry.register_model`) just by existing.
"""

import importlib
import pkgutil

from keras_gans.models.base import GAN, GenerativeModel, OptimizerGroup, Step

__all__ = ["GenerativeModel", "GAN", "Step", "OptimizerGroup"]

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name == "base" or _info.name.startswith("_"):
        continue
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _attr in getattr(_module, "__all__", None) or dir(_module):
        _obj = getattr(_module, _attr)
        if isinstance(_obj, type) and issubclass(_obj, GenerativeModel) and _obj.__module__ == _module.__name__:
            globals()[_attr] = _obj
            __all__.append(_attr)
