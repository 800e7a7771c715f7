"""S2GAN / S3GAN (Lucic et al. 2019, arXiv:1903.02271): BigGAN with rotation
self-supervision in D and labels that D infers itself.

The helpers of this module (quarter turns of a batch, the rows that get
turned) are pure functions; the model is at the end.
"""

import threading

from keras import ops

from keras_gans.clustering import kmeans, moving_centroids
from keras_gans.cross_replica import global_batch
from keras_gans.losses import auxiliary_classifier_loss, orthogonal_regularization, rotation_loss
from keras_gans.models.biggan import BigGAN
from keras_gans.models.conditional import SemiSupervisedMixin
from keras_gans.networks.biggan import biggan_discriminator_features
from keras_gans.networks.s3gan import s3gan_discriminator
from keras_gans.registry import register_model

#: The self-supervised task's classes: turns by 0, 90, 180 and 270 degrees.
NUM_ROTATIONS = 4


def quarter_turns(images, k):
    """`images` turned by `k` quarter turns counter-clockwise (k * 90 degrees).

    Args:
        images: tensor `[N, H, W, C]`, H == W.
        k: int. Quarter turns (0 to 3; taken modulo 4).

    Returns:
        tensor `[N, H, W, C]`.

    Example:
    ```python
    keras_gans.models.s3gan.quarter_turns(images, 1)  # 90 degrees
    ```
    """
    k = int(k) % NUM_ROTATIONS
    if k == 0:
        return images
    if k == 2:
        return ops.flip(ops.flip(images, axis=1), axis=2)
    transposed = ops.transpose(images, (0, 2, 1, 3))
    # 90 degrees counter-clockwise: the transpose read bottom-up; 270: right-left.
    return ops.flip(transposed, axis=1) if k == 1 else ops.flip(transposed, axis=2)


def rotation_rows(inputs, every):
    """The rows of a batch that the rotation task turns: rows 0, every,
    2 * every, ... of this replica's share.

    With a local batch that is a multiple of `every`, these are the same
    images of the global batch on one device and on several replicas (global
    row `r * b + i` is picked when `i` is), so training does not depend on
    the number of replicas.

    Args:
        inputs: tensor `[N, ...]`, or a list/tuple of them (D's `[images, labels]`).
        every: int. One row in `every`.

    Returns:
        the same structure with `ceil(N / every)` rows.

    Example:
    ```python
    keras_gans.models.s3gan.rotation_rows(np.arange(8), 4)  # [0, 4]
    ```
    """
    every = int(every)
    if isinstance(inputs, (list, tuple)):
        return type(inputs)(x[::every] for x in inputs)
    return inputs[::every]


def rotated_copies(inputs):
    """The three turned copies (90, 180, 270 degrees) of a batch, and the turn
    of every row of `[inputs, copies]`.

    Args:
        inputs: tensor `[n, H, W, C]`, or a list/tuple whose first entry is the
            images (the other entries, e.g. labels, are repeated).

    Returns:
        `(copies, rotations)`: the copies (same structure, `3n` rows: n turned
        by 90, then n by 180, then n by 270) and int32 `[4n]`: n zeros (the
        inputs themselves), n ones, n twos, n threes.

    Example:
    ```python
    copies, rotations = keras_gans.models.s3gan.rotated_copies(images)
    d_in = ops.concatenate([images, copies], axis=0)  # rotations label its rows
    ```
    """
    if isinstance(inputs, (list, tuple)):
        images, rest = inputs[0], list(inputs[1:])
    else:
        images, rest = inputs, None
    n = ops.shape(images)[0]
    turned = ops.concatenate([quarter_turns(images, k) for k in (1, 2, 3)], axis=0)
    rotations = ops.repeat(ops.arange(NUM_ROTATIONS, dtype="int32"), n)
    if rest is None:
        return turned, rotations
    repeated = [ops.concatenate([x, x, x], axis=0) for x in rest]
    return type(inputs)([turned, *repeated]), rotations





def _split(x, sizes):
    """`x` cut along the batch axis into pieces of `sizes` rows (tensors or ints)."""
    out, start = [], 0
    for size in sizes:
        out.append(x[start:start + size])
        start = start + size
    return out


def _concat(parts):
    """Structures of tensors (a D's `[images, labels]`) joined along the batch axis."""
    if isinstance(parts[0], (list, tuple)):
        return type(parts[0])(ops.concatenate([ops.cast(p[i], parts[0][i].dtype) for p in parts],
                                              axis=0) for i in range(len(parts[0])))
    return ops.concatenate(parts, axis=0)


#: What S3GAN logs besides its base's losses.
S3GAN_METRICS = ("d_rotation_loss", "g_rotation_loss", "d_class_loss")


class S3GANBase:
    """The S2GAN / S3GAN parts on top of a class-conditional GAN with a projection D.

    Mixed into the BigGAN subclass below; kept apart so that its steps read
    as the paper's (Lucic et al. 2019, section 3):
    - `discriminator_loss`: one D call on [real, real turned, fake, fake
      turned]; the adversarial loss on the upright halves, `rotation_weight_d`
      times the rotation loss on the real turns, and for s3
      `class_weight` times the class head's cross-entropy on the labelled
      reals; for s2 it also feeds the k-means state;
    - `generator_loss`: one D call on [fake, fake turned]; the adversarial
      loss plus `rotation_weight_g` times the rotation loss on the turns.

    Example:
    ```python
    model = keras_gans.get("s3gan", variant="s2")  # keras_gans.models.s3gan.S3GAN
    loss, logs = model.discriminator_loss(real, fake)  # logs: d_loss, d_rotation_loss
    ```
    """

    #: D's inputs pass `augment_discriminator_inputs` in both steps: the base's
    #: D step augments real and generated before `discriminator_loss`, and
    #: `generator_loss` here augments the generated ones (then the turns).
    takes_augment = True

    # ------------------------------------------------------------------ labels

    def unpack(self, data):
        if self.variant == "s2":  # unsupervised: the data's labels are not used
            images = self.unpack_images(data)
            return [images, -ops.ones((ops.shape(images)[0],), "int32")]
        return super().unpack(data)

    def labels_ready(self):
        """A bool tensor: D's guesses are labels yet (s3 always; s2 once k-means has run)."""
        if self.variant == "s3":
            return ops.convert_to_tensor(True)
        return self.step_counter >= self.cluster_start

    def generator_inputs(self, batch_size, real):
        z, labels = super().generator_inputs(batch_size, real)
        if self.variant == "s2":  # before the clusters, one class for all
            labels = labels * ops.cast(self.labels_ready(), "int32")
        return [z, labels]

    # ------------------------------------------------------------------ losses

    def rotation_views(self, inputs):
        """`inputs` followed by the turned copies of its rotation rows, the
        rotations of those rows and copies, and the copies' row count."""
        copies, rotations = rotated_copies(rotation_rows(inputs, self.rotation_every))
        first = copies[0] if isinstance(copies, (list, tuple)) else copies
        return _concat([inputs, copies]), rotations, ops.shape(first)[0]

    def rotation_logits(self, rotation, n, turned):
        """The rotation head's logits of the rotation rows (upright, from the
        first `n` rows) and of the `turned` copies after them."""
        upright = rotation_rows(rotation[:n], self.rotation_every)
        return ops.concatenate([upright, rotation[n:n + turned]], axis=0)

    def discriminator_loss(self, real, fake):
        n = ops.shape(real[0])[0]
        real_all, rotations, turned = self.rotation_views(real)
        fake_all, _, _ = self.rotation_views(fake)
        out = self.discriminator(_concat([real_all, fake_all]), training=True)
        real_out = {k: v[:n] for k, v in out.items()}
        fake_logits = out["logits"][n + turned:2 * n + turned]
        self.record_real_outputs(real_out["logits"])
        adversarial = self.d_loss_fn(real_out["logits"], fake_logits,
                                     **self.loss_kwargs(self.d_loss_fn))
        rot = rotation_loss(self.rotation_logits(out["rotation"], n, turned), rotations)
        loss = adversarial + self.rotation_weight_d * rot
        logs = {"d_rotation_loss": rot}
        if self.variant == "s3":
            cls = auxiliary_classifier_loss(real_out["classes"], real[1])
            loss = loss + self.class_weight * cls
            logs["d_class_loss"] = cls
        else:
            self._keep_real_features(real_out["features"])
        loss = loss + self.discriminator_regularization()
        logs["d_loss"] = loss
        return loss, logs

    def generator_loss(self, real, z):
        fake = self.augment_discriminator_inputs(
            self.discriminator_inputs(self.generator(z, training=True), z))
        n = ops.shape(fake[0])[0]
        fake_all, rotations, turned = self.rotation_views(fake)
        out = self.discriminator(fake_all, training=True)
        adversarial = self.g_loss_fn(out["logits"][:n], **self.loss_kwargs(self.g_loss_fn))
        rot = rotation_loss(self.rotation_logits(out["rotation"], n, turned), rotations)
        loss = adversarial + self.rotation_weight_g * rot + self.generator_regularization()
        return loss, {"g_loss": loss, "g_rotation_loss": rot}

    def discriminator_regularization(self):
        """A term added to D's loss (none here; BigGAN's orthogonal penalty where it applies)."""
        return 0.0

    def generator_regularization(self):
        """A term added to G's loss (none here; BigGAN's orthogonal penalty where it applies)."""
        return 0.0

    # ---------------------------------------------------------------- s2: k-means

    def centroid_layer(self):
        """D's `NearestCentroid` layer (s2), with a clear error for a D without one."""
        from keras_gans.networks.s3gan import NearestCentroid

        for layer in self.discriminator._flatten_layers(include_self=False):
            if isinstance(layer, NearestCentroid):
                return layer
        raise ValueError(
            "S3GAN(variant='s2') labels the real images by k-means on D's features, so D needs "
            "a keras_gans.networks.s3gan.NearestCentroid layer (build it with "
            "keras_gans.networks.s3gan.s3gan_discriminator(trunk, num_classes, 's2')).")

    def _keep_real_features(self, features):
        # Held per thread: each replica of a MirroredStrategy runs in its own.
        vars(self).setdefault("_s2_features", {})[threading.get_ident()] = features

    def after_train_step(self, logs, real):
        logs = super().after_train_step(logs, real)
        if self.variant == "s2":
            features = vars(self).get("_s2_features", {}).pop(threading.get_ident(), None)
            if features is not None:
                self.update_clusters(features)
        return logs

    def update_clusters(self, features):
        """s2's k-means state after a train step, from D's features of the real batch.

        The features of the global batch (gathered over replicas, so every
        replica computes the same) go into a first-in first-out bank of
        `cluster_bank` rows. At the end of step `cluster_start - 1`, k-means
        (`cluster_iterations` Lloyd rounds from farthest-point seeds) on the
        bank gives the centroids; from then on each step moves every centroid
        `cluster_rate` of the way to the mean of the batch's features nearest
        to it, so the clusters follow D's features as they change and keep
        their numbers (G's classes).

        Args:
            features: tensor `[b, F]`. D's features of this replica's real images.
        """
        features = ops.cast(global_batch(ops.stop_gradient(features)), "float32")
        step = self.step_counter
        bank = ops.concatenate([ops.convert_to_tensor(self.cluster_bank_features), features],
                               axis=0)[-self.cluster_bank:]
        # The first step fills the whole bank with copies of its batch, so
        # k-means never sees rows that no image gave.
        copies = self.cluster_bank // ops.shape(features)[0] + 1
        first = ops.tile(features, (copies, 1))[:self.cluster_bank]
        bank = ops.where(ops.equal(step, 0), first, bank)
        self.cluster_bank_features.assign(bank)
        centroids = self.centroid_layer().centroids
        current = ops.convert_to_tensor(centroids)
        found, _ = kmeans(bank, self.num_classes, self.cluster_iterations)
        moved = moving_centroids(current, features, self.cluster_rate)
        new = ops.where(ops.equal(step, self.cluster_start - 1), found,
                        ops.where(step >= self.cluster_start, moved, current))
        centroids.assign(new)


@register_model(
    "s3gan",
    # BigGAN's digits preset (half-width nets, N(0, 1) class embedding, plain
    # linear conditional BN maps, Adam 2e-4 / 4e-4 with beta_1 0.5), without
    # attention and with one extra D block, so that the heavier D (rotated
    # rows) still trains in minutes on two cores; the class loss x5, so that
    # the class head learns from 100 labels in a few hundred steps.
    # The EMA of G (0.999) ramps its half-life up (0.05 * steps, StyleGAN2's
    # ramp) instead of starting at step 500 as biggan's: G's classes only
    # form after the class head is right (head 0.8 of the training reals at
    # ~500 steps), and an EMA started at 500 with decay 0.999 is still 63%
    # the step-500 G after the 954 default steps. Measured on digits, 32 px,
    # --labelled 100, seed 0 (shipped judge, 500-1000 samples): the committed
    # run (benchmarks/quality.py) had the raw G at 0.976 asked but its EMA
    # at 0.684 (FID 170.9); with the ramp (/tmp trial, 972 steps) the EMA
    # read 0.932 asked (SVC 0.923), FID 119.6.
    defaults={"image_shape": (32, 32, 1), "latent_dim": 64, "g_width": 32, "d_width": 32,
              "shared_dim": 32, "embed_std": 1.0, "cbn_spectral_norm": False,
              "attention_resolution": 0, "d_extra_blocks": 1, "n_critic": 1, "g_lr": 2e-4,
              "d_lr": 4e-4, "adam_beta_1": 0.5, "ema": 0.999, "ema_start": None,
              "ema_rampup": 0.05, "rotation_every": 8, "class_weight": 5.0},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 9, "g_width": 8, "d_width": 8,
          "shared_dim": 4, "attention_resolution": 0, "ema": None, "ema_start": None,
          "ema_rampup": None, "d_extra_blocks": 1, "rotation_every": 4, "class_weight": 1.0},
)
class S3GAN(S3GANBase, SemiSupervisedMixin, BigGAN):
    """S3GAN / S2GAN: BigGAN with rotation self-supervision and labels D infers itself.

    What makes it the paper's (Lucic et al. 2019, section 3, and
    google/compare_gan's S3GAN):
    - BigGAN (`keras_gans.models.biggan.BigGAN`): G is class-conditional, D a
      projection discriminator, hinge loss, spectral norm, orthogonal
      regularization of G, an EMA of G, truncation in the exports.
    - Rotation self-supervision (Chen et al. 2019): a 4-way linear head on
      D's features (`keras_gans.networks.s3gan.s3gan_discriminator`) tells
      which of 0/90/180/270 degrees an image was turned by. One image in
      `rotation_every` of the real and of the generated batch is also shown
      turned by 90, 180 and 270 degrees (compare_gan's rotated batch
      fraction); D minimizes `rotation_weight_d` (1.0) times the rotation
      loss (`keras_gans.losses.rotation_loss`) on the real turns, G
      `rotation_weight_g` (0.2) times it on the generated ones.
    - `variant="s3"` (semi-supervised): a linear class head on the same
      features, trained with `class_weight` times the cross-entropy on the
      few labelled real images (label -1 marks the others, as `sgan`;
      `keras-gans train s3gan --labelled N`, 100 by default, 16 of them in
      every batch), labels the rest: the projection takes an image's own
      label where it has one, else the head's argmax (no gradient through
      the guess). G draws uniform classes.
    - `variant="s2"` (unsupervised, the paper's clustering approach with D
      as the self-supervised feature extractor): the data's labels are not
      used. For the first `cluster_start` steps D and G train as an
      unconditional GAN with the rotation task (every label 0). D's
      features of the real batches go into a bank of the last
      `cluster_bank`; at the end of step `cluster_start - 1`, k-means
      (`keras_gans.clustering.kmeans`, `cluster_iterations` rounds from
      farthest-point seeds) on the bank gives `num_classes` centroids
      (weights of D's `NearestCentroid` layer, saved with it). From then on
      a real image's label is its features' nearest centroid, G draws
      uniform clusters, and after every step each centroid moves
      `cluster_rate` of the way to the mean of the batch's features nearest
      to it (mini-batch k-means), so the clusters follow D's features and
      keep their numbers. compare_gan's S2GAN clusters the features of a
      separately pretrained rotation network instead; here D's own trunk,
      trained on the rotation task during the warm-up, is that network.
    - One D call per loss: [real, real turned, fake, fake turned] in D's
      step, [fake, fake turned] in G's; the adversarial losses use the
      upright rows only.
    - `classify` export: D's class probabilities (s3), or soft assignments
      to the clusters (s2: softmax of minus the squared distances).

    Reference: Lucic, Tschannen, Ritter, Zhai, Bachem & Gelly 2019,
    "High-Fidelity Image Generation With Fewer Labels", arXiv:1903.02271;
    Chen, Zhai, Ritter, Lucic & Houlsby 2019, "Self-Supervised GANs via
    Auxiliary Rotation Loss", arXiv:1811.11212.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        num_classes: int. K: the classes (s3) or clusters (s2).
        variant: str. "s3" (a class head trained on the labelled images) or
            "s2" (k-means on D's features; no labels).
        rotation_every: int. One image in this many of each batch is also
            shown turned (4: a quarter, each in 4 turns; keep each
            replica's batch a multiple of it).
        rotation_weight_d: float. Weight of the real rotation loss in D's loss.
        rotation_weight_g: float. Weight of the generated rotation loss in G's loss.
        class_weight: float. Weight of the class head's loss in D's loss (s3).
        label_threshold: float. s3: an unlabelled real image gets the class
            head's guess as its projection label only where the head gives
            that class at least this probability; below it, no projection
            term (label -1). 0: always the guess (compare_gan's S3GAN).
        cluster_start: int. s2: steps of warm-up before k-means runs (>= 1).
        cluster_bank: int. s2: rows of real features k-means runs on (the
            last batches'; the first step fills it with copies of its batch).
        cluster_rate: float. s2: how far a centroid moves towards its
            points' mean after each step (0: never after k-means).
        cluster_iterations: int. s2: Lloyd rounds of the k-means.
        **kwargs: passed to `keras_gans.models.biggan.BigGAN` (`g_width`,
            `d_width`, `shared_dim`, `attention_resolution`, `n_critic`,
            `ema`, `ema_start`, `orthogonal_weight`, ...).

    Example:
    ```python
    model = keras_gans.get("s3gan")  # variant="s3"
    model.compile()
    ds = keras_gans.data.load("digits", labels=True, labelled=100, labelled_per_batch=16)
    model.fit(ds, epochs=30)
    sevens = model.sample(8, seed=0, labels=7)
    probs = model.classify(images)  # D's class head, [N, 10]
    ```
    """

    default_epochs = 18  # about 950 steps of 32 labelled + 32 unlabelled digits
    #: Labelled images in each batch of `--labelled N` data (half of 64: the
    #: class head learns from them, the rest get its labels).
    labelled_per_batch = 32
    metric_names = BigGAN.metric_names + S3GAN_METRICS
    argument_rules = {
        "variant": ("s2", "s3"),
        "rotation_every": "positive",
        "cluster_bank": "positive",
        "cluster_iterations": "positive",
    }

    def __init__(self, image_shape=(32, 32, 1), latent_dim=120, num_classes=10, variant="s3",
                 rotation_every=4, rotation_weight_d=1.0, rotation_weight_g=0.2,
                 class_weight=1.0, label_threshold=0.0,
                 cluster_start=1000, cluster_bank=1024, cluster_rate=0.05, cluster_iterations=20,
                 **kwargs):
        if int(cluster_start) < 1:
            raise ValueError(f"cluster_start must be >= 1 (s2's warm-up steps before k-means); "
                             f"got {cluster_start}.")
        if int(cluster_bank) < int(num_classes):
            raise ValueError(f"cluster_bank must hold at least num_classes={num_classes} rows "
                             f"for k-means; got {cluster_bank}.")
        if not 0.0 <= float(label_threshold) <= 1.0:
            raise ValueError(f"label_threshold is a probability from 0 to 1 (0: always the class "
                             f"head's argmax); got {label_threshold!r}.")
        # Read by build_discriminator, which BigGAN's constructor calls.
        vars(self)["variant"] = variant
        vars(self)["label_threshold"] = float(label_threshold)
        super().__init__(image_shape, latent_dim, num_classes, **kwargs)
        self.rotation_every = int(rotation_every)
        self.rotation_weight_d = float(rotation_weight_d)
        self.rotation_weight_g = float(rotation_weight_g)
        self.class_weight = float(class_weight)
        self.cluster_start = int(cluster_start)
        self.cluster_bank = int(cluster_bank)
        self.cluster_rate = float(cluster_rate)
        self.cluster_iterations = int(cluster_iterations)
        outputs = getattr(self.discriminator, "output", None)
        missing = {"logits", "rotation", "classes", "features"} - set(
            outputs if isinstance(outputs, dict) else ())
        if missing:
            raise ValueError(
                "S3GAN's D takes [images, labels] and returns a dict with 'logits', 'rotation', "
                f"'classes' and 'features'; this one lacks {sorted(missing)}: build it with "
                "keras_gans.networks.s3gan.s3gan_discriminator(trunk, num_classes, variant).")
        if variant == "s2":
            self.centroid_layer()  # a clear error now for a D without centroids
            features = int(self.discriminator.output["features"].shape[-1])
            self.cluster_bank_features = self.add_weight(
                shape=(self.cluster_bank, features), initializer="zeros", trainable=False,
                aggregation="mean", name="cluster_bank")

    def build_discriminator(self, d_width, attention_resolution, d_extra_blocks,
                            power_iterations):
        """BigGAN's trunk (`biggan_discriminator_features`) with S3GAN's heads
        (`keras_gans.networks.s3gan.s3gan_discriminator`)."""
        trunk = biggan_discriminator_features(self.image_shape, d_width, attention_resolution,
                                              d_extra_blocks, power_iterations=power_iterations)
        return s3gan_discriminator(trunk, self.num_classes, self.variant,
                                   power_iterations=power_iterations,
                                   label_threshold=self.label_threshold)

    def generator_regularization(self):
        """BigGAN's orthogonal penalty of G's kernels (beta `orthogonal_weight`)."""
        if self.orthogonal_weight <= 0:
            return 0.0
        return orthogonal_regularization(self.orthogonal_kernels(), self.orthogonal_weight)

    def classifier_logits(self, images, training=False):
        """D's class head (s3) or minus the squared distances to the centroids (s2)."""
        images = ops.convert_to_tensor(images, "float32")
        unlabelled = -ops.ones((ops.shape(images)[0],), "int32")
        return self.discriminator([images, unlabelled], training=training)["classes"]

    def serving_signatures(self):
        """BigGAN's `serving_default(z, labels, psi)` and `classify` (images -> probabilities)."""
        signatures = super().serving_signatures()
        signatures["classify"] = self.classify_signature()
        return signatures
