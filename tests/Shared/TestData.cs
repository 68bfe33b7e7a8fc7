namespace Exania.Testing;

/// <summary>Test files under tests/Shared/Data (copied beside every test assembly) and temporary folders.</summary>
internal static partial class TestData
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Data", name);

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

    /// <summary>Bytes that break CSV and JSON in interesting ways (quotes, separators, line ends, brackets, invalid UTF-8, a BOM), beside random ones.</summary>
    private static readonly byte[] s_hostileBytes = [.. "\",\n\r{}[]:\\0-.e9 \t"u8, 0x00, 0xFF, 0xC3, 0xE9, 0xEF, 0xBB, 0xBF, 0x80];

    /// <summary>For fuzz tests: one to four edits: overwrite, insert or delete a byte, hostile or random.</summary>
    public static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 5);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            var value = random.Next(3) == 0 ? (byte)random.Next(256) : s_hostileBytes[random.Next(s_hostileBytes.Length)];
            switch (random.Next(3))
            {
                case 0: bytes[at] = value; break;
                case 1: bytes.Insert(at, value); break;
                default: bytes.RemoveAt(at); break;
            }
        }
        return [.. bytes];
    }
}
