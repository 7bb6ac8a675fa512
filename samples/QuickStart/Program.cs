using Emix;
using Emix.Data;
using Emix.Plots;

DataSet data = DataReader.Read("tests/fixtures/data/iris.csv");   // or DataSet.FromArray(double[,]) …
var gmm = new GaussianMixture(new GaussianMixtureOptions
{
    ComponentCount = 3,
    CovarianceType = CovarianceType.Full,   // Tied, Diagonal, Spherical
    Init = InitMethod.KMeans,               // KMeansPlusPlus, Random, RandomFromData
    InitCount = 3,
    Seed = 42,
});
GaussianMixtureModel model = gmm.Fit(data);   // also Fit(data, progress, cancellationToken)

int[] labels = model.Predict(data);
double[,] proba = model.PredictProbabilities(data);
double bic = model.Bic(data);             // scikit-learn's sign: lower is better
Console.WriteLine(model.Summary());
Console.WriteLine($"Row 1: component {labels[0]} (probability {proba[0, labels[0]]:F3}); BIC {bic:F1}");

model.Save("iris.json");
var again = GaussianMixtureModel.Load("iris.json");   // same bits
var more = gmm.Fit(data, warmStart: again);           // continue EM from a model
MixturePlot.Classification(data, model).Save("iris.png");   // Emix.Plots: also Density, Uncertainty, Criterion
