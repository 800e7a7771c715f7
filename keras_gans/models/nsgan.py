"""Non-saturating GAN (Goodfellow et al. 2014, arXiv:1406.2661, section 3)."""

from keras_gans.models.dcgan import WIDE_EMA_DEFAULTS, ConvGAN
from keras_gans.registry import register_model


@register_model(
    "nsgan",
    # EMA of G (0.999, StyleGAN2's ramp-up 0.05): Fashion-MNIST FID 27.3
    # against 30.3 without (docs/PAPER_TABLE.md, "Defaults tried"); on digits
    # at 30 epochs 10/10 at SVC confidence 0.653 against 9/10 at 0.655
    # (docs/digits_candidates.jsonl). Width 64 in G and D (with that EMA):
    # Fashion-MNIST FID 19.1 against 27.3 at width 32, below the study's best
    # 26.5; on digits 10/10 at SVC confidence 0.678 after 30 epochs.
    defaults={**WIDE_EMA_DEFAULTS},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4},
)
class NSGAN(ConvGAN):
    """Non-saturating GAN: G minimizes -log D(G(z)); DCGAN networks.

    The objective of the paper's eq. 1 for D (maximize log D(x) +
    log(1 - D(G(z)))), with the generator update of its section 3: G maximizes
    log D(G(z)) instead of minimizing log(1 - D(G(z))), which gives strong
    gradients early in training when D rejects the fakes confidently. The
    networks are DCGAN's (`gan` keeps the paper's MLPs).

    Reference: Goodfellow et al. 2014, arXiv:1406.2661, section 3.

    Args:
        label_smoothing: float. One-sided smoothing of D's real target
            (0 in the paper; Salimans et al. 2016 use 0.1).
        **kwargs: passed to `keras_gans.models.dcgan.ConvGAN` (image_shape,
            latent_dim, g_width, d_width, d_normalization, seed, ...).

    Example:
    ```python
    model = keras_gans.get("nsgan")
    model.compile()  # Adam(2e-4, beta_1=0.5) for both
    model.fit(keras_gans.data.load("digits", image_size=32), epochs=30)
    ```
    """

    default_epochs = 30

    def __init__(self, label_smoothing=0.0, **kwargs):
        loss = kwargs.pop("loss", "non_saturating")
        if loss != "non_saturating":
            raise ValueError(
                f"nsgan always uses the non-saturating loss; got loss={loss!r}. "
                "Use keras_gans.get('dcgan', loss=...) for another loss."
            )
        if not 0.0 <= float(label_smoothing) < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1); got {label_smoothing!r}.")
        kwargs["loss_args"] = {"label_smoothing": float(label_smoothing)}
        super().__init__(loss="non_saturating", **kwargs)
        self.label_smoothing = float(label_smoothing)
