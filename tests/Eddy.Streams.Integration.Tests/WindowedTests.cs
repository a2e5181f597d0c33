using Eddy.Client;
using Eddy.Streams.Dsl;
using Eddy.Streams.SerDes;

namespace Eddy.Streams.Integration.Tests;

public sealed class WindowedTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Windowed_counts_survive_failover_and_are_queryable_with_a_compact_delete_changelog()
    {
        await using var cluster = await StreamsCluster.StartAsync();
        await cluster.Broker.CreateTopicAsync("clicks", 4);
        Topology Build()
        {
            var builder = new StreamsBuilder();
            builder.Stream<string, string>("clicks", Consumed.With(Serdes.String(), Serdes.String()))
                .GroupByKey(Grouped.With(Serdes.String(), Serdes.String()))
                .WindowedBy(TimeWindows.OfSizeWithNoGrace(TimeSpan.FromMinutes(1)))
                .Count(Materialized<string, long>.As("clicks-per-minute").WithKeySerde(Serdes.String()).WithValueSerde(Serdes.Int64()).WithRetention(TimeSpan.FromHours(1)));
            return builder.Build();
        }
        var a = await cluster.StartInstanceAsync(Build(), cluster.Config("win", cluster.StateDir(), 7901));
        var b = await cluster.StartInstanceAsync(Build(), cluster.Config("win", cluster.StateDir(), 7902));
        await Task.WhenAll(a.WaitForRunningAsync(Long), b.WaitForRunningAsync(Long));

        var start = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var expected = new Dictionary<(string, long), long>();
        async Task Produce(int from, int count)
        {
            await using var producer = new KafkaProducer<string, string>(new ProducerConfig { BootstrapServers = cluster.Bootstrap }, Serializers.Utf8, Serializers.Utf8);
            var sends = new List<Task>();
            for (var i = from; i < from + count; i++)
            {
                var user = "user" + (i % 20);
                var ts = start.AddSeconds(i);
                var window = ts.ToUnixTimeMilliseconds() / 60_000 * 60_000;
                expected[(user, window)] = expected.GetValueOrDefault((user, window)) + 1;
                sends.Add(producer.ProduceAsync("clicks", new Message<string, string> { Key = user, Value = "click", Timestamp = ts }));
            }
            await Task.WhenAll(sends);
        }
        Dictionary<(string, long), long> Query(params KafkaStreams[] instances)
        {
            var result = new Dictionary<(string, long), long>();
            foreach (var s in instances)
            {
                var store = s.Store(StoreQueryParameters.FromNameAndType("clicks-per-minute", QueryableStoreTypes.WindowStore<string, long>()));
                using var all = store.All();
                while (all.MoveNext())
                {
                    result[(all.Current.Key.Key, all.Current.Key.Window.Start)] = all.Current.Value;
                }
            }
            return result;
        }
        bool Matches(Dictionary<(string, long), long> actual) => actual.Count == expected.Count && expected.All(kv => actual.GetValueOrDefault(kv.Key) == kv.Value);

        await Produce(0, 600);
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(Matches(Query(a, b))), Long, () => $"{Query(a, b).Count} of {expected.Count} windows");
        var user3 = a.QueryMetadataForKey("clicks-per-minute", "user3", Serdes.String()).ActiveHost.Port == 7901 ? a : b;
        var fetched = user3.Store(StoreQueryParameters.FromNameAndType("clicks-per-minute", QueryableStoreTypes.WindowStore<string, long>()))
            .Fetch("user3", start.ToUnixTimeMilliseconds(), start.AddMinutes(20).ToUnixTimeMilliseconds());
        var windows = 0;
        while (fetched.MoveNext())
        {
            Assert.Equal(expected[("user3", fetched.Current.Key)], fetched.Current.Value);
            windows++;
        }
        fetched.Dispose();
        Assert.Equal(expected.Keys.Count(k => k.Item1 == "user3"), windows);

        await b.CloseAsync(TimeSpan.FromSeconds(30));
        await Produce(600, 200);
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(Matches(Query(a))), Long, () => $"{Query(a).Count} of {expected.Count} windows after failover; missing or wrong: " + string.Join(", ", expected.Where(kv => Query(a).GetValueOrDefault(kv.Key) != kv.Value).Take(8).Select(kv => $"{kv.Key.Item1}@{(kv.Key.Item2 - start.ToUnixTimeMilliseconds()) / 60000}={kv.Value} vs {Query(a).GetValueOrDefault(kv.Key)}")));

        await using var admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = cluster.Bootstrap });
        var configs = await admin.DescribeConfigsAsync([new ConfigResource(ConfigResourceType.Topic, "win-clicks-per-minute-changelog")]);
        Assert.Equal("compact,delete", configs[0].Entries.Single(e => e.Name == "cleanup.policy").Value);
    }
}
