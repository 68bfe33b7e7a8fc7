using System.Numerics.Tensors;
using Exania.Core;

namespace Exania.Learning;

/// <summary>
/// All monomials of degree 1..<see cref="Degree"/> of the inputs, in exactly the order of scikit-learn's
/// <c>PolynomialFeatures(degree, include_bias=False)</c>: the degree-1 terms, then the degree-2
/// <c>combinations_with_replacement</c> in lexicographic order, and so on.
/// </summary>
/// <remarks>
/// 20 inputs at degree 2 give 20 + 210 = 230 terms. Each term of degree d is the product of a term of degree d-1
/// with one more input whose index is at least the last index of that term; terms sharing a prefix are contiguous,
/// so <see cref="Expand"/> computes each contiguous block with one vectorised <c>TensorPrimitives.Multiply</c>.
/// </remarks>
public sealed class PolynomialExpansion
{
    /// <summary>Upper bound on the number of terms, to catch runaway degrees before allocating.</summary>
    public const int MaxTerms = 1 << 20;

    private readonly int[][] _terms;
    // Block b: destination[_blockStart[b] .. + (inputs - _blockFactor[b])] = destination[_blockParent[b]] * x[_blockFactor[b]..].
    private readonly int[] _blockParent;
    private readonly int[] _blockFactor;
    private readonly int[] _blockStart;

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputs"/> or <paramref name="degree"/> is not positive, or there would be more than <see cref="MaxTerms"/> terms.</exception>
    public PolynomialExpansion(int inputs, int degree)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(degree);
        long count = 0;
        for (var d = 1; d <= degree; d++)
        {
            count += Combinations(inputs, d);
            if (count > MaxTerms)
                ExaniaThrow.ArgumentOutOfRange(nameof(degree), degree, $"{inputs} inputs at degree {degree} give more than {MaxTerms} terms.");
        }

        Inputs = inputs;
        Degree = degree;
        _terms = new int[count][];
        for (var i = 0; i < inputs; i++)
            _terms[i] = [i];

        var parents = new List<int>();
        var factors = new List<int>();
        var starts = new List<int>();
        var previousStart = 0;
        var previousEnd = inputs;
        var next = inputs;
        for (var d = 2; d <= degree; d++)
        {
            for (var p = previousStart; p < previousEnd; p++)
            {
                var prefix = _terms[p];
                var last = prefix[^1];
                parents.Add(p);
                factors.Add(last);
                starts.Add(next);
                for (var j = last; j < inputs; j++)
                {
                    var term = new int[d];
                    prefix.CopyTo(term, 0);
                    term[^1] = j;
                    _terms[next++] = term;
                }
            }
            previousStart = previousEnd;
            previousEnd = next;
        }
        _blockParent = [.. parents];
        _blockFactor = [.. factors];
        _blockStart = [.. starts];
    }

    /// <summary>Number of inputs (base features).</summary>
    public int Inputs { get; }

    public int Degree { get; }

    /// <summary>Number of output terms.</summary>
    public int TermCount => _terms.Length;

    /// <summary>The input indices multiplied in term <paramref name="term"/>, ascending with repetition (x0*x0*x2 is [0, 0, 2]).</summary>
    public ReadOnlySpan<int> TermIndices(int term) => _terms[term];

    /// <summary>Copies of all terms as index lists, in output order (what the model file stores).</summary>
    public int[][] TermIndexLists()
    {
        var copy = new int[_terms.Length][];
        for (var t = 0; t < copy.Length; t++)
            copy[t] = (int[])_terms[t].Clone();
        return copy;
    }

    /// <summary>Exponent of each input in term <paramref name="term"/> (one row of scikit-learn's <c>powers_</c>).</summary>
    public int[] Exponents(int term)
    {
        var powers = new int[Inputs];
        foreach (var index in _terms[term])
            powers[index]++;
        return powers;
    }

    /// <summary>The term names scikit-learn's <c>get_feature_names_out</c> would give, e.g. <c>a b^2</c>.</summary>
    public string TermName(int term, IReadOnlyList<string> inputNames)
    {
        ArgumentNullException.ThrowIfNull(inputNames);
        var powers = Exponents(term);
        var parts = new List<string>();
        for (var i = 0; i < powers.Length; i++)
        {
            if (powers[i] == 1)
                parts.Add(inputNames[i]);
            else if (powers[i] > 1)
                parts.Add($"{inputNames[i]}^{powers[i]}");
        }
        return string.Join(' ', parts);
    }

    /// <summary>Writes the <see cref="TermCount"/> terms of <paramref name="x"/> to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> does not have <see cref="Inputs"/> elements or <paramref name="destination"/> is too short.</exception>
    public void Expand(ReadOnlySpan<double> x, Span<double> destination)
    {
        var inputs = Inputs;
        if (x.Length != inputs)
            ExaniaThrow.LengthMismatch(nameof(x), inputs, x.Length);
        if (destination.Length < _terms.Length)
            ExaniaThrow.DestinationTooShort(nameof(destination), _terms.Length, destination.Length);
        x.CopyTo(destination);
        var parents = _blockParent;
        var factors = _blockFactor;
        var starts = _blockStart;
        for (var b = 0; b < parents.Length; b++)
        {
            var factor = factors[b];
            TensorPrimitives.Multiply(x[factor..], destination[parents[b]], destination.Slice(starts[b], inputs - factor));
        }
    }

    private static long Combinations(int n, int k)
    {
        // Multisets of size k from n items: C(n + k - 1, k).
        double result = 1;
        for (var i = 1; i <= k; i++)
            result = result * (n + i - 1) / i;
        return result > long.MaxValue / 2 ? long.MaxValue / 2 : (long)Math.Round(result);
    }
}
