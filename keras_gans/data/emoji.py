"""Colour emoji from the bitmaps of Noto Color Emoji: the `emoji[:SIZE][:PATH]` spec.

The font of Debian's package `fonts-noto-color-emoji` (`make data` installs
it) keeps one PNG per emoji in its CBDT table, 136x128 px. `load_emoji` reads
them with fontTools (about 3,900: every bitmap glyph the font maps from
Unicode, see `emoji_glyphs`), composites them on white, makes them square and
downsamples them (antialiased, never upsampled) to `size`; each comes with
its Unicode name (`emoji_name`: "red apple"). The decoded arrays are cached
per size under `~/.keras/keras_gans/emoji/` (`$KERAS_HOME` replaces
`~/.keras`), keyed by the font file's path, size and modification time.

The font is looked for in `emoji:SIZE:PATH` (or `emoji:PATH`), else in
`$KERAS_GANS_EMOJI_FONT`, else at Debian's path
(/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf).
"""

import hashlib
import os
import sys
import tempfile
import time
import unicodedata

import numpy as np
import tensorflow as tf

from keras_gans.data.transforms import (
    check_channels,
    check_image_size,
    match_channels,
    to_signed_range,
)

__all__ = [
    "DEBIAN_EMOJI_FONT",
    "EMOJI_APT",
    "EMOJI_DEFAULT_SIZE",
    "EMOJI_FONT_ENV",
    "EMOJI_MAX_SIZE",
    "check_emoji_size",
    "emoji_cache_path",
    "emoji_dataset",
    "emoji_font_path",
    "emoji_glyphs",
    "emoji_name",
    "load_emoji",
    "parse_emoji_spec",
]

#: Where Debian's `fonts-noto-color-emoji` puts the font.
DEBIAN_EMOJI_FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
#: The Debian package of the font.
EMOJI_APT = "fonts-noto-color-emoji"
#: The environment variable naming a font file to read instead.
EMOJI_FONT_ENV = "KERAS_GANS_EMOJI_FONT"
#: `load_emoji`'s size when none is given.
EMOJI_DEFAULT_SIZE = 64
#: The largest size: the height of Noto's bitmaps (larger would upsample them).
EMOJI_MAX_SIZE = 128

#: Bumped when decoding or naming changes, so that older caches are not served.
_CACHE_FORMAT = 1

_ZWJ = 0x200D
_KEYCAP = 0x20E3
_CANCEL_TAG = 0xE007F
_BLACK_FLAG = 0x1F3F4
_REGIONAL_A, _REGIONAL_Z = 0x1F1E6, 0x1F1FF
_SKIN_TONES = {
    0x1F3FB: "light skin tone",
    0x1F3FC: "medium-light skin tone",
    0x1F3FD: "medium skin tone",
    0x1F3FE: "medium-dark skin tone",
    0x1F3FF: "dark skin tone",
}
#: Subdivision flags with a common name (the tag letters after the black flag).
_SUBDIVISIONS = {"gbeng": "england", "gbsct": "scotland", "gbwls": "wales"}
#: Unicode 15.0 emoji that Python before 3.12 has no name for (its database is Unicode 14).
_UNICODE_15_NAMES = {
    0x1F6DC: "wireless",
    0x1FA75: "light blue heart",
    0x1FA76: "grey heart",
    0x1FA77: "pink heart",
    0x1FA87: "maracas",
    0x1FA88: "flute",
    0x1FAAD: "folding hand fan",
    0x1FAAE: "hair pick",
    0x1FAAF: "khanda",
    0x1FABB: "hyacinth",
    0x1FABC: "jellyfish",
    0x1FABD: "wing",
    0x1FABF: "goose",
    0x1FACE: "moose",
    0x1FACF: "donkey",
    0x1FADA: "ginger root",
    0x1FADB: "pea pod",
    0x1FAE8: "shaking face",
    0x1FAF7: "leftwards pushing hand",
    0x1FAF8: "rightwards pushing hand",
}


# ------------------------------------------------------------------ sizes, specs and the font


def check_emoji_size(size, where="size"):
    """Raises a one-line ValueError unless `size` is an int from 1 to `EMOJI_MAX_SIZE`.

    Args:
        size: int. The side of the emoji images.
        where: str. How the size was given (for the message), e.g. "emoji:SIZE".

    Returns:
        None.

    Example:
    ```python
    keras_gans.data.emoji.check_emoji_size(64)  # passes; 0, 64.5 or 256 would raise
    ```
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"Emoji {where} must be a whole number of pixels from 1 to "
                         f"{EMOJI_MAX_SIZE}, e.g. 64; got {size!r}.")
    if size > EMOJI_MAX_SIZE:
        raise ValueError(f"Emoji {where} {size} is larger than the font's {EMOJI_MAX_SIZE} px "
                         f"bitmaps; emoji are never upsampled (use {EMOJI_MAX_SIZE} or less).")


def parse_emoji_spec(rest):
    """Reads what follows "emoji:" in a spec: `SIZE`, `SIZE:PATH` or `PATH`.

    Args:
        rest: str or None. The part after "emoji:" (None for a bare `emoji`).

    Returns:
        `(size, path)`: int or None, str or None.

    Example:
    ```python
    keras_gans.data.emoji.parse_emoji_spec("64:/fonts/NotoColorEmoji.ttf")  # 64, "/fonts/..."
    ```
    """
    if rest is None:
        return None, None
    if not rest:
        raise ValueError("emoji: spec needs a size or a font file after the colon, e.g. "
                         "emoji:64 or emoji:64:/path/NotoColorEmoji.ttf.")
    head, sep, tail = rest.partition(":")
    looks_like_path = (os.sep in rest or "/" in rest or rest.lower().endswith((".ttf", ".otf"))
                       or os.path.exists(rest))
    if not head.strip().lstrip("+-").isdigit() and looks_like_path:
        return None, rest
    try:
        size = int(head)
    except ValueError:
        raise ValueError(f"Emoji size (emoji:SIZE) must be a whole number of pixels from 1 to "
                         f"{EMOJI_MAX_SIZE}, e.g. emoji:64; got {head!r}.") from None
    check_emoji_size(size, "size (emoji:SIZE)")
    if sep and not tail:
        raise ValueError(f"emoji:{size}: needs a font file after the second colon, e.g. "
                         f"emoji:{size}:/path/NotoColorEmoji.ttf.")
    return size, (tail or None)


def emoji_font_path(path=None):
    """The emoji font to read: `path`, else `$KERAS_GANS_EMOJI_FONT`, else Debian's.

    Args:
        path: str, path-like or None. A CBDT colour-bitmap font (Noto Color Emoji).

    Returns:
        str. A file given (by `path` or the environment variable) that does
        not exist raises a one-line FileNotFoundError; no file at Debian's
        path a one-line ValueError naming the apt package.

    Example:
    ```python
    keras_gans.data.emoji.emoji_font_path()  # "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
    ```
    """
    how = "emoji:SIZE:PATH" if path else f"${EMOJI_FONT_ENV}"
    path = os.fspath(path) if path else os.environ.get(EMOJI_FONT_ENV)
    if path:
        if not os.path.isfile(path):
            what = "is a folder, not a font file" if os.path.isdir(path) else "does not exist"
            raise FileNotFoundError(f"Emoji font {path!r} ({how}) {what}; give Noto Color "
                                    f"Emoji's .ttf (Debian's {EMOJI_APT}: {DEBIAN_EMOJI_FONT}).")
        return path
    if not os.path.isfile(DEBIAN_EMOJI_FONT):
        raise ValueError(
            f"No emoji font: {DEBIAN_EMOJI_FONT} is not there; install Debian's {EMOJI_APT} "
            f"(`apt-get install {EMOJI_APT}`, or `make data`), or give a NotoColorEmoji.ttf "
            f"as emoji:SIZE:PATH or ${EMOJI_FONT_ENV}."
        )
    return DEBIAN_EMOJI_FONT


# ------------------------------------------------------------------ names


def _char_name(cp):
    """The lower-case name of one code point in an emoji's name."""
    if cp in _SKIN_TONES:
        return _SKIN_TONES[cp]
    if cp == _KEYCAP:
        return "keycap"
    name = unicodedata.name(chr(cp), None) or _UNICODE_15_NAMES.get(cp)
    if name is None:
        return f"u+{cp:04x}"
    name = name.lower()
    return name[len("emoji component "):] if name.startswith("emoji component ") else name


def emoji_name(sequence):
    """A readable, deterministic name for an emoji's code points.

    - one code point: its Unicode name, lower case ("red apple"); skin-tone
      modifiers are "light skin tone" ... "dark skin tone", hair components
      "red hair" ...;
    - two regional indicators: "flag: " and the region code ("flag: us");
    - a black flag with tag letters: "flag: england", "flag: scotland",
      "flag: wales", else "flag: " and the code ("flag: us-ca"); with none,
      "unknown flag";
    - a keycap: "keycap: " and the key's name ("keycap: digit one");
    - any other sequence (skin tones, ZWJ sequences): the names of its code
      points joined by ", ", zero width joiners and variation selectors
      left out ("man, light skin tone, red hair").

    A code point Python's Unicode database does not know (a font newer than
    Python) is named "u+XXXX".

    Args:
        sequence: iterable of int (code points) or a str.

    Returns:
        str.

    Example:
    ```python
    keras_gans.data.emoji.emoji_name([0x1F34E])  # "red apple"
    keras_gans.data.emoji.emoji_name("\\U0001F1FA\\U0001F1F8")  # "flag: us"
    ```
    """
    cps = [ord(c) for c in sequence] if isinstance(sequence, str) else [int(c) for c in sequence]
    cps = [c for c in cps if c not in (0xFE0E, 0xFE0F)]
    if not cps:
        raise ValueError("An emoji needs at least one code point.")
    if len(cps) == 2 and all(_REGIONAL_A <= c <= _REGIONAL_Z for c in cps):
        return "flag: " + "".join(chr(ord("a") + c - _REGIONAL_A) for c in cps)
    if cps[-1] == _CANCEL_TAG and all(0xE0020 <= c < _CANCEL_TAG for c in cps[1:-1]):
        tag = "".join(chr(c - 0xE0000) for c in cps[1:-1]).lower()
        if cps[0] == _BLACK_FLAG:
            if not tag:
                return "unknown flag"
            code = f"{tag[:2]}-{tag[2:]}" if len(tag) > 2 else tag
            return "flag: " + _SUBDIVISIONS.get(tag, code)
        return f"{_char_name(cps[0])}: {tag}"
    if len(cps) == 2 and cps[1] == _KEYCAP:
        return f"keycap: {_char_name(cps[0])}"
    return ", ".join(_char_name(c) for c in cps if c != _ZWJ)


# ------------------------------------------------------------------ the font's glyphs


def _import_fonttools():
    try:
        from fontTools.ttLib import TTFont
    except ImportError:
        raise ValueError("Reading the emoji font needs fontTools: pip install fonttools "
                         "(keras-gans lists it; an install without it lacks it).") from None
    return TTFont


def _ligatures(font):
    """{glyph: [code point tuples]} of every ligature of the font's GSUB."""
    if "GSUB" not in font:
        return {}
    rev = {g: c for c, g in font.getBestCmap().items()}
    out = {}
    table = font["GSUB"].table
    for lookup in table.LookupList.Lookup if table.LookupList else ():
        for sub in lookup.SubTable:
            if lookup.LookupType == 7:
                sub = sub.ExtSubTable
            for first, ligs in (getattr(sub, "ligatures", None) or {}).items():
                for lig in ligs:
                    glyphs = [first] + list(lig.Component)
                    if all(g in rev for g in glyphs):
                        seq = tuple(rev[g] for g in glyphs)
                        out.setdefault(lig.LigGlyph, [])
                        if seq not in out[lig.LigGlyph]:
                            out[lig.LigGlyph].append(seq)
    return out


def _order_key(seq):
    return (0 if len(seq) == 1 else 1, seq)


def _shared(a, b):
    """The length of the common prefix of two sequences."""
    n = 0
    for x, y in zip(a, b or ()):
        if x != y:
            break
        n += 1
    return n


def _canonical(candidates, order):
    """The code points of each glyph (in glyph order): its one sequence, or
    for a glyph that several reach (a ZWJ sequence and its right-to-left
    mirror, flag aliases) the logical one.

    Noto's build sorts the glyphs by their logical sequences, so that one
    keeps the order between its neighbours and shares a prefix with them
    (a mirror starts elsewhere: 2640 200D 26F9 against 26F9 200D 2640 among
    the 26F9 ...). Ties go to the smallest."""
    known = [candidates[g][0] if len(candidates[g]) == 1 else None for g in order]
    following, upper = [None] * len(order), None  # the next known sequence after each glyph
    for i in range(len(order) - 1, -1, -1):
        following[i] = upper
        upper = known[i] if known[i] is not None else upper
    chosen, lower, previous = {}, None, ()
    for i, g in enumerate(order):
        seq = known[i]
        if seq is None:
            upper = following[i]
            options = sorted(candidates[g], key=_order_key)
            fits = [s for s in options
                    if (lower is None or _order_key(s) >= _order_key(lower))
                    and (upper is None or _order_key(s) <= _order_key(upper))] or options
            score = {s: _shared(s, previous) + _shared(s, upper) for s in fits}
            seq = min((s for s in fits if score[s] == max(score.values())), key=_order_key)
        else:
            lower = seq
        chosen[g] = previous = seq
    return chosen


def _strike(font, path):
    if "CBDT" not in font or "CBLC" not in font:
        raise ValueError(f"{path!r} has no colour bitmaps (CBDT/CBLC tables); the emoji spec "
                         f"reads Noto Color Emoji's bitmap font (Debian's {EMOJI_APT}).")
    strikes = font["CBDT"].strikeData
    sizes = [s.bitmapSizeTable.ppemY for s in font["CBLC"].strikes]
    return strikes[int(np.argmax(sizes))]


def emoji_glyphs(path=None):
    """The bitmap glyphs of an emoji font, in the font's glyph order, with their code points.

    Kept: every glyph of the largest bitmap strike that the font's cmap
    (one code point) or a GSUB ligature (a sequence) reaches; a glyph that
    only a private-use code point reaches is left out (in Noto 2.042 none
    is: its private-use keycaps and flags are ligatures too). Where several
    sequences reach one glyph (a ZWJ sequence and its right-to-left mirror,
    flag aliases), the logical one is kept: the one that sits in the font's
    glyph order, which Noto's build sorts by sequence.

    Args:
        path: str or None. The font (None: see `emoji_font_path`).

    Returns:
        list of `(png_bytes, code_points)`: bytes and a tuple of int.

    Example:
    ```python
    glyphs = keras_gans.data.emoji.emoji_glyphs()
    png, cps = glyphs[0]  # cps == (0x23,): "number sign"
    ```
    """
    path = emoji_font_path(path)
    TTFont = _import_fonttools()
    try:
        font = TTFont(path, lazy=True)
    except Exception as e:  # noqa: BLE001 - fontTools' own errors: not a font
        raise ValueError(f"Emoji font {path!r} cannot be read as a font ({type(e).__name__}: "
                         f"{str(e).splitlines()[0] if str(e) else ''}).") from None
    with font:
        strike = _strike(font, path)
        gid = font.getReverseGlyphMap()
        candidates = {}
        for cp, g in font.getBestCmap().items():
            if unicodedata.category(chr(cp)) != "Co":
                candidates.setdefault(g, []).append((cp,))
        for g, seqs in _ligatures(font).items():
            if not candidates.get(g):
                candidates[g] = seqs
        order = sorted((g for g in strike if g in candidates), key=lambda g: gid[g])
        chosen = _canonical(candidates, order)
        out = []
        for g in order:
            bitmap = strike[g]
            if not hasattr(bitmap, "imageData"):
                bitmap.decompile()
            out.append((bytes(bitmap.imageData), chosen[g]))
    return out


# ------------------------------------------------------------------ decoding and the cache


def _decode_glyph(png, size):
    """One PNG bitmap -> uint8 [size, size, 3]: composited on white, made
    square (transparent side margins cropped, else padded with white),
    downsampled with Lanczos (antialiased)."""
    import io

    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGBA")
    w, h = im.size
    if w != h:
        side, big = min(w, h), max(w, h)
        lo = (big - side) // 2
        box = (lo, 0, lo + side, h) if w > h else (0, lo, w, lo + side)
        ink = im.getchannel("A").getbbox()  # where anything is drawn (None: nowhere)
        if ink is None or (ink[0] >= box[0] and ink[1] >= box[1] and ink[2] <= box[2]
                           and ink[3] <= box[3]):
            im = im.crop(box)  # Noto's 4 px side margins are empty: crop, nothing lost
        else:
            square = Image.new("RGBA", (big, big), (255, 255, 255, 0))
            square.paste(im, ((big - w) // 2, (big - h) // 2))
            im = square
    white = Image.new("RGBA", im.size, (255, 255, 255, 255))
    im = Image.alpha_composite(white, im).convert("RGB")
    if im.size != (size, size):
        if size > im.size[0]:
            raise ValueError(f"Emoji size {size} is larger than the font's {im.size[0]} px "
                             "bitmaps; emoji are never upsampled.")
        im = im.resize((size, size), Image.LANCZOS)
    return np.asarray(im, dtype=np.uint8)


def _cache_root():
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "keras_gans", "emoji")


def emoji_cache_path(size, path=None):
    """Where `load_emoji` caches the emoji of a font at one size.

    The file name holds a key of the font's real path, byte size and
    modification time, Python's Unicode version (the names) and the cache
    format: a changed font is decoded again, not served stale.

    Args:
        size: int. The emoji's side.
        path: str or None. The font (None: see `emoji_font_path`).

    Returns:
        str. `$KERAS_HOME/keras_gans/emoji/emoji-SIZEpx-KEY.npz` (`~/.keras`
        without KERAS_HOME).

    Example:
    ```python
    keras_gans.data.emoji.emoji_cache_path(64)  # ".../.keras/keras_gans/emoji/emoji-64px-....npz"
    ```
    """
    check_emoji_size(size)
    path = emoji_font_path(path)
    st = os.stat(path)
    key = f"{os.path.realpath(path)}|{st.st_size}|{st.st_mtime_ns}|{unicodedata.unidata_version}"
    key = hashlib.sha1(f"{key}|{_CACHE_FORMAT}".encode()).hexdigest()[:16]
    return os.path.join(_cache_root(), f"emoji-{int(size)}px-{key}.npz")


def _read_cache(cache, size):
    try:
        with np.load(cache, allow_pickle=False) as f:
            images, names = f["images"], f["names"]
    except (OSError, ValueError, KeyError, EOFError):
        return None
    if images.dtype != np.uint8 or images.shape[1:] != (size, size, 3) or len(names) != len(images):
        return None
    return images, [str(n) for n in names]


def _write_cache(cache, images, names):
    """Writes the cache atomically (a temp file renamed into place); a cache
    that cannot be written costs a warning, not the run."""
    import warnings

    folder = os.path.dirname(cache)
    tmp = None
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".emoji-", suffix=".npz.tmp", dir=folder)
        with os.fdopen(fd, "wb") as f:
            np.savez(f, images=images, names=np.array(names, dtype=str))
        os.replace(tmp, cache)
        tmp = None
    except OSError as e:
        warnings.warn(f"Could not cache the decoded emoji in {folder!r} ({e.strerror or e}); "
                      "they will be decoded again next time.", stacklevel=3)
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)


def load_emoji(size=EMOJI_DEFAULT_SIZE, path=None, verbose=True):
    """The colour emoji of Noto Color Emoji as RGB images, with their names.

    The first call at a size decodes the font's PNG bitmaps (a few seconds;
    it says so on stderr) and caches the result (see `emoji_cache_path`);
    later calls read the cache and need neither fontTools nor the decoding.

    Images: alpha composited on white; Noto's 136x128 bitmaps lose their
    empty 4 px side margins (a bitmap with content there would be padded to
    a square with white instead), then are downsampled with Lanczos
    (antialiased) to `size`; at 128 they are the bitmaps themselves. The
    order is the font's glyph order: single code points in code point
    order, then sequences in order.

    Args:
        size: int. The side, 1 to 128 (default 64). Larger raises a
            ValueError: emoji are never upsampled.
        path: str or None. The font file (None: `$KERAS_GANS_EMOJI_FONT`,
            else Debian's /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf).
        verbose: bool. Say on stderr when decoding (not when cached).

    Returns:
        `(images, names)`: uint8 numpy [N, size, size, 3] (N about 3,900)
        and a list of N str (`emoji_name`: "red apple", "flag: fr",
        "woman, dark skin tone, ..."). A missing font or fontTools raises a
        one-line error that says what to install.

    Example:
    ```python
    images, names = keras_gans.data.load_emoji(64)  # [3926, 64, 64, 3] uint8 (Noto 2.042)
    apple = images[names.index("red apple")]
    ```
    """
    check_emoji_size(size)
    size = int(size)
    cache = emoji_cache_path(size, path)
    hit = _read_cache(cache, size) if os.path.isfile(cache) else None
    if hit is not None:
        return hit
    font = emoji_font_path(path)
    start = time.perf_counter()
    glyphs = emoji_glyphs(font)
    if verbose:
        print(f"Decoding {len(glyphs):,} emoji from {font} at {size} px (once: cached in "
              f"{os.path.dirname(cache)}) ...", file=sys.stderr, flush=True)
    images = np.empty((len(glyphs), size, size, 3), np.uint8)
    report = time.perf_counter() + 10.0
    for i, (png, _) in enumerate(glyphs):
        images[i] = _decode_glyph(png, size)
        if verbose and time.perf_counter() > report:
            print(f"  {i + 1:,} of {len(glyphs):,} emoji decoded", file=sys.stderr, flush=True)
            report = time.perf_counter() + 10.0
    names = [emoji_name(cps) for _, cps in glyphs]
    _write_cache(cache, images, names)
    if verbose:
        print(f"Decoded {len(glyphs):,} emoji in {time.perf_counter() - start:.1f} s.",
              file=sys.stderr, flush=True)
    return images, names


# ------------------------------------------------------------------ the spec's dataset


def emoji_dataset(size=None, path=None, image_size=32, channels=3, min_count=0):
    """The unbatched images of an `emoji[:SIZE][:PATH]` spec.

    Args:
        size: int or None. The spec's SIZE: the emoji's resolution. An
            `image_size` above it raises a ValueError (no upsampling); one
            below it is decoded from the bitmaps straight to `image_size`
            (one resampling, the images of `emoji` at that size). None: the
            emoji are decoded at `image_size`.
        path: str or None. The font file (see `emoji_font_path`).
        image_size: int. Output side, at most 128.
        channels: int. 3, or 1 (grey by luma).
        min_count: int. Fewer images raise a ValueError (one batch).

    Returns:
        `tf.data.Dataset` of float32 [image_size, image_size, channels] in [-1, 1].

    Example:
    ```python
    ds = keras_gans.data.emoji.emoji_dataset(image_size=32)  # about 3,900 RGB images
    ```
    """
    check_image_size(image_size)
    check_channels(channels)
    if size is not None:
        check_emoji_size(size, "size (emoji:SIZE)")
        if image_size > size:
            raise ValueError(f"emoji:{size} holds {size} px emoji; image size {image_size} would "
                             f"upsample them (use emoji:{min(image_size, EMOJI_MAX_SIZE)} or "
                             f"a smaller image size).")
    check_emoji_size(image_size, "image size")
    images, _ = load_emoji(image_size, path)
    if min_count and len(images) < min_count:
        raise ValueError(f"The emoji font has {len(images)} emoji, fewer than one batch of "
                         f"{min_count}; lower the batch size.")

    def prep(img):
        x = to_signed_range(match_channels(tf.cast(img, tf.float32), channels), 255.0)
        x.set_shape((image_size, image_size, channels))
        return x

    return tf.data.Dataset.from_tensor_slices(images).map(prep, num_parallel_calls=tf.data.AUTOTUNE)
