using System.Globalization;
using Exania.Conversion;
using Exania.Core;
using Exania.Reports.Charts;

namespace Exania.Reports;

/// <summary>The report of a conversion experiment (<c>train conversion --report</c>, <c>report --model</c>).</summary>
public static class ConversionReportPage
{
    /// <summary>Builds the report of <paramref name="results"/>; <paramref name="resultsJson"/> is embedded (the results file's text).</summary>
    /// <exception cref="ArgumentException">The results predate the recorded diagnostics (retrain to draw them).</exception>
    public static HtmlReport Build(ConversionReport results, string resultsJson, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Outputs.Any(o => o.Diagnostics.Count == 0))
            throw new ArgumentException("These conversion results have no curves (written by an older Exania); run `exania train conversion` again to get a report.", nameof(results));
        var seeds = results.Seeds.Count;
        var report = new HtmlReport("Conversion model report", "conversion")
        {
            Summary = $"A multi-task network with one head per output ({string.Join(", ", results.Outputs.Select(o => o.Name))}), compared on the same held-out rows with a single-task logistic regression and gradient-boosted trees per output. "
                + $"Curves are drawn from the test rows of the first split (seed {results.Seeds[0]}); each model's threshold was chosen on validation rows, never on test rows.",
            Json = resultsJson,
        }.WithFacts(
            new ReportFact("seed", string.Join(", ", results.Seeds)),
            new ReportFact("data", $"{source ?? "table"}: {results.Rows:N0} rows ({results.SkippedRows:N0} skipped), {results.Features} encoded features"),
            new ReportFact("split", $"test {results.TestFraction:P0}, validation {results.ValidationFraction:P0} of the rest, stratified; {seeds} split(s)"),
            new ReportFact("network", $"hidden {string.Join("×", results.Network.Hidden)}, {results.Network.Parameters:N0} parameters, {(results.Esmm ? "ESMM" : "independent heads")}, class balancing {(results.BalanceClasses ? "on" : "off")}, best epoch {string.Join("/", results.Network.BestEpochs)}"));

        var overview = report.Section("Every output, every model",
            seeds > 1 ? $"Means ± standard deviations over {seeds} independent splits." : "One split; run with --seeds 3 or more for the spread.");
        overview.Table(new ReportTable("outputs", "Held-out scores", ["output", "model", "population", "test rows", "ROC AUC", "average precision", "log loss", "F1"],
            [.. results.Outputs.SelectMany(o => o.Models.Select(m => (IReadOnlyList<string>)[o.Name, m.Model, o.Population, o.TestRows.ToString("N0", CultureInfo.InvariantCulture),
                WithSpread(m.Mean.RocAuc, m.Std.RocAuc, seeds), WithSpread(m.Mean.PrAuc, m.Std.PrAuc, seeds), WithSpread(m.Mean.LogLoss, m.Std.LogLoss, seeds), WithSpread(m.Mean.F1, m.Std.F1, seeds)]))]));
        var outputs = results.Outputs.Select(o => o.Name).ToList();
        var aucs = new BarChart("outputs-auc", "ROC AUC by output and model", "ROC AUC", outputs) { Reference = 0.5, ReferenceLabel = "chance" };
        foreach (var name in results.Outputs[0].Models.Select(m => m.Model))
        {
            aucs.Add(new BarGroup(name, [.. results.Outputs.Select(o => o.Models.First(m => m.Model == name).Mean.RocAuc)],
                seeds > 1 ? [.. results.Outputs.Select(o => o.Models.First(m => m.Model == name).Std.RocAuc)] : null));
        }
        overview.Chart(aucs, "Means over splits; whiskers ± one standard deviation when there are several.");
        AddLoss(report, results);

        foreach (var output in results.Outputs)
        {
            var network = output.Diagnostics.First(d => d.Model == ConversionExperiment.NetworkName).Diagnostics;
            var baselines = output.Diagnostics.Where(d => d.Model != ConversionExperiment.NetworkName).Select(d => (d.Model, d.Diagnostics)).ToList();
            var prefix = $"{Slug(output.Name)}-";
            BinaryReportSections.Add(report, network, prefix, $"{output.Name} ({output.Population})", "held-out test", ConversionExperiment.NetworkName, baselines);
            if (output.Importance.Count == 0) continue;
            var top = output.Importance.Take(20).ToList();
            report.Section($"Which features matter for {output.Name}: permutation importance of the network",
                $"Each encoded feature is shuffled among the test rows {ConversionExperiment.ImportanceRepeats} times and the ROC AUC lost is recorded; bars are the mean, whiskers ± one standard deviation (the 20 largest of {output.Importance.Count}).")
                .Chart(new BarChart($"{prefix}importance", $"ROC AUC lost when the feature is shuffled ({output.Name})", "AUC drop", [.. top.Select(f => f.Feature)])
                    .Add(new BarGroup("mean AUC drop", [.. top.Select(f => f.AucDropMean)], [.. top.Select(f => f.AucDropStd)])));
        }
        return report;
    }

    /// <summary>The network's loss by epoch in the first split, the epoch whose parameters were kept marked.</summary>
    private static void AddLoss(HtmlReport report, ConversionReport results)
    {
        var epochs = results.FirstSeedEpochs;
        var section = report.Section("How the network trained: loss by epoch",
            $"Weighted cross-entropy summed over the heads, on the training rows and on the validation rows of the first split (seed {results.Seeds[0]}); training stops after the validation loss has not improved for the patience, and the best epoch's parameters are kept.");
        if (epochs.Count == 0)
        {
            section.Note("These results have no loss by epoch (written by an older Exania); train again to draw it.");
            return;
        }
        var x = epochs.Select(e => (double)e.Epoch).ToList();
        var chart = new XyChart("loss", "Loss by epoch", new Axis("epoch", 0, epochs[^1].Epoch), new Axis("loss"))
            .Add(new Series("training", x, [.. epochs.Select(e => e.TrainLoss)], SeriesStyle.Line, ChartStyle.Palette[0]))
            .Add(new Series("validation", x, [.. epochs.Select(e => e.ValidationLoss)], SeriesStyle.Line, ChartStyle.Palette[1]));
        chart.Markers.Add(new Marker(results.Network.BestEpochs[0], null, $"kept: epoch {results.Network.BestEpochs[0]}"));
        section.Chart(chart, "A validation curve that turns up while the training curve falls is overfitting.");
    }

    private static string WithSpread(double mean, double std, int seeds) =>
        seeds > 1 ? $"{mean:0.0000} ± {std:0.0000}" : mean.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Slug(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-'));
}
