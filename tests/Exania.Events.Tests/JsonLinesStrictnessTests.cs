using System.Text;
using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

/// <summary>Issue #15, class 5: a JSON Lines line is exactly one JSON object; anything else is a bad line, not dropped data.</summary>
public class JsonLinesStrictnessTests
{
    /// <summary>OTTO's layout: the line's session is also the user; each event has aid, ts and type.</summary>
    private static readonly Dictionary<EventField, string> s_ottoMap = new()
    {
        [EventField.SessionId] = "session",
        [EventField.UserId] = "session",
        [EventField.ItemId] = "aid",
        [EventField.Timestamp] = "ts",
        [EventField.Action] = "type",
    };

    private const string Good = "{\"user_id\": \"u1\", \"session_id\": \"s1\", \"timestamp\": 10, \"action\": \"click\"}";

    private static (EventLog Log, EventReadSummary Summary, RejectList Rejects) Read(string text, string? nested = null)
    {
        var log = new EventLog();
        var rejects = new RejectList();
        var options = TestData.RelativeTimes with
        {
            OnBadRow = BadRowPolicy.Skip,
            NestedEvents = nested,
            ColumnMap = nested is null ? new Dictionary<EventField, string>() : s_ottoMap,
        };
        var summary = EventReader.ReadJsonLines(new MemoryStream(Encoding.UTF8.GetBytes(text)), "t.jsonl", log, options, rejects);
        return (log, summary, rejects);
    }

    [Theory]
    [InlineData(Good + " trailing", "invalid JSON")]
    [InlineData(Good + " " + Good, "invalid JSON")]
    [InlineData("{\"user_id\": \"u1\", \"session_id\": \"s1\", \"timestamp\": 10, \"timestamp\": 99, \"action\": \"click\"}", "gives timestamp twice")]
    public void FlatLine_NotExactlyOneObject_IsRejectedWithItsLine(string bad, string reason)
    {
        var (log, summary, rejects) = Read(Good + "\n" + bad + "\n" + Good + "\n");
        Assert.Equal(3, summary.RowsRead);
        Assert.Equal(2, summary.Accepted);
        Assert.Equal(1, summary.Rejected);
        Assert.Equal(2, log.Count);
        var reject = Assert.Single(rejects.Rows);
        Assert.Equal(2, reject.Line);
        Assert.Contains(reason, reject.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void FlatLine_TrailingWhiteSpace_IsFine()
    {
        var (log, summary, _) = Read(Good + "   \t\n");
        Assert.Equal((1, 1L), (log.Count, summary.Accepted));
    }

    [Theory]
    [InlineData("{\"session\": 1, \"events\": [{\"aid\": 1, \"ts\": 10, \"type\": \"clicks\"}], \"events\": [{\"aid\": 2, \"ts\": 20, \"type\": \"clicks\"}]}", "'events' twice")]
    [InlineData("{\"session\": 1, \"events\": [{\"aid\": 1, \"ts\": 10, \"type\": \"clicks\"}]} {\"session\": 2}", "invalid JSON")]
    [InlineData("{\"session\": 1, \"session\": 2, \"events\": [{\"aid\": 1, \"ts\": 10, \"type\": \"clicks\"}]}", "twice (a duplicate key")]
    public void NestedLine_TwoArraysTrailingTextOrDuplicateKeys_IsOneRejectedRow(string bad, string reason)
    {
        var map = "{\"session\": 0, \"events\": [{\"aid\": 5, \"ts\": 1, \"type\": \"clicks\"}]}\n";
        var (_, summary, rejects) = Read(map + bad + "\n", nested: "events");
        Assert.Equal(1, summary.Accepted);
        Assert.Equal(1, summary.Rejected);
        Assert.Equal(summary.RowsRead, summary.Accepted + summary.Rejected);
        var reject = Assert.Single(rejects.Rows);
        Assert.Equal(2, reject.Line);
        Assert.Contains(reason, reject.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NestedElement_DuplicateKey_RejectsThatElementOnly()
    {
        var line = "{\"session\": 1, \"events\": [{\"aid\": 1, \"ts\": 10, \"ts\": 11, \"type\": \"clicks\"}, {\"aid\": 2, \"ts\": 20, \"type\": \"clicks\"}]}\n";
        var (_, summary, rejects) = Read(line, nested: "events");
        Assert.Equal((2L, 1L, 1L), (summary.RowsRead, summary.Accepted, summary.Rejected));
        Assert.Contains("gives timestamp twice", Assert.Single(rejects.Rows).Reason, StringComparison.Ordinal);
    }
}
