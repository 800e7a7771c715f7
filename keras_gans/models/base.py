"""The GAN base class: everything the models share.

A model subclasses `GAN`, builds its networks in `__init__` with `set_networks`,
and overrides the smallest hook that makes it its paper: usually
`discriminator_loss` and `generator_loss`; sometimes `after_discriminator_step`
(weight clipping) or `after_train_step` (BEGAN's k_t). Conditional models
change what the networks see with `unpack`, `generator_inputs` and
`discriminator_inputs`; `generator_step_networks` adds networks trained with G
(BiGAN's encoder) and `other_players_step` updates further players (Triple-GAN's
classifier). Image-to-image models (`models/translation.py`) feed images to G
through the same hooks, and `generate_fakes` lets two-way models make a fake
batch per direction. The training loop itself lives only here.
"""

import inspect

import numpy as np
import tensorflow as tf

import keras
from keras import ops

from keras_gans import losses as losses_lib
from keras_gans.cross_replica import global_mean, multi_worker, replica_id, replicas_in_sync


def _adam(lr, beta_1=0.5, beta_2=0.999):
    return keras.optimizers.Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2)


def trainable_variables_of(networks):
    """The trainable variables of a network or of a list of networks."""
    if isinstance(networks, (list, tuple)):
        return [v for n in networks for v in n.trainable_variables]
    return networks.trainable_variables


def _float32_outputs(network):
    """`network` with float32 outputs: under a mixed precision policy its last
    layers compute in float16/bfloat16, and losses, samples and exports want
    float32 (a float32 linear Activation is appended to each output)."""
    try:  # functional models only: a subclassed network has no symbolic output
        outputs = keras.tree.flatten(network.output)
    except (AttributeError, ValueError):
        return network
    if all(keras.backend.standardize_dtype(o.dtype) == "float32" for o in outputs):
        return network
    cast = keras.tree.map_structure(
        lambda o: keras.layers.Activation("linear", dtype="float32")(o), network.output)
    return keras.Model(network.input, cast, name=network.name)


class GAN(keras.Model):
    """Base class of every keras-gans model: a generator G and a discriminator D.

    Trains with `fit()` on batches of images (or `(images, ...)` tuples); each
    step runs `n_critic` discriminator updates and one generator update. The
    adversarial loss is chosen by name from `keras_gans.losses`.

    Args:
        image_shape: tuple. (H, W, C) of the images, in [-1, 1].
        latent_dim: int. Size of the latent vector z ~ N(0, I).
        loss: str. A name from `keras_gans.losses.names()`.
        loss_args: dict or None. Extra keyword arguments for the loss pair
            (e.g. LSGAN's targets); split between G and D by name.
        n_critic: int. Discriminator updates per generator update.
        seed: int or None. Seed of the latent sampling inside `train_step`.
        ema: float or None. Keep an exponential moving average of G's weights
            with this decay (e.g. 0.999), updated after every G step;
            `generate`, `sample` and the exports then use the average.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:
    ```python
    model = keras_gans.get("dcgan", image_shape=(32, 32, 1))
    model.compile()  # the paper's optimizers
    model.fit(keras_gans.data.load("digits", image_size=32), epochs=1)
    images = model.sample(16, seed=0)  # numpy, [16, 32, 32, 1], in [-1, 1]
    ```
    """

    #: "generation" (z -> images) or "translation" (images -> images); what
    #: the CLI, samplers, callbacks and evaluation branch on.
    task = "generation"

    #: Names of the values `train_step` logs; one `keras.metrics.Mean` each.
    metric_names = ("d_loss", "g_loss")

    def __new__(cls, *args, **kwargs):
        # keras.Model.__new__ drops the constructor arguments before Keras'
        # automatic config sees them, so record them here: a model's config is
        # exactly the arguments it was built with (plus the defaults).
        instance = super().__new__(cls, *args, **kwargs)
        sig = inspect.signature(cls.__init__)
        bound = sig.bind(None, *args, **kwargs)
        bound.apply_defaults()
        config = dict(bound.arguments)
        config.pop(next(iter(sig.parameters)))  # self
        for name, p in sig.parameters.items():
            if p.kind == inspect.Parameter.VAR_KEYWORD:
                config.update(config.pop(name, {}))
        config.pop("name", None)
        object.__setattr__(instance, "_constructor_config", config)
        return instance

    def __init__(
        self,
        image_shape=(32, 32, 1),
        latent_dim=100,
        loss="non_saturating",
        loss_args=None,
        n_critic=1,
        seed=None,
        ema=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if ema is not None and not 0.0 <= float(ema) <= 1.0:
            raise ValueError(f"ema must be a decay in [0, 1] (e.g. 0.999) or None; got {ema!r}.")
        self.ema_decay = None if ema is None else float(ema)
        self.image_shape = tuple(int(s) for s in image_shape)
        self.latent_dim = int(latent_dim)
        if int(n_critic) < 1:
            raise ValueError(f"n_critic must be >= 1; got {n_critic}.")
        self.n_critic = int(n_critic)
        self.loss_name = loss
        self.loss_args = dict(loss_args or {})
        self.g_loss_fn, self.d_loss_fn = losses_lib.get(loss)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {n: keras.metrics.Mean(name=n) for n in self.metric_names}
        self.d_optimizer = None
        self.g_optimizer = None

    # ------------------------------------------------------------------ wiring

    def set_networks(self, generator, discriminator):
        """Attaches G and D (models built from `keras.Input`) and marks built."""
        self.generator = _float32_outputs(generator)
        self.discriminator = _float32_outputs(discriminator)
        if self.ema_decay is not None:
            self.ema_generator = keras.models.clone_model(self.generator)
            self.ema_generator.set_weights(self.generator.get_weights())
        self.built = True

    @property
    def sampling_generator(self):
        """The G that sampling and exports use: the EMA of G when `ema` is set."""
        return self.ema_generator if self.ema_decay is not None else self.generator

    def update_ema(self):
        """ema <- decay * ema + (1 - decay) * G; BatchNorm statistics are copied."""
        if self.ema_decay is None:
            return
        d = self.ema_decay
        for e, w in zip(self.ema_generator.trainable_variables, self.generator.trainable_variables):
            e.assign(d * e + (1.0 - d) * w)
        for e, w in zip(self.ema_generator.non_trainable_variables,
                        self.generator.non_trainable_variables):
            e.assign(w)

    def discriminator_step_networks(self):
        """The network(s) the D step trains (and `d_optimizer` is built for)."""
        return self.discriminator

    def generator_step_networks(self):
        """The network(s) the G step trains: G; BiGAN adds its encoder."""
        return self.generator

    def call(self, z, training=False):
        return self.generator(z, training=training)

    # ----------------------------------------------------------------- compile

    def paper_optimizers(self):
        """Returns `(d_optimizer, g_optimizer)` as the model's paper sets them."""
        return _adam(2e-4), _adam(2e-4)

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        """Sets the two optimizers and builds them.

        Args:
            d_optimizer: `keras.optimizers.Optimizer`, name, config or None. The
                discriminator's optimizer; the paper's when None.
            g_optimizer: same, for the generator.
            **kwargs: `keras.Model.compile` options that apply here:
                `jit_compile`, `run_eagerly`, `steps_per_execution`.
        """
        bad = set(kwargs) - {"jit_compile", "run_eagerly", "steps_per_execution"}
        if bad:
            raise ValueError(
                f"GAN.compile() got unsupported arguments {sorted(bad)}: losses are "
                "set in the model's constructor; pass d_optimizer/g_optimizer here."
            )
        kwargs.setdefault("jit_compile", False)
        super().compile(optimizer=None, **kwargs)
        paper_d, paper_g = self.paper_optimizers()
        d_opt = keras.optimizers.get(d_optimizer) or paper_d
        g_opt = keras.optimizers.get(g_optimizer) or paper_g
        if d_opt is g_opt:
            raise ValueError(
                "d_optimizer and g_optimizer must be two different optimizer objects."
            )
        self.d_optimizer = self.loss_scaled(d_opt)
        self.g_optimizer = self.loss_scaled(g_opt)
        # Built here, inside any strategy scope, never lazily inside train_step.
        self.d_optimizer.build(trainable_variables_of(self.discriminator_step_networks()))
        self.g_optimizer.build(trainable_variables_of(self.generator_step_networks()))
        self._gan_compile_kwargs = dict(kwargs)

    @staticmethod
    def loss_scaled(optimizer):
        """`optimizer` wrapped in a `LossScaleOptimizer` when the global dtype
        policy is `mixed_float16` (float16 gradients underflow without loss
        scaling; bfloat16 needs none). Keras wraps only `Model.optimizer`, so
        every GAN optimizer passes through here."""
        policy = keras.config.dtype_policy().name
        if policy == "mixed_float16" and not isinstance(
                optimizer, keras.optimizers.LossScaleOptimizer):
            return keras.optimizers.LossScaleOptimizer(optimizer)
        return optimizer

    def get_compile_config(self):
        if self.d_optimizer is None:
            return {}
        return {
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
            **getattr(self, "_gan_compile_kwargs", {}),
        }

    def compile_from_config(self, config):
        config = dict(config)
        d_opt = keras.optimizers.deserialize(config.pop("d_optimizer"))
        g_opt = keras.optimizers.deserialize(config.pop("g_optimizer"))
        self.compile(d_optimizer=d_opt, g_optimizer=g_opt, **config)

    # ------------------------------------------------------------ config I/O

    def get_config(self):
        config = dict(self._constructor_config)
        config.update(
            name=self.name,
            trainable=self.trainable,
            dtype=keras.dtype_policies.serialize(self.dtype_policy),
        )
        return config

    @classmethod
    def from_config(cls, config):
        # The networks are built under the global dtype policy: make it the
        # saved model's (e.g. mixed_bfloat16) while they are built, so a
        # mixed precision model reloads as one.
        policy = config.get("dtype")
        name = keras.dtype_policies.get(policy).name if policy is not None else None
        previous = keras.config.dtype_policy()
        if name is None or name == previous.name:
            return cls(**config)
        keras.config.set_dtype_policy(name)
        try:
            return cls(**config)
        finally:
            keras.config.set_dtype_policy(previous)

    @property
    def metrics(self):
        return list(self.trackers.values())

    # -------------------------------------------------------------- sampling

    def random_seed(self):
        """A stateless seed for one random draw inside `train_step`.

        It comes from the model's `seed_generator` (whose state
        `keras_gans.callbacks.Backup` saves and restores, so a resumed run goes
        on with the same stream), and under a strategy it
        differs between replicas, so the replicas draw different noise for
        their shares of the batch.
        """
        seed = self.seed_generator.next()
        rid = ops.cast(replica_id(), seed.dtype)
        return seed + ops.stack([rid * 1000003, ops.zeros_like(rid)])

    def random_normal(self, shape):
        """float32 N(0, 1) noise of `shape` (per-sample draws in `train_step`).

        Every per-sample random draw of a model goes through `random_normal`
        or `random_uniform`, so a test can replace the two to fix the noise.
        """
        return tf.random.stateless_normal(shape, seed=self.random_seed())

    def random_uniform(self, shape, minval=0.0, maxval=1.0):
        """float32 U[minval, maxval) noise of `shape` (see `random_normal`)."""
        return tf.random.stateless_uniform(shape, seed=self.random_seed(),
                                           minval=minval, maxval=maxval)

    def random_integers(self, shape, low, high):
        """int32 uniform integers in [low, high) (from `random_uniform`)."""
        u = self.random_uniform(shape)
        return ops.cast(ops.floor(u * (high - low)), "int32") + low

    def sample_latent(self, batch_size):
        """z ~ N(0, I) of shape [batch_size, latent_dim], from the model's seed."""
        return self.random_normal((batch_size, self.latent_dim))

    def generate(self, z, training=False):
        """Images in [-1, 1] for latent vectors `z` ([N, latent_dim])."""
        return ops.cast(self.sampling_generator(z, training=training), "float32")

    def preview(self, z):
        """Images a progress grid shows for latents `z`: `generate(z)` here;
        conditional models cycle through their classes or codes."""
        return self.generate(z)

    def sample(self, num, seed=None, batch_size=256):
        """Returns `num` generated images as a float32 numpy array in [-1, 1].

        Args:
            num: int. How many images.
            seed: int or None. Same seed, same images (for the same weights).
            batch_size: int. Images generated per forward pass.
        """
        z = np.random.default_rng(seed).standard_normal((int(num), self.latent_dim))
        z = z.astype("float32")
        out = [
            ops.convert_to_numpy(self.generate(z[i : i + batch_size]))
            for i in range(0, len(z), batch_size)
        ]
        return np.concatenate(out, axis=0) if out else np.zeros((0, *self.image_shape), "float32")

    # --------------------------------------------------------------- serving

    def serving_signatures(self):
        """Signatures that `keras_gans.export` writes: name -> (fn, input specs).

        `serving_default` maps `z` float32 [None, latent_dim] to
        `{"images": float32 [None, H, W, C] in [-1, 1]}`.
        """

        def serving_default(z):
            return {"images": self.generate(z)}

        spec = tf.TensorSpec([None, self.latent_dim], tf.float32, name="z")
        return {"serving_default": (serving_default, [spec])}

    # --------------------------------------------------------------- training

    def check_images(self, shape, where="the data"):
        """Raises a clear error if images of `shape` ([B?, H, W, C]) don't fit."""
        shape = tuple(shape)
        got = tuple(None if s is None else int(s) for s in shape[-3:])
        if len(shape) < 3 or any(g is not None and g != e for g, e in zip(got, self.image_shape)):
            raise ValueError(
                f"{where} has images of shape {got} but this {type(self).__name__} "
                f"was built for {self.image_shape}. Build the model with "
                f"image_shape={got} or load the data with image_size="
                f"{self.image_shape[0]} and channels={self.image_shape[2]}."
            )

    def fit(self, x=None, *args, **kwargs):
        spec = getattr(x, "element_spec", None)
        if spec is not None:
            first = spec[0] if isinstance(spec, (tuple, list)) else spec
            if isinstance(first, tf.TensorSpec):
                self.check_images(first.shape)
        elif x is not None and hasattr(x, "shape"):
            self.check_images(x.shape)
        if self.d_optimizer is None:
            raise ValueError(
                f"Call {type(self).__name__}.compile() before fit(): compile() with "
                "no arguments uses the paper's optimizers."
            )
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)  # a Dataset shuffles itself
        return super().fit(x, *args, **kwargs)

    @staticmethod
    def unpack_images(data):
        """The images of a batch that may be `images` or `(images, ...)`."""
        if isinstance(data, (tuple, list)):
            data = data[0]
        return data

    def unpack(self, data):
        """D's input for a real batch from what the dataset yields.

        Images by default; conditional models return `[images, labels]`.
        """
        return self.unpack_images(data)

    def generator_inputs(self, batch_size, real):
        """G's inputs for one step: z by default; conditional models add labels."""
        return self.sample_latent(batch_size)

    def generate_fakes(self, generator_inputs):
        """G's output for a D step (training mode): images from `generator_inputs`;
        two-way translators return one batch per direction."""
        return self.generator(generator_inputs, training=True)

    def discriminator_inputs(self, images, generator_inputs):
        """D's input for generated `images` made from `generator_inputs`.

        The images by default; conditional models pair them with their labels.
        """
        return images

    def loss_kwargs(self, fn):
        """The entries of `loss_args` that the loss function `fn` accepts."""
        params = inspect.signature(fn).parameters
        return {k: v for k, v in self.loss_args.items() if k in params}

    def discriminator_loss(self, real, fake):
        """D's loss on a batch of real and of generated images.

        Returns `(loss, logs)`; `loss` is the per-replica mean to minimize and
        `logs` the values to report (keys from `metric_names`).
        """
        real_logits = self.discriminator(real, training=True)
        fake_logits = self.discriminator(fake, training=True)
        loss = self.d_loss_fn(real_logits, fake_logits, **self.loss_kwargs(self.d_loss_fn))
        return loss, {"d_loss": loss}

    def generator_loss(self, real, z):
        """G's loss for generator inputs `z` (`real` is there for models that need it)."""
        fake = self.generator(z, training=True)
        fake_logits = self.discriminator(self.discriminator_inputs(fake, z), training=True)
        loss = self.g_loss_fn(fake_logits, **self.loss_kwargs(self.g_loss_fn))
        return loss, {"g_loss": loss}

    def after_discriminator_step(self):
        """Runs after each D update (e.g. WGAN's weight clipping)."""

    def other_players_step(self, real, logs):
        """Runs after the G update: updates of further players (Triple-GAN's
        classifier) on the real batch `real` (what `unpack` gave); returns logs."""
        return logs

    def after_train_step(self, logs):
        """Runs after the G update with the step's logs; may add to them."""
        return logs

    def apply_loss(self, loss_fn, network, optimizer):
        """One optimizer step on `network` for the loss `loss_fn()` returns.

        The loss is divided by the number of replicas in sync, so that summing
        gradients across replicas gives the gradient of the global mean.
        `network` may be a list of networks trained together (BiGAN's G and E).
        Returns the logs `loss_fn` gave.
        """
        variables = trainable_variables_of(network)
        with tf.GradientTape() as tape:
            loss, logs = loss_fn()
            scaled = ops.cast(loss, "float32") / replicas_in_sync()
            scaled = optimizer.scale_loss(scaled)  # float16: the loss scale
        grads = tape.gradient(scaled, variables)
        optimizer.apply_gradients(zip(grads, variables))
        return logs

    def train_step(self, data):
        real = self.unpack(data)
        images = self.unpack_images(real)
        self.check_images(images.shape, where="the training batch")
        batch = ops.shape(images)[0]
        logs = {}
        for _ in range(self.n_critic):
            g_in = self.generator_inputs(batch, real)
            fake_images = keras.tree.map_structure(ops.stop_gradient, self.generate_fakes(g_in))
            fake = self.discriminator_inputs(fake_images, g_in)
            logs.update(
                self.apply_loss(
                    lambda: self.discriminator_loss(real, fake),
                    self.discriminator_step_networks(),
                    self.d_optimizer,
                )
            )
            self.after_discriminator_step()
        g_in = self.generator_inputs(batch, real)
        logs.update(
            self.apply_loss(
                lambda: self.generator_loss(real, g_in),
                self.generator_step_networks(),
                self.g_optimizer,
            )
        )
        self.update_ema()
        logs = self.other_players_step(real, logs)
        logs = self.after_train_step(logs)
        return self.update_trackers(logs)

    def update_trackers(self, logs):
        """Feeds `logs` to the trackers and returns their running means."""
        unknown = set(logs) - set(self.trackers)
        if unknown:
            raise ValueError(
                f"{type(self).__name__}.train_step logged {sorted(unknown)}, which "
                f"are not in metric_names {list(self.metric_names)}."
            )
        # Each replica's value is a mean over its share of the batch; their mean
        # is the global batch's, so every replica logs the true value (one
        # all-reduce for all the logs).
        values = global_mean({k: ops.cast(v, "float32") for k, v in logs.items()})
        for name, value in values.items():
            self.trackers[name].update_state(value)
        results = {name: t.result() for name, t in self.trackers.items()}
        if multi_worker():
            # Keras 3 reduces fit()'s logs across workers with
            # strategy.reduce(MEAN, axis=0), which fails on scalars
            # ("Invalid reduction dimension 0", keras#20585): give it [1]s.
            results = {name: ops.reshape(r, (1,)) for name, r in results.items()}
        return results
