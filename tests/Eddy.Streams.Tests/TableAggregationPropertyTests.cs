using Eddy.Streams.Dsl;
using Eddy.Streams.SerDes;
using Eddy.Streams.Testing;

namespace Eddy.Streams.Tests;

/// <summary>
/// Differential test: a KGroupedTable aggregation maintained incrementally with adder and subtractor must equal the
/// aggregate recomputed in one batch (LINQ GroupBy) from the table's final contents.
/// </summary>
public class TableAggregationPropertyTests
{
    [Theory]
    [InlineData(42, true)]
    [InlineData(42, false)]
    [InlineData(7, true)]
    [InlineData(2024, false)]
    public void Grouped_table_aggregate_equals_the_aggregate_recomputed_from_the_final_table(int seed, bool caching)
    {
        var random = new Random(seed);
        var builder = new StreamsBuilder();
        var grouped = builder.Table<string, string?>("rows")
            .GroupBy((row, value) => KeyValue.Pair(value!.Split(':')[0], long.Parse(value.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)),
                Grouped.With(Serdes.String(), Serdes.Int64()));
        var sumMaterialized = Materialized<string, long>.As("sums").WithValueSerde(Serdes.Int64());
        var countMaterialized = Materialized<string, long>.As("counts");
        grouped.Aggregate(() => 0L, (g, v, agg) => agg + v, (g, v, agg) => agg - v,
            caching ? sumMaterialized : sumMaterialized.WithCachingDisabled()).ToStream().To("sums-out");
        grouped.Count(caching ? countMaterialized : countMaterialized.WithCachingDisabled()).ToStream().To("counts-out");

        using var driver = new TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "prop" });
        var input = driver.CreateInputTopic<string, string?>("rows");
        var table = new Dictionary<string, string>();
        for (var i = 0; i < 2000; i++)
        {
            var row = "r" + random.Next(40);
            string? value = random.Next(6) == 0 ? null : $"g{random.Next(6)}:{random.Next(-50, 100)}";
            input.PipeInput(row, value, i);
            if (value is null)
            {
                table.Remove(row);
            }
            else
            {
                table[row] = value;
            }
        }

        var expectedSums = table.Values.GroupBy(v => v.Split(':')[0]).ToDictionary(g => g.Key, g => g.Sum(v => long.Parse(v.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)));
        var expectedCounts = table.Values.GroupBy(v => v.Split(':')[0]).ToDictionary(g => g.Key, g => (long)g.Count());
        var sums = driver.GetKeyValueStore<string, long>("sums")!;
        var counts = driver.GetKeyValueStore<string, long>("counts")!;
        var sumsOut = driver.CreateOutputTopic<string, long>("sums-out").ReadKeyValuesToMap();
        var countsOut = driver.CreateOutputTopic<string, long>("counts-out").ReadKeyValuesToMap();
        for (var g = 0; g < 6; g++)
        {
            var group = "g" + g;
            var expectedSum = expectedSums.GetValueOrDefault(group);
            var expectedCount = expectedCounts.GetValueOrDefault(group);
            Assert.Equal(expectedSum, sums.Get(group));
            Assert.Equal(expectedCount, counts.Get(group));
            Assert.Equal(expectedSum, sumsOut.GetValueOrDefault(group));
            Assert.Equal(expectedCount, countsOut.GetValueOrDefault(group));
        }
    }
}

/// <summary>Differential test for stream aggregations: incremental results equal a batch GroupBy over all input.</summary>
public class StreamAggregationPropertyTests
{
    [Theory]
    [InlineData(11, 0L)]
    [InlineData(12, 600L)]
    [InlineData(13, StreamsConfig.DefaultStateStoreCacheMaxBytes)]
    public void Stream_count_reduce_and_aggregate_equal_a_batch_group_by(int seed, long cacheBytes)
    {
        var random = new Random(seed);
        var builder = new StreamsBuilder();
        var grouped = builder.Stream("in", Consumed.With(Serdes.String(), Serdes.Int64()))
            .SelectKey((k, v) => "g" + (v % 7))
            .GroupByKey(Grouped.With(Serdes.String(), Serdes.Int64()));
        grouped.Count(Materialized<string, long>.As("count")).ToStream().To("count-out");
        grouped.Reduce(Math.Max, Materialized<string, long>.As("max")).ToStream().To("max-out");
        grouped.Aggregate(() => "", (k, v, agg) => agg.Length > 40 ? agg : agg + v.ToString(System.Globalization.CultureInfo.InvariantCulture)[^1],
            Materialized<string, string>.As("digits").WithValueSerde(Serdes.String())).ToStream().To("digits-out");
        using var driver = new TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "sprop", StateStoreCacheMaxBytes = cacheBytes });
        var input = driver.CreateInputTopic<string, long>("in");
        var all = new List<long>();
        for (var i = 0; i < 1500; i++)
        {
            var v = (long)random.Next(0, 10_000);
            all.Add(v);
            input.PipeInput("k" + random.Next(10), v, i);
        }
        var byGroup = all.GroupBy(v => "g" + (v % 7)).ToDictionary(g => g.Key, g => g.ToList());
        var counts = driver.CreateOutputTopic<string, long>("count-out").ReadKeyValuesToMap();
        var maxes = driver.CreateOutputTopic<string, long>("max-out").ReadKeyValuesToMap();
        var digits = driver.CreateOutputTopic<string, string>("digits-out").ReadKeyValuesToMap();
        foreach (var (g, values) in byGroup)
        {
            Assert.Equal(values.Count, counts[g]);
            Assert.Equal(values.Max(), maxes[g]);
            var expectedDigits = "";
            foreach (var v in values)
            {
                expectedDigits = expectedDigits.Length > 40 ? expectedDigits : expectedDigits + v.ToString(System.Globalization.CultureInfo.InvariantCulture)[^1];
            }
            Assert.Equal(expectedDigits, digits[g]);
            Assert.Equal(values.Count, driver.GetKeyValueStore<string, long>("count")!.Get(g));
        }
    }
}
