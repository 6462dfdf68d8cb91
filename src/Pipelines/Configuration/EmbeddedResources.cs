namespace Pipelines.Configuration;

/// <summary>Configuration files embedded in the Pipelines assembly (the reference configuration).</summary>
internal static class EmbeddedResources
{
    /// <summary>The logical name of the embedded reference configuration.</summary>
    public const string ReferenceName = "reference.conf";

    /// <summary>Returns the text of the embedded resource <paramref name="name"/>, or null when there is none.</summary>
    public static string? Read(string name)
    {
        using var stream = typeof(EmbeddedResources).Assembly.GetManifestResourceStream(name);
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
