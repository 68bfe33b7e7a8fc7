using System.Buffers;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
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
            KeysOf(log, c * Chunk, Math.Min(log.Count, (c + 1) * Chunk), keys, buffer);
            return buffer;
        }, _ => { });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KeysOf(EventLog log, int start, int end, Guid[] keys, ArrayBufferWriter<byte> buffer)
    {
        for (var i = start; i < end; i++)
            keys[i] = Key(log, i, 0, buffer);
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>
    /// The most keys <see cref="Occurrences(ReadOnlySpan{Guid}, Span{int})"/> numbers in one call (2^29 - 1, half a
    /// billion events): its table has at least twice as many slots, and 2^30 is the largest power of two an array holds.
    /// </summary>
    public const int MaxOccurrenceKeys = (1 << 29) - 1;

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
    /// <remarks>
    /// An open-addressing table of row numbers, at most half full, probed linearly: each slot holds the last row seen
    /// with its key, so a repeat's occurrence is that row's plus one. A million keys (1% repeats) take 27 ms against
    /// 101 ms for a <see cref="Dictionary{TKey, TValue}"/> counting them (BenchmarkDotNet, <c>EventOccurrenceBenchmarks</c>):
    /// a slot is 4 bytes, a dictionary entry 24, and the hash is one multiply. The hash mixes both halves of the key, so keys
    /// that are not XXH3 outputs (any caller's) still spread.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Occurrences(ReadOnlySpan<Guid> keys, Span<int> occurrences)
    {
        if (occurrences.Length < keys.Length)
            throw new ArgumentException($"The occurrence span holds {occurrences.Length} values; there are {keys.Length} keys.", nameof(occurrences));
        if (keys.IsEmpty)
            return;
        if (keys.Length > MaxOccurrenceKeys)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"One load can number at most {MaxOccurrenceKeys:N0} keys; this one has {keys.Length:N0}. Ingest it in parts."), nameof(keys));
        var bits = Math.Max(4, 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)keys.Length) + 1);
        var mask = (1 << bits) - 1;
        var slots = ArrayPool<int>.Shared.Rent(1 << bits);
        try
        {
            var table = slots.AsSpan(0, 1 << bits);
            table.Clear(); // 0 is an empty slot; a slot holds a row number plus one
            var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<Guid, ulong>(keys);
            for (var i = 0; i < keys.Length; i++)
            {
                var mixed = (halves[2 * i] ^ System.Numerics.BitOperations.RotateLeft(halves[2 * i + 1], 32)) * 0x9E3779B97F4A7C15UL;
                var at = (int)(mixed >> (64 - bits));
                while (true)
                {
                    var held = table[at] - 1;
                    if (held < 0)
                    {
                        occurrences[i] = 0;
                        break;
                    }
                    if (keys[held] == keys[i])
                    {
                        occurrences[i] = occurrences[held] + 1;
                        break;
                    }
                    at = (at + 1) & mask;
                }
                table[at] = i + 1;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(slots);
        }
    }

    /// <summary>
    /// XXH3-128 of the UTF-8 bytes of <see cref="Canonical"/>, U+001F and the occurrence in decimal, written straight
    /// into <paramref name="buffer"/> (the same bytes as encoding that text, without building it): the fields are read
    /// from the log's columns and pools, and the buffer is sized once per event from the texts' lengths, so the writes
    /// below check no bounds of their own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Guid Key(EventLog log, int index, int occurrence, ArrayBufferWriter<byte> buffer)
    {
        ref readonly var a = ref log.Attributes[index];
        var user = log.Users[log.UserIds[index]];
        var session = log.Sessions.ValueOrNull(log.SessionIds[index]);
        var action = log.Actions[log.ActionCodes[index]];
        var page = log.Pages.ValueOrNull(a.Page);
        var category = log.Categories.ValueOrNull(a.Category);
        var item = log.Items.ValueOrNull(a.Item);
        var campaign = log.Campaigns.ValueOrNull(a.Campaign);
        var adType = log.AdTypes.ValueOrNull(a.AdType);
        var placement = log.Placements.ValueOrNull(a.Placement);
        // Per text at most 11 bytes of length and colon and 3 bytes per UTF-16 unit; per number 17; the tail 12.
        var texts = user.Length + (session?.Length ?? 0) + action.Length + (page?.Length ?? 0) + (category?.Length ?? 0) + (item?.Length ?? 0) +
                    (campaign?.Length ?? 0) + (adType?.Length ?? 0) + (placement?.Length ?? 0);
        buffer.ResetWrittenCount();
        var span = buffer.GetSpan(9 * 11 + 3 * texts + 4 * 17 + 12);
        var at = 0;
        Add(span, ref at, user);
        Add(span, ref at, session);
        Number(span, ref at, log.Timestamps[index]);
        Add(span, ref at, action);
        Add(span, ref at, page);
        Add(span, ref at, category);
        Add(span, ref at, item);
        Add(span, ref at, campaign);
        Add(span, ref at, adType);
        Add(span, ref at, placement);
        Number(span, ref at, a.ScrollDepth);
        Number(span, ref at, a.Cost);
        Number(span, ref at, a.Revenue);
        span[at++] = 0x1F;
        Integer(span, ref at, occurrence);
        Span<byte> hash = stackalloc byte[16];
        XxHash128.Hash(span[..at], hash);
        return new Guid(hash);

        // The helpers too are compiled fully optimized at first call: a bulk ingest calls them millions of times at once,
        // before tiered compilation would replace a first, unoptimized version.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        static void Add(Span<byte> span, ref int at, string? value)
        {
            if (value is null)
            {
                "-1:"u8.CopyTo(span[at..]);
                at += 3;
                return;
            }
            // The prefix is the length in UTF-16 code units, as the canonical text has it.
            Integer(span, ref at, value.Length);
            span[at++] = (byte)':';
            at += Encoding.UTF8.GetBytes(value, span[at..]);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        static void Number(Span<byte> span, ref int at, double value)
        {
            // Every NaN is the same missing value; otherwise the exact bits, as 16 upper-case hex digits.
            var bits = (ulong)BitConverter.DoubleToInt64Bits(double.IsNaN(value) ? double.NaN : value);
            var digits = span.Slice(at, 16);
            for (var d = 15; d >= 0; d--, bits >>= 4)
                digits[d] = "0123456789ABCDEF"u8[(int)(bits & 0xF)];
            span[at + 16] = (byte)';';
            at += 17;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        static void Integer(Span<byte> span, ref int at, int value)
        {
            value.TryFormat(span[at..], out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            at += written;
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
