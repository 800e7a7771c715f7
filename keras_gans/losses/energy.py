"""Losses of the energy / autoencoder GANs (EBGAN, BEGAN) as pure functions.

The discriminator of these models is an autoencoder; an image's energy is how
badly it is reconstructed. The functions take energies (or batch-mean
reconstruction losses) rather than logits. They accept numpy arrays, Python
floats or tensors, and return float32.
"""

from keras import ops

from keras_gans.losses.common import to_float32

__all__ = [
    "reconstruction_energy",
    "pull_away_term",
    "ebgan_discriminator_loss",
    "ebgan_generator_loss",
    "began_discriminator_loss",
    "began_generator_loss",
    "began_k_update",
    "began_convergence",
]


def reconstruction_energy(images, reconstructions, norm="l2"):
    """Per-image reconstruction error: the mean over pixels of the error.

    Reference: Zhao et al. 2016, "Energy-based GAN", arXiv:1609.03126, section
    2.3 (D(x) = ||Dec(Enc(x)) - x||); Berthelot et al. 2017, "BEGAN",
    arXiv:1703.10717, eq. 1 (L(v) = |v - D(v)|^eta).

    Args:
        images: tensor. [B, ...] the autoencoder's inputs.
        reconstructions: tensor. Same shape, its outputs.
        norm: str. "l2" (mean squared error, EBGAN's energy) or "l1" (mean
            absolute error, BEGAN's L(v) with eta = 1).

    Returns:
        A float32 [B] tensor.

    Example:
    ```python
    keras_gans.losses.reconstruction_energy(images, autoencoder(images), norm="l1")
    ```
    """
    diff = to_float32(images) - to_float32(reconstructions)
    if norm == "l2":
        err = ops.square(diff)
    elif norm == "l1":
        err = ops.abs(diff)
    else:
        raise ValueError(f"norm must be 'l1' or 'l2'; got {norm!r}.")
    return ops.mean(ops.reshape(err, (ops.shape(err)[0], -1)), axis=1)


def pull_away_term(codes, epsilon=1e-8):
    """EBGAN's pull-away term: mean squared cosine similarity between codes.

    PT = 1 / (N (N - 1)) * sum_{i != j} (s_i . s_j / (||s_i|| ||s_j||))^2 over
    the N codes of a batch; it is small when the codes point in different
    directions, so adding it to G's loss discourages mode collapse.

    Reference: Zhao et al. 2016, "Energy-based Generative Adversarial Network",
    arXiv:1609.03126, eq. 6.

    Args:
        codes: tensor. [N, ...] encoder codes (flattened per example), N >= 2.
        epsilon: float. Guards the normalization of all-zero codes.

    Returns:
        A float32 scalar in [0, 1].

    Example:
    ```python
    keras_gans.losses.pull_away_term(np.eye(3))  # 0.0: orthogonal codes
    ```
    """
    codes = to_float32(codes)
    n = ops.shape(codes)[0]
    s = ops.reshape(codes, (n, -1))
    s = s / ops.sqrt(ops.sum(ops.square(s), axis=1, keepdims=True) + epsilon)
    cos2 = ops.square(ops.matmul(s, ops.transpose(s)))
    off_diagonal = ops.sum(cos2) - ops.sum(ops.diagonal(cos2))
    n = ops.cast(n, "float32")
    return off_diagonal / ops.maximum(n * (n - 1.0), 1.0)


# --- EBGAN (Zhao et al. 2016, arXiv:1609.03126, eq. 1-2 and eq. 6) -----------


def ebgan_discriminator_loss(real_energy, fake_energy, margin=1.0):
    """EBGAN D loss: E[D(x)] + E[relu(m - D(G(z)))].

    The hinge is taken per generated image, then averaged.

    Reference: Zhao et al. 2016, "Energy-based GAN", arXiv:1609.03126, eq. 1.

    Args:
        real_energy: tensor. [B] energies of real images.
        fake_energy: tensor. [B] energies of generated images.
        margin: float. m; fakes with energy above it cost D nothing.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.ebgan_discriminator_loss(np.zeros(2), np.array([0.5, 2.0]))  # 0.25
    ```
    """
    return ops.mean(to_float32(real_energy)) + ops.mean(ops.relu(margin - to_float32(fake_energy)))


def ebgan_generator_loss(fake_energy, codes=None, pt_weight=0.0):
    """EBGAN G loss: E[D(G(z))] + pt_weight * PT(codes).

    Reference: Zhao et al. 2016, "Energy-based GAN", eq. 2 and section 2.4 (the
    pull-away term, `pull_away_term`, on the encoder's codes of fakes).

    Args:
        fake_energy: tensor. [B] energies of generated images.
        codes: tensor or None. [B, ...] encoder codes of the same images.
        pt_weight: float. lambda_pt (0.1 in the paper); no term when 0.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.ebgan_generator_loss(fake_energy, codes, pt_weight=0.1)
    ```
    """
    loss = ops.mean(to_float32(fake_energy))
    if codes is not None and pt_weight:
        loss = loss + pt_weight * pull_away_term(codes)
    return loss


# --- BEGAN (Berthelot et al. 2017, arXiv:1703.10717, eq. 4-5) ----------------


def began_discriminator_loss(real_loss, fake_loss, k):
    """BEGAN D loss: L(x) - k_t * L(G(z)).

    Reference: Berthelot et al. 2017, "BEGAN", arXiv:1703.10717, eq. 4.

    Args:
        real_loss: scalar. L(x), the mean reconstruction loss of real images.
        fake_loss: scalar. L(G(z)), that of generated images.
        k: scalar. The control variable k_t in [0, 1].

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.began_discriminator_loss(0.5, 0.25, k=0.4)  # 0.4
    ```
    """
    return to_float32(real_loss) - to_float32(k) * to_float32(fake_loss)


def began_generator_loss(fake_loss):
    """BEGAN G loss: L(G(z)).

    Reference: Berthelot et al. 2017, "BEGAN", eq. 4.

    Args:
        fake_loss: scalar. L(G(z)), the mean reconstruction loss of fakes.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.began_generator_loss(0.25)  # 0.25
    ```
    """
    return to_float32(fake_loss)


def began_k_update(k, real_loss, fake_loss, gamma=0.5, lambda_k=0.001):
    """k_{t+1} = clip(k_t + lambda_k * (gamma * L(x) - L(G(z))), 0, 1).

    Proportional control that keeps E[L(G(z))] = gamma * E[L(x)].

    Reference: Berthelot et al. 2017, "BEGAN", eq. 4.

    Args:
        k: scalar. k_t.
        real_loss: scalar. L(x).
        fake_loss: scalar. L(G(z)).
        gamma: float. The diversity ratio.
        lambda_k: float. The proportional gain (0.001 in the paper).

    Returns:
        A float32 scalar in [0, 1]: k_{t+1}.

    Example:
    ```python
    keras_gans.losses.began_k_update(0.0, 1.0, 0.25, gamma=0.5, lambda_k=0.1)  # 0.025
    ```
    """
    k = to_float32(k) + lambda_k * (gamma * to_float32(real_loss) - to_float32(fake_loss))
    return ops.clip(k, 0.0, 1.0)


def began_convergence(real_loss, fake_loss, gamma=0.5):
    """The global convergence measure M = L(x) + |gamma * L(x) - L(G(z))|.

    Reference: Berthelot et al. 2017, "BEGAN", section 3.4.2.

    Args:
        real_loss: scalar. L(x).
        fake_loss: scalar. L(G(z)).
        gamma: float. The diversity ratio.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.began_convergence(1.0, 0.25, gamma=0.5)  # 1.25
    ```
    """
    real_loss = to_float32(real_loss)
    return real_loss + ops.abs(gamma * real_loss - to_float32(fake_loss))
