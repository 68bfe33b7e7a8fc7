using System.Text.Json.Serialization;
using Exania.Click;
using Exania.Core;
using Exania.Events;
using Exania.Features;
using Exania.Sequence;

namespace Exania.Scoring;

// A value, so that a session keeps its last answer without an object per request (LiveSession.LastReport); every field
// is always written, and JsonRequired says so in the API document.

/// <summary>A scored window: it holds the events in (<see cref="Start"/>, <see cref="End"/>].</summary>
public readonly record struct LiveWindow(
    [property: JsonRequired] double Start, [property: JsonRequired] double End, [property: JsonRequired] double Probability, [property: JsonRequired] bool Click);

/// <summary>
/// The answer to a batch: the windows it completed (exactly those <c>exania windows</c> gives for the session, with
/// the probabilities of <c>exania predict click</c>), and the window ending at the session's last event now.
/// </summary>
/// <param name="Session">The session id.</param>
/// <param name="Accepted">Events of this batch (all of them: a batch is taken whole or refused).</param>
/// <param name="EventCount">Events of the session so far.</param>
/// <param name="Windows">The windows this batch completed, in time order.</param>
/// <param name="Current">The window ending at the last event, scored; null when it holds fewer than the minimum actions, or the session was completed.</param>
/// <param name="Completed">True when the batch ended the session.</param>
/// <param name="ModelVersion">The click model's version.</param>
/// <param name="Replayed">True when the batch repeats the session's last one (the client did not see the answer): it was not applied again, and this is the answer it had.</param>
public sealed record LiveScoreReport(string Session, int Accepted, long EventCount, IReadOnlyList<LiveWindow> Windows, LiveWindow? Current,
    bool Completed, string ModelVersion, bool Replayed = false);

/// <summary>One candidate next action and its probability.</summary>
public sealed record NextActionCandidate(string Action, double Probability);

/// <summary>How much one event of the session counted in the sequence model's attention.</summary>
public sealed record AttentionWeight(double Timestamp, string Action, double Weight);

/// <summary>The sequence model's top next actions for a live session, with its attention over the events it read.</summary>
public sealed record NextActionReport(string Session, long EventCount, IReadOnlyList<NextActionCandidate> Top, IReadOnlyList<AttentionWeight> Attention,
    string ModelVersion);

/// <summary>The model a request needs is not loaded (or cannot read live sessions); the service answers 503.</summary>
public sealed class ModelUnavailableException : Exception
{
    public ModelUnavailableException(string message) : base(message) { }

    public ModelUnavailableException() : this("The model is not loaded.") { }

    public ModelUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// Live scoring: a batch of one session's events goes through the same <see cref="IncrementalWindowExtractor"/> and
/// the same click model as the batch path, so live probabilities equal <c>exania windows</c> + <c>exania predict
/// click</c> for every window. Events in a batch are put in time order (stably, as the batch extractor orders a
/// session); an event before the session's last accepted one is refused with the whole batch, because the windows
/// before it were already answered.
/// </summary>
public sealed class LiveScorer : ILiveSessions
{
    private readonly LiveSessionTable _sessions;
    private readonly ModelRegistry _models;

    public LiveScorer(LiveSessionTable sessions, ModelRegistry models)
    {
        _sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));
        _models = models ?? throw new ArgumentNullException(nameof(models));
    }

    public LiveSessionTable Sessions => _sessions;

    public ModelRegistry Models => _models;

    /// <summary>Applies a validated batch (see <see cref="LiveBatchReader"/>) to session <paramref name="sessionId"/> and scores it.</summary>
    /// <exception cref="LiveInputException">An event comes before the session's last one (nothing of the batch is applied).</exception>
    /// <exception cref="ModelUnavailableException">No click model is loaded.</exception>
    public LiveScoreReport Score(string sessionId, LiveBatch batch)
    {
        LiveBatchReader.CheckId(sessionId, "session");
        ArgumentNullException.ThrowIfNull(batch);
        var models = _models.Current;
        RequireClick(models);
        var digest = batch.Digest();
        while (true)
        {
            var session = _sessions.GetOrAdd(sessionId);
            lock (session.Gate)
            {
                // Expired or evicted while this request waited: its id now names a new session in the table.
                if (session.Closed)
                    continue;
                var report = Apply(session, batch, digest, models, _sessions.Options);
                if (report.Completed && !report.Replayed)
                    _sessions.Complete(session);
                return report;
            }
        }
    }

    ValueTask<LiveScoreReport> ILiveSessions.ScoreAsync(string sessionId, LiveBatch batch, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Score(sessionId, batch));

    ValueTask<NextActionReport> ILiveSessions.NextActionAsync(string sessionId, int top, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NextAction(sessionId, top));

    private static ClickModel RequireClick(ModelSet models) => models.Click ?? throw new ModelUnavailableException(
        "No click model is loaded: put click_model.json (exania train click) in the --models folder and POST /api/v1/models/reload.");

    /// <summary>
    /// Applies a validated batch to one session (the caller holds its <see cref="LiveSession.Gate"/>, or owns it, as a
    /// grain does) and scores it with <paramref name="models"/>. A batch whose <paramref name="digest"/> is the
    /// session's last one is not applied again: the answer it had comes back, marked <see cref="LiveScoreReport.Replayed"/>.
    /// </summary>
    /// <exception cref="LiveInputException">An event comes before the session's last one (nothing of the batch is applied).</exception>
    /// <exception cref="ModelUnavailableException">No click model is loaded.</exception>
    public static LiveScoreReport Apply(LiveSession session, LiveBatch batch, ulong digest, ModelSet models, LiveScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(options);
        if (digest != 0 && digest == session.LastBatchDigest && session.LastReport is { } last)
            return last with { Replayed = true };
        if (session.Completed)
            throw new InvalidOperationException($"Live session '{session.Id}' was completed; its next batch starts a new session.");
        var report = Apply(session, batch, TimeOrder(batch.Events), RequireClick(models), models.VersionOf(ModelKind.Click)!, options.Windows.WindowSeconds);
        session.LastBatchDigest = digest;
        session.KeepLastReport(report);
        return report;
    }

    private static LiveScoreReport Apply(LiveSession session, LiveBatch batch, int[] order, ClickModel click, string version, double windowSeconds)
    {
        var events = batch.Events;
        if (order.Length > 0 && events[order[0]].Timestamp < session.LastTime)
        {
            var first = order[0];
            throw new LiveInputException($"events[{first}].timestamp",
                $"events[{first}].timestamp {events[first].Timestamp:R} comes before the session's last accepted event ({session.LastTime:R}); " +
                "a live session takes its events in time order.");
        }
        session.User ??= batch.User;
        var windows = new List<LiveWindow>();
        WindowHandler collect = (end, features) =>
        {
            var p = click.PredictProbability(features);
            windows.Add(new LiveWindow(end - windowSeconds, end, p, p >= click.Threshold));
        };
        foreach (var i in order)
        {
            ref readonly var e = ref events[i];
            session.Windows.Push(e.Timestamp, e.Action, e.ScrollDepth, collect);
            session.Remember(e);
        }
        LiveWindow? current = null;
        if (batch.Complete)
        {
            session.Windows.Complete(collect);
            session.Completed = true;
        }
        else
        {
            Span<double> features = stackalloc double[WindowFeatures.Count];
            if (session.Windows.TryComputeAt(session.LastTime, features))
            {
                var p = click.PredictProbability(features);
                current = new LiveWindow(session.LastTime - windowSeconds, session.LastTime, p, p >= click.Threshold);
            }
        }
        return new LiveScoreReport(session.Id, events.Length, session.EventCount, windows, current, batch.Complete, version);
    }

    /// <summary>The batch's indices in time order, ties in request order (a stable insertion sort: batches are short and usually sorted).</summary>
    private static int[] TimeOrder(LiveEvent[] events)
    {
        var order = new int[events.Length];
        for (var i = 0; i < order.Length; i++)
        {
            var j = i;
            while (j > 0 && events[order[j - 1]].Timestamp > events[i].Timestamp)
            {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        return order;
    }

    /// <summary>The sequence model's <paramref name="top"/> most likely next actions for a live session, with its attention weights.</summary>
    /// <exception cref="KeyNotFoundException">No live session has this id.</exception>
    /// <exception cref="ModelUnavailableException">No sequence model is loaded, or it reads inputs a live session does not carry.</exception>
    public NextActionReport NextAction(string sessionId, int top)
    {
        LiveBatchReader.CheckId(sessionId, "session");
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var models = _models.Current;
        var model = RequireNextActionModel(models);
        var session = _sessions.Find(sessionId) ?? throw NoSession(sessionId);
        NextActionInput input;
        lock (session.Gate)
            input = NextActionInput.Of(session, model);
        return Rank(input, model, models, top);
    }

    /// <summary>
    /// <see cref="NextAction(string, int)"/> on one session that the caller holds (its gate taken, or owned, as a grain
    /// owns its session).
    /// </summary>
    /// <exception cref="KeyNotFoundException">The session has no events (or was completed).</exception>
    /// <exception cref="ModelUnavailableException">No sequence model is loaded, or it reads inputs a live session does not carry.</exception>
    public static NextActionReport NextAction(LiveSession session, ModelSet models, int top)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var model = RequireNextActionModel(models);
        if (session.Completed)
            throw NoSession(session.Id);
        return Rank(NextActionInput.Of(session, model), model, models, top);
    }

    /// <summary>The answer when no live session has an id.</summary>
    public static KeyNotFoundException NoSession(string sessionId) =>
        new($"No live session '{sessionId}' (it never started, ended, or was idle too long).");

    private static SequenceModel RequireNextActionModel(ModelSet models)
    {
        var model = models.Sequence ?? throw new ModelUnavailableException(
            "No sequence model is loaded: put sequence_model.json (exania train sequence) in the --models folder and POST /api/v1/models/reload.");
        if (model.Field != SequenceField.Action || model.ExtraInputs.Count > 0 || model.NumericInputs.Any(f => f != EventField.ScrollDepth))
            throw new ModelUnavailableException("The sequence model reads more than the actions, times and scroll depths of a session (a next-item model, " +
                "or extra inputs), which live sessions do not carry; serve a next-action model trained with --target action.");
        return model;
    }

    /// <summary>What the sequence model reads of a session, copied so the prediction runs without holding the session.</summary>
    private sealed record NextActionInput(string Session, long EventCount, string? User, string[] Actions, double[] Times, float[] Depths)
    {
        public static NextActionInput Of(LiveSession session, SequenceModel model)
        {
            if (session.HistoryCount == 0)
                throw new KeyNotFoundException($"Live session '{session.Id}' has no events yet.");
            var n = Math.Min(session.HistoryCount, model.MaxLength);
            var actions = new string[n];
            var times = new double[n];
            var depths = new float[n];
            for (var i = 0; i < n; i++)
            {
                var e = session.History(session.HistoryCount - n + i);
                actions[i] = KnownActions.Names[e.Action];
                times[i] = e.Timestamp;
                depths[i] = (float)e.ScrollDepth; // NaN is read as 0 by the model, as in training
            }
            return new NextActionInput(session.Id, session.EventCount, session.User, actions, times, depths);
        }
    }

    private static NextActionReport Rank(NextActionInput input, SequenceModel model, ModelSet models, int top)
    {
        var (actions, times) = (input.Actions, input.Times);
        // The user feeds a model's user-history prior, when it has one (its training sessions all ended before now).
        var prediction = model.Predict(actions, times, null, model.NumericInputs.Count == 0 ? null : [input.Depths], input.User);
        var ranked = new int[prediction.Probabilities.Length];
        for (var i = 0; i < ranked.Length; i++)
            ranked[i] = i;
        // Highest probability first, ties by class index: the ranking does not depend on the sort's stability.
        Array.Sort(ranked, (a, b) => prediction.Probabilities[b].CompareTo(prediction.Probabilities[a]) is var c && c != 0 ? c : a.CompareTo(b));
        var candidates = new List<NextActionCandidate>(Math.Min(top, ranked.Length));
        for (var i = 0; i < Math.Min(top, ranked.Length); i++)
            candidates.Add(new NextActionCandidate(model.Vocabulary.ClassName(ranked[i]), prediction.Probabilities[ranked[i]]));
        // The attention covers the steps the model read: the last ones, oldest first.
        var attention = new List<AttentionWeight>(prediction.Attention.Length);
        var offset = actions.Length - prediction.Attention.Length;
        for (var i = 0; i < prediction.Attention.Length; i++)
            attention.Add(new AttentionWeight(times[offset + i], actions[offset + i], prediction.Attention[i]));
        return new NextActionReport(input.Session, input.EventCount, candidates, attention, models.VersionOf(ModelKind.Sequence)!);
    }
}

/// <summary>
/// Where live sessions are kept and scored: in this process (<see cref="LiveScorer"/> over a <see cref="LiveSessionTable"/>)
/// or on a cluster (each session a grain on some node, issue #14). The service's endpoints call only this.
/// </summary>
public interface ILiveSessions
{
    /// <summary>Applies a validated batch to a session and scores it (see <see cref="LiveScorer.Apply(LiveSession, LiveBatch, ulong, ModelSet, LiveScoringOptions)"/>).</summary>
    /// <exception cref="LiveInputException">An event comes before the session's last one.</exception>
    /// <exception cref="ModelUnavailableException">No click model is loaded.</exception>
    /// <exception cref="LiveSessionsUnavailableException">The session's state cannot be reached or saved now (a cluster node died); send the batch again.</exception>
    ValueTask<LiveScoreReport> ScoreAsync(string sessionId, LiveBatch batch, CancellationToken cancellationToken);

    /// <summary>The sequence model's top next actions for a live session.</summary>
    /// <exception cref="KeyNotFoundException">No live session has this id.</exception>
    /// <exception cref="ModelUnavailableException">No usable sequence model is loaded.</exception>
    /// <exception cref="LiveSessionsUnavailableException">The session's state cannot be reached now.</exception>
    ValueTask<NextActionReport> NextActionAsync(string sessionId, int top, CancellationToken cancellationToken);
}

/// <summary>The session's state cannot be reached or made durable right now (a node is down, the database is away); the service answers 503 and the client sends again.</summary>
public sealed class LiveSessionsUnavailableException : Exception
{
    public LiveSessionsUnavailableException(string message, Exception innerException) : base(message, innerException) { }

    public LiveSessionsUnavailableException(string message) : base(message) { }

    public LiveSessionsUnavailableException() : this("The live sessions cannot be reached now; send the request again.") { }
}
