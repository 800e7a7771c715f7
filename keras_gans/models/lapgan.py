"""LAPGAN (Denton, Chintala, Szlam & Fergus 2015, arXiv:1506.05751)."""

import keras
from keras import ops

from keras_gans.models.base import GAN, _adam, network_io_shapes
from keras_gans.networks.common import MIN_CONV_SIDE, check_model_image_shape
from keras_gans.networks.lapgan import (
    coarse_discriminator,
    coarse_generator,
    lapgan_discriminator,
    lapgan_generator,
)
from keras_gans.registry import register_model

#: The most pyramid levels a LAPGAN has: 8 -> 16 -> ... -> 256.
MAX_LEVELS = 6


def pyramid_sizes(size, base_size=8):
    """The sides of a LAPGAN's pyramid levels, coarsest first.

    The image side is halved while it is even and its half is at least
    `base_size`: 32 px with base 8 gives [8, 16, 32]; 28 px gives [14, 28].

    Args:
        size: int. The image side.
        base_size: int. The smallest side the coarsest level may have.

    Returns:
        list of int.

    Example:
    ```python
    keras_gans.models.lapgan.pyramid_sizes(32)  # [8, 16, 32]
    ```
    """
    size, base_size = int(size), int(base_size)
    if base_size > size:
        raise ValueError(f"base_size {base_size} is larger than the image side {size}: the "
                         "coarsest pyramid level cannot be larger than the image.")
    sizes = [size]
    while sizes[0] % 2 == 0 and sizes[0] // 2 >= base_size:
        sizes.insert(0, sizes[0] // 2)
    if len(sizes) > MAX_LEVELS:
        raise ValueError(f"{size} px with base_size {base_size} makes {len(sizes)} pyramid "
                         f"levels; LAPGAN takes at most {MAX_LEVELS}: raise base_size.")
    return sizes


def downsample(images):
    """d(.): 2x2 average pooling, [N, 2H, 2W, C] -> [N, H, W, C]."""
    return ops.average_pool(images, pool_size=2, strides=2, padding="valid")


def upsample(images):
    """u(.): bilinear upsampling by 2 (half-pixel centres, edges clamped):
    each output pixel is 3/4 of its nearest input pixel and 1/4 of the next
    one along each axis. [N, H, W, C] -> [N, 2H, 2W, C]."""
    h, w = images.shape[1], images.shape[2]
    return ops.image.resize(images, (2 * h, 2 * w), interpolation="bilinear")


def compose(conditioning, residual):
    """A level's image: l + h, clipped to [-1, 1] (the range of real images)."""
    return ops.clip(conditioning + ops.cast(residual, "float32"), -1.0, 1.0)


@register_model(
    "lapgan",
    defaults={"image_shape": (32, 32, 1), "code_dim": 64, "g_width": 32, "d_width": 32},
    tiny={"image_shape": (16, 16, 1), "code_dim": 8, "g_width": 4, "d_width": 4},
)
class LAPGAN(GAN):
    """LAPGAN: a GAN per Laplacian pyramid level; samples grow coarse to fine.

    Level 0 is a GAN at the coarsest size (8x8 for 32 px digits): G_0(z)
    makes an image, D_0 judges it. Each finer level k is a conditional GAN on
    the residual of a Laplacian pyramid: the conditioning image
    l = u(d(x_k)) is the real image one level coarser, upsampled; G_k takes l
    and a noise plane and gives a residual h; its image is l + h, and D_k
    judges (l + h) against the real x_k, given l. Real residuals are x_k - l.
    Sampling chains the levels: x = G_0(z); for each finer level,
    l = u(x) and x = l + G_k([l, noise_k]).

    Design (and why):
    - Players `generator_0`, `discriminator_0`, `generator_1`, ... (one G and
      one D per level, each a constructor argument that replaces its
      builder). The levels train independently on the real pyramid, as in the
      paper: the base's two steps train all the Ds on the sum of the levels'
      D losses, then all the Gs on the sum of their G losses (one Adam per
      group, which is one Adam per level: no variable is shared).
    - The whole chain is one functional `keras.Model` of the level
      generators (the sampling network): `generate`, `sample`, the `.keras`
      file and the exports (SavedModel `serving_default` and LiteRT) run it
      in one signature. Its input `z` is all the randomness of a sample: the
      code of G_0 (`code_dim`), then one noise plane per finer level,
      flattened (`latent_dim` is their total: 64 + 16*16 + 32*32 = 1344 for
      32 px digits). Noise as an input gives the same images in every
      runtime. In training the same split of a seeded `random_normal` z gives
      G_0's code and the noise planes.
    - d(.) is 2x2 average pooling and u(.) bilinear upsampling (the paper
      blurs and decimates, and smooths and expands). A level's image is
      clipped to [-1, 1], in training and in the chain.
    - Networks (`keras_gans.networks.lapgan`): G_0 and D_0 are DCGAN-style
      with one more stride-1 layer each (`coarse_generator`,
      `coarse_discriminator`; the DCGAN pair at 8 px drew blurred strokes);
      G_k is `g_layers` stride-1 5x5 convolutions on [l, noise], as the
      paper's; D_k is the DCGAN trunk on the image joined with l as extra
      channels (the paper adds l to h before D's first layer).
    - Optimizers: Adam(2e-4, beta_1 0.5) for each group. The paper trained
      with SGD and momentum (learning rate 0.02 decayed each epoch, momentum
      rising from 0.5 to 0.8) on 128-channel networks; Adam(2e-4, 0.5) is the
      setting of the DCGAN-style networks used here for every level, needs no
      per-dataset schedule and is what every DCGAN-family model here trains
      with.
    - Losses: `loss` (non-saturating by default) at every level.

    Logged: `d_loss` and `g_loss` (sums over the levels) and `d_loss_k`,
    `g_loss_k` per level k.

    Reference: Denton, Chintala, Szlam & Fergus 2015, "Deep Generative Image
    Models using a Laplacian Pyramid of Adversarial Networks",
    arXiv:1506.05751.

    Args:
        image_shape: tuple. (H, W, C) of the finest level.
        code_dim: int. Size of G_0's z.
        base_size: int. The smallest side of the coarsest level: the side is
            halved while its half is at least `base_size` (32 px, 8: 8, 16, 32).
        g_width: int. Filters of G_0's last hidden stage and of G_k's layers.
        d_width: int. Filters of each D's first stage.
        g_layers: int. Convolutions of each finer G_k.
        d_normalization: str. The Ds' normalization: "batch", "layer" or "none".
        **kwargs: passed to `keras_gans.models.GAN` (`loss`, `seed`, `ema`,
            ...), and the players `generator_<k>` (`[l, noise] -> residual`;
            `generator_0`: code -> image) and `discriminator_<k>`
            (`[images, l] -> logits`; `discriminator_0`: images -> logits).

    Example:
    ```python
    model = keras_gans.get("lapgan")
    model.compile()  # Adam(2e-4, 0.5) for the Ds and for the Gs
    model.fit(keras_gans.data.load("digits", image_size=32), epochs=30)
    images = model.sample(16, seed=0)  # G_0 -> G_1 -> G_2
    ```
    """

    default_epochs = 30
    player_names = tuple(f"{role}_{k}" for k in range(MAX_LEVELS)
                         for role in ("generator", "discriminator"))
    ema_players = tuple(f"generator_{k}" for k in range(MAX_LEVELS))

    def __init__(self, image_shape=(32, 32, 1), code_dim=100, base_size=8, g_width=64,
                 d_width=64, g_layers=3, d_normalization="batch", **kwargs):
        shape = check_model_image_shape(image_shape, self.image_sizes)
        sizes = pyramid_sizes(shape[0], base_size)
        code_dim = self._given_code_dim(kwargs.get("generator_0"), code_dim)
        self._constructor_config["code_dim"] = int(code_dim)
        names = [f"{role}_{k}" for k in range(len(sizes)) for role in ("generator",
                                                                          "discriminator")]
        extra = sorted(n for n in self.player_names if kwargs.get(n) is not None
                       and n not in names)
        if extra:
            raise ValueError(
                f"{extra} given, but {shape[0]} px with base_size {base_size} has "
                f"{len(sizes)} pyramid levels {sizes}: players {names}.")
        if sizes[0] < MIN_CONV_SIDE and not all(kwargs.get(n) is not None for n in names[:2]):
            raise ValueError(f"base_size {base_size} gives a {sizes[0]} px coarsest level; the "
                             f"default networks need at least {MIN_CONV_SIDE} px.")
        # Per-level logs; set before GAN.__init__ makes one tracker each.
        vars(self)["metric_names"] = ("d_loss", "g_loss") + tuple(
            f"{p}_loss_{k}" for k in range(len(sizes)) for p in ("d", "g"))
        latent_dim = int(code_dim) + sum(s * s for s in sizes[1:])
        super().__init__(shape, latent_dim, **kwargs)
        self.sizes = tuple(sizes)
        self.code_dim = int(code_dim)
        channels = shape[-1]
        players = {}
        for k, s in enumerate(sizes):
            level = (s, s, channels)
            if k == 0:
                players["generator_0"] = lambda level=level: coarse_generator(
                    level, self.code_dim, g_width)
                players["discriminator_0"] = lambda level=level: coarse_discriminator(
                    level, d_width, d_normalization)
            else:
                players[f"generator_{k}"] = lambda level=level, k=k: lapgan_generator(
                    level, g_width, g_layers, name=f"generator_{k}")
                players[f"discriminator_{k}"] = lambda level=level, k=k: lapgan_discriminator(
                    level, d_width, d_normalization, name=f"discriminator_{k}")
        self.set_players(**players)
        # Not tracked (the same layers and weights as the players): the chain
        # of the trained generators (`call`) and of their EMAs (sampling).
        vars(self)["_chain"] = self.chain_network(self.level_networks("generator"))
        vars(self)["_sampling_chain"] = (
            vars(self)["_chain"] if self.ema_decay is None else self.chain_network(
                [GAN.sampling_network(self, f"generator_{k}") for k in range(len(sizes))]))

    # ------------------------------------------------------------------ wiring

    @staticmethod
    def _given_code_dim(generator_0, code_dim):
        """G_0's input size when the user gives a functional `generator_0`."""
        if generator_0 is None:
            return code_dim
        ins, _ = network_io_shapes(generator_0)
        if ins is not None and len(ins) == 1 and len(ins[0]) == 1 and ins[0][0]:
            return int(ins[0][0])
        return code_dim

    @classmethod
    def refused_arguments(cls):
        refused = super().refused_arguments()
        refused["latent_dim"] = (
            "its z is G_0's code (code_dim) followed by one noise plane per finer pyramid "
            "level; model.latent_dim is their total. Set code_dim.")
        return refused

    @classmethod
    def check_image_shape(cls, image_shape, **config):
        """The base's check, and that the pyramid can be built (`base_size`)."""
        shape = super().check_image_shape(image_shape, **config)
        pyramid_sizes(shape[0], cls.default_arguments(**config)["base_size"])
        return shape

    def check_players(self):
        """Each given level network must take and give that level's shapes."""
        for name in self._given_players:
            k = int(name.rsplit("_", 1)[1])
            ins, outs = network_io_shapes(self._given_players[name])
            if ins is None:  # subclassed: nothing to read
                continue
            level = (self.sizes[k], self.sizes[k], self.image_shape[-1])
            noise = level[:2] + (1,)
            if name.startswith("generator"):
                want_in = [(self.code_dim,)] if k == 0 else [level, noise]
                want_out = [level]
            else:
                want_in, want_out = ([level] if k == 0 else [level, level]), [(1,)]
            got_in, got_out = [tuple(i) for i in ins], [tuple(o) for o in outs]
            if got_in != want_in or got_out != want_out:
                what = ("code -> image" if k == 0 else "[l, noise] -> residual") if \
                    name.startswith("generator") else \
                    ("images -> logits" if k == 0 else "[images, l] -> logits")
                raise ValueError(
                    f"{name} maps {got_in} -> {got_out}; level {k} of this LAPGAN "
                    f"({self.sizes[k]} px) needs {want_in} -> {want_out} ({what}).")

    def level_networks(self, role):
        """The level networks of `role` ("generator" or "discriminator"), coarsest first."""
        return [getattr(self, f"{role}_{k}") for k in range(len(self.sizes))]

    def discriminator_step_networks(self):
        return self.level_networks("discriminator")

    def generator_step_networks(self):
        return self.level_networks("generator")

    # ------------------------------------------------------------- the pyramid

    def split_latent(self, z):
        """`(code [N, code_dim], [noise_k [N, s_k, s_k, 1] for each finer level])`
        from z `[N, latent_dim]`: the code first, then the planes, coarse to fine."""
        code, noises, start = z[:, : self.code_dim], [], self.code_dim
        for s in self.sizes[1:]:
            noises.append(ops.reshape(z[:, start: start + s * s], (-1, s, s, 1)))
            start += s * s
        return code, noises

    def real_pyramid(self, images):
        """The real images at every level, coarsest first (d applied repeatedly)."""
        levels = [ops.cast(images, "float32")]
        for _ in self.sizes[1:]:
            levels.insert(0, downsample(levels[0]))
        return levels

    def conditioning(self, pyramid):
        """Each level's conditioning image l_k = u(x_{k-1}) (None for level 0)."""
        return [None] + [upsample(x) for x in pyramid[:-1]]

    def level_fakes(self, conditioning, z, training=True):
        """Each level's generated image from its real conditioning image:
        G_0(code), then l_k + G_k([l_k, noise_k]), clipped."""
        code, noises = self.split_latent(z)
        fakes = [ops.cast(self.generator_0(code, training=training), "float32")]
        for k, noise in enumerate(noises, start=1):
            l = conditioning[k]
            fakes.append(compose(l, getattr(self, f"generator_{k}")([l, noise],
                                                                     training=training)))
        return fakes

    def judge(self, k, images, conditioning, training=True):
        """D_k's logits for images at level k (given l_k beyond level 0)."""
        d = getattr(self, f"discriminator_{k}")
        return d(images if k == 0 else [images, conditioning], training=training)

    def chain_network(self, generators):
        """The sampler z -> image of `generators` (one per level, coarsest
        first): x = G_0(code); x = clip(u(x) + G_k([u(x), noise_k]))."""
        z = keras.Input((self.latent_dim,), name="z")
        code, noises = self.split_latent(z)
        x = generators[0](code)
        for g, noise in zip(generators[1:], noises):
            l = upsample(x)
            x = compose(l, g([l, noise]))
        return keras.Model(z, x, name="lapgan_chain")

    # --------------------------------------------------------------- training

    def _level_batch(self, real):
        """`(real pyramid, conditioning images, z)` for a training batch."""
        images = self.unpack_images(real)
        pyramid = self.real_pyramid(images)
        return pyramid, self.conditioning(pyramid), self.sample_latent(ops.shape(images)[0])

    def discriminator_outputs(self, data):
        """Each level's D on its real images (given l_k beyond level 0)."""
        pyramid = self.real_pyramid(self.unpack_images(data))
        cond = self.conditioning(pyramid)
        return {f"discriminator_{k}": self.judge(k, x, cond[k], training=False)
                for k, x in enumerate(pyramid)}

    def discriminator_step_loss(self, real):
        """Every D_k on the real x_k against l_k + G_k's residual (no gradient
        to G), given l_k; the sum of the levels' D losses."""
        pyramid, cond, z = self._level_batch(real)
        fakes = [ops.stop_gradient(f) for f in self.level_fakes(cond, z)]
        logs, total = {}, 0.0
        for k, (x, fake) in enumerate(zip(pyramid, fakes)):
            loss = self.d_loss_fn(self.judge(k, x, cond[k]), self.judge(k, fake, cond[k]),
                                  **self.loss_kwargs(self.d_loss_fn))
            logs[f"d_loss_{k}"] = loss
            total += loss
        logs["d_loss"] = total
        return total, logs

    def generator_step_loss(self, real):
        """Every G_k against its D_k, given the real l_k; the sum of the
        levels' G losses."""
        _, cond, z = self._level_batch(real)
        logs, total = {}, 0.0
        for k, fake in enumerate(self.level_fakes(cond, z)):
            loss = self.g_loss_fn(self.judge(k, fake, cond[k]),
                                  **self.loss_kwargs(self.g_loss_fn))
            logs[f"g_loss_{k}"] = loss
            total += loss
        logs["g_loss"] = total
        return total, logs

    def paper_optimizers(self):
        """Adam(2e-4, 0.5) for the Ds and the Gs (see the class docstring)."""
        return _adam(2e-4), _adam(2e-4)

    # --------------------------------------------------------------- sampling

    def sampling_network(self, name="generator"):
        """"generator": the chain of the level generators (of their EMAs when
        `ema` is set), z -> images; a level's name: that network."""
        if name == "generator":
            return vars(self)["_sampling_chain"]
        return super().sampling_network(name)

    def call(self, inputs, training=False):
        return vars(self)["_chain"](inputs, training=training)
