using System.Globalization;
using Exania.Click;
using Exania.Reports.Charts;

namespace Exania.Reports;

/// <summary>The report of a cross-validated click model (<c>train click --report</c>, <c>report --model</c>).</summary>
public static class ClickReportPage
{
    /// <summary>Builds the report of <paramref name="results"/>; <paramref name="source"/> names the features file, if known.</summary>
    /// <exception cref="ArgumentException">The results predate the recorded diagnostics (retrain to draw them).</exception>
    public static HtmlReport Build(ClickTrainingReport results, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Diagnostics is not { } diagnostics)
            throw new ArgumentException("These click results have no curves (written by an older Exania); run `exania train click` again to get a report.", nameof(results));
        var report = new HtmlReport("Ad-click model report", "click")
        {
            Summary = $"Logistic regression on degree-{results.Degree} polynomial features of the 2-minute window features, judged by {results.Folds}-fold stratified cross-validation: every curve below is drawn from out-of-fold probabilities (each row scored by the model that did not see it).",
            Json = results.ToJson(),
        }.WithFacts(
            new ReportFact("seed", results.Seed.ToString(CultureInfo.InvariantCulture)),
            new ReportFact("data", $"{source ?? "windows"}: {results.Rows:N0} windows, {results.Features} features, {BinaryReportSections.Percent(results.PositiveRate)} with an ad click"),
            new ReportFact("parameters", $"degree {results.Degree} ({results.ExpandedFeatures} terms), C {results.C.ToString(CultureInfo.InvariantCulture)}, class balancing {(results.ClassBalancing ? "on" : "off")}, {results.Folds} folds"),
            new ReportFact("ROC AUC", $"{results.AucMean:0.0000} ± {results.AucStd:0.0000} over folds, {results.OofAuc:0.0000} pooled"),
            new ReportFact("average precision", $"{results.PrAuc:0.0000} (prevalence {results.PositiveRate:0.0000})"),
            new ReportFact("threshold", $"{results.Threshold:0.####}: precision {results.Precision:0.000}, recall {results.Recall:0.000}, F1 {results.F1:0.000}"));

        BinaryReportSections.Add(report, diagnostics, "", "an ad click", "out-of-fold");

        var importance = report.Section("Which features matter: permutation importance",
            "Each base feature's held-out column is shuffled, fold by fold, and the ROC AUC lost is recorded; bars are the mean over folds, whiskers ± one standard deviation. A feature near zero adds nothing the others do not.");
        var features = results.FeatureImportance;
        importance.Chart(new BarChart("importance", "ROC AUC lost when the feature is shuffled", "AUC drop", [.. features.Select(f => f.Feature)])
            .Add(new BarGroup("mean AUC drop", [.. features.Select(f => f.AucDropMean)], [.. features.Select(f => f.AucDropStd)])));

        var foldSection = report.Section("Fold by fold", "The spread across folds is the uncertainty of the figures above.");
        foldSection.Table(new ReportTable("folds", "Cross-validation folds", ["fold", "ROC AUC", "average precision", "L-BFGS iterations", "converged"],
            [.. Enumerable.Range(0, results.Folds).Select(f => (IReadOnlyList<string>)[
                (f + 1).ToString(CultureInfo.InvariantCulture),
                BinaryReportSections.Fixed(results.FoldAucs[f]),
                f < diagnostics.Folds.Count ? BinaryReportSections.Fixed(diagnostics.Folds[f].AveragePrecision) : "n/a",
                f < results.FoldIterations.Count ? results.FoldIterations[f].ToString(CultureInfo.InvariantCulture) : "n/a",
                f < results.FoldConverged.Count ? (results.FoldConverged[f] ? "yes" : "no") : "n/a"])]));
        return report;
    }
}
