using System.Text;
using Pipelines.Configuration.Values;

namespace Pipelines.Configuration.Tests.Parsing;

/// <summary>
/// Feeds mutated HOCON to the parser and resolver: each input must give a value (which renders and parses back to
/// the same tree) or a <see cref="HoconException"/> with a position, never another exception or a hang.
/// </summary>
public sealed class HoconFuzzTests
{
    private const int Iterations = 3000;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private static readonly string Alphabet = "{}[]:=,+\"$?.#/\\\n \t abc019-_eE\u00e9\u2028'`^!*&@()";

    private static readonly string[] Corpus =
    [
        "a = 1\nb { c = [1, 2, {d = x}], e = ${a} }",
        "akka.kafka.consumer { poll-interval = 50ms, kafka-clients { bootstrap.servers = \"h:9092\" } }",
        "path = /usr\npath = ${path}\":/bin\"\nlist += 1\nlist += ${?nothing}",
        "x = \"\"\"triple \"quoted\" text\"\"\"\ny = \"esc \\u00e9 \\n \\\\\"\n# comment\n// another",
        "{ \"a.b\" : [true, false, null, 1.5e3, -2], c : ${?ENV_NOT_SET}, d = ${\"a.b\"} }",
        "base { x = 1 }\nchild = ${base} { y = 2 }\nchild.z = [${base.x}] [3]",
        "include \"missing-fuzz-file.conf\"\na.\"quoted key\".c = foo bar baz // end",
        "a = ${b}\nb = ${c}\nc = [1, 2]\nd = ${a} [3]\ne = ${?a}${?b}",
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(20_241_121)]
    [InlineData(777)]
    public async Task ParseAndResolve_MutatedInput_GivesValueOrPositionedError(int seed)
    {
        var random = new Random(seed);
        var failures = new List<string>();
        for (var i = 0; i < Iterations && failures.Count < 5; i++)
        {
            var input = Mutate(Corpus[random.Next(Corpus.Length)], random);
            var run = Task.Run(() => Check(input));
            var completed = await Task.WhenAny(run, Task.Delay(HangGuard));
            if (completed != run)
            {
                failures.Add($"hang on input: {Escape(input)}");
                break;
            }

            if (await run is { } failure)
            {
                failures.Add($"{failure} on input: {Escape(input)}");
            }
        }

        failures.Should().BeEmpty();
    }

    [Fact]
    public void Corpus_EveryEntry_ParsesAndRoundTrips()
    {
        // The mutations start from valid input, so both outcomes (value and error) are exercised.
        Corpus.Select(Check).Should().AllSatisfy(failure => failure.Should().BeNull());
        Corpus.Select(c => HoconConfigFactory.ParseString(c).Resolve(_ => null).Root.Count).Should().AllSatisfy(count => count.Should().BePositive());
    }

    private static string? Check(string input)
    {
        try
        {
            var root = HoconConfigFactory.ParseString(input, "fuzz").Resolve(_ => null).Root;
            var rendered = new HoconConfig(root, needsResolution: false).ToHocon();
            var reparsed = HoconConfigFactory.ParseString(rendered, "rendered").Resolve(_ => null).Root;
            return SameTree(root, reparsed) ? null : $"rendering does not round-trip (rendered: {Escape(rendered)})";
        }
        catch (HoconException e) when (e.Line >= 1 && e.Column >= 1 && e.Origin is "fuzz")
        {
            return null;
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    private static string Mutate(string text, Random random)
    {
        var builder = new StringBuilder(text);
        var mutations = random.Next(1, 5);
        for (var m = 0; m < mutations; m++)
        {
            var position = builder.Length == 0 ? 0 : random.Next(builder.Length);
            switch (random.Next(5))
            {
                case 0:
                    builder.Insert(position, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                case 1 when builder.Length > 0:
                    builder.Remove(position, Math.Min(random.Next(1, 4), builder.Length - position));
                    break;
                case 2 when builder.Length > 0:
                    builder[position] = Alphabet[random.Next(Alphabet.Length)];
                    break;
                case 3 when builder.Length > 0:
                    var length = Math.Min(random.Next(1, 12), builder.Length - position);
                    builder.Insert(random.Next(builder.Length), builder.ToString(position, length));
                    break;
                default:
                    builder.Length = position;
                    break;
            }
        }

        return builder.ToString();
    }

    private static bool SameTree(HoconValue left, HoconValue right) => (left, right) switch
    {
        (HoconObject a, HoconObject b) => a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && SameTree(p.Value, v)),
        (HoconArray a, HoconArray b) => a.Count == b.Count && a.Zip(b).All(p => SameTree(p.First, p.Second)),
        (HoconString a, HoconString b) => a.Value == b.Value,
        (HoconNumber a, HoconNumber b) => a.IsInteger == b.IsInteger && a.Text == b.Text,
        (HoconBoolean a, HoconBoolean b) => a.Value == b.Value,
        (HoconNull, HoconNull) => true,
        _ => false,
    };

    private static string Escape(string text) => text.Replace("\n", "\\n", StringComparison.Ordinal);
}
