"""MSG-GAN (Karnewar & Wang 2020, "MSG-GAN: Multi-Scale Gradients for
Generative Adversarial Networks", CVPR; arXiv:1903.06048)."""

import tensorflow as tf

import keras
from keras import ops

from keras_gans import losses as losses_lib
from keras_gans.losses import gradient_penalty, r1_penalty
from keras_gans.models.base import GAN, _adam, network_io_shapes
from keras_gans.networks.common import check_model_image_shape
from keras_gans.networks.msggan import COMBINES, msggan_discriminator, msggan_generator, scale_sizes
from keras_gans.registry import register_model

#: The gradient penalties `MSGGAN(penalty=...)` takes.
PENALTIES = ("gradient_penalty", "r1")


def average_pool(images):
    """2x2 average pooling, [N, 2H, 2W, C] -> [N, H, W, C]: one scale of a
    real pyramid from the next finer one."""
    return ops.average_pool(images, pool_size=2, strides=2, padding="valid")


def real_pyramid(images, num_scales):
    """The real images at `num_scales` scales, coarsest first: the images,
    then 2x2 average pooling applied again and again.

    Args:
        images: tensor `[N, H, W, C]`. The finest scale.
        num_scales: int. Scales, the images' own included.

    Returns:
        list of float32 tensors, `[N, H / 2^(num_scales-1), ...]` first,
        the images last.

    Example:
    ```python
    x4, x8, x16, x32 = keras_gans.models.msggan.real_pyramid(images, 4)
    ```
    """
    levels = [ops.cast(images, "float32")]
    for _ in range(int(num_scales) - 1):
        levels.insert(0, average_pool(levels[0]))
    return levels


@register_model(
    "msggan",
    defaults={"image_shape": (32, 32, 1), "latent_dim": 64, "g_width": 16, "d_width": 16,
              "max_width": 64},
    # No minibatch std-dev in the tiny config: its groups are per replica by
    # design (ProGAN's code), which the 1-vs-2-replica test would flag.
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4,
          "max_width": 8, "d_minibatch_std": False},
)
class MSGGAN(GAN):
    """MSG-GAN: G gives an image at every scale, and D judges all of them together.

    G's every block ends in a 1x1 convolution (toRGB) to an image of that
    block's size, so one z gives a pyramid of images (4, 8, 16, 32 px for
    32 px images), and D takes every scale, each joined to its activations
    at the matching resolution. Gradients thus reach every block of G from
    D's every depth at once, with no progressive growing: one network pair,
    one phase.

    Design (and why):
    - G: `keras_gans.networks.msggan.msggan_generator` (ProGAN-style:
      equalized learning rate, pixel norm, leaky ReLU; nearest upsampling
      and two 3x3 convolutions per block; toRGB with tanh at every scale).
    - D: `msggan_discriminator`; `d_combine` is MSG-GAN's combine function:
      "simple" (the default, the paper's phi_simple: the scale's image is
      concatenated on the channel axis with D's activations at that
      resolution) or "cat" (phi_cat: its 1x1-convolution features are
      concatenated instead). ProGAN's minibatch standard deviation before
      D's last block (`d_minibatch_std`).
    - The real pyramid is made inside the train step, in the loss methods
      the base class's steps run: 2x2 average pooling of the real batch,
      again and again (`real_pyramid`), so the data pipeline gives plain
      image batches as for every model.
    - Loss: the relativistic average hinge loss (RaHinge; Jolicoeur-Martineau
      2018), the paper's, by default: `loss="relativistic_hinge"` with
      `average=True`; `loss` also takes the other relativistic losses
      ("relativistic", "relativistic_least_squares") and every pair of
      `keras_gans.losses.names()` (e.g. "wasserstein" with
      `penalty="gradient_penalty"`, the paper's WGAN-GP alternative).
    - `penalty`: None, "gradient_penalty" (WGAN-GP on interpolates of the
      real and generated pyramids, the same mixing weight for every scale of
      an example) or "r1" (on the real pyramid), weighted by
      `penalty_weight`. Each differentiates D with respect to every scale it
      takes: the norm is that of the gradient with respect to all the scales
      together (not only the finest, as BMSG-GAN issue 34 found in that
      code).
    - Optimizers: Adam(0.003, beta_1 0, beta_2 0.99) for both, the paper's.
    - Sampling and the exports give the finest scale: `generate`, `sample`,
      `model(z)` and `serving_default` map z to the full-resolution image;
      `generate_pyramid` and the `pyramid` signature give every scale.
    - `augment` is refused (see `augment_refusal`).

    Reference: Karnewar & Wang 2020, "MSG-GAN: Multi-Scale Gradients for
    Generative Adversarial Networks", CVPR; arXiv:1903.06048.

    Args:
        image_shape: tuple. (H, W, C) of the finest scale.
        latent_dim: int. Size of z ~ N(0, I).
        loss: str. "relativistic_hinge" (with `average`: RaHinge), another
            relativistic loss, or a name from `keras_gans.losses.names()`.
        average: bool. With a relativistic loss: compare with the other
            batch's mean (RaGAN; the paper's RaHinge), else pairwise.
        g_width: int. G's filters at the finest scale; doubled at each
            coarser one, up to `max_width`.
        d_width: int. D's filters at the finest scale; likewise.
        max_width: int. The most filters of any block of G or D.
        d_combine: str. MSG-GAN's combine function: "simple" or "cat".
        d_minibatch_std: bool. Minibatch standard deviation before D's last
            block (its groups of 4 are formed within each replica's batch).
        penalty: str or None. "gradient_penalty", "r1" or None.
        penalty_weight: float. The penalty's weight (WGAN-GP's lambda; for
            R1 it is gamma / 2).
        **kwargs: passed to `keras_gans.models.GAN` (`seed`, `ema`,
            `n_critic`, `loss_args`, ...), and the players `generator`
            (z -> list of images, coarsest first) and `discriminator` (that
            list -> logits).

    Example:
    ```python
    model = keras_gans.get("msggan")
    model.compile()  # Adam(0.003, 0, 0.99) for D and G
    model.fit(keras_gans.data.load("digits", image_size=32), epochs=25)
    images = model.sample(16, seed=0)  # [16, 32, 32, 1]: the finest scale
    pyramid = model.generate_pyramid(np.random.normal(size=(4, model.latent_dim)))
    ```
    """

    default_epochs = 25

    argument_rules = {
        "d_combine": COMBINES,
        "penalty": PENALTIES,
    }

    def __init__(self, image_shape=(32, 32, 1), latent_dim=128, loss="relativistic_hinge",
                 average=True, g_width=32, d_width=32, max_width=128, d_combine="simple",
                 d_minibatch_std=True, penalty=None, penalty_weight=10.0, **kwargs):
        shape = check_model_image_shape(image_shape, self.image_sizes)
        relativistic = loss in losses_lib.RELATIVISTIC_PAIRS
        # The penalty is logged when there is one; set before GAN.__init__
        # makes one tracker per name.
        vars(self)["metric_names"] = ("d_loss", "g_loss") + (
            ("penalty",) if penalty is not None else ())
        # The base class takes get() pairs only; a relativistic pair is
        # called by the hooks below (its G loss takes the real logits too).
        super().__init__(shape, latent_dim,
                         loss="non_saturating" if relativistic else loss, **kwargs)
        self.loss_name = loss
        self.relativistic = relativistic
        if relativistic:
            self.rel_g_loss, self.rel_d_loss = losses_lib.RELATIVISTIC_PAIRS[loss]
        self.average = bool(average)
        self.penalty = penalty
        self.penalty_weight = float(penalty_weight)
        self.sizes = tuple(scale_sizes(self.image_shape[0]))
        self.set_players(
            generator=lambda: msggan_generator(self.image_shape, self.latent_dim, g_width,
                                               max_width),
            discriminator=lambda: msggan_discriminator(self.image_shape, d_width, max_width,
                                                       d_combine, d_minibatch_std),
        )
        # Not tracked (the same layers and weights as G or its EMA): z -> the
        # finest scale, what sampling and the exports run.
        vars(self)["_finest"] = self._finest_network(self.generator)
        vars(self)["_sampling_finest"] = (
            vars(self)["_finest"] if self.ema_decay is None
            else self._finest_network(GAN.sampling_network(self, "generator")))

    # ------------------------------------------------------------------ wiring

    @classmethod
    def augment_refusal(cls):
        """Why MSG-GAN takes no `augment`: D judges every scale of an image
        at once, and the augmentation pipelines transform one batch of
        images with transforms drawn per call."""
        return ("its D judges every scale of an image together (the real pyramid and G's "
                "outputs at 4, 8, ... px), and keras_gans.augment transforms one batch of "
                "images with transforms drawn per call: augmenting only the finest scale "
                "would let D tell real from fake by the mismatch between scales, and "
                "augmenting each scale on its own would give one image different transforms "
                "at different scales. Train without augment.")

    def infer_shapes(self, given):
        """Takes `image_shape` (its finest output) and `latent_dim` from the
        user's functional generator."""
        g = given.get("generator")
        ins, outs = network_io_shapes(g) if g is not None else (None, None)
        if ins is None:
            return
        if outs and len(outs[-1]) == 3 and None not in outs[-1]:
            self.image_shape = tuple(int(d) for d in outs[-1])
        if len(ins[0]) == 1 and ins[0][0] is not None:
            self.latent_dim = int(ins[0][0])
        config = self._constructor_config
        config["image_shape"] = list(self.image_shape)
        config["latent_dim"] = self.latent_dim

    def pyramid_shapes(self):
        """The shapes (without the batch axis) of every scale, coarsest first."""
        c = self.image_shape[-1]
        return [(s, s, c) for s in self.sizes]

    def check_players(self):
        """A given G must map z to one image per scale (coarsest first) and a
        given D must take that list and give one logit per image."""
        want = self.pyramid_shapes()
        g, d = self._given_players.get("generator"), self._given_players.get("discriminator")
        if g is not None:
            _, outs = network_io_shapes(g)
            if outs is not None and [tuple(o) for o in outs] != want:
                raise ValueError(
                    f"The generator outputs {[tuple(o) for o in outs]}; an MSGGAN at "
                    f"{self.image_shape} needs one image per scale, coarsest first: {want} "
                    "(e.g. keras_gans.networks.msggan.msggan_generator).")
        if d is not None:
            ins, outs = network_io_shapes(d)
            if ins is not None and ([tuple(i) for i in ins] != want
                                    or [tuple(o) for o in outs] != [(1,)]):
                raise ValueError(
                    f"The discriminator maps {[tuple(i) for i in ins]} -> "
                    f"{[tuple(o) for o in outs]}; an MSGGAN at {self.image_shape} needs "
                    f"every scale, coarsest first, {want} -> [(1,)] (one logit per image; "
                    "e.g. keras_gans.networks.msggan.msggan_discriminator).")

    def _finest_network(self, generator):
        z = keras.Input((self.latent_dim,), name="z")
        return keras.Model(z, self._scales(generator(z))[-1], name="msggan_finest")

    def _scales(self, outputs):
        """G's outputs as a list of scales, each checked against its shape."""
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        want = self.pyramid_shapes()
        got = [tuple(o.shape[1:]) for o in outputs]
        if len(got) != len(want) or any(
                g_ is not None and g_ != w for gs, ws in zip(got, want)
                for g_, w in zip(gs, ws)):
            raise ValueError(
                f"The generator gives {got}; an MSGGAN at {self.image_shape} needs one image "
                f"per scale, coarsest first: {want}.")
        return outputs

    # ------------------------------------------------------------- the pyramid

    def real_pyramid(self, images):
        """The real images at every scale, coarsest first (2x2 average
        pooling, again and again); the finest is the images themselves."""
        return real_pyramid(images, len(self.sizes))

    def generate_fakes(self, generator_inputs):
        return self._scales(self.generator(generator_inputs, training=True))

    # --------------------------------------------------------------- training

    def _penalty(self, real_pyramid, fake_pyramid):
        """The `penalty` term (0 when None), differentiated with respect to
        every scale D takes."""
        if self.penalty is None:
            return ops.zeros((), "float32")
        fake_pyramid = [ops.stop_gradient(f) for f in fake_pyramid]

        def d(x, training=True):
            return self.discriminator(x, training=training)

        if self.penalty == "r1":
            return r1_penalty(d, real_pyramid)
        batch = ops.shape(real_pyramid[0])[0]
        alpha = self.random_uniform((batch, 1, 1, 1))
        return gradient_penalty(d, real_pyramid, fake_pyramid, alpha=alpha)

    def discriminator_outputs(self, data):
        """D's outputs on the real pyramid."""
        return self.discriminator(self.real_pyramid(self.unpack_images(data)), training=False)

    def discriminator_loss(self, real, fake):
        """D's loss on the real pyramid (pooled here from the real batch) and
        G's pyramid `fake`, plus the weighted penalty."""
        real_pyr = self.real_pyramid(real)
        fake = self._scales(fake)
        real_logits, fake_logits = self.discriminator_real_fake(real_pyr, fake)
        if self.relativistic:
            loss = self.rel_d_loss(real_logits, fake_logits, average=self.average)
        else:
            loss = self.d_loss_fn(real_logits, fake_logits, **self.loss_kwargs(self.d_loss_fn))
        penalty = self._penalty(real_pyr, fake)
        if self.penalty is None:
            return loss, {"d_loss": loss}
        total = loss + self.penalty_weight * penalty
        return total, {"d_loss": total, "penalty": penalty}

    def generator_loss(self, real, z):
        """G's loss on its pyramid for `z` (relativistic: D's logits on the
        real pyramid too)."""
        fake = self._scales(self.generator(z, training=True))
        fake_logits = self.discriminator(fake, training=True)
        if self.relativistic:
            real_logits = self.discriminator(self.real_pyramid(real), training=True)
            loss = self.rel_g_loss(real_logits, fake_logits, average=self.average)
        else:
            loss = self.g_loss_fn(fake_logits, **self.loss_kwargs(self.g_loss_fn))
        return loss, {"g_loss": loss}

    def paper_optimizers(self):
        """Adam(0.003, beta_1 0, beta_2 0.99) for D and G (the paper's, with
        equalized learning rate)."""
        return _adam(3e-3, 0.0, 0.99), _adam(3e-3, 0.0, 0.99)

    # --------------------------------------------------------------- sampling

    def sampling_network(self, name="generator"):
        """"generator": z -> the finest scale of G (of its EMA when `ema` is
        set); "pyramid": z -> every scale (the same G)."""
        if name == "generator":
            return vars(self)["_sampling_finest"]
        if name == "pyramid":
            return super().sampling_network("generator")
        return super().sampling_network(name)

    def generate_pyramid(self, z, training=False):
        """Every scale G makes for latents `z`, coarsest first.

        Args:
            z: array or tensor `[N, latent_dim]`.
            training: bool. Run G in training mode.

        Returns:
            list of float32 tensors `[N, s, s, C]`, one per size in `sizes`.

        Example:
        ```python
        model = keras_gans.get("msggan")
        x4, x8, x16, x32 = model.generate_pyramid(np.zeros((2, model.latent_dim), "float32"))
        ```
        """
        outputs = self.sampling_network("pyramid")(z, training=training)
        return [ops.cast(o, "float32") for o in self._scales(outputs)]

    def serving_signatures(self):
        """`serving_default` (z -> {"images": the finest scale}) and `pyramid`
        (z -> {"images_<s>": the scale of side s, for every s in `sizes`})."""
        signatures = super().serving_signatures()

        def pyramid(z):
            return {f"images_{s}": x for s, x in zip(self.sizes, self.generate_pyramid(z))}

        spec = tf.TensorSpec([None, self.latent_dim], tf.float32, name="z")
        signatures["pyramid"] = (pyramid, [spec])
        return signatures

    def call(self, inputs, training=False):
        return vars(self)["_finest"](inputs, training=training)
