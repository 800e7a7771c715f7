"""S2GAN / S3GAN's discriminator: a trunk's features with three heads.

The heads (Lucic et al. 2019, arXiv:1903.02271, section 3):
- a 4-way rotation head (self-supervision, Chen et al. 2019);
- the labels of the projection: an example's own label where it has one
  (>= 0), else D's guess from its features (no gradient through the guess):
  the argmax of a linear class head ("s3") or the nearest k-means centroid
  of the features ("s2", `NearestCentroid`);
- the projection discriminator's logit with those labels.
All in one network, so that one call (one power iteration) gives them all.
"""

import keras
from keras import layers, ops

from keras_gans.clustering import squared_distances
from keras_gans.networks.sn import spectral_norm as wrap_spectral_norm

#: The turns the rotation head tells apart.
NUM_ROTATIONS = 4


@keras.saving.register_keras_serializable(package="keras_gans")
class NearestCentroid(layers.Layer):
    """Labels features by their nearest of K centroids (k-means labels).

    The centroids are a non-trainable weight that the model sets (S2GAN runs
    k-means on D's features and moves the centroids as the features change);
    they start at 0, where every feature gets label 0.

    Args:
        num_classes: int. K, the number of centroids.
        **kwargs: `keras.layers.Layer` arguments.

    Inputs:
        float `[N, F]` features.

    Returns:
        `[labels, scores]`: int32 `[N]` (the nearest centroid) and float
        `[N, K]` (minus the squared distances: a softmax of them is a soft
        assignment).

    Example:
    ```python
    labels, scores = keras_gans.networks.s3gan.NearestCentroid(10)(features)
    ```
    """

    def __init__(self, num_classes, **kwargs):
        super().__init__(**kwargs)
        if int(num_classes) < 1:
            raise ValueError(f"num_classes must be a positive int; got {num_classes!r}.")
        self.num_classes = int(num_classes)

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(f"NearestCentroid takes features [N, F]; got {input_shape}.")
        # "mean": every replica assigns the same value (computed from the global batch).
        self.centroids = self.add_weight(
            shape=(self.num_classes, int(input_shape[-1])), initializer="zeros", trainable=False,
            aggregation="mean", name="centroids")
        self.built = True

    def call(self, features):
        scores = -squared_distances(ops.cast(features, "float32"), self.centroids)
        return [ops.cast(ops.argmax(scores, axis=-1), "int32"), scores]

    def compute_output_spec(self, features):
        n = features.shape[0]
        return [keras.KerasTensor((n,), dtype="int32"),
                keras.KerasTensor((n, self.num_classes), dtype="float32")]

    def get_config(self):
        config = super().get_config()
        config.update(num_classes=self.num_classes)
        return config


def s3gan_discriminator(trunk, num_classes, variant="s3", spectral_norm=True,
                        power_iterations=1, label_threshold=0.0, name="discriminator"):
    """S2GAN / S3GAN's D: `trunk`'s features with rotation, class and projection heads.

    Args:
        trunk: keras.Model. Images `[N, H, W, C]` -> pooled features `[N, F]`
            (e.g. BigGAN's D without its output layer).
        num_classes: int. K.
        variant: str. "s3": the unlabelled get the argmax of a linear class
            head (trained on the labelled ones by the model's loss); "s2":
            their nearest k-means centroid (`NearestCentroid`).
        spectral_norm: bool. Spectral norm on the heads' linear layers.
        power_iterations: int. Power-method steps per training call.
        label_threshold: float. s3: an unlabelled image takes the class
            head's argmax only where the head's softmax gives it at least
            this probability; below it the label stays -1 (no projection
            term, as for a label-free image). 0: always the argmax.
        name: str. The model's name.

    Returns:
        keras.Model. `[images, labels]` (labels int32 `[N]`, -1: none) ->
        `{"logits": [N, 1], "rotation": [N, 4], "classes": [N, K],
        "labels": [N], "features": [N, F]}`: "classes" are the class head's
        logits (s3) or minus the squared distances to the centroids (s2),
        "labels" those the projection used.

    Example:
    ```python
    d = keras_gans.networks.s3gan.s3gan_discriminator(trunk, 10, "s3")
    out = d([images, labels])
    ```
    """
    from keras_gans.layers.conditional import ProjectionHead

    if variant not in ("s2", "s3"):
        raise ValueError(f"variant must be 's2' or 's3'; got {variant!r}.")
    if not 0.0 <= float(label_threshold) <= 1.0:
        raise ValueError(f"label_threshold is a probability from 0 to 1 (0: always the class "
                         f"head's argmax); got {label_threshold!r}.")

    def dense(units, layer_name, use_bias=True):
        layer = layers.Dense(units, use_bias=use_bias, name=layer_name)
        return wrap_spectral_norm(layer, power_iterations) if spectral_norm else layer

    image_shape = tuple(trunk.input.shape[1:])
    images = keras.Input(image_shape, name="images")
    labels = keras.Input((), dtype="int32", name="labels")
    features = trunk(images)
    rotation = dense(NUM_ROTATIONS, "rotation")(features)
    frozen = ops.stop_gradient(features)
    if variant == "s3":
        classes = dense(num_classes, "classes")(features)
        frozen_classes = ops.stop_gradient(classes)
        guess = ops.cast(ops.argmax(frozen_classes, axis=-1), "int32")
        if float(label_threshold) > 0:
            sure = ops.max(ops.softmax(ops.cast(frozen_classes, "float32"), axis=-1), axis=-1)
            guess = ops.where(sure >= float(label_threshold), guess, -ops.ones_like(guess))
    else:
        guess, classes = NearestCentroid(num_classes, name="centroids")(frozen)
    used = ops.where(labels >= 0, labels, guess)
    logits = ProjectionHead(num_classes, spectral_norm=spectral_norm,
                            power_iterations=power_iterations, name="projection")([features, used])
    outputs = {"logits": logits, "rotation": rotation, "classes": classes, "labels": used,
               "features": features}
    return keras.Model([images, labels], outputs, name=name)
