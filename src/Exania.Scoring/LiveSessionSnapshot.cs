using System.Text;
using Exania.Features;

namespace Exania.Scoring;

/// <summary>
/// A live session as plain values: its window state, its recent history and the answer to its last batch. A cluster
/// node saves it after every batch (issue #14) and any node restores it; <see cref="ToBytes"/> and
/// <see cref="FromBytes"/> are its compact, versioned binary form.
/// </summary>
/// <param name="Id">The session id.</param>
/// <param name="User">The user the client named, or null.</param>
/// <param name="Windows">The incremental window extractor's state.</param>
/// <param name="History">The recent events kept for the sequence model, oldest first.</param>
/// <param name="LastBatchDigest">Digest of the last batch applied (0 before any).</param>
/// <param name="LastReport">The answer to that batch, or null.</param>
/// <param name="Completed">True once a batch ended the session.</param>
public sealed record LiveSessionSnapshot(string Id, string? User, IncrementalWindowState Windows, LiveEvent[] History, ulong LastBatchDigest,
    LiveScoreReport? LastReport, bool Completed)
{
    private const uint Magic = 0x534C5845; // "EXLS", little-endian
    private const byte FormatVersion = 1;

    /// <summary>The snapshot in its binary form (little-endian numbers, UTF-8 strings with their lengths).</summary>
    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream(256 + Windows.Times.Length * 20 + History.Length * 20);
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(Id);
            WriteOptional(w, User);
            var n = Windows.Times.Length;
            w.Write(n);
            for (var i = 0; i < n; i++)
            {
                w.Write(Windows.Times[i]);
                w.Write(Windows.Actions[i]);
                w.Write(Windows.Depths[i]);
            }
            w.Write(Windows.SessionStart);
            w.Write(Windows.LastTime);
            w.Write(Windows.NextWindow);
            w.Write(Windows.EventCount);
            w.Write(History.Length);
            foreach (var e in History)
                WriteEvent(w, e);
            w.Write(LastBatchDigest);
            w.Write(Completed);
            w.Write(LastReport is not null);
            if (LastReport is { } report)
            {
                w.Write(report.Session);
                w.Write(report.Accepted);
                w.Write(report.EventCount);
                w.Write(report.Windows.Count);
                foreach (var window in report.Windows)
                    WriteWindow(w, window);
                w.Write(report.Current is not null);
                if (report.Current is { } current)
                    WriteWindow(w, current);
                w.Write(report.Completed);
                w.Write(report.ModelVersion);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Reads what <see cref="ToBytes"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a snapshot of this format (truncated, another format, inconsistent).</exception>
    public static LiveSessionSnapshot FromBytes(ReadOnlySpan<byte> bytes)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            if (r.ReadUInt32() != Magic)
                throw new InvalidDataException("Not a live session snapshot.");
            if (r.ReadByte() is var version && version != FormatVersion)
                throw new InvalidDataException($"Live session snapshot format {version} is not {FormatVersion}.");
            var id = r.ReadString();
            var user = ReadOptional(r);
            var n = Count(r, stream, 20);
            var times = new double[n];
            var actions = new int[n];
            var depths = new double[n];
            for (var i = 0; i < n; i++)
            {
                times[i] = r.ReadDouble();
                actions[i] = r.ReadInt32();
                depths[i] = r.ReadDouble();
            }
            var windows = new IncrementalWindowState(times, actions, depths, r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadInt64());
            var history = new LiveEvent[Count(r, stream, 20)];
            for (var i = 0; i < history.Length; i++)
                history[i] = new LiveEvent(r.ReadDouble(), r.ReadInt32(), r.ReadDouble());
            var digest = r.ReadUInt64();
            var sessionCompleted = r.ReadBoolean();
            LiveScoreReport? report = null;
            if (r.ReadBoolean())
            {
                var session = r.ReadString();
                var accepted = r.ReadInt32();
                var eventCount = r.ReadInt64();
                var completed = new LiveWindow[Count(r, stream, 25)];
                for (var i = 0; i < completed.Length; i++)
                    completed[i] = ReadWindow(r);
                LiveWindow? current = r.ReadBoolean() ? ReadWindow(r) : null;
                report = new LiveScoreReport(session, accepted, eventCount, completed, current, r.ReadBoolean(), r.ReadString());
            }
            if (stream.Position != stream.Length)
                throw new InvalidDataException("The live session snapshot has bytes after its end.");
            return new LiveSessionSnapshot(id, user, windows, history, digest, report, sessionCompleted);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The live session snapshot is truncated.", e);
        }
    }

    /// <summary>A count read back, refused when the rest of the stream cannot hold that many items of <paramref name="itemBytes"/>.</summary>
    private static int Count(BinaryReader r, Stream stream, int itemBytes)
    {
        var n = r.ReadInt32();
        if (n < 0 || (long)n * itemBytes > stream.Length - stream.Position)
            throw new InvalidDataException($"The live session snapshot claims {n} items, more than it holds.");
        return n;
    }

    private static void WriteOptional(BinaryWriter w, string? text)
    {
        w.Write(text is not null);
        if (text is not null)
            w.Write(text);
    }

    private static string? ReadOptional(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static void WriteEvent(BinaryWriter w, LiveEvent e)
    {
        w.Write(e.Timestamp);
        w.Write(e.Action);
        w.Write(e.ScrollDepth);
    }

    private static void WriteWindow(BinaryWriter w, LiveWindow window)
    {
        w.Write(window.Start);
        w.Write(window.End);
        w.Write(window.Probability);
        w.Write(window.Click);
    }

    private static LiveWindow ReadWindow(BinaryReader r) => new(r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadBoolean());
}
