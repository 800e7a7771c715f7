"""Standing statistics (Brock et al. 2019, arXiv:1809.11096, appendix C.1 and
BigGAN-PyTorch's `accumulate_standing_stats`): re-estimate a generator's
BatchNorm moving statistics over many batches before sampling.

A G trained with BatchNorm samples in inference mode with moving averages
that lag its weights (and an EMA of G never trained with its own statistics).
Running G in training mode over fresh latents and keeping the plain
(cumulative) average of every BatchNorm layer's batch means and variances
gives the statistics of the weights as they are.
"""

import keras
from keras import ops


def batch_norm_layers(network):
    """Every `keras.layers.BatchNormalization` inside `network` (nested layers
    too: `keras_gans.layers.BatchNorm`, the normalization of
    `keras_gans.layers.ConditionalBatchNorm`), each once.

    Args:
        network: keras.Layer or keras.Model.

    Returns:
        list of `keras.layers.BatchNormalization`.

    Example:
    ```python
    bns = keras_gans.standing.batch_norm_layers(keras_gans.get("dcgan").generator)
    ```
    """
    out, seen = [], set()
    for layer in network._flatten_layers(include_self=True, recursive=True):
        if isinstance(layer, keras.layers.BatchNormalization) and id(layer) not in seen:
            seen.add(id(layer))
            out.append(layer)
    return out


def standing_statistics(network, batches):
    """Sets every BatchNorm moving mean and variance of `network` to the
    average, over `batches`, of that layer's batch means and variances.

    `network` runs in training mode on each batch (eagerly) with the moving
    averages' momentum set to i / (i + 1) for the i-th batch (counting from
    0), so after n batches each moving mean is (1/n) sum of the batch means:
    with batches of one size, the mean of the layer's inputs over all of
    them. Every other variable (weights, spectral-norm vectors and kernels,
    which a training-mode call may write) is put back as it was, and each
    layer's momentum is restored.

    Args:
        network: keras.Model. The generator (for a model with an EMA, the
            EMA copy that samples: `model.sampling_generator`).
        batches: iterable of inputs `network` takes (e.g. `z`, or `[z, labels]`).

    Returns:
        int. The number of batches averaged.

    Example:
    ```python
    model = keras_gans.get("dcgan")
    z = np.random.default_rng(0).standard_normal((16, 256, model.latent_dim), "float32")
    keras_gans.standing.standing_statistics(model.sampling_generator, list(z))
    ```
    """
    bns = batch_norm_layers(network)
    stats = {id(v) for bn in bns for v in (bn.moving_mean, bn.moving_variance)}
    others = [v for v in network.variables if id(v) not in stats]
    saved = [ops.convert_to_numpy(v) for v in others]
    momenta = [bn.momentum for bn in bns]
    count = 0
    try:
        for count, batch in enumerate(batches):
            for bn in bns:
                bn.momentum = count / (count + 1.0)
            network(batch, training=True)
            count += 1
            for v, value in zip(others, saved):  # undo what training mode wrote
                v.assign(value)
        if count == 0:
            raise ValueError("standing_statistics needs at least one batch.")
    finally:
        for bn, m in zip(bns, momenta):
            bn.momentum = m
        for v, value in zip(others, saved):
            v.assign(value)
    return count
