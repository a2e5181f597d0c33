using System.Collections.Concurrent;
using Eddy.Client;

namespace Eddy.Compatibility.Tests.Client;

internal static class ClientTestHelpers
{
    public static string NewTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    public static async Task ProduceAsync(string bootstrap, string topic, int count, Func<int, string>? key = null, int partition = -1)
    {
        await using var producer = new KafkaProducer<string, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }, Serializers.Utf8, Serializers.Utf8);
        var tasks = new List<Task>();
        for (int i = 0; i < count; i++)
        {
            var message = new Message<string, string> { Key = key?.Invoke(i) ?? $"key-{i}", Value = $"value-{i}" };
            tasks.Add(partition >= 0 ? producer.ProduceAsync(new TopicPartition(topic, partition), message) : producer.ProduceAsync(topic, message));
        }

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Consumes in a loop, committing after each batch, until stopped; records what it saw.</summary>
    public sealed class Member : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Member(string name, ConsumerConfig config, string topic, Microsoft.Extensions.Logging.ILoggerFactory? logger = null)
        {
            Name = name;
            Consumer = new KafkaConsumer<string, string>(config, Deserializers.Utf8, Deserializers.Utf8, logger);
            Consumer.Subscribe([topic], new RebalanceListener
            {
                Assigned = (p, _) => { Events.Enqueue($"{name} assigned {string.Join(",", p)}"); return ValueTask.CompletedTask; },
                Revoked = async (p, ct) =>
                {
                    Events.Enqueue($"{name} revoked {string.Join(",", p)}");
                    try
                    {
                        await Consumer.CommitAsync(ct);
                    }
                    catch (CommitFailedException e)
                    {
                        // librdkafka's mock cluster refuses commits while the group prepares a rebalance (Kafka accepts them).
                        Events.Enqueue($"{name} commit on revoke failed: {e.Error}");
                    }
                },
            });
            _loop = Task.Run(RunAsync);
        }

        public string Name { get; }

        public KafkaConsumer<string, string> Consumer { get; }

        public ConcurrentQueue<ConsumeResult<string, string>> Records { get; } = new();

        public ConcurrentQueue<string> Events { get; } = new();

        public Exception? Error { get; private set; }

        private async Task RunAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var batch = await Consumer.ConsumeAsync(TimeSpan.FromMilliseconds(200), _stop.Token);
                    foreach (var r in batch)
                    {
                        Records.Enqueue(r);
                    }

                    if (batch.Count > 0)
                    {
                        try
                        {
                            await Consumer.CommitAsync(batch.GroupBy(r => r.TopicPartition).Select(g => g.Last().NextOffset), _stop.Token);
                        }
                        catch (CommitFailedException e)
                        {
                            // A rebalance started: the records may be redelivered to the next owner (at least once).
                            Events.Enqueue($"{Name} commit failed: {e.Error}");
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Error = e;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            await Consumer.DisposeAsync();
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met within {timeout.TotalSeconds} s: {describe()}");
            }

            await Task.Delay(50);
        }
    }
}
