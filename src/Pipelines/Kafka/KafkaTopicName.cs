namespace Pipelines.Kafka;

/// <summary>Kafka's rules for topic names, checked before a name reaches a broker.</summary>
internal static class KafkaTopicName
{
    /// <summary>Kafka's limit (249, so that partition directory names stay under 255 characters).</summary>
    public const int MaxLength = 249;

    /// <summary>The rule in words, for error messages.</summary>
    public const string Rule = "a Kafka topic name is 1 to 249 characters of ASCII letters, digits, '.', '_' and '-', and is not \".\" or \"..\"";

    /// <summary>Throws an <see cref="ArgumentException"/> naming the rule and what broke it when <paramref name="name"/> is not a legal topic name.</summary>
    public static void Validate(string? name, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        var problem = Problem(name);
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid topic name \"{name}\": {problem} ({Rule}).", paramName);
        }
    }

    /// <summary>Returns what is wrong with <paramref name="name"/>, or <see langword="null"/> when it is legal.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"it is {name.Length} characters long";
        }

        if (name is "." or "..")
        {
            return "it is reserved";
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return $"it contains '{c}' (U+{(int)c:X4})";
            }
        }

        return null;
    }
}
