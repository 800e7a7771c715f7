"""Spectral normalization (Miyato et al. 2018, arXiv:1802.05957) as every
keras-gans network and layer applies it: one helper, so that the wrapper's
name (which saved files key on) and its settings are the same everywhere."""

from keras import layers


def spectral_norm(layer, enabled=True, power_iterations=1, **kwargs):
    """`layer` wrapped in `keras.layers.SpectralNormalization`, or `layer` itself.

    In training mode the wrapper runs `power_iterations` steps of the power
    method (its `vector_u` persists between calls) and writes W / sigma(W)
    into the wrapped kernel before the layer runs; in inference the kernel is
    used as stored. Gradients are taken with respect to the normalized kernel
    and do not flow through sigma (the paper differentiates through
    W / sigma(W)).

    Args:
        layer: keras.layers.Layer. A layer with a `kernel` (Conv2D, Dense, ...).
        enabled: bool. False returns `layer` unwrapped (a network's switch).
        power_iterations: int. Power-method steps per training call.
        **kwargs: more `keras.layers.SpectralNormalization` arguments (e.g.
            `dtype`).

    Returns:
        keras.layers.Layer. `SpectralNormalization` named `sn_<layer name>`,
        or `layer` when not `enabled`.

    Example:
    ```python
    conv = keras_gans.layers.spectral_norm(keras.layers.Conv2D(64, 4, strides=2))
    ```
    """
    if not enabled:
        return layer
    return layers.SpectralNormalization(layer, power_iterations=power_iterations,
                                        name=f"sn_{layer.name}", **kwargs)
