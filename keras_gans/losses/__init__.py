"""Every loss term of keras-gans, as a pure function of network outputs.

The terms live in one module per theme, and every public name is also here,
so `keras_gans.losses.<name>` reaches any of them:

- `adversarial`: the G / D loss pairs (minimax, non-saturating, least
  squares, Wasserstein, hinge, f-divergences, relativistic), `get(name)` and
  `names()`, CartoonGAN's `target_loss` and Improved GAN's
  `feature_matching`;
- `classification`: class heads, label noise, InfoGAN's codes, Triple-GAN;
- `energy`: EBGAN and BEGAN (energies, the pull-away term, BEGAN's k_t);
- `reconstruction`: `l1`, `l2`, `huber`, Gram-matrix style and AnimeGAN's
  colour loss;
- `likelihood`: the VAE's Bernoulli negative log-likelihood, Gaussian KL
  and reparameterized sample;
- `penalties`: WGAN-GP, R1, R2, StyleGAN2's path length, BigGAN's
  orthogonal regularization, historical averaging;
- `constraints`: WGAN's weight clipping;
- `common`: the float32 helpers the modules share.

Terms take tensors of any rank (numpy arrays and floats too) and return
float32 scalars to *minimize*; the caller weights them.

Example:
```python
g_loss_fn, d_loss_fn = keras_gans.losses.get("hinge")
d_loss = d_loss_fn(real_logits, fake_logits) + 5.0 * keras_gans.losses.r1_penalty(d, real)
```
"""

from keras_gans.losses import (  # noqa: F401
    adversarial,
    classification,
    common,
    constraints,
    energy,
    likelihood,
    penalties,
    reconstruction,
)
from keras_gans.losses.adversarial import *  # noqa: F401,F403
from keras_gans.losses.classification import *  # noqa: F401,F403
from keras_gans.losses.constraints import *  # noqa: F401,F403
from keras_gans.losses.energy import *  # noqa: F401,F403
from keras_gans.losses.likelihood import *  # noqa: F401,F403
from keras_gans.losses.penalties import *  # noqa: F401,F403
from keras_gans.losses.reconstruction import *  # noqa: F401,F403

__all__ = [
    *adversarial.__all__,
    *classification.__all__,
    *energy.__all__,
    *reconstruction.__all__,
    *likelihood.__all__,
    *penalties.__all__,
    *constraints.__all__,
]
