using System.Globalization;
using Exania.Core;
using Exania.Reports.Charts;

namespace Exania.Reports;

/// <summary>
/// The sections every binary classifier's report has (the click model, each conversion head): ROC and PR curves per
/// fold and pooled against chance and prevalence, the reliability diagram with the Brier score against the constant
/// forecast, the threshold table with the chosen threshold marked, and the confusion counts there.
/// </summary>
public static class BinaryReportSections
{
    /// <summary>Adds the sections for <paramref name="diagnostics"/>; chart ids start with <paramref name="prefix"/>.</summary>
    /// <param name="report">The report to add to.</param>
    /// <param name="diagnostics">Held-out diagnostics of the classifier.</param>
    /// <param name="prefix">Makes the chart ids unique when a report holds several classifiers (e.g. <c>conversion-</c>).</param>
    /// <param name="positive">What a positive row is, in words (e.g. "ad click").</param>
    /// <param name="heldOut">How the probabilities were held out, in words (e.g. "out-of-fold").</param>
    /// <param name="model">The model's name in legends (null: "pooled" with folds, else "model").</param>
    /// <param name="baselines">Models compared on the same rows, drawn beside it (curves, calibration, a comparison table).</param>
    public static void Add(HtmlReport report, BinaryDiagnostics diagnostics, string prefix, string positive, string heldOut,
        string? model = null, IReadOnlyList<(string Name, BinaryDiagnostics Diagnostics)>? baselines = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(diagnostics);
        baselines ??= [];
        var pooled = diagnostics.Pooled;
        var folds = diagnostics.Folds;
        var label = model ?? (folds.Count > 0 ? "pooled" : "model");
        string BaselineColor(int b) => ChartStyle.Palette[(folds.Count + 1 + b) % ChartStyle.Palette.Count];

        var ranking = report.Section($"How well it ranks: ROC and precision-recall ({positive})",
            $"Each curve is drawn from the {heldOut} probabilities of {diagnostics.Rows:N0} rows ({diagnostics.Positives:N0} positive, prevalence {Percent(diagnostics.Prevalence)}). "
            + "The dashed grey lines are what a random ranking gets: the diagonal for ROC, the prevalence for precision.");
        var roc = new XyChart($"{prefix}roc", "ROC curve", Axis.Unit("false positive rate"), Axis.Unit("true positive rate")) { Square = true };
        var pr = new XyChart($"{prefix}pr", "Precision-recall curve", Axis.Unit("recall"), Axis.Unit("precision")) { Square = true };
        for (var f = 0; f < folds.Count; f++)
        {
            var color = ChartStyle.Palette[(f + 1) % ChartStyle.Palette.Count];
            roc.Add(new Series($"fold {f + 1} (AUC {folds[f].RocAuc:0.000})", folds[f].Roc.FalsePositiveRate, folds[f].Roc.TruePositiveRate, SeriesStyle.Line, color, 1));
            pr.Add(new Series($"fold {f + 1} (AP {folds[f].AveragePrecision:0.000})", folds[f].PrecisionRecall.Recall, folds[f].PrecisionRecall.Precision, SeriesStyle.Step, color, 1));
        }
        roc.Add(new Series($"{label} (AUC {pooled.RocAuc:0.000})", pooled.Roc.FalsePositiveRate, pooled.Roc.TruePositiveRate, SeriesStyle.Line, ChartStyle.Palette[0], 2.5));
        pr.Add(new Series($"{label} (AP {pooled.AveragePrecision:0.000})", pooled.PrecisionRecall.Recall, pooled.PrecisionRecall.Precision, SeriesStyle.Step, ChartStyle.Palette[0], 2.5));
        for (var b = 0; b < baselines.Count; b++)
        {
            var other = baselines[b].Diagnostics.Pooled;
            roc.Add(new Series($"{baselines[b].Name} (AUC {other.RocAuc:0.000})", other.Roc.FalsePositiveRate, other.Roc.TruePositiveRate, SeriesStyle.Line, BaselineColor(b), 1.5));
            pr.Add(new Series($"{baselines[b].Name} (AP {other.AveragePrecision:0.000})", other.PrecisionRecall.Recall, other.PrecisionRecall.Precision, SeriesStyle.Step, BaselineColor(b), 1.5));
        }
        roc.Add(Series.Reference("chance (AUC 0.5)", 0, 0, 1, 1));
        pr.Add(Series.Reference($"prevalence ({diagnostics.Prevalence:0.000})", 0, diagnostics.Prevalence, 1, diagnostics.Prevalence));
        var chosen = diagnostics.Thresholds.FirstOrDefault(t => t.Threshold == diagnostics.ChosenThreshold);
        if (chosen is not null)
            pr.Markers.Add(new Marker(chosen.Recall, chosen.Precision, $"threshold {diagnostics.ChosenThreshold:0.###}"));
        ranking.Chart(roc, "Higher and further left is better; AUC is the probability that a random positive is ranked above a random negative.");
        ranking.Chart(pr, "Average precision (AP) summarises the step curve; at low prevalence it is the more telling of the two.");
        if (baselines.Count > 0)
        {
            ranking.Table(new ReportTable($"{prefix}comparison", "Every model on the same rows", ["model", "ROC AUC", "average precision", "Brier", "threshold", "precision", "recall", "F1"],
                [.. baselines.Prepend((Name: label, Diagnostics: diagnostics)).Select(m => (IReadOnlyList<string>)[m.Name, Fixed(m.Diagnostics.Pooled.RocAuc),
                    Fixed(m.Diagnostics.Pooled.AveragePrecision), Fixed(m.Diagnostics.Brier), Fixed(m.Diagnostics.ChosenThreshold),
                    Fixed(Chosen(m.Diagnostics).Precision), Fixed(Chosen(m.Diagnostics).Recall), Fixed(Chosen(m.Diagnostics).F1)])])
            { HighlightRow = 0 });
        }

        var calibration = report.Section("Can the probabilities be taken at face value? Calibration",
            $"Rows are put into ten equal-width bins of predicted probability; a calibrated model's points lie on the diagonal. Brier score {diagnostics.Brier:0.0000} against {diagnostics.PrevalenceBrier:0.0000} for always forecasting the prevalence (lower is better).");
        var reliability = new XyChart($"{prefix}calibration", "Reliability diagram", Axis.Unit("mean predicted probability"), Axis.Unit("fraction positive")) { Square = true };
        reliability.Add(new Series($"{label} (Brier {diagnostics.Brier:0.0000})", [.. diagnostics.Calibration.Select(b => b.MeanPredicted)],
            [.. diagnostics.Calibration.Select(b => b.FractionPositive)], SeriesStyle.LineAndPoints, ChartStyle.Palette[0]));
        for (var b = 0; b < baselines.Count; b++)
        {
            var other = baselines[b].Diagnostics;
            reliability.Add(new Series($"{baselines[b].Name} (Brier {other.Brier:0.0000})", [.. other.Calibration.Select(x => x.MeanPredicted)],
                [.. other.Calibration.Select(x => x.FractionPositive)], SeriesStyle.LineAndPoints, BaselineColor(b), 1.5));
        }
        reliability.Add(Series.Reference("perfectly calibrated", 0, 0, 1, 1));
        calibration.Chart(reliability, "Class balancing, when on, shifts probabilities upwards: the ranking is unchanged, the threshold absorbs it.");
        calibration.Table(new ReportTable($"{prefix}calibration-bins", "Calibration bins", ["bin", "rows", "mean predicted", "fraction positive"],
            [.. diagnostics.Calibration.Select(b => (IReadOnlyList<string>)[$"{b.Low:0.0}–{b.High:0.0}", b.Rows.ToString("N0", CultureInfo.InvariantCulture), Fixed(b.MeanPredicted), Fixed(b.FractionPositive)])]));

        var deciding = report.Section("Where to cut: thresholds and the confusion matrix",
            $"Predict {positive} when the probability is at least the threshold. The highlighted row is the threshold the model uses ({diagnostics.ChosenThreshold:0.####}, the F1-optimal one on the {heldOut} probabilities).");
        var rows = diagnostics.Thresholds.Select(t => (IReadOnlyList<string>)[Fixed(t.Threshold), Fixed(t.Precision), Fixed(t.Recall), Fixed(t.F1), Percent(t.PredictedPositiveRate)]).ToList();
        var highlight = diagnostics.Thresholds.ToList().FindIndex(t => t.Threshold == diagnostics.ChosenThreshold);
        deciding.Table(new ReportTable($"{prefix}thresholds", "Precision, recall and F1 by threshold", ["threshold", "precision", "recall", "F1", "predicted positive"], rows) { HighlightRow = highlight });
        var c = diagnostics.Confusion;
        var matrix = new double[,] { { c.TrueNegatives, c.FalsePositives }, { c.FalseNegatives, c.TruePositives } };
        deciding.Chart(new Heatmap($"{prefix}confusion", $"Confusion matrix at threshold {c.Threshold:0.####}", ["actual negative", "actual positive"],
            ["predicted negative", "predicted positive"], matrix)
        {
            CellText = new[,] { { Count(c.TrueNegatives), Count(c.FalsePositives) }, { Count(c.FalseNegatives), Count(c.TruePositives) } },
        }, "Counts of rows; the diagonal is right.");
    }

    private static ThresholdScores Chosen(BinaryDiagnostics d) => d.Thresholds.First(t => t.Threshold == d.ChosenThreshold);

    internal static string Fixed(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.0000", CultureInfo.InvariantCulture);

    internal static string Percent(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.0%", CultureInfo.InvariantCulture);

    internal static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
