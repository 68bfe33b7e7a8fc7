namespace Exania.Core;

/// <summary>
/// SplitMix64: a tiny, allocation-free generator. <see cref="For"/> seeds one per (seed, epoch, sample), so a random
/// step (dropout, a shuffle, an initialisation) depends on its seed and position only, never on thread scheduling.
/// </summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The generator of one (seed, epoch, sample) position.</summary>
    public static SplitMix64 For(int seed, int epoch, int sample) =>
        new(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)epoch << 32 | (uint)sample) * 0xD1B54A32D192ED03UL);

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
}
