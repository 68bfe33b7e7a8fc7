namespace Exania.Cluster;

/// <summary>
/// The cluster's model generation: a number that grows each time some node reloads its models. Every node watches it
/// (<see cref="ClusterModelSync"/>) and reloads when it moves, so a reload asked of one node reaches all of them.
/// </summary>
[Alias("exania.models")]
public interface IModelsGrain : IGrainWithIntegerKey
{
    /// <summary>A node reloaded its models: the generation goes up by one; the new generation.</summary>
    [Alias("announce")]
    Task<long> Announce();

    /// <summary>The current generation.</summary>
    [Alias("generation")]
    Task<long> Generation();
}

[GenerateSerializer, Alias("exania.models-state")]
public sealed class ModelsGrainState
{
    [Id(0)] public long Generation { get; set; }
}

/// <summary>The one <see cref="IModelsGrain"/> (key 0); its generation is durable, so a node that dies does not reset it.</summary>
public sealed class ModelsGrain([PersistentState("models", ClusterHosting.StorageName)] IPersistentState<ModelsGrainState> state) : Grain, IModelsGrain
{
    public async Task<long> Announce()
    {
        state.State.Generation++;
        await state.WriteStateAsync().ConfigureAwait(true);
        return state.State.Generation;
    }

    public Task<long> Generation() => Task.FromResult(state.State.Generation);
}
