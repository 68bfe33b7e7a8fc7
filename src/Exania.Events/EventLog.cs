using System.Runtime.CompilerServices;
namespace Exania.Events;

/// <summary>
/// Optional attributes of an event. Strings are pool ids (-1 when absent); numbers are NaN when absent.
/// </summary>
public struct EventAttributes
{
    /// <summary>Fraction of the page scrolled, 0..1; NaN when absent.</summary>
    public double ScrollDepth;
    /// <summary>Ad cost attributed to the event; NaN when absent.</summary>
    public double Cost;
    /// <summary>Revenue attributed to the event; NaN when absent.</summary>
    public double Revenue;
    public int Page;
    public int Category;
    public int Campaign;
    public int AdType;
    public int Placement;
    public int Item;

    /// <summary>No optional attribute present.</summary>
    public static EventAttributes None => new()
    {
        ScrollDepth = double.NaN,
        Cost = double.NaN,
        Revenue = double.NaN,
        Page = -1,
        Category = -1,
        Campaign = -1,
        AdType = -1,
        Placement = -1,
        Item = -1,
    };
}

/// <summary>One event with its strings resolved; a convenience view of a row of an <see cref="EventLog"/>.</summary>
public readonly record struct InteractionEvent(
    string UserId,
    string? SessionId,
    double Timestamp,
    string Action,
    double ScrollDepth = double.NaN,
    string? Page = null,
    string? Category = null,
    string? CampaignId = null,
    string? AdType = null,
    string? Placement = null,
    double Cost = double.NaN,
    double Revenue = double.NaN,
    string? ItemId = null);

/// <summary>
/// The event model: an append-only, columnar table of events. Timestamps are epoch seconds (double);
/// string columns are interned in per-column <see cref="StringPool"/>s so that a row costs about 70 bytes
/// whatever its strings, and feature code reads plain arrays.
/// </summary>
/// <remarks>
/// Rows keep file order. <see cref="SessionIndex"/> gives the per-session, time-sorted view that extraction needs.
/// A session id of -1 means "absent": <see cref="Sessionizer"/> assigns one from the inactivity gap.
/// </remarks>
public sealed class EventLog
{
    private int _count;
    private int[] _user = new int[16];
    private int[] _session = new int[16];
    private double[] _timestamp = new double[16];
    private int[] _action = new int[16];
    private EventAttributes[] _attributes = new EventAttributes[16];

    public EventLog()
    {
        Users = new();
        Sessions = new();
        Actions = new();
        Pages = new();
        Categories = new();
        Campaigns = new();
        AdTypes = new();
        Placements = new();
        Items = new();
    }

    /// <summary>An empty log over the pools of <paramref name="pools"/> (<see cref="Select"/>).</summary>
    private EventLog(EventLog pools)
    {
        Users = pools.Users;
        Sessions = pools.Sessions;
        Actions = pools.Actions;
        Pages = pools.Pages;
        Categories = pools.Categories;
        Campaigns = pools.Campaigns;
        AdTypes = pools.AdTypes;
        Placements = pools.Placements;
        Items = pools.Items;
        _sharesPools = true;
    }

    // A Select result must not clear the pools it shares with its source.
    private readonly bool _sharesPools;

    public StringPool Users { get; }
    public StringPool Sessions { get; }
    public ActionVocabulary Actions { get; }
    public StringPool Pages { get; }
    public StringPool Categories { get; }
    public StringPool Campaigns { get; }
    public StringPool AdTypes { get; }
    public StringPool Placements { get; }
    public StringPool Items { get; }

    /// <summary>Number of events.</summary>
    public int Count => _count;

    public ReadOnlySpan<int> UserIds => _user.AsSpan(0, _count);
    public ReadOnlySpan<int> SessionIds => _session.AsSpan(0, _count);
    public ReadOnlySpan<double> Timestamps => _timestamp.AsSpan(0, _count);
    public ReadOnlySpan<int> ActionCodes => _action.AsSpan(0, _count);
    public ReadOnlySpan<EventAttributes> Attributes => _attributes.AsSpan(0, _count);

    /// <summary>Appends an event given as pool ids; returns its row index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Append(int user, int session, double timestamp, int action, in EventAttributes attributes)
    {
        if (_count == _user.Length)
            Grow();
        var i = _count++;
        _user[i] = user;
        _session[i] = session;
        _timestamp[i] = timestamp;
        _action[i] = action;
        _attributes[i] = attributes;
        return i;
    }

    /// <summary>Removes the last row (its strings stay in the pools).</summary>
    public void RemoveLast()
    {
        if (_count == 0)
            throw new InvalidOperationException("The log is empty.");
        _count--;
    }

    /// <summary>Drops the rows from <paramref name="count"/> on (their strings stay in the pools).</summary>
    public void Truncate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _count);
        _count = count;
    }

    /// <summary>
    /// Appends the rows of <paramref name="other"/> in order, its strings re-interned here: the result is the log that
    /// reading <paramref name="other"/>'s rows after this log's would have built, pool ids included.
    /// </summary>
    public void AppendFrom(EventLog other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var users = Users.AddAll(other.Users);
        var sessions = Sessions.AddAll(other.Sessions);
        var actions = Actions.AddAll(other.Actions);
        var pages = Pages.AddAll(other.Pages);
        var categories = Categories.AddAll(other.Categories);
        var campaigns = Campaigns.AddAll(other.Campaigns);
        var adTypes = AdTypes.AddAll(other.AdTypes);
        var placements = Placements.AddAll(other.Placements);
        var items = Items.AddAll(other.Items);
        EnsureCapacity((int)Math.Min((long)_count + other._count, Array.MaxLength));
        for (var i = 0; i < other._count; i++)
        {
            var a = other._attributes[i];
            a.Page = Map(pages, a.Page);
            a.Category = Map(categories, a.Category);
            a.Campaign = Map(campaigns, a.Campaign);
            a.AdType = Map(adTypes, a.AdType);
            a.Placement = Map(placements, a.Placement);
            a.Item = Map(items, a.Item);
            Append(users[other._user[i]], Map(sessions, other._session[i]), other._timestamp[i], actions[other._action[i]], a);
        }

        static int Map(int[] ids, int id) => id < 0 ? -1 : ids[id];
    }

    /// <summary>
    /// A new log holding the rows listed, in that order, that <b>shares this log's pools</b>: every pool id (user,
    /// session, action, page...) means the same string in both, and no string is copied, so a filter (the dashboard's
    /// date range, segment, campaign) hands the library engines a smaller log at the cost of its rows alone. A string
    /// appended to either log is added to the shared pools; the ids already given never change.
    /// </summary>
    public EventLog Select(ReadOnlySpan<int> rows)
    {
        var result = new EventLog(this);
        result.EnsureCapacity(Math.Max(rows.Length, 16));
        foreach (var r in rows)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)r, (uint)_count, nameof(rows));
            result.Append(_user[r], _session[r], _timestamp[r], _action[r], _attributes[r]);
        }
        return result;
    }

    /// <summary>
    /// Empties the log and its pools, keeping the columns' memory: a streaming reader processes a chunk of sessions,
    /// clears the log and reads the next chunk into the same arrays.
    /// </summary>
    /// <exception cref="InvalidOperationException">The log shares its pools with another (<see cref="Select"/>).</exception>
    public void Clear()
    {
        if (_sharesPools)
            throw new InvalidOperationException("This log shares its pools with the log it was selected from; clearing them would clear that log's strings.");
        _count = 0;
        foreach (var pool in new[] { Users, Sessions, Pages, Categories, Campaigns, AdTypes, Placements, Items })
            pool.Clear();
        Actions.Reset();
    }

    /// <summary>Appends an event given as strings (interning them); returns its row index.</summary>
    public int Append(in InteractionEvent e)
    {
        var attributes = new EventAttributes
        {
            ScrollDepth = e.ScrollDepth,
            Cost = e.Cost,
            Revenue = e.Revenue,
            Page = e.Page is null ? -1 : Pages.GetOrAdd(e.Page),
            Category = e.Category is null ? -1 : Categories.GetOrAdd(e.Category),
            Campaign = e.CampaignId is null ? -1 : Campaigns.GetOrAdd(e.CampaignId),
            AdType = e.AdType is null ? -1 : AdTypes.GetOrAdd(e.AdType),
            Placement = e.Placement is null ? -1 : Placements.GetOrAdd(e.Placement),
            Item = e.ItemId is null ? -1 : Items.GetOrAdd(e.ItemId),
        };
        return Append(Users.GetOrAdd(e.UserId), e.SessionId is null ? -1 : Sessions.GetOrAdd(e.SessionId),
            e.Timestamp, Actions.GetOrAdd(e.Action), attributes);
    }

    /// <summary>Row <paramref name="index"/> with its strings resolved.</summary>
    public InteractionEvent this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            ref readonly var a = ref _attributes[index];
            return new InteractionEvent(
                Users[_user[index]],
                Sessions.ValueOrNull(_session[index]),
                _timestamp[index],
                Actions[_action[index]],
                a.ScrollDepth,
                Pages.ValueOrNull(a.Page),
                Categories.ValueOrNull(a.Category),
                Campaigns.ValueOrNull(a.Campaign),
                AdTypes.ValueOrNull(a.AdType),
                Placements.ValueOrNull(a.Placement),
                a.Cost,
                a.Revenue,
                Items.ValueOrNull(a.Item));
        }
    }

    /// <summary>Sets the session id of row <paramref name="index"/> (used by <see cref="Sessionizer"/>).</summary>
    public void SetSession(int index, int session)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        _session[index] = session;
    }

    /// <summary>True when some row has no session id.</summary>
    public bool HasMissingSessions => _session.AsSpan(0, _count).Contains(-1);

    /// <summary>
    /// Makes room for <paramref name="capacity"/> events in one allocation per column, so a reader that can estimate
    /// the rows of a file does not double (and copy) its columns some twenty times on the way.
    /// </summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity > _user.Length)
            Resize(Math.Min(capacity, Array.MaxLength));
    }

    private void Grow() => Resize((int)Math.Min((long)_user.Length * 2, Array.MaxLength));

    private void Resize(int n)
    {
        Array.Resize(ref _user, n);
        Array.Resize(ref _session, n);
        Array.Resize(ref _timestamp, n);
        Array.Resize(ref _action, n);
        Array.Resize(ref _attributes, n);
    }
}
