"""benchmarks/throughput.py: the bare loop does fit()'s work, and --quick reports it."""

import json
import os
import sys

import numpy as np
import pytest
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import throughput  # noqa: E402

from keras_gans.registry import tiny_config  # noqa: E402


def _weights(model):
    return [np.asarray(w) for n in (model.generator, model.discriminator) for w in n.weights]


def _batches(size, n=3, batch=8):
    from keras_gans.data import load

    return list(load("digits", image_size=size, batch_size=batch, seed=1).take(n))


def _train_both(bare_seed=0, steps=3):
    """fit() and the bare loop, 3 steps each on the same batches from the same weights."""
    fit_model, bare_model = throughput.build_models("dcgan", tiny_config("dcgan"), seed=0)
    before = _weights(fit_model)
    np.testing.assert_array_equal(np.concatenate([w.ravel() for w in before]),
                                  np.concatenate([w.ravel() for w in _weights(bare_model)]))
    data = tf.data.Dataset.from_tensor_slices(tf.stack(_batches(fit_model.image_shape[0], steps)))
    runner = throughput.FitRunner(fit_model, data, jit_compile=False)
    bare = throughput.BareRunner(
        bare_model, data, jit_compile=False, seed=bare_seed,
        optimizers=(throughput.clone_optimizer(fit_model.d_optimizer),
                    throughput.clone_optimizer(fit_model.g_optimizer)),
    )
    runner.run(steps)
    bare.run(steps)
    return before, _weights(fit_model), _weights(bare_model)


def test_bare_loop_does_the_same_work_as_fit():
    before, after_fit, after_bare = _train_both()
    # Training changed G and D (so the comparison below is not trivially true) ...
    assert all(
        any(not np.array_equal(b, a) for b, a in zip(before[i::2], after_fit[i::2]))
        for i in (0, 1)
    )
    assert sum(not np.allclose(b, a) for b, a in zip(before, after_fit)) > len(before) // 2
    # ... and both loops landed on the same weights, BatchNorm statistics included.
    for f, b in zip(after_fit, after_bare):
        np.testing.assert_allclose(f, b, rtol=1e-5, atol=1e-5)


def test_a_different_latent_stream_gives_other_weights():
    # The check above can fail: the same loop with other noise ends elsewhere.
    _, after_fit, after_bare = _train_both(bare_seed=1)
    assert max(float(np.max(np.abs(f - b))) for f, b in zip(after_fit, after_bare)) > 1e-4


def test_models_that_change_the_step_are_refused():
    import keras_gans

    model = keras_gans.get("wgan", **tiny_config("wgan"))
    with pytest.raises(ValueError, match="bare loop"):
        throughput.check_supported(model)


def test_a_failing_loop_is_recorded_not_raised(monkeypatch):
    def broken(self, steps):
        raise RuntimeError("XLA compilation failed\nsecond line")

    monkeypatch.setattr(throughput.FitRunner, "run", broken)
    spec = {"model": "dcgan", "overrides": tiny_config("dcgan"), "seed": 0, "batch_size": 8,
            "steps": 2, "warmup_steps": 1, "repeats": 2, "steps_per_execution": 1,
            "precisions": ["float32"], "jit": False}
    (r,) = throughput.worker_timing(spec)["rows"]
    assert r["errors"] == {"fit": "RuntimeError: XLA compilation failed"}
    assert "fit" not in r and len(r["bare"]["img_per_s"]) == 2
    assert r["bare"]["median"] > 0
    results = {"timing": [r], "memory": {}}
    throughput.summarize(results)
    row = throughput.table(results)[-1]
    assert "failed: RuntimeError: XLA compilation failed" in row


def test_quick_prints_and_writes_the_figures(tmp_path, capsys):
    doc, js = tmp_path / "BENCH.md", tmp_path / "r.json"
    results = throughput.main([
        "--quick", "--mixed-precision", "none", "--no-jit", "--no-memory",
        "--write", "--doc", str(doc), "--json", str(js),
    ])
    out = capsys.readouterr().out
    (row,) = results["timing"]
    assert (row["precision"], row["jit"], row["errors"]) == ("float32", False, {})
    for loop in ("fit", "bare"):
        assert len(row[loop]["img_per_s"]) == 2 and row[loop]["median"] > 0
    assert row["ratio"] == pytest.approx(row["fit"]["median"] / row["bare"]["median"])
    assert row["process_peak_rss_mib"] > 100
    assert 0.0 <= row["other_cpu_share"] <= 1.0  # the load from other processes
    assert "| float32 | off |" in out and "fit / bare" in out
    assert json.loads(js.read_text())["timing"][0]["ratio"] == pytest.approx(row["ratio"])
    text = doc.read_text()
    assert "fit() runs at" in text and f"{row['ratio']:.3f}" in text
    assert "GPU figures: not measured" in text and "cores" in text and "TensorFlow" in text
    assert "| float32 | off |" in text and "Other processes used" in text


def test_memory_worker_reports_peaks():
    spec = {"model": "dcgan", "overrides": tiny_config("dcgan"), "seed": 0, "batch_size": 8,
            "steps": 2, "warmup_steps": 1, "repeats": 1, "steps_per_execution": 1,
            "precision": "float32", "jit": False, "loop": "bare"}
    r = throughput.worker_memory(spec)
    assert "error" not in r and r["peak_rss_mib"] > 100
    peak = r["allocator_peak_mib"]
    assert isinstance(peak, str) and peak.startswith("n/a") or peak > 0
