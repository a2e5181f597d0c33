using Eddy.Sql.Engine;

namespace Eddy.Sql.Tests.Engine;

/// <summary>The engine over an in-memory command log: statements, results, validation and replay.</summary>
public sealed class SqlEngineTests
{
    private const string Setup = """
        CREATE STREAM orders (id BIGINT KEY, item STRING, price DOUBLE) WITH (kafka_topic='orders', value_format='JSON');
        CREATE TABLE totals AS SELECT item, SUM(price) AS total FROM orders GROUP BY item;
        """;

    [Fact]
    public async Task Statements_change_the_metastore_and_are_logged_in_order()
    {
        await using var log = new InMemoryCommandLog();
        using var engine = new SqlEngine(log);
        await engine.StartAsync();
        var results = await engine.ExecuteAsync(Setup);
        Assert.Equal("Stream created", Assert.IsType<CommandStatusEntity>(results[0]).Message);
        var created = Assert.IsType<CommandStatusEntity>(results[1]);
        Assert.Equal("CTAS_TOTALS_1", created.QueryId);
        Assert.Equal(1, created.CommandSequenceNumber);
        Assert.Equal(2, log.Commands.Count);

        var tables = Assert.IsType<SourceListEntity>(Assert.Single(await engine.ExecuteAsync("SHOW TABLES;")));
        Assert.Equal("TOTALS", Assert.Single(tables.Sources).Name);
        var description = Assert.IsType<SourceDescriptionEntity>(Assert.Single(await engine.ExecuteAsync("DESCRIBE orders;")));
        Assert.Equal(["CTAS_TOTALS_1"], description.ReadQueries);
        var explain = Assert.IsType<QueryDescriptionEntity>(Assert.Single(await engine.ExecuteAsync("EXPLAIN CTAS_TOTALS_1;")));
        Assert.Contains("Aggregate", explain.Text, StringComparison.Ordinal);
        Assert.Equal(2, log.Commands.Count); // reads are not logged
    }

    [Fact]
    public async Task A_metastore_only_engine_answers_catalog_statements_and_refuses_to_run_queries()
    {
        await using var log = new InMemoryCommandLog();
        await using var engine = new SqlEngine(log);
        await engine.ExecuteAsync(Setup + "CREATE TYPE money AS DECIMAL(10, 2);");
        Assert.Contains(Assert.IsType<FunctionListEntity>(Assert.Single(await engine.ExecuteAsync("SHOW FUNCTIONS;"))).Functions, f => f.Name == "SUM");
        Assert.Equal("SUM", Assert.IsType<FunctionDescriptionEntity>(Assert.Single(await engine.ExecuteAsync("DESCRIBE FUNCTION sum;"))).Function.Name);
        Assert.Equal(["MONEY"], Assert.IsType<TypeListEntity>(Assert.Single(await engine.ExecuteAsync("SHOW TYPES;"))).Types.Keys);
        Assert.Equal("RUNNING", Assert.Single(Assert.IsType<QueryListEntity>(Assert.Single(await engine.ExecuteAsync("SHOW QUERIES;"))).Queries).State);

        var push = await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteQueryAsync("SELECT * FROM orders EMIT CHANGES;", null));
        Assert.Contains("BootstrapServers", push.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SqlException>(() => engine.InsertRowAsync("ORDERS", System.Text.Json.JsonDocument.Parse("{}").RootElement));
        await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteAsync("INSERT INTO orders (id) VALUES (1);"));
        await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteAsync("SHOW TOPICS;"));
        Assert.Equal(3, log.Commands.Count);
    }

    [Fact]
    public async Task Invalid_statements_are_rejected_before_they_reach_the_log()
    {
        await using var log = new InMemoryCommandLog();
        using var engine = new SqlEngine(log);
        await engine.ExecuteAsync(Setup);
        var drop = await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteAsync("DROP STREAM orders;"));
        Assert.Contains("CTAS_TOTALS_1", drop.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteAsync("CREATE STREAM bad AS SELECT nope FROM orders;"));
        Assert.Equal(2, log.Commands.Count);

        await engine.ExecuteAsync("TERMINATE CTAS_TOTALS_1; DROP STREAM orders;");
        Assert.Null(engine.Sources.Find("ORDERS"));
        Assert.Empty(engine.Queries);
        Assert.Equal(4, log.Commands.Count);
    }

    [Fact]
    public async Task A_new_engine_replays_the_log_into_the_same_metastore()
    {
        await using var log = new InMemoryCommandLog();
        using (var first = new SqlEngine(log))
        {
            await first.ExecuteAsync(Setup);
            await first.ExecuteAsync("SET 'ksql.persistence.default.format.value'='JSON'; CREATE STREAM big AS SELECT id, price FROM orders WHERE price > 10;");
        }

        using var second = new SqlEngine(log);
        await second.StartAsync();
        Assert.Equal(["CSAS_BIG_2", "CTAS_TOTALS_1"], second.Queries.Select(q => q.Id).Order(StringComparer.Ordinal));
        Assert.Equal("`ID` BIGINT KEY, `PRICE` DOUBLE", second.Sources.Find("BIG")!.Schema.ToString());
        Assert.Equal("JSON", log.Commands[2].Properties["ksql.persistence.default.format.value"]);
    }

    [Fact]
    public void Commands_round_trip_through_their_JSON_form()
    {
        var command = new SqlCommand(7, "CREATE STREAM s (v INT) WITH (kafka_topic='s', value_format='JSON');", new Dictionary<string, string> { ["a"] = "b" });
        var back = SqlCommand.FromJson(7, command.ToJson());
        Assert.Equal(command.Statement, back.Statement);
        Assert.Equal("b", back.Properties["a"]);
        Assert.Throws<SqlException>(() => SqlCommand.FromJson(1, "not json"u8));
    }
}
