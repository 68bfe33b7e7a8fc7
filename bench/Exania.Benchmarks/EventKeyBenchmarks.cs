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

/// <summary>
/// The occurrence numbers of a million keys (one bulk ingest; 1% are repeats of earlier rows) against the definition
/// they implement: a dictionary counting each key's rows so far.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class EventOccurrenceBenchmarks
{
    private Guid[] _keys = [];
    private int[] _occurrences = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        _keys = new Guid[1_000_000];
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < _keys.Length; i++)
        {
            random.NextBytes(bytes);
            _keys[i] = i > 0 && random.Next(100) == 0 ? _keys[random.Next(i)] : new Guid(bytes);
        }
        _occurrences = new int[_keys.Length];
    }

    [Benchmark(Baseline = true)]
    public int CountingDictionary()
    {
        var seen = new Dictionary<Guid, int>(_keys.Length);
        for (var i = 0; i < _keys.Length; i++)
        {
            ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(seen, _keys[i], out _);
            _occurrences[i] = count++;
        }
        return _occurrences[^1];
    }

    [Benchmark]
    public int ExaniaOccurrences()
    {
        EventIdentity.Occurrences(_keys, _occurrences);
        return _occurrences[^1];
    }
}
