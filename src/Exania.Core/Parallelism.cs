namespace Exania.Core;

/// <summary>
/// What <c>Threads</c> means in every Exania options record: the number of worker threads, 0 for all processors. No
/// result depends on it: every parallel reduction runs over fixed partitions in index order.
/// </summary>
public static class Parallelism
{
    /// <summary>The worker count <paramref name="threads"/> stands for (0 → <see cref="Environment.ProcessorCount"/>).</summary>
    public static int Resolve(int threads) => threads > 0 ? threads : Environment.ProcessorCount;

    /// <summary><see cref="ParallelOptions"/> for <paramref name="threads"/>.</summary>
    public static ParallelOptions Options(int threads) => new() { MaxDegreeOfParallelism = Resolve(threads) };

    /// <summary>Checks a <c>Threads</c> field: 0 (all processors) or a positive count.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public static void Validate(string optionsType, int threads)
    {
        if (threads < 0)
            ExaniaThrow.OptionOutOfRange(optionsType, "Threads", threads, "must be 0 (all processors) or a positive number of threads");
    }
}
