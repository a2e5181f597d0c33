// SQL against hand-written DSL topologies for the same four queries, in one run, in-process through the
// topology test driver (JSON values in and out, KAFKA keys, record caching off as ksqlDB runs queries).
// Usage: dotnet run -c Release --project bench/Eddy.Sql.Benchmarks [-- --records N] [--only QUERY-NAME-PART]
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Eddy.Sql;
using Eddy.Sql.Analysis;
using Eddy.Sql.Ast;
using Eddy.Sql.Functions;
using Eddy.Sql.Planning;
using Eddy.Streams;
using Eddy.Streams.Dsl;
using Eddy.Streams.SerDes;
using Eddy.Streams.Testing;

var records = 200_000;
string? only = null;
for (var a = 0; a + 1 < args.Length; a += 2)
{
    switch (args[a])
    {
        case "--records":
            records = int.Parse(args[a + 1], CultureInfo.InvariantCulture);
            break;
        case "--only":
            only = args[a + 1];
            break;
        default:
            throw new ArgumentException($"Unknown option {args[a]}; use --records N and --only QUERY-NAME-PART.");
    }
}

var items = Enumerable.Range(0, 1000).Select(i => "item" + i).ToArray();
var rnd = new Random(42);
var orders = new (byte[] Key, byte[] Value, long Ts)[records];
for (var i = 0; i < records; i++)
{
    var key = new byte[8];
    BinaryPrimitives.WriteInt64BigEndian(key, i);
    var item = items[rnd.Next(items.Length)];
    var price = Math.Round(rnd.NextDouble() * 100, 2);
    orders[i] = (key, Encoding.UTF8.GetBytes($"{{\"ITEM\":\"{item}\",\"PRICE\":{price.ToString(CultureInfo.InvariantCulture)}}}"), i * 10L);
}

var itemRows = items.Select(i => (Encoding.UTF8.GetBytes(i), Encoding.UTF8.GetBytes($"{{\"CAT\":\"cat{i.Length % 7}\"}}"))).ToArray();

const string OrdersDdl = "CREATE STREAM orders (id BIGINT KEY, item STRING, price DOUBLE) WITH (kafka_topic='orders', value_format='JSON');";
const string ItemsDdl = "CREATE TABLE items (item STRING PRIMARY KEY, cat STRING) WITH (kafka_topic='items', value_format='JSON');";
var scenarios = new (string Name, string Sql, Func<Topology> Dsl, bool NeedsItems)[]
{
    ("filter + projection", "CREATE STREAM out AS SELECT id, item, price * 2 AS dbl FROM orders WHERE price > 50;", Dsl.FilterProject, false),
    ("GROUP BY count", "CREATE TABLE out AS SELECT item, COUNT(*) AS n FROM orders GROUP BY item;", Dsl.GroupCount, false),
    ("tumbling count", "CREATE TABLE out AS SELECT item, COUNT(*) AS n FROM orders WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY item;", Dsl.TumblingCount, false),
    ("stream-table join", "CREATE STREAM out AS SELECT o.item, o.price, i.cat FROM orders o JOIN items i ON o.item = i.item;", Dsl.Join, true),
};

Console.WriteLine($"{records:N0} records per run, JSON values, through TopologyTestDriver; records per CPU second, best of 3 runs, SQL and DSL runs alternating");
Console.WriteLine($"{"query",-22} {"SQL rec/s",12} {"DSL rec/s",12} {"SQL/DSL",8} {"SQL B/rec",10} {"DSL B/rec",10} {"SQL GCs 0/1/2",14} {"DSL GCs 0/1/2",14} {"SQL GC%",8} {"DSL GC%",8}");
foreach (var (name, sql, dsl, needsItems) in scenarios)
{
    if (only is not null && !name.Contains(only, StringComparison.OrdinalIgnoreCase))
    {
        continue;
    }

    // One untimed run each lets the JIT reach its optimized code first; alternating the timed runs keeps a
    // change in machine load from favouring one side.
    Measure(PlanSql(sql), "_confluent-ksql-default_query_bench", needsItems);
    Measure(dsl(), "dsl-bench", needsItems);
    Run sqlRun = default, dslRun = default;
    for (var run = 0; run < 3; run++)
    {
        var s = Measure(PlanSql(sql), "_confluent-ksql-default_query_bench", needsItems);
        sqlRun = s.Rate > sqlRun.Rate ? s : sqlRun;
        var d = Measure(dsl(), "dsl-bench", needsItems);
        dslRun = d.Rate > dslRun.Rate ? d : dslRun;
    }

    Console.WriteLine($"{name,-22} {sqlRun.Rate,12:N0} {dslRun.Rate,12:N0} {sqlRun.Rate / dslRun.Rate,8:F2} {sqlRun.BytesPerRecord,10:N0} {dslRun.BytesPerRecord,10:N0} {sqlRun.Gen0 + "/" + sqlRun.Gen1 + "/" + sqlRun.Gen2,14} {dslRun.Gen0 + "/" + dslRun.Gen1 + "/" + dslRun.Gen2,14} {sqlRun.PauseShare,8:P0} {dslRun.PauseShare,8:P0}");
}

// Allocation per record and the older-generation collections are printed beside the rate: with the
// workstation GC, rows that live long enough to be promoted cost more than the work on them.
Run Measure(Topology topology, string appId, bool needsItems)
{
    var config = new StreamsConfig { ApplicationId = appId, StateStoreCacheMaxBytes = 0 };
    using var driver = new TopologyTestDriver(topology, config);
    if (needsItems)
    {
        var itemsTopic = driver.CreateInputTopic<byte[], byte[]>("items", Serdes.ByteArray(), Serdes.ByteArray());
        foreach (var (k, v) in itemRows)
        {
            itemsTopic.PipeInput(k, v, 0);
        }
    }

    var input = driver.CreateInputTopic<byte[], byte[]>("orders", Serdes.ByteArray(), Serdes.ByteArray());
    var output = driver.CreateOutputTopic<byte[], byte[]>("OUT", Serdes.ByteArray(), Serdes.ByteArray());
    // CPU time of the process rather than wall time: the machine is shared, and time spent waiting for a
    // core says nothing about either topology.
    var process = Process.GetCurrentProcess();
    var cpu0 = process.TotalProcessorTime;
    var allocated0 = GC.GetTotalAllocatedBytes();
    var pause0 = GC.GetTotalPauseDuration();
    var gen0 = GC.CollectionCount(0);
    var gen1 = GC.CollectionCount(1);
    var gen2 = GC.CollectionCount(2);
    for (var i = 0; i < orders.Length; i++)
    {
        input.PipeInput(orders[i].Key, orders[i].Value, orders[i].Ts);
        if ((i & 1023) == 0)
        {
            output.ReadRecordsToList();
        }
    }

    var produced = output.ReadRecordsToList().Count;
    process.Refresh();
    var cpu = process.TotalProcessorTime - cpu0;
    GC.KeepAlive(produced);
    return new Run(orders.Length / cpu.TotalSeconds, (GC.GetTotalAllocatedBytes() - allocated0) / orders.Length,
        GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2, (GC.GetTotalPauseDuration() - pause0) / cpu);
}

static Topology PlanSql(string sql)
{
    var catalog = new SourceCatalog();
    var functions = new FunctionRegistry();
    var analyzer = new SqlAnalyzer(catalog, functions);
    catalog.Add(analyzer.AnalyzeCreateSource((CreateSource)SqlParser.ParseStatement(OrdersDdl)));
    catalog.Add(analyzer.AnalyzeCreateSource((CreateSource)SqlParser.ParseStatement(ItemsDdl)));
    var analyzed = analyzer.AnalyzeCreateAsSelect((CreateAsSelect)SqlParser.ParseStatement(sql));
    return new SqlPlanner(functions).Plan(analyzed, "bench").Topology;
}

internal readonly record struct Run(double Rate, long BytesPerRecord, int Gen0, int Gen1, int Gen2, double PauseShare);

/// <summary>The same four queries written by hand with the DSL: typed records, System.Text.Json.</summary>
internal static class Dsl
{
    private static readonly ISerde<byte[]> Bytes = Serdes.ByteArray();

    private sealed record Order(string? Item, double Price);

    private static Order? ReadOrder(byte[] value)
    {
        var reader = new Utf8JsonReader(value);
        string? item = null;
        double price = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("ITEM"u8))
                {
                    reader.Read();
                    item = reader.GetString();
                }
                else if (reader.ValueTextEquals("PRICE"u8))
                {
                    reader.Read();
                    price = reader.GetDouble();
                }
            }
        }

        return new Order(item, price);
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static Topology FilterProject()
    {
        var b = new StreamsBuilder();
        b.Stream("orders", Consumed.With(Bytes, Bytes))
            .MapValues(v => ReadOrder(v)!)
            .Filter((_, o) => o.Price > 50)
            .MapValues(o => Write(w => { w.WriteString("ITEM", o.Item); w.WriteNumber("DBL", o.Price * 2); }))
            .To("OUT", Produced.With(Bytes, Bytes));
        return b.Build();
    }

    public static Topology GroupCount()
    {
        var b = new StreamsBuilder();
        b.Stream("orders", Consumed.With(Bytes, Bytes))
            .MapValues(v => ReadOrder(v)!)
            .GroupBy((_, o) => o.Item!, Grouped.With(Serdes.String(), Serdes.Json<Order>()))
            .Count(Materialized<string, long>.With(Serdes.String(), Serdes.Int64()))
            .ToStream()
            .Map((k, n) => new KeyValue<byte[], byte[]>(Encoding.UTF8.GetBytes(k), Write(w => w.WriteNumber("N", n))))
            .To("OUT", Produced.With(Bytes, Bytes));
        return b.Build();
    }

    public static Topology TumblingCount()
    {
        var b = new StreamsBuilder();
        b.Stream("orders", Consumed.With(Bytes, Bytes))
            .MapValues(v => ReadOrder(v)!)
            .GroupBy((_, o) => o.Item!, Grouped.With(Serdes.String(), Serdes.Json<Order>()))
            .WindowedBy(TimeWindows.OfSizeAndGrace(TimeSpan.FromMinutes(1), TimeSpan.FromHours(24) - TimeSpan.FromMinutes(1)))
            .Count(Materialized<string, long>.With(Serdes.String(), Serdes.Int64()))
            .ToStream()
            .Map((k, n) =>
            {
                var key = Encoding.UTF8.GetBytes(k.Key);
                var bytes = new byte[key.Length + 8];
                key.CopyTo(bytes, 0);
                BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(key.Length), k.Window.Start);
                return new KeyValue<byte[], byte[]>(bytes, Write(w => w.WriteNumber("N", n)));
            })
            .To("OUT", Produced.With(Bytes, Bytes));
        return b.Build();
    }

    public static Topology Join()
    {
        var b = new StreamsBuilder();
        var items = b.Table("items", Consumed.With(Serdes.String(), Bytes), Materialized<string, byte[]>.With(Serdes.String(), Bytes));
        b.Stream("orders", Consumed.With(Bytes, Bytes))
            .MapValues(v => ReadOrder(v)!)
            .SelectKey((_, o) => o.Item!)
            .Repartition(Repartitioned<string, Order>.With(Serdes.String(), Serdes.Json<Order>()))
            .Join(items, (o, i) =>
            {
                var doc = JsonDocument.Parse(i);
                var cat = doc.RootElement.GetProperty("CAT").GetString();
                return Write(w => { w.WriteNumber("PRICE", o.Price); w.WriteString("CAT", cat); });
            })
            .Map((k, v) => new KeyValue<byte[], byte[]>(Encoding.UTF8.GetBytes(k), v))
            .To("OUT", Produced.With(Bytes, Bytes));
        return b.Build();
    }
}
