using System.Buffers.Binary;
using Eddy.Protocol.Messages;

namespace Eddy.Broker.Tests;

/// <summary>
/// Malformed, oversized and random input: the broker answers or closes that one connection, keeps
/// serving the others, and its memory stays bounded.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private KafkaBroker _broker = null!;

    public async Task InitializeAsync() =>
        _broker = await KafkaBroker.StartAsync(new BrokerOptions { DataDirectory = _dir.Path, Port = 0 });

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _dir.Dispose();
    }

    private async Task AssertStillServesAsync()
    {
        using var client = await WireClient.ConnectAsync(_broker.Endpoints[0]);
        var response = await client.RoundTripAsync<MetadataResponse>(new MetadataRequest { Topics = null }, 1);
        Assert.Single(response.Brokers);
    }

    private async Task AssertClosedAsync(byte[] bytes)
    {
        using var client = await WireClient.ConnectAsync(_broker.Endpoints[0]);
        await client.SendRawAsync(bytes);
        Assert.True(await client.IsClosedByPeerAsync(TimeSpan.FromSeconds(10)), "the broker kept the connection open");
    }

    private static byte[] Frame(int declaredSize, byte[] body)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, declaredSize);
        body.CopyTo(frame, 4);
        return frame;
    }

    [Fact]
    public async Task An_oversized_frame_is_refused_before_its_bytes_arrive()
    {
        // 200 MiB declared, 100 MiB allowed (socket.request.max.bytes): closed at once, nothing buffered.
        await AssertClosedAsync(Frame(200 << 20, new byte[16]));
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_negative_frame_size_closes_the_connection()
    {
        await AssertClosedAsync(Frame(-5, new byte[8]));
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_tls_client_hello_on_the_plaintext_port_closes_the_connection()
    {
        // The start of a TLS 1.2 ClientHello: read as a Kafka size it is 0x16030100 (369,295,616 bytes).
        byte[] hello = [0x16, 0x03, 0x01, 0x00, 0xC8, 0x01, 0x00, 0x00, 0xC4, 0x03, 0x03, 0x5A, 0x5A, 0x5A, 0x5A];
        await AssertClosedAsync(hello);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task An_absurd_array_length_is_refused_without_allocating_it()
    {
        // Metadata v1: header (key 3, version 1, correlation 1, client id "x"), then topics count int.MaxValue.
        var body = new byte[] { 0, 3, 0, 1, 0, 0, 0, 1, 0, 1, (byte)'x', 0x7F, 0xFF, 0xFF, 0xFF };
        long before = GC.GetAllocatedBytesForCurrentThread();
        await AssertClosedAsync(Frame(body.Length, body));
        await AssertStillServesAsync();
        Assert.True(GC.GetTotalMemory(forceFullCollection: true) < 1L << 30);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L << 20);
    }

    [Fact]
    public async Task An_unknown_api_key_closes_the_connection()
    {
        var body = new byte[] { 0x03, 0xE7, 0, 0, 0, 0, 0, 1, 0, 1, (byte)'x' };
        await AssertClosedAsync(Frame(body.Length, body));
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Random_frames_get_an_answer_or_a_closed_connection_and_memory_stays_bounded()
    {
        var random = new Random(1234);
        GC.Collect();
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        var tasks = new List<Task>();
        for (int round = 0; round < 300; round++)
        {
            int seed = random.Next();
            tasks.Add(Task.Run(async () =>
            {
                var r = new Random(seed);
                using var client = await WireClient.ConnectAsync(_broker.Endpoints[0]);
                var body = new byte[r.Next(0, 2048)];
                r.NextBytes(body);
                if (body.Length >= 4 && r.Next(2) == 0)
                {
                    // Often a real API key and version, so decoders see garbage bodies, not just unknown keys.
                    var api = KafkaApis.All[r.Next(KafkaApis.All.Count)];
                    BinaryPrimitives.WriteInt16BigEndian(body, (short)api.Key);
                    BinaryPrimitives.WriteInt16BigEndian(body.AsSpan(2), api.MaxSupported);
                }

                await client.SendRawAsync(Frame(body.Length, body));
                var answer = await client.ReceiveFrameAsync(TimeSpan.FromSeconds(10));
                _ = answer;
            }));
            if (tasks.Count >= 20)
            {
                await Task.WhenAll(tasks);
                tasks.Clear();
            }
        }

        await Task.WhenAll(tasks);
        await AssertStillServesAsync();
        GC.Collect();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(after - baseline < 64L << 20, $"managed memory grew by {(after - baseline) >> 20} MiB");
    }

    [Fact]
    public async Task A_half_sent_frame_from_a_client_that_hangs_up_is_discarded()
    {
        using (var client = await WireClient.ConnectAsync(_broker.Endpoints[0]))
        {
            await client.SendRawAsync(Frame(10 << 20, new byte[64 * 1024]));
        }

        await AssertStillServesAsync();
    }
}
