"""StyleGAN (Karras, Laine & Aila 2019, arXiv:1812.04948) and StyleGAN2
(Karras et al. 2020, arXiv:1912.04958), as one model with `version=1|2`."""

import math

import numpy as np
import tensorflow as tf

import keras
from keras import ops

from keras_gans.cross_replica import global_mean
from keras_gans.losses.penalties import path_length_gradients, path_length_penalty, r1_penalty
from keras_gans.models.base import GAN, Step, network_io_shapes
from keras_gans.networks.common import check_model_image_shape
from keras_gans.networks.stylegan import (
    LatentAverage,
    mapping_network,
    stylegan_discriminator,
    synthesis_layout,
    synthesis_network,
)
from keras_gans.registry import register_model

#: The half-life of StyleGAN2's EMA of G, in images (ema_kimg = 10).
EMA_HALF_LIFE_IMAGES = 10_000
#: The batch size the default EMA decay is converted at (the model's
#: `default_batch_size`): decay = 0.5 ** (16 / 10,000) = 0.99889 per step.
EMA_BATCH = 16
#: StyleGAN2's EMA of G per train step at a batch of `EMA_BATCH`.
EMA_DECAY = 0.5 ** (EMA_BATCH / EMA_HALF_LIFE_IMAGES)
#: Seed of the fixed noise images sampling and the exports use.
CONST_NOISE_SEED = 0


def latent_average_layer(mapping):
    """The `LatentAverage` layer (holding w_avg) of a mapping network, or None.

    Args:
        mapping: keras.Model. A mapping network.

    Returns:
        `keras_gans.networks.stylegan.LatentAverage` or None.

    Example:
    ```python
    keras_gans.models.stylegan.latent_average_layer(model.mapping).w_avg
    ```
    """
    for layer in mapping._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, LatentAverage):
            return layer
    return None


@register_model(
    "stylegan",
    defaults={"image_shape": (32, 32, 1), "latent_dim": 64, "w_dim": 64, "g_width": 16,
              "d_width": 16, "max_width": 64, "r1_gamma": 0.1},
    # mbstd_group_size 1: minibatch std groups are formed within each
    # replica's rows (as in the official multi-GPU code), so groups of 4 give
    # one and two replicas different groups; group 1 keeps the registry's
    # replica-equality check meaningful for everything else.
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "w_dim": 8, "mapping_layers": 2,
          "g_width": 4, "d_width": 4, "max_width": 8, "mbstd_group_size": 1},
)
class StyleGAN(GAN):
    """StyleGAN (`version=1`) and StyleGAN2 (`version=2`): a mapping network to
    per-layer styles, a learned constant, noise inputs, style mixing, truncation.

    Both versions: z (N(0, I)) is normalised and mapped to w by `mapping`
    (`mapping_layers` equalized dense layers, learning rate x0.01); w is
    broadcast to one style per layer of `synthesis` (`num_ws`), which starts
    from a learned constant and adds a noise image (scaled by a learned
    per-channel strength) after every convolution. In training, a share
    `style_mixing` of the images (0.9) take the styles of a second z from a
    random layer on (per image: layers before the cut-off get w1, the others
    w2). The running mean w_avg of w (decay `w_avg_decay`, 0.995) is a
    non-trainable weight of the mapping network: saved, and copied into its
    EMA. Truncation: w' = w_avg + psi (w - w_avg) on the layers before
    `truncation_cutoff` (all when None).

    - `version=2` (StyleGAN2, config F without growing): modulated,
      demodulated convolutions (the non-fused form: TensorFlow has no grouped
      convolution on CPU), a skip-connection G (a toRGB at every resolution,
      upsampled and summed), a residual D; non-saturating logistic loss; lazy
      regularization as separate steps of the base class: R1 (gamma
      `r1_gamma`) every `r1_every` = 16 steps on D's optimizer and path
      length (weight 2, decay 0.01, on half the batch) every `pl_every` = 4
      steps on G's, each loss multiplied by its interval; the base corrects
      each optimizer at compile (lr * c, beta ** c, c = k / (k + 1)). Adam
      (0.0025, 0, 0.99, eps 1e-8). The running mean of path lengths `pl_mean`
      is a saved variable.
    - `version=1` (StyleGAN): AdaIN after every convolution (and after the
      constant), one toRGB at the image side (a fixed resolution, no
      progressive growing), ProGAN's D (no residuals); non-saturating loss
      with R1 (gamma `r1_gamma`) in every D step; Adam(0.001, 0, 0.99).

    Both: G's EMA (`ema`) with StyleGAN2's 10k-image half-life and its ramp-up
    (`ema_rampup` 0.05): `ema` = 0.5 ** (16 / 10000) = 0.99889 per step at
    the default batch of 16 (another batch size b has the same half-life in
    images with 0.5 ** (b / 10000)).

    Sampling, `generate` and the exports use fixed noise images (drawn once
    from seed 0 and saved with the model: StyleGAN2-ADA's `noise_mode=
    'const'`), so a z gives the same image in every runtime; training draws
    fresh noise from the model's seed.

    Exports: `serving_default` (z, psi) -> images, `mapping` (z, psi) -> ws
    (the truncated styles `[N, num_ws, w_dim]`) and `synthesis` ws -> images.
    psi is one number per row; a sampler of a saved file passes 1.0 when the
    caller gives none (the file's metadata says `input_defaults`).

    Logged: `d_loss`, `g_loss`, `r1_penalty` (E||grad D(x)||^2 where it ran),
    and for version 2 `pl_penalty` and `pl_mean`.

    References: Karras, Laine & Aila 2019, "A Style-Based Generator
    Architecture for Generative Adversarial Networks", arXiv:1812.04948;
    Karras et al. 2020, "Analyzing and Improving the Image Quality of
    StyleGAN", arXiv:1912.04958.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        version: int. 1 (StyleGAN) or 2 (StyleGAN2).
        w_dim: int. Size of w.
        mapping_layers: int. Dense layers of the mapping network (8).
        mapping_lr_multiplier: float. Learning-rate multiplier of the mapping (0.01).
        g_width: int. Channels of G's last resolution; each halving doubles them.
        d_width: int. Channels of D's first resolution; each halving doubles them.
        max_width: int. The most channels of any resolution of G and D.
        style_mixing: float. Share of training images with two styles (0.9).
        truncation_cutoff: int or None. Truncate only the layers before this
            one (StyleGAN's figures: 8); None: every layer.
        w_avg_decay: float. Decay of the running mean of w per step (0.995).
        r1_gamma: float. R1 weight gamma (the penalty is gamma / 2 * E||grad||^2).
        r1_every: int or None. Train steps between R1 updates (lazy; None:
            16 for version 2, 1 for version 1, where R1 joins D's loss).
        pl_weight: float or None. Path-length weight (None: 2 for version 2,
            0 for version 1).
        pl_decay: float. Rate of the running mean of path lengths (0.01).
        pl_every: int. Train steps between path-length updates (4).
        pl_batch_shrink: int. The path-length step runs on batch / this (2).
        mbstd_group_size: int. D's minibatch standard deviation group (4).
        ema: float or None. Decay per step of G's EMA.
        ema_rampup: float or None. The EMA's ramp-up (see `GenerativeModel`).
        **kwargs: passed to `keras_gans.models.GAN` (`loss`, `seed`,
            `augment`, ...) and the players `mapping` (z -> w), `synthesis`
            ([ws, noise_0, ...] -> images) and `discriminator`.

    Example:
    ```python
    model = keras_gans.get("stylegan")          # version 2
    model.compile()                              # Adam(0.0025, 0, 0.99), lazily corrected
    model.fit(keras_gans.data.load("digits", image_size=32), epochs=1)
    images = model.sample(16, seed=0, psi=0.7)   # truncated towards w_avg
    ```
    """

    default_epochs = 20
    #: Batch 16: on digits, 10 minutes of steps of 16 draw all ten digits where
    #: steps of 64 drew nine; docs/MODEL_NOTES.md#stylegan.
    default_batch_size = EMA_BATCH
    player_names = ("mapping", "synthesis", "discriminator")
    ema_players = ("mapping", "synthesis")
    takes_augment = True

    argument_rules = {
        "version": "positive",
        "style_mixing": "rate",
        "truncation_cutoff": (int, "positive"),
        "w_avg_decay": "decay",
        "r1_gamma": "non_negative",
        "r1_every": (int, "positive"),
        "pl_weight": (float, "non_negative"),
        "pl_decay": "rate",
        "pl_every": "positive",
        "pl_batch_shrink": "positive",
        "mapping_lr_multiplier": "positive",
    }

    def __init__(self, image_shape=(32, 32, 1), latent_dim=128, version=2, w_dim=128,
                 mapping_layers=8, mapping_lr_multiplier=0.01, g_width=32, d_width=32,
                 max_width=128, style_mixing=0.9, truncation_cutoff=None, w_avg_decay=0.995,
                 r1_gamma=1.0, r1_every=None, pl_weight=None, pl_decay=0.01, pl_every=4,
                 pl_batch_shrink=2, mbstd_group_size=4, ema=EMA_DECAY, ema_rampup=0.05, **kwargs):
        version = int(version)
        if version not in (1, 2):
            raise ValueError(f"version must be 1 (StyleGAN) or 2 (StyleGAN2); got {version!r}.")
        shape = check_model_image_shape(image_shape, self.image_sizes)
        r1_every = int(r1_every if r1_every is not None else (16 if version == 2 else 1))
        pl_weight = float(pl_weight if pl_weight is not None else (2.0 if version == 2 else 0.0))
        names = ["d_loss", "g_loss"]
        if float(r1_gamma) > 0:
            names.append("r1_penalty")
        if pl_weight > 0:
            names += ["pl_penalty", "pl_mean"]
        vars(self)["metric_names"] = tuple(names)  # before GAN.__init__ makes the trackers
        super().__init__(shape, latent_dim, ema=ema, ema_rampup=ema_rampup, **kwargs)
        self.version = version
        self.r1_gamma = float(r1_gamma)
        self.r1_every = r1_every
        self.pl_weight = pl_weight
        self.pl_decay = float(pl_decay)
        self.pl_every = int(pl_every)
        self.pl_batch_shrink = int(pl_batch_shrink)
        self.w_dim = int(w_dim)
        self.style_mixing = float(style_mixing)
        self.w_avg_decay = float(w_avg_decay)
        self.num_ws, self.noise_sides = synthesis_layout(shape[0], version)
        self.truncation_cutoff = (self.num_ws if truncation_cutoff is None
                                  else int(truncation_cutoff))
        given = self._given_players.get("mapping")
        if given is not None and latent_average_layer(given) is None:
            self._given_players["mapping"] = self._with_latent_average(given)
        self.set_players(
            mapping=lambda: mapping_network(self.latent_dim, self.w_dim, mapping_layers,
                                            mapping_lr_multiplier),
            synthesis=lambda: synthesis_network(shape, self.w_dim, version, g_width,
                                                max_width),
            discriminator=lambda: stylegan_discriminator(shape, d_width, max_width,
                                                         residual=version == 2,
                                                         mbstd_group=mbstd_group_size),
        )
        # The running mean of path lengths (saved; every replica assigns the
        # same global value) and the fixed noise images of sampling.
        self.pl_mean = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                       aggregation="mean", name="pl_mean")
        rng = np.random.default_rng(CONST_NOISE_SEED)
        vars(self)["const_noise"] = []  # the variables are the model's; the list is untracked
        for i, s in enumerate(self.noise_sides):
            v = self.add_weight(shape=(s, s, 1), initializer="zeros", trainable=False,
                                aggregation="mean", name=f"noise_const_{i}")
            v.assign(rng.standard_normal((s, s, 1)).astype("float32"))
            self.const_noise.append(v)

    # ------------------------------------------------------------------ wiring

    @staticmethod
    def _with_latent_average(mapping):
        """The user's mapping network z -> w followed by a `LatentAverage`."""
        ins, outs = network_io_shapes(mapping)
        if ins is None or len(ins) != 1 or len(outs) != 1:
            raise ValueError(
                "mapping must be a functional keras.Model z [N, latent_dim] -> w [N, w_dim] "
                "(or one with a keras_gans.networks.stylegan.LatentAverage layer holding w_avg).")
        z = keras.Input(ins[0], name="z")
        w = LatentAverage(name="w_avg", dtype="float32")(mapping(z))
        return keras.Model(z, w, name=mapping.name)

    def check_players(self):
        """Given networks must fit: mapping z -> w, synthesis [ws, noise...] ->
        images, discriminator images -> one logit."""
        want = {
            "mapping": ([(self.latent_dim,)], [(self.w_dim,)]),
            "synthesis": ([(self.num_ws, self.w_dim)] + [(s, s, 1) for s in self.noise_sides],
                          [self.image_shape]),
            "discriminator": ([self.image_shape], [(1,)]),
        }
        for name, net in self._given_players.items():
            ins, outs = network_io_shapes(net)
            if ins is None:
                continue
            got = ([tuple(i) for i in ins], [tuple(o) for o in outs])
            if got != want[name]:
                raise ValueError(
                    f"{name} maps {got[0]} -> {got[1]}; this StyleGAN (version "
                    f"{self.version}, {self.image_shape[0]} px, latent_dim {self.latent_dim}, "
                    f"w_dim {self.w_dim}) needs {want[name][0]} -> {want[name][1]}.")

    def generator_step_networks(self):
        return [self.mapping, self.synthesis]

    def w_avg_variable(self, name="mapping"):
        """The w_avg variable of the mapping network `name` ("mapping" or "ema_mapping")."""
        return latent_average_layer(getattr(self, name)).w_avg

    @property
    def w_avg(self):
        """The running mean of w that truncation uses (the sampling mapping's), numpy."""
        return ops.convert_to_numpy(latent_average_layer(self.sampling_network("mapping")).w_avg)

    # ------------------------------------------------------------------ styles

    def broadcast(self, w):
        """w `[N, w_dim]` -> ws `[N, num_ws, w_dim]` (the same style for every layer)."""
        return ops.repeat(ops.cast(w, "float32")[:, None, :], self.num_ws, axis=1)

    def layer_mask(self, cutoff):
        """bool `[N, num_ws, 1]` (or `[1, num_ws, 1]`): layer index < cutoff
        (an int, or int per row `[N]`)."""
        index = ops.arange(self.num_ws, dtype="int32")
        cutoff = ops.cast(ops.convert_to_tensor(cutoff), "int32")
        if len(cutoff.shape) == 0:
            return (index < cutoff)[None, :, None]
        return (index[None, :] < cutoff[:, None])[:, :, None]

    def mix_styles(self, w1, w2, cutoff):
        """Style mixing: layers before `cutoff` get w1, the others w2.

        Args:
            w1: tensor `[N, w_dim]` or `[N, num_ws, w_dim]`.
            w2: same.
            cutoff: int, or int `[N]` (one per row); `num_ws`: w1 only.

        Returns:
            float32 `[N, num_ws, w_dim]`.

        Example:
        ```python
        ws = model.mix_styles(model.mapping(z1), model.mapping(z2), 4)
        ```
        """
        w1 = w1 if len(w1.shape) == 3 else self.broadcast(w1)
        w2 = w2 if len(w2.shape) == 3 else self.broadcast(w2)
        return ops.where(self.layer_mask(cutoff), ops.cast(w1, "float32"),
                         ops.cast(w2, "float32"))

    def truncate(self, w, psi=1.0, cutoff=None, mapping=None):
        """The truncation trick: w_avg + psi (w - w_avg) on the layers before
        `cutoff` (`truncation_cutoff` when None), w on the others.

        Args:
            w: tensor `[N, w_dim]` (broadcast to every layer) or `[N, num_ws, w_dim]`.
            psi: float, or float `[N]` (one per row). 1: no truncation; 0: w_avg.
            cutoff: int or None.
            mapping: keras.Model or None. Whose w_avg (the sampling mapping's
                when None).

        Returns:
            float32 `[N, num_ws, w_dim]`.
        """
        ws = w if len(w.shape) == 3 else self.broadcast(w)
        ws = ops.cast(ws, "float32")
        layer = latent_average_layer(mapping if mapping is not None
                                     else self.sampling_network("mapping"))
        avg = ops.convert_to_tensor(layer.w_avg)[None, None, :]
        psi = ops.cast(ops.convert_to_tensor(psi), "float32")
        psi = ops.reshape(psi, (-1, 1, 1)) if len(psi.shape) > 0 else psi
        truncated = avg + psi * (ws - avg)
        cutoff = self.truncation_cutoff if cutoff is None else int(cutoff)
        return ops.where(self.layer_mask(cutoff), truncated, ws)

    def fixed_noise(self, batch):
        """The fixed noise images of sampling, `[batch, s, s, 1]` each."""
        return [ops.broadcast_to(ops.convert_to_tensor(v)[None], (batch, s, s, 1))
                for v, s in zip(self.const_noise, self.noise_sides)]

    def synthesize(self, ws, noise=None, training=False, synthesis=None):
        """Images for per-layer styles `ws` `[N, num_ws, w_dim]`, with the
        fixed noise images when `noise` is None (not clipped)."""
        synthesis = synthesis if synthesis is not None else self.sampling_network("synthesis")
        ws = ops.cast(ws, "float32")
        if noise is None:
            noise = self.fixed_noise(ops.shape(ws)[0])
        return ops.cast(synthesis([ws, *noise], training=training), "float32")

    # --------------------------------------------------------------- training

    def generator_inputs(self, batch_size, real):
        """What one generated batch is made of: z, a second z and two uniforms
        per image for style mixing, and a noise image per noise layer."""
        return {
            "z": self.sample_latent(batch_size),
            "z2": self.sample_latent(batch_size) if self.style_mixing > 0 else None,
            "mixing": self.random_uniform((batch_size, 2)) if self.style_mixing > 0 else None,
            "noise": [self.random_normal((batch_size, s, s, 1)) for s in self.noise_sides],
        }

    def training_styles(self, g_in, training=True):
        """`(w, ws)` of a training batch: the mapping of z, and the per-layer
        styles with mixing: with probability `style_mixing` an image takes the
        second z's w from a layer drawn uniformly in [1, num_ws - 1] on."""
        w = ops.cast(self.mapping(g_in["z"], training=training), "float32")
        if g_in.get("z2") is None:
            return w, self.broadcast(w)
        w2 = self.mapping(g_in["z2"], training=training)
        u = g_in["mixing"]
        cut = 1 + ops.cast(ops.floor(u[:, 1] * (self.num_ws - 1)), "int32")
        cut = ops.minimum(cut, self.num_ws - 1)
        cut = ops.where(u[:, 0] < self.style_mixing, cut, self.num_ws)
        return w, self.mix_styles(w, w2, cut)

    def generate_fakes(self, generator_inputs):
        _, ws = self.training_styles(generator_inputs)
        return self.synthesize(ws, generator_inputs["noise"], training=True,
                               synthesis=self.synthesis)

    def discriminator_loss(self, real, fake):
        """The logistic D loss; with `r1_every` 1 (StyleGAN v1), plus
        gamma / 2 * R1 on the real batch."""
        loss, logs = super().discriminator_loss(real, fake)
        if self.r1_every == 1 and self.r1_gamma > 0:
            penalty = r1_penalty(self.discriminator, real)
            loss = loss + 0.5 * self.r1_gamma * penalty
            logs = dict(logs, r1_penalty=penalty)
        return loss, logs

    def generator_loss(self, real, g_in):
        """The non-saturating G loss; updates w_avg with this batch's mean w."""
        w, ws = self.training_styles(g_in)
        fake = self.synthesize(ws, g_in["noise"], training=True, synthesis=self.synthesis)
        logits = self.discriminator(self.augment_discriminator_inputs(fake), training=True)
        loss = self.g_loss_fn(logits, **self.loss_kwargs(self.g_loss_fn))
        self.update_w_avg(w)
        return loss, {"g_loss": loss}

    def update_w_avg(self, w):
        """w_avg <- mean(w) + decay * (w_avg - mean(w)), the batch mean over
        every replica (so every replica assigns the same value)."""
        variable = self.w_avg_variable()
        mean = global_mean(ops.mean(ops.stop_gradient(ops.cast(w, "float32")), axis=0))
        variable.assign(mean + self.w_avg_decay * (ops.convert_to_tensor(variable) - mean))

    def r1_loss(self, real):
        """Lazy R1: gamma / 2 * E||grad_x D(x)||^2 on the real batch, times `r1_every`."""
        images = ops.cast(self.unpack_images(real), "float32")
        penalty = r1_penalty(
            lambda x, training=True: self.discriminator(self.augment_discriminator_inputs(x),
                                                        training=training), images)
        return 0.5 * self.r1_gamma * self.r1_every * penalty, {"r1_penalty": penalty}

    def path_length_loss(self, real):
        """Lazy path-length regularization on batch / `pl_batch_shrink` new
        images: weight * (||J_w^T y|| - a)^2 times `pl_every`, y ~ N(0, I) /
        sqrt(H W); a (`pl_mean`) moves by `pl_decay` towards the batch's mean length."""
        batch = ops.shape(self.unpack_images(real))[0]
        batch = ops.maximum(batch // self.pl_batch_shrink, 1)
        g_in = self.generator_inputs(batch, real)
        _, ws = self.training_styles(g_in)
        h, w, c = self.image_shape
        y = self.random_normal((batch, h, w, c)) / math.sqrt(h * w)
        grads = path_length_gradients(
            lambda styles, training=True: self.synthesize(styles, g_in["noise"], training,
                                                          synthesis=self.synthesis),
            ws, noise=y)
        penalty, new_mean = path_length_penalty(grads, self.pl_mean, self.pl_decay)
        self.pl_mean.assign(new_mean)
        loss = self.pl_weight * self.pl_every * penalty
        return loss, {"pl_penalty": penalty, "pl_mean": new_mean}

    def build_steps(self):
        """D's logistic loss; lazy R1 (`r1_every` > 1); lazy path length
        (`pl_weight` > 0); G's loss, then the EMA."""
        steps = [Step("discriminator", trains="discriminator", loss="discriminator_step_loss",
                      optimizer="d")]
        if self.r1_gamma > 0 and self.r1_every > 1:
            steps.append(Step("r1", trains="discriminator", loss="r1_loss", optimizer="d",
                              every=self.r1_every))
        if self.pl_weight > 0:
            steps.append(Step("path_length", trains="generator_step_networks",
                              loss="path_length_loss", optimizer="g", every=self.pl_every))
        steps.append(Step("generator", trains="generator_step_networks",
                          loss="generator_step_loss", optimizer="g", after="update_ema"))
        return steps

    def paper_optimizers(self):
        """Adam(0.0025, 0, 0.99) for StyleGAN2, Adam(0.001, 0, 0.99) for
        StyleGAN (epsilon 1e-8); the base then corrects a lazy step's optimizer."""
        lr = 0.0025 if self.version == 2 else 0.001

        def adam():
            return keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.99, epsilon=1e-8)

        return adam(), adam()

    # --------------------------------------------------------------- sampling

    def generate(self, z, training=False, psi=1.0):
        """Images in [-1, 1] for latents `z`, truncated with `psi`, with the
        fixed noise images (the EMA networks when `ema` is set).

        Args:
            z: array `[N, latent_dim]`.
            training: bool. Run the networks in training mode.
            psi: float or floats `[N]`. Truncation (1: none).

        Returns:
            float32 tensor `[N, H, W, C]`.
        """
        z = ops.cast(ops.convert_to_tensor(z), "float32")
        w = self.sampling_network("mapping")(z, training=training)
        images = self.synthesize(self.truncate(w, psi), training=training)
        return ops.clip(images, -1.0, 1.0)

    def sample(self, num, seed=None, batch_size=256, psi=1.0):
        """`num` images in [-1, 1] from z drawn with `seed`, truncated with `psi`.

        Example:
        ```python
        images = keras_gans.get("stylegan").sample(16, seed=0, psi=0.7)
        ```
        """
        from keras_gans.models.base import batched

        z = np.random.default_rng(seed).standard_normal((int(num), self.latent_dim))
        return batched(lambda zb: self.generate(zb, psi=psi), [z.astype("float32")],
                       batch_size, self.image_shape)

    def call(self, inputs, training=False):
        w = self.mapping(inputs, training=training)
        return ops.clip(self.synthesize(self.broadcast(w), training=training,
                                        synthesis=self.synthesis), -1.0, 1.0)

    # --------------------------------------------------------------- serving

    def serving_signatures(self):
        """`serving_default`: z `[None, latent_dim]` and psi `[None]` ->
        `{"images"}`; `mapping`: z, psi -> `{"ws": [None, num_ws, w_dim]}`
        (truncated); `synthesis`: ws -> `{"images"}`. Fixed noise images."""
        z = tf.TensorSpec([None, self.latent_dim], tf.float32, name="z")
        psi = tf.TensorSpec([None], tf.float32, name="psi")
        ws = tf.TensorSpec([None, self.num_ws, self.w_dim], tf.float32, name="ws")

        def serving_default(z, psi):
            return {"images": self.generate(z, psi=psi)}

        def mapping(z, psi):
            return {"ws": self.truncate(self.sampling_network("mapping")(z), psi)}

        def synthesis(ws):
            return {"images": ops.clip(self.synthesize(ws), -1.0, 1.0)}

        return {"serving_default": (serving_default, [z, psi]),
                "mapping": (mapping, [z, psi]),
                "synthesis": (synthesis, [ws])}

    def export_metadata(self):
        """What samplers of the exports need: psi defaults to 1.0 when not given."""
        return {"input_defaults": {"psi": 1.0}, "version": self.version,
                "num_ws": self.num_ws, "w_dim": self.w_dim}
