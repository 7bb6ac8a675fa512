// An ML.NET pipeline with an Emix Gaussian mixture as its clustering trainer: load a text file,
// normalise the features, fit, score every row, evaluate with ML.NET's clustering metrics, and
// predict one new row with a prediction engine.
//
//   dotnet run --project samples/MlPipeline -- [iris.csv]
using Emix;
using Emix.ML;
using Microsoft.ML;
using Microsoft.ML.Data;

string path = args.Length > 0 ? args[0] : "tests/fixtures/data/iris.csv";
string[] features = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

// iris.csv lists the species in blocks of 50 rows; a copy with a species column gives the evaluator its labels.
string labelled = Path.Combine(Path.GetTempPath(), "iris-with-species.csv");
File.WriteAllLines(labelled, File.ReadLines(path).Select((line, i) => i == 0 ? line + ",species" : line + "," + ((i - 1) / 50)));

var ml = new MLContext(seed: 1);
var columns = features.Select((name, j) => new TextLoader.Column(name, DataKind.Single, j))
    .Append(new TextLoader.Column("Label", DataKind.Single, features.Length)).ToArray();
IDataView data = ml.Data.LoadFromTextFile(labelled, columns, separatorChar: ',', hasHeader: true);

var pipeline = ml.Transforms.Concatenate("Features", features)
    .Append(ml.Transforms.NormalizeMinMax("Features"))
    .Append(ml.Clustering.Trainers.GaussianMixture(numberOfClusters: 3, covarianceType: CovarianceType.Full));
var model = pipeline.Fit(data);
IDataView scored = model.Transform(data);

// ML.NET's evaluator assigns each row to its smallest score (it was made for k-means distances), so it
// is given −log p(j | x), not the probabilities in "Score".
var metrics = ml.Clustering.Evaluate(scored, labelColumnName: "Label",
    scoreColumnName: MixtureColumns.NegativeLogProbability, featureColumnName: "Features");
Console.WriteLine($"Normalized mutual information with the species: {metrics.NormalizedMutualInformation:F3}");
Console.WriteLine($"Davies-Bouldin index: {metrics.DaviesBouldinIndex:F3}");

MixtureTransformer mixture = model.LastTransformer;
Console.WriteLine($"Fitted: {mixture.Model.ComponentCount} components, log-likelihood {mixture.Model.TrainingLogLikelihood:F2}, "
    + $"{mixture.Model.IterationCount} iterations");

var engine = ml.Model.CreatePredictionEngine<Flower, Cluster>(model);
var prediction = engine.Predict(new Flower { SepalLength = 6.1f, SepalWidth = 2.8f, PetalLength = 4.7f, PetalWidth = 1.2f });
Console.WriteLine($"A new flower: component {prediction.PredictedLabel - 1}, "
    + $"probabilities {string.Join(" ", prediction.Score.Select(p => p.ToString("F3")))}");

// ML.NET's model zip cannot hold a third party's transformer; Emix's own model file can.
mixture.Save("iris-pipeline.json");
Console.WriteLine($"Model file: {Path.GetFullPath("iris-pipeline.json")}");

internal sealed class Flower
{
    [ColumnName("sepal_length")]
    public float SepalLength { get; set; }

    [ColumnName("sepal_width")]
    public float SepalWidth { get; set; }

    [ColumnName("petal_length")]
    public float PetalLength { get; set; }

    [ColumnName("petal_width")]
    public float PetalWidth { get; set; }
}

internal sealed class Cluster
{
    public uint PredictedLabel { get; set; }

    public float[] Score { get; set; } = [];
}
