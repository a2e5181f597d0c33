using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.Internal.State;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Tests;

/// <summary>Stores tested through a real task context (its record collector captures changelog writes).</summary>
public class StoreTests
{
    private sealed class CapturingProducer : IStreamsProducer
    {
        public List<Errors.ProducerRecord> Sent { get; } = [];

        public int? PartitionsFor(string topic) => 1;

        public void Send(in Errors.ProducerRecord record) => Sent.Add(record);

        public void Flush() { }
    }

    private static (TaskContext Context, CapturingProducer Producer) Context(long cacheBytes = 1 << 20)
    {
        var producer = new CapturingProducer();
        var config = new StreamsConfig { ApplicationId = "stores" };
        var ctx = new TaskContext(new TaskId(0, 3), config, new RecordCollector(producer, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance),
            new ThreadCache(cacheBytes), new Dictionary<string, IStateStore>(), [], false);
        return (ctx, producer);
    }

    private static IKeyValueStore<string, long> Open(StoreBuilder<IKeyValueStore<string, long>> builder, TaskContext ctx)
    {
        var store = builder.Build();
        store.Init(ctx, store);
        return store;
    }

    private static StoreBuilder<IKeyValueStore<string, long>> InMemory(string name = "s") => Stores.KeyValueStoreBuilder(Stores.InMemoryKeyValueStore(name), Serdes.String(), Serdes.Int64());

    [Fact]
    public void Key_value_store_supports_point_operations()
    {
        var (ctx, _) = Context();
        var store = Open(InMemory().WithLoggingDisabled(), ctx);
        store.Put("a", 1);
        Assert.Equal(1, store.Get("a"));
        Assert.Equal(1, store.PutIfAbsent("a", 5));
        Assert.Equal(0, store.PutIfAbsent("b", 2));
        store.PutAll([KeyValue.Pair<string, long>("c", 3), KeyValue.Pair<string, long>("d", 4)]);
        Assert.Equal(4, store.ApproximateNumEntries);
        Assert.Equal(3, store.Delete("c"));
        Assert.False(store.TryGet("c", out _));
        Assert.Equal(3, store.ApproximateNumEntries);
    }

    [Fact]
    public void Ranges_follow_serialized_key_byte_order_in_both_directions()
    {
        var (ctx, _) = Context();
        var store = Open(InMemory().WithLoggingDisabled(), ctx);
        foreach (var k in new[] { "b", "a", "ab", "c", "B" })
        {
            store.Put(k, k.Length);
        }
        static string[] Keys(IKeyValueIterator<string, long> it)
        {
            using (it)
            {
                return it.Select(kv => kv.Key).ToArray();
            }
        }
        // UTF-8 bytes compare as unsigned: "B" (0x42) sorts before "a" (0x61).
        Assert.Equal(["B", "a", "ab", "b", "c"], Keys(store.All()));
        Assert.Equal(["c", "b", "ab", "a", "B"], Keys(store.ReverseAll()));
        Assert.Equal(["a", "ab", "b"], Keys(store.Range("a", "b")));
        Assert.Equal(["b", "ab", "a"], Keys(store.ReverseRange("a", "b")));
        Assert.Empty(Keys(store.Range("c", "a")));
        Assert.Equal(["a", "ab"], Keys(store.PrefixScan("a", Serdes.String())));
    }

    [Fact]
    public void Iterators_peek_and_survive_concurrent_deletes()
    {
        var (ctx, _) = Context();
        var store = Open(InMemory().WithLoggingDisabled(), ctx);
        store.Put("a", 1);
        store.Put("b", 2);
        store.Put("c", 3);
        using var it = store.All();
        Assert.True(it.TryPeekNextKey(out var first));
        Assert.Equal("a", first);
        store.Delete("b");
        Assert.Equal(["a", "c"], it.Select(kv => kv.Key));
    }

    [Fact]
    public void Change_logging_sends_every_write_to_the_changelog_partition_of_the_task()
    {
        var (ctx, producer) = Context();
        var store = Open(InMemory("counts"), ctx);
        ctx.RecordContext = new ProcessorRecordContext(77, 5, 3, "in", null);
        store.Put("a", 1);
        store.Delete("a");
        Assert.Equal(2, producer.Sent.Count);
        Assert.All(producer.Sent, r => Assert.Equal(("stores-counts-changelog", (int?)3, 77L), (r.Topic, r.Partition, r.Timestamp)));
        Assert.Equal("a"u8.ToArray(), producer.Sent[0].Key);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 1 }, producer.Sent[0].Value);
        Assert.Null(producer.Sent[1].Value);
    }

    [Fact]
    public void Cache_absorbs_writes_until_flush_and_merges_with_the_store_in_ranges()
    {
        var (ctx, producer) = Context();
        var store = Open(InMemory("cached").WithCachingEnabled(), ctx);
        store.Put("a", 1);
        store.Put("a", 2);
        store.Put("b", 3);
        Assert.Empty(producer.Sent);
        Assert.Equal(2, store.Get("a"));
        store.Flush();
        Assert.Equal(2, producer.Sent.Count);
        store.Delete("b");
        store.Put("c", 4);
        using (var it = store.All())
        {
            Assert.Equal(["a", "c"], it.Select(kv => kv.Key));
        }
        store.Flush();
        Assert.Equal(4, producer.Sent.Count);
        Assert.Null(producer.Sent[2].Value);
    }

    [Fact]
    public void Cache_evicts_and_flushes_dirty_entries_when_full()
    {
        var (ctx, producer) = Context(cacheBytes: 300);
        var store = Open(InMemory("small").WithCachingEnabled(), ctx);
        for (var i = 0; i < 10; i++)
        {
            store.Put("k" + i, i);
        }
        Assert.NotEmpty(producer.Sent);
        store.Flush();
        Assert.Equal(10, producer.Sent.Select(r => System.Text.Encoding.UTF8.GetString(r.Key!)).Distinct().Count());
    }

    [Fact]
    public void Lru_map_keeps_the_most_recently_used_entries_and_logs_evictions()
    {
        var (ctx, producer) = Context();
        var store = Open(Stores.KeyValueStoreBuilder(Stores.LruMap("lru", 2), Serdes.String(), Serdes.Int64()), ctx);
        store.Put("a", 1);
        store.Put("b", 2);
        _ = store.Get("a");
        store.Put("c", 3);
        Assert.True(store.TryGet("a", out _));
        Assert.False(store.TryGet("b", out _));
        Assert.Contains(producer.Sent, r => r.Value is null && r.Key!.SequenceEqual("b"u8.ToArray()));
    }

    [Fact]
    public void Timestamped_store_keeps_value_and_timestamp_and_restores_from_changelog_records()
    {
        var (ctx, _) = Context();
        var store = Stores.TimestampedKeyValueStoreBuilder(Stores.InMemoryKeyValueStore("ts"), Serdes.String(), Serdes.String()).Build();
        store.Init(ctx, store);
        store.Put("k", ValueAndTimestamp.Make("v", 42));
        Assert.Equal(ValueAndTimestamp.Make("v", 42), store.Get("k"));
        ctx.Restore("ts", [("r"u8.ToArray(), "restored"u8.ToArray(), 9L), ("k"u8.ToArray(), null, 10L)]);
        Assert.Equal(ValueAndTimestamp.Make("restored", 9), store.Get("r"));
        Assert.False(store.TryGet("k", out _));
    }

    [Fact]
    public void Stores_close_with_their_task()
    {
        var (ctx, _) = Context();
        var store = Open(InMemory().WithLoggingDisabled(), ctx);
        Assert.True(store.IsOpen);
        store.Close();
        Assert.False(store.IsOpen);
    }
}

public class StoreLookupPathTests
{
    [Theory]
    [InlineData(true, 5)]
    [InlineData(false, 5)]
    [InlineData(true, 400)]
    [InlineData(false, 400)]
    public void Counts_are_exact_for_short_and_long_keys_with_and_without_cache(bool caching, int keyLength)
    {
        var builder = new StreamsBuilder();
        var m = Dsl.Materialized<string, long>.As("c");
        builder.Stream<string, string>("in").GroupByKey().Count(caching ? m : m.WithCachingDisabled());
        using var driver = new Testing.TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "lk" });
        var input = driver.CreateInputTopic<string, string>("in");
        var keys = Enumerable.Range(0, 20).Select(i => new string((char)('a' + i), keyLength)).ToArray();
        for (var round = 0; round < 3; round++)
        {
            foreach (var k in keys)
            {
                input.PipeInput(k, "v");
            }
        }
        var store = driver.GetKeyValueStore<string, long>("c")!;
        Assert.All(keys, k => Assert.Equal(3L, store.Get(k)));
        store.Delete(keys[0]);
        Assert.False(store.TryGet(keys[0], out _));
        input.PipeInput(keys[0], "v");
        Assert.Equal(1L, store.Get(keys[0]));
    }
}
