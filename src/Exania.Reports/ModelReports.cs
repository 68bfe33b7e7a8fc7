using System.Text.Json;
using Exania.Click;
using Exania.Core;

namespace Exania.Reports;

/// <summary>The report of a saved model, from the training results written beside it (<c>exania report --model</c>).</summary>
public static class ModelReports
{
    /// <summary>Builds the report of a model of <paramref name="kind"/> from its results JSON.</summary>
    /// <param name="kind">The model's kind.</param>
    /// <param name="resultsJson">The results file's text.</param>
    /// <param name="source">Where the results came from, shown in the header.</param>
    /// <exception cref="JsonException">The results are not that kind's results.</exception>
    /// <exception cref="ArgumentException">The results predate what the report draws.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a model kind.</exception>
    public static HtmlReport FromResults(ModelKind kind, string resultsJson, string? source = null) => kind switch
    {
        ModelKind.Click => ClickReportPage.Build(ClickTrainingReport.FromJson(resultsJson), source),
        ModelKind.Conversion => ConversionReportPage.Build(ReportJson.Deserialize<Exania.Conversion.ConversionReport>(resultsJson), resultsJson, source),
        ModelKind.Sequence => SequenceReportPage.Build(resultsJson, source),
        ModelKind.Segment => SegmentReportPage.Build(ReportJson.Deserialize<Exania.Conversion.SegmentReport>(resultsJson), source, resultsJson),
        ModelKind.Roas => RoasReportPage.Build(ReportJson.Deserialize<Exania.Roas.RoasReport>(resultsJson), resultsJson, source),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a model kind."),
    };
}
