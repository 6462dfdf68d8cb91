using System.Globalization;
using System.Text;

namespace Pipelines.Benchmarks.Hocon;

/// <summary>Generates a realistic application configuration: pipelines with nested settings, arrays, substitutions, comments and durations.</summary>
internal static class HoconBenchmarkInput
{
    public static string Generate(int lines)
    {
        var builder = new StringBuilder();
        builder.Append("""
            # Generated benchmark configuration.
            defaults {
              timeout = 30s
              retries = 3
              brokers = "kafka-1:9092,kafka-2:9092,kafka-3:9092"
              tiers = [1s, 5s, 30s, 1m, 5m, 30m, 2h]
            }
            akka.kafka.consumer.kafka-clients.bootstrap.servers = ${defaults.brokers}
            akka.kafka.producer.kafka-clients.bootstrap.servers = ${defaults.brokers}
            pipelines {

            """);
        var count = 0;
        while (CountLines(builder) < lines - 2)
        {
            var i = count++.ToString(CultureInfo.InvariantCulture);
            builder.Append(CultureInfo.InvariantCulture, $$"""
                  // Pipeline {{i}}: consume, process per key, produce and commit.
                  pipeline-{{i}} {
                    name = "pipeline-{{i}}"
                    enabled = true
                    source {
                      topic = orders-{{i}}
                      group-id = "group-"${pipelines.pipeline-{{i}}.name}
                      poll-interval = 50ms
                      poll-timeout = 50ms
                      buffer-size = 128
                      kafka-clients {
                        bootstrap.servers = ${defaults.brokers}
                        "fetch.min.bytes" = 1024
                        auto.offset.reset = earliest
                      }
                    }
                    processing {
                      parallelism = 8
                      timeout = ${defaults.timeout}
                      retries = ${defaults.retries}
                      backoff = [100ms, 1s, 10s]
                      tags = [orders, "region-{{i}}", priority]
                    }
                    sink {
                      topic = "orders-{{i}}-out"
                      parallelism = 100
                      flush-timeout = 10s
                      headers { source = pipeline-{{i}}, version = 1.2.3 }
                    }
                    committer { max-batch = 1000, max-interval = 10s, delivery = WaitForAck }
                    delay {
                      tiers = ${defaults.tiers}
                      dead-letter-topic = orders-{{i}}-dlq
                    }
                  }
                  pipeline-{{i}}.processing.retries = 5

                """);
        }

        builder.Append("}\n");
        return builder.ToString();
    }

    private static int CountLines(StringBuilder builder)
    {
        var lines = 0;
        foreach (var chunk in builder.GetChunks())
        {
            lines += chunk.Span.Count('\n');
        }

        return lines;
    }
}
