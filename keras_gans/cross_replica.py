"""Cross-replica helpers for train steps under `tf.distribute` strategies.

Under a strategy each replica runs `train_step` on its share of the global
batch. Batch means averaged over replicas are global means (`global_mean`);
terms that compare samples with each other (minibatch discrimination, the
pull-away term, image pools) see the whole global batch through
`global_batch`. Outside a strategy, or with one replica, every helper is the
identity, so single-device code pays nothing.
"""

import tensorflow as tf


def _sync_context():
    """The replica context when this runs on one of several replicas, else None."""
    ctx = tf.distribute.get_replica_context()
    return ctx if ctx is not None and ctx.num_replicas_in_sync > 1 else None


def replicas_in_sync():
    """Number of replicas the current `tf.distribute` strategy runs on.

    Returns:
        int. 1 under the default strategy.
    """
    return tf.distribute.get_strategy().num_replicas_in_sync


def replicas_here():
    """Replicas in sync of the replica context this runs in (1 outside one)."""
    ctx = _sync_context()
    return 1 if ctx is None else ctx.num_replicas_in_sync


def replica_id():
    """This replica's index in its sync group (0 outside a strategy)."""
    ctx = _sync_context()
    return 0 if ctx is None else ctx.replica_id_in_sync_group


def global_mean(value):
    """The mean of `value` over the replicas in sync (itself on one replica).

    Inside `train_step` under a strategy each replica sees its share of the
    global batch; a batch mean averaged over replicas is the global batch mean.
    Gradients flow through it (they are summed across replicas).

    Args:
        value: tensor or nested structure of tensors.

    Returns:
        The same structure, averaged over replicas.

    Example:
    ```python
    real_loss, fake_loss = keras_gans.cross_replica.global_mean([real_loss, fake_loss])
    ```
    """
    ctx = _sync_context()
    return value if ctx is None else ctx.all_reduce("mean", value)


def global_sum(value):
    """The sum of `value` over the replicas in sync (itself on one replica)."""
    ctx = _sync_context()
    return value if ctx is None else ctx.all_reduce("sum", value)


def global_batch(x):
    """`x` ([b, ...], this replica's rows) gathered over all replicas: the
    global batch, replica 0's rows first. `x` itself on one replica.

    Args:
        x: tensor `[b, ...]`.

    Returns:
        tensor `[b * replicas, ...]`.

    Example:
    ```python
    pt = keras_gans.losses.pull_away_term(keras_gans.cross_replica.global_batch(codes))
    ```
    """
    ctx = _sync_context()
    return x if ctx is None else ctx.all_gather(x, axis=0)


def local_rows(x, rows):
    """This replica's `rows` rows of a global batch `x` (see `global_batch`).

    Args:
        x: tensor. A global batch.
        rows: int or scalar tensor. Rows per replica.

    Returns:
        tensor `[rows, ...]` (`x` itself on one replica).
    """
    if _sync_context() is None:
        return x
    start = replica_id() * rows
    return x[start:start + rows]


def multi_worker(strategy=None):
    """True under a `MultiWorkerMirroredStrategy` that spans several workers
    (`strategy`, else the current one)."""
    s = strategy or tf.distribute.get_strategy()
    return isinstance(s, tf.distribute.MultiWorkerMirroredStrategy) and (
        s.extended._in_multi_worker_mode())


def under_strategy():
    """True while this runs on a replica of a (non-default) `tf.distribute`
    strategy, even a one-device one. Such a step cannot hold a collective or
    an optimizer update inside `tf.cond` (TF's merge_call refuses control
    flow), so conditional steps there take the masked path of
    `keras_gans.models.GAN`."""
    return tf.distribute.has_strategy() and not tf.distribute.in_cross_replica_context()


def assign_where(mask, variables, previous):
    """`v <- v if mask else previous` for every variable, in cross-replica
    context (a merge_call), so it works on mirrored variables of any
    aggregation. `mask` is a scalar bool tensor equal on every replica.

    Args:
        mask: bool tensor. Keep the new values where True.
        variables: list of variables.
        previous: list of tensors, the values to put back where `mask` is False.
    """
    ctx = tf.distribute.get_replica_context()
    if not under_strategy():
        for v, old in zip(variables, previous):
            v.assign(tf.where(mask, tf.convert_to_tensor(v), old))
        return
    # Keras variables wrap the (mirrored) tf.Variable that the strategy updates.
    tf_vars = [getattr(v, "value", v) if not isinstance(v, tf.Variable) else v
               for v in variables]

    def merge(strategy, mask, previous):
        for v, old in zip(tf_vars, previous):
            strategy.extended.update(
                v, lambda var, m, o: var.assign(tf.where(m, tf.identity(var), o)),
                args=(mask, old), group=False)

    ctx.merge_call(merge, args=(mask, previous))
