using Exania.Campaigns;
using Exania.Core;
using Exania.Roas;
using Exania.Testing;

namespace Exania.Roas.Tests;

public class CampaignTests
{
    private static (CampaignTable Table, TableReadSummary Summary, RejectList Rejects) ReadCsv(string text, CampaignReadOptions? options = null)
    {
        var summary = new TableReadSummary { File = "c.csv" };
        var rejects = new RejectList();
        var table = CampaignTableReader.ReadCsv(new StringReader(text), "c.csv", options ?? CampaignReadOptions.Default, rejects, summary);
        return (table, summary, rejects);
    }

    [Fact]
    public void Reader_InfersTypes_AndReadsMissingTokens()
    {
        var (table, summary, _) = ReadCsv("id,spend,placement,age\na,1.5,feed,30-34\nb,,#N/A,35-39\nc,NA,sidebar,\n");
        Assert.Equal(3, summary.Accepted);
        Assert.True(table.Get("spend").IsNumeric);
        Assert.False(table.Get("placement").IsNumeric);
        Assert.False(table.Get("age").IsNumeric);
        Assert.Equal([1.5, double.NaN, double.NaN], table.Get("spend").Numbers!);
        Assert.Equal<IEnumerable<string?>>(["feed", null, "sidebar"], table.Get("placement").Texts!);
        Assert.Equal(1, table.Get("age").MissingCount);
    }

    [Fact]
    public void Reader_NumericColumnMeetingText_BecomesText()
    {
        var (table, _, _) = ReadCsv("code\n15\n16\nx7\n");
        Assert.Equal<IEnumerable<string?>>(["15", "16", "x7"], table.Get("code").Texts!);
    }

    [Fact]
    public void Reader_ColumnMap_RenamesToCanonicalNames()
    {
        var options = CampaignReadOptions.Default with { ColumnMap = CampaignReadOptions.ParseColumnMap("spend=cost") };
        var (table, _, _) = ReadCsv("cost,revenue\n2,3\n", options);
        Assert.Equal([2.0], table.Get("spend").Numbers!);
        var ex = Assert.Throws<DataFormatException>(() => ReadCsv("price,revenue\n2,3\n", options));
        Assert.Contains("column 'cost' (mapped to spend) is not in the file", ex.Message);
        Assert.Throws<FormatException>(() => CampaignReadOptions.ParseColumnMap("spend"));
    }

    [Fact]
    public void Reader_BadRows_FailWithFileAndLine_OrAreSkippedAndCounted()
    {
        const string text = "spend,revenue\n1,2\n3\n4,Infinity\n5,6\n";
        var ex = Assert.Throws<DataFormatException>(() => ReadCsv(text));
        Assert.Equal("c.csv:3: expected 2 fields, found 1", ex.Message);
        var (table, summary, rejects) = ReadCsv(text, CampaignReadOptions.Default with { OnBadRow = BadRowPolicy.Skip });
        Assert.Equal(4, summary.RowsRead);
        Assert.Equal(2, summary.Accepted);
        Assert.Equal(1, summary.RejectedByKind["wrong_field_count"]);
        Assert.Equal(1, summary.RejectedByKind["not_finite"]);
        Assert.Equal([3L, 4L], rejects.Rows.Select(r => r.Line));
        Assert.Equal([2.0, 6.0], table.Get("revenue").Numbers!);
    }

    [Fact]
    public void Reader_EmptyFile_Throws() => Assert.Throws<DataFormatException>(() => ReadCsv(""));

    [Fact]
    public void Reader_JsonLines_GivesTheSameTable()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("c.jsonl"), "{\"spend\":1.5,\"placement\":\"feed\"}\n{\"spend\":null,\"placement\":\"#N/A\"}\n\n{\"spend\":2,\"placement\":\"side\"}\n");
        var (table, summary) = CampaignTableReader.Read(dir.File("c.jsonl"));
        Assert.Equal(3, summary.Accepted);
        Assert.Equal([1.5, double.NaN, 2.0], table.Get("spend").Numbers!);
        Assert.Equal<IEnumerable<string?>>(["feed", null, "side"], table.Get("placement").Texts!);
        File.WriteAllText(dir.File("bad.jsonl"), "{\"spend\":[1]}\n");
        Assert.Contains("bad.jsonl:1: spend is a JSON array", Assert.Throws<DataFormatException>(() => CampaignTableReader.Read(dir.File("bad.jsonl"))).Message);
    }

    [Fact]
    public void RoasTarget_ZeroSpend_IsDroppedAndCounted_NeverInfinite()
    {
        var (table, _, _) = ReadCsv("spend,revenue\n2,5\n0,3\n,1\n4,\n-1,2\n8,0\n");
        var target = RoasTarget.Build(table, "roas");
        Assert.Equal([2.5, 0.0], target.Values);
        Assert.Equal([0, 5], target.KeptRows);
        Assert.Equal((1, 2, 1), (target.ZeroSpendRows, target.MissingRows, target.NegativeRows));
        Assert.All(target.Values, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void RoasTarget_PlainColumn_AndTextColumnError()
    {
        var (table, _, _) = ReadCsv("spend,revenue,kind\n2,5,a\n1,,b\n");
        Assert.Equal([5.0], RoasTarget.Build(table, "revenue").Values);
        Assert.Contains("text", Assert.Throws<ArgumentException>(() => RoasTarget.Build(table, "kind")).Message);
        Assert.Contains("'nope' is not in the table", Assert.Throws<ArgumentException>(() => RoasTarget.Build(table, "nope")).Message);
    }

    [Fact]
    public void Reader_RealOnlineAdvertisingData_WithSpendMappedToCost()
    {
        var options = CampaignReadOptions.Default with { ColumnMap = CampaignReadOptions.ParseColumnMap("spend=cost") };
        var (table, summary) = CampaignTableReader.Read(TestData.Path("online_advertising_head2000.csv"), options);
        Assert.Equal(2000, summary.Accepted);
        Assert.False(table.Get("placement").IsNumeric);
        Assert.True(table.Get("placement").MissingCount > 0, "#N/A placements are missing values");
        Assert.True(table.Get("displays").IsNumeric);
        var target = RoasTarget.Build(table, "roas");
        Assert.True(target.ZeroSpendRows > 0);
        Assert.Equal(2000, target.Values.Length + target.DroppedRows);
    }

    [Fact]
    public void Generator_IsDeterministic_WithMissingCellsAndConsistentRoas()
    {
        var options = new CampaignGeneratorOptions { Rows = 5_000, Seed = 3 };
        var a = CampaignGenerator.Generate(options);
        var b = CampaignGenerator.Generate(options);
        var c = CampaignGenerator.Generate(options with { Seed = 4 });
        Assert.Equal(CampaignGenerator.ColumnNames, a.Columns.Select(x => x.Name));
        Assert.Equal(a.Get("revenue").Numbers!, b.Get("revenue").Numbers!);
        Assert.NotEqual(a.Get("revenue").Numbers!, c.Get("revenue").Numbers!);
        foreach (var name in new[] { "ad_type", "placement", "audience", "impressions", "hist_roas_7d" })
            Assert.InRange(a.Get(name).MissingCount / (double)a.Rows, 0.07, 0.25);
        Assert.Equal(0, a.Get("spend").MissingCount);
        Assert.Equal(0, a.Get("revenue").MissingCount);
        var spend = a.Get("spend").Numbers!;
        var revenue = a.Get("revenue").Numbers!;
        var roas = a.Get("roas").Numbers!;
        var paused = 0;
        for (var r = 0; r < a.Rows; r++)
        {
            if (spend[r] == 0) { paused++; Assert.True(double.IsNaN(roas[r])); }
            else Assert.Equal(revenue[r] / spend[r], roas[r]);
        }
        Assert.InRange(paused, 10, 150);
        var days = a.Get("days_active").Numbers!;
        var history = a.Get("hist_roas_7d").Numbers!;
        for (var r = 0; r < a.Rows; r++)
            if (days[r] == 1) Assert.True(double.IsNaN(history[r]), "no history on a campaign's first day");
        Assert.Throws<ArgumentOutOfRangeException>(() => CampaignGenerator.Generate(options with { Rows = 0 }));
    }

    [Fact]
    public void Generator_WrittenAndReadBack_IsTheSameTable()
    {
        using var dir = new TestData.TempDir();
        var table = CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 800 });
        CampaignCsvWriter.Write(table, dir.File("c.csv"));
        var (back, _) = CampaignTableReader.Read(dir.File("c.csv"));
        foreach (var column in table.Columns)
        {
            var read = back.Get(column.Name);
            if (column.IsNumeric) Assert.Equal(column.Numbers!, read.Numbers!);
            else Assert.Equal<IEnumerable<string?>>(column.Texts!, read.Texts!);
        }
    }
}
