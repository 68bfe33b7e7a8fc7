using System.Text;
using BenchmarkDotNet.Attributes;
using Exania.Core;
using Exania.Events;
using Exania.Synthetic;
using nietras.SeparatedValues;

namespace Exania.Benchmarks;

/// <summary>
/// Exania's CSV tokenizer against Sep (nietras/Sep) on the same event file: both read it from disk and touch every
/// field of every row. Issue #10: Sep is adopted unless the tokenizer, which keeps the bounded-quote and
/// resynchronisation guarantees Sep does not offer, is within about 20% of it. The full event reader (validation,
/// interning, timestamps) is measured beside them.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class CsvReadBenchmarks
{
    private string _path = "";

    /// <summary>Generated sessions in the file (20,000 is about 540,000 events and 39 MB).</summary>
    [Params(20_000)]
    public int Sessions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"exania-bench-events-{Sessions}.csv");
        if (!File.Exists(_path))
            EventCsvWriter.Write(new InteractionGenerator(GeneratorOptions.Defaults with { Seed = 1 }).Generate(Sessions), _path);
    }

    [Benchmark(Baseline = true)]
    public long ExaniaTokenizer()
    {
        long characters = 0;
        using var reader = new StreamReader(_path, Encoding.UTF8, true, 1 << 16);
        var tokenizer = new CsvTokenizer(reader, ',');
        while (tokenizer.ReadRow())
            for (var i = 0; i < tokenizer.FieldCount; i++)
                characters += tokenizer.Field(i).Length;
        return characters;
    }

    [Benchmark]
    public long Sep()
    {
        long characters = 0;
        using var reader = nietras.SeparatedValues.Sep.Reader(o => o with { HasHeader = false, Unescape = true }).FromFile(_path);
        foreach (var row in reader)
            for (var i = 0; i < row.ColCount; i++)
                characters += row[i].Span.Length;
        return characters;
    }

    [Benchmark]
    public int ExaniaEventReader()
    {
        var log = new EventLog();
        EventReader.Load(_path, log, EventReaderOptions.Default with { Threads = 1 });
        return log.Count;
    }

    /// <summary>The same reader on all processors, the file cut into one part each (the CLI's default).</summary>
    [Benchmark]
    public int ExaniaEventReaderInParts()
    {
        var log = new EventLog();
        EventReader.Load(_path, log, EventReaderOptions.Default with { Threads = 0 });
        return log.Count;
    }
}
