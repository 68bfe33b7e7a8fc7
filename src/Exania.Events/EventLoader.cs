using System.Text.Json.Serialization;
using Exania.Core;

namespace Exania.Events;

/// <summary>
/// What loading a set of event files did, summed over the files: every row accepted or rejected (by kind), unknown
/// actions kept, rows given a session by the inactivity gap. Serialised by <see cref="ReportJson"/>.
/// </summary>
public sealed record EventLoadReport
{
    /// <summary>Each file's own summary, in the order read.</summary>
    [JsonIgnore]
    public IReadOnlyList<EventReadSummary> Files { get; init; } = [];

    public long RowsRead => Sum(f => f.RowsRead);

    public long Accepted => Sum(f => f.Accepted);

    public long Rejected => Sum(f => f.Rejected);

    /// <summary>Rejected rows per reason kind (e.g. <c>bad_timestamp</c>), over all files.</summary>
    public IReadOnlyDictionary<string, long> RejectedByKind => Merge(f => f.RejectedByKind);

    public long NestedLines => Sum(f => f.NestedLines);

    public long EmptyEventArrays => Sum(f => f.EmptyEventArrays);

    /// <summary>Action strings kept that are not one of the nine known interaction actions, with their counts.</summary>
    public IReadOnlyDictionary<string, long> UnknownActions => Merge(f => f.UnknownActions);

    /// <summary>Accepted rows given <see cref="EventReaderOptions.DefaultAction"/> because their file has no action column.</summary>
    public long DefaultActionRows => Sum(f => f.DefaultActionRows);

    /// <summary>The default action those rows took (<see cref="EventReaderOptions.DefaultAction"/>); null when none was given.</summary>
    public string? DefaultAction { get; init; }

    /// <summary>Rows that had no session id and were given one by the inactivity gap.</summary>
    public long SessionizedRows { get; init; }

    /// <summary>Sessions created for them.</summary>
    public int SessionsCreated { get; init; }

    /// <summary>The rejects file, when any row was rejected under <see cref="BadRowPolicy.Skip"/>; else null.</summary>
    public string? RejectsFile { get; init; }

    public double ReadSeconds => Math.Round(Files.Sum(f => f.Seconds), 4);

    /// <summary>One line for people: rows read, accepted, rejected (and where), sessions from the gap.</summary>
    public string HumanLine() =>
        $"read {RowsRead:N0} rows" +
        (NestedLines > 0 ? $" (events nested in {NestedLines:N0} lines, {EmptyEventArrays:N0} of them with an empty array)" : "") +
        $": {Accepted:N0} accepted, {Rejected:N0} rejected" +
        (RejectsFile is null ? "" : $" (see {RejectsFile})") +
        (DefaultActionRows > 0 ? $"; {DefaultActionRows:N0} given the action '{DefaultAction}' (no action column)" : "") +
        (SessionizedRows > 0 ? $"; {SessionsCreated:N0} sessions from the inactivity gap" : "");

    private long Sum(Func<EventReadSummary, long> field)
    {
        long total = 0;
        foreach (var f in Files) total += field(f);
        return total;
    }

    private SortedDictionary<string, long> Merge(Func<EventReadSummary, IReadOnlyDictionary<string, long>> field)
    {
        var merged = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var f in Files)
            foreach (var (key, count) in field(f))
                merged[key] = merged.GetValueOrDefault(key) + count;
        return merged;
    }
}

/// <summary>
/// The one way event files become a log: every file read into one <see cref="EventLog"/> with the same options, bad
/// rows to one rejects file (written only when there are rejects, atomically), then the rows without a session id
/// sessionized by the inactivity gap. The CLI, the coming ingest and the service all load through here.
/// </summary>
public static class EventLoader
{
    /// <summary>Refuses a file given twice: reading it again would double its events silently.</summary>
    /// <exception cref="ArgumentException">Two paths name the same file.</exception>
    public static void RequireDistinctFiles(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
            if (!seen.Add(Path.GetFullPath(path)))
                throw new ArgumentException($"The event file '{path}' is given twice; every file is read once (reading it again would double its events).", nameof(paths));
    }

    /// <exception cref="DataFormatException">A file is empty or lacks a required column, or a row is malformed under <see cref="BadRowPolicy.Fail"/>.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The session gap is not a positive finite number of seconds.</exception>
    public static (EventLog Log, EventLoadReport Report) Load(IReadOnlyList<string> paths, EventReaderOptions? options = null,
        string? rejectsPath = null, double sessionGapSeconds = Sessionizer.DefaultGapSeconds)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (!(sessionGapSeconds > 0) || !double.IsFinite(sessionGapSeconds))
            ExaniaThrow.OptionOutOfRange("EventLoader", "SessionGapSeconds", sessionGapSeconds, "must be a positive finite number of seconds");
        options ??= EventReaderOptions.Default;
        RequireDistinctFiles(paths);
        var log = new EventLog();
        var files = new List<EventReadSummary>(paths.Count);
        string? rejectsFile = null;
        using (var rejects = rejectsPath is null ? null : new RejectFileWriter(rejectsPath))
        {
            var sink = (IRejectSink?)rejects ?? new RejectList();
            foreach (var path in paths)
                files.Add(EventReader.Read(path, log, options, sink));
            if (rejects is { Count: > 0 })
                rejectsFile = rejectsPath;
        }
        var missing = 0;
        foreach (var s in log.SessionIds)
            if (s < 0) missing++;
        var created = Sessionizer.AssignMissing(log, sessionGapSeconds);
        return (log, new EventLoadReport
        {
            Files = files,
            SessionizedRows = missing,
            SessionsCreated = created,
            RejectsFile = rejectsFile,
            DefaultAction = options.DefaultAction,
        });
    }
}
