"""Candidate defaults of an unconditional model on digits, judged by the SVC.

Trains a registered model on the bundled digits at 32 px (or `size=`; seed 0, or `seed=`) with some
settings changed, and every few epochs scores 1000 samples (seed 0) with
`benchmarks/quality.py`'s second judge (`svc_scores`: scikit-learn's SVC on
the 8x8 digits): its coverage of the ten digits and its mean confidence.
Each score (with `svc_rarest`, the rarest digit's count of confident samples; coverage counts a
digit from 20 of the 1000) is one JSON line in docs/digits_candidates.jsonl, so what was
tried for issue 16's "defaults that win" is on record beside
docs/PAPER_TABLE.md's "Defaults tried".

    python benchmarks/digits_candidates.py NAME EPOCHS [KEY=VALUE ...]
    python benchmarks/digits_candidates.py dcgan 40                      # the defaults
    python benchmarks/digits_candidates.py nsgan 30 ema=0.99 every=10
    python benchmarks/digits_candidates.py dcgan 60 lr=1e-3 batch=16

Keys: model (default dcgan), seed (default 0: the weights', the data order's and the model's
seed; the judged samples keep seed 0), every (epochs between scores, default 10), fid=1 (each score
also gives digits-FID on the same 1000 samples, as `quality.py` scores),
batch (default 64), size (the image side G draws and D reads, default 32;
the judge takes samples of any side back to 8x8), lr / dlr / b1 / b2 (Adam for G and D; when any is given the others
default to 2e-4, lr, 0.5 and 0.999; else the model's own optimizers),
width (g_width and d_width), latent, norm (d_normalization), ema, ema_rampup,
nets=study (the InfoGAN-style pair of Lucic et al.'s study, `keras_gans.networks.study_*`,
passed in as own networks; with it, width, latent and norm set those networks),
gnorm=none (DCGAN's G without BatchNorm), gnet=mlp:512,1024 / dnet=mlp:1024,512 (`gan`'s
MLP G / D in place of the model's own, the other kept; ddrop=P: that D's dropout, default 0.3;
dnet=study[:NORM]: the study's D, conv64-conv128-FC1024),
arg.NAME=VALUE (any constructor argument, VALUE read as `keras-gans train --set` reads it:
arg.g_spectral_norm=true), mbd=1 (a model on DCGAN networks gets a D with
`improved_gan`'s D: BatchNorm, minibatch discrimination of 50 kernels of 5
before its logit; d_width from width or the preset), mbstd=G (`d_minibatch_std`, models on
DCGAN networks: ProGAN's minibatch standard deviation over groups of G in D's last stage; the
first rows of 2026-12-03 took it on D's flattened features instead, one appended value), and
two training changes that are not model options,
applied to this run only: r1=GAMMA (adds GAMMA/2 * R1 to D's loss) and
topk=FRACTION (G's loss on the FRACTION of fakes D rates highest, Sinha et al. 2020).
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs",
                   "digits_candidates.jsonl")


#: Keys that are a model constructor argument under a shorter name.
SHORT_ARGUMENTS = {"latent": "latent_dim", "ema": "ema", "ema_rampup": "ema_rampup",
                   "mbstd": "d_minibatch_std", "pack": "d_pack"}


def build(kv):
    import keras
    import tensorflow as tf

    import keras_gans
    from keras_gans.cli import setting_value

    seed = int(kv.get("seed", 0))
    keras.utils.set_random_seed(seed)  # the weights and the data order
    kw = {"seed": seed}
    for key, value in kv.items():
        # Short keys are constructor arguments by another name; arg.NAME is any argument.
        name = SHORT_ARGUMENTS.get(key) or (key[4:] if key.startswith("arg.") else None)
        if name is not None:
            kw[name] = setting_value(value)
    shape = (int(kv.get("size", 32)),) * 2 + (1,)
    if kv.get("nets") == "study":
        # width, latent and norm set the study's networks instead of the model's.
        from keras_gans.networks import study_discriminator, study_generator

        latent = kw.setdefault("latent_dim", 64)
        net_width = {"width": int(kv["width"])} if "width" in kv else {}
        kw.update(generator=study_generator(shape, latent_dim=latent, **net_width),
                  discriminator=study_discriminator(shape, normalization=kv.get("norm", "batch"),
                                                    **net_width))
    else:
        if "size" in kv:
            kw["image_shape"] = shape
        if "width" in kv:
            kw.update(g_width=int(kv["width"]), d_width=int(kv["width"]))
        if "norm" in kv:
            kw["d_normalization"] = kv["norm"]
    if "gnorm" in kv or "gnet" in kv or "dnet" in kv:
        _swap_networks(kv, kw, shape)
    if kv.get("mbd") == "1":
        from keras_gans.models.improved_gan import improved_gan_discriminator

        kw["discriminator"] = improved_gan_discriminator(shape, kw.get("d_width", _preset(kv).get("d_width", 64)))
    m = keras_gans.get(kv.get("model", "dcgan"), **kw)
    if "topk" in kv:
        fraction = float(kv["topk"])

        def generator_loss(real, z):
            logits = tf.reshape(m.discriminator(m.generator(z, training=True), training=True), [-1])
            k = tf.maximum(1, tf.cast(tf.cast(tf.shape(logits)[0], tf.float32) * fraction, tf.int32))
            loss = m.g_loss_fn(tf.math.top_k(logits, k).values[:, None])
            return loss, {"g_loss": loss}

        m.generator_loss = generator_loss
    if "r1" in kv:
        from keras_gans.losses import r1_penalty

        gamma, base_loss = float(kv["r1"]), m.discriminator_loss

        def discriminator_loss(real, fake):
            loss, logs = base_loss(real, fake)
            return loss + 0.5 * gamma * r1_penalty(m.discriminator, real), logs

        m.discriminator_loss = discriminator_loss
    if any(k in kv for k in ("lr", "dlr", "b1", "b2")):
        lr = float(kv.get("lr", 2e-4))
        dlr, b1, b2 = float(kv.get("dlr", lr)), float(kv.get("b1", 0.5)), float(kv.get("b2", 0.999))
        m.compile(g_optimizer=keras.optimizers.Adam(lr, b1, b2),
                  d_optimizer=keras.optimizers.Adam(dlr, b1, b2))
    else:
        m.compile()
    return m


def _preset(kv):
    """The registry's preset arguments of the model being built."""
    from keras_gans import registry

    return registry.entry(kv.get("model", "dcgan")).cls.default_arguments(preset=True)


def _mlp_units(key, value):
    """`mlp:512,1024` -> (512, 1024)."""
    kind, _, units = value.partition(":")
    try:
        if kind != "mlp":
            raise ValueError
        return tuple(int(u) for u in units.split(","))
    except ValueError:
        raise ValueError(f"{key}={value!r}: expected mlp:UNITS,UNITS,... (e.g. {key}=mlp:512,1024)"
                         + (" or study[:NORM]" if key == "dnet" else "") + ".") from None


def _swap_networks(kv, kw, shape):
    """gnorm=none: DCGAN's G without BatchNorm; gnet=mlp:U1,U2 / dnet=mlp:U1,U2:
    `gan`'s MLP G / D (D with dropout `ddrop`, default 0.3) in place of the
    model's own; dnet=study[:NORM]: the study's D. The other player is kept
    (for telling which player limits the SVC's confidence)."""
    from keras_gans.networks import (dcgan_generator, mlp_discriminator, mlp_generator,
                                     study_discriminator)

    preset = _preset(kv)
    latent = kw.setdefault("latent_dim", preset.get("latent_dim", 100))
    if "gnet" in kv:
        kw["generator"] = mlp_generator(shape, latent, _mlp_units("gnet", kv["gnet"]))
    elif "gnorm" in kv:
        kw["generator"] = dcgan_generator(shape, latent, int(kw.get("g_width", preset.get("g_width", 64))),
                                          normalization=kv["gnorm"])
    dnet = kv.get("dnet")
    if dnet is not None and dnet.split(":")[0] == "study":
        kw["discriminator"] = study_discriminator(shape, normalization=dnet.partition(":")[2] or "batch")
    elif dnet is not None:
        kw["discriminator"] = mlp_discriminator(shape, _mlp_units("dnet", dnet),
                                                dropout=float(kv.get("ddrop", 0.3)))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2 or "-h" in argv or "--help" in argv:
        print(__doc__)
        return 0 if argv and ("-h" in argv or "--help" in argv) else 2
    model_name, epochs = argv[0], int(argv[1])
    kv = dict(a.split("=", 1) for a in argv[2:])
    kv.setdefault("model", model_name)
    import keras_gans
    from quality import svc_scores

    from keras_gans.metrics.evaluation import evaluate_images

    every, batch = int(kv.pop("every", 10)), int(kv.get("batch", 64))
    with_fid = kv.pop("fid", "0") == "1"
    m = build(kv)
    ds = keras_gans.data.load("digits", image_size=int(kv.get("size", 32)), batch_size=batch)
    start, done = time.time(), 0
    while done < epochs:
        step = min(every, epochs - done)
        m.fit(ds, epochs=done + step, initial_epoch=done, verbose=0)
        done += step
        # One draw for both judges: the 1000 samples (seed 0) and digits:test, as quality.py.
        fake, real, _, _ = m.evaluation_images(num=1000, seed=0)
        fid = {"digits_fid": round(float(evaluate_images(fake, real, metrics="fid")["fid"]), 1)} if with_fid else {}
        row = {"epoch": done, "train_s": round(time.time() - start, 1), **kv, **svc_scores(fake, None), **fid,
               "command": "python benchmarks/digits_candidates.py " + " ".join(argv)}
        print(json.dumps(row), flush=True)
        with open(OUT, "a") as f:
            f.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
