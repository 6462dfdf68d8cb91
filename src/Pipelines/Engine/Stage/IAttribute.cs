namespace Pipelines.Engine.Stage;

/// <summary>Marker for values carried by <see cref="Attributes"/>; libraries may define their own.</summary>
public interface IAttribute;
