using Exania.Core;

namespace Exania.Core.Tests;

/// <summary>Hand-computed values, as scikit-learn's precision_recall_fscore_support(zero_division=0) gives them.</summary>
public class ClassificationReportTests
{
    [Fact]
    public void From_SmallCase_MatchesHandComputedScores()
    {
        // truth 0 0 1 2, predicted 0 1 1 1: class 0 P 1/1 R 1/2; class 1 P 1/3 R 1/1; class 2 never predicted.
        var report = ClassificationReport.From([0, 0, 1, 2], [0, 1, 1, 1], ["a", "b", "c", "unused"]);
        Assert.Equal(0.5, report.Accuracy);
        Assert.Equal(new ClassScores("a", 1, 0.5, 2.0 / 3, 2), report.Classes[0]);
        Assert.Equal(new ClassScores("b", 1.0 / 3, 1, 0.5, 1), report.Classes[1]);
        Assert.Equal(new ClassScores("c", 0, 0, 0, 1), report.Classes[2]);
        // Macro averages run over the classes in the truth or the predictions: "unused" does not dilute them.
        Assert.Equal((2.0 / 3 + 0.5 + 0) / 3, report.MacroF1, 15);
        Assert.Equal((1 + 1.0 / 3 + 0) / 3, report.MacroPrecision, 15);
        Assert.Equal((2 * 2.0 / 3 + 1 * 0.5 + 1 * 0) / 4, report.WeightedF1, 15);
        Assert.Equal(1, report.Confusion![0, 1]);
        Assert.Equal(1, report.Confusion[2, 1]);
    }

    [Fact]
    public void From_LengthsDiffer_Throws() =>
        Assert.Throws<ArgumentException>(() => ClassificationReport.From([0, 1], [0], ["a", "b"]));
}
