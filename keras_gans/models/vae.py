"""VAE (Kingma & Welling 2013, arXiv:1312.6114): the non-adversarial baseline."""

import numpy as np
import tensorflow as tf

import keras
from keras import ops

from keras_gans import losses
from keras_gans.models.base import GAN, Step, _adam, batched, network_io_shapes
from keras_gans.networks import dcgan_generator
from keras_gans.networks.conditional import image_encoder
from keras_gans.registry import register_model

#: How close to +-1 an image is taken when its logits are recovered from
#: the image itself (`image_logits`): logits of at most about +-14.5.
_EDGE = 1e-6


def tanh_logits_network(network):
    """The network of a decoder's logits, when its images are tanh(a).

    A functional network whose output is a tanh `Activation` (possibly behind
    linear ones: the float32 cast of mixed precision) makes images
    tanh(a) = 2 sigmoid(2 a) - 1: a Bernoulli decoder on (x + 1) / 2 with
    logits 2 a. This returns the network `input -> a` (the same layers and
    weights), or None when the output is something else (a subclassed
    network, a Conv2D with a built-in tanh, ...).

    Args:
        network: keras.Model. The decoder (z -> images in [-1, 1]).

    Returns:
        keras.Model or None.

    Example:
    ```python
    g = keras_gans.networks.dcgan_generator((32, 32, 1), latent_dim=64)
    pre_tanh = keras_gans.models.vae.tanh_logits_network(g)  # z -> a, images = tanh(a)
    ```
    """
    try:
        outputs = keras.tree.flatten(network.output)
    except (AttributeError, ValueError):
        return None
    if len(outputs) != 1:
        return None
    tensor = outputs[0]
    while True:
        history = getattr(tensor, "_keras_history", None)
        layer = getattr(history, "operation", None)
        if not isinstance(layer, keras.layers.Activation) or history.node_index != 0:
            return None
        if layer.activation is keras.activations.tanh:
            return keras.Model(network.input, layer.input, name=f"{network.name}_pre_tanh")
        if layer.activation is not keras.activations.linear:
            return None
        tensor = layer.input


def image_logits(images):
    """Bernoulli logits of images in [-1, 1]: 2 atanh(x), with x kept
    `1e-6` inside (-1, 1) (the fallback for a decoder whose pre-tanh values
    are out of reach; a saturated pixel then gets no gradient, as with the
    clipped probabilities of Lucic et al.'s VAE).

    Args:
        images: tensor in [-1, 1].

    Returns:
        float32 tensor of the same shape.

    Example:
    ```python
    keras_gans.models.vae.image_logits(np.zeros((1, 4)))  # zeros: p = 0.5
    ```
    """
    x = ops.clip(ops.cast(images, "float32"), -1.0 + _EDGE, 1.0 - _EDGE)
    return 2.0 * ops.arctanh(x)


@register_model(
    "vae",
    defaults={"image_shape": (32, 32, 1), "latent_dim": 64, "g_width": 32, "e_width": 32},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "e_width": 4},
    summary="VAE: encoder q(z|x), reparameterized z, Bernoulli decoder; minimizes the "
            "negative ELBO (not adversarial)",
)
class VAE(GAN):
    """VAE: an encoder q(z|x) = N(mean, exp(log_var)), a reparameterized sample
    z = mean + exp(log_var / 2) * eps and a decoder p(x|z), trained together on
    the negative evidence lower bound: reconstruction NLL + KL(q(z|x) || N(0, I)).

    Not adversarial: the non-adversarial row of Lucic et al. 2018's table. It
    has the same surface as the GANs (`fit`, `sample`, `generate`, the `.keras`
    file, SavedModel and LiteRT exports, `keras-gans train vae`): the decoder
    is the player `generator` (z -> images in [-1, 1], sampled from the prior
    z ~ N(0, I)), the encoder the player `encoder`. Both are constructor
    arguments that replace the builders.

    Design (and why):
    - One training loop. The model is a `GAN` with one `Step` ("vae") that
      trains the encoder and the decoder together with one optimizer (group
      "vae": `compile(vae_optimizer=...)`, `--lr vae=...`) on
      `vae_step_loss`; the adversarial arguments (`loss`, `loss_args`,
      `n_critic`) are refused (`inapplicable_arguments`). The base class
      then gives the replica scaling, EMA, mixed precision, backups and the
      step counter unchanged.
    - Likelihood: Bernoulli on (x + 1) / 2, as the paper's MNIST decoder and
      Lucic et al.'s (compare_gan's VAE.py), summed over pixels and averaged
      over the batch; the KL in closed form (the paper's appendix B), summed
      over z. The loss terms are `keras_gans.losses.bernoulli_nll` and
      `gaussian_kl`.
    - The decoder's images are tanh(a), which is 2 sigmoid(2 a) - 1: the
      Bernoulli mean on [-1, 1] with logits 2 a. The NLL is computed from
      those logits (stable, no clipping) through the decoder's own layers
      (`tanh_logits_network`); a decoder whose last op is not a tanh
      `Activation` (your own network with `Conv2D(..., activation="tanh")`)
      gets logits 2 atanh(x) from its images, clipped 1e-6 inside (-1, 1).
    - The reparameterization noise comes from the model's seeded generator
      (`random_normal`), so a resumed run continues the same stream and the
      replica test can fix it.
    - Networks: the decoder is the DCGAN generator (with its BatchNorm, as
      Lucic et al.'s decoder); the encoder is the DCGAN-style conv trunk of
      `keras_gans.networks.conditional.image_encoder` with a linear head of
      2 * latent_dim units (mean, then log-variance) and no normalization
      (Lucic et al.'s VAE default: no batch norm in the encoder).
    - Optimizer: Adam(1e-3, beta_1 0.9). The paper used Adagrad on MLPs;
      Lucic et al. searched Adam's learning rate in [1e-5, 1e-2] from a
      default of 5e-5 with beta_1 0.5 for 20 MNIST epochs; 1e-3 (the common
      VAE setting) trains the short runs on the bundled digits here much
      faster. `compile(vae_optimizer=keras.optimizers.Adam(5e-5, 0.5))` gives
      Lucic et al.'s default.

    Logged: `loss` (the negative ELBO, nats per image), `reconstruction`
    (the NLL) and `kl`.

    The encoder is exported as the `encode` signature (images -> {"z": mean,
    "z_log_var": log-variance}).

    Reference: Kingma & Welling 2013, "Auto-Encoding Variational Bayes",
    arXiv:1312.6114; Lucic et al. 2018, "Are GANs Created Equal? A
    Large-Scale Study", arXiv:1711.10337.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of z.
        g_width: int. Filters of the decoder's last hidden stage.
        e_width: int. Filters of the encoder's first stage.
        seed: int or None. Seed of the reparameterization noise.
        ema: float or None. Keep an exponential moving average of the
            decoder (sampling and exports use it).
        generator: keras.Model or None. Your own decoder, z -> images in
            [-1, 1] (a tanh output).
        encoder: keras.Model or None. Your own encoder, images -> one
            `[N, 2 * latent_dim]` tensor (mean, then log-variance) or a pair
            of `[N, latent_dim]` tensors `[mean, log_var]`.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:
    ```python
    model = keras_gans.get("vae")
    model.compile()  # Adam(1e-3)
    model.fit(keras_gans.data.load("digits", image_size=32), epochs=20)
    images = model.sample(16, seed=0)      # z ~ N(0, I), decoded
    codes = model.encode(images)           # posterior means [16, 64]
    ```
    """

    default_epochs = 30
    player_names = ("generator", "encoder")
    inapplicable_arguments = ("loss", "loss_args", "n_critic")
    metric_names = ("loss", "reconstruction", "kl")

    def __init__(self, image_shape=(32, 32, 1), latent_dim=64, g_width=64, e_width=64,
                 seed=None, ema=None, **kwargs):
        super().__init__(image_shape, latent_dim, seed=seed, ema=ema, **kwargs)
        self.set_players(
            generator=lambda: dcgan_generator(self.image_shape, self.latent_dim, g_width),
            encoder=lambda: image_encoder(self.image_shape, 2 * self.latent_dim, e_width,
                                          normalization="none", name="encoder"),
        )
        # Not tracked: the same layers and weights as the generator.
        vars(self)["_logits_network"] = tanh_logits_network(self.generator)

    # ------------------------------------------------------------------ wiring

    def infer_shapes(self, given):
        """Takes `image_shape` and `latent_dim` from the user's decoder, else
        from the user's functional encoder (its input, and half its output)."""
        super().infer_shapes(given)
        e = given.get("encoder")
        if e is None or given.get("generator") is not None:
            return
        ins, outs = network_io_shapes(e)
        if ins is None or len(ins) != 1 or len(ins[0]) != 3 or None in ins[0]:
            return
        self.image_shape = tuple(int(d) for d in ins[0])
        if len(outs) == 1 and len(outs[0]) == 1 and outs[0][0] and outs[0][0] % 2 == 0:
            self.latent_dim = int(outs[0][0]) // 2
        elif len(outs) == 2 and all(len(o) == 1 and o[0] for o in outs):
            self.latent_dim = int(outs[0][0])
        config = self._constructor_config
        for key in ("image_shape", "latent_dim"):
            if key in config:
                config[key] = list(getattr(self, key)) if key == "image_shape" else getattr(self, key)

    def check_players(self):
        """The decoder's output must be `image_shape` (the base's check), its
        input z; the encoder must take images and give the mean and the
        log-variance of z."""
        super().check_players()
        g = self.players.get("generator")
        if g is not None and "generator" in self._given_players:
            ins, _ = network_io_shapes(g)
            if ins is not None and tuple(ins[0]) != (self.latent_dim,):
                raise ValueError(
                    f"The generator (decoder) takes inputs of shape {tuple(ins[0])} but the "
                    f"encoder gives z of shape ({self.latent_dim},) (latent_dim).")
        e = self.players.get("encoder")
        if e is None or "encoder" not in self._given_players:
            return
        ins, outs = network_io_shapes(e)
        if ins is None:
            return
        if len(ins) != 1 or tuple(ins[0]) != self.image_shape:
            raise ValueError(
                f"The encoder takes inputs of shape {[tuple(i) for i in ins]} but VAE expects "
                f"images of shape {self.image_shape} (image_shape).")
        d = self.latent_dim
        if [tuple(o) for o in outs] not in ([(2 * d,)], [(d,), (d,)]):
            raise ValueError(
                f"The encoder outputs {[tuple(o) for o in outs]}; VAE expects one "
                f"[N, {2 * d}] tensor (the mean, then the log-variance of z: 2 * latent_dim) "
                f"or two [N, {d}] tensors [mean, log_var].")

    # ------------------------------------------------------------ the model

    def encoder_outputs(self, images, training=False):
        """`(mean, log_var)` of q(z | images), float32 `[N, latent_dim]` each."""
        out = self.encoder(images, training=training)
        if isinstance(out, (list, tuple)):
            mean, log_var = out
        else:
            mean, log_var = out[:, : self.latent_dim], out[:, self.latent_dim:]
        return ops.cast(mean, "float32"), ops.cast(log_var, "float32")

    def reparameterize(self, mean, log_var):
        """z = mean + exp(log_var / 2) * eps, eps ~ N(0, I) from the model's
        seeded generator (`random_normal`)."""
        return losses.reparameterize(mean, log_var, self.random_normal(ops.shape(mean)))

    def decoder_logits(self, z, training=False):
        """The decoder's Bernoulli logits for z: 2 a where its images are
        tanh(a), or 2 atanh(images) (`image_logits`) for a decoder whose
        pre-tanh values are out of reach."""
        net = vars(self).get("_logits_network")
        if net is not None:
            return 2.0 * ops.cast(net(z, training=training), "float32")
        return image_logits(self.generator(z, training=training))

    def elbo_terms(self, images, noise=None, training=False):
        """`(negative ELBO, reconstruction NLL, KL)`, float32 batch means of
        per-image sums, for images in [-1, 1]; `noise` (eps, `[N,
        latent_dim]`) is drawn by `reparameterize` when None."""
        mean, log_var = self.encoder_outputs(images, training=training)
        if noise is None:
            z = self.reparameterize(mean, log_var)
        else:
            z = losses.reparameterize(mean, log_var, noise)
        logits = self.decoder_logits(z, training=training)
        targets = (ops.cast(images, "float32") + 1.0) / 2.0
        nll = losses.bernoulli_nll(targets, logits)
        kl = losses.gaussian_kl(mean, log_var)
        return nll + kl, nll, kl

    def discriminator_outputs(self, data):
        """None: a VAE has no discriminator."""
        return None

    def vae_step_loss(self, real):
        """The one step: the negative ELBO of the real batch."""
        loss, nll, kl = self.elbo_terms(self.unpack_images(real), training=True)
        return loss, {"loss": loss, "reconstruction": nll, "kl": kl}

    def build_steps(self):
        """One step: encoder and decoder together on the negative ELBO (then EMA)."""
        return [Step("vae", trains=("encoder", "generator"), loss="vae_step_loss",
                     optimizer="vae", after="update_ema")]

    def paper_optimizers(self):
        """{"vae": Adam(1e-3, beta_1 0.9)} (see the class docstring)."""
        return {"vae": _adam(1e-3, beta_1=0.9)}

    # ------------------------------------------------------------- inference

    def _images(self, images, where):
        images = np.asarray(images, "float32")
        self.check_images(images.shape, where=where)
        return images

    def encode(self, images, batch_size=256):
        """The posterior means E[z | x]: numpy float32 `[N, latent_dim]`.

        Args:
            images: array `[N, H, W, C]` in [-1, 1].
            batch_size: int. Images per forward pass.

        Returns:
            numpy float32 `[N, latent_dim]`.

        Example:
        ```python
        codes = keras_gans.get("vae").encode(images)
        ```
        """
        images = self._images(images, "encode()")
        return batched(lambda x: self.encoder_outputs(x)[0], [images], batch_size,
                       (self.latent_dim,))

    def reconstruct(self, images, batch_size=256):
        """Images decoded from their posterior means: numpy `[N, H, W, C]` in [-1, 1].

        Args:
            images: array `[N, H, W, C]` in [-1, 1].
            batch_size: int. Images per forward pass.

        Returns:
            numpy float32 `[N, H, W, C]`.

        Example:
        ```python
        again = keras_gans.get("vae").reconstruct(images)
        ```
        """
        images = self._images(images, "reconstruct()")
        return batched(lambda x: self.generate(self.encoder_outputs(x)[0]), [images],
                       batch_size, self.image_shape)

    def negative_elbo(self, images, seed=0, batch_size=256):
        """The negative ELBO of `images` (nats per image, one z per image from
        `seed`; the networks in inference mode): `{"loss", "reconstruction",
        "kl"}` as Python floats, means over the images.

        Args:
            images: array `[N, H, W, C]` in [-1, 1].
            seed: int. Seed of the reparameterization noise.
            batch_size: int. Images per forward pass.

        Returns:
            dict of str -> float.

        Example:
        ```python
        keras_gans.get("vae").negative_elbo(images)["loss"]
        ```
        """
        images = self._images(images, "negative_elbo()")
        noise = np.random.default_rng(seed).standard_normal(
            (len(images), self.latent_dim)).astype("float32")
        terms = batched(lambda x, e: ops.stack(self.elbo_terms(x, e))[None], [images, noise],
                        batch_size, (3,))
        sizes = [min(batch_size, len(images) - i) for i in range(0, len(images), batch_size)]
        mean = np.average(terms, axis=0, weights=sizes)
        return dict(zip(self.metric_names, (float(v) for v in mean)))

    def serving_signatures(self):
        """`serving_default` (z -> images) and `encode` (images ->
        {"z": posterior mean, "z_log_var": its log-variance})."""
        signatures = super().serving_signatures()

        def encode(images):
            mean, log_var = self.encoder_outputs(images)
            return {"z": mean, "z_log_var": log_var}

        spec = tf.TensorSpec([None, *self.image_shape], tf.float32, name="images")
        signatures["encode"] = (encode, [spec])
        return signatures
