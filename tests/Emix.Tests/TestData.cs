using Emix.Internals;

namespace Emix.Tests;

/// <summary>Synthetic data with known parameters, shared by the invariant tests (as scikit-learn's RandomData fixture).</summary>
internal static class TestData
{
    /// <summary>Three well-separated 3-D blobs, n rows, fixed seed.</summary>
    public static DataSet Blobs(int n = 600, int d = 3, long seed = 7)
    {
        var rng = new RandomSource(seed);
        double[][] centres = [[0, 0, 0, 0], [6, 4, -3, 1], [-5, 7, 2, -4]];
        double[] scales = [1.0, 0.6, 1.6];
        var values = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            int c = i % 3;
            for (int a = 0; a < d; a++)
                values[(i * d) + a] = centres[c][a % 4] + (scales[c] * rng.NextNormal() * (1 + (0.3 * a)));
        }
        return DataSet.Wrap(values, d);
    }

    /// <summary>scikit-learn's four structures, which these tests compare with scikit-learn; the constrained ones have MclustStructureTests and ConstrainedStructureTests.</summary>
    public static IEnumerable<CovarianceType> AllTypes => MixtureNames.CovarianceTypes;

    public static TheoryData<CovarianceType> Types()
    {
        var data = new TheoryData<CovarianceType>();
        foreach (var t in AllTypes)
            data.Add(t);
        return data;
    }

    public static TheoryData<CovarianceType, InitMethod> TypesAndInits()
    {
        var data = new TheoryData<CovarianceType, InitMethod>();
        foreach (var t in AllTypes)
            foreach (var m in Enum.GetValues<InitMethod>())
                data.Add(t, m);
        return data;
    }

    /// <summary>A version 1.0 .npy header by hand (any dtype string and shape tuple, C order), for files the writer would refuse to make.</summary>
    public static byte[] NpyHeader(string descr, string shape, bool fortranOrder = false)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shape}, }}";
        int total = (10 + dict.Length + 1 + 63) / 64 * 64;
        var header = new byte[total];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }.CopyTo(header, 0);
        BitConverter.GetBytes((ushort)(total - 10)).CopyTo(header, 8);
        System.Text.Encoding.ASCII.GetBytes(dict.PadRight(total - 11)).CopyTo(header, 10);
        header[^1] = (byte)'\n';
        return header;
    }

    /// <summary>The model file of the parameters alone (no fit report, which records options such as the seed).</summary>
    public static byte[] ParameterBits(GaussianMixtureModel m) =>
        Bits(GaussianMixtureModel.Create(m.CovarianceType, m.Weights, m.Means, m.Covariances, m.FeatureNames));

    public static byte[] Bits(MixtureModel m)
    {
        using var stream = new MemoryStream();
        Serialization.ModelFile.Write(m, stream);
        return stream.ToArray();
    }
}
