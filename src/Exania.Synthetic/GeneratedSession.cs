using Exania.Events;

namespace Exania.Synthetic;

/// <summary>One generated session: who, which profile and traits, and its events in time order.</summary>
public sealed class GeneratedSession
{
    internal GeneratedSession(long index, string userId, string sessionId, UserProfile profile, SessionTraits traits,
        IReadOnlyList<InteractionEvent> events)
    {
        Index = index;
        UserId = userId;
        SessionId = sessionId;
        Profile = profile;
        Traits = traits;
        Events = events;
    }

    /// <summary>Position in the generator's stream (0-based); the session depends only on it and the options.</summary>
    public long Index { get; }

    /// <summary>The user, e.g. <c>u00042</c>; a user keeps one profile across sessions.</summary>
    public string UserId { get; }

    /// <summary>The session, e.g. <c>s000001</c>.</summary>
    public string SessionId { get; }

    /// <summary>The user's profile.</summary>
    public UserProfile Profile { get; }

    /// <summary>Name of <see cref="Profile"/>, e.g. <c>click_happy</c>.</summary>
    public string ProfileName => Profile.Name;

    /// <summary>The traits drawn for this session from <see cref="Profile"/>.</summary>
    public SessionTraits Traits { get; }

    /// <summary>Events in time order (timestamps non-decreasing); a <c>close_tab</c>, when present, is the last.</summary>
    public IReadOnlyList<InteractionEvent> Events { get; }
}
