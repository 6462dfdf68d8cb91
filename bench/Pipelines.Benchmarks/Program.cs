namespace Pipelines.Benchmarks;

internal static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine("suites: none yet");
        return 0;
    }
}
