"""Strategies, mixed precision and worker roles for training on many devices.

`strategy(name)` picks a `tf.distribute.Strategy`; build and compile the model
inside its `scope()` and call `fit()` as usual. The batch size a dataset is
batched with is the global batch: `fit()` splits it over the replicas (and
shards the dataset over the workers under `"multiworker"`).

Example:
```python
import keras_gans
from keras_gans import distribute

distribute.mixed_precision("auto")  # before the model is built
s = distribute.strategy("auto")
with s.scope():
    model = keras_gans.get("dcgan", image_shape=(32, 32, 1))
    model.compile()
model.fit(keras_gans.data.load("digits", image_size=32, batch_size=64), epochs=1)
model.save(distribute.worker_dir("runs/dcgan", s) + "/model.keras")
```
"""

import hashlib
import json
import os
import tempfile

import keras
import tensorflow as tf

from keras_gans.cross_replica import multi_worker

STRATEGIES = ("auto", "one", "mirrored", "multiworker")
PRECISIONS = ("auto", "float16", "bfloat16", "none", "float32")

_TF_CONFIG_EXAMPLE = (
    'TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
    '"task": {"type": "worker", "index": 0}}\' (index 0 on host1, 1 on host2)'
)


# ------------------------------------------------------------------ strategies


def strategy(name="auto"):
    """Returns the `tf.distribute.Strategy` called `name`.

    Args:
        name: str. One of:
            `"auto"`: `MirroredStrategy` over every visible GPU when there
                are two or more; otherwise TensorFlow's default strategy (one
                device: the GPU if there is one, else the CPU), which adds no
                distribution overhead and lets `jit_compile` work.
            `"one"`: `OneDeviceStrategy` on the first GPU, else the CPU.
            `"mirrored"`: `MirroredStrategy` over every GPU, else over every
                logical CPU device (one replica if the CPU is not split with
                `tf.config.set_logical_device_configuration`).
            `"multiworker"`: `MultiWorkerMirroredStrategy`, configured by the
                `TF_CONFIG` environment variable (see `cluster_spec`). Create
                it before any other TensorFlow op runs in the process.

    Returns:
        A `tf.distribute.Strategy`.

    Example:
    ```python
    s = keras_gans.distribute.strategy("mirrored")
    with s.scope():
        model = keras_gans.get("dcgan")
        model.compile()
    ```
    """
    if name not in STRATEGIES:
        raise ValueError(
            f"Unknown strategy {name!r}; choose one of: {', '.join(STRATEGIES)}."
        )
    if name == "multiworker":
        cluster_spec()  # a clear error before TensorFlow reads TF_CONFIG
        return tf.distribute.MultiWorkerMirroredStrategy()
    gpus = tf.config.list_logical_devices("GPU")
    if name == "auto":
        if len(gpus) > 1:
            return tf.distribute.MirroredStrategy([d.name for d in gpus])
        return tf.distribute.get_strategy()
    if name == "one":
        device = gpus[0].name if gpus else tf.config.list_logical_devices("CPU")[0].name
        return tf.distribute.OneDeviceStrategy(device)
    devices = gpus or tf.config.list_logical_devices("CPU")
    return tf.distribute.MirroredStrategy([d.name for d in devices])


def cluster_spec(environ=None):
    """The parsed `TF_CONFIG` of a multi-worker run, checked.

    `TF_CONFIG` is JSON with a `cluster` (task type -> list of "host:port";
    `worker`, and optionally one `chief`) and this process's `task` (`type`
    and `index` in that list). Every process gets the same `cluster`.

    Args:
        environ: mapping or None. Where to read `TF_CONFIG` (`os.environ`).

    Returns:
        dict. The parsed `TF_CONFIG`.

    Example:
    ```python
    keras_gans.distribute.cluster_spec({"TF_CONFIG": json.dumps(
        {"cluster": {"worker": ["host1:12345", "host2:12345"]},
         "task": {"type": "worker", "index": 0}})})
    ```
    """
    environ = os.environ if environ is None else environ
    text = environ.get("TF_CONFIG", "").strip()
    if not text:
        raise ValueError(
            f"--strategy multiworker needs the TF_CONFIG environment variable, e.g. "
            f"{_TF_CONFIG_EXAMPLE}."
        )
    try:
        config = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"TF_CONFIG is not valid JSON ({e}); e.g. {_TF_CONFIG_EXAMPLE}.")
    cluster = config.get("cluster") if isinstance(config, dict) else None
    task = config.get("task") if isinstance(config, dict) else None
    if not isinstance(cluster, dict) or not isinstance(cluster.get("worker", cluster.get("chief")),
                                                       list):
        raise ValueError(
            f"TF_CONFIG needs a 'cluster' with a 'worker' list of host:port addresses; "
            f"e.g. {_TF_CONFIG_EXAMPLE}."
        )
    bad_types = set(cluster) - {"chief", "worker"}
    if bad_types:
        raise ValueError(
            f"TF_CONFIG's cluster has task types {sorted(bad_types)}; "
            "MultiWorkerMirroredStrategy takes only 'chief' and 'worker'."
        )
    if not isinstance(task, dict) or task.get("type") not in cluster:
        raise ValueError(
            f"TF_CONFIG needs a 'task' whose 'type' is one of {sorted(cluster)}; got "
            f"{task!r}; e.g. {_TF_CONFIG_EXAMPLE}."
        )
    index = task.get("index", 0)
    hosts = cluster[task["type"]]
    if not isinstance(index, int) or not 0 <= index < len(hosts):
        raise ValueError(
            f"TF_CONFIG's task index must be 0..{len(hosts) - 1} (the {task['type']} "
            f"list has {len(hosts)} entries); got {index!r}."
        )
    return config


def _task(strategy_):
    """`(type, index)` of this process, or None outside a multi-worker run."""
    resolver = getattr(strategy_, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return None
    return resolver.task_type, int(resolver.task_id or 0)


def is_chief(strategy_=None):
    """True where this process should write files.

    Always True in one process (any strategy but a multi-worker one); under
    `MultiWorkerMirroredStrategy` True for the task of type `chief`, or for
    worker 0 when the cluster has no chief.

    Args:
        strategy_: `tf.distribute.Strategy` or None (the current one).

    Returns:
        bool.

    Example:
    ```python
    if keras_gans.distribute.is_chief(s):
        model.save("model.keras")
    ```
    """
    strategy_ = strategy_ or tf.distribute.get_strategy()
    task = _task(strategy_)
    if task is None:
        return True
    task_type, index = task
    if task_type == "chief":
        return True
    if task_type != "worker":
        return False
    spec = strategy_.cluster_resolver.cluster_spec().as_dict()
    return "chief" not in spec and index == 0


def worker_dir(path, strategy_=None):
    """Where this process writes what belongs at `path`.

    `path` itself on the chief. On any other worker a directory under the
    system temporary directory (`$TMPDIR`, else /tmp) named after the worker
    and `path`, e.g. `/tmp/keras-gans-worker-1-3f2a9c1e/dcgan`; it is the same
    on every run of the same command, so a backup there resumes with the
    chief's. Never the chief's files.

    Args:
        path: str. The chief's file or directory.
        strategy_: `tf.distribute.Strategy` or None (the current one).

    Returns:
        str. Where this process writes.
    """
    strategy_ = strategy_ or tf.distribute.get_strategy()
    if is_chief(strategy_):
        return path
    task_type, index = _task(strategy_)
    key = hashlib.sha1(os.path.abspath(path).encode()).hexdigest()[:8]
    base = os.path.join(tempfile.gettempdir(), f"keras-gans-{task_type}-{index}-{key}")
    return os.path.join(base, os.path.basename(os.path.normpath(path)) or "run")


def workers_min(value, strategy_=None):
    """The least of an integer `value` over all workers of a multi-worker strategy.

    `value` itself with one worker. Every worker must call it at the same
    point (it is a collective): `keras-gans train` uses it so that workers
    whose last backups differ (a kill between their commits) resume at the
    same epoch.

    Args:
        value: int. This worker's value.
        strategy_: `tf.distribute.Strategy` or None (the current one).

    Returns:
        int. The minimum over the workers.
    """
    strategy_ = strategy_ or tf.distribute.get_strategy()
    if not multi_worker(strategy_):
        return int(value)
    values = strategy_.run(lambda: tf.constant([int(value)], tf.int64))
    return int(tf.reduce_min(strategy_.gather(values, axis=0)))


def describe(strategy_=None):
    """One line naming a strategy and its replicas, e.g. 'MirroredStrategy, 2 replicas'.

    Args:
        strategy_: `tf.distribute.Strategy` or None (the current one).

    Returns:
        str.

    Example:
    ```python
    print(keras_gans.distribute.describe(keras_gans.distribute.strategy("auto")))
    ```
    """
    strategy_ = strategy_ or tf.distribute.get_strategy()
    name = type(strategy_).__name__
    if isinstance(strategy_, tf.distribute.MultiWorkerMirroredStrategy):
        name = "MultiWorkerMirroredStrategy"  # not its implementation's class name
    elif name == "_DefaultDistributionStrategy":
        name = "default strategy"
    n = strategy_.num_replicas_in_sync
    text = f"{name}, {n} replica{'s' if n != 1 else ''}"
    task = _task(strategy_)
    if task is not None:
        spec = strategy_.cluster_resolver.cluster_spec().as_dict()
        workers = sum(len(hosts) for hosts in spec.values())
        text += f" on {workers} workers, this is {task[0]} {task[1]}"
    return text


def replicated(strategy_=None):
    """True when `strategy_` runs on more than one replica or more than one worker.

    Args:
        strategy_: `tf.distribute.Strategy` or None (the current one).

    Returns:
        bool.
    """
    strategy_ = strategy_ or tf.distribute.get_strategy()
    return strategy_.num_replicas_in_sync > 1 or _task(strategy_) is not None


def jit_problem(strategy_=None):
    """Why XLA (`jit_compile=True`) can't be used under `strategy_`, or None.

    XLA is used on one replica only: with two or more replicas (or workers)
    Keras' compiled step reads every replica's variables from the first
    device and fails on the first one placed elsewhere ("Trying to access
    resource ... located in device CPU:1 from device CPU:0"; here the model's
    `SeedGenerator` state; reported upstream as keras#19005). See
    docs/MODEL_NOTES.md#jit_problem for where it was seen.

    Args:
        strategy_: `tf.distribute.Strategy` or None (the current one).

    Returns:
        str or None. The reason, for an error message.

    Example:
    ```python
    problem = keras_gans.distribute.jit_problem(keras_gans.distribute.strategy("mirrored"))
    ```
    """
    strategy_ = strategy_ or tf.distribute.get_strategy()
    if replicated(strategy_):
        return (f"XLA fails on variables placed on other devices under "
                f"{describe(strategy_)}; use it on one device (--strategy one)")
    return None


def jit_error(error):
    """The line that says why XLA failed, if `error` (raised by `fit()` with
    `jit_compile=True`) is an XLA compilation error; else None.

    Args:
        error: Exception. What `fit()` raised.

    Returns:
        str or None.
    """
    if not isinstance(error, tf.errors.OpError) or "XLA" not in str(error).upper():
        return None
    skip = ("File ", "[[", "Detected at node", "Graph execution error", "Cf.")
    lines = [line.strip() for line in str(error).splitlines()]
    lines = [line for line in lines if line and not line.startswith(skip)]
    return lines[-1] if lines else type(error).__name__


# ------------------------------------------------------------ mixed precision


def cpu_flags():
    """The CPU feature flags of this machine (a set of str; empty if unknown).

    Reads the `flags` line of /proc/cpuinfo (Linux). Tests replace it.

    Returns:
        set of str.
    """
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()


def gpu_compute_capabilities():
    """`(major, minor)` compute capability of each visible GPU (a list).

    Returns:
        list of `(int, int)`; empty without a GPU.
    """
    out = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu) or {}
        out.append(tuple(details.get("compute_capability") or (0, 0)))
    return out


def cpu_has_bf16(flags=None):
    """True if the CPU computes bfloat16 fast (AMX or AVX512-BF16).

    Args:
        flags: set of str or None. CPU flags (`cpu_flags()` when None).

    Returns:
        bool.
    """
    flags = cpu_flags() if flags is None else flags
    return bool({"amx_bf16", "avx512_bf16"} & set(flags))


def resolve_precision(name):
    """The Keras dtype policy name for a `--mixed-precision` choice.

    Args:
        name: str or None. `"float16"` -> `"mixed_float16"` (the optimizers
            get loss scaling), `"bfloat16"` -> `"mixed_bfloat16"` (no loss
            scaling needed), `"none"`, `"float32"` or None -> `"float32"`,
            and `"auto"`:
            - GPUs: `mixed_bfloat16` when every GPU has compute capability
              8.0 or more (Ampere on), else `mixed_float16`;
            - no GPU: `mixed_bfloat16` on a CPU with AMX or AVX512-BF16
              (`amx_bf16` / `avx512_bf16` in /proc/cpuinfo), else
              `float32`: a CPU without them emulates 16-bit floats, slower
              than float32.

    Returns:
        str. `"float32"`, `"mixed_float16"` or `"mixed_bfloat16"`.

    Example:
    ```python
    keras_gans.distribute.resolve_precision("bfloat16")  # "mixed_bfloat16"
    ```
    """
    if name is None:
        return "float32"
    key = str(name).lower()
    key = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}.get(key, key)
    if key not in PRECISIONS:
        raise ValueError(
            f"Unknown mixed precision {name!r}; choose one of: {', '.join(PRECISIONS)}."
        )
    if key in ("none", "float32"):
        return "float32"
    if key != "auto":
        return "mixed_" + key
    caps = gpu_compute_capabilities()
    if caps:
        return "mixed_bfloat16" if all(c >= (8, 0) for c in caps) else "mixed_float16"
    return "mixed_bfloat16" if cpu_has_bf16() else "float32"


def mixed_precision(name):
    """Resolves `name` (see `resolve_precision`) and sets it as Keras' global
    dtype policy; call it before building the model. Returns the policy name.

    Layers then compute in 16 bits and keep float32 weights; keras-gans models
    keep their outputs (losses, samples, exports) float32, and `GAN.compile`
    wraps both optimizers in `LossScaleOptimizer` under `mixed_float16`.
    Undo it with `keras.mixed_precision.set_global_policy("float32")`.

    Args:
        name: str or None. A `--mixed-precision` choice (see `resolve_precision`).

    Returns:
        str. The policy set.

    Example:
    ```python
    keras_gans.distribute.mixed_precision("auto")  # before building the model
    model = keras_gans.get("dcgan")
    ```
    """
    policy = resolve_precision(name)
    keras.mixed_precision.set_global_policy(policy)
    return policy


def float32_copy(model):
    """`model` itself if it computes in float32, else a float32 copy with its weights.

    LiteRT/TFLite has no 16-bit compute kernels (a bfloat16 Conv2D fails its
    converter), so a model trained under a mixed policy is converted from
    this copy. Works for keras-gans models (rebuilt from their config).

    Args:
        model: keras_gans.models.GenerativeModel.

    Returns:
        The model, or a float32 copy with the same weights.
    """
    layers = [model, *model._flatten_layers(include_self=False)]
    if all(layer.dtype_policy.name == "float32" for layer in layers):
        return model
    previous = keras.config.dtype_policy()
    keras.mixed_precision.set_global_policy("float32")
    try:
        config = dict(model.get_config(), dtype="float32")
        copy = type(model).from_config(config)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    copy.set_weights(model.get_weights())
    return copy
