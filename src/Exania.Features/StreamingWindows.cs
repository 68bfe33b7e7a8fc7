using System.Diagnostics;
using Exania.Core;
using Exania.Events;

namespace Exania.Features;

/// <summary>What a streaming windows run read and wrote.</summary>
public sealed record StreamingWindowsReport
{
    public required EventLoadReport Input { get; init; }
    public long Windows { get; init; }
    public long Positives { get; init; }

    /// <summary>Chunks of whole sessions extracted one after another.</summary>
    public int Chunks { get; init; }

    /// <summary>Most events held in memory at once (one chunk, plus the row that started the next).</summary>
    public int PeakEventsInMemory { get; init; }

    public double Seconds { get; init; }
}

/// <summary>
/// Windows of event files larger than memory: the files are read in chunks of whole sessions (about
/// <c>chunkEvents</c> events each), every chunk is extracted and its windows written before the next is read, so
/// memory is bounded by the chunk and the longest session, not by the file. The output is byte for byte the batch
/// output (<see cref="WindowExtractor"/> then <see cref="WindowCsv"/>) of the same files.
/// </summary>
/// <remarks>
/// This needs every session's rows together: a file sorted (grouped) by session, as exports by session or by user and
/// time are. A session that reappears after its chunk was written is an error naming it, never a session split in two;
/// rows without a <c>session_id</c> are an error too, since sessions made from inactivity gaps need all of a user's
/// events. Within a session, rows may be in any order.
/// </remarks>
public static class StreamingWindows
{
    /// <summary>Default events per chunk: about 70 MB of log.</summary>
    public const int DefaultChunkEvents = 1 << 20;

    /// <exception cref="DataFormatException">A session reappears after its chunk, a row has no session id, or a row is
    /// malformed under <see cref="BadRowPolicy.Fail"/>.</exception>
    public static StreamingWindowsReport Run(IReadOnlyList<string> paths, EventReaderOptions? readerOptions, string? rejectsPath,
        WindowOptions? windowOptions, string outputPath, int chunkEvents = DefaultChunkEvents)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkEvents, 1);
        windowOptions = (windowOptions ?? WindowOptions.Default).Validate();
        EventLoader.RequireDistinctFiles(paths);
        var watch = Stopwatch.StartNew();
        var files = new List<EventReadSummary>(paths.Count);
        long windows = 0, positives = 0;
        var chunks = 0;
        var peak = 0;
        string? rejectsFile = null;
        AtomicFile.Write(outputPath, output =>
        {
            WindowCsv.WriteHeader(output);
            var log = new EventLog();
            log.EnsureCapacity(Math.Min(chunkEvents, 16_000_000) + 1); // a huge --chunk-events grows as needed instead
            // Sessions already written, by name: one reappearing would be split across chunks.
            var written = new HashSet<string>(StringComparer.Ordinal);
            var file = "";

            void Flush()
            {
                if (log.Count == 0)
                    return;
                // The index leaves out the session of a row just carried to the next chunk (it has no rows here).
                var index = SessionIndex.Build(log);
                var table = WindowExtractor.Extract(log, index, windowOptions);
                WindowCsv.WriteRows(table, output);
                windows += table.Rows;
                positives += table.Positives;
                chunks++;
                foreach (var id in index.SessionIds)
                    written.Add(log.Sessions[id]);
            }

            var sessionsInChunk = 0;
            void AfterAppend(EventLog l)
            {
                var last = l.Count - 1;
                var session = l.SessionIds[last];
                if (session < 0)
                    throw new DataFormatException(file, 0,
                        "streaming needs a session_id on every row (a row has none); sessions made from inactivity gaps need the whole log, so run without --stream");
                peak = Math.Max(peak, l.Count);
                // Only a row that brings a session new to this chunk can end the chunk: the rows of the sessions
                // already in it (in whatever order) stay with them.
                if (l.Sessions.Count == sessionsInChunk)
                    return;
                sessionsInChunk = l.Sessions.Count;
                if (written.Contains(l.Sessions[session]))
                    throw new DataFormatException(file, 0,
                        $"session '{l.Sessions[session]}' appears again after its rows were extracted: streaming needs the file grouped by session " +
                        "(sort it by session_id, or by user and time), or run without --stream");
                if (last >= chunkEvents)
                {
                    var carry = l[last];
                    l.RemoveLast();
                    Flush();
                    l.Clear();
                    l.Append(carry);
                    sessionsInChunk = 1;
                }
            }

            using (var rejects = rejectsPath is null ? null : new RejectFileWriter(rejectsPath))
            {
                var sink = (IRejectSink?)rejects ?? new RejectList();
                foreach (var path in paths)
                {
                    file = Path.GetFileName(path);
                    files.Add(EventReader.Read(path, log, readerOptions, sink, AfterAppend));
                }
                if (rejects is { Count: > 0 })
                    rejectsFile = rejectsPath;
            }
            // As in the batch command: no accepted event is an error, not an empty output (nothing is written).
            if (files.Sum(f => f.Accepted) == 0)
                throw new DataFormatException(Path.GetFileName(paths.Count > 0 ? paths[0] : outputPath), 0, "no events were accepted, so there are no windows to write");
            Flush();
        });
        return new StreamingWindowsReport
        {
            Input = new EventLoadReport { Files = files, RejectsFile = rejectsFile },
            Windows = windows,
            Positives = positives,
            Chunks = chunks,
            PeakEventsInMemory = peak,
            Seconds = watch.Elapsed.TotalSeconds,
        };
    }
}
