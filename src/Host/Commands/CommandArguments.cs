using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Pipelines.Kafka;

namespace Pipelines.Host.Commands;

/// <summary>Arguments and options several Kafka commands share, each validated while parsing so bad input fails before any connection.</summary>
internal static class CommandArguments
{
    /// <summary>A topic name argument, checked against Kafka's rule.</summary>
    public static Argument<string> Topic(string description)
    {
        var topic = new Argument<string>("topic") { Description = description };
        topic.Validators.Add(result =>
        {
            var name = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            var problem = KafkaTopicName.Problem(name);
            if (problem is not null)
            {
                result.AddError($"invalid topic name \"{name}\": {problem} ({KafkaTopicName.Rule}).");
            }
        });
        return topic;
    }

    /// <summary>An integer option that must be at least <paramref name="minimum"/> when given.</summary>
    public static Option<int?> Count(string name, string description, int minimum, string helpName = "count")
    {
        var option = new Option<int?>(name) { Description = description, HelpName = helpName };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } value && value < minimum)
            {
                result.AddError($"{name} must be at least {minimum}; {value} was given.");
            }
        });
        return option;
    }

    /// <summary>A repeatable <c>key=value</c> option (headers, topic configs); the value may be empty, the key may not.</summary>
    public static Option<KeyValuePair<string, string>[]> KeyValues(string name, string description, string example)
    {
        return new Option<KeyValuePair<string, string>[]>(name)
        {
            Description = description,
            HelpName = "key=value",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
            CustomParser = result =>
            {
                var pairs = new List<KeyValuePair<string, string>>();
                foreach (var token in result.Tokens)
                {
                    var equals = token.Value.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0)
                    {
                        result.AddError($"malformed {name} \"{token.Value}\": expected key=value, e.g. {name} {example}.");
                        return [];
                    }

                    pairs.Add(new(token.Value[..equals], token.Value[(equals + 1)..]));
                }

                return [.. pairs];
            },
        };
    }

    /// <summary>Parses a whole number of at least 0 (no sign, no spaces).</summary>
    public static bool TryParseNonNegative(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
