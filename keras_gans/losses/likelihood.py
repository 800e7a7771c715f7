"""Likelihood terms of a variational autoencoder, as pure functions.

The negative evidence lower bound (ELBO) of Kingma & Welling's VAE is a
reconstruction negative log-likelihood -log p(x | z) plus the KL divergence
of the encoder's Gaussian q(z | x) from the prior N(0, I). Both terms are
summed over one example's dimensions (pixels; latent units), as the bound
is, and averaged over the batch: the per-replica mean that
`GAN.apply_loss` scales by the number of replicas. The functions accept
numpy arrays, Python floats or tensors, and return float32.
"""

from keras import ops

from keras_gans.losses.common import to_float32

__all__ = ["bernoulli_nll", "gaussian_kl", "reparameterize"]


def _per_example_sum_mean(x):
    """Sum over every axis but the first (the batch), then the batch mean."""
    x = to_float32(x)
    if len(x.shape) > 1:
        x = ops.sum(ops.reshape(x, (ops.shape(x)[0], -1)), axis=1)
    return ops.mean(x)


def bernoulli_nll(targets, logits):
    """Negative log-likelihood of `targets` under Bernoulli(sigmoid(`logits`)).

    Per element, -[t log sigmoid(l) + (1 - t) log(1 - sigmoid(l))], computed
    from the logits in the stable form max(l, 0) - l t + log(1 + exp(-|l|))
    (no clipping, finite at any logit); summed over an example's elements
    (every axis but the first) and averaged over the batch. Targets between 0
    and 1 (grey pixels) give the cross-entropy of the continuous relaxation,
    as for MNIST's grey levels in the paper.

    Images in [-1, 1] are targets (x + 1) / 2; a decoder whose images are
    tanh(a) has logits 2 a, since 2 sigmoid(l) - 1 = tanh(l / 2).

    Reference: Kingma & Welling 2013, "Auto-Encoding Variational Bayes",
    arXiv:1312.6114, appendix C.1 (the Bernoulli MLP decoder, log p(x | z) =
    sum_i x_i log y_i + (1 - x_i) log(1 - y_i)).

    Args:
        targets: tensor [B, ...]. Values in [0, 1].
        logits: tensor. Same shape: the decoder's logits.

    Returns:
        A float32 scalar: the batch mean of the per-example sums.

    Example:
    ```python
    keras_gans.losses.bernoulli_nll((images + 1) / 2, decoder_logits)
    ```
    """
    t, logits = to_float32(targets), to_float32(logits)
    per_element = (ops.maximum(logits, 0.0) - logits * t
                   + ops.log1p(ops.exp(-ops.abs(logits))))
    return _per_example_sum_mean(per_element)


def gaussian_kl(mean, log_var):
    """KL(N(mean, exp(log_var)) || N(0, I)) in closed form.

    Per latent unit, 0.5 (exp(log_var) + mean^2 - 1 - log_var); summed over an
    example's units (every axis but the first) and averaged over the batch.
    It is 0 exactly at mean 0 and log_var 0.

    Reference: Kingma & Welling 2013, "Auto-Encoding Variational Bayes",
    arXiv:1312.6114, appendix B (-D_KL = 1/2 sum_j (1 + log sigma_j^2 -
    mu_j^2 - sigma_j^2)).

    Args:
        mean: tensor [B, ...]. The encoder's means.
        log_var: tensor. Same shape: the encoder's log-variances.

    Returns:
        A float32 scalar: the batch mean of the per-example sums.

    Example:
    ```python
    keras_gans.losses.gaussian_kl(z_mean, z_log_var)
    ```
    """
    mean, log_var = to_float32(mean), to_float32(log_var)
    per_unit = 0.5 * (ops.exp(log_var) + ops.square(mean) - 1.0 - log_var)
    return _per_example_sum_mean(per_unit)


def reparameterize(mean, log_var, noise):
    """A sample of N(mean, exp(log_var)) as a differentiable function of
    `mean` and `log_var`: mean + exp(log_var / 2) * noise.

    The randomness is `noise` ~ N(0, I), drawn by the caller (a model draws
    it from its seeded generator), so gradients flow to the encoder.

    Reference: Kingma & Welling 2013, "Auto-Encoding Variational Bayes",
    arXiv:1312.6114, section 2.4 (the reparameterization trick,
    z = mu + sigma * epsilon).

    Args:
        mean: tensor [B, ...]. Means.
        log_var: tensor. Same shape: log-variances.
        noise: tensor. Same shape: standard normal draws.

    Returns:
        A float32 tensor of the same shape.

    Example:
    ```python
    keras_gans.losses.reparameterize(z_mean, z_log_var, np.random.standard_normal(z_mean.shape))
    ```
    """
    mean, log_var = to_float32(mean), to_float32(log_var)
    return mean + ops.exp(0.5 * log_var) * to_float32(noise)
