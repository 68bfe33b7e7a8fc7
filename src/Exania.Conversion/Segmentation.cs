using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Serialization;
using Exania.Campaigns;
using Exania.Core;
using Exania.Learning;

namespace Exania.Conversion;

/// <summary>Where segmentation rows come from: users of an event log, or the rows of a plain table.</summary>
public enum SegmentSource
{
    /// <summary>One row per user (<see cref="UserFeatures"/>); profiles carry conversion and drop-off rates.</summary>
    Events,

    /// <summary>One row per table row, from named numeric columns.</summary>
    Table,
}

/// <summary>Options of <see cref="Segmentation.Fit"/>. Defaults live here, once; <see cref="Validate"/> names a bad field.</summary>
public sealed record SegmentationOptions
{
    public static SegmentationOptions Default { get; } = new();

    /// <summary>Number of segments; with <see cref="MaxK"/>, the least k of the range tried.</summary>
    public int K { get; init; } = 4;

    /// <summary>When set, every k in [<see cref="K"/>, MaxK] is fitted and the best mean silhouette wins (ties to the smaller k).</summary>
    public int? MaxK { get; init; }

    /// <summary>The k-means settings (restarts, steps, tolerance, seed, threads); its <c>K</c> is set per fit.</summary>
    public KMeansOptions KMeans { get; init; } = KMeansOptions.Default;

    /// <summary>Rows of the seeded sample the silhouette is computed on (all rows when there are no more).</summary>
    public int SilhouetteSample { get; init; } = 5000;

    public const int MaxSilhouetteSample = 100_000;

    /// <exception cref="ArgumentOutOfRangeException">A field is out of range; the message names it, its value and the range.</exception>
    public SegmentationOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(KMeans);
        if (K is < 1 or > KMeansOptions.MaxK)
            ExaniaThrow.OptionOutOfRange(nameof(SegmentationOptions), nameof(K), K, $"must be in [1, {KMeansOptions.MaxK}]");
        if (MaxK is { } max && (K < 2 || max < K || max > KMeansOptions.MaxK))
            ExaniaThrow.OptionOutOfRange(nameof(SegmentationOptions), nameof(K), $"{K}..{max}",
                $"must be a range a..b with 2 ≤ a ≤ b ≤ {KMeansOptions.MaxK} (the silhouette needs two segments)");
        if (SilhouetteSample is < 2 or > MaxSilhouetteSample)
            ExaniaThrow.OptionOutOfRange(nameof(SegmentationOptions), nameof(SilhouetteSample), SilhouetteSample, $"must be in [2, {MaxSilhouetteSample}]");
        (KMeans with { K = K }).Validate();
        return this;
    }
}

/// <summary>
/// The rows to segment: raw feature values (before any transform), which rows of the input they are, and, for users,
/// the session counts the profiles turn into conversion and drop-off rates.
/// </summary>
public sealed class SegmentData
{
    private SegmentData(SegmentSource source, IReadOnlyList<string> featureNames, bool[] log1p, double[] values, string[] rowIds,
        int inputRows, int skippedMissing, UserFeatureTable? users)
    {
        Source = source;
        FeatureNames = featureNames;
        Log1p = log1p;
        Values = values;
        RowIds = rowIds;
        InputRows = inputRows;
        SkippedMissing = skippedMissing;
        Users = users;
    }

    public SegmentSource Source { get; }

    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Per feature, whether log(1 + x) is taken before standardizing.</summary>
    public IReadOnlyList<bool> Log1p { get; }

    /// <summary>Row-major raw values, <see cref="Rows"/> × features; every value finite.</summary>
    public double[] Values { get; }

    /// <summary>Each row's id: the user id, or the table's 1-based data row number.</summary>
    public string[] RowIds { get; }

    public int Rows => RowIds.Length;

    /// <summary>Rows of the input, kept or skipped.</summary>
    public int InputRows { get; }

    /// <summary>Table rows skipped because a used column was missing (empty or a missing token) in them.</summary>
    public int SkippedMissing { get; }

    /// <summary>The users' features and session counts when <see cref="Source"/> is <see cref="SegmentSource.Events"/>.</summary>
    public UserFeatureTable? Users { get; }

    /// <summary>The rows of a user feature table (log1p on the features it flags).</summary>
    public static SegmentData FromUsers(UserFeatureTable users)
    {
        ArgumentNullException.ThrowIfNull(users);
        return new SegmentData(SegmentSource.Events, users.FeatureNames, [.. users.Log1p], users.Values, users.UserIds, users.Rows, 0, users);
    }

    /// <summary>
    /// The named numeric <paramref name="columns"/> of <paramref name="table"/> (every numeric column when null). A row
    /// with a missing value in a used column is skipped and counted, as the scikit-learn peer drops it.
    /// </summary>
    /// <exception cref="ArgumentException">No columns, an unknown or repeated column, a text column, or no row left.</exception>
    public static SegmentData FromTable(CampaignTable table, IReadOnlyList<string>? columns, bool log1p)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Columns.Count == 0 || table.Rows == 0)
            ExaniaThrow.Argument("The table holds no rows to segment.", nameof(table));
        var names = columns ?? table.Columns.Where(c => c.IsNumeric).Select(c => c.Name).ToList();
        if (names.Count == 0)
            ExaniaThrow.Argument($"The table has no numeric column; its columns are {string.Join(", ", table.Columns.Select(c => c.Name))}.", "Columns");
        if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            ExaniaThrow.Argument($"Column '{twice.Key}' is named twice.", "Columns");
        var data = new double[names.Count][];
        for (var c = 0; c < names.Count; c++)
        {
            var column = table.Find(names[c]);
            if (column is null)
                ExaniaThrow.Argument($"Column '{names[c]}' is not in the table; its columns are {string.Join(", ", table.Columns.Select(x => x.Name))}.", "Columns");
            if (column.Numbers is null)
            {
                var row = Array.FindIndex(column.Texts!, t => t is not null && !double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
                ExaniaThrow.Argument($"Column '{names[c]}' is not numeric: data row {row + 1} holds '{column.Texts![row]}'.", "Columns");
            }
            data[c] = column.Numbers;
        }
        var kept = new List<int>(table.Rows);
        for (var r = 0; r < table.Rows; r++)
        {
            var complete = true;
            for (var c = 0; c < data.Length && complete; c++)
                complete = !double.IsNaN(data[c][r]);
            if (complete)
                kept.Add(r);
        }
        if (kept.Count == 0)
            ExaniaThrow.Argument($"Every one of the {table.Rows} rows has a missing value in {string.Join(", ", names)}; no row is left to segment.", "Columns");
        var values = new double[kept.Count * names.Count];
        var ids = new string[kept.Count];
        for (var i = 0; i < kept.Count; i++)
        {
            for (var c = 0; c < names.Count; c++)
                values[i * names.Count + c] = data[c][kept[i]];
            ids[i] = (kept[i] + 1).ToString(CultureInfo.InvariantCulture);
        }
        var flags = new bool[names.Count];
        Array.Fill(flags, log1p);
        return new SegmentData(SegmentSource.Table, [.. names], flags, values, ids, table.Rows, table.Rows - kept.Count, null);
    }

    /// <summary>The position of feature <paramref name="name"/>, or -1.</summary>
    internal int FeatureIndex(string name)
    {
        for (var f = 0; f < FeatureNames.Count; f++)
            if (string.Equals(FeatureNames[f], name, StringComparison.Ordinal))
                return f;
        return -1;
    }

    /// <summary>
    /// The values of <paramref name="features"/> (a subset of this data's, by name) after log(1 + x) where
    /// <paramref name="log1p"/> says, row-major.
    /// </summary>
    /// <exception cref="ArgumentException">A feature is absent, or a value to log-transform is negative.</exception>
    public double[] Transformed(IReadOnlyList<string> features, IReadOnlyList<bool> log1p)
    {
        var width = FeatureNames.Count;
        var index = new int[features.Count];
        for (var f = 0; f < features.Count; f++)
        {
            index[f] = FeatureIndex(features[f]);
            if (index[f] < 0)
                ExaniaThrow.Argument($"The data has no feature '{features[f]}'; it has {string.Join(", ", FeatureNames)}.", "Columns");
        }
        var result = new double[Rows * features.Count];
        for (var r = 0; r < Rows; r++)
        {
            for (var f = 0; f < features.Count; f++)
            {
                var x = Values[r * width + index[f]];
                if (log1p[f])
                {
                    if (x < 0)
                        ExaniaThrow.Argument($"Feature '{features[f]}' is {x.ToString(CultureInfo.InvariantCulture)} in row {RowIds[r]}; log1p needs values of at least 0.", "Log1p");
                    x = Math.Log(1 + x);
                }
                result[r * features.Count + f] = x;
            }
        }
        return result;
    }
}

/// <summary>One feature of a segment's profile.</summary>
public sealed record SegmentFeature
{
    public required string Name { get; init; }

    /// <summary>The segment's mean, in the input's units (before log1p).</summary>
    public required double Mean { get; init; }

    /// <summary>The mean over all segmented rows.</summary>
    public required double PopulationMean { get; init; }

    /// <summary>Mean ÷ population mean; null when the population mean is 0.</summary>
    public double? Ratio { get; init; }

    /// <summary>
    /// The segment's mean of the standardized (and log1p-transformed, where flagged) feature: how many population standard
    /// deviations it sits above (positive) or below the population.
    /// </summary>
    public required double ZDifference { get; init; }
}

/// <summary>One segment: its size, name and how it differs from the population.</summary>
public sealed record SegmentProfile
{
    public required int Segment { get; init; }

    /// <summary>The descriptive name (see <see cref="Segmentation"/> for the rules).</summary>
    public required string Name { get; init; }

    public required int Size { get; init; }

    /// <summary>Size ÷ rows segmented.</summary>
    public required double Share { get; init; }

    public required IReadOnlyList<SegmentFeature> Features { get; init; }

    /// <summary>Events only: sessions with a conversion ÷ sessions of the segment's users.</summary>
    public double? ConversionRate { get; init; }

    /// <summary>Events only: sessions that clicked and did not convert ÷ sessions that clicked (NaN when none clicked).</summary>
    public double? DropoffRate { get; init; }

    /// <summary>Events only: users with at least one conversion ÷ users.</summary>
    public double? BuyerShare { get; init; }
}

/// <summary>One k tried: its inertia and mean silhouette.</summary>
public sealed record SegmentCandidate
{
    public required int K { get; init; }

    public required double Inertia { get; init; }

    /// <summary>Mean silhouette on the seeded sample; NaN for k = 1.</summary>
    public required double Silhouette { get; init; }

    public required int Iterations { get; init; }
}

/// <summary>What a segmentation found: the k chosen, the fit, and the profile of every segment.</summary>
public sealed record SegmentReport
{
    public required SegmentSource Source { get; init; }

    public required int InputRows { get; init; }

    /// <summary>Rows segmented.</summary>
    public required int Rows { get; init; }

    /// <summary>Table rows skipped for a missing value in a used column.</summary>
    public required int RowsSkippedMissing { get; init; }

    public required IReadOnlyList<string> Features { get; init; }

    /// <summary>The features taken as log(1 + x) before standardizing.</summary>
    public required IReadOnlyList<string> Log1pFeatures { get; init; }

    /// <summary>Events only: user features left out because every user has the same value (they cannot separate anyone).</summary>
    public required IReadOnlyList<string> DroppedConstantFeatures { get; init; }

    public required int K { get; init; }

    /// <summary><c>fixed</c> (one k asked for) or <c>silhouette</c> (the best of a range).</summary>
    public required string KChosenBy { get; init; }

    public required IReadOnlyList<SegmentCandidate> Candidates { get; init; }

    public required double Inertia { get; init; }

    public required int Iterations { get; init; }

    public required bool Converged { get; init; }

    public required double Silhouette { get; init; }

    public required int SilhouetteSample { get; init; }

    public required int Seed { get; init; }

    public required int Restarts { get; init; }

    /// <summary>Events only: the population's conversion rate (sessions with a conversion ÷ sessions).</summary>
    public double? ConversionRate { get; init; }

    /// <summary>Events only: the population's drop-off rate (sessions that clicked without converting ÷ sessions that clicked).</summary>
    public double? DropoffRate { get; init; }

    /// <summary>Events only: users with at least one conversion ÷ users.</summary>
    public double? BuyerShare { get; init; }

    /// <summary>Seconds to transform, fit every k and compute the silhouettes.</summary>
    public required double Seconds { get; init; }

    public required IReadOnlyList<SegmentProfile> Segments { get; init; }

    /// <summary>
    /// The standardized features (as clustered) projected on their two leading principal components, for a seeded sample
    /// of rows; null with fewer than two features (or results written before it was recorded).
    /// </summary>
    public SegmentProjection? Projection { get; init; }
}

/// <summary>One projected row: its coordinates on the first two principal components and its segment.</summary>
public sealed record ProjectedRow(double X, double Y, int Segment);

/// <summary>A 2-D PCA projection of the standardized features, for a scatter plot coloured by segment.</summary>
public sealed record SegmentProjection
{
    /// <summary>Rows projected at most (a seeded sample of them when there are more).</summary>
    public const int MaxRows = 2000;

    /// <summary>Each component's share of the total variance of the standardized features.</summary>
    public required IReadOnlyList<double> ExplainedVarianceRatio { get; init; }

    /// <summary>Each component's loading on each of <see cref="SegmentReport.Features"/> (largest |loading| positive).</summary>
    public required IReadOnlyList<IReadOnlyList<double>> Components { get; init; }

    /// <summary>The projected rows, in row order: all of them, or a sample of <see cref="MaxRows"/> drawn with the run's seed.</summary>
    public required IReadOnlyList<ProjectedRow> Rows { get; init; }

    /// <summary>Projects the sample of row-major standardized <paramref name="z"/> with <paramref name="d"/> features.</summary>
    public static SegmentProjection? Of(double[] z, int d, int[] assignments, int seed)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(assignments);
        var rows = assignments.Length;
        if (d < 2 || rows < 3)
            return null;
        var pca = Pca.Fit(z, d, 2);
        // Partial Fisher–Yates over the row indices, then row order: the same rows for the same data and seed.
        var indices = new int[rows];
        for (var i = 0; i < rows; i++)
            indices[i] = i;
        var keep = Math.Min(MaxRows, rows);
        if (keep < rows)
        {
            var random = new SplitMix64(0x9CA0_0000UL ^ (ulong)(uint)seed);
            for (var i = 0; i < keep; i++)
            {
                var j = i + (int)(random.Next() % (ulong)(rows - i));
                (indices[i], indices[j]) = (indices[j], indices[i]);
            }
            Array.Sort(indices, 0, keep);
        }
        var points = new ProjectedRow[keep];
        Span<double> xy = stackalloc double[2];
        for (var i = 0; i < keep; i++)
        {
            var r = indices[i];
            pca.Project(z.AsSpan(r * d, d), xy);
            points[i] = new ProjectedRow(Math.Round(xy[0], 6), Math.Round(xy[1], 6), assignments[r]);
        }
        return new SegmentProjection
        {
            ExplainedVarianceRatio = [.. pca.ExplainedVarianceRatio.Select(v => Math.Round(v, 6))],
            Components = [.. Enumerable.Range(0, 2).Select(c => (IReadOnlyList<double>)[.. pca.Components.AsSpan(c * d, d).ToArray().Select(v => Math.Round(v, 6))])],
            Rows = points,
        };
    }
}

/// <summary>A fitted segmentation: the model, each row's segment and the report.</summary>
public sealed record SegmentationResult(SegmentModel Model, int[] Assignments, SegmentReport Report);

/// <summary>
/// User (or row) segmentation: optional log(1 + x) per feature, standardization (population standard deviation, like
/// scikit-learn's <c>StandardScaler</c>), then <see cref="KMeans"/>; k fixed or chosen by the mean silhouette.
/// </summary>
/// <remarks>
/// <para><b>Names.</b> A feature is <i>high</i> in a segment when its z-difference (<see cref="SegmentFeature.ZDifference"/>) is at
/// least +0.5, <i>low</i> at most −0.5. For a table, a segment is named after its (at most) two features of largest
/// |z-difference| among those high or low, in that order: "high Grocery, high Detergents_Paper"; "average on every
/// feature" when none is. For users, the first rule that holds names it (a feature left out as constant counts as
/// average):</para>
/// <list type="number">
/// <item>conversion_share is high, or half or more of its users converted and at least the population's share of users
/// did: "frequent buyers" if sessions or sessions_per_day is high, else "high-spending buyers" if spend is high, else
/// "drop-off-prone buyers" if dropoff_share is high, else "occasional buyers" if sessions is low, else "buyers";</item>
/// <item>dropoff_share is high: "drop-off-prone browsers";</item>
/// <item>its users average at most 1.25 sessions: "one-time visitors";</item>
/// <item>sessions or sessions_per_day is high: "frequent browsers";</item>
/// <item>interaction_depth or distinct_items is high: "deep browsers";</item>
/// <item>otherwise "casual browsers".</item>
/// </list>
/// <para>Segments whose names coincide get their two most distinguishing features appended, "one-time visitors (high
/// distinct_items, low session_seconds_mean)", and a number if they still coincide.</para>
/// </remarks>
public static class Segmentation
{
    /// <summary>A z-difference at least this large (in absolute value) makes a feature high or low in a segment's name.</summary>
    public const double NotableZ = 0.5;

    /// <summary>Fits the segmentation of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or k exceeds the rows or distinct rows.</exception>
    /// <exception cref="ArgumentException">A table column is constant over the rows used, or every user feature is.</exception>
    public static SegmentationResult Fit(SegmentData data, SegmentationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options = (options ?? SegmentationOptions.Default).Validate();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var maxK = options.MaxK ?? options.K;
        if (options.K > data.Rows)
            ExaniaThrow.OptionOutOfRange(nameof(SegmentationOptions), nameof(SegmentationOptions.K), options.K, $"must be at most the number of rows ({data.Rows})");

        var all = data.Transformed(data.FeatureNames, data.Log1p);
        var features = new List<string>();
        var log1p = new List<bool>();
        var dropped = new List<string>();
        var width = data.FeatureNames.Count;
        for (var f = 0; f < width; f++)
        {
            if (!IsConstant(all, width, f))
            {
                features.Add(data.FeatureNames[f]);
                log1p.Add(data.Log1p[f]);
                continue;
            }
            if (data.Source == SegmentSource.Table)
                ExaniaThrow.Argument($"Column '{data.FeatureNames[f]}' is constant ({all[f].ToString(CultureInfo.InvariantCulture)} in every row used" +
                    (data.Log1p[f] ? " after log1p" : "") + "), so it cannot separate segments; leave it out of the columns.", "Columns");
            dropped.Add(data.FeatureNames[f]);
        }
        if (features.Count == 0)
            ExaniaThrow.Argument($"Every user feature is the same for all {data.Rows} users ({string.Join(", ", dropped)}); there is nothing to segment by.", nameof(data));
        var d = features.Count;
        var transformed = features.Count == width ? all : data.Transformed(features, log1p);
        var (scaler, z) = Standardize(transformed, d);

        var candidates = new List<SegmentCandidate>();
        KMeansResult? best = null;
        var bestSilhouette = double.NaN;
        for (var k = options.K; k <= maxK; k++)
        {
            var fit = KMeans.Fit(z, d, options.KMeans with { K = k });
            var silhouette = k < 2 ? double.NaN
                : KMeans.Silhouette(z, d, fit.Assignments, k, options.SilhouetteSample, options.KMeans.Seed, options.KMeans.Threads);
            candidates.Add(new SegmentCandidate { K = k, Inertia = fit.Inertia, Silhouette = silhouette, Iterations = fit.Iterations });
            // A NaN silhouette (the sample held one segment) never beats a number.
            if (best is null || silhouette > bestSilhouette || (double.IsNaN(bestSilhouette) && !double.IsNaN(silhouette)))
            {
                best = fit;
                bestSilhouette = silhouette;
            }
        }

        var profiles = Profiles(data, features, z, best!);
        var users = data.Users;
        var buyerShare = users is null ? (double?)null : BuyerShare(users, null, 0);
        var names = Names(profiles, data.Source, buyerShare ?? 0);
        for (var s = 0; s < profiles.Length; s++)
            profiles[s] = profiles[s] with { Name = names[s] };
        var report = new SegmentReport
        {
            Source = data.Source,
            InputRows = data.InputRows,
            Rows = data.Rows,
            RowsSkippedMissing = data.SkippedMissing,
            Features = features,
            Log1pFeatures = [.. features.Where((_, f) => log1p[f])],
            DroppedConstantFeatures = dropped,
            K = best!.K,
            KChosenBy = options.MaxK is null ? "fixed" : "silhouette",
            Candidates = candidates,
            Inertia = best.Inertia,
            Iterations = best.Iterations,
            Converged = best.Converged,
            Silhouette = bestSilhouette,
            SilhouetteSample = Math.Min(options.SilhouetteSample, data.Rows),
            Seed = options.KMeans.Seed,
            Restarts = options.KMeans.Restarts,
            ConversionRate = users is null ? null : Rate(users.ConvertingSessions, users.Sessions, null),
            DropoffRate = users is null ? null : Rate(users.DropoffSessions, users.ClickedSessions, null),
            BuyerShare = buyerShare,
            Seconds = Math.Round(watch.Elapsed.TotalSeconds, 4),
            Segments = profiles,
            Projection = SegmentProjection.Of(z, d, best.Assignments, options.KMeans.Seed),
        };
        var model = new SegmentModel(data.Source, [.. features], [.. log1p], scaler, best.Centroids, best.K, names,
            new SegmentModelTraining
            {
                Rows = data.Rows,
                K = best.K,
                Seed = options.KMeans.Seed,
                Restarts = options.KMeans.Restarts,
                Inertia = best.Inertia,
                Silhouette = bestSilhouette,
            })
        {
            ConversionActions = users?.Options.ConversionActions,
            ClickActions = users?.Options.ClickActions,
        };
        return new SegmentationResult(model, best.Assignments, report);
    }

    /// <summary>
    /// Fits a <see cref="Standardizer"/> on row-major <paramref name="transformed"/> (already log1p-transformed where
    /// flagged) and returns it with the standardized copy: the step before k-means, as scikit-learn's StandardScaler.
    /// </summary>
    public static (Standardizer Scaler, double[] Standardized) Standardize(double[] transformed, int columns)
    {
        ArgumentNullException.ThrowIfNull(transformed);
        var scaler = Standardizer.Fit(transformed, columns);
        var z = new double[transformed.Length];
        for (var r = 0; r < transformed.Length / columns; r++)
            scaler.Transform(transformed.AsSpan(r * columns, columns), z.AsSpan(r * columns, columns));
        return (scaler, z);
    }

    private static bool IsConstant(double[] rowMajor, int width, int f)
    {
        var first = rowMajor[f];
        for (var i = f + width; i < rowMajor.Length; i += width)
            if (rowMajor[i] != first)
                return false;
        return true;
    }

    private static SegmentProfile[] Profiles(SegmentData data, List<string> features, double[] z, KMeansResult fit)
    {
        var k = fit.K;
        var d = features.Count;
        var width = data.FeatureNames.Count;
        var column = new int[d];
        for (var f = 0; f < d; f++)
            column[f] = data.FeatureIndex(features[f]);
        var rawSums = new double[k * d];
        var zSums = new double[k * d];
        var population = new double[d];
        for (var r = 0; r < data.Rows; r++)
        {
            var s = fit.Assignments[r];
            for (var f = 0; f < d; f++)
            {
                var x = data.Values[r * width + column[f]];
                rawSums[s * d + f] += x;
                population[f] += x;
            }
            TensorPrimitives.Add(zSums.AsSpan(s * d, d), z.AsSpan(r * d, d), zSums.AsSpan(s * d, d));
        }
        TensorPrimitives.Divide(population, data.Rows, population);
        var users = data.Users;
        var profiles = new SegmentProfile[k];
        for (var s = 0; s < k; s++)
        {
            var size = fit.Sizes[s];
            var profile = new SegmentFeature[d];
            for (var f = 0; f < d; f++)
            {
                var mean = size == 0 ? double.NaN : rawSums[s * d + f] / size;
                profile[f] = new SegmentFeature
                {
                    Name = features[f],
                    Mean = mean,
                    PopulationMean = population[f],
                    Ratio = population[f] == 0 ? null : mean / population[f],
                    ZDifference = size == 0 ? double.NaN : zSums[s * d + f] / size,
                };
            }
            profiles[s] = new SegmentProfile
            {
                Segment = s,
                Name = "",
                Size = size,
                Share = (double)size / data.Rows,
                Features = profile,
                ConversionRate = users is null ? null : Rate(users.ConvertingSessions, users.Sessions, (fit.Assignments, s)),
                DropoffRate = users is null ? null : Rate(users.DropoffSessions, users.ClickedSessions, (fit.Assignments, s)),
                BuyerShare = users is null ? null : BuyerShare(users, fit.Assignments, s),
            };
        }
        return profiles;
    }

    /// <summary>Σ numerator ÷ Σ denominator over the users (of one segment when given); NaN when the denominator is 0.</summary>
    private static double Rate(int[] numerator, int[] denominator, (int[] Assignments, int Segment)? only)
    {
        long top = 0, bottom = 0;
        for (var u = 0; u < numerator.Length; u++)
        {
            if (only is { } o && o.Assignments[u] != o.Segment)
                continue;
            top += numerator[u];
            bottom += denominator[u];
        }
        return bottom == 0 ? double.NaN : (double)top / bottom;
    }

    /// <summary>Users with a conversion ÷ users, of one segment (or of all when <paramref name="assignments"/> is null).</summary>
    private static double BuyerShare(UserFeatureTable users, int[]? assignments, int segment)
    {
        int buyers = 0, size = 0;
        for (var u = 0; u < users.Rows; u++)
        {
            if (assignments is not null && assignments[u] != segment) continue;
            size++;
            if (users.ConvertingSessions[u] > 0) buyers++;
        }
        return size == 0 ? double.NaN : (double)buyers / size;
    }

    /// <summary>The names of the segments by the rules of <see cref="Segmentation"/>, made unique.</summary>
    /// <param name="profiles">The segments.</param>
    /// <param name="source">Events (user rules) or a table (top features).</param>
    /// <param name="populationBuyerShare">Events only: users with a conversion ÷ users, over all segments.</param>
    internal static string[] Names(IReadOnlyList<SegmentProfile> profiles, SegmentSource source, double populationBuyerShare = 0)
    {
        var names = new string[profiles.Count];
        for (var s = 0; s < names.Length; s++)
            names[s] = source == SegmentSource.Events ? UserName(profiles[s], populationBuyerShare) : Describe(profiles[s], 2) ?? "average on every feature";
        for (var s = 0; s < names.Length; s++)
        {
            if (Array.IndexOf(names, names[s]) == s && Array.LastIndexOf(names, names[s]) == s)
                continue;
            var shared = names[s];
            var detail = source == SegmentSource.Events ? 2 : 3;
            for (var t = s; t < names.Length; t++)
            {
                if (names[t] != shared) continue;
                var more = Describe(profiles[t], detail);
                names[t] = source == SegmentSource.Events
                    ? more is null ? shared : $"{shared} ({more})"
                    : more ?? shared;
            }
        }
        // Still equal (the same notable features): number them in segment order.
        var total = names.GroupBy(n => n, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var s = 0; s < names.Length; s++)
        {
            if (total[names[s]] < 2) continue;
            seen[names[s]] = seen.GetValueOrDefault(names[s]) + 1;
            names[s] = $"{names[s]} #{seen[names[s]]}";
        }
        return names;
    }

    /// <summary>"high A, low B": the segment's (at most) <paramref name="count"/> notable features by |z-difference|; null when none is notable.</summary>
    private static string? Describe(SegmentProfile profile, int count)
    {
        var notable = profile.Features
            .Where(f => Math.Abs(f.ZDifference) >= NotableZ)
            .OrderByDescending(f => Math.Abs(f.ZDifference))
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .Take(count)
            .Select(f => (f.ZDifference > 0 ? "high " : "low ") + f.Name)
            .ToList();
        return notable.Count == 0 ? null : string.Join(", ", notable);
    }

    private static string UserName(SegmentProfile profile, double populationBuyerShare)
    {
        // A feature left out as constant counts as average (z = 0).
        double Z(string feature) => profile.Features.FirstOrDefault(f => f.Name == feature)?.ZDifference ?? 0;
        bool High(string feature) => Z(feature) >= NotableZ;
        var sessions = profile.Features.FirstOrDefault(f => f.Name == "sessions")?.Mean ?? 1;
        var frequent = High("sessions") || High("sessions_per_day");
        if (High("conversion_share") || (profile.BuyerShare >= 0.5 && profile.BuyerShare >= populationBuyerShare))
            return frequent ? "frequent buyers"
                : High(UserFeatures.Spend) ? "high-spending buyers"
                : High("dropoff_share") ? "drop-off-prone buyers"
                : Z("sessions") <= -NotableZ ? "occasional buyers"
                : "buyers";
        if (High("dropoff_share"))
            return "drop-off-prone browsers";
        if (sessions <= 1.25)
            return "one-time visitors";
        if (frequent)
            return "frequent browsers";
        if (High("interaction_depth") || High("distinct_items"))
            return "deep browsers";
        return "casual browsers";
    }
}

/// <summary>How a <see cref="SegmentModel"/> was fitted; stored in the model file for provenance.</summary>
public sealed record SegmentModelTraining
{
    public int Rows { get; init; }
    public int K { get; init; }
    public int Seed { get; init; }
    public int Restarts { get; init; }
    public double Inertia { get; init; }
    public double Silhouette { get; init; }
}

/// <summary>
/// A saved segmentation: the transform (log1p flags, standardizer), the centroids and the segment names; assigns new
/// rows or users to the nearest centroid.
/// </summary>
/// <remarks>
/// <para><b>File format</b> (UTF-8 JSON, written atomically; snake_case):</para>
/// <code>
/// { "format": "exania.segment-model", "version": 1,
///   "source": "events" | "table",
///   "feature_names": [d names], "log1p": [d booleans],       // x → log(1 + x) where true, then
///   "scaler": { "means": [d], "scales": [d] },               // z = (x - mean) / scale
///   "centroids": [[d], .. k],  "segment_names": [k names],
///   "conversion_actions": [..], "click_actions": [..],       // events only: how the user features were built
///   "training": { rows, k, seed, restarts, inertia, silhouette } }
/// </code>
/// <para>Doubles are written in shortest round-trip form, so a loaded model assigns exactly as the saved one.</para>
/// </remarks>
public sealed class SegmentModel
{
    public const string Format = ModelFile.SegmentFormat;

    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private readonly double[] _centroids;

    internal SegmentModel(SegmentSource source, string[] featureNames, bool[] log1p, Standardizer scaler, double[] centroids, int k,
        string[] segmentNames, SegmentModelTraining? training)
    {
        Source = source;
        FeatureNames = featureNames;
        Log1p = log1p;
        Scaler = scaler;
        _centroids = centroids;
        K = k;
        SegmentNames = segmentNames;
        Training = training;
    }

    public SegmentSource Source { get; }

    public IReadOnlyList<string> FeatureNames { get; }

    public IReadOnlyList<bool> Log1p { get; }

    public Standardizer Scaler { get; }

    public int K { get; }

    /// <summary>Row-major k × features, in standardized units.</summary>
    public ReadOnlySpan<double> Centroids => _centroids;

    public IReadOnlyList<string> SegmentNames { get; }

    /// <summary>Events only: the conversion actions the user features were built with.</summary>
    public IReadOnlyList<string>? ConversionActions { get; init; }

    /// <summary>Events only: the click actions the user features were built with.</summary>
    public IReadOnlyList<string>? ClickActions { get; init; }

    public SegmentModelTraining? Training { get; }

    /// <summary>The options that rebuild user features the way the model saw them (events models).</summary>
    public UserFeatureOptions UserFeatureOptions => new()
    {
        ConversionActions = ConversionActions ?? UserFeatureOptions.Default.ConversionActions,
        ClickActions = ClickActions ?? UserFeatureOptions.Default.ClickActions,
    };

    /// <summary>The segment of every row of <paramref name="data"/>: log1p and standardize as at fit time, then the nearest centroid.</summary>
    /// <exception cref="ArgumentException">The data lacks a feature of the model, or a value to log-transform is negative.</exception>
    public int[] Assign(SegmentData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var d = FeatureNames.Count;
        var x = data.Transformed(FeatureNames, Log1p);
        for (var r = 0; r < data.Rows; r++)
            Scaler.Transform(x.AsSpan(r * d, d), x.AsSpan(r * d, d));
        return KMeans.Predict(x, d, _centroids, K);
    }

    /// <summary>Serialises the model as format-<see cref="FormatVersion"/> JSON.</summary>
    public string ToJson()
    {
        var d = FeatureNames.Count;
        var centroids = new double[K][];
        for (var j = 0; j < K; j++)
            centroids[j] = _centroids.AsSpan(j * d, d).ToArray();
        return JsonSerializer.Serialize(new ModelJson
        {
            Format = Format,
            Version = FormatVersion,
            Source = Source,
            FeatureNames = [.. FeatureNames],
            Log1p = [.. Log1p],
            Scaler = new ScalerJson { Means = Scaler.Means.ToArray(), Scales = Scaler.Scales.ToArray() },
            Centroids = centroids,
            SegmentNames = [.. SegmentNames],
            ConversionActions = ConversionActions?.ToArray(),
            ClickActions = ClickActions?.ToArray(),
            Training = Training,
        }, s_json);
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>Loads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">Not valid JSON, another format or version, or inconsistent shapes; the message names the file.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static SegmentModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return FromJson(File.ReadAllText(path), path);
    }

    /// <summary>Parses model JSON; <paramref name="source"/> names the origin in error messages.</summary>
    /// <exception cref="ModelFormatException">See <see cref="Load"/>.</exception>
    public static SegmentModel FromJson(string json, string source = "<string>")
    {
        var file = VersionedModelJson.Parse<ModelJson>(json, source, ModelKind.Segment, FormatVersion, s_json);
        var names = file.FeatureNames ?? throw new ModelFormatException(source, "missing \"feature_names\".");
        var log1p = file.Log1p ?? throw new ModelFormatException(source, "missing \"log1p\".");
        var centroids = file.Centroids ?? throw new ModelFormatException(source, "missing \"centroids\".");
        var segmentNames = file.SegmentNames ?? throw new ModelFormatException(source, "missing \"segment_names\".");
        if (file.Source is not { } kind)
            throw new ModelFormatException(source, "missing \"source\".");
        if (names.Length == 0 || names.Any(string.IsNullOrEmpty))
            throw new ModelFormatException(source, "feature_names is empty or holds an empty name.");
        if (log1p.Length != names.Length)
            throw new ModelFormatException(source, $"{log1p.Length} log1p flags for {names.Length} features.");
        if (centroids.Length == 0 || segmentNames.Length != centroids.Length)
            throw new ModelFormatException(source, $"{centroids.Length} centroids and {segmentNames.Length} segment names; there must be one name per centroid, and at least one.");
        var flat = new double[centroids.Length * names.Length];
        for (var j = 0; j < centroids.Length; j++)
        {
            if (centroids[j] is not { } c || c.Length != names.Length || !TensorPrimitives.IsFiniteAll<double>(c))
                throw new ModelFormatException(source, $"centroid {j} is not {names.Length} finite numbers.");
            c.CopyTo(flat, j * names.Length);
        }
        Standardizer scaler;
        try
        {
            scaler = new Standardizer(file.Scaler?.Means ?? [], file.Scaler?.Scales ?? []);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(source, "scaler: " + e.Message, e);
        }
        if (scaler.Columns != names.Length)
            throw new ModelFormatException(source, $"scaler has {scaler.Columns} columns for {names.Length} features.");
        return new SegmentModel(kind, names, log1p, scaler, flat, centroids.Length, segmentNames, file.Training)
        {
            ConversionActions = file.ConversionActions,
            ClickActions = file.ClickActions,
        };
    }

    private sealed class ModelJson
    {
        public string? Format { get; set; }
        public int? Version { get; set; }
        public SegmentSource? Source { get; set; }
        public string[]? FeatureNames { get; set; }
        public bool[]? Log1p { get; set; }
        public ScalerJson? Scaler { get; set; }
        public double[][]? Centroids { get; set; }
        public string[]? SegmentNames { get; set; }
        public string[]? ConversionActions { get; set; }
        public string[]? ClickActions { get; set; }
        public SegmentModelTraining? Training { get; set; }
    }

    private sealed class ScalerJson
    {
        public double[]? Means { get; set; }
        public double[]? Scales { get; set; }
    }
}

/// <summary>Segment assignments as CSV: <c>user_id</c> (or <c>row</c>), <c>segment</c>, <c>segment_name</c>.</summary>
public static class SegmentCsv
{
    /// <summary>Writes one line per row of <paramref name="data"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, SegmentData data, ReadOnlySpan<int> assignments, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(names);
        if (assignments.Length != data.Rows)
            ExaniaThrow.LengthMismatch(nameof(assignments), data.Rows, assignments.Length);
        var segments = assignments.ToArray();
        AtomicFile.WriteText(path, writer =>
        {
            writer.Write(data.Source == SegmentSource.Events ? "user_id" : "row");
            writer.Write(",segment,segment_name\n");
            for (var r = 0; r < segments.Length; r++)
            {
                CsvFieldWriter.WriteField(writer, data.RowIds[r]);
                writer.Write(',');
                writer.Write(segments[r].ToString(CultureInfo.InvariantCulture));
                writer.Write(',');
                CsvFieldWriter.WriteField(writer, names[segments[r]]);
                writer.Write('\n');
            }
        });
    }

    /// <summary>
    /// Reads the <c>user_id → segment_name</c> pairs of an assignments file written by <see cref="Write"/> for events
    /// (what a funnel breaks down by, <see cref="FunnelBreakdown.UserGroups"/>). Ids stay text, exactly as written.
    /// </summary>
    /// <exception cref="DataFormatException">No <c>user_id</c> and <c>segment_name</c> columns, a malformed line, or a user named twice (file and line).</exception>
    public static Dictionary<string, string> ReadUserSegments(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var name = Path.GetFileName(path);
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, true);
        var csv = new CsvTokenizer(reader, ',');
        if (!csv.ReadRow())
            throw new DataFormatException(name, 0, "the file is empty: expected the header user_id,segment,segment_name");
        int user = -1, segment = -1;
        for (var i = 0; i < csv.FieldCount; i++)
        {
            var header = csv.Field(i).Trim().ToString().TrimStart('\uFEFF');
            if (header == "user_id") user = i;
            else if (header == "segment_name") segment = i;
        }
        if (user < 0 || segment < 0)
            throw new DataFormatException(name, 1, "expected user_id and segment_name columns (the segment_assignments.csv of `exania segment --events`)");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (csv.ReadRow())
        {
            if (csv.QuoteProblem is { } problem)
                throw new DataFormatException(name, csv.RowLine, problem);
            if (csv.FieldCount <= Math.Max(user, segment))
                throw new DataFormatException(name, csv.RowLine, $"expected at least {Math.Max(user, segment) + 1} fields, found {csv.FieldCount}");
            var id = csv.Field(user).ToString();
            if (!result.TryAdd(id, csv.Field(segment).ToString()))
                throw new DataFormatException(name, csv.RowLine, $"user '{id}' is assigned twice");
        }
        return result;
    }
}
