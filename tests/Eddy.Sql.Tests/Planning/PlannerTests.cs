using System.Text;
using Eddy.Sql.Analysis;
using Eddy.Sql.Ast;
using Eddy.Sql.Functions;
using Eddy.Sql.Planning;
using Eddy.Sql.Qtt;
using Eddy.Sql.Testing;
using Eddy.Streams.SerDes;
using Eddy.Streams.Testing;

namespace Eddy.Sql.Tests.Planning;

/// <summary>Planned topologies run in the test driver; the QTT runner on hand-written files.</summary>
public sealed class PlannerTests
{
    private static (PlannedQuery Plan, SourceCatalog Catalog) Plan(string ddl, string query)
    {
        var catalog = new SourceCatalog();
        var functions = new FunctionRegistry();
        var analyzer = new SqlAnalyzer(catalog, functions);
        foreach (var s in SqlParser.ParseStatements(ddl))
        {
            catalog.Add(analyzer.AnalyzeCreateSource((CreateSource)s.Statement));
        }

        var analyzed = analyzer.AnalyzeCreateAsSelect((CreateAsSelect)SqlParser.ParseStatement(query));
        return (new SqlPlanner(functions).Plan(analyzed, SqlPlanner.QueryId(analyzed, false, 0)), catalog);
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void A_filter_and_projection_runs_in_the_test_driver_and_explains_itself()
    {
        var (plan, _) = Plan(
            "CREATE STREAM orders (id STRING KEY, item STRING, price DOUBLE) WITH (kafka_topic='orders', value_format='JSON');",
            "CREATE STREAM big AS SELECT id, UCASE(item) AS item, price * 2 AS dbl FROM orders WHERE price > 10;");
        Assert.Equal("CSAS_BIG_0", plan.QueryId);
        Assert.Equal("_confluent-ksql-default_query_CSAS_BIG_0", plan.ApplicationId);
        using var driver = new TopologyTestDriver(plan.Topology, plan.StreamsConfig());
        var input = driver.CreateInputTopic<byte[], byte[]>("orders", Serdes.ByteArray(), Serdes.ByteArray());
        var output = driver.CreateOutputTopic<byte[], byte[]>("BIG", Serdes.ByteArray(), Serdes.ByteArray());
        input.PipeInput(Utf8("a"), Utf8("{\"ITEM\":\"pen\",\"PRICE\":20.5}"), 5);
        input.PipeInput(Utf8("b"), Utf8("{\"ITEM\":\"cap\",\"PRICE\":3}"), 6);
        input.PipeInput(Utf8("c"), Utf8("not json"), 7); // skipped, not fatal
        var records = output.ReadRecordsToList();
        var r = Assert.Single(records);
        Assert.Equal("a", Encoding.UTF8.GetString(r.Key));
        using var value = System.Text.Json.JsonDocument.Parse(r.Value);
        Assert.Equal("PEN", value.RootElement.GetProperty("ITEM").GetString());
        Assert.Equal(41.0, value.RootElement.GetProperty("DBL").GetDouble());
        Assert.Equal(5, r.Timestamp);
        var explain = plan.Explain();
        Assert.Contains("Filter: WHERE", explain, StringComparison.Ordinal);
        Assert.Contains("Sub-topology: 0", explain, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_aggregation_undoes_the_old_row_when_a_table_row_changes_group()
    {
        var (plan, _) = Plan(
            "CREATE TABLE users (id STRING PRIMARY KEY, region STRING) WITH (kafka_topic='users', value_format='JSON');",
            "CREATE TABLE per_region AS SELECT region, COUNT(*) AS n FROM users GROUP BY region;");
        using var driver = new TopologyTestDriver(plan.Topology, plan.StreamsConfig());
        var input = driver.CreateInputTopic<byte[], byte[]>("users", Serdes.ByteArray(), Serdes.ByteArray());
        var output = driver.CreateOutputTopic<byte[], byte[]>("PER_REGION", Serdes.ByteArray(), Serdes.ByteArray());
        input.PipeInput(Utf8("u1"), Utf8("{\"REGION\":\"eu\"}"), 1);
        input.PipeInput(Utf8("u2"), Utf8("{\"REGION\":\"eu\"}"), 2);
        input.PipeInput(Utf8("u1"), Utf8("{\"REGION\":\"us\"}"), 3);
        var latest = new Dictionary<string, string>();
        foreach (var r in output.ReadRecordsToList())
        {
            latest[Encoding.UTF8.GetString(r.Key)] = Encoding.UTF8.GetString(r.Value);
        }

        Assert.Equal("{\"N\":1}", latest["eu"]);
        Assert.Equal("{\"N\":1}", latest["us"]);
    }

    [Fact]
    public void The_runner_reports_passes_failures_and_skips_of_a_QTT_file()
    {
        const string json = """
            { "tests": [
              { "name": "passes",
                "statements": ["CREATE STREAM i (k STRING KEY, v INT) WITH (kafka_topic='in', value_format='JSON');",
                               "CREATE STREAM o AS SELECT k, v + 1 AS w FROM i;"],
                "inputs": [{"topic": "in", "key": "a", "value": {"V": 1}, "timestamp": 3}],
                "outputs": [{"topic": "O", "key": "a", "value": {"W": 2}, "timestamp": 3}] },
              { "name": "fails",
                "statements": ["CREATE STREAM i (k STRING KEY, v INT) WITH (kafka_topic='in', value_format='JSON');",
                               "CREATE STREAM o AS SELECT k, v + 1 AS w FROM i;"],
                "inputs": [{"topic": "in", "key": "a", "value": {"V": 1}}],
                "outputs": [{"topic": "O", "key": "a", "value": {"W": 3}}] },
              { "name": "skips",
                "statements": ["CREATE STREAM i (k STRING KEY, v INT) WITH (kafka_topic='in', value_format='AVRO');"],
                "inputs": [], "outputs": [] },
              { "name": "expects an error",
                "statements": ["CREATE STREAM o AS SELECT * FROM missing;"],
                "expectedException": {"type": "io.confluent.ksql.util.KsqlStatementException", "message": "MISSING does not exist"} }
            ] }
            """;
        var result = new QttRunner().RunFile(QttLoader.Parse(json, "hand.json"));
        Assert.Equal(["Passed", "Failed", "Skipped", "Passed"], result.Runs.Select(r => r.Outcome.ToString()));
        Assert.Contains("expected {\"W\": 3}", result.Runs[1].Reason, StringComparison.Ordinal);
        Assert.Contains("AVRO", result.Runs[2].Reason, StringComparison.Ordinal);
        Assert.Equal("hand.json: 2 passed, 1 failed, 1 skipped", result.Summary);
    }
}
