"""DRAGAN (Kodali et al. 2017, arXiv:1705.07215)."""

from keras import ops

from keras_gans.losses import dragan_penalty
from keras_gans.models.base import _adam
from keras_gans.models.dcgan import WIDE_EMA_DEFAULTS, ConvGAN
from keras_gans.registry import register_model


@register_model(
    "dragan",
    # nsgan's width 64 and EMA of G (0.999, ramp-up 0.05): Fashion-MNIST FID
    # 26.8 on the study's protocol against 41.5 at width 32 without EMA (the
    # study's best: 27.7; docs/PAPER_TABLE.md, "Defaults tried"); on digits
    # (60 epochs, seed 0) 10/10 at SVC confidence 0.669 and digits-FID 42.6
    # against 0.660 and 49.7; at seed 1 10/10 at 0.690 and 40.5 against 0.645
    # and 50.5.
    defaults={**WIDE_EMA_DEFAULTS},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4},
)
class DRAGAN(ConvGAN):
    """DRAGAN: non-saturating GAN + gradient penalty in a neighbourhood of the real data.

    D's loss is the standard GAN loss plus lambda * E[(||grad D(x_hat)|| - 1)^2]
    where x_hat lies between a real image x and its perturbed copy
    x + c * std(x) * u (u ~ U[0, 1) per pixel, std over the batch), see
    `keras_gans.losses.dragan_penalty`. Unlike WGAN-GP's penalty, which
    constrains D on lines between real and generated images, this one only
    constrains D's gradients near the data, which the paper argues avoids the
    sharp gradients of bad local equilibria (mode collapse).

    D has no batch normalization (`d_normalization` is "none" by default, as
    in the authors' code; "layer" is allowed, "batch" refused): the penalty
    is a per-example gradient norm, and with batch statistics each image's
    score would depend on the rest of the batch, so the gradient would not be
    that of D at x_hat alone.

    Reference: Kodali et al. 2017, "On Convergence and Stability of GANs",
    arXiv:1705.07215 (lambda = 10, k = 1); c = 0.5, the interpolation and
    Adam(1e-4, 0.5, 0.9) follow the authors' code (kodalinaveen3/DRAGAN).

    Args:
        gp_weight: float. The penalty's lambda (10 in the paper), >= 0.
        perturbation_scale: float. c, the neighbourhood's size in units of
            the batch's std (0.5 in the authors' code), > 0.
        d_normalization: str. "none" (the default) or "layer".
        **kwargs: passed to `ConvGAN` (`loss` defaults to "non_saturating").

    Example:
    ```python
    model = keras_gans.get("dragan")
    model.compile()  # Adam(1e-4, beta_1=0.5, beta_2=0.9) for both, as in the authors' code
    model.fit(keras_gans.data.load("digits", image_size=32), epochs=5)
    ```
    """

    #: Epochs `keras-gans train` runs when --epochs is not given.
    default_epochs = 60

    metric_names = ("d_loss", "g_loss", "gradient_penalty")

    argument_rules = {
        "perturbation_scale": "positive",
        "d_normalization": ("layer", "none"),
    }

    def __init__(self, gp_weight=10.0, perturbation_scale=0.5, d_normalization="none",
                 **kwargs):
        kwargs.setdefault("loss", "non_saturating")
        super().__init__(d_normalization=d_normalization, **kwargs)
        self.gp_weight = float(gp_weight)
        self.perturbation_scale = float(perturbation_scale)

    def paper_optimizers(self):
        return _adam(1e-4, 0.5, 0.9), _adam(1e-4, 0.5, 0.9)

    def discriminator_loss(self, real, fake):
        loss, logs = super().discriminator_loss(real, fake)
        shape = ops.shape(real)
        noise = self.random_uniform(shape)
        alpha = self.random_uniform([shape[0]] + [1] * (len(real.shape) - 1))
        gp = dragan_penalty(self.discriminator, real, scale=self.perturbation_scale,
                            noise=noise, alpha=alpha)
        total = loss + self.gp_weight * gp
        return total, {"d_loss": total, "gradient_penalty": gp}
