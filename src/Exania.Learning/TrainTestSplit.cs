namespace Exania.Learning;

/// <summary>
/// The random train/test split of scikit-learn's <c>train_test_split(…, test_size, random_state=seed)</c>, row for row:
/// numpy's legacy <c>RandomState(seed).permutation(n)</c> (MT19937 seeded by <c>init_genrand</c>, Fisher–Yates with
/// masked rejection sampling), the first ⌈test·n⌉ rows of the permutation for test, the rest for training. Matching it
/// lets a benchmark score Exania and a Python peer on exactly the same held-out rows.
/// </summary>
public static class TrainTestSplit
{
    /// <summary>Train and test row indices, in scikit-learn's order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 rows, a test fraction outside (0, 1), or a negative seed.</exception>
    public static (int[] Train, int[] Test) ScikitLearnCompatible(int rows, double testFraction, int seed)
    {
        if (rows < 2)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "A split needs at least 2 rows.");
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be in (0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(seed);
        var testCount = (int)Math.Ceiling(testFraction * rows);
        if (testCount >= rows)
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, $"A test fraction of {testFraction} leaves no training rows out of {rows}.");
        var permutation = Permutation(rows, (uint)seed);
        return (permutation[testCount..], permutation[..testCount]);
    }

    /// <summary>
    /// A stratified hold-out: within each class, the rows in the order of <see cref="Permutation"/> (seeded by
    /// <paramref name="seed"/> and the class), the first round(test · n_k) of them held out, so both sides keep the
    /// class balance. Returned ascending.
    /// </summary>
    /// <param name="labels">The 0/1 class of each row of <paramref name="rows"/>, indexed by row number.</param>
    /// <param name="testFraction">Share of each class held out, in (0, 1).</param>
    /// <param name="seed">Seed of the per-class permutations.</param>
    /// <param name="rows">The rows to split (all of them when null).</param>
    /// <exception cref="ArgumentException">A label is not 0/1, or a side would hold no row of some class.</exception>
    public static (int[] Train, int[] Test) Stratified(ReadOnlySpan<byte> labels, double testFraction, int seed, int[]? rows = null)
    {
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be in (0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(seed);
        rows ??= [.. Enumerable.Range(0, labels.Length)];
        var train = new List<int>(rows.Length);
        var test = new List<int>(rows.Length / 4 + 1);
        for (var label = 0; label <= 1; label++)
        {
            var members = new List<int>();
            foreach (var r in rows)
            {
                if (labels[r] > 1)
                    throw new ArgumentException($"Label of row {r} is {labels[r]}; labels must be 0 or 1.", nameof(labels));
                if (labels[r] == label)
                    members.Add(r);
            }
            var held = (int)Math.Round(testFraction * members.Count, MidpointRounding.AwayFromZero);
            if (members.Count < 2 || held == 0 || held == members.Count)
                throw new ArgumentException($"Cannot hold out {testFraction:0.##} of class {label}: it has {members.Count} rows of {rows.Length}; both sides need at least one.", nameof(labels));
            var order = Permutation(members.Count, unchecked((uint)seed * 2654435761u + (uint)label));
            for (var i = 0; i < order.Length; i++)
                (i < held ? test : train).Add(members[order[i]]);
        }
        train.Sort();
        test.Sort();
        return ([.. train], [.. test]);
    }

    /// <summary>numpy's <c>RandomState(seed).permutation(n)</c>.</summary>
    public static int[] Permutation(int n, uint seed)
    {
        var random = new Mt19937(seed);
        var result = new int[n];
        for (var i = 0; i < n; i++) result[i] = i;
        for (var i = n - 1; i > 0; i--)
        {
            var j = (int)random.Interval((uint)i);
            (result[i], result[j]) = (result[j], result[i]);
        }
        return result;
    }

    /// <summary>The 32-bit Mersenne Twister (Matsumoto and Nishimura), as numpy's legacy generator uses it.</summary>
    private sealed class Mt19937
    {
        private const int N = 624;
        private const int M = 397;
        private readonly uint[] _state = new uint[N];
        private int _index;

        public Mt19937(uint seed)
        {
            _state[0] = seed;
            for (var i = 1; i < N; i++)
                _state[i] = 1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30)) + (uint)i;
            _index = N;
        }

        public uint Next()
        {
            if (_index >= N)
            {
                for (var k = 0; k < N; k++)
                {
                    var y = (_state[k] & 0x80000000u) | (_state[(k + 1) % N] & 0x7fffffffu);
                    _state[k] = _state[(k + M) % N] ^ (y >> 1) ^ ((y & 1) == 0 ? 0u : 0x9908b0dfu);
                }
                _index = 0;
            }
            var x = _state[_index++];
            x ^= x >> 11;
            x ^= (x << 7) & 0x9d2c5680u;
            x ^= (x << 15) & 0xefc60000u;
            x ^= x >> 18;
            return x;
        }

        /// <summary>Uniform in [0, max] by masked rejection (numpy's legacy <c>random_interval</c>).</summary>
        public uint Interval(uint max)
        {
            if (max == 0) return 0;
            var mask = max;
            mask |= mask >> 1;
            mask |= mask >> 2;
            mask |= mask >> 4;
            mask |= mask >> 8;
            mask |= mask >> 16;
            uint value;
            while ((value = Next() & mask) > max) { }
            return value;
        }
    }
}
