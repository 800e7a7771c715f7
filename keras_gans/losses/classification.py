"""Loss terms of the conditional and latent-code GANs, as pure functions.

Class heads (AC-GAN, SGAN), label noise (rAC-GAN), latent codes (InfoGAN) and
Triple-GAN's three-player game. Each function takes logits (or Q's outputs)
and targets and returns a float32 scalar to *minimize*. Labels are int class
indices; a label below 0 marks an unlabelled example, which the classification
terms skip (semi-supervised data, see `keras_gans.data.load(..., labelled=N)`).
"""

import math

from keras import ops

from keras_gans.cross_replica import global_sum, replicas_here
from keras_gans.losses.common import to_float32

__all__ = [
    "masked_mean",
    "auxiliary_classifier_loss",
    "noisy_classifier_loss",
    "apply_transition",
    "infogan_categorical_loss",
    "infogan_continuous_loss",
    "mutual_information_loss",
    "semi_supervised_logits",
    "triple_gan_discriminator_loss",
    "triple_gan_classifier_adversarial_loss",
    "entropy_loss",
    "update_anchor_rows",
    "rotation_loss",
]


def masked_mean(values, mask):
    """Mean of `values` over the entries where `mask` is true; 0 if there are none.

    Under a `tf.distribute` strategy (inside `train_step`) the count is the
    global batch's: each replica returns `replicas * (its sum) / (global
    count)`, so the replicas' mean (what gets logged) and the sum of their
    gradients divided by `replicas` (what `GAN.apply_loss` applies) are those
    of the global masked mean, however the labelled rows fall on replicas.

    Args:
        values: tensor [N]. Per-example values.
        mask: bool or 0/1 tensor [N]. Which entries count.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.masked_mean(np.array([1.0, 2.0, 6.0]), np.array([True, False, True]))  # 3.5
    ```
    """
    mask = to_float32(mask)
    replicas = replicas_here()
    count = global_sum(ops.stop_gradient(ops.sum(mask)))
    return replicas * ops.sum(to_float32(values) * mask) / ops.maximum(count, 1.0)


def _labelled(labels):
    labels = ops.cast(labels, "int32")
    return labels >= 0, ops.maximum(labels, 0)


def _nll_of_probs(probs, labels, eps=1e-7):
    onehot = ops.one_hot(labels, ops.shape(probs)[-1])
    return -ops.log(ops.sum(probs * onehot, axis=-1) + eps)


def auxiliary_classifier_loss(class_logits, labels):
    """Cross-entropy of a class head: -E[log P(C = c | x)] over labelled examples.

    The L_C term of AC-GAN: D and G both maximize L_C, so both *minimize* this.
    Also the supervised term of SGAN and Triple-GAN's classifier.

    Reference: Odena et al. 2017, "Conditional Image Synthesis with Auxiliary
    Classifier GANs", arXiv:1610.09585, eq. 2-3.

    Args:
        class_logits: tensor [N, K]. Unnormalized class scores.
        labels: int tensor [N]. Classes in [0, K); negative entries are skipped.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.auxiliary_classifier_loss(class_logits, labels)
    ```
    """
    mask, labels = _labelled(labels)
    logp = ops.log_softmax(to_float32(class_logits), axis=-1)
    nll = -ops.sum(logp * ops.one_hot(labels, ops.shape(logp)[-1]), axis=-1)
    return masked_mean(nll, mask)


def apply_transition(clean_probs, transition):
    """Noisy-label posterior p(noisy | x) = sum_y p(y | x) T[y, noisy].

    Reference: Kaneko et al. 2019, "Label-Noise Robust Generative Adversarial
    Networks" (CVPR), section 3.

    Args:
        clean_probs: tensor [N, K]. p(y | x), rows summing to 1.
        transition: tensor [K, K]. T[i, j] = p(noisy label j | clean label i).

    Returns:
        A float32 tensor [N, K].

    Example:
    ```python
    keras_gans.losses.apply_transition(np.array([[0.75, 0.25]]), np.eye(2))  # [[0.75, 0.25]]
    ```
    """
    return ops.matmul(to_float32(clean_probs), to_float32(transition))


def noisy_classifier_loss(class_logits, noisy_labels, transition):
    """rAC-GAN's classifier loss: -E[log p(noisy | x)] with T applied to D's posterior.

    D's class head keeps modelling the *clean* posterior p(y | x); the loss
    compares the noisy labels with that posterior pushed through the noise
    transition matrix. With T = I it is `auxiliary_classifier_loss`.

    Reference: Kaneko et al. 2019, "Label-Noise Robust Generative Adversarial
    Networks" (CVPR), eq. 6.

    Args:
        class_logits: tensor [N, K]. D's class logits (clean posterior).
        noisy_labels: int tensor [N]. Observed labels; negative entries skipped.
        transition: tensor [K, K]. T[i, j] = p(noisy j | clean i).

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.noisy_classifier_loss(class_logits, noisy_labels, transition)
    ```
    """
    mask, labels = _labelled(noisy_labels)
    noisy = apply_transition(ops.softmax(to_float32(class_logits), axis=-1), transition)
    return masked_mean(_nll_of_probs(noisy, labels), mask)


def infogan_categorical_loss(code_logits, codes):
    """-E[log Q(c | x)] for a categorical code given one-hot (or soft) `codes`.

    Reference: Chen et al. 2016, "InfoGAN", arXiv:1606.03657, eq. 4-5 (L_I,
    whose constant H(c) is dropped).

    Args:
        code_logits: tensor [N, K]. Q's logits for the categorical code.
        codes: tensor [N, K]. The one-hot codes G was given.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.infogan_categorical_loss(np.zeros((1, 2)), np.array([[0.0, 1.0]]))  # log 2
    ```
    """
    logp = ops.log_softmax(to_float32(code_logits), axis=-1)
    return ops.mean(-ops.sum(to_float32(codes) * logp, axis=-1))


def infogan_continuous_loss(mean, codes, log_std=None):
    """-E[log Q(c | x)] for continuous codes under a factored Gaussian Q.

    The full Gaussian negative log-likelihood, summed over code dimensions and
    averaged over examples: 0.5 ((c - mu) / sigma)^2 + log sigma + 0.5 log 2 pi.

    Reference: Chen et al. 2016, "InfoGAN", section 6 (continuous codes as a
    factored Gaussian).

    Args:
        mean: tensor [N, D]. Q's predicted means.
        codes: tensor [N, D]. The codes G was given.
        log_std: tensor [N, D] or None. Q's log standard deviations; 0 (sigma
            fixed to 1) when None.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.infogan_continuous_loss(q_mean, codes, q_log_std)
    ```
    """
    mean, codes = to_float32(mean), to_float32(codes)
    log_std = ops.zeros_like(mean) if log_std is None else to_float32(log_std)
    z = (codes - mean) * ops.exp(-log_std)
    nll = 0.5 * ops.square(z) + log_std + 0.5 * math.log(2.0 * math.pi)
    return ops.mean(ops.sum(nll, axis=-1))


def mutual_information_loss(
    code_logits, categorical_codes, mean, continuous_codes, log_std=None, continuous_weight=1.0
):
    """InfoGAN's -L_I: categorical plus `continuous_weight` times continuous NLL.

    Either part may be None (a model with no categorical or no continuous code).

    Reference: Chen et al. 2016, "InfoGAN", eq. 5.

    Args:
        code_logits: tensor [N, K] or None. Q's logits for the categorical code.
        categorical_codes: tensor [N, K] or None. The one-hot codes G was given.
        mean: tensor [N, D] or None. Q's means for the continuous codes.
        continuous_codes: tensor [N, D] or None. The continuous codes G was given.
        log_std: tensor [N, D] or None. Q's log standard deviations (0 if None).
        continuous_weight: float. The weight of the continuous term.

    Returns:
        A float32 scalar (the Python float 0.0 when both parts are None).

    Example:
    ```python
    keras_gans.losses.mutual_information_loss(q_logits, cat_codes, q_mean, cont_codes)
    ```
    """
    loss = 0.0
    if code_logits is not None:
        loss = loss + infogan_categorical_loss(code_logits, categorical_codes)
    if mean is not None:
        loss = loss + continuous_weight * infogan_continuous_loss(mean, continuous_codes, log_std)
    return loss


def semi_supervised_logits(class_logits):
    """Real-vs-fake logits of a K-class D read as a K+1-way classifier.

    With the fake class's logit fixed at 0, p(real | x) = Z / (Z + 1) with
    Z = sum_k exp(l_k), so the logit of "real" is logsumexp(l). Any adversarial
    loss pair of `keras_gans.losses` then applies to it.

    Reference: Odena 2016, "Semi-Supervised Learning with GANs", arXiv:1606.01583;
    Salimans et al. 2016, "Improved Techniques for Training GANs", section 5.

    Args:
        class_logits: tensor [N, K]. D's class logits.

    Returns:
        A float32 tensor [N]: the logit of "real".

    Example:
    ```python
    keras_gans.losses.non_saturating_generator_loss(
        keras_gans.losses.semi_supervised_logits(class_logits))
    ```
    """
    return ops.logsumexp(to_float32(class_logits), axis=-1)


def triple_gan_discriminator_loss(
    real_logits, generated_logits, classified_logits, alpha=0.5, real_mask=None, classified_mask=None
):
    """Triple-GAN's D loss: real pairs vs pairs from G and from the classifier C.

    -E_real[log D(x, y)] - alpha E_C[log(1 - D(x, C(x)))]
    - (1 - alpha) E_G[log(1 - D(G(z, y), y))].

    Reference: Li et al. 2017, "Triple Generative Adversarial Nets",
    arXiv:1703.02291, eq. 1.

    Args:
        real_logits: tensor [N]. D on labelled real pairs.
        generated_logits: tensor [M]. D on (G(z, y), y).
        classified_logits: tensor [N]. D on (x, C(x)) for unlabelled x.
        alpha: float. The weight of C's pairs among the fakes.
        real_mask: bool tensor [N] or None (all). Which rows of `real_logits` count.
        classified_mask: bool tensor [N] or None (all). Which rows of
            `classified_logits` count.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.triple_gan_discriminator_loss(real_logits, g_logits, c_logits, alpha=0.5)
    ```
    """
    real_logits = ops.reshape(to_float32(real_logits), (-1,))
    classified_logits = ops.reshape(to_float32(classified_logits), (-1,))
    if real_mask is None:
        real_mask = ops.ones_like(real_logits)
    if classified_mask is None:
        classified_mask = ops.ones_like(classified_logits)
    real = masked_mean(ops.softplus(-real_logits), real_mask)
    by_c = masked_mean(ops.softplus(classified_logits), classified_mask)
    by_g = ops.mean(ops.softplus(to_float32(generated_logits)))
    return real + alpha * by_c + (1.0 - alpha) * by_g


def triple_gan_classifier_adversarial_loss(classified_logits, mask=None, weights=None):
    """C's adversarial term (non-saturating): -E[log D(x, C(x))] over unlabelled x.

    Reference: Li et al. 2017, "Triple Generative Adversarial Nets", eq. 1 (C's
    side of the game, in the non-saturating form the paper's code uses for G).

    Args:
        classified_logits: tensor [N]. D on (x, C(x)).
        mask: bool tensor [N] or None (all). Which rows count.
        weights: tensor [N] or None. Per-row factors of the term, e.g. C's
            probability of the label it gave D (the authors' "argmax" form,
            where the gradient reaches C through them).

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.triple_gan_classifier_adversarial_loss(c_logits)
    ```
    """
    classified_logits = ops.reshape(to_float32(classified_logits), (-1,))
    if mask is None:
        mask = ops.ones_like(classified_logits)
    cost = ops.softplus(-classified_logits)
    if weights is not None:
        cost = cost * ops.reshape(to_float32(weights), (-1,))
    return masked_mean(cost, mask)


def entropy_loss(class_logits, mask=None):
    """Mean entropy of the predicted class distributions (entropy minimization).

    -sum_k p_k log p_k averaged over the rows where `mask` is true (all when
    None): a classifier that minimizes it makes confident predictions on
    unlabelled data.

    Reference: Grandvalet & Bengio 2005, "Semi-supervised Learning by Entropy
    Minimization"; used on Triple-GAN's classifier in the paper's code (Li et
    al. 2017).

    Args:
        class_logits: tensor [N, K]. Class logits.
        mask: bool tensor [N] or None (all). Which rows count.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.entropy_loss(np.zeros((1, 2)))  # log 2
    ```
    """
    logp = ops.log_softmax(to_float32(class_logits), axis=-1)
    ent = -ops.sum(ops.exp(logp) * logp, axis=-1)
    if mask is None:
        return ops.mean(ent)
    return masked_mean(ent, mask)


def update_anchor_rows(best_scores, best_rows, probs, labels=None):
    """One step of anchor-point estimation of a noise transition matrix.

    For each class i keeps the example seen so far with the highest p(noisy = i | x)
    and its whole row p(noisy | x): at such an "anchor" x, p(clean = i | x) is
    about 1, so the row estimates T[i, :].

    Reference: Patrini et al. 2017, "Making Deep Neural Networks Robust to Label
    Noise: a Loss Correction Approach", section 4 (used by Kaneko et al. 2019).

    Args:
        best_scores: tensor [K]. The best p(noisy = i | x) so far (start at -1).
        best_rows: tensor [K, K]. The rows kept so far.
        probs: tensor [N, K]. A classifier's p(noisy | x) on a batch.
        labels: unused; for symmetry with the other terms.

    Returns:
        The new `(best_scores, best_rows)`, float32 tensors [K] and [K, K].

    Example:
    ```python
    scores, rows = keras_gans.losses.update_anchor_rows(scores, rows, probs)
    ```
    """
    probs = to_float32(probs)
    batch_best = ops.max(probs, axis=0)  # [K]
    arg = ops.argmax(probs, axis=0)  # [K]
    rows = ops.take(probs, arg, axis=0)  # [K, K]
    better = batch_best > to_float32(best_scores)
    new_scores = ops.where(better, batch_best, to_float32(best_scores))
    new_rows = ops.where(better[:, None], rows, to_float32(best_rows))
    return new_scores, new_rows


def rotation_loss(rotation_logits, rotations):
    """Self-supervised rotation loss: the cross-entropy of a 4-way rotation head.

    Every row is an image turned by 0, 90, 180 or 270 degrees; a head on the
    discriminator's features predicts which (Gidaris et al. 2018). In the
    self-supervised GAN, D minimizes it on rotated real images (weight 1.0)
    and G on rotated fakes (weight 0.2), so that D keeps features of the
    images' content and G makes images whose turns D can tell.

    Reference: Chen et al. 2019, "Self-Supervised GANs via Auxiliary Rotation
    Loss", arXiv:1811.11212, eq. 2; Lucic et al. 2019, "High-Fidelity Image
    Generation With Fewer Labels", arXiv:1903.02271, section 3.3.

    Args:
        rotation_logits: tensor [N, R]. Unnormalized scores of the R turns
            (R = 4).
        rotations: int tensor [N]. The turn of each row, in [0, R) (quarter
            turns).

    Returns:
        A float32 scalar: -mean(log softmax(rotation_logits)[rotations]).

    Example:
    ```python
    keras_gans.losses.rotation_loss(np.zeros((2, 4)), np.array([0, 3]))  # log(4)
    ```
    """
    logp = ops.log_softmax(to_float32(rotation_logits), axis=-1)
    onehot = ops.one_hot(ops.cast(rotations, "int32"), ops.shape(logp)[-1])
    return ops.mean(-ops.sum(logp * onehot, axis=-1))
