using Exania.Core;
using Exania.Events;

namespace Exania.Tests;

internal static class TestData
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Data", name);

    /// <summary>Reads CSV text (canonical columns unless the header says otherwise) into a log.</summary>
    public static (EventLog Log, EventReadSummary Summary, RejectList Rejects) ReadCsv(string text, EventReaderOptions? options = null)
    {
        var log = new EventLog();
        var rejects = new RejectList();
        var summary = EventReader.ReadCsv(new StringReader(text), "test.csv", log, options, rejects);
        return (log, summary, rejects);
    }

    public const string Header = "user_id,session_id,timestamp,action,page,category,scroll_depth,campaign_id,ad_type,placement,cost,revenue\n";

    /// <summary>A temporary directory removed on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "exania-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Root);
        }

        public string Root { get; }

        public string File(string name) => System.IO.Path.Combine(Root, name);

        public void Dispose()
        {
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        }
    }
}
