using System.Globalization;
using Exania.Conversion;
using Exania.Core;
using Exania.Reports.Charts;

namespace Exania.Reports;

/// <summary>The report of a k-means segmentation (<c>segment --report</c>, <c>report --model</c>).</summary>
public static class SegmentReportPage
{
    /// <summary>Builds the report of <paramref name="results"/>.</summary>
    /// <param name="results">The segmentation's report (segment_results.json).</param>
    /// <param name="source">Names the input, if known.</param>
    /// <param name="resultsJson">The results file's text, embedded as it is; null serializes <paramref name="results"/>.</param>
    public static HtmlReport Build(SegmentReport results, string? source = null, string? resultsJson = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var events = results.Source == SegmentSource.Events;
        var unit = events ? "users" : "rows";
        var report = new HtmlReport("Segmentation report", "segments")
        {
            Summary = $"k-means on the standardized {(results.Log1pFeatures.Count > 0 ? "(log1p where flagged) " : "")}features of {results.Rows:N0} {unit}"
                + (results.KChosenBy == "silhouette" ? $", k chosen by the mean silhouette among {string.Join(", ", results.Candidates.Select(c => c.K))}." : $", k fixed at {results.K}."),
            Json = resultsJson ?? ReportJson.Serialize(results),
        }.WithFacts(
            new ReportFact("seed", results.Seed.ToString(CultureInfo.InvariantCulture)),
            new ReportFact("data", $"{source ?? (events ? "events" : "table")}: {results.InputRows:N0} {unit} in, {results.Rows:N0} segmented"
                + (results.RowsSkippedMissing > 0 ? $" ({results.RowsSkippedMissing:N0} skipped for a missing value)" : "")),
            new ReportFact("features", string.Join(", ", results.Features) + (results.DroppedConstantFeatures.Count > 0 ? $" (constant, left out: {string.Join(", ", results.DroppedConstantFeatures)})" : "")),
            new ReportFact("parameters", $"k {results.K} ({results.KChosenBy}), {results.Restarts} k-means++ restarts, {results.Iterations} Lloyd steps{(results.Converged ? "" : " (not converged)")}"),
            new ReportFact("fit", string.Create(CultureInfo.InvariantCulture, $"inertia {results.Inertia:0.###}, mean silhouette {results.Silhouette:0.0000} (sample of {results.SilhouetteSample:N0})")));

        var segments = results.Segments;
        string Label(SegmentProfile s) => $"{s.Segment}: {s.Name}";
        var sizes = report.Section("How big each segment is",
            $"{unit} per segment" + (events && results.ConversionRate is { } rate ? string.Create(CultureInfo.InvariantCulture, $"; the population converts in {rate:0.0%} of sessions") : "") + ".");
        sizes.Chart(new BarChart("sizes", "Segment sizes", unit, [.. segments.Select(Label)])
            .Add(new BarGroup(unit, [.. segments.Select(s => (double)s.Size)])));
        List<string> headers = ["segment", "name", "size", "share"];
        if (events)
            headers.AddRange(["buyers", "conversion rate", "drop-off rate"]);
        sizes.Table(new ReportTable("segments", "Segments", headers, [.. segments.Select(s =>
        {
            List<string> row = [s.Segment.ToString(CultureInfo.InvariantCulture), s.Name, s.Size.ToString("N0", CultureInfo.InvariantCulture), BinaryReportSections.Percent(s.Share)];
            if (events)
                row.AddRange([Percent(s.BuyerShare), Percent(s.ConversionRate), Percent(s.DropoffRate)]);
            return (IReadOnlyList<string>)row;
        })]));

        var profile = report.Section("What sets each segment apart: profile",
            "Each cell is the segment's mean of the standardized feature (log1p first where flagged), i.e. (segment mean − population mean) ÷ population standard deviation of the feature as clustered: "
            + $"red above the population, blue below, white at the population mean. Names call a feature high or low at ±{Segmentation.NotableZ}.");
        var features = results.Features;
        var z = new double[segments.Count, features.Count];
        var text = new string[segments.Count, features.Count];
        for (var s = 0; s < segments.Count; s++)
            for (var f = 0; f < features.Count; f++)
            {
                var value = segments[s].Features.FirstOrDefault(x => x.Name == features[f])?.ZDifference ?? double.NaN;
                z[s, f] = value;
                text[s, f] = double.IsFinite(value) ? value.ToString("+0.00;-0.00", CultureInfo.InvariantCulture) : "";
            }
        profile.Chart(new Heatmap("profile", "Segment means relative to the population (z)", [.. segments.Select(Label)], features, z)
        {
            Scale = HeatmapScale.Diverging,
            CellText = text,
        }, "The raw means (in the input's units) are in the embedded JSON (segments[].features[].mean, population_mean).");

        var projection = report.Section("Where the segments lie: 2-D principal components",
            "The standardized features, as k-means saw them, projected on their two leading principal components (each component's largest loading is positive).");
        if (results.Projection is { } p)
        {
            var x = p.ExplainedVarianceRatio[0];
            var y = p.ExplainedVarianceRatio[1];
            var scatter = new XyChart("pca", $"PCA projection of {p.Rows.Count:N0} {unit}{(p.Rows.Count < results.Rows ? " (seeded sample)" : "")}",
                new Axis(string.Create(CultureInfo.InvariantCulture, $"PC1 ({x:0.0%} of the variance)")), new Axis(string.Create(CultureInfo.InvariantCulture, $"PC2 ({y:0.0%})")));
            foreach (var s in segments)
            {
                var rows = p.Rows.Where(r => r.Segment == s.Segment).ToList();
                scatter.Add(new Series(Label(s), [.. rows.Select(r => r.X)], [.. rows.Select(r => r.Y)], SeriesStyle.Points, ChartStyle.ColorOf(s.Segment)));
            }
            projection.Chart(scatter, string.Create(CultureInfo.InvariantCulture, $"The two components hold {x + y:0.0%} of the variance; segments that overlap here may still separate along the others."));
            projection.Table(new ReportTable("pca-loadings", "Loadings of the two components", ["feature", "PC1", "PC2"],
                [.. features.Select((f, i) => (IReadOnlyList<string>)[f, p.Components[0][i].ToString("+0.000;-0.000", CultureInfo.InvariantCulture), p.Components[1][i].ToString("+0.000;-0.000", CultureInfo.InvariantCulture)])]));
        }
        else
            projection.Note(results.Features.Count < 2
                ? "Not drawn: a projection on two components needs at least two features."
                : "These results hold no projection (written by an older Exania); run `exania segment` again to get it.");

        var choice = report.Section("Choosing k: silhouette and inertia",
            "The mean silhouette (on a seeded sample) is how much closer a row is to its own segment than to the next one, from −1 to 1; inertia is the k-means objective (sum of squared distances to the centroids), which always falls with k.");
        if (results.Candidates.Count > 1)
        {
            double[] ks = [.. results.Candidates.Select(c => (double)c.K)];
            var silhouette = new XyChart("silhouette", "Mean silhouette by k", new Axis("k"), new Axis("mean silhouette"));
            silhouette.Add(new Series("silhouette", ks, [.. results.Candidates.Select(c => c.Silhouette)], SeriesStyle.LineAndPoints, ChartStyle.Palette[0]));
            silhouette.Markers.Add(new Marker(results.K, results.Silhouette, $"chosen k = {results.K}"));
            choice.Chart(silhouette, "The highest silhouette picks k.");
            var inertia = new XyChart("inertia", "Inertia by k", new Axis("k"), new Axis("inertia", 0));
            inertia.Add(new Series("inertia", ks, [.. results.Candidates.Select(c => c.Inertia)], SeriesStyle.LineAndPoints, ChartStyle.Palette[1]));
            inertia.Markers.Add(new Marker(results.K, results.Inertia, $"chosen k = {results.K}"));
            choice.Chart(inertia, "An elbow, where adding a segment stops buying much, agrees with the silhouette when the segments are clear.");
        }
        else
            choice.Note($"k was fixed at {results.K} (no range given), so there is no curve; give --k as a range such as 2..8 to choose it by the silhouette.");
        return report;
    }

    private static string Percent(double? value) => value is { } v ? BinaryReportSections.Percent(v) : "";
}
