using Exania.Events;

namespace Exania.Synthetic;

/// <summary>
/// Generates synthetic clickstream sessions: users of six <see cref="ProfileCatalog">profiles</see>, nine
/// <see cref="KnownActions">actions</see> chosen by a state-dependent model, session starts spread over days with a
/// diurnal and weekday profile, and ad clicks that are predictable from the preceding minutes of interaction.
/// </summary>
/// <remarks>
/// Deterministic: session <c>i</c> uses its own <see cref="Random"/> derived from (<see cref="GeneratorOptions.Seed"/>,
/// <c>i</c>), and a user's profile comes from (seed, user), so the first N sessions are the same whether N or N + M
/// are generated, and the same options give a byte-identical CSV. The generator holds no mutable state and is safe to
/// use from several threads.
/// </remarks>
public sealed class InteractionGenerator
{
    /// <summary>Creates a generator; <paramref name="options"/> defaults to <see cref="GeneratorOptions.Defaults"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="GeneratorOptions.Validate"/>).</exception>
    public InteractionGenerator(GeneratorOptions? options = null)
    {
        Options = options ?? GeneratorOptions.Defaults;
        Options.Validate();
    }

    /// <summary>The settings.</summary>
    public GeneratorOptions Options { get; }

    /// <summary>The first <see cref="GeneratorOptions.Sessions"/> sessions.</summary>
    public IEnumerable<GeneratedSession> Sessions() => Stream().Take(Options.Sessions);

    /// <summary>An endless stream of sessions from index <paramref name="first"/> on (use <c>Take</c>/<c>TakeWhile</c>).</summary>
    public IEnumerable<GeneratedSession> Stream(long first = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        for (var i = first; ; i++)
            yield return Session(i);
    }

    /// <summary>The session at position <paramref name="index"/> of the stream.</summary>
    public GeneratedSession Session(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var o = Options;
        var random = SeedMixer.Create(o.Seed, SeedMixer.SessionStream, index);
        // Skewed user choice (density ~ x^(-1/3)): low-numbered users come back often, the tail rarely; with the
        // defaults the busiest user has about 1% of the sessions.
        var user = Math.Min(o.Users - 1, (int)(o.Users * Math.Pow(random.NextDouble(), 1.5)));
        var (profile, favourite) = UserProfileOf(user);
        var traits = profile.SampleTraits(random);
        var startMs = TrafficCalendar.SampleStartMilliseconds(random, o.StartUtc, o.Days);
        var userId = $"u{user + 1:D5}";
        var sessionId = $"s{index + 1:D6}";
        var events = new SessionSimulation(random, o, profile, traits, userId, sessionId, favourite).Run(startMs);
        return new GeneratedSession(index, userId, sessionId, profile, traits, events);
    }

    /// <summary>The profile of user <paramref name="user"/> (0-based): fixed for a seed, drawn by the mix weights.</summary>
    public UserProfile ProfileOfUser(int user) => UserProfileOf(user).Profile;

    /// <summary>Generates <see cref="GeneratorOptions.Sessions"/> sessions into a new log.</summary>
    public EventLog Generate() => Generate(Options.Sessions);

    /// <summary>Generates the first <paramref name="sessions"/> sessions into a new log.</summary>
    public EventLog Generate(int sessions)
    {
        var log = new EventLog();
        AppendTo(log, sessions);
        return log;
    }

    /// <summary>Appends the first <paramref name="sessions"/> sessions to <paramref name="log"/>, session by session.</summary>
    public void AppendTo(EventLog log, int sessions) => AppendTo(log, 0, sessions);

    /// <summary>Appends sessions <paramref name="first"/> .. <paramref name="first"/> + <paramref name="count"/> - 1.</summary>
    /// <remarks>Lets a caller grow a log until it holds enough windows: append a batch, measure, append the next.</remarks>
    public void AppendTo(EventLog log, long first, int count)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        for (var i = first; i < first + count; i++)
            foreach (var e in Session(i).Events)
                log.Append(e);
    }

    private (UserProfile Profile, int FavouriteCategory) UserProfileOf(int user)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(user);
        var random = SeedMixer.Create(Options.Seed, SeedMixer.UserStream, user);
        var profile = ProfileCatalog.Pick(random);
        return (profile, random.Next(SessionSimulation.Categories.Length));
    }
}
