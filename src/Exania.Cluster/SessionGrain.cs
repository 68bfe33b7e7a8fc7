using Exania.Scoring;
using Orleans.Runtime;

namespace Exania.Cluster;

/// <summary>One live session on the cluster: any node sends it a session's batches, Orleans runs it on one node at a time.</summary>
[Alias("exania.session")]
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Applies a validated batch and scores it; the answer comes only after the session's new state is durable.</summary>
    [Alias("score")]
    Task<SessionReply> Score(LiveBatch batch);

    /// <summary>The sequence model's top next actions for the session.</summary>
    [Alias("next-action")]
    Task<SessionReply> NextAction(int top);
}

/// <summary>Why a session call did not give an answer; the node that received the request turns it into the HTTP status.</summary>
[GenerateSerializer, Alias("exania.session-fault")]
public enum SessionFault
{
    /// <summary>The call gave its answer.</summary>
    None,

    /// <summary>The batch was refused (an event before the session's last one); <see cref="SessionReply.Field"/> names it. 400.</summary>
    BadInput,

    /// <summary>No live session has this id (next action). 404.</summary>
    NoSession,

    /// <summary>The model the call needs is not loaded on the node. 503.</summary>
    ModelUnavailable,

    /// <summary>The session's state could not be made durable; nothing was acknowledged, send the batch again. 503.</summary>
    Unavailable,
}

/// <summary>A session grain's answer: a report, or a fault with its message (typed, since exceptions lose their fields on the wire).</summary>
[GenerateSerializer, Alias("exania.session-reply")]
public sealed class SessionReply
{
    [Id(0)] public LiveScoreReport? Score { get; init; }
    [Id(1)] public NextActionReport? Next { get; init; }
    [Id(2)] public SessionFault Fault { get; init; }
    [Id(3)] public string? Field { get; init; }
    [Id(4)] public string? Message { get; init; }

    /// <summary>The node (silo address) the session ran on.</summary>
    [Id(5)] public string Node { get; init; } = "";
}

/// <summary>What a session grain saves: its <see cref="LiveSessionSnapshot"/> in binary, and when it was last used.</summary>
[GenerateSerializer, Alias("exania.session-state")]
public sealed class SessionGrainState
{
    [Id(0)] public byte[]? Snapshot { get; set; }

    /// <summary>Unix milliseconds of the last batch: a session idle for longer than the time to live starts over, as on one node.</summary>
    [Id(1)] public long TouchedUnixMilliseconds { get; set; }
}

/// <summary>
/// A live session as an Orleans grain. It scores with <see cref="LiveScorer.Apply(LiveSession, LiveBatch, ulong, ModelSet, LiveScoringOptions)"/>,
/// the code one node uses, so a session scores the same wherever it runs; after every accepted batch it writes its
/// state to the grain storage (PostgreSQL on a cluster) and only then answers. When its node dies, the next batch
/// activates it on another node from that state: no acknowledged event is lost. A batch whose answer was lost comes
/// again and is recognised by its digest (answered, not applied twice).
/// </summary>
public sealed class SessionGrain : Grain, ISessionGrain
{
    private readonly IPersistentState<SessionGrainState> _state;
    private readonly ClusterScoring _scoring;
    private readonly TimeProvider _time;
    private readonly string _node;
    private LiveSession? _session;
    private long _touched;

    public SessionGrain([PersistentState("session", ClusterHosting.StorageName)] IPersistentState<SessionGrainState> state, ClusterScoring scoring,
        ILocalSiloDetails silo, TimeProvider? time = null)
    {
        _state = state;
        _scoring = scoring;
        _time = time ?? TimeProvider.System;
        _node = silo.SiloAddress.ToString();
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Orleans has read the state before this: a session that lived on another node continues here.
        if (_state.RecordExists && _state.State.Snapshot is { } bytes)
        {
            _session = LiveSession.Restore(LiveSessionSnapshot.FromBytes(bytes), _scoring.Options);
            _touched = _state.State.TouchedUnixMilliseconds;
        }
        return Task.CompletedTask;
    }

    public async Task<SessionReply> Score(LiveBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var options = _scoring.Options;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var digest = batch.Digest();
        var session = _session;
        var idle = session is not null && now - _touched > options.IdleTimeToLive.TotalMilliseconds;
        if (idle)
        {
            // The expiry sweep may have deleted the saved row since: read it again so the next write's version is current.
            try
            {
                await _state.ReadStateAsync().ConfigureAwait(true);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Fault(SessionFault.Unavailable, $"The session's state could not be read ({e.GetType().Name}: {e.Message}); send the batch again.");
            }
        }
        if (session is null || idle || (session.Completed && digest != session.LastBatchDigest))
            session = new LiveSession(this.GetPrimaryKeyString(), options);
        LiveScoreReport report;
        try
        {
            report = LiveScorer.Apply(session, batch, digest, _scoring.Models.Current, options);
        }
        catch (LiveInputException e)
        {
            return Fault(SessionFault.BadInput, e.Message, e.Field);
        }
        catch (ModelUnavailableException e)
        {
            return Fault(SessionFault.ModelUnavailable, e.Message);
        }
        if (report.Replayed)
            return new SessionReply { Score = report, Node = _node };
        var previous = _state.State;
        _state.State = new SessionGrainState { Snapshot = session.Capture().ToBytes(), TouchedUnixMilliseconds = now };
        try
        {
            await _state.WriteStateAsync().ConfigureAwait(true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not acknowledged. Whether the write landed is unknown, so this activation goes and the next one reads
            // what is durable: the batch sent again is then either applied or recognised as a repeat.
            _state.State = previous;
            _session = null;
            DeactivateOnIdle();
            return Fault(SessionFault.Unavailable, $"The session's state could not be saved ({e.GetType().Name}: {e.Message}); nothing was acknowledged, send the batch again.");
        }
        _session = session;
        _touched = now;
        return new SessionReply { Score = report, Node = _node };
    }

    public Task<SessionReply> NextAction(int top)
    {
        var session = _session;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (session is null || now - _touched > _scoring.Options.IdleTimeToLive.TotalMilliseconds)
            return Task.FromResult(Fault(SessionFault.NoSession, LiveScorer.NoSession(this.GetPrimaryKeyString()).Message));
        try
        {
            return Task.FromResult(new SessionReply { Next = LiveScorer.NextAction(session, _scoring.Models.Current, top), Node = _node });
        }
        catch (KeyNotFoundException e)
        {
            return Task.FromResult(Fault(SessionFault.NoSession, e.Message));
        }
        catch (ModelUnavailableException e)
        {
            return Task.FromResult(Fault(SessionFault.ModelUnavailable, e.Message));
        }
    }

    private SessionReply Fault(SessionFault fault, string message, string? field = null) => new() { Fault = fault, Message = message, Field = field, Node = _node };
}

/// <summary>What session grains score with on this node: the node's models (reloaded cluster-wide) and the live options.</summary>
public sealed record ClusterScoring(ModelRegistry Models, LiveScoringOptions Options);
