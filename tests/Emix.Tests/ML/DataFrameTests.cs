using Emix.ML;
using Microsoft.Data.Analysis;
using Microsoft.ML;

namespace Emix.Tests.ML;

/// <summary>Data sets from DataFrame columns (nulls as missing cells) and predictions back as columns.</summary>
public sealed class DataFrameTests
{
    private static DataFrame Faithful()
    {
        var data = Fixtures.Data("faithful");
        var eruptions = new DoubleDataFrameColumn("eruptions", Enumerable.Range(0, data.RowCount).Select(i => data[i, 0]));
        var waiting = new Int32DataFrameColumn("waiting", Enumerable.Range(0, data.RowCount).Select(i => (int)data[i, 1]));
        var names = new StringDataFrameColumn("name", Enumerable.Range(0, data.RowCount).Select(i => "row " + i));
        return new DataFrame(names, eruptions, waiting);
    }

    [Fact]
    public void Named_numeric_columns_of_any_type_become_the_same_data_set_as_the_csv()
    {
        var frame = Faithful();
        var data = frame.ToDataSet(["eruptions", "waiting"]);
        var csv = Fixtures.Data("faithful");
        Assert.Equal(csv.Values.ToArray(), data.Values.ToArray());
        Assert.Equal(["eruptions", "waiting"], data.FeatureNames);
        Assert.False(data.HasMissing);
        // With no names, every numeric column, in order (the text column is left out).
        Assert.Equal(["eruptions", "waiting"], frame.ToDataSet().FeatureNames);
    }

    [Fact]
    public void Nulls_are_missing_cells_that_a_gaussian_fit_treats_as_missing_at_random()
    {
        var frame = Faithful();
        frame.Columns["eruptions"][3] = null;
        frame.Columns["waiting"][10] = null;
        var data = frame.ToDataSet(["eruptions", "waiting"]);
        Assert.Equal(2, data.MissingCount);
        Assert.True(double.IsNaN(data[3, 0]));
        Assert.True(double.IsNaN(data[10, 1]));
        var model = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 2 }).Fit(data);
        Assert.True(model.Converged);
    }

    [Fact]
    public void Predictions_and_probabilities_come_back_as_columns_equal_to_the_models()
    {
        var frame = Faithful();
        var data = frame.ToDataSet(["eruptions", "waiting"]);
        var model = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 2 }).Fit(data);
        frame.AddPredictions(model);

        var labels = model.Predict(data);
        var probabilities = model.PredictProbabilities(data);
        var logDensity = model.ScoreSamples(data);
        for (int i = 0; i < data.RowCount; i++)
        {
            Assert.Equal(labels[i], (int)frame.Columns["PredictedLabel"][i]);
            Assert.Equal(probabilities[i, 0], (double)frame.Columns["Probability0"][i]);
            Assert.Equal(probabilities[i, 1], (double)frame.Columns["Probability1"][i]);
            Assert.Equal(logDensity[i], (double)frame.Columns["LogLikelihood"][i]);
        }
    }

    [Fact]
    public void A_data_frame_is_a_view_the_mlnet_trainer_fits_on()
    {
        var ml = new MLContext(seed: 1);
        var frame = Faithful();
        // The Int32 column becomes Double first: Concatenate joins columns of one type.
        var features = ml.Transforms.Conversion.ConvertType("waiting", outputKind: Microsoft.ML.Data.DataKind.Double)
            .Append(ml.Transforms.Concatenate("Features", "eruptions", "waiting"));
        var view = features.Fit(frame).Transform(frame);
        var fromView = new MixtureTrainer(new MixtureTrainerOptions { Mixture = new GaussianMixtureOptions { ComponentCount = 2 } }).Fit(view).Model;
        var fromColumns = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 2 }).Fit(frame.ToDataSet(["eruptions", "waiting"]));
        Assert.Equal(fromColumns.LowerBound, fromView.LowerBound);
        Assert.Equal(fromColumns.Weights, fromView.Weights);
    }

    [Fact]
    public void Bad_columns_give_one_line_messages_naming_the_column()
    {
        var frame = Faithful();
        var text = Assert.Throws<DataFormatException>(() => frame.ToDataSet(["name"]));
        Assert.Equal("data frame: column 'name' holds String values, not numbers; name a numeric column.", text.Message);
        var absent = Assert.Throws<DataFormatException>(() => frame.ToDataSet(["nope"]));
        Assert.Equal("data frame: there is no column named 'nope'; available columns: name, eruptions, waiting.", absent.Message);
        var empty = new DataFrame(new DoubleDataFrameColumn("x", 0));
        Assert.Equal("data frame: no data rows.", Assert.Throws<DataFormatException>(() => empty.ToDataSet()).Message);
    }
}
