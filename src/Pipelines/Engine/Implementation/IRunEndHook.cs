namespace Pipelines.Engine.Implementation;

/// <summary>Code an island runs at the end of each run (before it goes idle or yields the thread).</summary>
internal interface IRunEndHook
{
    void OnRunEnd();
}
