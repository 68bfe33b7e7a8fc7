using Exania.Scoring;
using Orleans.Runtime;

namespace Exania.Cluster;

/// <summary>
/// Live sessions on the cluster: each call goes to the session's grain, wherever Orleans runs it, and its typed fault
/// becomes the exception the service's endpoints already answer (400, 404, 503). A node that cannot be reached, or a
/// state that could not be saved, is <see cref="LiveSessionsUnavailableException"/>: nothing was acknowledged, and
/// the client sends the batch again.
/// </summary>
public sealed class ClusterSessions(IGrainFactory grains) : ILiveSessions
{
    public async ValueTask<LiveScoreReport> ScoreAsync(string sessionId, LiveBatch batch, CancellationToken cancellationToken)
    {
        var reply = await CallAsync(() => grains.GetGrain<ISessionGrain>(sessionId).Score(batch), cancellationToken).ConfigureAwait(false);
        return Unwrap(reply).Score ?? throw new InvalidOperationException("The session grain answered without a report.");
    }

    public async ValueTask<NextActionReport> NextActionAsync(string sessionId, int top, CancellationToken cancellationToken)
    {
        var reply = await CallAsync(() => grains.GetGrain<ISessionGrain>(sessionId).NextAction(top), cancellationToken).ConfigureAwait(false);
        return Unwrap(reply).Next ?? throw new InvalidOperationException("The session grain answered without a report.");
    }

    private static async Task<SessionReply> CallAsync(Func<Task<SessionReply>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            // SiloUnavailableException, a rejected message, a response timeout: the node holding the session is
            // gone or going; once membership declares it dead the session activates elsewhere from its saved state.
            throw new LiveSessionsUnavailableException($"The session's node cannot be reached now ({e.GetType().Name}); send the request again.", e);
        }
    }

    private static SessionReply Unwrap(SessionReply reply) => reply.Fault switch
    {
        SessionFault.None => reply,
        SessionFault.BadInput => throw new LiveInputException(reply.Field ?? "", reply.Message ?? "bad live input"),
        SessionFault.NoSession => throw new KeyNotFoundException(reply.Message),
        SessionFault.ModelUnavailable => throw new ModelUnavailableException(reply.Message ?? "The model is not loaded."),
        _ => throw new LiveSessionsUnavailableException(reply.Message ?? "The session's state could not be saved; send the batch again."),
    };
}
