"""BEGAN (Berthelot et al. 2017, arXiv:1703.10717)."""

import keras
from keras import ops

from keras_gans import losses as losses_lib
from keras_gans.cross_replica import global_mean
from keras_gans.models.base import GAN, _adam
from keras_gans.networks import autoencoder_decoder, autoencoder_discriminator
from keras_gans.registry import register_model


@register_model(
    "began",
    defaults={
        "image_shape": (32, 32, 1),
        "latent_dim": 32,
        "g_width": 32,
        "d_width": 32,
        "code_dim": 64,
        "gamma": 1.0,
        "lambda_k": 0.01,
        "learning_rate": 2e-4,
        "g_normalization": "batch",
        "g_activation": "relu",
    },
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4, "code_dim": 8},
)
class BEGAN(GAN):
    """Boundary equilibrium GAN: autoencoder D, L1 reconstruction, k_t control.

    With L(v) = mean |v - AE(v)|, D minimizes L(x) - k_t L(G(z)) and G minimizes
    L(G(z)). After each step k_t moves by lambda_k (gamma L(x) - L(G(z))),
    clipped to [0, 1], which holds L(G(z)) near gamma L(x); gamma (the diversity
    ratio) trades sample quality (low) for diversity (high). The convergence
    measure M = L(x) + |gamma L(x) - L(G(z))| is logged as `convergence`.

    k_t is model state: a non-trainable variable (`model.k_t`), saved in
    `.keras` files and checkpoints, so training resumes with the k it reached.
    The `k_t` and `convergence` metrics are the means over the epoch so far, as
    for every Keras metric; `model.k_t` holds the current value.

    D is `keras_gans.networks.autoencoder_discriminator` (no normalization,
    linear reconstruction); G has the architecture of its decoder
    (`autoencoder_decoder`) with its own weights, as in the paper. The class
    defaults are the paper's (gamma 0.5, lambda_k 0.001, Adam 1e-4, ELU in G)
    except D's activation, LeakyReLU. The registered `began` preset is tuned
    for ~600 steps on the bundled digits: gamma 1.0, lambda_k 0.01, Adam
    2e-4, a BatchNorm + ReLU G (DCGAN's generator) and a 32-d z; see
    docs/MODEL_NOTES.md#began for why. On `fashion_mnist` its data preset
    (`data_presets`) also puts BatchNorm in D's encoder and decoder
    (`d_normalization="batch"`; D sees the real and the generated batch in
    separate calls, so each is normalized by its own statistics).

    Reference: Berthelot et al. 2017, arXiv:1703.10717.

    Args:
        image_shape: tuple. (H, W, C); square, a side that is 3 to 7 times a
            power of two in [8, 256] (e.g. 28 or 32).
        latent_dim: int. Size of z.
        g_width: int. Filters of G's last hidden stage.
        d_width: int. Filters of the autoencoder's first encoder stage.
        code_dim: int. Size of the autoencoder's code (h in the paper).
        gamma: float. The diversity ratio, in (0, 1].
        lambda_k: float. The learning rate of k_t (0.001 in the paper).
        k_0: float. Initial k_t (0 in the paper).
        g_normalization: str. "none" (the paper) or "batch" in G.
        g_activation: str. "elu" (the paper), "relu" or "leaky_relu" in G.
        d_normalization: str. "none" (the paper) or "batch" in the autoencoder.
        d_activation: str. "leaky_relu", "elu" or "relu" in the autoencoder.
        learning_rate: float. Adam's rate for both players when `compile()`
            gets no optimizers.
        **kwargs: passed to `keras_gans.models.GAN` (`seed`, ...).

    Example:
    ```python
    model = keras_gans.get("began")
    model.compile()
    history = model.fit(keras_gans.data.load("digits", image_size=32), epochs=25)
    history.history["convergence"]  # M per epoch; falls as training converges
    float(model.k_t)
    ```
    """

    metric_names = ("d_loss", "g_loss", "real_loss", "fake_loss", "convergence", "k_t")
    default_epochs = 25
    discriminator_is_autoencoder = True
    #: Fashion-MNIST's 15,625-step runs take G and D at width 64, an EMA of
    #: G, a 16-d code and z (the paper's Nz = Nh), Adam at 4e-4 and BatchNorm
    #: in D's autoencoder: Lucic et al.'s protocol FID 16.2, against 26.3
    #: without D's BatchNorm, 28.5 at 2e-4, 31.2 with a 64-d code and 32-d z
    #: and 40.7 with the digits preset, which stays (width 64 drew 8/10
    #: digits): docs/MODEL_NOTES.md, docs/PAPER_TABLE.md.
    data_presets = {"fashion_mnist": {"g_width": 64, "d_width": 64, "ema": 0.999,
                                      "ema_rampup": 0.05, "code_dim": 16, "latent_dim": 16,
                                      "learning_rate": 4e-4, "d_normalization": "batch"}}
    #: What the autoencoder builders take.
    argument_rules = {"*_normalization": ("batch", "none"),
                      "*_activation": ("leaky_relu", "elu", "relu")}

    def __init__(
        self,
        image_shape=(32, 32, 1),
        latent_dim=64,
        g_width=64,
        d_width=64,
        code_dim=64,
        gamma=0.5,
        lambda_k=0.001,
        k_0=0.0,
        g_normalization="none",
        g_activation="elu",
        d_normalization="none",
        d_activation="leaky_relu",
        learning_rate=1e-4,
        **kwargs,
    ):
        if not 0.0 < float(gamma) <= 1.0:
            raise ValueError(
                f"gamma must be in (0, 1], the paper's range; got {gamma}. "
                "Above 1, k_t saturates and training diverged (MODEL_NOTES began)."
            )
        if not 0.0 <= float(k_0) <= 1.0:
            raise ValueError(f"k_0 must be in [0, 1]; got {k_0}.")
        super().__init__(image_shape, latent_dim, **kwargs)
        self.gamma = float(gamma)
        self.lambda_k = float(lambda_k)
        self.learning_rate = float(learning_rate)
        self.set_networks(
            lambda: autoencoder_decoder(
                self.image_shape, self.latent_dim, g_width,
                normalization=g_normalization, activation=g_activation,
                name="generator",
            ),
            lambda: autoencoder_discriminator(
                self.image_shape, code_dim, d_width,
                normalization=d_normalization, activation=d_activation,
            ),
        )
        # "mean" aggregation lets each replica assign it in replica context;
        # every replica assigns the same value (see after_train_step).
        self.k_t = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(float(k_0)),
            trainable=False,
            aggregation="mean",
            name="k_t",
        )

    def paper_optimizers(self):
        # Adam at `learning_rate` for both (1e-4 by default, the paper's initial
        # rate; the paper also halves it when M stalls, left to the user here).
        return _adam(self.learning_rate), _adam(self.learning_rate)

    def reconstruction_loss(self, images, training=False):
        """L(v): the batch mean of each image's mean absolute reconstruction error."""
        reconstruction, _ = self.discriminator(images, training=training)
        return ops.mean(losses_lib.reconstruction_energy(images, reconstruction, "l1"))

    def discriminator_loss(self, real, fake):
        real_loss = self.reconstruction_loss(real, training=True)
        fake_loss = self.reconstruction_loss(fake, training=True)
        loss = losses_lib.began_discriminator_loss(real_loss, fake_loss, self.k_t)
        return loss, {"d_loss": loss, "real_loss": real_loss, "fake_loss": fake_loss}

    def generator_loss(self, real, z):
        fake = self.generator(z, training=True)
        loss = losses_lib.began_generator_loss(self.reconstruction_loss(fake, training=True))
        return loss, {"g_loss": loss}

    def after_train_step(self, logs, real):
        # The logs hold the unscaled per-replica means of L(x) and L(G(z)) from
        # the D step (`apply_loss` divides only the copy it differentiates).
        # Under a strategy, average them over replicas first, so that every
        # replica computes the same k_{t+1} from the global batch means.
        real_loss, fake_loss = global_mean([logs["real_loss"], logs["fake_loss"]])
        k = losses_lib.began_k_update(
            self.k_t, real_loss, fake_loss, self.gamma, self.lambda_k
        )
        self.k_t.assign(k)
        logs["convergence"] = losses_lib.began_convergence(real_loss, fake_loss, self.gamma)
        logs["k_t"] = ops.convert_to_tensor(self.k_t)
        return logs
