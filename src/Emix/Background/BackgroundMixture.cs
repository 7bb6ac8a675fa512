using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emix;

/// <summary>
/// Background subtraction by per-pixel adaptive Gaussian mixtures (Zivkovic 2004, "Improved adaptive
/// Gaussian mixture model for background subtraction"; Zivkovic and van der Heijden 2006), as OpenCV's
/// <c>BackgroundSubtractorMOG2</c> computes it: each pixel keeps up to <see cref="BackgroundMixtureOptions.MaxComponents"/>
/// spherical Gaussians sorted by weight, updated online with learning rate α; a pixel is background
/// when a component among the heaviest (weights summing to the background ratio) explains it.
/// <see cref="Apply(ReadOnlySpan{byte}, Span{byte})"/> takes a frame and writes its mask: 255 foreground, 0 background (shadows
/// <see cref="BackgroundMixtureOptions.ShadowValue"/> when asked).
/// </summary>
/// <remarks>
/// Per pixel and frame, with α the learning rate and c_T the complexity reduction: each component's
/// weight becomes (1 − α)·w − α·c_T; the first component (in weight order) within the generation
/// threshold of the pixel gains α, and its mean and variance move toward the pixel by α / w; a
/// component whose weight falls below zero is pruned; weights are renormalised; a pixel no component
/// explains starts a new one (replacing the lightest when full) at weight α with variance VarInit.
/// Arithmetic is single precision, as OpenCV's. Rows of pixels are independent, so the masks are the
/// same for any thread count. Glossary: M = most components, C = channels, P = pixels.
/// </remarks>
public sealed class BackgroundMixture
{
    private readonly BackgroundMixtureOptions _options;
    private readonly float[] _weight;
    private readonly float[] _variance;
    private readonly float[] _mean;
    private readonly byte[] _modes;
    private readonly byte[] _frame;
    private readonly byte[] _mask;
    private long _frames;

    /// <summary>C's FLT_EPSILON, the spacing of floats at 1 (not <see cref="float.Epsilon"/>, the smallest subnormal).</summary>
    private const float SingleEpsilon = 1.1920929E-07f;

    /// <summary>A model for frames of <paramref name="width"/> × <paramref name="height"/> pixels of <paramref name="channels"/> channels (1 or 3).</summary>
    /// <exception cref="ArgumentException">A size or option is invalid.</exception>
    public BackgroundMixture(int width, int height, int channels, BackgroundMixtureOptions? options = null)
    {
        _options = options ?? new BackgroundMixtureOptions();
        _options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is not (1 or 3))
            throw new ArgumentException($"channels = {channels}: frames are grey (1) or colour (3).", nameof(channels));
        Width = width;
        Height = height;
        Channels = channels;
        long pixels = (long)width * height, m = _options.MaxComponents;
        if (pixels * m * channels > Array.MaxLength)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{width} × {height} pixels × {m} components is too large a model."));
        _weight = new float[pixels * m];
        _variance = new float[pixels * m];
        _mean = new float[pixels * m * channels];
        _modes = new byte[pixels];
        _frame = new byte[pixels * channels];
        _mask = new byte[pixels];
    }

    /// <summary>Frame width.</summary>
    public int Width { get; }

    /// <summary>Frame height.</summary>
    public int Height { get; }

    /// <summary>Channels per pixel: 1 or 3 (interleaved).</summary>
    public int Channels { get; }

    /// <summary>Frames applied so far.</summary>
    public long FrameCount => _frames;

    /// <summary>The options of the model.</summary>
    public BackgroundMixtureOptions Options => _options;

    /// <summary>Updates the model with <paramref name="frame"/> (height × width × channels bytes, row-major) and writes its mask (height × width).</summary>
    /// <exception cref="ArgumentException">The frame or mask has the wrong length.</exception>
    public void Apply(ReadOnlySpan<byte> frame, Span<byte> mask)
    {
        int pixels = Width * Height;
        if (frame.Length != pixels * Channels)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"frame: {frame.Length} bytes, where {Width} × {Height} × {Channels} = {pixels * Channels} are expected."), nameof(frame));
        if (mask.Length != pixels)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"mask: {mask.Length} bytes, where {pixels} are expected."), nameof(mask));
        _frames++;
        double rate = _options.LearningRate is { } fixedRate && _frames > 1 ? fixedRate : 1.0 / Math.Min(2 * _frames, _options.History);
        var step = new Step(_options, (float)rate, Channels);
        // One stripe of rows per thread: a frame takes about a millisecond, so a task per few rows would
        // cost more in scheduling than it saves; pixels are independent, so the stripes do not change a bit.
        int threads = Math.Max(1, Math.Min(_options.MaxDegreeOfParallelism ?? Environment.ProcessorCount, Height / 8));
        int rowsPerTask = (Height + threads - 1) / threads;
        int tasks = (Height + rowsPerTask - 1) / rowsPerTask;
        // The frame is copied once so that the row tasks can read it (a span cannot be captured).
        frame.CopyTo(_frame);
        if (threads == 1)
        {
            UpdateRows(step, 0, Height);
        }
        else
        {
            Parallel.For(0, tasks, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                UpdateRows(step, t * rowsPerTask, Math.Min(Height, (t + 1) * rowsPerTask)));
        }
        _mask.CopyTo(mask);
    }

    /// <summary>Updates the model with <paramref name="frame"/> and returns its mask.</summary>
    public byte[] Apply(ReadOnlySpan<byte> frame)
    {
        var mask = new byte[Width * Height];
        Apply(frame, mask);
        return mask;
    }

    /// <summary>The constants of one frame's update.</summary>
    private readonly struct Step(BackgroundMixtureOptions o, float alpha, int channels)
    {
        public readonly float Alpha = alpha;
        public readonly float OneMinusAlpha = 1f - alpha;
        public readonly float Prune = -alpha * (float)o.ComplexityReduction;
        public readonly float Tb = (float)o.VarThreshold;
        public readonly float Tg = (float)o.VarThresholdGen;
        public readonly float TB = (float)o.BackgroundRatio;
        public readonly float VarInit = (float)o.VarInit;
        public readonly float VarMin = (float)Math.Min(o.VarMin, o.VarMax);
        public readonly float VarMax = (float)Math.Max(o.VarMin, o.VarMax);
        public readonly float Tau = (float)o.ShadowThreshold;
        public readonly bool Shadows = o.DetectShadows;
        public readonly byte ShadowValue = o.ShadowValue;
        public readonly int M = o.MaxComponents;
        public readonly int C = channels;
    }

    private void UpdateRows(in Step s, int firstRow, int endRow)
    {
        if (s.C == 1)
            UpdateRows<Grey>(s, firstRow, endRow);
        else
            UpdateRows<Colour>(s, firstRow, endRow);
    }

    /// <summary>The channel count as a type, so that the per-channel loops of the hot path are unrolled for grey and colour.</summary>
    private interface IChannels
    {
        static abstract int Count { get; }
    }

    private readonly struct Grey : IChannels
    {
        public static int Count => 1;
    }

    private readonly struct Colour : IChannels
    {
        public static int Count => 3;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void UpdateRows<TChannels>(in Step s, int firstRow, int endRow)
        where TChannels : struct, IChannels
    {
        int m = s.M, c = TChannels.Count;
        ref byte frame = ref MemoryMarshal.GetArrayDataReference(_frame);
        ref byte mask = ref MemoryMarshal.GetArrayDataReference(_mask);
        ref byte modesOf = ref MemoryMarshal.GetArrayDataReference(_modes);
        ref float weights = ref MemoryMarshal.GetArrayDataReference(_weight);
        ref float variances = ref MemoryMarshal.GetArrayDataReference(_variance);
        ref float means = ref MemoryMarshal.GetArrayDataReference(_mean);
        Span<float> data = stackalloc float[3];
        for (int p = firstRow * Width, end = endRow * Width; p < end; p++)
        {
            for (int ch = 0; ch < c; ch++)
                data[ch] = Unsafe.Add(ref frame, (p * c) + ch);
            ref float weight = ref Unsafe.Add(ref weights, p * m);
            ref float variance = ref Unsafe.Add(ref variances, p * m);
            ref float mean = ref Unsafe.Add(ref means, p * m * c);
            int modes = Unsafe.Add(ref modesOf, p);
            bool background = UpdatePixel<TChannels>(s, data, ref weight, ref variance, ref mean, ref modes);
            Unsafe.Add(ref modesOf, p) = (byte)modes;
            Unsafe.Add(ref mask, p) = background ? (byte)0
                : s.Shadows && IsShadow(s, data[..c], modes, MemoryMarshal.CreateReadOnlySpan(ref weight, m),
                    MemoryMarshal.CreateReadOnlySpan(ref variance, m), MemoryMarshal.CreateReadOnlySpan(ref mean, m * c)) ? s.ShadowValue : (byte)255;
        }
    }

    /// <summary>One pixel's update; returns whether the pixel is background.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool UpdatePixel<TChannels>(in Step s, ReadOnlySpan<float> data, ref float weight, ref float variance, ref float mean, ref int modes)
        where TChannels : struct, IChannels
    {
        int c = TChannels.Count;
        float d0 = 0, d1 = 0, d2 = 0;
        float x0 = data[0], x1 = c == 3 ? data[1] : 0, x2 = c == 3 ? data[2] : 0;
        bool background = false, fits = false;
        float totalWeight = 0;
        int active = modes;
        for (int mode = 0; mode < active; mode++)
        {
            float w = (s.OneMinusAlpha * Unsafe.Add(ref weight, mode)) + s.Prune;
            int moved = 0;
            if (!fits)
            {
                float var = Unsafe.Add(ref variance, mode);
                ref float mu = ref Unsafe.Add(ref mean, mode * c);
                d0 = mu - x0;
                float dist2 = d0 * d0;
                if (c == 3)
                {
                    d1 = Unsafe.Add(ref mu, 1) - x1;
                    d2 = Unsafe.Add(ref mu, 2) - x2;
                    dist2 = (d0 * d0) + (d1 * d1) + (d2 * d2);
                }
                if (totalWeight < s.TB && dist2 < s.Tb * var)
                    background = true;
                if (dist2 < s.Tg * var)
                {
                    fits = true;
                    w += s.Alpha;
                    float k = s.Alpha / w;
                    mu -= k * d0;
                    if (c == 3)
                    {
                        Unsafe.Add(ref mu, 1) -= k * d1;
                        Unsafe.Add(ref mu, 2) -= k * d2;
                    }
                    float updated = var + (k * (dist2 - var));
                    Unsafe.Add(ref variance, mode) = Math.Min(Math.Max(updated, s.VarMin), s.VarMax);
                    // The matched component moves up past lighter ones; the others keep their order.
                    for (int i = mode; i > 0 && !(w < Unsafe.Add(ref weight, i - 1)); i--)
                    {
                        moved++;
                        Swap<TChannels>(ref weight, ref variance, ref mean, i);
                    }
                }
            }
            if (w < -s.Prune)
            {
                // Pruned: its weight goes to 0 and the count shrinks (the lightest, last component leaves the pixel).
                w = 0;
                active--;
            }
            Unsafe.Add(ref weight, mode - moved) = w;
            totalWeight += w;
        }
        // A pixel no component keeps any weight for gets weights 0 here (a new component follows below).
        float inverse = Math.Abs(totalWeight) > SingleEpsilon ? 1f / totalWeight : 0f;
        for (int mode = 0; mode < active; mode++)
            Unsafe.Add(ref weight, mode) *= inverse;
        if (!fits && s.Alpha > 0)
        {
            // Start a component at the pixel: a new one, or in place of the lightest when all are used.
            int mode = active == s.M ? s.M - 1 : active++;
            if (active == 1)
            {
                Unsafe.Add(ref weight, mode) = 1;
            }
            else
            {
                Unsafe.Add(ref weight, mode) = s.Alpha;
                for (int i = 0; i < active - 1; i++)
                    Unsafe.Add(ref weight, i) *= s.OneMinusAlpha;
            }
            ref float mu = ref Unsafe.Add(ref mean, mode * c);
            mu = x0;
            if (c == 3)
            {
                Unsafe.Add(ref mu, 1) = x1;
                Unsafe.Add(ref mu, 2) = x2;
            }
            Unsafe.Add(ref variance, mode) = s.VarInit;
            for (int i = active - 1; i > 0 && !(s.Alpha < Unsafe.Add(ref weight, i - 1)); i--)
                Swap<TChannels>(ref weight, ref variance, ref mean, i);
        }
        modes = active;
        return background;
    }

    /// <summary>Exchanges components <paramref name="i"/> and i − 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Swap<TChannels>(ref float weight, ref float variance, ref float mean, int i)
        where TChannels : struct, IChannels
    {
        int c = TChannels.Count;
        (Unsafe.Add(ref weight, i), Unsafe.Add(ref weight, i - 1)) = (Unsafe.Add(ref weight, i - 1), Unsafe.Add(ref weight, i));
        (Unsafe.Add(ref variance, i), Unsafe.Add(ref variance, i - 1)) = (Unsafe.Add(ref variance, i - 1), Unsafe.Add(ref variance, i));
        for (int ch = 0; ch < c; ch++)
            (Unsafe.Add(ref mean, (i * c) + ch), Unsafe.Add(ref mean, ((i - 1) * c) + ch)) = (Unsafe.Add(ref mean, ((i - 1) * c) + ch), Unsafe.Add(ref mean, (i * c) + ch));
    }

    /// <summary>
    /// Whether a foreground pixel is a shadow of a background component (Prati, Mikic, Trivedi and Cucchiara 2003):
    /// the pixel is a·μ with τ ≤ a ≤ 1 to within the background threshold, scaled by a².
    /// </summary>
    private static bool IsShadow(in Step s, ReadOnlySpan<float> data, int modes, ReadOnlySpan<float> weight, ReadOnlySpan<float> variance, ReadOnlySpan<float> mean)
    {
        int c = data.Length;
        float total = 0;
        for (int mode = 0; mode < modes; mode++)
        {
            float numerator = 0, denominator = 0;
            for (int ch = 0; ch < c; ch++)
            {
                numerator += data[ch] * mean[(mode * c) + ch];
                denominator += mean[(mode * c) + ch] * mean[(mode * c) + ch];
            }
            if (denominator == 0)
                return false;
            if (numerator <= denominator && numerator >= s.Tau * denominator)
            {
                float a = numerator / denominator, dist2 = 0;
                for (int ch = 0; ch < c; ch++)
                {
                    float d = (a * mean[(mode * c) + ch]) - data[ch];
                    dist2 += d * d;
                }
                if (dist2 < s.Tb * variance[mode] * a * a)
                    return true;
            }
            total += weight[mode];
            if (total > s.TB)
                return false;
        }
        return false;
    }
}
