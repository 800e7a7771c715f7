"""The `emoji[:SIZE][:PATH]` spec: Noto Color Emoji's bitmaps, their names and their cache.

The real font (`make data` installs Debian's fonts-noto-color-emoji) is
decoded once, at 32 px, into a temporary KERAS_HOME: these tests never touch
~/.keras. They are skipped only where the font file is absent.
"""

import os
import shutil
import sys

import numpy as np
import pytest

from keras_gans import data
from keras_gans.data import emoji, sources

FONT = emoji.DEBIAN_EMOJI_FONT
SIZE = 32

needs_font = pytest.mark.skipif(
    not os.path.isfile(FONT),
    reason=f"{FONT} is absent (Debian's {emoji.EMOJI_APT}; `make data` installs it)",
)


@pytest.fixture(scope="module")
def keras_home(tmp_path_factory):
    """A temporary KERAS_HOME (the cache lives under it) and no font variable, for the module."""
    home = tmp_path_factory.mktemp("keras_home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KERAS_HOME", str(home))
        mp.delenv(emoji.EMOJI_FONT_ENV, raising=False)
        yield home


@pytest.fixture(scope="module")
def decoded(keras_home):
    """The first load at 32 px: decodes the font and writes the cache."""
    if not os.path.isfile(FONT):
        pytest.skip(f"{FONT} is absent (`make data` installs {emoji.EMOJI_APT})")
    cache = emoji.emoji_cache_path(SIZE)
    assert not os.path.exists(cache)
    images, names = data.load_emoji(SIZE)
    print(f"\nemoji: {len(images)} glyphs decoded from {FONT}")
    return images, names, cache


def one_line(excinfo):
    msg = str(excinfo.value)
    assert msg and "\n" not in msg, msg
    return msg


# ------------------------------------------------------------------ the real font


@needs_font
def test_count_shape_dtype_and_names(decoded):
    images, names, _ = decoded
    n = len(images)
    assert 3000 <= n <= 4500, n
    assert images.shape == (n, SIZE, SIZE, 3) and images.dtype == np.uint8
    assert images.min() < 30 and images.max() == 255
    assert len(names) == n and all(isinstance(s, str) and s for s in names)
    assert len(set(names)) == n  # one name per glyph
    assert all(s == s.lower() for s in names)


@needs_font
def test_white_background_and_colour(decoded):
    images = decoded[0].astype(np.int64)
    corners = np.stack([images[:, 0, 0], images[:, 0, -1], images[:, -1, 0], images[:, -1, -1]], 1)
    assert (corners == 255).all(axis=(1, 2)).mean() > 0.8  # composited on white
    spread = images.max(-1) - images.min(-1)  # 0 for grey pixels
    colourful = (spread > 60).mean(axis=(1, 2)) > 0.1
    assert colourful.mean() > 0.6, colourful.mean()


@needs_font
def test_red_apple(decoded):
    images, names, _ = decoded
    apple = images[names.index("red apple")].reshape(-1, 3).astype(np.int64)
    drawn = apple[(apple < 240).any(1)]
    assert len(drawn) > 0.4 * len(apple)
    r, g, b = drawn.mean(0)
    assert r > 180 and r > g + 80 and r > b + 80, (r, g, b)


@needs_font
def test_names_of_sequences(decoded):
    names = decoded[1]
    for name in ("flag: fr", "flag: england", "keycap: digit one",
                 "waving hand sign, dark skin tone", "runner, female sign",
                 "man, woman, girl, boy", "pink heart"):
        assert name in names, name
    # the logical order of a ZWJ sequence, not its right-to-left mirror in the font
    assert "female sign, runner" not in names
    assert "skull and crossbones, waving black flag" not in names


@needs_font
def test_order_is_the_fonts_and_fixed(decoded):
    images, names, _ = decoded
    glyphs = emoji.emoji_glyphs()
    assert [emoji.emoji_name(cps) for _, cps in glyphs] == names
    assert [cps for _, cps in glyphs] == [cps for _, cps in emoji.emoji_glyphs()]
    assert glyphs[0][1] == (0x23,)  # single code points first, in order
    singles = [cps[0] for _, cps in glyphs if len(cps) == 1]
    assert singles == sorted(singles)
    for i in (0, len(glyphs) // 2, len(glyphs) - 1):
        np.testing.assert_array_equal(emoji._decode_glyph(glyphs[i][0], SIZE), images[i])


@needs_font
def test_second_load_reads_the_cache(decoded, monkeypatch):
    images, names, cache = decoded
    assert os.path.isfile(cache) and cache.startswith(os.environ["KERAS_HOME"])
    assert not [f for f in os.listdir(os.path.dirname(cache)) if f.endswith(".tmp")]
    mtime = os.stat(cache).st_mtime_ns

    def no(*a, **k):
        raise AssertionError("decoded again")

    monkeypatch.setattr(emoji, "_decode_glyph", no)
    monkeypatch.setattr(emoji, "_import_fonttools", no)  # a cache hit needs no fontTools
    again, again_names = data.load_emoji(SIZE)
    np.testing.assert_array_equal(again, images)
    assert again_names == names
    assert os.stat(cache).st_mtime_ns == mtime


@needs_font
def test_cache_key_follows_the_font_file(tmp_path):
    font = shutil.copy(FONT, tmp_path / "NotoColorEmoji.ttf")
    before = emoji.emoji_cache_path(SIZE, font)
    assert before != emoji.emoji_cache_path(SIZE, FONT)
    assert before != emoji.emoji_cache_path(64, font)
    st = os.stat(font)
    os.utime(font, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert emoji.emoji_cache_path(SIZE, font) != before  # a changed font is not served stale


@needs_font
def test_spec_dataset(decoded):
    ds = data.images_dataset("emoji", image_size=SIZE, channels=3)
    first = next(iter(ds)).numpy()
    assert first.shape == (SIZE, SIZE, 3) and first.dtype == np.float32
    np.testing.assert_allclose(first, decoded[0][0] / 127.5 - 1.0, atol=1e-6)
    grey = next(iter(data.images_dataset(f"emoji:{SIZE}", image_size=SIZE, channels=1))).numpy()
    assert grey.shape == (SIZE, SIZE, 1) and -1.0 <= grey.min() and grey.max() <= 1.0
    batch = next(iter(data.load("emoji", image_size=SIZE, batch_size=8, channels=3)))
    assert batch.shape == (8, SIZE, SIZE, 3)


@needs_font
def test_font_from_the_environment_and_the_spec(decoded, monkeypatch, tmp_path):
    font = str(shutil.copy(FONT, tmp_path / "emoji.ttf"))
    monkeypatch.setenv(emoji.EMOJI_FONT_ENV, font)
    assert emoji.emoji_font_path() == font
    assert emoji.emoji_font_path(FONT) == FONT  # the spec's path wins
    assert sources.parse_spec(f"emoji:{SIZE}:{font}") == ("emoji", (SIZE, font), None)
    assert sources.parse_spec(f"emoji:{font}") == ("emoji", (None, font), None)


@needs_font
def test_cli_trains_on_emoji(decoded, cli_main, tmp_path):
    r = cli_main("train", "dcgan", "--data", f"emoji:{SIZE}", "--image-size", SIZE,
                 "--epochs", 1, "--steps-per-epoch", 2, "--batch-size", 8,
                 "--no-export", "--seed", 0, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Decoding" not in r.stderr  # the module's cache served it
    assert f"at {SIZE}x{SIZE}x3 " in r.stdout  # colour data trains in colour without --channels
    assert os.path.isfile(tmp_path / "runs" / "dcgan" / "model.keras")


def test_a_model_that_needs_labels_is_refused_in_one_line(cli_main, tmp_path):
    from conftest import assert_one_clear_line

    r = cli_main("train", "cgan", "--data", f"emoji:{SIZE}", "--image-size", SIZE,
                 "--epochs", 1, "--no-export", cwd=tmp_path)
    assert_one_clear_line(r, "no class labels")
    assert not os.path.exists(tmp_path / "runs")  # refused before anything was written


# ------------------------------------------------------------------ errors (no decoding)


def test_missing_font_given(keras_home, monkeypatch, tmp_path):
    missing = str(tmp_path / "nowhere" / "NotoColorEmoji.ttf")
    monkeypatch.setenv(emoji.EMOJI_FONT_ENV, missing)
    with pytest.raises(FileNotFoundError) as e:
        data.load_emoji(SIZE)
    msg = one_line(e)
    assert missing in msg and emoji.EMOJI_FONT_ENV in msg and emoji.EMOJI_APT in msg
    monkeypatch.delenv(emoji.EMOJI_FONT_ENV)
    with pytest.raises(FileNotFoundError) as e:
        data.images_dataset(f"emoji:{SIZE}:{missing}", image_size=SIZE, channels=3)
    assert missing in one_line(e) and "emoji:SIZE:PATH" in str(e.value)


def test_missing_debian_font(keras_home, monkeypatch, tmp_path):
    monkeypatch.delenv(emoji.EMOJI_FONT_ENV, raising=False)
    monkeypatch.setattr(emoji, "DEBIAN_EMOJI_FONT", str(tmp_path / "NotoColorEmoji.ttf"))
    with pytest.raises(ValueError) as e:
        data.images_dataset("emoji", image_size=SIZE, channels=3)
    msg = one_line(e)
    assert f"apt-get install {emoji.EMOJI_APT}" in msg and "make data" in msg
    assert emoji.EMOJI_FONT_ENV in msg


def test_missing_font_from_the_cli(cli_main, tmp_path):
    missing = str(tmp_path / "none.ttf")
    r = cli_main("train", "dcgan", "--data", f"emoji:{SIZE}:{missing}", "--channels", 3,
                 "--image-size", SIZE, "--epochs", 1, cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("keras-gans: error: ") and missing in lines[0]


def test_missing_fonttools(keras_home, monkeypatch, tmp_path):
    font = tmp_path / "emoji.ttf"
    font.write_bytes(b"not decoded: fontTools is missing first")
    monkeypatch.setitem(sys.modules, "fontTools", None)
    monkeypatch.setitem(sys.modules, "fontTools.ttLib", None)
    with pytest.raises(ValueError) as e:
        data.load_emoji(SIZE, str(font))
    assert "pip install fonttools" in one_line(e)


def test_not_a_colour_bitmap_font(keras_home, tmp_path):
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 64)
    with pytest.raises(ValueError) as e:
        data.load_emoji(SIZE, str(junk))
    assert "junk.ttf" in one_line(e)
    plain = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    if os.path.isfile(plain):
        with pytest.raises(ValueError) as e:
            data.load_emoji(SIZE, plain)
        assert "CBDT" in one_line(e) and emoji.EMOJI_APT in str(e.value)


@pytest.mark.parametrize("spec, words", [
    ("emoji:0", "from 1 to 128"),
    ("emoji:-3", "from 1 to 128"),
    ("emoji:big", "got 'big'"),
    ("emoji:64.5", "got '64.5'"),
    ("emoji:256", "never upsampled"),
    ("emoji:", "needs a size or a font file"),
    ("emoji:64:", "needs a font file"),
])
def test_bad_size_in_the_spec(spec, words):
    with pytest.raises(ValueError) as e:
        sources.parse_spec(spec)
    assert words in one_line(e)


def test_bad_sizes_elsewhere(keras_home):
    for size in (0, 129, 32.0, True):
        with pytest.raises(ValueError) as e:
            data.load_emoji(size)
        one_line(e)
    with pytest.raises(ValueError) as e:  # emoji:32 at 64 px would upsample
        data.images_dataset("emoji:32", image_size=64, channels=3)
    assert "upsample" in one_line(e) and "emoji:64" in str(e.value)
    with pytest.raises(ValueError) as e:
        data.images_dataset("emoji", image_size=256, channels=3)
    assert "never upsampled" in one_line(e)


def test_spec_forms():
    assert sources.parse_spec("emoji") == ("emoji", (None, None), None)
    assert sources.parse_spec("emoji:64") == ("emoji", (64, None), None)
    assert sources.parse_spec("emoji:128:/f/e.ttf") == ("emoji", (128, "/f/e.ttf"), None)
    assert sources.parse_spec("emoji:./e.ttf") == ("emoji", (None, "./e.ttf"), None)


# ------------------------------------------------------------------ names


@pytest.mark.parametrize("cps, name", [
    ([0x1F34E], "red apple"),
    ("\U0001F1FA\U0001F1F8", "flag: us"),
    ([0x1F3F4, 0xE0067, 0xE0062, 0xE0073, 0xE0063, 0xE0074, 0xE007F], "flag: scotland"),
    ([0x1F3F4, 0xE0075, 0xE0073, 0xE0063, 0xE0061, 0xE007F], "flag: us-ca"),
    ([0x1F3F4, 0xE007F], "unknown flag"),
    ([0x31, 0xFE0F, 0x20E3], "keycap: digit one"),
    ([0x1F44B, 0x1F3FD], "waving hand sign, medium skin tone"),
    ([0x1F468, 0x1F3FB, 0x200D, 0x1F9B0], "man, light skin tone, red hair"),
    ([0x1F3F3, 0xFE0F, 0x200D, 0x1F308], "waving white flag, rainbow"),
    ([0x1FA77], "pink heart"),  # Unicode 15: not in Python 3.11's database
    ([0x10FFFD], "u+10fffd"),
])
def test_emoji_name(cps, name):
    assert emoji.emoji_name(cps) == name
