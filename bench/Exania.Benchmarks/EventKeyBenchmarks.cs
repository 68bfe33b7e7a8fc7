using System.IO.Hashing;
using System.Text;
using BenchmarkDotNet.Attributes;
using Exania.Events;
using Exania.Store;
using Exania.Synthetic;

namespace Exania.Benchmarks;

/// <summary>
/// The store's event keys (issue #12: hashing is the largest part of an ingest's own work) against the definition they
/// implement: the UTF-8 bytes of the canonical text, built as a string, then XXH3-128. One chunk of generated events,
/// so <see cref="EventIdentity.Keys(EventLog, Guid[], CancellationToken)"/> runs on one thread like the reference.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class EventKeyBenchmarks
{
    private EventLog _log = new();
    private Guid[] _keys = [];

    [GlobalSetup]
    public void Setup()
    {
        var all = new InteractionGenerator(GeneratorOptions.Defaults with { Seed = 1 }).Generate(1_000);
        _log = all.Select([.. Enumerable.Range(0, 16_384)]);
        _keys = new Guid[_log.Count];
    }

    [Benchmark(Baseline = true)]
    public Guid CanonicalTextThenHash()
    {
        for (var i = 0; i < _log.Count; i++)
            _keys[i] = new Guid(XxHash128.Hash(Encoding.UTF8.GetBytes(EventIdentity.Canonical(_log, i) + "\u001f0")));
        return _keys[^1];
    }

    [Benchmark]
    public Guid ExaniaKeys()
    {
        EventIdentity.Keys(_log, _keys);
        return _keys[^1];
    }
}
