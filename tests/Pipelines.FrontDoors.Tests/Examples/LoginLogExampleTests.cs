using System.Net;
using System.Net.Http.Json;
using LoginLog;
using Microsoft.AspNetCore.Builder;
using Pipelines.TestKit;

namespace Pipelines.FrontDoors.Tests.Examples;

/// <summary>The login-log example, started in-process on a free port with its own embedded cluster, as one command starts it.</summary>
public sealed class LoginLogExampleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PostedLogins_AreHandledByTheQueue_EachUsersInOrder()
    {
        var app = LoginLogApp.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], embedded: true);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
            const int users = 5;
            const int perUser = 6;
            for (var i = 0; i < users * perUser; i++)
            {
                var response = await http.PostAsJsonAsync("/login", new { userId = $"user-{i % users}", ip = $"10.0.0.{i / users}", userAgent = "test" });
                response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
            }

            var refused = await http.PostAsJsonAsync("/login", new { ip = "10.0.0.1" });
            refused.StatusCode.Should().Be(HttpStatusCode.BadRequest, "a login without a user id is refused, not pushed");

            for (var u = 0; u < users; u++)
            {
                var user = $"user-{u}";
                List<StoredLogin>? stored = null;
                await Eventually.TrueAsync(
                    async () => (stored = await http.GetFromJsonAsync<List<StoredLogin>>($"/logins/{user}"))!.Count >= perUser,
                    Patience,
                    $"{user}'s logins handled");
                stored!.Select(s => s.Event.Ip).Should().Equal(Enumerable.Range(0, perUser).Select(n => $"10.0.0.{n}"), "one user's logins share a partition and are handled in order, once");
                stored!.Select(s => s.Partition).Distinct().Should().ContainSingle();
            }

            (await http.GetStringAsync("/health")).Should().Be("Healthy");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
