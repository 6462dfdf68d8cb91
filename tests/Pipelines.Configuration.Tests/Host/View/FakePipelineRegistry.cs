using Pipelines.Hosting;

namespace Pipelines.Configuration.Tests.Host.View;

/// <summary>A pipeline registry whose statuses and drain results a test sets.</summary>
internal sealed class FakePipelineRegistry : IPipelineRegistry
{
    private readonly TaskCompletionSource<IReadOnlyList<PipelineDrainResult>> _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<PipelineStatus> Statuses { get; } = [];

    public IReadOnlyList<string> Names => [.. Statuses.Select(s => s.Name)];

    public Task<IReadOnlyList<PipelineDrainResult>> Drained => _drained.Task;

    public void SetDrained(params PipelineDrainResult[] results) => _drained.SetResult(results);

    public PipelineStatus GetStatus(string name) => Statuses.Single(s => s.Name == name);

    public IReadOnlyList<PipelineStatus> GetStatuses() => [.. Statuses];

    public void Subscribe(IPipelineObserver observer) => throw new NotSupportedException("The view only reads statuses.");
}
