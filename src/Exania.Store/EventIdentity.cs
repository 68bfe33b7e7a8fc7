using System.Buffers;
using System.IO.Hashing;
using System.Text;
using Exania.Events;

namespace Exania.Store;

/// <summary>
/// What makes two events the same event, so that loading a file twice adds nothing: every canonical field (user,
/// session, timestamp to the last bit, action, page, category, item, campaign, ad type, placement, scroll depth, cost,
/// revenue; a missing field counts as missing) <b>and</b> its occurrence number among identical rows of the same load.
/// Two identical rows in one file are two events (the second has occurrence 1); the same rows loaded again, alone or
/// inside a larger export that overlaps, are recognised and skipped. The key is the 128-bit XXH3 hash (XxHash128, seed
/// 0) of a length-prefixed encoding of those values, so no two different tuples share an encoding.
/// </summary>
/// <remarks>
/// Why XXH3 and not SHA-256 (schema version 1 used the first 128 bits of SHA-256): hashing was the largest part of an
/// ingest's own work, 0.65 s of 3.05 s per million events on two processors, and XXH3 takes about 1/60 of SHA-256's
/// time per event. Two different events get the same key with probability about n²/2¹²⁹ by accident. XXH3 is not
/// built against deliberate collisions; the most a crafted collision could do is make the store skip one event that
/// arrives after its twin, and crafting it needs that event's exact fields in advance (user, session, timestamp to the
/// bit and the rest).
/// </remarks>
public static class EventIdentity
{
    /// <summary>The key of event <paramref name="index"/> of <paramref name="log"/> as the <paramref name="occurrence"/>-th identical row.</summary>
    public static Guid Key(EventLog log, int index, int occurrence)
    {
        ArgumentNullException.ThrowIfNull(log);
        var buffer = new ArrayBufferWriter<byte>(256);
        return Key(log, index, occurrence, buffer);
    }

    /// <summary>
    /// The keys (occurrence 0) of every event of <paramref name="log"/>, computed on all processors: hashing is most of
    /// an ingest's own work, and every row's key is independent of the others'.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static Guid[] Keys(EventLog log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        var keys = new Guid[log.Count];
        Keys(log, keys, cancellationToken);
        return keys;
    }

    /// <summary>
    /// <see cref="Keys(EventLog, CancellationToken)"/> into the first <c>log.Count</c> elements of
    /// <paramref name="keys"/> (a pooled array, so that the live write-behind allocates nothing per write).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="keys"/> is shorter than the log.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static void Keys(EventLog log, Guid[] keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Length < log.Count)
            throw new ArgumentException($"The key array holds {keys.Length} keys; the log has {log.Count} events.", nameof(keys));
        const int Chunk = 16_384;
        if (log.Count <= Chunk)
        {
            // One chunk: no parallel loop (and none of its allocations) for the small loads of the live write-behind.
            cancellationToken.ThrowIfCancellationRequested();
            var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
            for (var i = 0; i < log.Count; i++)
                keys[i] = Key(log, i, 0, buffer);
            return;
        }
        var chunks = (log.Count + Chunk - 1) / Chunk;
        Parallel.For(0, chunks, new ParallelOptions { CancellationToken = cancellationToken }, () => new ArrayBufferWriter<byte>(256), (c, _, buffer) =>
        {
            var end = Math.Min(log.Count, (c + 1) * Chunk);
            for (var i = c * Chunk; i < end; i++)
                keys[i] = Key(log, i, 0, buffer);
            return buffer;
        }, _ => { });
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Dictionary<Guid, int>? t_seen;

    /// <summary>Loads up to this many events reuse one counting table per thread; larger ones (bulk ingests) get their own.</summary>
    private const int ReusedTableLimit = 1 << 18;

    /// <summary>
    /// For each key, how many identical keys come before it (its occurrence: 0 for the first of identical rows), in
    /// order. The same numbers as <c>row_number() OVER (PARTITION BY key ORDER BY load order) - 1</c>.
    /// </summary>
    public static int[] Occurrences(ReadOnlySpan<Guid> keys)
    {
        var occurrences = new int[keys.Length];
        Occurrences(keys, occurrences);
        return occurrences;
    }

    /// <summary><see cref="Occurrences(ReadOnlySpan{Guid})"/> into <paramref name="occurrences"/> (at least as long as <paramref name="keys"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="occurrences"/> is shorter than <paramref name="keys"/>.</exception>
    public static void Occurrences(ReadOnlySpan<Guid> keys, Span<int> occurrences)
    {
        if (occurrences.Length < keys.Length)
            throw new ArgumentException($"The occurrence span holds {occurrences.Length} values; there are {keys.Length} keys.", nameof(occurrences));
        var reuse = keys.Length <= ReusedTableLimit;
        var seen = reuse ? t_seen ??= new Dictionary<Guid, int>() : new Dictionary<Guid, int>(keys.Length);
        try
        {
            for (var i = 0; i < keys.Length; i++)
            {
                ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(seen, keys[i], out _);
                occurrences[i] = count++;
            }
        }
        finally
        {
            if (reuse)
                seen.Clear();
        }
    }

    /// <summary>
    /// XXH3-128 of the UTF-8 bytes of <see cref="Canonical"/>, U+001F and the occurrence in decimal, written straight
    /// into <paramref name="buffer"/> (the same bytes as encoding that text, without building it).
    /// </summary>
    private static Guid Key(EventLog log, int index, int occurrence, ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        var e = log[index];
        Add(buffer, e.UserId);
        Add(buffer, e.SessionId);
        Number(buffer, e.Timestamp);
        Add(buffer, e.Action);
        Add(buffer, e.Page);
        Add(buffer, e.Category);
        Add(buffer, e.ItemId);
        Add(buffer, e.CampaignId);
        Add(buffer, e.AdType);
        Add(buffer, e.Placement);
        Number(buffer, e.ScrollDepth);
        Number(buffer, e.Cost);
        Number(buffer, e.Revenue);
        Ascii(buffer, "\u001f");
        Integer(buffer, occurrence);
        Span<byte> hash = stackalloc byte[16];
        XxHash128.Hash(buffer.WrittenSpan, hash);
        return new Guid(hash);

        static void Add(ArrayBufferWriter<byte> buffer, string? value)
        {
            if (value is null)
            {
                Ascii(buffer, "-1:");
                return;
            }
            // The prefix is the length in UTF-16 code units, as the canonical text has it.
            Integer(buffer, value.Length);
            Ascii(buffer, ":");
            var bytes = Encoding.UTF8.GetMaxByteCount(value.Length);
            buffer.Advance(Encoding.UTF8.GetBytes(value, buffer.GetSpan(bytes)));
        }

        static void Number(ArrayBufferWriter<byte> buffer, double value)
        {
            var bits = BitConverter.DoubleToInt64Bits(double.IsNaN(value) ? double.NaN : value);
            bits.TryFormat(buffer.GetSpan(16), out var written, "X16", System.Globalization.CultureInfo.InvariantCulture);
            buffer.Advance(written);
            Ascii(buffer, ";");
        }

        static void Integer(ArrayBufferWriter<byte> buffer, int value)
        {
            value.TryFormat(buffer.GetSpan(11), out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            buffer.Advance(written);
        }

        static void Ascii(ArrayBufferWriter<byte> buffer, string text)
        {
            var span = buffer.GetSpan(text.Length);
            for (var i = 0; i < text.Length; i++)
                span[i] = (byte)text[i];
            buffer.Advance(text.Length);
        }
    }

    /// <summary>The canonical text of an event's fields (without its occurrence): length-prefixed, so it is unambiguous.</summary>
    public static string Canonical(EventLog log, int index)
    {
        ArgumentNullException.ThrowIfNull(log);
        var e = log[index];
        var text = new StringBuilder(128);
        void Add(string? value)
        {
            if (value is null)
            {
                text.Append("-1:");
                return;
            }
            text.Append(value.Length).Append(':').Append(value);
        }
        void Number(double value)
        {
            // Every NaN is the same missing value; otherwise the exact bits.
            var bits = BitConverter.DoubleToInt64Bits(double.IsNaN(value) ? double.NaN : value);
            text.Append(bits.ToString("X16", System.Globalization.CultureInfo.InvariantCulture)).Append(';');
        }
        Add(e.UserId);
        Add(e.SessionId);
        Number(e.Timestamp);
        Add(e.Action);
        Add(e.Page);
        Add(e.Category);
        Add(e.ItemId);
        Add(e.CampaignId);
        Add(e.AdType);
        Add(e.Placement);
        Number(e.ScrollDepth);
        Number(e.Cost);
        Number(e.Revenue);
        return text.ToString();
    }
}
