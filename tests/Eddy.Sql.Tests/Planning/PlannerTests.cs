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

    private static void AssertAllPass(string json)
    {
        var result = new QttRunner().RunFile(QttLoader.Parse(json, "hand.json"));
        Assert.All(result.Runs, r => Assert.True(r.Outcome == QttOutcome.Passed, $"{r.Name}: {r.Reason}"));
    }

    [Fact]
    public void Aggregates_of_every_type_survive_the_repartition_and_the_store()
    {
        // The repartition topic and the aggregate store hold the internal binary rows: every type must read back as written.
        const string json = """
            { "tests": [
              { "name": "internal rows",
                "statements": ["CREATE STREAM i (k STRING KEY, g STRING, d DECIMAL(6,2), ts TIMESTAMP, dt DATE, tm TIME, b BOOLEAN, s STRUCT<A INT, B STRING>, arr ARRAY<BIGINT>, m MAP<STRING, DOUBLE>, bs BYTES) WITH (kafka_topic='in', value_format='JSON');",
                               "CREATE TABLE o AS SELECT g, LATEST_BY_OFFSET(d) AS d, LATEST_BY_OFFSET(ts) AS ts, LATEST_BY_OFFSET(dt) AS dt, LATEST_BY_OFFSET(tm) AS tm, LATEST_BY_OFFSET(b) AS b, COLLECT_LIST(s) AS s, COLLECT_LIST(arr) AS arr, COLLECT_LIST(m) AS m, LATEST_BY_OFFSET(bs) AS bs, COUNT(*) AS n FROM i GROUP BY g;"],
                "inputs": [
                  {"topic": "in", "key": "a", "value": {"G": "x", "D": 12.5, "TS": 1000, "DT": 3, "TM": 4000, "B": true, "S": {"A": 1, "B": "one"}, "ARR": [1, null], "M": {"k": 1.5}, "BS": "AQI="}},
                  {"topic": "in", "key": "b", "value": {"G": "x", "D": -0.01, "TS": 2000, "DT": 4, "TM": 5000, "B": false, "S": {"A": 300, "B": null}, "ARR": [], "M": {}, "BS": "AA=="}}
                ],
                "outputs": [
                  {"topic": "O", "key": "x", "value": {"D": 12.50, "TS": 1000, "DT": 3, "TM": 4000, "B": true, "S": [{"A": 1, "B": "one"}], "ARR": [[1, null]], "M": [{"k": 1.5}], "BS": "AQI=", "N": 1}},
                  {"topic": "O", "key": "x", "value": {"D": -0.01, "TS": 2000, "DT": 4, "TM": 5000, "B": false, "S": [{"A": 1, "B": "one"}, {"A": 300, "B": null}], "ARR": [[1, null], []], "M": [{"k": 1.5}, {}], "BS": "AA==", "N": 2}}
                ] }
            ] }
            """;
        AssertAllPass(json);
    }

    [Fact]
    public void Only_the_QTT_runner_registers_the_functions_of_ksqlDBs_test_jar()
    {
        Assert.Null(new FunctionRegistry().Describe("TEST_UDTF"));
        var registry = QttTestFunctions.Register(new FunctionRegistry());
        Assert.Equal(FunctionKind.Table, registry.KindOf("TEST_UDTF"));
        Assert.Equal(FunctionKind.Scalar, registry.KindOf("BAD_UDF"));

        // A GROUP BY expression that throws drops the row; the others are counted.
        const string json = """
            { "tests": [
              { "name": "bad group by",
                "statements": ["CREATE STREAM i (k STRING KEY, v BOOLEAN) WITH (kafka_topic='in', value_format='JSON');",
                               "CREATE TABLE o AS SELECT BAD_UDF(v) AS g, COUNT(*) AS n FROM i GROUP BY BAD_UDF(v);"],
                "inputs": [{"topic": "in", "key": "a", "value": {"V": true}}, {"topic": "in", "key": "b", "value": {"V": false}}],
                "outputs": [{"topic": "O", "key": 0, "value": {"N": 1}}] },
              { "name": "udtf",
                "statements": ["CREATE STREAM i (k STRING KEY, v BIGINT) WITH (kafka_topic='in', value_format='JSON');",
                               "CREATE STREAM o AS SELECT k, TEST_UDTF(v) AS x FROM i;"],
                "inputs": [{"topic": "in", "key": "a", "value": {"V": 7}}],
                "outputs": [{"topic": "O", "key": "a", "value": {"X": 7}}] }
            ] }
            """;
        AssertAllPass(json);
    }

    [Theory]
    [InlineData("SELECT * FROM s1 JOIN t2 ON s1.id = t2.id JOIN t3 ON s1.v = s1.v", "Each side of the join must reference exactly one source and not the same source. Left side references `S1` and right references `S1`")]
    [InlineData("SELECT * FROM s1 JOIN t2 ON s1.id = t2.id JOIN t3 ON s1.id = t2.id", "A join criteria is expected to reference the source (`T3`) in the FROM clause, instead the right source references `T2` and the left source references `S1`")]
    [InlineData("SELECT * FROM s1 JOIN t2 ON s1.id = t2.id AND s1.id = t2.id", "Invalid join condition: joins on multiple conditions are not yet supported. Got ((S1.ID = T2.ID) AND (S1.ID = T2.ID)).")]
    [InlineData("SELECT * FROM t2 JOIN s1 ON t2.id = s1.id", "Invalid join order: table-stream joins are not supported; only stream-table joins. Got T2 [INNER] JOIN S1.")]
    [InlineData("SELECT * FROM s1 FULL OUTER JOIN t2 ON s1.id = t2.id", "Invalid join type: full-outer join not supported for stream-table join. Got S1 [FULL] OUTER JOIN T2.")]
    [InlineData("SELECT s1.id, CAST(s1.s AS ARRAY<INT>) AS a FROM s1", "Invalid Select: Cast of STRING to ARRAY<INTEGER> is not supported")]
    public void Invalid_joins_and_casts_are_rejected_with_ksqlDBs_messages(string select, string message)
    {
        var catalog = new SourceCatalog();
        var functions = new FunctionRegistry();
        var analyzer = new SqlAnalyzer(catalog, functions);
        const string ddl = """
            CREATE STREAM s1 (id INT KEY, v BIGINT, s STRING) WITH (kafka_topic='s1', value_format='JSON');
            CREATE TABLE t2 (id INT PRIMARY KEY, v BIGINT) WITH (kafka_topic='t2', value_format='JSON');
            CREATE TABLE t3 (id INT PRIMARY KEY, v BIGINT) WITH (kafka_topic='t3', value_format='JSON');
            """;
        foreach (var st in SqlParser.ParseStatements(ddl))
        {
            catalog.Add(analyzer.AnalyzeCreateSource((CreateSource)st.Statement));
        }

        var e = Assert.ThrowsAny<SqlException>(() => analyzer.AnalyzeCreateAsSelect((CreateAsSelect)SqlParser.ParseStatement($"CREATE STREAM out AS {select};")));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
