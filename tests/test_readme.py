"""Every ```python block of README.md runs, as written.

Each section (the blocks under one heading) runs in a fresh Python process
whose working directory starts empty, and each block in it runs in a fresh
namespace, so a block can only use what it makes itself or the files an
earlier block of the same section made: the blocks under one heading run in
order in one directory, as one test (the SavedModel and LiteRT blocks load
what the Python API block exported). One process a section, not a block,
saves TensorFlow's start-up (about 7 s on 2 cores) per block. The test never edits a block's code; the README keeps its blocks
short (a few steps on the bundled digits), and says in them what more
training gives.

A block that cannot run here (it downloads, or needs a GPU or a second
machine) says so in the README, with the reason, on the line before its fence:

    <!-- no-run: downloads ImageNet weights -->
    ```python

or in the fence's info string: ```python no-run: downloads ImageNet weights.
Such blocks are reported as skipped with that reason (`pytest -rs`).
"""

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
# The blocks are sized to take well under a minute each; this only stops a hang.
TIMEOUT_S = 300

_FENCE = re.compile(r"^```\s*(\S*)\s*(.*)$")
_NO_RUN_COMMENT = re.compile(r"^<!--\s*no-run\b:?\s*(.*?)\s*-->\s*$")
_NO_RUN_INFO = re.compile(r"^no-run\b:?\s*(.*)$")


@dataclass(frozen=True)
class Block:
    index: int  # among the README's python blocks, from 0
    line: int  # the line of its opening fence, from 1
    heading: str  # the nearest heading above it
    code: str
    skip: str | None  # why it does not run here, or None


def readme_blocks(path=README):
    """The ```python blocks of a markdown file, in order."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    blocks, heading, i = [], "", 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence is None:
            if line.startswith("#"):
                heading = line.lstrip("#").strip()
            i += 1
            continue
        lang, info = fence.group(1), fence.group(2)
        end = i + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        if end == len(lines):
            raise ValueError(f"{path}:{i + 1}: a code fence that is never closed")
        if lang == "python":
            skip = None
            prev = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            marker = _NO_RUN_COMMENT.match(prev.strip()) or _NO_RUN_INFO.match(info.strip())
            if marker:
                skip = marker.group(1) or "marked no-run (no reason given)"
            blocks.append(Block(len(blocks), i + 1, heading, "\n".join(lines[i + 1:end]) + "\n", skip))
        i = end + 1
    return blocks


BLOCKS = readme_blocks()


# Runs the blocks given as a JSON list of code strings, each in a fresh
# namespace; on the first failure prints "block K failed" and its traceback.
_DRIVER = """
import json, sys, traceback
for k, code in enumerate(json.loads(sys.argv[1])):
    try:
        exec(compile(code, f"<README block {k}>", "exec"), {"__name__": "__main__"})
    except BaseException:
        sys.stdout.flush()
        print(f"block {k} failed", file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)
"""


def _run(blocks, cwd):
    """Runs `blocks` in order in one process in `cwd`: (the failed block or
    None, what went wrong or None)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
    try:
        r = subprocess.run(
            [sys.executable, "-c", _DRIVER, json.dumps([b.code for b in blocks])], cwd=cwd,
            env=env, capture_output=True, text=True, timeout=TIMEOUT_S * len(blocks),
        )
    except subprocess.TimeoutExpired as e:
        out = (e.stderr or b"")[-3000:]
        return blocks[-1], f"timed out after {TIMEOUT_S * len(blocks)} s; stderr tail:\n{out!r}"
    if r.returncode != 0:
        m = re.search(r"^block (\d+) failed$", r.stderr, re.M)
        failed = blocks[int(m.group(1))] if m else blocks[-1]
        return failed, f"exit code {r.returncode}; stderr tail:\n{r.stderr[-4000:]}"
    return None, None


def test_readme_has_python_blocks():
    assert BLOCKS, f"no ```python blocks found in {README}"
    for b in BLOCKS:
        assert b.code.strip(), f"README.md:{b.line}: an empty python block"


def test_no_run_marker_is_read(tmp_path):
    md = tmp_path / "r.md"
    md.write_text(
        "# A\n\n```python\nx = 1\n```\n\n## B\n<!-- no-run: needs a GPU -->\n```python\ny = 2\n```\n"
        "```python no-run: downloads\nz = 3\n```\n    ```python\n"
    )
    a, b, c = readme_blocks(str(md))
    assert (a.heading, a.code, a.skip) == ("A", "x = 1\n", None)
    assert (b.heading, b.code, b.skip) == ("B", "y = 2\n", "needs a GPU")
    assert c.skip == "downloads"


def _sections():
    """heading -> its blocks, in README order."""
    out = {}
    for b in BLOCKS:
        out.setdefault(b.heading, []).append(b)
    return list(out.values())


def _section_id(blocks):
    slug = re.sub(r"[^a-z0-9]+", "-", blocks[0].heading.lower()).strip("-") or "top"
    return f"blocks{'-'.join(str(b.index) for b in blocks)}-{slug}"


@pytest.mark.parametrize("blocks", _sections(), ids=_section_id)
def test_readme_section_runs(blocks, tmp_path):
    """The blocks under one heading run in order in one directory (one test,
    so no worker re-runs the blocks a later one needs)."""
    runnable = [b for b in blocks if not b.skip]
    if runnable:
        block, failure = _run(runnable, tmp_path)
        assert failure is None, (
            f"README.md:{block.line}, python block {block.index} under '{block.heading}' "
            f"failed in {tmp_path}: {failure}"
        )
    else:
        pytest.skip("; ".join(f"README.md:{b.line} ({b.heading}): {b.skip}" for b in blocks))
