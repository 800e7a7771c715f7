"""keras_gans.distribute (strategies, worker roles, mixed precision, XLA checks)
and the train flags that use it: --strategy, --mixed-precision, --jit."""

import json
import os
import subprocess
import sys
import tempfile
import types
import zipfile

import numpy as np
import pytest
import tensorflow as tf

import keras
from keras_gans import distribute

ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
ENV.pop("TF_CONFIG", None)
TINY = ("dcgan", "--image-size", "16", "--epochs", "1", "--steps-per-epoch", "2", "--seed", "0")


def cli(*args, cwd, env=ENV):
    return subprocess.run([sys.executable, "-m", "keras_gans.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def float32_policy():
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy("float32")


def fake_cluster(monkeypatch, cluster, task_type, index, replicas=4):
    """A stand-in multi-worker strategy: a TF_CONFIG cluster resolver (no servers)."""
    monkeypatch.setenv("TF_CONFIG", json.dumps(
        {"cluster": cluster, "task": {"type": task_type, "index": index}}))
    resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    return types.SimpleNamespace(cluster_resolver=resolver, num_replicas_in_sync=replicas)


# ------------------------------------------------------------------ strategies


def test_strategy_choices_on_this_machine():
    n_gpus = len(tf.config.list_logical_devices("GPU"))
    auto = distribute.strategy()
    one = distribute.strategy("one")
    mirrored = distribute.strategy("mirrored")
    assert isinstance(one, tf.distribute.OneDeviceStrategy)
    assert one.num_replicas_in_sync == 1
    assert isinstance(mirrored, tf.distribute.MirroredStrategy)
    devices = n_gpus or len(tf.config.list_logical_devices("CPU"))
    assert mirrored.num_replicas_in_sync == devices
    if n_gpus > 1:
        assert isinstance(auto, tf.distribute.MirroredStrategy)
        assert auto.num_replicas_in_sync == n_gpus
    else:
        assert auto is tf.distribute.get_strategy()  # the default: one device, no overhead
        assert distribute.describe(auto) == "default strategy, 1 replica"
    for s in (auto, one, mirrored):
        assert distribute.is_chief(s)
        assert distribute.worker_dir("runs/x", s) == "runs/x"


def test_unknown_strategy_names_the_choices():
    with pytest.raises(ValueError, match="auto, one, mirrored, multiworker"):
        distribute.strategy("tpu")


def test_multiworker_without_tf_config_says_what_it_needs(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="TF_CONFIG") as e:
        distribute.strategy("multiworker")
    assert '"cluster": {"worker": ["host1:12345", "host2:12345"]}' in str(e.value)


@pytest.mark.parametrize("tf_config, match", [
    ("{not json", "not valid JSON"),
    ('{"task": {"type": "worker", "index": 0}}', "'cluster' with a 'worker' list"),
    ('{"cluster": {"worker": ["a:1"], "ps": ["b:2"]}, "task": {"type": "worker"}}',
     "only 'chief' and 'worker'"),
    ('{"cluster": {"worker": ["a:1", "b:2"]}}', "needs a 'task'"),
    ('{"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 2}}',
     "index must be 0..1"),
])
def test_malformed_tf_config(tf_config, match):
    with pytest.raises(ValueError, match=match):
        distribute.cluster_spec({"TF_CONFIG": tf_config})


def test_good_tf_config_parses():
    config = {"cluster": {"chief": ["a:1"], "worker": ["b:2"]}, "task": {"type": "worker", "index": 0}}
    assert distribute.cluster_spec({"TF_CONFIG": json.dumps(config)}) == config


def test_is_chief_and_worker_dir_from_tf_config(monkeypatch):
    workers = {"worker": ["h1:1", "h2:1", "h3:1"]}
    w0 = fake_cluster(monkeypatch, workers, "worker", 0)
    assert distribute.is_chief(w0)  # no chief task: worker 0 writes
    assert distribute.worker_dir("runs/dcgan", w0) == "runs/dcgan"
    assert "3 workers, this is worker 0" in distribute.describe(w0)

    w1 = fake_cluster(monkeypatch, workers, "worker", 1)
    assert not distribute.is_chief(w1)
    d1 = distribute.worker_dir("runs/dcgan", w1)
    assert d1.startswith(tempfile.gettempdir()) and "worker-1" in d1
    assert os.path.basename(d1) == "dcgan"
    assert distribute.worker_dir("runs/dcgan", w1) == d1  # the same on a rerun (resume)
    assert distribute.worker_dir("runs/other", w1) != d1
    w2 = fake_cluster(monkeypatch, workers, "worker", 2)
    assert distribute.worker_dir("runs/dcgan", w2) not in (d1, "runs/dcgan")

    with_chief = {"chief": ["h0:1"], "worker": ["h1:1"]}
    assert distribute.is_chief(fake_cluster(monkeypatch, with_chief, "chief", 0))
    assert not distribute.is_chief(fake_cluster(monkeypatch, with_chief, "worker", 0))


# ------------------------------------------------------------ mixed precision


@pytest.mark.parametrize("flags, gpus, expected", [
    ({"avx2", "avx512f", "avx512_bf16"}, [], "mixed_bfloat16"),
    ({"avx2", "amx_bf16", "amx_tile"}, [], "mixed_bfloat16"),
    ({"avx2", "avx512f"}, [], "float32"),
    (set(), [(8, 0)], "mixed_bfloat16"),
    (set(), [(9, 0), (8, 6)], "mixed_bfloat16"),
    (set(), [(7, 5)], "mixed_float16"),
    ({"avx512_bf16"}, [(8, 0), (7, 0)], "mixed_float16"),  # GPUs decide; one lacks bf16
])
def test_auto_precision(monkeypatch, flags, gpus, expected):
    monkeypatch.setattr(distribute, "cpu_flags", lambda: flags)
    monkeypatch.setattr(distribute, "gpu_compute_capabilities", lambda: gpus)
    assert distribute.resolve_precision("auto") == expected


def test_explicit_precisions_and_errors():
    r = distribute.resolve_precision
    assert r("float16") == r("mixed_float16") == "mixed_float16"
    assert r("bfloat16") == r("BFloat16") == "mixed_bfloat16"
    assert r(None) == r("none") == r("float32") == "float32"
    with pytest.raises(ValueError, match="auto, float16, bfloat16, none, float32"):
        r("int8")


def test_mixed_precision_sets_the_global_policy(float32_policy):
    assert distribute.mixed_precision("bfloat16") == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == "mixed_bfloat16"
    assert keras.layers.Dense(2).compute_dtype == "bfloat16"
    assert distribute.mixed_precision("none") == "float32"
    assert keras.config.dtype_policy().name == "float32"


@pytest.mark.skipif(not os.path.isfile("/proc/cpuinfo"), reason="Linux only")
def test_cpu_flags_reads_proc_cpuinfo():
    flags = distribute.cpu_flags()
    assert "fpu" in flags or "sse2" in flags or "fp" in flags or "asimd" in flags


# ---------------------------------------------------------------------- XLA


def test_jit_problem_under_several_replicas(monkeypatch):
    assert distribute.jit_problem(tf.distribute.get_strategy()) is None
    assert distribute.jit_problem(distribute.strategy("one")) is None
    two = types.SimpleNamespace(num_replicas_in_sync=2, cluster_resolver=None)
    assert "XLA fails on variables placed on other devices" in distribute.jit_problem(two)
    worker = fake_cluster(monkeypatch, {"worker": ["a:1", "b:1"]}, "worker", 1, replicas=2)
    assert "--strategy one" in distribute.jit_problem(worker)


def test_jit_error_keeps_the_line_that_says_why():
    # The error fit() raised here with jit_compile=True on 2 logical CPUs.
    message = (
        "Graph execution error:\n\nDetected at node StatefulPartitionedCall defined at "
        "(most recent call last):\n  File \"trainer.py\", line 399, in fit\n\n"
        "Trying to access resource seed_generator_state/replica_1 located in device "
        "CPU:1 from device CPU:0\n Cf. https://www.tensorflow.org/xla/known_issues\n"
        "\t [[{{node StatefulPartitionedCall}}]] [Op:__inference_multi_step_on_iterator_1]")
    e = tf.errors.InvalidArgumentError(None, None, message)
    assert distribute.jit_error(e).startswith("Trying to access resource seed_generator_state")
    assert distribute.jit_error(tf.errors.InvalidArgumentError(None, None, "bad shape")) is None
    assert distribute.jit_error(ValueError("XLA")) is None


# ---------------------------------------------------------------------- CLI


def test_cli_strategy_errors_are_one_line(tmp_path):
    r = cli("train", *TINY, "--strategy", "multiworker", cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "TF_CONFIG" in lines[0] and "host1:12345" in lines[0]
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("flag, value", [("--strategy", "tpu"), ("--mixed-precision", "int8")])
def test_cli_rejects_unknown_choices(flag, value):
    from keras_gans.cli import UsageError, build_parser

    with pytest.raises(UsageError, match=f"invalid choice: '{value}'"):
        build_parser().parse_args(["train", "dcgan", flag, value])


@pytest.mark.skipif(len(tf.config.list_logical_devices("GPU")) > 1, reason="one device only")
def test_cli_mirrored_one_replica_keeps_jit(tmp_path):
    r = cli("train", *TINY, "--strategy", "mirrored", "--jit", "--no-export", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "--jit" not in r.stderr
    assert "MirroredStrategy, 1 replica; dtype float32; XLA)." in r.stdout
    assert (tmp_path / "runs" / "dcgan" / "model.keras").is_file()


def test_cli_jit_with_deterministic_warns_and_trains(tmp_path):
    r = cli("train", *TINY, "--jit", "--deterministic", "--no-export", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    jit_lines = [line for line in r.stderr.splitlines() if "jit" in line.lower()]
    assert jit_lines == ["keras-gans: warning: --jit ignored: XLA does not support TF op "
                         "determinism (--deterministic)."]
    assert "dtype float32)." in r.stdout  # no "; XLA" in the header


def test_cli_bfloat16_trains_and_exports_float32(tmp_path):
    r = cli("train", *TINY, "--strategy", "one", "--mixed-precision", "bfloat16", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "OneDeviceStrategy, 1 replica; dtype mixed_bfloat16)." in r.stdout

    with zipfile.ZipFile(tmp_path / "runs" / "dcgan" / "model.keras") as f:
        config = json.loads(f.read("config.json"))
    assert "mixed_bfloat16" in json.dumps(config["config"]["dtype"])

    loaded = tf.saved_model.load(str(tmp_path / "runs" / "dcgan" / "export" / "1"))
    serve = loaded.signatures["serving_default"]
    # The served G computes in bfloat16 inside; its signature is float32.
    bf16 = tf.bfloat16.as_datatype_enum
    graph = serve.graph.as_graph_def()
    assert any(attr.type == bf16 for fn in graph.library.function for node in fn.node_def
               for attr in node.attr.values())
    z_spec = serve.structured_input_signature[1]["z"]
    assert z_spec.dtype == tf.float32
    z = np.random.default_rng(0).standard_normal((3, z_spec.shape[1])).astype("float32")
    images = serve(z=tf.constant(z))["images"]
    assert images.dtype == tf.float32
    assert tuple(images.shape) == (3, 16, 16, 1)
    assert np.all(np.isfinite(images.numpy())) and np.abs(images.numpy()).max() <= 1.0

    # The .tflite was converted from a float32 copy (LiteRT has no bfloat16 kernels):
    # the same images up to bfloat16 rounding.
    from helpers import litert_run

    lite = litert_run(str(tmp_path / "runs" / "dcgan" / "export" / "dcgan.tflite"),
                      "serving_default", z=z)["images"]
    assert lite.dtype == np.float32
    np.testing.assert_allclose(lite, images.numpy(), atol=0.05)
