using Exania.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Exania.Server;

/// <summary>The cluster as one node sees it: members, where sessions run, the model generation. Only on a cluster node.</summary>
public static class ClusterApis
{
    public static RouteGroupBuilder MapClusterApi(this RouteGroupBuilder api)
    {
        api.MapGet("/cluster", async Task<Results<Ok<ClusterReport>, ProblemHttpResult>> (IServiceProvider services) =>
            {
                if (services.GetService<ClusterModelSync>() is not { } sync)
                    return TypedResults.Problem(detail: "This service is a single node; start it with --cluster to join a cluster.", statusCode: StatusCodes.Status404NotFound);
                return TypedResults.Ok(await ClusterStatus.ReportAsync(services.GetRequiredService<IGrainFactory>(),
                    services.GetRequiredService<Orleans.Runtime.IClusterMembershipService>(), services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>(),
                    sync.Generation).ConfigureAwait(false));
            })
            .WithTags("Cluster").WithName("GetCluster")
            .WithSummary("The cluster's nodes (membership status, live sessions each runs) and the model generation; 404 on a single node.");
        return api;
    }
}
