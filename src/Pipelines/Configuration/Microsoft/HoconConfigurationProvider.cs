using Microsoft.Extensions.Configuration;
using Pipelines.Configuration.Conversion;
using Pipelines.Configuration.Values;

namespace Pipelines.Configuration;

/// <summary>
/// Exposes a resolved HOCON configuration to Microsoft.Extensions.Configuration: the path <c>a.b.c</c> becomes the
/// key <c>a:b:c</c>, array elements become <c>a:0</c>, <c>a:1</c>, and a quoted key containing dots stays one segment.
/// </summary>
public sealed class HoconConfigurationProvider : ConfigurationProvider
{
    private readonly HoconConfigurationSource _source;
    private readonly string? _path;

    /// <summary>Creates a provider for <paramref name="source"/>, reading the file at <paramref name="path"/> when it names one.</summary>
    public HoconConfigurationProvider(HoconConfigurationSource source, string? path)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _path = path;
    }

    /// <summary>Parses and resolves the source and replaces the provider's data.</summary>
    /// <exception cref="HoconException">The HOCON is invalid, a substitution cannot be resolved, or a required file is missing.</exception>
    public override void Load()
    {
        HoconValue root;
        if (_source.Config is { } given)
        {
            root = given.Root is null ? HoconConfig.Empty.Root : AkkaConfigConverter.FromAkka(given.Root);
        }
        else if (_path is not null)
        {
            if (!File.Exists(_path))
            {
                if (!_source.Optional)
                {
                    throw new HoconException(new HoconPosition(_path, 0, 0), "the configuration file was not found (pass optional: true to AddHocon to allow that)");
                }

                root = HoconConfig.Empty.Root;
            }
            else
            {
                root = HoconConfigFactory.ParseFile(_path).Root;
            }
        }
        else
        {
            root = HoconConfigFactory.ParseString(_source.Text ?? string.Empty, _source.Origin).Root;
        }

        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Flatten(root, string.Empty, data);
        Data = data;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name} ({_path ?? _source.Origin})";

    private static void Flatten(HoconValue value, string prefix, Dictionary<string, string?> data)
    {
        switch (value)
        {
            case HoconObject o:
                if (o.Count == 0 && prefix.Length > 0)
                {
                    data[prefix] = null;
                }

                foreach (var (key, field) in o)
                {
                    Flatten(field, prefix.Length == 0 ? key : prefix + ConfigurationPath.KeyDelimiter + key, data);
                }

                break;
            case HoconArray a:
                if (a.Count == 0)
                {
                    data[prefix] = null;
                }

                for (var i = 0; i < a.Count; i++)
                {
                    Flatten(a[i], prefix + ConfigurationPath.KeyDelimiter + i.ToString(System.Globalization.CultureInfo.InvariantCulture), data);
                }

                break;
            case HoconNull:
                data[prefix] = null;
                break;
            default:
                data[prefix] = value.ScalarText;
                break;
        }
    }
}
