using System.Globalization;
using BenchmarkDotNet.Attributes;
using Exania.Core;
using Exania.Events;
using Exania.Features;
using Exania.Synthetic;

namespace Exania.Benchmarks;

/// <summary>
/// Shortest round-trip formatting of the doubles a windows file is made of (the features of generated sessions, whole
/// numbers left out, since both writers format those as integers): Exania's Ryu formatter against .NET's own
/// <c>double.TryFormat</c>, the peer whose text it reproduces, on the same values.
/// </summary>
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class DoubleFormatBenchmarks
{
    private double[] _values = [];
    private readonly byte[] _buffer = new byte[64];

    [GlobalSetup]
    public void Setup()
    {
        var log = new InteractionGenerator(GeneratorOptions.Defaults with { Seed = 1 }).Generate(2_000);
        var table = WindowExtractor.Extract(log, SessionIndex.Build(log));
        var values = new List<double>();
        for (var r = 0; r < table.Rows; r++)
            foreach (var v in table.Row(r))
                if (!CsvFieldWriter.IsWholeNumber(v) && !double.IsNaN(v))
                    values.Add(v);
        _values = [.. values];
    }

    [Benchmark(Baseline = true)]
    public long DotNetTryFormat()
    {
        long bytes = 0;
        foreach (var v in _values)
        {
            v.TryFormat(_buffer, out var written, default, CultureInfo.InvariantCulture);
            bytes += written;
        }
        return bytes;
    }

    [Benchmark]
    public long ExaniaShortestDouble()
    {
        long bytes = 0;
        foreach (var v in _values)
            bytes += ShortestDouble.Format(v, _buffer);
        return bytes;
    }
}
