using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using DuckDB.NET.Data;
using Exania.Conversion;
using Exania.Events;
using Exania.Synthetic;

namespace Exania.Benchmarks;

/// <summary>
/// Issue #11's speed goal: a 5-step sequential funnel and the top paths to a conversion over at least 2.5 M events,
/// Exania's engines against hand-written DuckDB SQL over the same events in the same run. Both start from the events
/// in memory (an <see cref="EventLog"/>; a DuckDB table loaded from the same CSV), so reading is not timed; the setup
/// checks that both give identical counts before anything is measured.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 8)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class FunnelBenchmarks
{
    private static readonly string[] s_steps = ["scroll_down", "hover", "click", "scroll_down", "click_ad"];
    private const double Window = 1800;
    private const int PathLength = 4;
    private const string Conversion = "click_ad";

    private EventLog _log = new();
    private DuckDBConnection? _duck;

    /// <summary>Generated sessions: 100,000 is about 2.67 M events (a 195 MB CSV).</summary>
    [Params(100_000)]
    public int Sessions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(Path.GetTempPath(), $"exania-bench-events-{Sessions}.csv");
        if (!File.Exists(path))
            EventCsvWriter.Write(new InteractionGenerator(GeneratorOptions.Defaults with { Seed = 1 }).Generate(Sessions), path);
        _log = new EventLog();
        EventReader.Load(path, _log);
        _duck = new DuckDBConnection("DataSource=:memory:");
        _duck.Open();
        Execute($"CREATE TABLE e AS SELECT session_id AS unit, \"timestamp\"::DOUBLE AS ts, action, row_number() OVER () AS rn " +
                $"FROM read_csv('{path}', header = true, all_varchar = true, parallel = false)");
        var exania = ExaniaFunnel();
        var sql = DuckDbFunnel();
        if (!exania.SequenceEqual(sql))
            throw new InvalidOperationException($"funnel counts differ: exania {string.Join(",", exania)}, DuckDB {string.Join(",", sql)}");
        var paths = ExaniaPaths();
        var sqlPaths = DuckDbPaths();
        if (paths != sqlPaths)
            throw new InvalidOperationException($"path counts differ: exania {paths}, DuckDB {sqlPaths}");
        Console.WriteLine($"// {_log.Count:N0} events; funnel {string.Join(" → ", exania)}; paths checksum {paths}");
    }

    [GlobalCleanup]
    public void Cleanup() => _duck?.Dispose();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("funnel")]
    public long[] ExaniaFunnel() => [.. Funnel.Count(_log, new FunnelOptions
    {
        Steps = [.. s_steps.Select(s => new FunnelStep(s))],
        CountBy = FunnelUnit.Session,
        WindowSeconds = Window,
    }).Steps.Select(s => s.Count)];

    /// <summary>Each step is the earliest later event (time, then file row) of its action within the window from the entry.</summary>
    [Benchmark]
    [BenchmarkCategory("funnel")]
    public long[] DuckDbFunnel()
    {
        var w = Window.ToString("R", CultureInfo.InvariantCulture);
        var ctes = new List<string> { $"s0 AS (SELECT unit, ts AS t0, rn AS r0, ts AS mt, rn AS mr FROM e WHERE action = '{s_steps[0]}')" };
        for (var k = 1; k < s_steps.Length; k++)
        {
            ctes.Add($"s{k} AS (SELECT p.unit, p.t0, p.r0, arg_min(e.ts, struct_pack(a := e.ts, b := e.rn)) AS mt, arg_min(e.rn, struct_pack(a := e.ts, b := e.rn)) AS mr " +
                     $"FROM s{k - 1} p JOIN e ON e.unit = p.unit AND e.action = '{s_steps[k]}' AND (e.ts > p.mt OR (e.ts = p.mt AND e.rn > p.mr)) AND e.ts <= p.t0 + {w} " +
                     "GROUP BY p.unit, p.t0, p.r0)");
        }
        var select = string.Join(", ", Enumerable.Range(0, s_steps.Length).Select(k => $"(SELECT count(DISTINCT unit) FROM s{k})"));
        using var command = _duck!.CreateCommand();
        command.CommandText = $"WITH {string.Join(",\n", ctes)} SELECT {select}";
        using var reader = command.ExecuteReader();
        reader.Read();
        return [.. Enumerable.Range(0, s_steps.Length).Select(reader.GetInt64)];
    }

    /// <summary>The top paths' checksum: Σ over distinct paths of units × (conversions + 1), with the distinct count.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("paths")]
    public string ExaniaPaths()
    {
        var report = Paths.Count(_log, new PathOptions { Length = PathLength, ConversionActions = [Conversion], Top = 10_000 });
        return $"{report.DistinctPaths}:{report.Top.Sum(p => p.Units * (p.Conversions + 1))}";
    }

    [Benchmark]
    [BenchmarkCategory("paths")]
    public string DuckDbPaths()
    {
        using var command = _duck!.CreateCommand();
        command.CommandText = $"""
            WITH p AS (SELECT *, row_number() OVER (PARTITION BY unit ORDER BY ts, rn) AS pos FROM e),
            conv AS (SELECT unit, min(pos) AS first FROM p WHERE action = '{Conversion}' GROUP BY unit),
            before AS (SELECT p.* FROM p LEFT JOIN conv USING (unit) WHERE conv.first IS NULL OR p.pos < conv.first),
            marked AS (SELECT *, lag(action) OVER (PARTITION BY unit ORDER BY pos) AS previous FROM before),
            kept AS (SELECT * FROM marked WHERE previous IS NULL OR previous <> action),
            ranked AS (SELECT *, row_number() OVER (PARTITION BY unit ORDER BY pos DESC) AS back FROM kept),
            paths AS (SELECT unit, string_agg(action, '>' ORDER BY pos) AS path FROM ranked WHERE back <= {PathLength} GROUP BY unit),
            counted AS (SELECT path, count(*) AS units, count(conv.first) AS conversions FROM paths LEFT JOIN conv USING (unit) GROUP BY path)
            SELECT count(*), sum(units * (conversions + 1))::BIGINT FROM counted
            """;
        using var reader = command.ExecuteReader();
        reader.Read();
        return $"{reader.GetInt64(0)}:{reader.GetInt64(1)}";
    }

    private void Execute(string sql)
    {
        using var command = _duck!.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
