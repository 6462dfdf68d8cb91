using System.ComponentModel;
using System.Globalization;

namespace Pipelines.FrontDoors.Balancers;

/// <summary>Lets Microsoft.Extensions.Configuration bind a balancer from its name (<see cref="Balancer.Parse"/>).</summary>
internal sealed class BalancerTypeConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string name ? Balancer.Parse(name) : base.ConvertFrom(context, culture, value);
}
