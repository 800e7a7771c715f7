"""A Gaussian-mixture latent prior as G's first layer."""

import statistics

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="keras_gans")
class LatentMixture(layers.Layer):
    """Maps z ~ N(0, I) to a mixture of `components` small Gaussians.

    G keeps taking a standard normal z (so `sample`, serving and export are
    unchanged), and its first layer turns it into `centre[k] + scale * z`.
    The component `k` is read from z's first coordinate: the normal quantiles
    at 1/K, ..., (K-1)/K split its line into K equally likely parts, so each
    component is drawn with probability 1/K. The centres are drawn once from
    N(0, I) when the layer is built and saved with G's weights; they are not
    trained.

    Why: a generator that is continuous in a connected z must cross the gaps
    between separate modes (the ten digits), and the samples it draws there
    look like no class. With the mass of z on K separated islands, the gaps
    are never sampled. The idea is DeLiGAN's (Gurumurthy et al. 2017,
    arXiv:1706.02071), which learns the centres and scales; here they are
    fixed, so the layer adds no trainable weights and nothing to the losses.

    Args:
        components: int. K, the number of mixture components (>= 1).
        scale: float. The standard deviation of each component (> 0).
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    z = keras.Input((64,))
    x = keras_gans.layers.LatentMixture(30, 0.2)(z)   # [N, 64], 30 islands
    ```
    """

    def __init__(self, components=30, scale=0.2, **kwargs):
        super().__init__(**kwargs)
        if int(components) < 1 or int(components) != components:
            raise ValueError(f"LatentMixture's components must be an int >= 1; got {components!r}.")
        if not scale > 0:
            raise ValueError(f"LatentMixture's scale must be a positive number; got {scale!r}.")
        self.components = int(components)
        self.scale = float(scale)
        normal = statistics.NormalDist()
        # z[:, 0] above the first i of these thresholds picks component i.
        self.thresholds = [normal.inv_cdf(i / self.components) for i in range(1, self.components)]

    def build(self, input_shape):
        self.centres = self.add_weight(
            shape=(self.components, int(input_shape[-1])),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            trainable=False, name="centres")

    def component(self, z):
        """The one-hot component `[N, K]` of each row of z (in z's dtype)."""
        if self.components == 1:
            return ops.ones_like(z[:, :1])
        # above[:, i]: z0 is above threshold i. Ones first, then zeros; the
        # one-hot is where it steps down.
        above = ops.cast(z[:, :1] > ops.convert_to_tensor(self.thresholds, dtype=z.dtype), z.dtype)
        ones = ops.ones_like(above[:, :1])
        zeros = ops.zeros_like(above[:, :1])
        return ops.concatenate([ones, above], axis=1) - ops.concatenate([above, zeros], axis=1)

    def call(self, z):
        centres = ops.cast(self.centres, z.dtype)
        return ops.matmul(self.component(z), centres) + self.scale * z

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(components=self.components, scale=self.scale)
        return config
