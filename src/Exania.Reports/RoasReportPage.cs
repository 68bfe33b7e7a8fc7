using System.Globalization;
using Exania.Core;
using Exania.Reports.Charts;
using Exania.Roas;
using Exania.Trees;

namespace Exania.Reports;

/// <summary>The report of a ROAS model (<c>train roas --report</c>, <c>report --model</c>): trees against the ridge baseline on the held-out rows.</summary>
public static class RoasReportPage
{
    /// <summary>Features drawn in the importance chart (the highest by gain; the table of the results has them all).</summary>
    public const int ImportanceFeatures = 15;

    /// <summary>
    /// The heavy-tail rule of the predicted-against-actual plots: log axes when the largest positive actual value is
    /// more than this many times the median positive one and at most <see cref="LogAxisMaxNonPositiveShare"/> of the
    /// actual values are ≤ 0 (they cannot be drawn on a log axis).
    /// </summary>
    public const double LogAxisTailRatio = 100;

    /// <summary>The largest share of actual values ≤ 0 that still allows log axes (see <see cref="LogAxisTailRatio"/>).</summary>
    public const double LogAxisMaxNonPositiveShare = 0.05;

    /// <summary>Builds the report of <paramref name="results"/>.</summary>
    /// <param name="results">The run's results.</param>
    /// <param name="json">The results JSON as written (embedded verbatim); null serialises <paramref name="results"/>.</param>
    /// <param name="source">Names the campaign table or results file, if known.</param>
    /// <exception cref="ArgumentException">The results predate the held-out sample and the loss by round (retrain to draw them).</exception>
    public static HtmlReport Build(RoasReport results, string? json = null, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.HeldOut is not { } heldOut || results.Loss is not { } loss)
            throw new ArgumentException("These ROAS results have no held-out predictions or loss by round (written by an older Exania); run `exania train roas` again to get a report.", nameof(results));
        var split = results.Split == "date"
            ? "date split (the latest rows held out)"
            : $"random split{(results.TestFraction is { } f ? $" ({f.ToString("0.##", CultureInfo.InvariantCulture)} held out)" : "")}";
        var dropped = results.TargetRows.DroppedZeroSpend + results.TargetRows.DroppedMissing + results.TargetRows.DroppedNegative;
        var report = new HtmlReport("ROAS model report", "roas")
        {
            Summary = $"Gradient-boosted trees predicting {results.Target}, judged on held-out rows ({split}) against a ridge regression fitted to the same encoded columns of the same training rows. Every figure below is computed on the held-out rows, which never steered training.",
            Json = json ?? ReportJson.Serialize(results),
        }.WithFacts(
            new ReportFact("target", results.Target),
            new ReportFact("data", $"{source ?? "campaigns"}: {results.TargetRows.TargetRows:N0} rows with a target ({dropped:N0} dropped), {results.TrainRows:N0} train / {results.TestRows:N0} test, {results.Features} encoded features"),
            new ReportFact("split", split),
            new ReportFact("seed", results.Seed?.ToString(CultureInfo.InvariantCulture) ?? "n/a"),
            new ReportFact("parameters", Parameters(results.Trees)),
            new ReportFact("rounds", results.BestIteration is { } best && loss.Validation is not null
                ? $"{results.RoundsTrained} kept of {loss.Training.Count} run (best round {best + 1})"
                : $"{results.RoundsTrained}"),
            new ReportFact("RMSE", $"{results.Rmse:0.####} (linear {results.LinearRmse:0.####})"),
            new ReportFact("R²", $"{results.R2:0.####} (linear {results.LinearR2:0.####})"),
            new ReportFact("MAE", $"{results.Mae:0.####} (linear {results.LinearMae:0.####})"),
            new ReportFact("excluded", results.Excluded.Count == 0 ? "none" : string.Join(", ", results.Excluded)));

        AddPredictedAgainstActual(report, results, heldOut);
        AddByAge(report, results, heldOut);
        AddImportance(report, results.Importance);
        AddLoss(report, results, loss);
        return report;
    }

    /// <summary>Whether the predicted-against-actual plots use log axes for <paramref name="actual"/> (the rule of <see cref="LogAxisTailRatio"/>).</summary>
    public static bool LogAxes(IReadOnlyList<double> actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        var positive = actual.Where(v => v > 0).Order().ToArray();
        if (positive.Length == 0 || actual.Count - positive.Length > LogAxisMaxNonPositiveShare * actual.Count)
            return false;
        var median = positive.Length % 2 == 1 ? positive[positive.Length / 2] : (positive[positive.Length / 2 - 1] + positive[positive.Length / 2]) / 2;
        return positive[^1] / median > LogAxisTailRatio;
    }

    private static void AddPredictedAgainstActual(HtmlReport report, RoasReport results, RoasPredictionSample heldOut)
    {
        var log = LogAxes(heldOut.Actual);
        var sampled = heldOut.Actual.Count == heldOut.TestRows
            ? $"all {heldOut.TestRows:N0} held-out rows"
            : $"{heldOut.Actual.Count:N0} of the {heldOut.TestRows:N0} held-out rows (drawn with seed {heldOut.Seed})";
        var scale = log
            ? $"Both axes are logarithmic: the largest actual value is more than {LogAxisTailRatio:0}× the median positive one."
            : $"Both axes are linear (log axes are used when the largest actual value exceeds {LogAxisTailRatio:0}× the median positive one and at most {LogAxisMaxNonPositiveShare:0%} of values are ≤ 0).";
        var section = report.Section($"Predicted against actual {results.Target} on the held-out rows",
            $"Each point is one of {sampled}; a perfect model puts every point on the dashed line y = x. {scale}");
        var (low, high) = Range(heldOut, log);
        foreach (var (id, name, predicted, rmse, r2, color) in new[]
        {
            ("predicted-actual", "trees", heldOut.Predicted, results.Rmse, results.R2, ChartStyle.Palette[0]),
            ("predicted-actual-linear", "linear baseline", heldOut.LinearPredicted, results.LinearRmse, results.LinearR2, ChartStyle.Palette[1]),
        })
        {
            var axisScale = log ? AxisScale.Log : AxisScale.Linear;
            var chart = new XyChart(id, $"{Capital(name)}: predicted against actual (RMSE {rmse:0.###}, R² {r2:0.###})", new Axis($"actual {results.Target}", low, high, axisScale),
                new Axis($"predicted {results.Target}", low, high, axisScale))
            { Square = true };
            chart.Add(new Series(name, heldOut.Actual, predicted, SeriesStyle.Points, color));
            chart.Add(Series.Reference("y = x", low, low, high, high));
            var off = 0;
            var outside = 0;
            for (var i = 0; i < predicted.Count; i++)
            {
                if (log && (heldOut.Actual[i] <= 0 || predicted[i] <= 0)) off++;
                else if (predicted[i] < low || predicted[i] > high) outside++;
            }
            var caption = $"RMSE, R² and MAE are over all {results.TestRows:N0} held-out rows.";
            if (off > 0) caption += $" {off:N0} point(s) with an actual or predicted value ≤ 0 cannot be drawn on the log axes.";
            if (outside > 0) caption += $" {outside:N0} prediction(s) lie outside the range of the actual values and are clipped at the edge.";
            section.Chart(chart, caption);
        }
    }

    /// <summary>One range for both axes (so y = x is the diagonal): the actual values' range, widened to the predictions only on a linear axis when they stay within it tenfold.</summary>
    private static (double Low, double High) Range(RoasPredictionSample heldOut, bool log)
    {
        var values = heldOut.Actual.Concat(heldOut.Predicted).Where(v => double.IsFinite(v) && (!log || v > 0)).ToArray();
        if (values.Length == 0) return log ? (1, 10) : (0, 1);
        var (low, high) = (values.Min(), values.Max());
        if (log) return (Math.Pow(10, Math.Floor(Math.Log10(low))), Math.Pow(10, Math.Ceiling(Math.Log10(high))));
        // The ridge baseline can predict far outside the data; the trees cannot (their leaves average training targets).
        if (high <= low) (low, high) = (low - 1, high + 1);
        return (Math.Min(0, low), high);
    }

    private static void AddByAge(HtmlReport report, RoasReport results, RoasPredictionSample heldOut)
    {
        var section = report.Section("Error by campaign age (days_active)",
            "New campaigns have little history to learn from: the held-out error of both models by how many days the campaign had been running.");
        var buckets = results.ByDaysActive;
        if (buckets.Count == 0)
        {
            section.Note($"The campaign table has no numeric {RoasTrainer.DaysActiveColumn} column, so the error cannot be split by campaign age.");
            return;
        }
        var categories = buckets.Select(b => $"{b.DaysActive} days ({b.Rows:N0} rows)").ToList();
        var rmse = new BarChart("rmse-by-age", "Held-out RMSE by days active", $"RMSE of {results.Target}", categories)
            .Add(new BarGroup("trees", [.. buckets.Select(b => b.Rmse)], Color: ChartStyle.Palette[0]));
        if (buckets.All(b => b.LinearRmse is not null))
            rmse.Add(new BarGroup("linear baseline", [.. buckets.Select(b => b.LinearRmse!.Value)], Color: ChartStyle.Palette[1]));
        section.Chart(rmse, "Over every held-out row of each bucket; buckets with fewer than two rows are left out.");
        if (heldOut.DaysActive is { } days)
        {
            var residuals = new XyChart("residuals-by-age", "Residual (predicted − actual) against days active", new Axis("days active"), new Axis($"residual of {results.Target}"));
            residuals.Add(new Series("trees", days, [.. heldOut.Predicted.Select((p, i) => p - heldOut.Actual[i])], SeriesStyle.Points, ChartStyle.Palette[0]));
            residuals.Add(new Series("linear baseline", days, [.. heldOut.LinearPredicted.Select((p, i) => p - heldOut.Actual[i])], SeriesStyle.Points, ChartStyle.Palette[1]));
            residuals.Add(Series.Reference("no error", days.Min(), 0, days.Max(), 0));
            section.Chart(residuals, $"The {heldOut.Actual.Count:N0} sampled held-out rows; above zero the model over-predicts.");
        }
        section.Table(new ReportTable("by-age", "Held-out error by days active", ["days active", "rows", "RMSE trees", "RMSE linear", "R² trees", "R² linear"],
            [.. buckets.Select(b => (IReadOnlyList<string>)[b.DaysActive, b.Rows.ToString("N0", CultureInfo.InvariantCulture),
                BinaryReportSections.Fixed(b.Rmse), b.LinearRmse is { } l ? BinaryReportSections.Fixed(l) : "n/a",
                BinaryReportSections.Fixed(b.R2), b.LinearR2 is { } lr ? BinaryReportSections.Fixed(lr) : "n/a"])]));
    }

    private static void AddImportance(HtmlReport report, RoasImportance importance)
    {
        var section = report.Section("Which features the trees use: importance by gain, weight and cover",
            "Gain is the average loss reduction of a feature's splits, weight the number of its splits, cover the average number of rows (hessian) its splits see. Each is shown as the feature's share of that measure's total over all features, so the three bars of a feature compare.");
        if (importance.Gain.Count == 0)
        {
            section.Note("The trees made no split (every tree is a single leaf), so no feature has an importance.");
            return;
        }
        var top = importance.Gain.Take(ImportanceFeatures).Select(f => f.Feature).ToList();
        var chart = new BarChart("importance", top.Count < importance.Gain.Count ? $"Importance, top {top.Count} of {importance.Gain.Count} features by gain" : "Importance by gain, weight and cover",
            "share of the measure's total", top)
            .Add(Shares("gain", importance.Gain, top, ChartStyle.Palette[0]))
            .Add(Shares("weight (splits)", importance.Weight, top, ChartStyle.Palette[1]))
            .Add(Shares("cover", importance.Cover, top, ChartStyle.Palette[2]));
        section.Chart(chart, "A feature high on weight but low on gain is split on often for little; one-hot columns are named column=value.");
    }

    /// <summary>Each feature's share of the measure's total over every feature (0 for a feature the measure does not list).</summary>
    internal static BarGroup Shares(string name, IReadOnlyList<RoasFeatureImportance> measure, IReadOnlyList<string> features, string color)
    {
        var total = measure.Sum(f => f.Value);
        var byName = measure.ToDictionary(f => f.Feature, f => f.Value, StringComparer.Ordinal);
        return new BarGroup(name, [.. features.Select(f => total > 0 ? byName.GetValueOrDefault(f) / total : 0)], Color: color);
    }

    private static void AddLoss(HtmlReport report, RoasReport results, RoasLossByRound loss)
    {
        var metric = loss.Metric.ToUpperInvariant();
        var section = report.Section($"Training: {metric} by boosting round",
            loss.Validation is null
                ? $"The loss after each round on the {loss.FitRows:N0} rows the trees were fitted to. Without early stopping there is no validation curve: train with --early-stopping N to hold out a validation tenth of the training rows and stop where it stops improving."
                : $"The loss after each round on the {loss.FitRows:N0} rows the trees were fitted to and on the validation tenth of the training rows ({loss.ValidationRows:N0} rows, never the test rows). Early stopping keeps the trees up to the round with the lowest validation loss.");
        var rounds = loss.Training.Count;
        var x = Enumerable.Range(1, rounds).Select(r => (double)r).ToArray();
        var values = loss.Training.Concat(loss.Validation ?? []).Where(double.IsFinite).ToArray();
        var (low, high) = values.Length == 0 ? (0.0, 1.0) : (values.Min(), values.Max());
        if (high <= low) (low, high) = (low - 1, high + 1);
        var chart = new XyChart("loss", $"{metric} by round", new Axis("round (trees so far)", 0, LossAxisEnd(rounds, loss.BestIteration)), new Axis(metric, low, high));
        chart.Add(new Series($"training {loss.Metric}", x, loss.Training, SeriesStyle.Line, ChartStyle.Palette[0]));
        if (loss.Validation is { } validation)
        {
            chart.Add(new Series($"validation {loss.Metric}", x[..validation.Count], validation, SeriesStyle.Line, ChartStyle.Palette[3]));
            if (loss.BestIteration is { } best)
                chart.Markers.Add(new Marker(best + 1, null, $"best {best + 1}"));
        }
        section.Chart(chart, loss.Validation is not { } kept || loss.BestIteration is not { } bestRound
            ? $"{results.RoundsTrained} trees; the held-out RMSE of the final model is {results.Rmse:0.####}."
            : $"The dotted line marks the round kept, {bestRound + 1}, with validation {loss.Metric} {kept[bestRound]:0.####}; the held-out (test) RMSE of the kept trees is {results.Rmse:0.####}.");
    }

    /// <summary>The end of the round axis: the last round, with room on the right for the marker's label when the best round is near it.</summary>
    internal static double LossAxisEnd(int rounds, int? bestIteration) =>
        bestIteration is { } best && best + 1 > 0.85 * rounds ? Math.Ceiling(rounds * 1.12) : rounds;

    private static string Parameters(GbtOptions? trees)
    {
        if (trees is null) return "n/a";
        var text = string.Create(CultureInfo.InvariantCulture,
            $"rounds {trees.Rounds}, max depth {trees.MaxDepth}, learning rate {trees.LearningRate}, min child weight {trees.MinChildWeight}, λ {trees.Lambda}, α {trees.Alpha}, γ {trees.Gamma}, subsample {trees.Subsample}, colsample {trees.ColsampleByTree}, max bins {trees.MaxBins}, {(trees.Growth == GbtGrowth.LossGuided ? $"loss-guided ({trees.MaxLeaves} leaves max)" : "depth-wise")}");
        return text + (trees.EarlyStoppingRounds > 0 ? $", early stopping after {trees.EarlyStoppingRounds} rounds" : ", no early stopping");
    }

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
