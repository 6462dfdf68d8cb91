namespace Pipelines.FrontDoors.Balancers;

/// <summary>A user's <see cref="BalanceFunc"/>, called before the record reaches the client.</summary>
internal sealed class CustomBalancer(BalanceFunc balance, string name) : Balancer(name)
{
    internal override bool ChoosesBeforeSend => true;

    internal override int Choose(string topic, int partitionCount, byte[]? key, byte[]? value) => balance(topic, partitionCount, key, value);
}
