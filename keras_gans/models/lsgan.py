"""LSGAN (Mao et al. 2016, arXiv:1611.04076)."""

from keras_gans.models.base import _adam
from keras_gans.models.dcgan import WIDE_EMA_DEFAULTS, ConvGAN
from keras_gans.registry import register_model


@register_model(
    "lsgan",
    # nsgan's width 64 and EMA of G (0.999, ramp-up 0.05): Fashion-MNIST FID
    # 21.6 on the study's protocol against 32.6 at width 32 without EMA (the
    # study's best: 30.7; docs/PAPER_TABLE.md, "Defaults tried"); on digits
    # (100 epochs, seed 0) 10/10 at SVC confidence 0.721 and digits-FID 43.0
    # against 0.707 and 49.5; at seed 1 10/10 at 0.728 and 45.6, where the
    # old preset did not learn (3/10, digits-FID 507.2).
    defaults={**WIDE_EMA_DEFAULTS},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4},
)
class LSGAN(ConvGAN):
    """Least squares GAN with targets a (fakes), b (reals), c (what G wants).

    The paper's two settings: a=0, b=1, c=1 (the default) and a=-1, b=1, c=0.
    D's output is linear.

    Reference: Mao et al. 2016, arXiv:1611.04076.

    Args:
        a: float. D's target for generated images.
        b: float. D's target for real images.
        c: float. The value G wants D to give its images.
        **kwargs: passed to `ConvGAN` (image_shape, latent_dim, widths).

    Example:
    ```python
    model = keras_gans.get("lsgan", a=-1.0, b=1.0, c=0.0)
    model.compile()
    ```
    """

    #: Epochs `keras-gans train` runs when --epochs is not given.
    default_epochs = 100

    def __init__(self, a=0.0, b=1.0, c=1.0, **kwargs):
        kwargs["loss"] = "least_squares"
        kwargs["loss_args"] = {"a": float(a), "b": float(b), "c": float(c)}
        super().__init__(**kwargs)
        self.a, self.b, self.c = float(a), float(b), float(c)

    def paper_optimizers(self):
        # Mao et al. section 4: Adam with learning rate 2e-4 (0.0002), beta1 0.5.
        return _adam(2e-4), _adam(2e-4)
