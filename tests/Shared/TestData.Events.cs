using Exania.Core;
using Exania.Events;

namespace Exania.Testing;

/// <summary>Event text for the projects that reference Exania.Events.</summary>
internal static partial class TestData
{
    /// <summary>
    /// Reader options for the small relative times the fixtures use (0, 10, 100 seconds), which the default
    /// <see cref="TimestampRange.Plausible"/> would reject; tests of the range itself use the defaults.
    /// </summary>
    public static EventReaderOptions RelativeTimes { get; } = new() { TimeRange = TimestampRange.Any };

    /// <summary>Reads CSV text (canonical columns unless the header says otherwise) into a log; <see cref="RelativeTimes"/> unless told.</summary>
    public static (EventLog Log, EventReadSummary Summary, RejectList Rejects) ReadCsv(string text, EventReaderOptions? options = null)
    {
        var log = new EventLog();
        var rejects = new RejectList();
        var summary = EventReader.ReadCsv(new StringReader(text), "test.csv", log, options ?? RelativeTimes, rejects);
        return (log, summary, rejects);
    }

    public const string Header = "user_id,session_id,timestamp,action,page,category,scroll_depth,campaign_id,ad_type,placement,cost,revenue\n";
}
