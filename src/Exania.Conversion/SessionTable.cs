namespace Exania.Conversion;

/// <summary>
/// One row per session: features of its observed prefix and of the user's earlier sessions, and three labels from
/// the whole session (<see cref="SessionTableBuilder"/> says exactly what each column means).
/// </summary>
public sealed class SessionTable
{
    private readonly double[] _values;

    internal SessionTable(IReadOnlyList<string> featureNames, double[] values, string[] sessionIds, string[] userIds,
        byte[] clicked, byte[] conversion, byte[] dropoff, SessionTableReport report)
    {
        FeatureNames = featureNames;
        _values = values;
        SessionIds = sessionIds;
        UserIds = userIds;
        Clicked = clicked;
        Conversion = conversion;
        Dropoff = dropoff;
        Report = report;
    }

    /// <summary>Feature column names, in row order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    public int Rows => SessionIds.Count;

    public int Width => FeatureNames.Count;

    /// <summary>The features of row <paramref name="r"/>.</summary>
    public ReadOnlySpan<double> Row(int r) => _values.AsSpan(r * Width, Width);

    /// <summary>The value of feature <paramref name="name"/> in row <paramref name="r"/>.</summary>
    /// <exception cref="ArgumentException">No feature has that name.</exception>
    public double Value(int r, string name)
    {
        for (var f = 0; f < FeatureNames.Count; f++)
            if (FeatureNames[f] == name)
                return Row(r)[f];
        throw new ArgumentException($"The session table has no feature '{name}'; its features are {string.Join(", ", FeatureNames)}.", nameof(name));
    }

    public IReadOnlyList<string> SessionIds { get; }

    public IReadOnlyList<string> UserIds { get; }

    /// <summary>1 when the session has a click-like event (in its prefix or after).</summary>
    public IReadOnlyList<byte> Clicked { get; }

    /// <summary>1 when a conversion event follows the prefix.</summary>
    public IReadOnlyList<byte> Conversion { get; }

    /// <summary>1 when the session clicked and did not convert.</summary>
    public IReadOnlyList<byte> Dropoff { get; }

    public SessionTableReport Report { get; }
}

/// <summary>What building a session table did: sessions seen, kept and set aside, and the count of each label.</summary>
public sealed record SessionTableReport
{
    /// <summary>Sessions in the log.</summary>
    public required int Sessions { get; init; }

    /// <summary>Rows of the table: sessions whose prefix holds no conversion.</summary>
    public required int Rows { get; init; }

    /// <summary>
    /// Sessions set aside because a conversion falls inside the prefix: their outcome is already observed, so they
    /// are not a prediction (and would teach the model to read the label off the conversion count).
    /// </summary>
    public required int ConvertedInPrefix { get; init; }

    public required int Conversions { get; init; }

    public required int Clicked { get; init; }

    public required int Dropoffs { get; init; }

    /// <summary>Conversions ÷ rows.</summary>
    public double ConversionRate => Rows == 0 ? double.NaN : (double)Conversions / Rows;

    /// <summary>Drop-offs ÷ sessions that clicked × 100 (the funnel definition of drop-off %).</summary>
    public double DropoffPercent => Clicked == 0 ? double.NaN : 100.0 * Dropoffs / Clicked;

    public required PrefixEnd PrefixEnd { get; init; }

    /// <summary>The prefix length for <see cref="PrefixEnd.Duration"/>; null otherwise.</summary>
    public double? ObserveSeconds { get; init; }

    public required IReadOnlyList<string> ConversionActions { get; init; }

    public required IReadOnlyList<string> ClickActions { get; init; }

    public required int Features { get; init; }
}
