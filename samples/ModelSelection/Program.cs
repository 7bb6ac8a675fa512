// Chooses the number of components k and the covariance structure by BIC, as mclust's Mclust() does,
// prints the table and draws it. BIC has scikit-learn's sign here: lower is better (mclust shows -BIC).
//
//   dotnet run --project samples/ModelSelection -- [data.csv] [max k] [picture.png]
using Emix;
using Emix.Data;
using Emix.Plots;

string path = args.Length > 0 ? args[0] : "tests/fixtures/data/faithful.csv";
int maxK = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 6;
string picture = args.Length > 2 ? args[2] : "bic.png";

DataSet data = DataReader.Read(path);
var table = new List<CriterionValue>();
GaussianMixtureModel? best = null;
double bestBic = double.PositiveInfinity;

Console.WriteLine($"{"k",3} {"full",10} {"tied",10} {"diag",10} {"spherical",10}   (BIC, lower is better)");
for (int k = 1; k <= maxK; k++)
{
    Console.Write($"{k,3}");
    foreach (var type in Enum.GetValues<CovarianceType>())
    {
        double bic = double.NaN;
        try
        {
            var model = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = k, CovarianceType = type }).Fit(data);
            bic = model.Bic(data);
            if (bic < bestBic)
            {
                (best, bestBic) = (model, bic);
            }
        }
        catch (NumericalFailureException)
        {
            // A component collapsed: the cell stays empty, as in mclust's BIC table.
        }
        table.Add(new CriterionValue(k, type, bic));
        Console.Write($" {bic,10:F1}");
    }
    Console.WriteLine();
}

Console.WriteLine();
Console.WriteLine($"Best by BIC: {best!.ModelCode} ({best.CovarianceType.ToScikitName()}) with {best.ComponentCount} components, BIC {bestBic:F1}.");
MixturePlot.Criterion(table).Save(picture);
Console.WriteLine($"Picture: {Path.GetFullPath(picture)}");
