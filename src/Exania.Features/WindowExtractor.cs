using Exania.Events;

namespace Exania.Features;

/// <summary>
/// Batch sliding-window extraction over a whole <see cref="EventLog"/>. Per session (events in time order):
/// window ends are t0 + k·step for k = 1 .. ⌊(tN - t0)/step⌋ with end ≤ tN; a window holds the events in
/// (end - W, end]; windows with fewer than MinActions events are skipped; the label is 1 when a click_ad occurs in
/// (end, end + horizon]. Features come from <see cref="WindowFeatures.Compute"/> and use no event after the end.
/// </summary>
public static class WindowExtractor
{
    /// <summary>
    /// Extracts every window of every session, sessions in <paramref name="index"/> order. Sessions are split into
    /// contiguous chunks extracted on all cores and concatenated in order, so the result does not depend on scheduling.
    /// </summary>
    public static WindowTable Extract(EventLog log, SessionIndex index, WindowOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(index);
        options = (options ?? WindowOptions.Default).Validate();
        var names = new string[index.SessionCount];
        for (var s = 0; s < names.Length; s++)
            names[s] = log.Sessions[index.SessionIds[s]];

        // Chunks of about equal event counts; small logs are not worth the threads.
        var chunks = log.Count < 20_000 ? 1 : Math.Min(Environment.ProcessorCount, 8);
        var bounds = new int[chunks + 1];
        for (int c = 1, s = 0; c < chunks; c++)
        {
            var target = (long)log.Count * c / chunks;
            while (s < index.SessionCount && index.Starts[s] < target) s++;
            bounds[c] = s;
        }
        bounds[chunks] = index.SessionCount;
        // Two passes over the chunks: the first counts each chunk's windows (the same walk without features), so the
        // table is allocated once at its final size and every chunk writes its rows in place at its offset. Tables
        // grown by doubling and then concatenated touched three times the memory (a cold `exania windows` spent most
        // of its page faults there) and copied every feature twice.
        var offsets = new int[chunks + 1];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
            offsets[c + 1] = ExtractSessions(log, index, bounds[c], bounds[c + 1], options, table: null, firstRow: 0));
        for (var c = 0; c < chunks; c++)
            offsets[c + 1] = checked(offsets[c + 1] + offsets[c]);
        var table = WindowTable.ForRows(names, offsets[chunks]);
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
        {
            var written = ExtractSessions(log, index, bounds[c], bounds[c + 1], options, table, offsets[c]);
            if (written != offsets[c + 1] - offsets[c])
                throw new InvalidOperationException($"Chunk {c} wrote {written} windows; its count was {offsets[c + 1] - offsets[c]}.");
        });
        return table;
    }

    /// <summary>
    /// The windows of sessions [<paramref name="firstSession"/>, <paramref name="endSession"/>): written into
    /// <paramref name="table"/> from row <paramref name="firstRow"/> on, or only counted when it is null. Returns how many.
    /// </summary>
    private static int ExtractSessions(EventLog log, SessionIndex index, int firstSession, int endSession,
        WindowOptions options, WindowTable? table, int firstRow)
    {
        var logTimes = log.Timestamps;
        var logActions = log.ActionCodes;
        var logAttributes = log.Attributes;
        var maxSession = 0;
        for (var s = firstSession; s < endSession; s++)
            maxSession = Math.Max(maxSession, index.Starts[s + 1] - index.Starts[s]);
        var times = new double[maxSession];
        var actions = new int[maxSession];
        var depths = new double[maxSession];
        var clickAdsBefore = new int[maxSession + 1];
        var counts = new int[Math.Max(log.Actions.Count, KnownActions.Count)];

        var row = firstRow;
        for (var s = firstSession; s < endSession; s++)
        {
            var rows = index.Rows(s);
            var n = rows.Length;
            // Counting needs only the times; the other columns are gathered for the pass that writes.
            for (var i = 0; i < n; i++)
                times[i] = logTimes[rows[i]];
            if (table is not null)
            {
                for (var i = 0; i < n; i++)
                {
                    var r = rows[i];
                    actions[i] = logActions[r];
                    depths[i] = logAttributes[r].ScrollDepth;
                    clickAdsBefore[i + 1] = clickAdsBefore[i] + (actions[i] == KnownActions.ClickAd ? 1 : 0);
                }
            }
            row = ExtractSession(s, times.AsSpan(0, n), actions.AsSpan(0, n), depths.AsSpan(0, n),
                clickAdsBefore.AsSpan(0, n + 1), options, counts, table, row);
        }
        return row - firstRow;
    }

    /// <summary>One session's windows, written from <paramref name="row"/> on (or counted, without a table); returns the next row.</summary>
    private static int ExtractSession(int session, ReadOnlySpan<double> times, ReadOnlySpan<int> actions,
        ReadOnlySpan<double> depths, ReadOnlySpan<int> clickAdsBefore, WindowOptions options, Span<int> counts,
        WindowTable? table, int row)
    {
        var n = times.Length;
        var t0 = times[0];
        var tN = times[n - 1];
        var step = options.StepSeconds;
        var window = options.WindowSeconds;
        var horizon = options.HorizonSeconds;
        // Window indices as doubles: a far-off timestamp gives more than long holds (exact integers below 2^53).
        var windowCount = Math.Floor((tN - t0) / step);
        int lo = 0, hi = 0, hz = 0;
        for (var j = 1.0; j <= windowCount; j++)
        {
            var end = t0 + j * step;
            if (end > tN) break;
            // Ends increase, so the three boundaries only move forward.
            while (hi < n && times[hi] <= end) hi++;
            while (lo < hi && times[lo] <= end - window) lo++;
            if (hi - lo < options.MinActions)
            {
                // No later window can hold MinActions events before the MinActions-th event from lo: jump to it, so
                // empty stretches of time cost nothing (the same ends as stepping, as the incremental extractor).
                var needed = lo + options.MinActions - 1;
                if (needed >= n) break;
                j = Math.Max(j, Math.Ceiling((times[needed] - t0) / step) - 1);
                continue;
            }
            if (table is null)
            {
                row++;
                continue;
            }
            if (hz < hi) hz = hi;
            while (hz < n && times[hz] <= end + horizon) hz++;
            var label = (byte)(clickAdsBefore[hz] - clickAdsBefore[hi] > 0 ? 1 : 0);
            var destination = table.Set(row++, session, end, label);
            WindowFeatures.Compute(times[lo..hi], actions[lo..hi], depths[lo..hi], end, t0, window, counts, destination);
        }
        return row;
    }
}
