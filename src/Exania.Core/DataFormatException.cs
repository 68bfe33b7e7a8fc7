namespace Exania.Core;

/// <summary>A malformed input row or file (events, campaigns, windows): the message names the file, the line and the reason.</summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string file, long line, string reason)
        : base(line > 0 ? $"{file}:{line}: {reason}" : $"{file}: {reason}")
    {
        File = file;
        Line = line;
        Reason = reason;
    }

    public DataFormatException() : this("(unknown)", 0, "malformed input") { }

    public DataFormatException(string message) : this("(unknown)", 0, message) { }

    public DataFormatException(string message, Exception innerException) : base(message, innerException)
    {
        File = "(unknown)";
        Reason = message;
    }

    /// <summary>The input file.</summary>
    public string File { get; } = "(unknown)";

    /// <summary>1-based line where the bad row starts; 0 for a file-level problem.</summary>
    public long Line { get; }

    /// <summary>Why the row or file was rejected.</summary>
    public string Reason { get; } = "";
}
