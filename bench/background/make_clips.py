#!/usr/bin/python3
"""Synthetic clips with ground truth for background subtraction (emix background, OpenCV MOG2).

    /usr/bin/python3 bench/background/make_clips.py --out bench/data/background/grey
    /usr/bin/python3 bench/background/make_clips.py --out bench/data/background/colour --colour

Writes DIR/frames.npy (uint8, (t, h, w) or (t, h, w, 3)), DIR/truth.npy (uint8, (t, h, w):
255 where an object covers the pixel, else 0) and DIR/meta.json (the parameters). Deterministic:
the same arguments give byte-identical files (NumPy's PCG64 generator, seeded).

The scene (every size and time is a fraction of the frame size and of the clip length, so a small
or short clip has the same story):
  - a static background: smooth value noise (three octaves), grey levels about 40-210; in colour
    each channel mixes two such patterns;
  - a flickering "screen" (top right) that switches at random (a Markov chain, switch
    probability 0.3 per frame) between the background and the background + 45 grey levels: a
    second background mode, not foreground;
  - a slow global illumination drift: + DRIFT grey levels (default 6), linear over the clip;
  - sensor noise: Gaussian, sigma NOISE grey levels (default 3.5), per pixel, channel and frame;
  - five moving objects with their own texture, drawn in this order (later ones on top):
      car      rectangle 0.22 x 0.16, left to right along y = 0.72, t = 0.12-0.40 (fast), with a
               cast shadow below it (the background x 0.55: background in the truth);
      walker   ellipse 0.06 x 0.24, right to left along y = 0.42, t = 0.18-0.92 (slow, dark);
      cyclist  ellipse 0.10 x 0.10, top to bottom along x = 0.30, t = 0.30-0.58;
      parked   rectangle 0.16 x 0.13: enters from the right at t = 0.44, reaches x = 0.60 at
               t = 0.52, stops until t = 0.72 (80 frames of 400: long enough for MOG2 with
               history 500 to start absorbing it) and leaves to the left by t = 0.84;
      ball     ellipse 0.045 x 0.06, diagonal from top left to bottom right, t = 0.50-0.68 (fast).
    Objects are active between their first and last key frame; no object is in view before
    t = 0.12 (frame 48 of 400), so frames >= 50 are a fair scoring range after a warm-up.
"""
import argparse
import json
import os

import numpy as np

# name, shape, (width, height) as fractions of the frame, grey mean, colour mean (RGB order of the
# array's last axis), texture amplitude, key frames (t, x, y) of the centre as fractions
OBJECTS = [
    ("car", "rect", (0.22, 0.16), 205, (205, 60, 50), 22,
     [(0.12, -0.15, 0.72), (0.40, 1.15, 0.72)]),
    ("walker", "ellipse", (0.06, 0.24), 60, (70, 55, 40), 14,
     [(0.18, 1.05, 0.42), (0.92, -0.05, 0.42)]),
    ("cyclist", "ellipse", (0.10, 0.10), 175, (40, 170, 60), 25,
     [(0.30, 0.30, -0.10), (0.58, 0.30, 1.10)]),
    ("parked", "rect", (0.16, 0.13), 190, (60, 110, 210), 30,
     [(0.44, 1.10, 0.55), (0.52, 0.60, 0.55), (0.72, 0.60, 0.55), (0.84, -0.12, 0.62)]),
    ("ball", "ellipse", (0.045, 0.06), 235, (240, 230, 40), 10,
     [(0.50, -0.03, 0.12), (0.68, 1.03, 0.88)]),
]
FLICKER_BOX = (0.70, 0.08, 0.92, 0.30)  # x0, y0, x1, y1 as fractions
FLICKER_DELTA_GREY = 45.0
FLICKER_DELTA_COLOUR = (45.0, 35.0, 15.0)
FLICKER_SWITCH = 0.3
SHADOW_OF = "car"
SHADOW_FACTOR = 0.55
SHADOW_HEIGHT = 0.07  # fraction of the frame height, directly below the object, shifted right
SHADOW_SHIFT = 0.03


def value_noise(rng, h, w, cell):
    """Smooth noise in [0, 1]: a random grid every `cell` pixels, smoothstep-interpolated."""
    gh, gw = h // cell + 2, w // cell + 2
    g = rng.random((gh, gw))
    ys = np.arange(h) / cell
    xs = np.arange(w) / cell
    y0 = ys.astype(int)
    x0 = xs.astype(int)
    fy = ys - y0
    fx = xs - x0
    fy = (fy * fy * (3 - 2 * fy))[:, None]
    fx = (fx * fx * (3 - 2 * fx))[None, :]
    a = g[y0][:, x0]
    b = g[y0][:, x0 + 1]
    c = g[y0 + 1][:, x0]
    d = g[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def pattern(rng, h, w):
    """Three octaves of value noise, normalised to [0, 1]."""
    s = max(h, w)
    p = (value_noise(rng, h, w, max(2, s // 4)) * 1.0
         + value_noise(rng, h, w, max(2, s // 12)) * 0.5
         + value_noise(rng, h, w, max(1, s // 40)) * 0.25)
    p -= p.min()
    return p / max(p.max(), 1e-12)


def position(keys, t):
    """Centre (x, y) as fractions at clip fraction t, or None when the object is not active."""
    if t < keys[0][0] or t > keys[-1][0]:
        return None
    for (t0, x0, y0), (t1, x1, y1) in zip(keys, keys[1:]):
        if t0 <= t <= t1:
            u = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
            return x0 + u * (x1 - x0), y0 + u * (y1 - y0)
    return None


def make_clip(width=320, height=240, frames=400, colour=False, seed=0, noise=3.5, drift=6.0):
    rng = np.random.default_rng(seed)
    h, w, t_len = height, width, frames
    ch = 3 if colour else 1

    # background
    if colour:
        p1, p2 = pattern(rng, h, w), pattern(rng, h, w)
        gains = np.array([[150.0, 40.0], [120.0, 70.0], [90.0, 110.0]])
        bg = np.stack([40 + gains[c, 0] * p1 + gains[c, 1] * (p2 - 0.5) for c in range(3)], -1)
    else:
        bg = (40 + 170 * pattern(rng, h, w))[..., None]
    bg = np.clip(bg, 0, 255).astype(np.float32)

    # flickering region
    fx0, fy0, fx1, fy1 = FLICKER_BOX
    flick = (slice(int(fy0 * h), max(int(fy0 * h) + 1, int(fy1 * h))),
             slice(int(fx0 * w), max(int(fx0 * w) + 1, int(fx1 * w))))
    flick_delta = np.array(FLICKER_DELTA_COLOUR if colour else [FLICKER_DELTA_GREY], np.float32)
    switches = rng.random(t_len) < FLICKER_SWITCH
    state = np.cumsum(switches) % 2  # 0 or 1, starting from 0 unless frame 0 switches

    # objects: pixel sizes, textures and masks (fixed in the object's own coordinates)
    objs = []
    for name, shape, (fw, fh), grey, rgb, amp, keys in OBJECTS:
        ow, oh = max(2, round(fw * w)), max(2, round(fh * h))
        tex = np.stack([pattern(rng, oh, ow) for _ in range(ch)], -1)
        mean = np.array(rgb if colour else [grey], np.float32)
        tex = (mean + amp * 2 * (tex - 0.5)).astype(np.float32)
        if shape == "ellipse":
            yy, xx = np.mgrid[0:oh, 0:ow]
            m = ((xx + 0.5 - ow / 2) / (ow / 2)) ** 2 + ((yy + 0.5 - oh / 2) / (oh / 2)) ** 2 <= 1.0
        else:
            m = np.ones((oh, ow), bool)
        objs.append(dict(name=name, keys=keys, w=ow, h=oh, tex=tex, mask=m))

    out = np.empty((t_len, h, w, ch), np.uint8)
    truth = np.zeros((t_len, h, w), np.uint8)
    for f in range(t_len):
        u = f / max(1, t_len - 1)
        img = bg.copy()
        if state[f]:
            img[flick] += flick_delta
        img += np.float32(drift * u)
        placed = []
        for o in objs:
            p = position(o["keys"], u)
            if p is None:
                continue
            x0 = int(round(p[0] * w - o["w"] / 2))
            y0 = int(round(p[1] * h - o["h"] / 2))
            placed.append((o, x0, y0))
            if o["name"] == SHADOW_OF:  # cast shadow: darker background, not foreground
                sy0 = y0 + o["h"]
                sy1 = sy0 + max(1, round(SHADOW_HEIGHT * h))
                sx0 = x0 + round(SHADOW_SHIFT * w)
                sx1 = sx0 + o["w"]
                ys = slice(max(0, sy0), max(0, min(h, sy1)))
                xs = slice(max(0, sx0), max(0, min(w, sx1)))
                img[ys, xs] *= np.float32(SHADOW_FACTOR)
        for o, x0, y0 in placed:
            ya, yb = max(0, y0), min(h, y0 + o["h"])
            xa, xb = max(0, x0), min(w, x0 + o["w"])
            if ya >= yb or xa >= xb:
                continue
            m = o["mask"][ya - y0:yb - y0, xa - x0:xb - x0]
            region = img[ya:yb, xa:xb]
            region[m] = o["tex"][ya - y0:yb - y0, xa - x0:xb - x0][m] + np.float32(drift * u)
            truth[f, ya:yb, xa:xb][m] = 255
        img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(noise)
        out[f] = np.clip(np.rint(img), 0, 255).astype(np.uint8)

    if not colour:
        out = out[..., 0]
    meta = dict(width=w, height=h, frames=t_len, colour=colour, seed=seed, noise_sigma=noise,
                drift=drift, flicker_box=FLICKER_BOX, flicker_switch=FLICKER_SWITCH,
                flicker_frames_bright=int(state.sum()), shadow_of=SHADOW_OF,
                shadow_factor=SHADOW_FACTOR,
                objects=[dict(name=o[0], shape=o[1], size=o[2], keys=o[6]) for o in OBJECTS],
                first_object_frame=int(np.argmax(truth.reshape(t_len, -1).any(1))),
                foreground_fraction=float((truth == 255).mean()))
    return out, truth, meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output folder (created)")
    ap.add_argument("--width", type=int, default=320)
    ap.add_argument("--height", type=int, default=240)
    ap.add_argument("--frames", type=int, default=400)
    ap.add_argument("--colour", action="store_true", help="(t, h, w, 3) frames instead of grey")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--noise", type=float, default=3.5, help="sensor noise sigma, grey levels")
    ap.add_argument("--drift", type=float, default=6.0, help="illumination drift over the clip")
    a = ap.parse_args()
    frames, truth, meta = make_clip(a.width, a.height, a.frames, a.colour, a.seed, a.noise, a.drift)
    os.makedirs(a.out, exist_ok=True)
    np.save(os.path.join(a.out, "frames.npy"), frames)
    np.save(os.path.join(a.out, "truth.npy"), truth)
    with open(os.path.join(a.out, "meta.json"), "w") as fh:
        json.dump(meta, fh, indent=1)
        fh.write("\n")
    print(f"{a.out}: frames {frames.shape} {frames.dtype}, truth foreground "
          f"{meta['foreground_fraction']:.4f} of pixels, first object at frame "
          f"{meta['first_object_frame']}")


if __name__ == "__main__":
    main()
