"""ProGAN (Karras, Aila, Laine & Lehtinen 2017, arXiv:1710.10196)."""

import keras
from keras import ops

from keras_gans.cross_replica import replicas_in_sync
from keras_gans.losses import (
    drift_penalty,
    gradient_penalty,
    wasserstein_discriminator_loss,
    wasserstein_generator_loss,
)
from keras_gans.models.base import GAN, network_io_shapes
from keras_gans.networks.common import check_model_image_shape
from keras_gans.networks.progan import (
    progan_discriminator,
    progan_generator,
    stage_resolutions,
)
from keras_gans.registry import register_model


def schedule(images, stable_images, fade_images, num_stages):
    """The stage and fade-in alpha after `images` real images, as in the paper.

    The first stage (4x4) trains for `stable_images`; then each new stage
    fades in over `fade_images` (alpha from 0 to 1) and is trained stable for
    `stable_images`; the last stage stays at alpha 1 once faded in. (The
    paper: 600k + 600k images per resolution; its code's `TrainingSchedule`.)
    A pure function of the count: with P = stable + fade, phase k = images // P
    and r = images - k P, the stage is k (alpha 1) while r < stable, then
    k + 1 with alpha (r - stable) / fade; capped at the last stage, alpha 1.

    Args:
        images: int or integer tensor. Real images seen before the step.
        stable_images: int. Images per stable phase (>= 0).
        fade_images: int. Images per fade-in (> 0).
        num_stages: int. Stages (4, 8, 16, 32: 4).

    Returns:
        `(stage, alpha)`: int32 and float32 tensors. Stage 0 is the coarsest.

    Example:
    ```python
    stage, alpha = keras_gans.models.progan.schedule(900, 600, 600, 4)  # 1, 0.5
    ```
    """
    if int(fade_images) < 1 or int(stable_images) < 0:
        raise ValueError(f"fade_images must be positive and stable_images non-negative; got "
                         f"{fade_images} and {stable_images}.")
    images = ops.cast(images, "int64")
    stable, fade = int(stable_images), int(fade_images)
    phase = ops.floor_divide(images, stable + fade)
    within = images - phase * (stable + fade)
    fading = ops.greater_equal(within, stable)
    stage = phase + ops.cast(fading, "int64")
    alpha = ops.where(fading, ops.cast(within - stable, "float32") / float(fade), 1.0)
    last = int(num_stages) - 1
    done = ops.greater(stage, last)
    stage = ops.where(done, last, stage)
    alpha = ops.where(done, 1.0, alpha)
    return ops.cast(stage, "int32"), ops.cast(alpha, "float32")


def level_of_detail(stage, alpha, num_stages):
    """The official code's `lod`: how many halvings below the full size the
    networks work at: `L - stage + 1 - alpha` (L = num_stages - 1); 0 at the
    full size, fractional while a stage fades in.

    Args:
        stage: int or tensor. The stage (0 is the coarsest).
        alpha: float or tensor. Its fade-in, in [0, 1].
        num_stages: int. Stages.

    Returns:
        float32 tensor.

    Example:
    ```python
    keras_gans.models.progan.level_of_detail(1, 0.5, 4)  # 2.5
    ```
    """
    return (float(int(num_stages) - 1) - ops.cast(stage, "float32")
            + 1.0 - ops.cast(alpha, "float32"))


def upsample_nearest(images, factor=2):
    """Nearest-neighbour upsampling of `[N, H, W, C]` by `factor`."""
    return ops.repeat(ops.repeat(images, factor, axis=1), factor, axis=2)


def downsample_average(images):
    """2x2 average pooling of `[N, 2H, 2W, C]`."""
    return ops.average_pool(images, pool_size=2, strides=2, padding="valid")


def image_pyramid(images, num_stages):
    """`images` average-pooled to every stage's side, coarsest first (the
    last entry is `images` itself)."""
    levels = [ops.cast(images, "float32")]
    for _ in range(int(num_stages) - 1):
        levels.insert(0, downsample_average(levels[0]))
    return levels


def blend_levels(levels, lod):
    """The full-size image of one level of detail from images of every stage.

    From the coarsest: upsample (nearest) and blend with the next stage's
    image by t = clip(lod - (L - k), 0, 1): the stage's own image at t = 0,
    the upsampled coarser one at t = 1. At stage s and alpha that is
    `up(lerp(up(levels[s - 1]), levels[s], alpha))` to the full size; at lod 0
    the finest level exactly. Used for G's outputs and for the real images
    (average pooling, then the fade, then nearest upsampling: the paper's
    real-image processing).

    Args:
        levels: list of tensors `[N, r_k, r_k, C]`, coarsest first, each side
            twice the previous.
        lod: float or scalar tensor. The level of detail (`level_of_detail`).

    Returns:
        float32 tensor `[N, r_L, r_L, C]`.

    Example:
    ```python
    full = keras_gans.models.progan.blend_levels(g(z), 2.5)  # 8x8 fading in, up to 32x32
    ```
    """
    last = len(levels) - 1
    lod = ops.cast(lod, "float32")
    images = ops.cast(levels[0], "float32")
    for k in range(1, last + 1):
        images = upsample_nearest(images)
        t = ops.clip(lod - float(last - k), 0.0, 1.0)
        images = ops.cast(levels[k], "float32") * (1.0 - t) + images * t
    return images


@keras.saving.register_keras_serializable(package="keras_gans")
class LastValue(keras.metrics.Metric):
    """A metric whose result is the last value given (a schedule's state at
    the end of an epoch, not its mean over the epoch).

    It keeps `total` (the value) and `count` (1 once updated) and returns
    total / count, so that under `tf.distribute`, where a metric's variables
    are summed over the replicas, equal values on every replica read back as
    that value (Mean's form).

    Args:
        name: str. The metric's name.
        **kwargs: `keras.metrics.Metric` arguments.

    Example:
    ```python
    m = keras_gans.models.progan.LastValue(name="stage")
    m.update_state(1.0)
    m.update_state(2.0)
    m.result()  # 2.0
    ```
    """

    def __init__(self, name="last_value", **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, value, sample_weight=None):
        value = ops.cast(value, "float32")
        if sample_weight is None:
            self.total.assign(value)
            self.count.assign(1.0)
            return
        keep = ops.cast(sample_weight, "float32") > 0
        self.total.assign(ops.where(keep, value, self.total))
        self.count.assign(ops.where(keep, 1.0, self.count))

    def result(self):
        return ops.divide_no_nan(ops.convert_to_tensor(self.total),
                                 ops.convert_to_tensor(self.count))

    def reset_state(self):
        self.total.assign(0.0)
        self.count.assign(0.0)


@register_model(
    "progan",
    defaults={"image_shape": (32, 32, 1), "latent_dim": 128, "g_width": 8, "d_width": 8,
              "max_width": 64, "stable_images": 3_200, "fade_images": 3_200,
              "ema": 0.999, "ema_rampup": 0.05},
    # mbstd_group_size 1: the minibatch std groups are formed within each
    # replica's rows (as in the paper's multi-GPU code), so groups of 4 give
    # one and two replicas different groups; group 1 keeps the registry's
    # replica-equality check meaningful for everything else.
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4,
          "max_width": 8, "stable_images": 8, "fade_images": 8, "mbstd_group_size": 1},
)
class ProGAN(GAN):
    """ProGAN: grows G and D from 4x4 to the full size in one graph; WGAN-GP + drift.

    Every stage's block is built at the start (`keras_gans.networks.progan`):
    G gives an image per stage (toRGB after each block) and D takes the
    full-size image with the level of detail `lod`, through fromRGB at every
    stage and `Fade` layers. Which stage trains, and how far the newest one
    has faded in, is a pure function of the images seen (`schedule`), read
    inside the train step from the saved `step_counter`: a run never rebuilds
    or recompiles, the one traced train function runs through every stage,
    and a killed run resumes mid-fade where it was.

    Design (and why):
    - Images seen before a train step are `step_counter * B`, with B the
      global batch read from the step's data tensor (this replica's rows times
      `num_replicas_in_sync`), so the phases are given in images as in the
      paper (`stable_images`, `fade_images`) and the schedule is exact for any
      batch size, provided every batch has the same size (`keras_gans.data.load`
      drops the short last batch; a dataset that keeps it counts it as full).
    - At lod (`level_of_detail(stage, alpha)`), G's output is its stage images
      blended coarse to fine (`blend_levels`: nearest upsampling, lerp by
      alpha while a stage fades in, then nearest upsampling to the full size);
      the real images are average-pooled to every stage and blended the same
      way. D sees both at the full size with the same lod. Blocks finer than
      the stage are computed but weighted 0 (zero gradient): the official
      code's "linear" structure.
    - Losses: WGAN-GP (lambda `gp_weight` 10, interpolates with a per-image
      uniform weight from the model's seed) plus drift `drift_weight` 0.001
      * E[D(real)^2]; G minimizes -E[D(G(z))]. One D and one G update per
      step. Adam(1e-3, beta_1 0, beta_2 0.99, epsilon 1e-8) for both.
    - EMA of G (the preset's `ema` 0.999, as the paper; `ema_rampup` 0.05
      so that a short run's average is not mostly its first weights).
      Sampling, `generate`, the `.keras` model's call and the exports serve
      the full size (the last stage at alpha 1: G's last output, clipped to
      [-1, 1]), whatever the schedule;
      progress grids (`preview`) show the stage of the last train step
      (`lod`, a saved copy of the last step's level of detail).
    - The digits preset: widths 64, 32, 16, 8 (4x4 to 32x32), z of 128,
      3,200 images per phase (200 steps of the default batch of 16: the
      schedule reaches 32x32 at alpha 1 after 22,400 images, 12.5 of the 28
      epochs), so that `keras-gans train progan` ends within 10 minutes on
      2 CPU cores. Every step costs the same at every stage (the linear
      structure), so the short early phases leave more steps at the full size.
    - Logged: `d_loss`, `g_loss`, `gradient_penalty`, `wasserstein`
      (E[D(real)] - E[D(fake)]), `drift`, and `stage` and `alpha` of the
      last step (not means over the epoch).

    Reference: Karras, Aila, Laine & Lehtinen 2017, "Progressive Growing of
    GANs for Improved Quality, Stability, and Variation", arXiv:1710.10196.

    Args:
        image_shape: tuple. (H, W, C); the side a base of 3 to 7 (4 for
            powers of two) times a power of two: 32 px grows 4, 8, 16, 32.
        latent_dim: int. Size of z (512 in the paper).
        g_width: int. G's filters at the full size, doubled per coarser stage.
        d_width: int. D's filters at the full size, doubled per coarser stage.
        max_width: int. The most filters of any stage (512 in the paper).
        stable_images: int. Real images per stable phase (600,000 in the paper).
        fade_images: int. Real images per fade-in (600,000 in the paper).
        gp_weight: float. The gradient penalty's lambda.
        drift_weight: float. The drift term's epsilon.
        mbstd_group_size: int. Minibatch standard deviation group (4).
        **kwargs: passed to `keras_gans.models.GAN` (`seed`, `ema`,
            `ema_rampup`, ...; the preset sets ema 0.999 as the paper), and
            the players `generator` (z -> a list of one image per stage,
            coarsest first) and `discriminator` ([images, lod] -> logits).

    Example:
    ```python
    model = keras_gans.get("progan")  # digits: 4 -> 8 -> 16 -> 32
    model.compile()  # Adam(1e-3, 0, 0.99) for G and D, as in the paper
    model.fit(keras_gans.data.load("digits", image_size=32, batch_size=16), epochs=40)
    images = model.sample(16, seed=0)  # full size, EMA of G
    ```
    """

    # 40: at 28 epochs seed 0 drew 9/10 digits by the SVC judge (FID 59.5,
    # benchmarks/quality.py); at 40, 10/10 by both judges, FID 45.0.
    default_epochs = 40
    #: The paper's minibatch at the higher resolutions; on a CPU a step of 16
    #: costs about a third of a step of 64, and a GAN needs steps.
    default_batch_size = 16
    metric_names = ("d_loss", "g_loss", "gradient_penalty", "wasserstein", "drift", "stage",
                    "alpha")
    argument_rules = {
        "stable_images": "non_negative",
        "fade_images": "positive",
        "max_width": "positive",
        "mbstd_group_size": "positive",
    }

    def __init__(self, image_shape=(32, 32, 1), latent_dim=512, g_width=128, d_width=128,
                 max_width=512, stable_images=600_000, fade_images=600_000, gp_weight=10.0,
                 drift_weight=0.001, mbstd_group_size=4, **kwargs):
        shape = check_model_image_shape(image_shape, self.image_sizes)
        super().__init__(shape, latent_dim, loss="wasserstein", **kwargs)
        self.sizes = tuple(stage_resolutions(shape[0]))
        self.num_stages = len(self.sizes)
        self.stable_images = int(stable_images)
        self.fade_images = int(fade_images)
        schedule(0, self.stable_images, self.fade_images, self.num_stages)  # checks them
        self.gp_weight = float(gp_weight)
        self.drift_weight = float(drift_weight)
        for name in ("stage", "alpha"):
            self.trackers[name] = LastValue(name=name)
        # The level of detail of the last train step, for progress grids only
        # (training computes it from step_counter); saved with the model.
        self.lod = self.add_weight(
            shape=(), initializer=keras.initializers.Constant(float(self.num_stages - 1)),
            trainable=False, aggregation="mean", name="lod")
        self.set_networks(
            lambda: progan_generator(shape, self.latent_dim, g_width, max_width),
            lambda: progan_discriminator(shape, d_width, max_width, mbstd_group_size))
        # Not tracked (the same layers and weights as G and its EMA): the
        # full-size sampler z -> G's last output, clipped.
        vars(self)["_full_size"] = self.full_size_network(self.generator)
        vars(self)["_sampling_full_size"] = (
            vars(self)["_full_size"] if self.ema_decay is None
            else self.full_size_network(GAN.sampling_network(self, "generator")))

    # ------------------------------------------------------------------ wiring

    @classmethod
    def refused_arguments(cls):
        refused = super().refused_arguments()
        why = ("ProGAN's loss is WGAN-GP with the drift term: set gp_weight and drift_weight.")
        refused.update(loss=why, loss_args=why)
        return refused

    def check_players(self):
        """A given G must map z to one image per stage and D take [images, lod]."""
        levels = [(s, s, self.image_shape[-1]) for s in self.sizes]
        for name, net in self._given_players.items():
            ins, outs = network_io_shapes(net)
            if ins is None:
                continue
            got = ([tuple(i) for i in ins], [tuple(o) for o in outs])
            if name == "generator":
                want, what = ([(self.latent_dim,)], levels), "z -> one image per stage"
            else:
                want, what = ([self.image_shape, (1,)], [(1,)]), "[images, lod] -> logits"
            if got != want:
                raise ValueError(
                    f"{name} maps {got[0]} -> {got[1]}; this ProGAN (stages {list(self.sizes)}) "
                    f"needs {want[0]} -> {want[1]} ({what}).")

    def full_size_network(self, generator):
        """The sampler of `generator`: z -> its last (full-size) output,
        clipped to [-1, 1] (the last stage at alpha 1)."""
        z = keras.Input((self.latent_dim,), name="z")
        images = generator(z)[-1]
        return keras.Model(z, ops.clip(ops.cast(images, "float32"), -1.0, 1.0),
                           name="progan_full_size")

    # --------------------------------------------------------------- schedule

    def images_seen(self, images):
        """Real images seen before this train step: step_counter * global batch
        (`images` is this replica's batch)."""
        batch = ops.cast(ops.shape(images)[0], "int64") * replicas_in_sync()
        return ops.cast(self.step_counter, "int64") * batch

    def stage_and_alpha(self, images):
        """`(stage, alpha)` of this train step (`schedule` of `images_seen`)."""
        return schedule(self.images_seen(images), self.stable_images, self.fade_images,
                        self.num_stages)

    def step_level(self, images):
        """This train step's level of detail (from `step_counter`)."""
        stage, alpha = self.stage_and_alpha(images)
        return level_of_detail(stage, alpha, self.num_stages)

    def real_at_level(self, images, lod):
        """Real images as D sees them at `lod`: average-pooled to the stage,
        faded, upsampled (nearest) to the full size."""
        return blend_levels(image_pyramid(images, self.num_stages), lod)

    def fakes_at_level(self, z, lod, training=True):
        """G's images at `lod`, at the full size (not clipped)."""
        return blend_levels(self.generator(z, training=training), lod)

    def critic(self, lod, batch):
        """D at `lod`: `critic(images, training=...)` for the losses and the
        gradient penalty."""
        lod_in = ops.ones((batch, 1), "float32") * lod
        return lambda x, training=True: self.discriminator([x, lod_in], training=training)

    # --------------------------------------------------------------- training

    def discriminator_outputs(self, data):
        """D's outputs on the real images at the current level of detail."""
        images = self.unpack_images(data)
        lod = self.step_level(images)
        return self.critic(lod, ops.shape(images)[0])(self.real_at_level(images, lod),
                                                      training=False)

    def discriminator_step_loss(self, real):
        """WGAN-GP + drift at this step's level of detail (no gradient to G)."""
        images = self.unpack_images(real)
        batch = ops.shape(images)[0]
        lod = self.step_level(images)
        real_x = self.real_at_level(images, lod)
        fake = ops.stop_gradient(self.fakes_at_level(self.sample_latent(batch), lod))
        d = self.critic(lod, batch)
        real_logits, fake_logits = d(real_x), d(fake)
        w = wasserstein_discriminator_loss(real_logits, fake_logits)
        mix = self.random_uniform([batch, 1, 1, 1])
        gp = gradient_penalty(d, real_x, fake, alpha=mix)
        drift = drift_penalty(real_logits)
        loss = w + self.gp_weight * gp + self.drift_weight * drift
        return loss, {"d_loss": loss, "gradient_penalty": gp, "wasserstein": -w, "drift": drift}

    def generator_step_loss(self, real):
        """-E[D(G(z))] at this step's level of detail."""
        images = self.unpack_images(real)
        batch = ops.shape(images)[0]
        lod = self.step_level(images)
        fake = self.fakes_at_level(self.sample_latent(batch), lod)
        loss = wasserstein_generator_loss(self.critic(lod, batch)(fake))
        return loss, {"g_loss": loss}

    def after_train_step(self, logs, real):
        """Logs this step's stage and alpha and keeps its lod for previews."""
        images = self.unpack_images(real)
        stage, alpha = self.stage_and_alpha(images)
        self.lod.assign(level_of_detail(stage, alpha, self.num_stages))
        return dict(logs, stage=ops.cast(stage, "float32"), alpha=alpha)

    def paper_optimizers(self):
        """Adam(1e-3, beta_1 0, beta_2 0.99, epsilon 1e-8) for D and G."""
        def adam():
            return keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.0, beta_2=0.99,
                                         epsilon=1e-8)
        return adam(), adam()

    # --------------------------------------------------------------- sampling

    def sampling_network(self, name="generator"):
        """"generator": the full-size sampler (of G's EMA when `ema` is set)."""
        if name == "generator":
            return vars(self)["_sampling_full_size"]
        return super().sampling_network(name)

    def preview(self, z):
        """Progress grids: the images of the last train step's stage and alpha
        (`lod`), at the full size, clipped."""
        levels = GAN.sampling_network(self, "generator")(z)
        return ops.clip(blend_levels(levels, ops.convert_to_tensor(self.lod)), -1.0, 1.0)

    def call(self, inputs, training=False):
        return vars(self)["_full_size"](inputs, training=training)
