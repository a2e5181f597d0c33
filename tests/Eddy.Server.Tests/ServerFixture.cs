using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Eddy.Server.Tests;

/// <summary>One server (embedded broker, ephemeral ports, a temporary data directory) shared by the tests of a collection.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public EddyServer Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "eddy-server-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        Server = await StartAsync(DataDirectory);
        Http = new HttpClient { BaseAddress = new Uri(Server.Urls[0]), Timeout = TimeSpan.FromSeconds(60) };
    }

    public static Task<EddyServer> StartAsync(string dataDirectory)
    {
        var options = new EddyServerOptions { DataDirectory = dataDirectory, BrokerPort = 0 };
        options.Listeners.Add("http://127.0.0.1:0");
        options.KeepAliveInterval = TimeSpan.FromMilliseconds(200);
        options.CommandResponseTimeout = TimeSpan.FromSeconds(1);
        return EddyServer.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A name no other test uses.</summary>
    public static string Name(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 9)].ToUpperInvariant();

    public Task<(HttpStatusCode Status, JsonElement Body)> KsqlAsync(string ksql, object? streamsProperties = null) => PostAsync(Http, "/ksql", new { ksql, streamsProperties = streamsProperties ?? new { } });

    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, string path, object body, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/vnd.ksql.v1+json"),
        };
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Runs statements and asserts they succeeded.</summary>
    public async Task<JsonElement> OkAsync(string ksql, object? streamsProperties = null)
    {
        var (status, body) = await KsqlAsync(ksql, streamsProperties);
        Assert.True(status == HttpStatusCode.OK, $"{ksql} -> {(int)status} {body}");
        return body;
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the deadline passes.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:F0}s waiting for {what}");
            }

            await Task.Delay(100);
        }
    }
}

[CollectionDefinition("server")]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>;
