namespace Exania.Core;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its handler on the reporting thread, at once. (<see cref="Progress{T}"/>
/// posts to the thread pool in a console app, so reports can arrive after the work has finished, out of order.)
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
