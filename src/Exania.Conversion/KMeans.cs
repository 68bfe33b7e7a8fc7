using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using Exania.Core;

namespace Exania.Conversion;

/// <summary>Options of <see cref="KMeans.Fit"/>. Defaults live here, once (scikit-learn's); <see cref="Validate"/> names a bad field.</summary>
public sealed record KMeansOptions
{
    /// <summary>The defaults: 5 clusters, 10 restarts, at most 300 Lloyd steps, tolerance 1e-4, seed 0.</summary>
    public static KMeansOptions Default { get; } = new();

    /// <summary>Number of clusters (1 ≤ k ≤ <see cref="MaxK"/>, and at most the rows).</summary>
    public int K { get; init; } = 5;

    /// <summary>Independent k-means++ seedings, each refined by Lloyd steps; the one with the least inertia is kept (scikit-learn's <c>n_init</c>).</summary>
    public int Restarts { get; init; } = 10;

    /// <summary>Lloyd steps per restart at most.</summary>
    public int MaxIterations { get; init; } = 300;

    /// <summary>
    /// A restart stops when the labels no longer change, or when the summed squared centroid shift is at most
    /// <c>Tolerance × mean column variance</c> of the data (scikit-learn's rule).
    /// </summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>Candidates tried per new centre in greedy k-means++; null for scikit-learn's <c>2 + ⌊ln k⌋</c>.</summary>
    public int? LocalTrials { get; init; }

    /// <summary>Seed of every random step (the restarts' seedings).</summary>
    public int Seed { get; init; }

    /// <summary>Worker threads (<see cref="Parallelism"/>): restarts run in parallel; the result does not depend on it.</summary>
    public int Threads { get; init; }

    public const int MaxK = 1000;

    public const int MaxRestarts = 1000;

    public const int MaxMaxIterations = 100_000;

    /// <exception cref="ArgumentOutOfRangeException">A field is out of range; the message names it, its value and the range.</exception>
    public KMeansOptions Validate()
    {
        if (K is < 1 or > MaxK)
            ExaniaThrow.OptionOutOfRange(nameof(KMeansOptions), nameof(K), K, $"must be in [1, {MaxK}]");
        if (Restarts is < 1 or > MaxRestarts)
            ExaniaThrow.OptionOutOfRange(nameof(KMeansOptions), nameof(Restarts), Restarts, $"must be in [1, {MaxRestarts}]");
        if (MaxIterations is < 1 or > MaxMaxIterations)
            ExaniaThrow.OptionOutOfRange(nameof(KMeansOptions), nameof(MaxIterations), MaxIterations, $"must be in [1, {MaxMaxIterations}]");
        if (!(Tolerance >= 0 && double.IsFinite(Tolerance)))
            ExaniaThrow.OptionOutOfRange(nameof(KMeansOptions), nameof(Tolerance), Tolerance, "must be finite and at least 0");
        if (LocalTrials is < 1 or > 100)
            ExaniaThrow.OptionOutOfRange(nameof(KMeansOptions), nameof(LocalTrials), LocalTrials, "must be null (2 + ln k) or in [1, 100]");
        Parallelism.Validate(nameof(KMeansOptions), Threads);
        return this;
    }
}

/// <summary>A k-means clustering: centroids, each row's cluster, and how the fit went.</summary>
public sealed class KMeansResult
{
    internal KMeansResult(int k, int columns, double[] centroids, int[] assignments, double inertia, int iterations, bool converged,
        int bestRestart, double[] restartInertias, double[] inertiaTrace)
    {
        K = k;
        Columns = columns;
        Centroids = centroids;
        Assignments = assignments;
        Inertia = inertia;
        Iterations = iterations;
        Converged = converged;
        BestRestart = bestRestart;
        RestartInertias = restartInertias;
        InertiaTrace = inertiaTrace;
        var sizes = new int[k];
        foreach (var a in assignments)
            sizes[a]++;
        Sizes = sizes;
    }

    public int K { get; }

    public int Columns { get; }

    /// <summary>Row-major, <see cref="K"/> × <see cref="Columns"/>.</summary>
    public double[] Centroids { get; }

    /// <summary>The cluster of each row, 0..K-1: the nearest centroid (ties to the lower index).</summary>
    public int[] Assignments { get; }

    /// <summary>Rows per cluster.</summary>
    public int[] Sizes { get; }

    /// <summary>Sum over rows of the squared Euclidean distance to their centroid, computed directly as Σ(x − c)².</summary>
    public double Inertia { get; }

    /// <summary>Lloyd steps of the kept restart.</summary>
    public int Iterations { get; }

    /// <summary>Whether the kept restart met the stopping rule before <see cref="KMeansOptions.MaxIterations"/>.</summary>
    public bool Converged { get; }

    /// <summary>Which restart was kept (the least inertia; ties to the lower index).</summary>
    public int BestRestart { get; }

    /// <summary>The final inertia of every restart, in restart order.</summary>
    public IReadOnlyList<double> RestartInertias { get; }

    /// <summary>The kept restart's inertia after each assignment step, then the final one: non-increasing (Lloyd's guarantee).</summary>
    public IReadOnlyList<double> InertiaTrace { get; }

    /// <summary>Centroid <paramref name="cluster"/>.</summary>
    public ReadOnlySpan<double> Centroid(int cluster) => Centroids.AsSpan(cluster * Columns, Columns);
}

/// <summary>
/// Points held column by column with their squared norms, so that the distances from every point to one centre are a
/// few <see cref="TensorPrimitives"/> calls over contiguous columns: <c>‖x‖² − 2 Σ_c x_c·m_c + ‖m‖²</c>.
/// </summary>
internal sealed class PointMatrix
{
    private readonly double[] _columnMajor;

    public PointMatrix(ReadOnlySpan<double> rowMajor, int columns)
    {
        Debug.Assert(columns > 0 && rowMajor.Length % columns == 0);
        Columns = columns;
        Rows = rowMajor.Length / columns;
        _columnMajor = GC.AllocateUninitializedArray<double>(rowMajor.Length); // every element is written below
        for (var r = 0; r < Rows; r++)
            for (var c = 0; c < columns; c++)
                _columnMajor[c * Rows + r] = rowMajor[r * columns + c];
        // Point norms are computed once; only the centroid norms change between Lloyd steps.
        Norms = new double[Rows];
        for (var c = 0; c < columns; c++)
        {
            var column = Column(c);
            TensorPrimitives.MultiplyAdd(column, column, Norms, Norms);
        }
    }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>‖x‖² of every point.</summary>
    public double[] Norms { get; }

    public ReadOnlySpan<double> Column(int c) => _columnMajor.AsSpan(c * Rows, Rows);

    public double At(int row, int column) => _columnMajor[column * Rows + row];

    /// <summary>Point <paramref name="row"/> written to <paramref name="destination"/>.</summary>
    public void CopyRow(int row, Span<double> destination)
    {
        for (var c = 0; c < Columns; c++)
            destination[c] = _columnMajor[c * Rows + row];
    }

    /// <summary>
    /// Squared distances from rows [start, start + destination.Length) to <paramref name="centre"/>, whose squared
    /// norm is <paramref name="centreNorm"/>: <c>‖x‖² + ‖m‖² − 2 x·m</c>, clamped at 0 (the expansion can round below zero
    /// for a point on its centre).
    /// </summary>
    public void SquaredDistances(ReadOnlySpan<double> centre, double centreNorm, int start, Span<double> destination)
    {
        CentreTerms(centre, centreNorm, start, destination);
        TensorPrimitives.Add(Norms.AsSpan(start, destination.Length), destination, destination);
        TensorPrimitives.Max(destination, 0.0, destination);
    }

    /// <summary>
    /// <c>‖m‖² − 2 x·m</c> for rows [start, start + destination.Length): the squared distance less the point's own norm,
    /// which is the same for every centre and so does not change which centre is nearest.
    /// </summary>
    public void CentreTerms(ReadOnlySpan<double> centre, double centreNorm, int start, Span<double> destination)
    {
        var length = destination.Length;
        destination.Fill(centreNorm);
        for (var c = 0; c < Columns; c++)
            TensorPrimitives.MultiplyAdd(_columnMajor.AsSpan(c * Rows + start, length), -2 * centre[c], destination, destination);
    }
}

/// <summary>
/// k-means (Lloyd's algorithm) with greedy k-means++ seeding and restarts, the way scikit-learn's <c>KMeans</c>
/// (lloyd, <c>n_init</c> restarts) fits it, so that inertias compare.
/// </summary>
/// <remarks>
/// <para><b>Seeding</b> (greedy k-means++, Arthur and Vassilvitskii 2007, as in scikit-learn): the first centre is a
/// uniformly drawn row; each next one is the best of <see cref="KMeansOptions.LocalTrials"/> rows drawn with probability
/// proportional to D², the squared distance to the nearest centre so far: the candidate that leaves the least total D².
/// A draw <c>u·ΣD²</c> picks the first row whose running sum of D² exceeds it, so a row already a centre (D² = 0) is never
/// drawn.</para>
/// <para><b>Lloyd steps.</b> Assign every row to the nearest centroid by <c>‖x‖² − 2x·c + ‖c‖²</c> (point norms cached once,
/// centroid norms once per step; vectorised over blocks of rows with <see cref="TensorPrimitives"/>), then move each
/// centroid to the mean of its rows. An empty cluster takes the row farthest from its centroid (scikit-learn's
/// relocation). Stop when no label changes, or when the summed squared centroid shift is at most the tolerance; a
/// last assignment step then makes the labels match the final centroids. The reported inertia is Σ(x − c)² computed
/// directly, not from the expansion, which loses digits to cancellation when points are far from the origin.</para>
/// <para><b>Determinism.</b> Restart r is seeded with the r-th draw of <c>new Random(Seed)</c>, restarts run in parallel
/// but each alone, and the kept one is the least inertia with ties to the lower index: the result is the same for any
/// thread count. Floating-point results may differ between CPUs (vector width, fused multiply-add).</para>
/// </remarks>
public static class KMeans
{
    /// <summary>Rows per block: a block's columns (up to about 12 of them) and its distances stay in L1.</summary>
    private const int BlockRows = 256;

    /// <summary>Clusters <paramref name="rowMajor"/> (rows × <paramref name="columns"/>, finite values) into <see cref="KMeansOptions.K"/> clusters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">No rows, a value that is not finite, or fewer distinct rows than clusters.</exception>
    public static KMeansResult Fit(ReadOnlySpan<double> rowMajor, int columns, KMeansOptions? options = null)
    {
        options = (options ?? KMeansOptions.Default).Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (rowMajor.Length % columns != 0)
            ExaniaThrow.Argument($"{rowMajor.Length} values is not a whole number of rows of {columns} columns.", nameof(rowMajor));
        var rows = rowMajor.Length / columns;
        if (rows == 0)
            ExaniaThrow.Argument("There are no rows to cluster.", nameof(rowMajor));
        if (!TensorPrimitives.IsFiniteAll(rowMajor))
            ExaniaThrow.Argument("Every value must be finite; skip or fill missing values first.", nameof(rowMajor));
        if (options.K > rows)
            ExaniaThrow.OptionOutOfRange(nameof(KMeansOptions), nameof(KMeansOptions.K), options.K, $"must be at most the number of rows ({rows})");
        var distinct = CountDistinctRows(rowMajor, columns, options.K);
        if (distinct < options.K)
            ExaniaThrow.OptionOutOfRange(nameof(KMeansOptions), nameof(KMeansOptions.K), options.K,
                $"must be at most the number of distinct rows ({distinct} of {rows} rows are distinct)");

        var points = new PointMatrix(rowMajor, columns);
        var tolerance = options.Tolerance * MeanVariance(points);
        var trials = options.LocalTrials ?? 2 + (int)Math.Log(options.K);
        var master = new Random(options.Seed);
        var seeds = new int[options.Restarts];
        for (var r = 0; r < seeds.Length; r++)
            seeds[r] = master.Next();
        var runs = new Run[options.Restarts];
        Parallel.For(0, runs.Length, Parallelism.Options(options.Threads), r =>
        {
            var centres = SeedPlusPlus(points, options.K, trials, new Random(seeds[r]));
            runs[r] = Lloyd(points, centres, options.K, options.MaxIterations, tolerance);
        });
        var best = 0;
        for (var r = 1; r < runs.Length; r++)
            if (runs[r].Inertia < runs[best].Inertia)
                best = r;
        var inertias = new double[runs.Length];
        for (var r = 0; r < runs.Length; r++)
            inertias[r] = runs[r].Inertia;
        var kept = runs[best];
        return new KMeansResult(options.K, columns, kept.Centroids, kept.Labels, kept.Inertia, kept.Iterations, kept.Converged, best, inertias, kept.Trace);
    }

    /// <summary>The nearest of <paramref name="k"/> row-major <paramref name="centroids"/> for each row (ties to the lower index).</summary>
    /// <exception cref="ArgumentException">Shapes disagree.</exception>
    public static int[] Predict(ReadOnlySpan<double> rowMajor, int columns, ReadOnlySpan<double> centroids, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (rowMajor.Length % columns != 0)
            ExaniaThrow.Argument($"{rowMajor.Length} values is not a whole number of rows of {columns} columns.", nameof(rowMajor));
        if (centroids.Length != k * columns)
            ExaniaThrow.LengthMismatch(nameof(centroids), k * columns, centroids.Length);
        var points = new PointMatrix(rowMajor, columns);
        var labels = new int[points.Rows];
        var distances = new double[points.Rows];
        Assign(points, centroids, k, CentroidNorms(centroids, k, columns), labels, distances);
        return labels;
    }

    /// <summary>‖c‖² of each centroid.</summary>
    internal static double[] CentroidNorms(ReadOnlySpan<double> centroids, int k, int columns)
    {
        var norms = new double[k];
        for (var j = 0; j < k; j++)
        {
            var c = centroids.Slice(j * columns, columns);
            norms[j] = TensorPrimitives.Dot(c, c);
        }
        return norms;
    }

    /// <summary>
    /// The assignment step: for every row the nearest centroid and its squared distance (from the norm expansion,
    /// clamped at 0), in blocks of <see cref="BlockRows"/> rows: per centroid one vectorised pass of <c>‖c‖² − 2x·c</c>
    /// over the block, then a running minimum (strict, so ties go to the lower index); ‖x‖² is added to the minimum only.
    /// </summary>
    internal static void Assign(PointMatrix points, ReadOnlySpan<double> centroids, int k, ReadOnlySpan<double> centroidNorms,
        Span<int> labels, Span<double> distances)
    {
        Debug.Assert(centroids.Length == k * points.Columns && labels.Length == points.Rows && distances.Length == points.Rows);
        var columns = points.Columns;
        Span<double> block = stackalloc double[BlockRows];
        // The running label is kept as doubles beside the running minimum, so that both update with one vector compare
        // and two selects, without a branch per row and centroid.
        Span<double> blockLabels = stackalloc double[BlockRows];
        for (var start = 0; start < points.Rows; start += BlockRows)
        {
            var length = Math.Min(BlockRows, points.Rows - start);
            var d = block[..length];
            var best = distances.Slice(start, length);
            var bestLabel = blockLabels[..length];
            best.Fill(double.PositiveInfinity);
            bestLabel.Clear();
            for (var j = 0; j < k; j++)
            {
                points.CentreTerms(centroids.Slice(j * columns, columns), centroidNorms[j], start, d);
                RunningMinimum(d, best, bestLabel, j);
            }
            TensorPrimitives.Add(best, points.Norms.AsSpan(start, length), best);
            TensorPrimitives.Max(best, 0.0, best);
            TensorPrimitives.ConvertTruncating<double, int>(bestLabel, labels.Slice(start, length));
        }
    }

    /// <summary>Where <c>d[i] &lt; best[i]</c> (strictly: ties keep the lower label), sets <c>best[i] = d[i]</c> and <c>label[i] = j</c>.</summary>
    internal static void RunningMinimum(ReadOnlySpan<double> d, Span<double> best, Span<double> label, int j)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var candidate = new Vector<double>(j);
            for (; i <= d.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                var value = new Vector<double>(d[i..]);
                var current = new Vector<double>(best[i..]);
                var smaller = Vector.LessThan(value, current);
                Vector.ConditionalSelect(smaller, value, current).CopyTo(best[i..]);
                Vector.ConditionalSelect(smaller, candidate, new Vector<double>(label[i..])).CopyTo(label[i..]);
            }
        }
        for (; i < d.Length; i++)
        {
            if (d[i] < best[i])
            {
                best[i] = d[i];
                label[i] = j;
            }
        }
    }

    /// <summary>Σ over rows of (x − c)² for the given labels, computed directly (column by column, rows in order).</summary>
    internal static double Inertia(PointMatrix points, ReadOnlySpan<double> centroids, ReadOnlySpan<int> labels)
    {
        var columns = points.Columns;
        var total = 0.0;
        for (var c = 0; c < columns; c++)
        {
            var column = points.Column(c);
            for (var i = 0; i < column.Length; i++)
            {
                var diff = column[i] - centroids[labels[i] * columns + c];
                total += diff * diff;
            }
        }
        return total;
    }

    /// <summary>
    /// Greedy k-means++: <paramref name="k"/> row indices of <paramref name="points"/> chosen as initial centres, using
    /// <paramref name="random"/> for the first row (<see cref="Random.Next(int)"/>) and the D² draws (<see cref="Random.NextDouble"/>).
    /// </summary>
    internal static int[] SeedPlusPlusIndices(PointMatrix points, int k, int localTrials, Random random)
    {
        var n = points.Rows;
        var columns = points.Columns;
        var chosen = new int[k];
        chosen[0] = random.Next(n);
        var centre = new double[columns];
        points.CopyRow(chosen[0], centre);
        var closest = new double[n];
        var norm = TensorPrimitives.Dot(centre, centre);
        for (var start = 0; start < n; start += BlockRows)
            points.SquaredDistances(centre, norm, start, closest.AsSpan(start, Math.Min(BlockRows, n - start)));
        var cumulative = new double[n];
        var candidates = new double[localTrials * columns];
        var candidateNorms = new double[localTrials];
        var potentials = new double[localTrials];
        Span<double> block = stackalloc double[BlockRows];
        for (var c = 1; c < k; c++)
        {
            RunningSum(closest, cumulative);
            var potential = cumulative[^1];
            var rows = new int[localTrials];
            for (var t = 0; t < localTrials; t++)
            {
                rows[t] = FirstAbove(cumulative, random.NextDouble() * potential);
                var candidate = candidates.AsSpan(t * columns, columns);
                points.CopyRow(rows[t], candidate);
                candidateNorms[t] = TensorPrimitives.Dot(candidate, candidate);
            }
            // Each candidate's potential Σ min(D², d²(x, candidate)), block by block so the distances stay in L1.
            Array.Clear(potentials);
            for (var start = 0; start < n; start += BlockRows)
            {
                var length = Math.Min(BlockRows, n - start);
                var d = block[..length];
                var known = closest.AsSpan(start, length);
                for (var t = 0; t < localTrials; t++)
                {
                    points.SquaredDistances(candidates.AsSpan(t * columns, columns), candidateNorms[t], start, d);
                    TensorPrimitives.Min(d, known, d);
                    potentials[t] += TensorPrimitives.Sum<double>(d);
                }
            }
            var best = 0;
            for (var t = 1; t < localTrials; t++)
                if (potentials[t] < potentials[best])
                    best = t;
            chosen[c] = rows[best];
            for (var start = 0; start < n; start += BlockRows)
            {
                var length = Math.Min(BlockRows, n - start);
                var d = block[..length];
                var known = closest.AsSpan(start, length);
                points.SquaredDistances(candidates.AsSpan(best * columns, columns), candidateNorms[best], start, d);
                TensorPrimitives.Min(d, known, known);
            }
        }
        return chosen;
    }

    private static double[] SeedPlusPlus(PointMatrix points, int k, int localTrials, Random random)
    {
        var rows = SeedPlusPlusIndices(points, k, localTrials, random);
        var centres = new double[k * points.Columns];
        for (var j = 0; j < k; j++)
            points.CopyRow(rows[j], centres.AsSpan(j * points.Columns, points.Columns));
        return centres;
    }

    /// <summary>Running sums in row order (the order fixes the rounding, so a seed gives the same draws everywhere).</summary>
    private static void RunningSum(ReadOnlySpan<double> values, Span<double> destination)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[i];
            destination[i] = sum;
        }
    }

    /// <summary>The first index whose running sum exceeds <paramref name="draw"/>; the last index when rounding leaves none.</summary>
    internal static int FirstAbove(ReadOnlySpan<double> cumulative, double draw)
    {
        int low = 0, high = cumulative.Length - 1;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (cumulative[middle] > draw) high = middle;
            else low = middle + 1;
        }
        return low;
    }

    private sealed record Run(double[] Centroids, int[] Labels, double Inertia, int Iterations, bool Converged, double[] Trace);

    /// <summary>Lloyd steps from <paramref name="centroids"/> (changed in place) until the stopping rule or the step limit.</summary>
    private static Run Lloyd(PointMatrix points, double[] centroids, int k, int maxIterations, double tolerance)
    {
        var n = points.Rows;
        var columns = points.Columns;
        var labels = new int[n];
        var previous = new int[n];
        var distances = new double[n];
        var sums = new double[k * columns];
        var counts = new int[k];
        var trace = new List<double>();
        var converged = false;
        var strict = false;
        var iterations = 0;
        for (var step = 0; step < maxIterations; step++)
        {
            iterations++;
            Assign(points, centroids, k, CentroidNorms(centroids, k, columns), labels, distances);
            var (shift, inertia) = Update(points, labels, distances, centroids, sums, counts, k);
            trace.Add(inertia);
            if (step > 0 && labels.AsSpan().SequenceEqual(previous))
            {
                converged = strict = true;
                break;
            }
            if (shift <= tolerance)
            {
                converged = true;
                break;
            }
            labels.AsSpan().CopyTo(previous);
        }
        if (!strict)
            Assign(points, centroids, k, CentroidNorms(centroids, k, columns), labels, distances);
        var final = Inertia(points, centroids, labels);
        trace.Add(final);
        return new Run(centroids, labels, final, iterations, converged, [.. trace]);
    }

    /// <summary>
    /// The update step: each centroid becomes the mean of its rows (sums in row order); an empty cluster takes the row
    /// farthest from its own centroid. Returns the summed squared shift of the centroids, and the inertia of the labels
    /// against the centroids they were assigned to, Σ(x − c)² computed directly in the same pass as the sums.
    /// </summary>
    private static (double Shift, double Inertia) Update(PointMatrix points, int[] labels, double[] distances, double[] centroids, double[] sums, int[] counts, int k)
    {
        var n = points.Rows;
        var columns = points.Columns;
        Array.Clear(sums);
        Array.Clear(counts);
        foreach (var l in labels)
            counts[l]++;
        var inertia = 0.0;
        for (var c = 0; c < columns; c++)
        {
            var column = points.Column(c);
            for (var i = 0; i < n; i++)
            {
                var at = labels[i] * columns + c;
                var x = column[i];
                var diff = x - centroids[at];
                inertia += diff * diff;
                sums[at] += x;
            }
        }
        for (var j = 0; j < k; j++)
        {
            if (counts[j] > 0)
                continue;
            // Relocation: the row farthest from its centroid, from a cluster that keeps at least one row.
            var far = -1;
            for (var i = 0; i < n; i++)
                if (counts[labels[i]] > 1 && (far < 0 || distances[i] > distances[far]))
                    far = i;
            if (far < 0)
                break; // every cluster holds one row: nothing can move (cannot happen with k ≤ distinct rows)
            var from = labels[far];
            for (var c = 0; c < columns; c++)
            {
                var x = points.At(far, c);
                sums[from * columns + c] -= x;
                sums[j * columns + c] = x;
            }
            counts[from]--;
            counts[j] = 1;
            labels[far] = j;
            distances[far] = 0;
        }
        var shift = 0.0;
        for (var j = 0; j < k; j++)
        {
            if (counts[j] == 0)
                continue;
            for (var c = 0; c < columns; c++)
            {
                var updated = sums[j * columns + c] / counts[j];
                var delta = updated - centroids[j * columns + c];
                shift += delta * delta;
                centroids[j * columns + c] = updated;
            }
        }
        return (shift, inertia);
    }

    /// <summary>Mean over columns of the population variance (scikit-learn scales its tolerance by it).</summary>
    private static double MeanVariance(PointMatrix points)
    {
        var total = 0.0;
        for (var c = 0; c < points.Columns; c++)
        {
            var column = points.Column(c);
            var mean = TensorPrimitives.Sum(column) / column.Length;
            var squares = 0.0;
            foreach (var x in column)
                squares += (x - mean) * (x - mean);
            total += squares / column.Length;
        }
        return total / points.Columns;
    }

    /// <summary>
    /// Distinct rows, counting only up to <paramref name="enough"/> (the question is whether there are at least k): each
    /// row is compared with the distinct ones found so far, so the scan usually stops within the first few rows and
    /// never allocates more than k row offsets.
    /// </summary>
    private static int CountDistinctRows(ReadOnlySpan<double> rowMajor, int columns, int enough)
    {
        var rows = rowMajor.Length / columns;
        var distinct = new int[enough];
        var count = 0;
        for (var r = 0; r < rows && count < enough; r++)
        {
            var row = rowMajor.Slice(r * columns, columns);
            var seen = false;
            for (var i = 0; i < count && !seen; i++)
                seen = row.SequenceEqual(rowMajor.Slice(distinct[i] * columns, columns));
            if (!seen)
                distinct[count++] = r;
        }
        return count;
    }

    /// <summary>
    /// The mean silhouette of <paramref name="labels"/> over a seeded sample of at most <paramref name="sample"/> rows (all
    /// rows, in order, when there are no more): for each sampled row, a = mean distance to the other sampled rows of its
    /// cluster, b = the least mean distance to the sampled rows of another cluster, s = (b − a) / max(a, b), and 0 for a
    /// row alone in its cluster (Rousseeuw 1987; scikit-learn's <c>silhouette_score</c>). Distances are Euclidean, from
    /// the norm expansion like scikit-learn's. NaN when the sample holds fewer than two clusters.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree or a label is outside [0, k).</exception>
    public static double Silhouette(ReadOnlySpan<double> rowMajor, int columns, ReadOnlySpan<int> labels, int k, int sample = 5000, int seed = 0, int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sample);
        var rows = rowMajor.Length / columns;
        if (rowMajor.Length != rows * columns || labels.Length != rows)
            ExaniaThrow.LengthMismatch(nameof(labels), rows, labels.Length);
        foreach (var l in labels)
            if ((uint)l >= (uint)k)
                ExaniaThrow.ArgumentOutOfRange(nameof(labels), l, $"Labels must be in [0, {k}).");
        var picked = SampleRows(rows, sample, seed);
        var m = picked.Length;
        var subset = new double[m * columns];
        var subsetLabels = new int[m];
        for (var i = 0; i < m; i++)
        {
            rowMajor.Slice(picked[i] * columns, columns).CopyTo(subset.AsSpan(i * columns, columns));
            subsetLabels[i] = labels[picked[i]];
        }
        var sizes = new int[k];
        foreach (var l in subsetLabels)
            sizes[l]++;
        var present = 0;
        foreach (var s in sizes)
            if (s > 0) present++;
        if (present < 2)
            return double.NaN;
        var points = new PointMatrix(subset, columns);
        var scores = new double[m];
        Parallel.For(0, m, Parallelism.Options(threads),
            () => (Distances: new double[m], Sums: new double[k]),
            (i, _, scratch) =>
            {
                var own = subsetLabels[i];
                if (sizes[own] == 1)
                    return scratch; // a row alone in its cluster scores 0
                var row = subset.AsSpan(i * columns, columns);
                points.SquaredDistances(row, points.Norms[i], 0, scratch.Distances);
                scratch.Distances[i] = 0;
                TensorPrimitives.Sqrt(scratch.Distances, scratch.Distances);
                Array.Clear(scratch.Sums);
                for (var j = 0; j < m; j++)
                    scratch.Sums[subsetLabels[j]] += scratch.Distances[j];
                var a = scratch.Sums[own] / (sizes[own] - 1);
                var b = double.PositiveInfinity;
                for (var c = 0; c < k; c++)
                    if (c != own && sizes[c] > 0)
                        b = Math.Min(b, scratch.Sums[c] / sizes[c]);
                var denominator = Math.Max(a, b);
                scores[i] = denominator > 0 ? (b - a) / denominator : 0;
                return scratch;
            },
            _ => { });
        // Summed in row order, so the score does not depend on the thread count.
        var total = 0.0;
        foreach (var s in scores)
            total += s;
        return total / m;
    }

    /// <summary>All rows in order when <paramref name="sample"/> covers them, else a seeded partial Fisher-Yates draw.</summary>
    internal static int[] SampleRows(int rows, int sample, int seed)
    {
        var all = new int[rows];
        for (var i = 0; i < rows; i++)
            all[i] = i;
        if (sample >= rows)
            return all;
        var random = new Random(seed);
        for (var i = 0; i < sample; i++)
        {
            var j = i + random.Next(rows - i);
            (all[i], all[j]) = (all[j], all[i]);
        }
        return all[..sample];
    }
}
