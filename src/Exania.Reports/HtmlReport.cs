using System.Text;
using Exania.Core;
using Exania.Reports.Charts;

namespace Exania.Reports;

/// <summary>A fact shown in a report's header or a section: a name and its value as text.</summary>
public sealed record ReportFact(string Name, string Value);

/// <summary>A table of a report: column headers and rows of cell text (numbers already formatted).</summary>
public sealed record ReportTable(string Id, string Caption, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>Row index to highlight (the chosen threshold, the best model), or -1.</summary>
    public int HighlightRow { get; init; } = -1;
}

/// <summary>A chart of a report with the sentence printed under it.</summary>
public sealed record ReportFigure(IChart Chart, string? Caption);

/// <summary>One part of a report: a heading, a sentence saying what to look for, and its charts, tables and notes.</summary>
public sealed class ReportSection(string heading, string? lead = null)
{
    private readonly List<object> _items = [];

    public string Heading { get; } = heading;
    public string? Lead { get; } = lead;
    public IReadOnlyList<object> Items => _items;

    public ReportSection Chart(IChart chart, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(chart);
        _items.Add(new ReportFigure(chart, caption));
        return this;
    }

    public ReportSection Table(ReportTable table)
    {
        _items.Add(table);
        return this;
    }

    /// <summary>A paragraph of plain text (e.g. why a plot is absent and which command produces it).</summary>
    public ReportSection Note(string text)
    {
        _items.Add(text);
        return this;
    }
}

/// <summary>
/// A self-contained HTML report: one file with its styles, charts as inline SVG and the typed JSON report it was drawn
/// from embedded as <c>&lt;script type="application/json" id="exania-report-data"&gt;</c>. It needs no script, no
/// network and no server, and prints one section per page region.
/// </summary>
/// <remarks>
/// Charts are SVG rendered in C# rather than echarts in the page: a report is a few tens of kilobytes instead of
/// carrying a 1 MB library, draws the same in every browser and on paper, and its figures can be checked without a
/// browser. Every chart is drawn from the same typed report that is embedded, so the picture and the JSON cannot differ.
/// </remarks>
public sealed class HtmlReport(string title, string kind)
{
    /// <summary>The id of the script element that holds the report's JSON.</summary>
    public const string DataElementId = "exania-report-data";

    public string Title { get; } = title;
    /// <summary>What was reported: click, roas, sequence, conversion, segments or bench (the <c>data-report</c> attribute).</summary>
    public string Kind { get; } = kind;
    /// <summary>One sentence under the title saying what the model does and how it was judged.</summary>
    public string? Summary { get; init; }
    /// <summary>Header facts: version, commit, seed, parameters, data summary.</summary>
    public List<ReportFact> Facts { get; } = [];
    public List<ReportSection> Sections { get; } = [];
    /// <summary>The JSON report the charts were drawn from (embedded verbatim).</summary>
    public string? Json { get; init; }

    /// <summary>Adds the Exania version and commit, then the given facts.</summary>
    public HtmlReport WithFacts(params ReadOnlySpan<ReportFact> facts)
    {
        Facts.Add(new ReportFact("Exania", $"{ExaniaBuild.Version} (commit {ExaniaBuild.ShortCommit})"));
        Facts.AddRange(facts);
        return this;
    }

    public ReportSection Section(string heading, string? lead = null)
    {
        var section = new ReportSection(heading, lead);
        Sections.Add(section);
        return section;
    }

    /// <summary>All charts in the report, in page order.</summary>
    public IEnumerable<IChart> Charts =>
        Sections.SelectMany(s => s.Items).OfType<ReportFigure>().Select(f => f.Chart);

    public string Render()
    {
        var ids = Charts.Select(c => c.Id).ToList();
        var repeated = ids.GroupBy(i => i).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new InvalidOperationException($"Two charts of the report share the id '{repeated.Key}'.");
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"generator\" content=\"Exania ").Append(Escape(ExaniaBuild.Version)).Append("\">")
            .Append("<title>").Append(Escape(Title)).Append("</title><style>").Append(Styles).Append("</style></head>\n")
            .Append("<body data-report=\"").Append(Escape(Kind)).Append("\"><header><h1>").Append(Escape(Title)).Append("</h1>");
        if (Summary is not null) html.Append("<p class=\"summary\">").Append(Escape(Summary)).Append("</p>");
        html.Append("<dl class=\"facts\">");
        foreach (var fact in Facts)
            html.Append("<div><dt>").Append(Escape(fact.Name)).Append("</dt><dd>").Append(Escape(fact.Value)).Append("</dd></div>");
        html.Append("</dl></header>\n<main>");
        foreach (var section in Sections)
        {
            html.Append("<section><h2>").Append(Escape(section.Heading)).Append("</h2>");
            if (section.Lead is not null) html.Append("<p class=\"lead\">").Append(Escape(section.Lead)).Append("</p>");
            html.Append("<div class=\"items\">");
            foreach (var item in section.Items)
            {
                switch (item)
                {
                    case ReportFigure figure:
                        html.Append("<figure>").Append(figure.Chart.ToSvg());
                        if (figure.Caption is not null) html.Append("<figcaption>").Append(Escape(figure.Caption)).Append("</figcaption>");
                        html.Append("</figure>");
                        break;
                    case ReportTable table:
                        AppendTable(html, table);
                        break;
                    case string note:
                        html.Append("<p class=\"note\">").Append(Escape(note)).Append("</p>");
                        break;
                }
            }
            html.Append("</div></section>\n");
        }
        html.Append("</main>\n<footer>Made by Exania ").Append(Escape(ExaniaBuild.Version)).Append(" from the JSON report embedded in this file (element #")
            .Append(DataElementId).Append(").</footer>\n");
        if (Json is not null)
        {
            // "</" cannot end the script element early once escaped; JSON reads "<\/" as "</".
            html.Append("<script type=\"application/json\" id=\"").Append(DataElementId).Append("\">")
                .Append(Json.Replace("</", "<\\/", StringComparison.Ordinal)).Append("</script>\n");
        }
        return html.Append("</body></html>\n").ToString();
    }

    /// <summary>Writes the report atomically (a reader never sees half a file).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, Render());

    private static void AppendTable(StringBuilder html, ReportTable table)
    {
        html.Append("<table data-table=\"").Append(Escape(table.Id)).Append("\"><caption>").Append(Escape(table.Caption)).Append("</caption><thead><tr>");
        foreach (var header in table.Headers)
            html.Append("<th>").Append(Escape(header)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        for (var r = 0; r < table.Rows.Count; r++)
        {
            html.Append(r == table.HighlightRow ? "<tr class=\"chosen\">" : "<tr>");
            foreach (var cell in table.Rows[r])
                html.Append("<td>").Append(Escape(cell)).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
    }

    private static string Escape(string text) => System.Net.WebUtility.HtmlEncode(text);

    private const string Styles = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;margin:0;background:#f6f7f9}
        header{background:#fff;border-bottom:1px solid #ddd;padding:18px 28px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0 0 6px}
        .summary{margin:4px 0 10px;max-width:70em}
        .facts{display:flex;flex-wrap:wrap;gap:4px 22px;margin:0}.facts div{display:flex;gap:6px}
        dt{color:#666}dd{margin:0;font-weight:600}
        main{padding:8px 28px 24px}section{background:#fff;border:1px solid #e2e2e2;border-radius:6px;margin:14px 0;padding:14px 18px}
        .lead{color:#444;margin:0 0 8px;max-width:70em}.items{display:flex;flex-wrap:wrap;gap:12px 20px;align-items:flex-start}
        figure{margin:0}figcaption{color:#555;font-size:12px;max-width:560px}
        svg.chart{display:block;max-width:100%;height:auto;font-size:11px}
        .chart-title{font-size:13px;font-weight:600}.axis-title{font-size:12px;fill:#333}.tick{fill:#555}
        .legend{fill:#222}.note{fill:#8a5a00;color:#8a5a00}.marker-label{font-size:11px}.bar-label{font-size:10px;fill:#333}
        .cell-text{font-size:10px}
        table{border-collapse:collapse;font-size:12px;margin:4px 0}caption{text-align:left;font-weight:600;padding:4px 0}
        th,td{border-bottom:1px solid #e5e5e5;padding:3px 10px;text-align:right}th{background:#f2f3f5}
        td:first-child,th:first-child{text-align:left}tr.chosen td{background:#fff4d6;font-weight:600}
        footer{color:#777;font-size:12px;padding:0 28px 20px}
        @media print{body{background:#fff}section{break-inside:avoid;border:none;padding:6px 0}header{border:none}}
        """;
}
