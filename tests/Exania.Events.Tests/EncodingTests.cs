using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

/// <summary>
/// Issue #15, class 3: bytes that are not UTF-8 make a bad row in CSV and JSON Lines alike (caf\xe9 and caf\xe8 must
/// not both become "caf\uFFFD", one user), unless the file is read as Latin-1.
/// </summary>
public class EncodingTests
{
    private static byte[] Bytes(string asciiWithEscapes) =>
        [.. asciiWithEscapes.Select(c => (byte)c)];

    private static (EventLog Log, EventReadSummary Summary, RejectList Rejects) Read(string path, TextEncoding encoding)
    {
        var log = new EventLog();
        var rejects = new RejectList();
        var options = TestData.RelativeTimes with { OnBadRow = BadRowPolicy.Skip, Encoding = encoding };
        return (log, EventReader.Read(path, log, options, rejects), rejects);
    }

    [Theory]
    [InlineData("e.csv", "user_id,session_id,timestamp,action\ncaf\xe9,s1,10,click\ncaf\xe8,s2,20,click\nok,s3,30,click\n")]
    [InlineData("e.jsonl", "{\"user_id\":\"caf\xe9\",\"session_id\":\"s1\",\"timestamp\":10,\"action\":\"click\"}\n{\"user_id\":\"caf\xe8\",\"session_id\":\"s2\",\"timestamp\":20,\"action\":\"click\"}\n{\"user_id\":\"ok\",\"session_id\":\"s3\",\"timestamp\":30,\"action\":\"click\"}\n")]
    public void Utf8_InvalidBytes_AreBadRowsInBothFormats_AndLatin1ReadsThem(string name, string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"exania-enc-{Guid.NewGuid():N}-{name}");
        File.WriteAllBytes(path, Bytes(content));
        try
        {
            var (log, summary, rejects) = Read(path, TextEncoding.Utf8);
            Assert.Equal((3L, 1L, 2L), (summary.RowsRead, summary.Accepted, summary.Rejected));
            Assert.Equal(1, log.Count);
            Assert.All(rejects.Rows, r => Assert.Contains("not valid UTF-8; if the file is Latin-1", r.Reason, StringComparison.Ordinal));
            // The CSV file has a header row, so its data starts on line 2.
            long[] expectedLines = name.EndsWith(".csv", StringComparison.Ordinal) ? [2, 3] : [1, 2];
            Assert.Equal(expectedLines, rejects.Rows.Select(r => r.Line));

            var (latin, latinSummary, _) = Read(path, TextEncoding.Latin1);
            Assert.Equal(3, latinSummary.Accepted);
            Assert.Equal(["café", "cafè", "ok"], latin.Users.Values);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
