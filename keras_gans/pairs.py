"""The two-domain loaders under their old import path; they live in `keras_gans.data.pairs`.

Everything here is `keras_gans.data.pairs`' public API (also importable from
`keras_gans.data`), e.g. `keras_gans.pairs.ink` is `keras_gans.data.ink`.
"""

from keras_gans.data import pairs as _pairs
from keras_gans.data.pairs import *  # noqa: F401,F403 - the module's public API

__all__ = list(_pairs.__all__)
