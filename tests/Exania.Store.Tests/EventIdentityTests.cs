using Exania.Events;
using Exania.Testing;

namespace Exania.Store.Tests;

/// <summary>What makes two events the same event: every field and the occurrence (the key both stores use).</summary>
public class EventIdentityTests
{
    private static EventLog Log(string rows) => TestData.ReadCsv("user_id,session_id,timestamp,action,page,scroll_depth,revenue,item_id\n" + rows).Log;

    [Fact]
    public void Identity_CoversEveryField_AndTheOccurrence()
    {
        var log = Log(
            "u1,s1,100.5,view,/a,0.25,,i1\n" +
            "u1,s1,101,cart,/a,,,i1\n" +
            "u1,s1,101,cart,/a,,,i1\n" +
            "u2,s2,50,purchase,,,19.99,i2\n" +
            "u1,s1,100.5,view,/a,0.25,,i2\n" +
            "u1,s1,100.50000000000001,view,/a,0.25,,i1\n");
        Assert.Equal(EventIdentity.Key(log, 1, 0), EventIdentity.Key(log, 2, 0));
        Assert.NotEqual(EventIdentity.Key(log, 1, 0), EventIdentity.Key(log, 2, 1));
        Assert.NotEqual(EventIdentity.Key(log, 0, 0), EventIdentity.Key(log, 4, 0)); // another item
        Assert.NotEqual(EventIdentity.Key(log, 0, 0), EventIdentity.Key(log, 5, 0)); // the next double
    }

    [Fact]
    public void TheKeyHash_IsXxh3Of128Bits_ByThePublishedVectors()
    {
        // The xxHash reference vectors (seed 0, the canonical big-endian digest), as other implementations test them.
        Assert.Equal("99aa06d3014798d86001c324468d497f", Convert.ToHexStringLower(System.IO.Hashing.XxHash128.Hash([])));
        Assert.Equal("06b05ab6733a618578af5f94892f3950", Convert.ToHexStringLower(System.IO.Hashing.XxHash128.Hash("abc"u8)));
    }

    [Fact]
    public void Key_IsXxh3OfTheCanonicalText_AndTheParallelKeysAreTheSame()
    {
        // Non-ASCII, a surrogate pair, a comma and a quote inside fields, missing values: the key is the documented
        // hash of the documented text, so keys stored by earlier builds of this schema version stay valid.
        var log = Log(
            "ü—🎉,\"s,1\",1569888000,view,/ä?q=\"x\",0.5,,i1\n" +
            "u2,,-0,purchase,,,19.99,\n");
        for (var i = 0; i < log.Count; i++)
            foreach (var occurrence in new[] { 0, 1, 12345 })
            {
                var text = EventIdentity.Canonical(log, i) + "\u001f" + occurrence.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var expected = new Guid(System.IO.Hashing.XxHash128.Hash(System.Text.Encoding.UTF8.GetBytes(text)));
                Assert.Equal(expected, EventIdentity.Key(log, i, occurrence));
            }
        Assert.Equal(Enumerable.Range(0, log.Count).Select(i => EventIdentity.Key(log, i, 0)), EventIdentity.Keys(log, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Keys_AreTheHashOfTheCanonicalText_ForEveryField_AndForALogSharingALargerLogsPools()
    {
        // Every field present or missing: Keys writes the bytes from the fields, Canonical builds the text.
        var csv = "user_id,session_id,timestamp,action,page,category,item_id,campaign_id,ad_type,placement,scroll_depth,cost,revenue\n" +
                  "u1,s1,1569888000,view,/a,shoes,i1,c1,banner,top,0.5,0.25,19.99\n" +
                  "ü🎉,,1569888001.5,click_ad,,,,c2,video,side,,1.5,\n" +
                  "u1,s1,1569888002,cart,/a,shoes,i2,,,,,,\n" +
                  "u3,s3,1569888003,purchase,/b,bags,i1,c1,banner,top,1,,5\n";
        var log = TestData.ReadCsv(csv).Log;
        Guid Expected(EventLog of, int i) =>
            new(System.IO.Hashing.XxHash128.Hash(System.Text.Encoding.UTF8.GetBytes(EventIdentity.Canonical(of, i) + "\u001f0")));
        var keys = EventIdentity.Keys(log, TestContext.Current.CancellationToken);
        for (var i = 0; i < log.Count; i++)
            Assert.Equal((Expected(log, i), Expected(log, i)), (keys[i], EventIdentity.Key(log, i, 0)));
        // Two rows selected from the log share its pools, which hold more values than they have rows.
        var selected = log.Select([3, 1]);
        Assert.Equal([keys[3], keys[1]], EventIdentity.Keys(selected, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Keys_OfALogOfSeveralChunks_AreEachEventsKey_IntoALongerArrayToo_AndAShortArrayIsRefused()
    {
        // More than one chunk of 16,384 events, so the keys are made on all processors.
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < 40_000; i++)
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"u{i % 97},s{i % 1013},{1_600_000_000 + i * 0.5},view,/p{i % 7},,,i{i % 50}\n");
        var log = Log(text.ToString());
        var keys = new Guid[log.Count + 5];
        EventIdentity.Keys(log, keys, TestContext.Current.CancellationToken);
        for (var i = 0; i < log.Count; i += 997)
            Assert.Equal(EventIdentity.Key(log, i, 0), keys[i]);
        Assert.Equal(EventIdentity.Key(log, log.Count - 1, 0), keys[log.Count - 1]);
        Assert.Equal(keys.AsSpan(0, log.Count).ToArray(), EventIdentity.Keys(log, TestContext.Current.CancellationToken));
        Assert.All(keys[log.Count..], k => Assert.Equal(Guid.Empty, k));
        Assert.Throws<ArgumentException>(() => EventIdentity.Keys(log, new Guid[log.Count - 1], TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Occurrences_IntoASpan_AreTheArrayVersion_AndATooShortSpanIsRefused()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        var occurrences = new int[7];
        EventIdentity.Occurrences([a, a, b, a, b, b], occurrences);
        Assert.Equal([0, 1, 0, 2, 1, 2, 0], occurrences);
        // The pooled table starts empty again.
        EventIdentity.Occurrences([b, a], occurrences);
        Assert.Equal([0, 0], occurrences[..2]);
        Assert.Throws<ArgumentException>(() => EventIdentity.Occurrences([a, b], new int[1]));
    }

    [Fact]
    public void Occurrences_CountTheIdenticalKeysBefore()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid();
        Assert.Equal([0, 0, 1, 2, 1, 0], EventIdentity.Occurrences([a, b, a, a, b, c]));
        Assert.Empty(EventIdentity.Occurrences([]));
    }

    public static TheoryData<string> KeyShapes => ["random", "high-half-only", "low-half-only", "sequential"];

    /// <summary>
    /// Against the definition (a dictionary counting each key's rows so far), on 200,000 keys drawn from 60,000, so most
    /// repeat, in shapes a hash of one half or of the low bits would pile into few slots.
    /// </summary>
    [Theory]
    [MemberData(nameof(KeyShapes))]
    public void Occurrences_OnManyRepeatedKeysOfAnyShape_AreTheCountsOfADictionary(string shape)
    {
        var random = new Random(17);
        var distinct = new Guid[60_000];
        Span<byte> bytes = stackalloc byte[16];
        for (var k = 0; k < distinct.Length; k++)
        {
            bytes.Clear();
            switch (shape)
            {
                case "random": random.NextBytes(bytes); break;
                case "high-half-only": BitConverter.TryWriteBytes(bytes[8..], (long)k * 7919); break;
                case "low-half-only": BitConverter.TryWriteBytes(bytes[..8], (long)k << 20); break;
                default: BitConverter.TryWriteBytes(bytes, k); break;
            }
            distinct[k] = new Guid(bytes);
        }
        var keys = new Guid[200_000];
        for (var i = 0; i < keys.Length; i++)
            keys[i] = distinct[random.Next(distinct.Length)];
        var seen = new Dictionary<Guid, int>();
        var expected = new int[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            seen.TryGetValue(keys[i], out var count);
            expected[i] = count;
            seen[keys[i]] = count + 1;
        }
        Assert.Equal(expected, EventIdentity.Occurrences(keys));
    }

    /// <summary>
    /// A load too large for the counting table is refused with its size, before anything is read: the spans here have
    /// the lengths of such a load and no memory behind them.
    /// </summary>
    [Fact]
    public void Occurrences_OfMoreKeysThanTheTableHolds_AreRefusedWithTheCount()
    {
        var length = EventIdentity.MaxOccurrenceKeys + 1;
        var error = Assert.Throws<ArgumentException>(() => EventIdentity.Occurrences(
            System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref System.Runtime.CompilerServices.Unsafe.NullRef<Guid>(), length),
            System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref System.Runtime.CompilerServices.Unsafe.NullRef<int>(), length)));
        Assert.Contains("536,870,912", error.Message);
        Assert.Contains("Ingest it in parts", error.Message);
    }
}
