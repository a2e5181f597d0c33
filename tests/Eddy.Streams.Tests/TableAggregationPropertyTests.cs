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
