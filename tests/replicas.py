"""One training step on one device and on two logical CPUs, same weights?

Run as a script (it must configure the logical devices before TensorFlow
starts, so tests/test_replicas.py runs it in a subprocess):

    python -m tests.replicas dcgan cyclegan ...   # prints one JSON line per model

For each model: build it at its tiny size, copy one set of initial weights into
a copy built under `OneDeviceStrategy` and a copy built under a two-replica
`MirroredStrategy`, compile both with plain SGD (Adam's first step is nearly
invariant to the gradient's scale, so it would hide a wrong loss scaling), run
one `fit()` step on the same global batch, and report the largest difference
between any two corresponding weights (trainable and not: BatchNorm statistics,
BEGAN's k_t, image pools, seed states) and between the logged losses.

The randomness is fixed: `GAN.random_normal` / `random_uniform` are replaced by
draws from a fixed global table per call, of which each replica takes its rows
(the first dimension is the batch), and dropout rates are set to 0.
`--unscaled` makes `apply_loss` skip the division by the number of replicas
(the negative control: then the weights must differ). `--eager` runs both
steps eagerly (`run_eagerly`): the same `train_step` under the same strategies,
without tracing it once per replica, which is most of the cost of the graph
run (tests/test_replicas.py runs every model eagerly and a set covering each
kind of step in graph mode). Grappler is off: one step does not repay its
optimization passes.
"""

import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0],
    [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()],
)

import keras  # noqa: E402

import keras_gans  # noqa: E402
from keras_gans import registry  # noqa: E402
from keras_gans.models import base  # noqa: E402
from keras_gans.standing import batch_norm_layers  # noqa: E402

GLOBAL_BATCH = 8


class FixedNoise:
    """Replaces the base class's random draws with a fixed table per call.

    Call k of a replica draws the global-batch array k (seeded by k) and
    returns its own rows; one device draws the same arrays whole.
    """

    def __init__(self):
        self.calls = {}

    def _table(self, kind, shape, **kw):
        ctx = tf.distribute.get_replica_context()
        replicas = ctx.num_replicas_in_sync if ctx is not None else 1
        rid = 0
        if replicas > 1:
            rid = int(tf.get_static_value(ctx.replica_id_in_sync_group))
        k = self.calls.get(rid, 0)
        self.calls[rid] = k + 1
        shape = tf.cast(tf.convert_to_tensor(shape), tf.int32)
        rows = shape[0]
        full = tf.concat([[rows * replicas], shape[1:]], axis=0)
        if kind == "normal":
            table = tf.random.stateless_normal(full, seed=[k, 7])
        else:
            table = tf.random.stateless_uniform(full, seed=[k, 7], **kw)
        return table[rid * rows:(rid + 1) * rows]

    def install(self):
        noise = self

        def random_normal(model, shape):
            return noise._table("normal", shape)

        def random_uniform(model, shape, minval=0.0, maxval=1.0):
            return noise._table("uniform", shape, minval=minval, maxval=maxval)

        base.GAN.random_normal = random_normal
        base.GAN.random_uniform = random_uniform


def dataset_for(model):
    """One global batch of what `model` trains on, from its `example_data`
    (images; (images, labels) with some unlabelled rows on both replicas for
    the semi-supervised models; (A, B) pairs for translators)."""
    return model.example_data(batch_size=GLOBAL_BATCH, batches=1, seed=0)


def no_dropout(model):
    for net in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(net, keras.layers.Dropout):
            net.rate = 0.0


EAGER = False


def build(spec, strategy, initial):
    # "NAME" or "NAME:KEY=VALUE,...": constructor arguments over the tiny preset
    # (string values), e.g. a data preset's networks.
    name, _, settings = spec.partition(":")
    overrides = dict(kv.split("=", 1) for kv in settings.split(",") if kv)
    with strategy.scope():
        model = keras_gans.get(name, seed=0, **{**registry.tiny_config(name), **overrides})
        # One plain SGD per optimizer group the model has (d, g, Triple-GAN's c, ...).
        optimizers = {f"{group}_optimizer": keras.optimizers.SGD(0.01)
                      for group in model.optimizer_names}
        model.compile(**optimizers)
        if initial is not None:
            model.set_weights(initial)
    model.run_eagerly = EAGER
    no_dropout(model)
    return model


def one_step(model):
    history = model.fit(dataset_for(model), epochs=1, verbose=0)
    logs = {k: float(np.asarray(v[-1]).reshape(-1)[0]) for k, v in history.history.items()}
    return [np.asarray(w) for w in model.weights], logs


_STRATEGIES = []


def strategies():
    """One device and two replicas, made once per process: a second
    MirroredStrategy in one process reuses collective keys and aborts."""
    if not _STRATEGIES:
        _STRATEGIES.extend([tf.distribute.OneDeviceStrategy("/cpu:0"),
                            tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])])
    return _STRATEGIES


def compare(name):
    # The same initial weights on every run (the initializers take no seed of their own):
    # the comparison is then repeatable, not a draw of a fresh network each time.
    keras.utils.set_random_seed(0)
    initial = build(name, tf.distribute.get_strategy(), None).get_weights()
    results = []
    for strategy in strategies():
        FixedNoise().install()
        model = build(name, strategy, initial)
        results.append(one_step(model))
    (w1, l1), (w2, l2) = results
    moved = max(float(np.max(np.abs(a - b))) for a, b in zip(w1, initial)
                if a.dtype.kind == "f")
    weight_diff = max(float(np.max(np.abs(a.astype("float64") - b.astype("float64"))))
                      for a, b in zip(w1, w2))
    worst = max(range(len(w1)), key=lambda i: float(np.max(np.abs(
        w1[i].astype("float64") - w2[i].astype("float64")))))
    log_diff = max((abs(l1[k] - l2[k]) for k in l1), default=0.0)
    d = getattr(model, "discriminator", None)
    return {"model": name, "weight_diff": weight_diff, "log_diff": log_diff,
            "moved": moved, "worst": model.weights[worst].path,
            "d_batch_norms": len(batch_norm_layers(d)) if d is not None else 0,
            "logs_one": l1, "logs_two": l2}


def replica_noise():
    """Unpatched noise under two replicas: (per-replica z equal?, fit ran)."""
    strategy = strategies()[1]
    with strategy.scope():
        model = keras_gans.get("dcgan", seed=0, **registry.tiny_config("dcgan"))
        model.compile()
    z = strategy.run(tf.function(lambda: model.random_normal((2, 3))))
    first, second = (np.asarray(v) for v in strategy.experimental_local_results(z))
    history = model.fit(dataset_for(model), epochs=2, verbose=0)
    return {"same_noise": bool(np.allclose(first, second)),
            "losses_finite": bool(np.all(np.isfinite(history.history["d_loss"])))}


def main(argv):
    if "--noise" in argv:
        print(json.dumps(replica_noise()), flush=True)
        return
    global EAGER
    EAGER = "--eager" in argv
    names = [a for a in argv if not a.startswith("--")] or registry.list_models()
    if "--unscaled" in argv:
        base.replicas_in_sync = lambda: 1
    for name in names:
        start = time.perf_counter()
        try:
            out = compare(name)
        except Exception as e:  # report, go on with the next model
            out = {"model": name, "error": f"{type(e).__name__}: {str(e)[:2000]}"}
        out["seconds"] = round(time.perf_counter() - start, 1)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
