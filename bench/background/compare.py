#!/usr/bin/python3
"""emix background against OpenCV's BackgroundSubtractorMOG2 on a clip with ground truth.

    /usr/bin/python3 bench/background/compare.py --clip DIR --emix "dotnet /path/Emix.Cli.dll"
    /usr/bin/python3 bench/background/compare.py --clip DIR --opencv-only

DIR holds frames.npy and truth.npy (bench/background/make_clips.py). Runs:
  - OpenCV MOG2: cv2.createBackgroundSubtractorMOG2(history=500, varThreshold=16,
    detectShadows=False) (other parameters at OpenCV's defaults, which are emix's defaults),
    apply() frame by frame with the default learning rate (-1), once with cv2.setNumThreads(1)
    and once with all cores (cv2.setNumThreads(os.cpu_count()); note that setNumThreads(0)
    would mean "sequential"). Only the apply loop is timed, after an untimed pass over the
    first 30 frames with a throwaway subtractor.
  - emix: `<emix> background DIR/frames.npy -o OUT.npy --json`, once with --threads 1 and once
    without --threads (emix's default), or with --threads <cores> under --threads-all. Its
    speed is the JSON line's frames_per_second (processing of the frames only).
Scores: precision, recall and F1 of foreground (mask == 255; 127 "shadow" and 0 count as
background) against truth == 255, over frames >= --warmup (default 50). Also printed: the
fraction of pixels (all frames) where the masks of two runs are equal, and the first frame where
they differ.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np

try:
    import cv2
except ImportError:  # pragma: no cover
    sys.exit("needs OpenCV for Python: apt-get install -y python3-opencv")


def run_opencv(frames, threads, shadows):
    """Masks and the apply-loop time of one run with `threads` OpenCV threads."""
    cv2.setNumThreads(threads)
    warm = cv2.createBackgroundSubtractorMOG2(history=500, varThreshold=16, detectShadows=shadows)
    for i in range(min(30, frames.shape[0])):  # untimed: page faults, thread pool start-up
        warm.apply(frames[i])
    mog = cv2.createBackgroundSubtractorMOG2(history=500, varThreshold=16, detectShadows=shadows)
    out = np.empty(frames.shape[:3], np.uint8)
    t0 = time.perf_counter()
    for i in range(frames.shape[0]):
        out[i] = mog.apply(frames[i])
    return out, time.perf_counter() - t0, cv2.getNumThreads()


def run_emix(emix, frames_path, out_path, threads, shadows):
    """Masks, the JSON summary and the process wall time of one run."""
    cmd = shlex.split(emix) + ["background", frames_path, "-o", out_path, "--json"]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    if shadows:
        cmd += ["--shadows"]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        sys.exit(f"cannot start emix: {' '.join(cmd)}: {e}")
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"emix failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}{p.stderr}")
    info = None
    for line in reversed(p.stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                info = json.loads(line)
                break
            except json.JSONDecodeError:
                pass
    if info is None or "seconds" not in info:
        sys.exit(f"no JSON line with \"seconds\" in emix's output: {' '.join(cmd)}\n{p.stdout}")
    return np.load(out_path), info, wall, " ".join(shlex.quote(c) for c in cmd)


def scores(masks, truth, warmup):
    m = masks[warmup:] == 255
    g = truth[warmup:] == 255
    tp = int(np.count_nonzero(m & g))
    fp = int(np.count_nonzero(m & ~g))
    fn = int(np.count_nonzero(~m & g))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def agreement(a, b):
    """Fraction of equal pixels over all frames, and the first frame that differs (or None)."""
    if a.shape != b.shape:
        return 0.0, 0
    eq = a == b
    per_frame = eq.reshape(eq.shape[0], -1).all(1)
    first = None if per_frame.all() else int(np.argmin(per_frame))
    return float(eq.mean()), first


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clip", required=True, help="folder with frames.npy and truth.npy")
    ap.add_argument("--emix", help='how to start emix, e.g. "dotnet src/Emix.Cli/bin/Release/'
                    'net10.0/Emix.Cli.dll" or the native binary')
    ap.add_argument("--opencv-only", action="store_true", help="skip emix")
    ap.add_argument("--threads-all", action="store_true",
                    help="emix's multi-threaded run passes --threads <cores> explicitly "
                         "(default: no --threads, emix's own default)")
    ap.add_argument("--shadows", action="store_true",
                    help="both tools with shadow detection (detectShadows=True, emix --shadows)")
    ap.add_argument("--warmup", type=int, default=50, help="score frames >= this (default 50)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per configuration, interleaved; the fastest is reported")
    ap.add_argument("--single-only", action="store_true", help="skip the all-threads runs")
    ap.add_argument("--out-dir", help="keep the masks here (default: a temporary folder)")
    ap.add_argument("--write", metavar="RESULT.md", help="also write the report to this file")
    a = ap.parse_args()
    if not a.opencv_only and not a.emix:
        ap.error("give --emix CMD or --opencv-only")

    frames_path = os.path.join(a.clip, "frames.npy")
    frames = np.load(frames_path)
    truth = np.load(os.path.join(a.clip, "truth.npy"))
    if frames.dtype != np.uint8 or frames.ndim not in (3, 4) or truth.shape != frames.shape[:3]:
        sys.exit(f"bad clip: frames {frames.shape} {frames.dtype}, truth {truth.shape}")
    frames = np.ascontiguousarray(frames)
    cores = os.cpu_count() or 1
    tmp = None if a.out_dir else tempfile.TemporaryDirectory(prefix="emix-bg-")
    out_dir = a.out_dir or tmp.name
    os.makedirs(out_dir, exist_ok=True)

    # configurations, run in turn `repeat` times (interleaved, so that a busy machine or a cold
    # first run does not favour one); the fastest run of each is reported
    configs = [("opencv", 1)] + ([] if a.single_only else [("opencv", cores)])
    if not a.opencv_only:
        configs += [("emix", 1)]
        if not a.single_only:
            configs += [("emix", cores if a.threads_all else None)]
    best = {}
    for _ in range(max(1, a.repeat)):
        for tool, th in configs:
            if tool == "opencv":
                masks, secs, used = run_opencv(frames, th, a.shadows)
                info, wall, cmd = {"frames": frames.shape[0], "seconds": secs,
                                   "threads": used}, None, None
            else:
                out_path = os.path.join(out_dir, f"emix_t{th if th else 'default'}.npy")
                masks, info, wall, cmd = run_emix(a.emix, frames_path, out_path, th, a.shadows)
            k = (tool, th)
            if k not in best or info["seconds"] < best[k][1]["seconds"]:
                best[k] = (masks, info, wall, cmd)

    rows, runs, notes = [], {}, []
    for tool, th in configs:
        masks, info, wall, cmd = best[(tool, th)]
        runs[f"{tool}/{th}"] = masks
        if tool == "opencv":
            name = f"OpenCV {cv2.__version__} MOG2"
            label = "1" if th == 1 else f"{info['threads']} (all)"
            fps = info["frames"] / info["seconds"]
            if a.out_dir:
                np.save(os.path.join(out_dir, f"opencv_t{th}.npy"), masks)
        else:
            name = "emix"
            label = str(th) if th else f"{info.get('threads', 'default')} (default)"
            fps = info.get("frames_per_second") or info["frames"] / info["seconds"]
            notes.append(f"`{cmd}`: {info['frames']} frames, {info['seconds']:.3f} s processing, "
                         f"{wall:.3f} s process wall time")
        rows.append((name, label, fps, *scores(masks, truth, a.warmup)))

    h, w = frames.shape[1:3]
    kind = "colour" if frames.ndim == 4 else "grey"
    fg = float((truth[a.warmup:] == 255).mean())
    lines = [f"Clip `{a.clip}`: {frames.shape[0]} frames of {w}×{h} {kind}; "
             f"{'shadow detection on' if a.shadows else 'shadows off'}; "
             f"scored frames ≥ {a.warmup} ({fg:.2%} of their pixels are foreground); "
             f"foreground = 255, 127 and 0 = background. {cores} cores.", "",
             "| tool | threads | fps | precision | recall | F1 |",
             "|---|---|---:|---:|---:|---:|"]
    for tool, th, fps, p, r, f1 in rows:
        lines.append(f"| {tool} | {th} | {fps:,.0f} | {p:.4f} | {r:.4f} | {f1:.4f} |")
    lines.append("")
    pairs = []
    if f"opencv/{cores}" in runs and cores != 1:
        pairs.append(("OpenCV 1 thread", "opencv/1", f"OpenCV {cores} threads", f"opencv/{cores}"))
    if "emix/1" in runs:
        pairs.append(("OpenCV 1 thread", "opencv/1", "emix 1 thread", "emix/1"))
        other = [k for k in runs if k.startswith("emix/") and k != "emix/1"]
        if other:
            pairs.append(("emix 1 thread", "emix/1", "emix multi-threaded", other[0]))
    for na, ka, nb, kb in pairs:
        frac, first = agreement(runs[ka], runs[kb])
        where = "identical" if first is None else f"first difference in frame {first}"
        lines.append(f"- masks {na} vs {nb}: {frac:.6f} of pixels agree ({where})")
    for n in notes:
        lines.append(f"- {n}")
    if a.out_dir:
        lines.append(f"- masks kept in `{out_dir}`")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if a.write:
        with open(a.write, "w") as fh:
            fh.write(text)
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
