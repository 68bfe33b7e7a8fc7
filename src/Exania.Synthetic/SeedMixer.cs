namespace Exania.Synthetic;

/// <summary>
/// Derives independent 32-bit seeds from the generator seed, a stream tag and an index with SplitMix64, so every
/// session (and every user) gets its own <see cref="Random"/> whose draws do not depend on how many other sessions
/// were generated before it.
/// </summary>
internal static class SeedMixer
{
    /// <summary>Stream tag of the per-session generators.</summary>
    public const ulong SessionStream = 0x5E55_1000;

    /// <summary>Stream tag of the per-user generators (profile, interests).</summary>
    public const ulong UserStream = 0x0005_E400;

    public static int Derive(int seed, ulong stream, long index)
    {
        var x = Mix((ulong)(uint)seed ^ Mix(stream + 0x9E37_79B9_7F4A_7C15UL * (ulong)(index + 1)));
        // System.Random(int) takes the absolute value of its seed; mask to 31 bits so the mapping stays injective-ish.
        return (int)(x >> 33);
    }

    public static Random Create(int seed, ulong stream, long index) => new(Derive(seed, stream, index));

    private static ulong Mix(ulong z)
    {
        z += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}
