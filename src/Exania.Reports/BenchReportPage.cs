using System.Globalization;
using System.Runtime.InteropServices;
using Exania.Reports.Charts;

namespace Exania.Reports;

/// <summary>A quality figure measured on both sides of a benchmark case (RMSE, ROC AUC, inertia, Recall@20).</summary>
/// <param name="Name">What it is, e.g. <c>RMSE</c>.</param>
/// <param name="Exania">Exania's value.</param>
/// <param name="Peer">The peer's value; null when the peer was not run.</param>
/// <param name="HigherIsBetter">True for AUC or recall, false for RMSE or inertia.</param>
public sealed record BenchQuality(string Name, double Exania, double? Peer, bool HigherIsBetter);

/// <summary>
/// One timed case of a benchmark, as the command measured it: Exania's time, the peer's, their ratio as the command's
/// JSON states it, and the quality figure of both sides on the same case.
/// </summary>
/// <param name="Case">The case, e.g. <c>generated</c> or <c>wholesale, k = 3</c>.</param>
/// <param name="Measure">What was timed, e.g. <c>training seconds (mean of 10 splits)</c>.</param>
/// <param name="Exania">Exania's time in <paramref name="Unit"/>.</param>
/// <param name="Unit">The unit of the times, e.g. <c>s</c>.</param>
/// <param name="Peer">The peer's name, e.g. <c>XGBoost 1.7</c>.</param>
/// <param name="PeerValue">The peer's time; null when the peer was not run.</param>
/// <param name="Ratio">Exania's time over the peer's, as the command reported it (below 1: Exania is faster); null without the peer.</param>
/// <param name="Quality">The quality figure of the case, if it has one.</param>
public sealed record BenchFigure(string Case, string Measure, double Exania, string Unit, string Peer, double? PeerValue, double? Ratio,
    BenchQuality? Quality = null);

/// <summary>
/// A figure a benchmark measures with no peer in the same run (requests per second, latency percentiles, memory), drawn
/// as bars per case with the goal it is held to as a dashed line.
/// </summary>
/// <param name="Id">The chart's id in the page.</param>
/// <param name="Title">The chart's title, e.g. <c>p99 latency per phase</c>.</param>
/// <param name="Unit">The unit of the values, e.g. <c>ms</c>.</param>
/// <param name="Categories">The cases (phases, endpoints).</param>
/// <param name="Groups">One group of bars per series (e.g. p50 and p99, or one per store).</param>
/// <param name="Goal">The goal the figure is held to, if any (drawn as a line).</param>
/// <param name="GoalLabel">What the goal line says, e.g. <c>goal 2 ms</c>.</param>
public sealed record BenchMeasurement(string Id, string Title, string Unit, IReadOnlyList<string> Categories, IReadOnlyList<BarGroup> Groups,
    double? Goal = null, string? GoalLabel = null);

/// <summary>What a benchmark command measured, for <see cref="BenchReportPage"/>.</summary>
/// <param name="Command">The command, e.g. <c>bench roas</c>.</param>
/// <param name="Description">One sentence: what is compared with what, on which data, how it is timed.</param>
/// <param name="Parameters">The command's parameters as header facts.</param>
/// <param name="Figures">The timed cases against a peer (may be empty for a load benchmark).</param>
/// <param name="Measurements">Figures without a peer (throughput, latency, memory) against their goals.</param>
public sealed record BenchSummary(string Command, string Description, IReadOnlyList<ReportFact> Parameters, IReadOnlyList<BenchFigure> Figures,
    IReadOnlyList<BenchMeasurement>? Measurements = null);

/// <summary>The report of a benchmark command (<c>exania bench ... --report</c>): time ratios against each peer with the quality figures beside them.</summary>
public static class BenchReportPage
{
    /// <summary>Ratios spanning more than this factor are drawn on a log axis.</summary>
    public const double LogSpan = 100;

    /// <summary>Builds the report of <paramref name="summary"/>; <paramref name="json"/> is the command's JSON result, embedded verbatim.</summary>
    public static HtmlReport Build(BenchSummary summary, string json)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(json);
        var report = new HtmlReport($"exania {summary.Command}", "bench")
        {
            Summary = summary.Description,
            Json = json,
        }.WithFacts([
            new ReportFact("machine", $"{Environment.ProcessorCount} processors, {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}), {RuntimeInformation.FrameworkDescription}"),
            .. summary.Parameters]);
        AddMeasurements(report, summary.Measurements ?? []);
        var figures = summary.Figures;
        if (figures.Count == 0)
            return report;
        var peers = string.Join(", ", figures.Select(f => f.Peer).Distinct());

        var time = report.Section("Time against the peer",
            $"Each bar is Exania's time over that of {peers} on the same case in the same run: below the dashed line at 1 Exania is faster (0.5 is twice as fast).");
        var compared = figures.Where(f => f.Ratio is not null).ToList();
        if (compared.Count == 0)
        {
            time.Note("The peer was not run (give --peers), so there are no ratios: Exania's own figures are in the table below.");
        }
        else
        {
            // One measure names the chart; several are told apart in the bar labels.
            var oneMeasure = compared.Select(f => f.Measure).Distinct().Count() == 1;
            time.Chart(RatioChart("time-ratios", oneMeasure ? $"Time ratio, Exania / peer: {compared[0].Measure}" : "Time ratio, Exania / peer (lower is better)",
                "time ratio (Exania / peer; lower is better)", [.. compared.Select(f => oneMeasure ? f.Case : $"{f.Case}: {f.Measure}")], [.. compared.Select(f => f.Ratio!.Value)]));
        }

        var withQuality = figures.Where(f => f.Quality is { Peer: > 0 }).ToList();
        var quality = report.Section("Quality on the same cases",
            "A faster engine is only worth it if it is as good: each case's quality figure for both sides, as the ratio Exania / peer (1 is equal; whether above or below is better depends on the figure, as each bar's label says).");
        if (withQuality.Count > 0)
        {
            var first = withQuality[0].Quality!;
            var oneFigure = withQuality.All(f => f.Quality!.Name == first.Name && f.Quality.HigherIsBetter == first.HigherIsBetter);
            quality.Chart(RatioChart("quality-ratios",
                oneFigure ? $"{char.ToUpperInvariant(first.Name[0])}{first.Name[1..]} ratio, Exania / peer ({(first.HigherIsBetter ? "higher" : "lower")} is better)" : "Quality ratio, Exania / peer",
                "quality ratio (Exania / peer)",
                [.. withQuality.Select(f => oneFigure ? f.Case : $"{f.Case}: {f.Quality!.Name} ({(f.Quality.HigherIsBetter ? "higher" : "lower")} is better)")],
                [.. withQuality.Select(f => f.Quality!.Exania / f.Quality.Peer!.Value)]));
        }
        quality.Table(new ReportTable("figures", "Every timed case: time and quality of both sides",
            ["case", "measure", "Exania", "peer", "peer's time", "time ratio", "quality", "Exania's", "peer's"],
            [.. figures.Select(f => (IReadOnlyList<string>)[
                f.Case, f.Measure, $"{ChartStyle.Number(f.Exania)} {f.Unit}", f.Peer, f.PeerValue is { } p ? $"{ChartStyle.Number(p)} {f.Unit}" : "not run",
                f.Ratio is { } r ? r.ToString("0.###", CultureInfo.InvariantCulture) : "",
                f.Quality?.Name ?? "", f.Quality is { } q ? ChartStyle.Number(q.Exania) : "", f.Quality?.Peer is { } qp ? ChartStyle.Number(qp) : ""])]));
        return report;
    }

    private static void AddMeasurements(HtmlReport report, IReadOnlyList<BenchMeasurement> measurements)
    {
        if (measurements.Count == 0)
            return;
        var section = report.Section("Measured figures",
            "Figures with no peer in the same run, each against the goal it is held to (the dashed line) where there is one.");
        foreach (var m in measurements)
        {
            var chart = new BarChart(m.Id, m.Title, m.Unit, m.Categories) { Reference = m.Goal, ReferenceLabel = m.GoalLabel };
            foreach (var group in m.Groups)
                chart.Add(group);
            section.Chart(chart);
        }
    }

    /// <summary>Bars of ratios against a reference line at 1, on a log axis when they span more than <see cref="LogSpan"/>×.</summary>
    internal static BarChart RatioChart(string id, string title, string axisTitle, IReadOnlyList<string> categories, IReadOnlyList<double> ratios)
    {
        var positive = ratios.Where(r => r > 0 && double.IsFinite(r)).ToList();
        var log = positive.Count == ratios.Count && positive.Count > 0 && positive.Max() / positive.Min() > LogSpan;
        return new BarChart(id, title, axisTitle, categories)
        {
            Reference = 1,
            ReferenceLabel = "equal",
            Scale = log ? AxisScale.Log : AxisScale.Linear,
        }.Add(new BarGroup("Exania / peer", ratios, Color: ChartStyle.Palette[0]));
    }
}
