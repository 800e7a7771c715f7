"""benchmarks/bf16_kernels.py: reading oneDNN's verbose log, and one real run."""

import os
import platform
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import bf16_kernels  # noqa: E402

SHAPE = "mb8_ic4oc8_ih8oh4kh4sh2dh0ph1_iw8ow4kw4sw2dw0pw1"


def _line(stamp, kind, impl, direction, shape, ms):
    return (f"onednn_verbose,v1,{stamp},primitive,exec,cpu,{kind},{impl},{direction},"
            f"src:bf16::blocked:acdb::f0 dst:bf16::blocked:acdb::f0,,alg:x,{shape},{ms}")


def test_parse_log_keeps_timed_lines_and_groups_by_direction_and_shape():
    log = "\n".join([
        "onednn_verbose,v1,primitive,info,template:timestamp,operation,engine,primitive",
        _line(999.0, "convolution", "jit:avx512_core", "backward_weights", SHAPE, 50.0),  # warm-up
        "some other output",
        _line(1000.5, "convolution", "jit_bf16:avx512_core_bf16", "backward_weights", SHAPE, 1.5),
        _line(1001.0, "convolution", "jit_bf16:avx512_core_bf16", "backward_weights", SHAPE, 2.5),
        _line(1001.5, "convolution", "brg_conv_fwd:avx512_core_bf16", "forward_training", SHAPE, 0.25),
        _line(1002.0, "reorder", "jit:uni", "undef", "8x4x4x4", 0.125),
        _line(1002.5, "reorder", "jit:uni", "undef", "16x4x4x4", 0.375),
        "onednn_verbose,v1,1003.0,primitive,exec,cpu,convolution,x,y,z,,,shape,notanumber",
    ])
    totals, counts = bf16_kernels.parse_log(log, start_ms=1000.0)
    wgrad = ("convolution", "backward_weights", SHAPE)
    assert totals[wgrad] == pytest.approx(4.0)  # the warm-up line's 50 ms is not counted
    assert counts[wgrad] == 2
    assert totals[("impl", wgrad)] == "jit_bf16:avx512_core_bf16"
    assert totals[("convolution", "forward_training", SHAPE)] == pytest.approx(0.25)
    # reorders of any shape are one row; their direction is blank
    assert totals[("reorder", "", "")] == pytest.approx(0.5)
    assert counts[("reorder", "", "")] == 2
    assert sum(counts.values()) == 5


def _onednn_cpu():
    """True on CPUs where TensorFlow turns its oneDNN kernels on by default:
    x86 with AVX512 (VNNI, BF16) or AMX. Elsewhere (e.g. AVX2-only EPYCs)
    convolutions run on Eigen and oneDNN logs none."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        with open("/proc/cpuinfo") as f:
            flags = set(" ".join(ln for ln in f if ln.startswith("flags")).split())
    except OSError:
        return False
    return bool(flags & {"avx512_vnni", "avx512_bf16", "amx_tile"})


@pytest.mark.skipif(not _onednn_cpu(),
                    reason="TensorFlow runs convolutions on oneDNN only on AVX512/AMX x86 CPUs")
def test_tiny_run_prints_both_precisions(tmp_path):
    doc = tmp_path / "k.md"
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "bf16_kernels.py"),
         "--config", "image_shape=[16,16,1]", "--config", "g_width=4", "--config", "d_width=4",
         "--config", "latent_dim=8", "--batch-size", "8", "--steps", "2", "--warmup-steps", "2",
         "--write", str(doc)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    cells = [ln.strip("| ").split(" | ") for ln in r.stdout.splitlines() if ln.startswith("| ")]
    primitives = [c for c in cells if len(c) == 8 and c[4] == "convolution"]  # the first table
    assert {"forward_training", "backward_data", "backward_weights"} <= {c[5] for c in primitives}
    for c in primitives:
        f32_ms, bf16_ms = float(c[0]), float(c[1])
        assert f32_ms >= 0 and bf16_ms >= 0 and f32_ms + bf16_ms > 0
    assert "| all oneDNN |" in r.stdout
    text = doc.read_text()
    assert text.startswith("# bfloat16 on this CPU") and "| all oneDNN |" in text
