using System.Globalization;
using Emix.Engine;

namespace Emix.Families.StudentT;

/// <summary>Checks of Student-t data the Gaussian family does not make.</summary>
internal static class StudentTChecks
{
    /// <summary>
    /// Refuses a column with one value in every row: without regularisation its scale is 0 and no
    /// scale matrix can be factorised. A process of a distributed fit holds only some rows (a column
    /// constant there need not be constant overall), so there the factorisation's own error speaks.
    /// </summary>
    /// <exception cref="DataFormatException">A column is constant.</exception>
    public static void RequireNoConstantColumn(RowSource data)
    {
        if (data.Processes is not null)
            return;
        int d = data.FeatureCount;
        double[]? buffer = null;
        var first = new double[d];
        var varies = new bool[d];
        bool seen = false;
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        for (int c = 0; c < chunking.ChunkCount; c++)
        {
            var rows = data.ReadRows(chunking.Start(c), chunking.Length(c), ref buffer);
            if (!seen && rows.Length >= d)
            {
                rows[..d].CopyTo(first);
                seen = true;
            }
            for (int i = 0; i < rows.Length; i++)
                varies[i % d] |= rows[i] != first[i % d];
        }
        int constant = Array.IndexOf(varies, false);
        if (!seen || constant < 0)
            return;
        throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
            $"{data.Source}: column {constant + 1} ('{data.FeatureNames[constant]}') is {first[constant]:R} in every one of its {data.RowCount} rows (a header not counted): a Student-t scale would be 0; drop the column or set --reg-covar above 0."));
    }
}
