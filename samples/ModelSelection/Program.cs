// Chooses the number of components k and the covariance structure by BIC, as mclust's Mclust() does,
// prints the table and draws it. BIC has scikit-learn's sign here: lower is better (mclust shows -BIC).
// `emix select` does the same from the command line.
//
//   dotnet run --project samples/ModelSelection -- [data.csv] [max k] [picture.png]
using Emix;
using Emix.Data;
using Emix.Plots;
using Emix.Selection;

string path = args.Length > 0 ? args[0] : "tests/fixtures/data/faithful.csv";
int maxK = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 6;
string picture = args.Length > 2 ? args[2] : "bic.png";

DataSet data = DataReader.Read(path);
var selection = new ModelSelection(new ModelSelectionOptions
{
    ComponentCounts = Enumerable.Range(1, maxK).ToArray(),
    Criterion = SelectionCriterion.Bic,
});
ModelSelectionResult result = selection.Run(data);

// The table (rows k, columns VII, VVI, EEE, VVV; a failed fit shows "—" and a footnote with its reason).
Console.Write(result.Summary());
Console.WriteLine();

SelectionEntry best = result.Best!;
Console.WriteLine($"Best by BIC: {best.ModelCode} ({best.CovarianceType.ToScikitName()}) with {best.ComponentCount} components, BIC {best.Bic:F1}.");
MixturePlot.Criterion(result.Entries.Select(e => new CriterionValue(e.ComponentCount, e.CovarianceType, e.Bic))).Save(picture);
Console.WriteLine($"Picture: {Path.GetFullPath(picture)}");
