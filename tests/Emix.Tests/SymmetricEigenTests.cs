using Emix.Internals;

namespace Emix.Tests;

/// <summary>The Jacobi eigendecomposition and polar factor the constrained structures' M-steps use.</summary>
public sealed class SymmetricEigenTests
{
    private static double[] RandomMatrix(int d, int seed)
    {
        var rng = new Random(seed);
        var m = new double[d * d];
        for (int i = 0; i < m.Length; i++)
            m[i] = rng.NextDouble() - 0.5;
        return m;
    }

    private static double[] Multiply(double[] a, double[] b, int d, bool transposeB = false)
    {
        var c = new double[d * d];
        for (int r = 0; r < d; r++)
            for (int s = 0; s < d; s++)
                for (int i = 0; i < d; i++)
                    c[(r * d) + s] += a[(r * d) + i] * (transposeB ? b[(s * d) + i] : b[(i * d) + s]);
        return c;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(13)]
    public void DecomposesASymmetricMatrix(int d)
    {
        var g = RandomMatrix(d, d);
        var a = Multiply(g, g, d, transposeB: true);
        var values = new double[d];
        var vectors = new double[d * d];
        SymmetricEigen.Decompose(a, d, values, vectors);
        for (int c = 1; c < d; c++)
            Assert.True(values[c - 1] >= values[c]);
        // A·V = V·Λ and Vᵀ·V = I.
        var av = Multiply(a, vectors, d);
        var vtv = Multiply(Transpose(vectors, d), vectors, d);
        for (int r = 0; r < d; r++)
        {
            for (int c = 0; c < d; c++)
            {
                Assert.Equal(vectors[(r * d) + c] * values[c], av[(r * d) + c], 1e-13);
                Assert.Equal(r == c ? 1 : 0, vtv[(r * d) + c], 1e-13);
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(13)]
    public void PolarFactorIsOrthogonalAndLeavesASymmetricPositiveFactor(int d)
    {
        var m = RandomMatrix(d, 100 + d);
        var q = new double[d * d];
        Assert.True(SymmetricEigen.TryPolarFactor(m, d, q));
        var qtq = Multiply(Transpose(q, d), q, d);
        var h = Multiply(Transpose(q, d), m, d); // M = Q·H with H symmetric positive definite
        var values = new double[d];
        SymmetricEigen.Decompose(h, d, values, new double[d * d]);
        for (int r = 0; r < d; r++)
        {
            for (int c = 0; c < d; c++)
            {
                Assert.Equal(r == c ? 1 : 0, qtq[(r * d) + c], 1e-13);
                Assert.Equal(h[(r * d) + c], h[(c * d) + r], 1e-12);
            }
        }
        Assert.True(values[d - 1] > 0);
    }

    private static double[] Transpose(double[] a, int d)
    {
        var t = new double[d * d];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
                t[(c * d) + r] = a[(r * d) + c];
        return t;
    }
}
