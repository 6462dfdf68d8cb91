namespace Pipelines.FrontDoors.Balancers;

/// <summary>The partition each record names.</summary>
internal sealed class ManualBalancer : Balancer
{
    public ManualBalancer()
        : base("manual")
    {
    }

    internal override bool UsesRecordPartition => true;
}
