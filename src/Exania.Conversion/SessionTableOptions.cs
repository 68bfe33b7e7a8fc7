using Exania.Core;

namespace Exania.Conversion;

/// <summary>Where the observed prefix of a session ends; features see the prefix, labels what comes after.</summary>
public enum PrefixEnd
{
    /// <summary><see cref="SessionTableOptions.ObserveSeconds"/> after the session's first event (inclusive).</summary>
    Duration,

    /// <summary>At the session's first click-like event (<see cref="SessionTableOptions.ClickActions"/>), inclusive;
    /// the whole session when it has none.</summary>
    FirstClick,
}

/// <summary>Options of the session table. Defaults live here, once; <see cref="Validate"/> names a bad field.</summary>
public sealed record SessionTableOptions
{
    /// <summary>The defaults: a 60-second prefix, conversions buy / purchase / transaction, clicks click / cart / addtocart.</summary>
    public static SessionTableOptions Default { get; } = new();

    public PrefixEnd PrefixEnd { get; init; } = PrefixEnd.Duration;

    /// <summary>Length of the observed prefix for <see cref="PrefixEnd.Duration"/>, in seconds (0 &lt; s ≤ one year).</summary>
    public double ObserveSeconds { get; init; } = 60;

    /// <summary>Action names that are a conversion (e.g. Taobao's <c>buy</c>, REES46's <c>purchase</c>, RetailRocket's <c>transaction</c>).</summary>
    public IReadOnlyList<string> ConversionActions { get; init; } = ["buy", "purchase", "transaction"];

    /// <summary>
    /// Action names that are a click or a cart: a session that has one and does not convert is a drop-off. Taobao's
    /// <c>cart</c>, REES46's <c>cart</c>, RetailRocket's <c>addtocart</c>, and the generator's <c>click</c>.
    /// </summary>
    public IReadOnlyList<string> ClickActions { get; init; } = ["click", "cart", "addtocart", "add_to_cart"];

    /// <summary>Longest prefix accepted: a year, like the other time options.</summary>
    public const double MaxObserveSeconds = 366 * 86_400.0;

    /// <exception cref="ArgumentOutOfRangeException">A field is out of range; the message names it, its value and the range.</exception>
    /// <exception cref="ArgumentException">A list of action names is empty, or one name is in both lists.</exception>
    public SessionTableOptions Validate()
    {
        if (PrefixEnd == PrefixEnd.Duration && !(ObserveSeconds > 0 && ObserveSeconds <= MaxObserveSeconds))
            ExaniaThrow.OptionOutOfRange(nameof(SessionTableOptions), nameof(ObserveSeconds), ObserveSeconds, $"must be in (0, {MaxObserveSeconds:0}] seconds");
        if (ConversionActions.Count == 0 || ConversionActions.Any(string.IsNullOrWhiteSpace))
            ExaniaThrow.Argument("SessionTableOptions.ConversionActions must name at least one action, none of them empty.", nameof(ConversionActions));
        if (ClickActions.Any(string.IsNullOrWhiteSpace))
            ExaniaThrow.Argument("SessionTableOptions.ClickActions must not hold an empty name.", nameof(ClickActions));
        if (ClickActions.Intersect(ConversionActions, StringComparer.Ordinal).FirstOrDefault() is { } both)
            ExaniaThrow.Argument($"SessionTableOptions: action '{both}' is both a conversion and a click; an action is one or the other.", nameof(ClickActions));
        return this;
    }
}
