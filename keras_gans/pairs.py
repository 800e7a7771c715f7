"""The two-domain loaders under their old import path; they live in `keras_gans.data.pairs`.

Everything here is `keras_gans.data.pairs`' public API (also importable from
`keras_gans.data`), e.g. `keras_gans.pairs.ink` is `keras_gans.data.ink`.
"""

from keras_gans.data.pairs import (
    CARTOON_SOURCES,
    INK,
    PAIRED_SPECS,
    PAPER,
    PHOTO_CROPS,
    PHOTO_SOURCES,
    SPEC_FORMS,
    UNPAIRED_SPECS,
    cartoonize,
    default_channels,
    domain_images,
    ink,
    ink_strength,
    is_pair_spec,
    load_pairs,
    load_unpaired,
)

__all__ = [
    "CARTOON_SOURCES",
    "INK",
    "PAIRED_SPECS",
    "PAPER",
    "PHOTO_CROPS",
    "PHOTO_SOURCES",
    "SPEC_FORMS",
    "UNPAIRED_SPECS",
    "cartoonize",
    "default_channels",
    "domain_images",
    "ink",
    "ink_strength",
    "is_pair_spec",
    "load_pairs",
    "load_unpaired",
]
