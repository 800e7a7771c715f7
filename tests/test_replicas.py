"""Replica-correct loss scaling, for every registered model.

One training step with a global batch of 8 on one device and on two logical
CPUs under `MirroredStrategy` must give the same weights (within 1e-5) and
the same logged losses. `tests/replicas.py` does the work in a subprocess,
because the two logical CPUs must be set before TensorFlow starts.

Every model is compared once. The graph run, which traces the step once
per replica (cyclegan: 25 s, dcgan: 6 s on 2 cores), is compared for a set
that holds each kind of step: plain (dcgan), repeated critic steps with a
penalty (wgan_gp), a state variable (began), three players (triple_gan),
phases (cartoongan), image pools and two generators (cyclegan), stages
(progan). Every other model is compared with its steps run eagerly: the
same `train_step` under the same two strategies, without the tracing
(cyclegan 4.9 s, dcgan 1.8 s alone on 2 cores).
"""

import json
import os
import subprocess
import sys

import pytest

from keras_gans import registry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = registry.list_models()
CHUNKS = 2
GRAPH_MODELS = [["dcgan", "wgan_gp", "began", "triple_gan"], ["cartoongan", "cyclegan", "progan"]]
EAGER_MODELS = [m for m in MODELS if not any(m in group for group in GRAPH_MODELS)]


def run_replicas(*args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    r = subprocess.run([sys.executable, "-m", "tests.replicas", *args], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


CASES = [("eager", EAGER_MODELS[c::CHUNKS]) for c in range(CHUNKS)] + [
    ("graph", names) for names in GRAPH_MODELS]


@pytest.mark.parametrize("mode,names", CASES, ids=[f"{m}-{n[0]}" for m, n in CASES])
def test_one_step_on_two_replicas_equals_one_device(mode, names):
    results = run_replicas(*names, *(["--eager"] if mode == "eager" else []))
    assert [r["model"] for r in results] == names
    for r in results:
        assert "error" not in r, f"{r['model']}: {r.get('error')}"
        assert r["moved"] > 1e-6, f"{r['model']}: the step did not train"
        assert r["weight_diff"] <= 1e-5, (
            f"{r['model']}: weights differ by {r['weight_diff']:.3g} at {r['worst']}")
        assert set(r["logs_one"]) == set(r["logs_two"])
        for k, v in r["logs_one"].items():
            assert abs(v - r["logs_two"][k]) <= 1e-4 * max(1.0, abs(v)), (
                f"{r['model']}: logged {k} {v} on one device, {r['logs_two'][k]} on two")


def test_began_with_fashion_mnists_batchnorm_in_d_on_two_replicas_equals_one_device():
    # began's fashion_mnist preset puts BatchNorm in D's autoencoder (issue 16);
    # the comparison above builds the tiny registry preset, whose D has none.
    # D's statistics must be the global batch's, as on one device.
    (r,) = run_replicas("--eager", "began:d_normalization=batch")
    assert "error" not in r, r.get("error")
    assert r["d_batch_norms"] > 0
    assert r["moved"] > 1e-6
    assert r["weight_diff"] <= 1e-5, f"weights differ by {r['weight_diff']:.3g} at {r['worst']}"


def test_the_comparison_catches_a_missing_replica_division():
    (r,) = run_replicas("--unscaled", "--eager", "dcgan")
    assert r["weight_diff"] > 1e-4  # gradients twice too big on two replicas


def test_replicas_draw_different_noise_and_train():
    (r,) = run_replicas("--noise")
    assert r == {"same_noise": False, "losses_finite": True}


def test_every_registered_model_is_compared_exactly_once():
    compared = [name for _, names in CASES for name in names]
    assert sorted(compared) == sorted(MODELS)
