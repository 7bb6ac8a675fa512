#!/usr/bin/python3
"""A slow, literal transcription of OpenCV 4.6's BackgroundSubtractorMOG2 (CPU path) in float32.

    /usr/bin/python3 bench/background/mog2_reference.py --clip DIR [--crop 24x20] [--shadows]

checks it against cv2 on a clip (or the top-left crop of one) and prints whether the masks are
identical. It exists to pin down the details that decide bit-exact agreement (the order of
operations in float32, the in-loop pruning, the sorting); see README.md. One Python step per
pixel and frame: use small clips (a 40x30x60 clip takes a few seconds).

Source transcribed: modules/video/src/bgfg_gaussmix2.cpp (MOG2Invoker::operator(),
detectShadowGMM, BackgroundSubtractorMOG2Impl::apply) of OpenCV 4.x.
"""
import argparse
import sys

import numpy as np

f32 = np.float32
FLT_EPSILON = f32(np.finfo(np.float32).eps)


class Mog2:
    def __init__(self, history=500, var_threshold=16.0, background_ratio=0.9,
                 complexity_reduction=0.05, var_init=15.0, var_min=4.0, var_max=75.0,
                 max_components=5, var_threshold_gen=9.0, shadows=False,
                 shadow_value=127, shadow_threshold=0.5):
        self.history = history
        self.Tb = f32(f32(var_threshold))            # stored as double((float)v), passed as float
        self.TB = f32(background_ratio)
        self.Tg = f32(var_threshold_gen)
        self.var_init = f32(var_init)
        self.var_min = min(f32(var_min), f32(var_max))
        self.var_max = max(f32(var_min), f32(var_max))
        self.fCT = f32(complexity_reduction)
        self.M = max_components
        self.shadows = shadows
        self.shadow_value = shadow_value
        self.tau = f32(shadow_threshold)
        self.nframes = 0
        # how often the less common branches ran (to tell what a comparison covered)
        self.counts = dict(pruned=0, pruned_not_last=0, replaced_weakest=0, swapped_up=0,
                           new_mode_sorted_up=0, zero_total_weight=0)

    def apply(self, image, learning_rate=-1.0):
        img = np.asarray(image)
        if img.ndim == 2:
            img = img[..., None]
        h, w, ch = img.shape
        if self.nframes == 0 or learning_rate >= 1 or (h, w, ch) != self.shape:
            self.shape = (h, w, ch)
            self.nframes = 0
            self.weight = [[[f32(0)] * self.M for _ in range(w)] for _ in range(h)]
            self.var = [[[f32(0)] * self.M for _ in range(w)] for _ in range(h)]
            self.mean = [[[[f32(0)] * ch for _ in range(self.M)] for _ in range(w)]
                         for _ in range(h)]
            self.used = [[0] * w for _ in range(h)]
        self.nframes += 1
        # double arithmetic, as in apply(): 1./min(2*nframes, history) unless given
        lr = learning_rate if (learning_rate >= 0 and self.nframes > 1) else \
            1.0 / min(2 * self.nframes, self.history)
        alphaT = f32(lr)
        prune = f32(-lr * float(self.fCT))
        data_all = img.astype(np.float32)
        mask = np.empty((h, w), np.uint8)
        for y in range(h):
            for x in range(w):
                mask[y, x] = self._pixel(list(data_all[y, x]), self.weight[y][x], self.var[y][x],
                                         self.mean[y][x], y, x, alphaT, prune)
        return mask

    def _pixel(self, data, W, V, MU, y, x, alphaT, prune):
        M, ch = self.M, len(data)
        alpha1 = f32(1) - alphaT
        Tb, TB, Tg = self.Tb, self.TB, self.Tg
        background = False
        fits = False
        nmodes = self.used[y][x]
        total = f32(0)
        mode = 0
        while mode < nmodes:  # nmodes may shrink inside the loop (pruning), as in C++
            weight = alpha1 * W[mode] + prune
            swap_count = 0
            if not fits:
                var = V[mode]
                d = [MU[mode][c] - data[c] for c in range(ch)]
                dist2 = d[0] * d[0]
                for c in range(1, ch):
                    dist2 = dist2 + d[c] * d[c]
                if total < TB and dist2 < Tb * var:
                    background = True
                if dist2 < Tg * var:
                    fits = True
                    weight = weight + alphaT
                    k = alphaT / weight
                    for c in range(ch):
                        MU[mode][c] = MU[mode][c] - k * d[c]
                    varnew = var + k * (dist2 - var)
                    # MAX(varnew, varMin) then MIN(varnew, varMax), OpenCV's macros
                    varnew = self.var_min if varnew < self.var_min else varnew
                    varnew = self.var_max if varnew > self.var_max else varnew
                    V[mode] = varnew
                    for i in range(mode, 0, -1):
                        if weight < W[i - 1]:
                            break
                        swap_count += 1
                        self.counts["swapped_up"] += 1
                        W[i], W[i - 1] = W[i - 1], W[i]
                        V[i], V[i - 1] = V[i - 1], V[i]
                        MU[i], MU[i - 1] = MU[i - 1], MU[i]
            if weight < -prune:
                weight = f32(0)
                self.counts["pruned"] += 1
                if mode < nmodes - 1:
                    self.counts["pruned_not_last"] += 1
                nmodes -= 1
            W[mode - swap_count] = weight
            total = total + weight
            mode += 1

        if not abs(total) > FLT_EPSILON and nmodes > 0:
            self.counts["zero_total_weight"] += 1
        inv = f32(1) / total if abs(total) > FLT_EPSILON else f32(0)
        for m in range(nmodes):
            W[m] = W[m] * inv

        if not fits and alphaT > 0:
            if nmodes == M:
                self.counts["replaced_weakest"] += 1
                mode = M - 1
            else:
                mode = nmodes
                nmodes += 1
            if nmodes == 1:
                W[mode] = f32(1)
            else:
                W[mode] = alphaT
                for i in range(nmodes - 1):
                    W[i] = W[i] * alpha1
            MU[mode] = list(data)
            V[mode] = self.var_init
            for i in range(nmodes - 1, 0, -1):
                if alphaT < W[i - 1]:
                    break
                self.counts["new_mode_sorted_up"] += 1
                W[i], W[i - 1] = W[i - 1], W[i]
                V[i], V[i - 1] = V[i - 1], V[i]
                MU[i], MU[i - 1] = MU[i - 1], MU[i]

        self.used[y][x] = nmodes
        if background:
            return 0
        if self.shadows and self._shadow(data, nmodes, W, V, MU):
            return self.shadow_value
        return 255

    def _shadow(self, data, nmodes, W, V, MU):
        tw = f32(0)
        for mode in range(nmodes):
            mean = MU[mode]
            num = f32(0)
            den = f32(0)
            for c in range(len(data)):
                num = num + data[c] * mean[c]
                den = den + mean[c] * mean[c]
            if den == 0:
                return False
            if num <= den and num >= self.tau * den:
                a = num / den
                dist2a = f32(0)
                for c in range(len(data)):
                    dd = a * mean[c] - data[c]
                    dist2a = dist2a + dd * dd
                if dist2a < self.Tb * V[mode] * a * a:
                    return True
            tw = tw + W[mode]
            if tw > self.TB:
                return False
        return False


def reference_masks(frames, counts=None, **kw):
    m = Mog2(**kw)
    out = np.stack([m.apply(f) for f in frames])
    if counts is not None:
        counts.update(m.counts)
    return out


def main():
    import cv2
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clip", required=True, help="folder with frames.npy, or a .npy file")
    ap.add_argument("--crop", default=None, help="WxH or WxH+X+Y: use this crop")
    ap.add_argument("--frames", type=int, default=None, help="use the first N frames")
    ap.add_argument("--shadows", action="store_true")
    a = ap.parse_args()
    path = a.clip if a.clip.endswith(".npy") else a.clip.rstrip("/") + "/frames.npy"
    frames = np.load(path)
    if a.frames:
        frames = frames[:a.frames]
    if a.crop:
        size, _, off = a.crop.lower().partition("+")
        cw, chh = (int(v) for v in size.split("x"))
        x0, y0 = (int(v) for v in off.split("+")) if off else (0, 0)
        frames = frames[:, y0:y0 + chh, x0:x0 + cw]
    frames = np.ascontiguousarray(frames)
    mog = cv2.createBackgroundSubtractorMOG2(history=500, varThreshold=16, detectShadows=a.shadows)
    ocv = np.stack([mog.apply(f) for f in frames])
    counts = {}
    ref = reference_masks(frames, counts, shadows=a.shadows)
    diff = ocv != ref
    print(f"{path} {frames.shape} shadows={a.shadows}: reference vs cv2 {cv2.__version__}: "
          f"{'identical' if not diff.any() else f'{int(diff.sum())} pixels differ, first in frame {int(np.argmax(diff.reshape(len(frames), -1).any(1)))}'}"
          f"; values {sorted(set(np.unique(ref).tolist()))}; branches {counts}")
    sys.exit(1 if diff.any() else 0)


if __name__ == "__main__":
    main()
