namespace Exania.Core;

/// <summary>A model file that cannot be loaded: wrong format or version, malformed JSON, or inconsistent shapes.</summary>
public sealed class ModelFormatException : Exception
{
    public ModelFormatException()
    {
    }

    public ModelFormatException(string message)
        : base(message)
    {
    }

    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="path"/>; the message reads "Model file '...': problem".</summary>
    public ModelFormatException(string path, string problem, Exception? innerException = null)
        : base($"Model file '{path}': {problem}", innerException)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file that failed to load.</summary>
    public string? Path { get; }

    /// <summary>What is wrong with it.</summary>
    public string? Problem { get; }
}
