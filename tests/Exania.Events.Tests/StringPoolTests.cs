namespace Exania.Events.Tests;

/// <summary>The string pool: one id per distinct string, whichever way a string is given.</summary>
public class StringPoolTests
{
    [Fact]
    public void GetOrAdd_GivesOneIdPerDistinctString_FromSpansAndStrings_AndKeepsAGivenStringUncopied()
    {
        var pool = new StringPool();
        var session = string.Concat("sess", "ion-1"); // a string instance of its own, not a literal
        var id = pool.GetOrAdd(session);
        Assert.Same(session, pool[id]);
        Assert.Equal(id, pool.GetOrAdd("session-1".AsSpan()));
        Assert.Equal(id, pool.GetOrAdd(string.Concat("session", "-1")));
        var other = pool.GetOrAdd("other");
        Assert.NotEqual(id, other);
        Assert.Equal(id, pool.GetOrAdd(session));
        Assert.Equal(id, pool.IndexOf("session-1"));
        Assert.Equal(2, pool.Count);
        pool.Clear();
        Assert.Equal(-1, pool.IndexOf("session-1"));
        Assert.Equal(0, pool.GetOrAdd(session));
        Assert.Throws<ArgumentNullException>(() => pool.GetOrAdd((string)null!));
    }

    /// <summary>
    /// Against a dictionary (the definition: first sight gives the next id), over enough strings to grow the table many
    /// times: ids from spans, strings and IndexOf agree, the values view is live, and AddAll maps another pool's ids.
    /// </summary>
    [Fact]
    public void ManyStrings_GetTheIdsOfADictionary_ThroughGrowth_AndAddAllMapsAnotherPool()
    {
        var random = new Random(3);
        var pool = new StringPool();
        var values = pool.Values;
        var expected = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < 200_000; i++)
        {
            // Repeats, near-duplicates (one character apart), the empty string and non-ASCII text.
            var text = random.Next(4) switch
            {
                0 => "user-" + random.Next(50_000),
                1 => "user-" + random.Next(50_000) + "x",
                2 => new string('é', random.Next(6)),
                _ => "s" + random.Next(100_000).ToString("x", System.Globalization.CultureInfo.InvariantCulture),
            };
            if (!expected.TryGetValue(text, out var id))
                expected[text] = id = expected.Count;
            Assert.Equal(id, (i & 1) == 0 ? pool.GetOrAdd(text.AsSpan()) : pool.GetOrAdd(string.Concat(text, "")));
        }
        Assert.Equal(expected.Count, pool.Count);
        Assert.Equal(expected.Count, values.Count);
        foreach (var (text, id) in expected)
        {
            Assert.Equal(id, pool.IndexOf(text));
            Assert.Equal(text, values[id]);
        }
        Assert.Equal(-1, pool.IndexOf("never added"));
        Assert.Equal(expected.OrderBy(e => e.Value).Select(e => e.Key), values);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool[pool.Count]);

        var other = new StringPool();
        string[] texts = ["new one", "user-7", "another new"];
        foreach (var t in texts)
            other.GetOrAdd(t);
        var want = new int[texts.Length];
        for (var k = 0; k < texts.Length; k++)
        {
            if (!expected.TryGetValue(texts[k], out want[k]))
                expected[texts[k]] = want[k] = expected.Count;
        }
        var mapped = pool.AddAll(other);
        Assert.Equal(want, mapped);
        Assert.Equal(texts, mapped.Select(id => pool[id]));
    }

    /// <summary>
    /// The stated contract: while one thread adds strings (growing the table and the values many times), another reads
    /// every id below <see cref="StringPool.Count"/> and gets its string. Bounded by the number of strings added.
    /// </summary>
    [Fact]
    public async Task ReadsById_WhileAnotherThreadAdds_SeeEveryStringAdded()
    {
        const int Strings = 300_000;
        var pool = new StringPool();
        var texts = new string[Strings];
        for (var i = 0; i < Strings; i++)
            texts[i] = "id-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var done = false;
        var writer = Task.Run(() =>
        {
            foreach (var text in texts)
                pool.GetOrAdd(text.AsSpan());
            Volatile.Write(ref done, true);
        }, TestContext.Current.CancellationToken);
        var random = new Random(11);
        var reads = 0;
        while (!Volatile.Read(ref done))
        {
            var count = pool.Count;
            if (count == 0)
                continue;
            var id = random.Next(count);
            Assert.Equal(texts[id], pool[id]);
            Assert.Equal(texts[id], pool.Values[id]);
            reads++;
        }
        await writer;
        Assert.Equal(Strings, pool.Count);
        Assert.True(reads > 0, "the reader ran while strings were added");
    }
}
