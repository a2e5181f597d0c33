using System.Buffers.Binary;
using System.Text.Json;
using Eddy.Sql.Engine;
using Xunit.Abstractions;

namespace Eddy.Sql.Tests.Engine;

/// <summary>The SQL engine running its statements on the real embedded broker: topics, persistent, push and pull queries, inserts, restart.</summary>
public sealed class EngineOnKafkaTests(EngineCluster cluster, ITestOutputHelper output) : IClassFixture<EngineCluster>
{
    private static readonly Dictionary<string, string> Earliest = new(StringComparer.Ordinal) { ["auto.offset.reset"] = "earliest" };

    [Fact]
    public async Task Insert_values_writes_key_and_value_in_the_source_formats_and_csas_copies_rows_to_its_topic()
    {
        await using var engine = await cluster.StartEngineAsync();
        await engine.ExecuteAsync("""
            CREATE STREAM iv_src (id INT KEY, name STRING, amount DOUBLE) WITH (kafka_topic='iv_src', value_format='JSON', partitions=2);
            INSERT INTO iv_src (id, name, amount, ROWTIME) VALUES (7, 'seven', 1.5, 1000);
            INSERT INTO iv_src (id, name) VALUES (8, 'eight');
            """);
        var raw = await cluster.ReadAsync("iv_src", 2);
        Assert.Equal(2, raw.Count);
        var seven = raw.Single(r => BinaryPrimitives.ReadInt32BigEndian(r.Key) == 7);
        Assert.Equal("""{"NAME":"seven","AMOUNT":1.5}""", EngineCluster.Text(seven.Value));
        Assert.Equal(1000, seven.TimestampMs);
        var eight = raw.Single(r => BinaryPrimitives.ReadInt32BigEndian(r.Key) == 8);
        Assert.Equal("""{"NAME":"eight","AMOUNT":null}""", EngineCluster.Text(eight.Value));

        await engine.ExecuteAsync("SET 'auto.offset.reset'='earliest';");
        var status = Assert.IsType<CommandStatusEntity>(Assert.Single(await engine.ExecuteAsync("CREATE STREAM iv_big WITH (kafka_topic='iv_big', value_format='DELIMITED') AS SELECT id, name FROM iv_src WHERE id > 7;")));
        Assert.Equal("CSAS_IV_BIG_1", status.QueryId);
        var output = await cluster.ReadAsync("iv_big", 1);
        var row = Assert.Single(output);
        Assert.Equal(8, BinaryPrimitives.ReadInt32BigEndian(row.Key));
        Assert.Equal("eight", EngineCluster.Text(row.Value));
        Assert.Contains("iv_big", await cluster.TopicsAsync());
        var queries = Assert.IsType<QueryListEntity>(Assert.Single(await engine.ExecuteAsync("SHOW QUERIES;")));
        Assert.Equal("RUNNING", Assert.Single(queries.Queries).State);
    }

    [Fact]
    public async Task A_push_query_with_limit_gets_rows_inserted_after_it_started()
    {
        await using var engine = await cluster.StartEngineAsync();
        await engine.ExecuteAsync("CREATE STREAM pq_src (id BIGINT KEY, v STRING) WITH (kafka_topic='pq_src', value_format='JSON', partitions=1);");
        await engine.ExecuteAsync("INSERT INTO pq_src (id, v) VALUES (0, 'before');");
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var query = await engine.ExecuteQueryAsync("SELECT * FROM pq_src WHERE v <> 'skip' EMIT CHANGES LIMIT 2;", null);
        output.WriteLine($"push query running after {started.ElapsedMilliseconds} ms");
        Assert.StartsWith("transient_PQ_SRC_", query.QueryId, StringComparison.Ordinal);
        Assert.Equal(["ID", "V"], query.Columns.Select(c => c.Name));
        foreach (var (id, v) in new[] { (1, "a"), (2, "skip"), (3, "b"), (4, "c") })
        {
            await engine.InsertRowAsync("PQ_SRC", JsonDocument.Parse($$"""{"ID":{{id}},"V":"{{v}}"}""").RootElement);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var rows = new List<IReadOnlyList<object?>>();
        await foreach (var row in query.ReadRowsAsync(cts.Token))
        {
            rows.Add(row);
        }

        Assert.Equal([[1L, "a"], [3L, "b"]], rows.Select(r => r.ToArray()));
        Assert.True(Assert.IsAssignableFrom<IPushQueryHandle>(query).LimitReached);
    }

    [Fact]
    public async Task Disposing_a_push_query_ends_its_rows_and_removes_its_application()
    {
        var options = cluster.Options();
        await using var engine = await cluster.StartEngineAsync(options: options);
        await engine.ExecuteAsync("CREATE STREAM pd_src (id BIGINT KEY, v INT) WITH (kafka_topic='pd_src', value_format='JSON', partitions=1);");
        var query = await engine.ExecuteQueryAsync("SELECT id, v * 10 AS v10 FROM pd_src PARTITION BY v EMIT CHANGES;", Earliest);
        await engine.ExecuteAsync("INSERT INTO pd_src (id, v) VALUES (1, 5);");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var enumerator = query.ReadRowsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await enumerator.MoveNextAsync());
        Assert.Equal([1L, 50], enumerator.Current.ToArray());
        var appDirs = Directory.GetDirectories(options.StateDirectory);
        Assert.Contains(appDirs, d => Path.GetFileName(d).StartsWith("_confluent-ksql-default_transient_transient_PD_SRC_", StringComparison.Ordinal));

        await query.DisposeAsync();
        Assert.False(await enumerator.MoveNextAsync());
        Assert.False(Assert.IsAssignableFrom<IPushQueryHandle>(query).LimitReached);
        Assert.DoesNotContain(await cluster.TopicsAsync(), t => t.Contains("transient_PD_SRC_", StringComparison.Ordinal));
        Assert.Empty(Directory.GetDirectories(options.StateDirectory));
    }

    [Fact]
    public async Task A_ctas_aggregate_answers_pull_queries_by_key_in_lists_and_scans()
    {
        await using var engine = await cluster.StartEngineAsync();
        await engine.ExecuteAsync("""
            CREATE STREAM pl_orders (id BIGINT KEY, item STRING, qty INT) WITH (kafka_topic='pl_orders', value_format='JSON', partitions=2);
            CREATE TABLE pl_totals AS SELECT item, COUNT(*) AS n, SUM(qty) AS q FROM pl_orders GROUP BY item;
            """);
        var rows = new[] { ("apple", 1), ("pear", 2), ("apple", 3), ("fig", 4), ("apple", 5) };
        for (var i = 0; i < rows.Length; i++)
        {
            await engine.ExecuteAsync($"INSERT INTO pl_orders (id, item, qty) VALUES ({i}, '{rows[i].Item1}', {rows[i].Item2});");
        }

        await EngineCluster.EventuallyAsync(async () => (await PullAsync(engine, "SELECT * FROM pl_totals WHERE item = 'apple';")) is [[_, 3L, 9]], () => "apple count 3");
        Assert.Equal([["apple", 3L, 9], ["fig", 1L, 4], ["pear", 1L, 2]], Sorted(await PullAsync(engine, "SELECT * FROM pl_totals;")));
        var timer = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            Assert.Single(await PullAsync(engine, "SELECT * FROM pl_totals WHERE item = 'pear';"));
        }

        output.WriteLine($"pull query by key: {timer.Elapsed.TotalMilliseconds / 50:F2} ms each (50 sequential, including parse and analysis)");
        // Rows come key by key in the order the IN list names them, as ksqlDB answers.
        Assert.Equal([["pear", 2], ["fig", 4]], await PullAsync(engine, "SELECT item, q FROM pl_totals WHERE item IN ('pear', 'fig', 'kiwi');"));
        Assert.Equal([["fig", 4], ["pear", 2]], await PullAsync(engine, "SELECT item, q FROM pl_totals WHERE item IN ('kiwi', 'fig', 'pear', 'fig');"));
        Assert.Equal([["apple", 30L]], Sorted(await PullAsync(engine, "SELECT item, n * 10 AS n10 FROM pl_totals WHERE n > 1;")));
        Assert.Equal([["apple"], ["fig"]], Sorted(await PullAsync(engine, "SELECT item FROM pl_totals WHERE item >= 'a' AND item < 'g';")));
        Assert.Single(await PullAsync(engine, "SELECT * FROM pl_totals LIMIT 1;"));
        await using var handle = await engine.ExecuteQueryAsync("SELECT item AS i, n FROM pl_totals WHERE item = 'fig';", null);
        Assert.True(handle.IsPull);
        Assert.Equal(["I", "N"], handle.Columns.Select(c => c.Name));
        Assert.Equal([true, false], handle.Columns.Select(c => c.IsKey));
    }

    [Fact]
    public async Task A_windowed_ctas_answers_pull_queries_with_window_bounds()
    {
        await using var engine = await cluster.StartEngineAsync();
        await engine.ExecuteAsync("""
            CREATE STREAM pw_clicks (user STRING KEY, page STRING) WITH (kafka_topic='pw_clicks', value_format='JSON', partitions=1);
            CREATE TABLE pw_counts AS SELECT user, COUNT(*) AS n FROM pw_clicks WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY user;
            """);
        foreach (var ts in new[] { 0, 10_000, 60_000, 130_000, 150_000 })
        {
            await engine.ExecuteAsync($"INSERT INTO pw_clicks (user, page, ROWTIME) VALUES ('u1', 'p', {ts});");
        }

        await EngineCluster.EventuallyAsync(async () => (await PullAsync(engine, "SELECT * FROM pw_counts WHERE user = 'u1';")).Count == 3, () => "three windows");
        var all = Sorted(await PullAsync(engine, "SELECT user, WINDOWSTART, WINDOWEND, n FROM pw_counts WHERE user = 'u1';"));
        Assert.Equal([["u1", 0L, 60_000L, 2L], ["u1", 120_000L, 180_000L, 2L], ["u1", 60_000L, 120_000L, 1L]], all);
        Assert.Equal([[60_000L, 1L]], Sorted(await PullAsync(engine, "SELECT WINDOWSTART, n FROM pw_counts WHERE user = 'u1' AND WINDOWSTART = 60000;")));
        await using (var star = await engine.ExecuteQueryAsync("SELECT * FROM pw_counts WHERE user = 'nobody';", null))
        {
            Assert.Equal(["USER", "WINDOWSTART", "WINDOWEND", "N"], star.Columns.Select(c => c.Name));
            Assert.Equal([true, true, true, false], star.Columns.Select(c => c.IsKey));
        }

        Assert.Equal(2, (await PullAsync(engine, "SELECT * FROM pw_counts WHERE user = 'u1' AND WINDOWSTART >= 60000;")).Count);
        Assert.Equal(2, (await PullAsync(engine, "SELECT * FROM pw_counts WHERE user = 'u1' AND WINDOWSTART < 120000;")).Count);
        Assert.Single(await PullAsync(engine, "SELECT * FROM pw_counts WHERE user = 'u1' AND WINDOWSTART > 0 AND WINDOWEND <= 120000;"));
        Assert.Equal(2, (await PullAsync(engine, "SELECT * FROM pw_counts WHERE user = 'u1' AND WINDOWSTART BETWEEN 0 AND 60000;")).Count);
        Assert.Equal(2, (await PullAsync(engine, "SELECT * FROM pw_counts WHERE user = 'u1' AND WINDOWSTART >= '1970-01-01T00:01';")).Count);
        Assert.Equal([[60_000L]], await PullAsync(engine, "SELECT WINDOWSTART FROM pw_counts WHERE user = 'u1' AND WINDOWSTART = '1970-01-01T01:01:00.000+0100';"));
        Assert.Equal(2, (await PullAsync(engine, "SELECT * FROM pw_counts WHERE user = 'u1' AND WINDOWEND BETWEEN '1970-01-01' AND '1970-01-01T00:02Z';")).Count);

        // A windowed table is scanned; its rows still come in IN-list order, each key's windows by start time.
        await engine.ExecuteAsync("INSERT INTO pw_clicks (user, page, ROWTIME) VALUES ('u0', 'p', 5000);");
        await EngineCluster.EventuallyAsync(async () => (await PullAsync(engine, "SELECT * FROM pw_counts WHERE user = 'u0';")).Count == 1, () => "u0's window");
        Assert.Equal([["u1", 0L], ["u1", 60_000L], ["u1", 120_000L], ["u0", 0L]], await PullAsync(engine, "SELECT user, WINDOWSTART FROM pw_counts WHERE user IN ('u1', 'u0');"));
        Assert.Equal([["u1", 0L], ["u1", 60_000L]], await PullAsync(engine, "SELECT user, WINDOWSTART FROM pw_counts WHERE user IN ('u1', 'u0') LIMIT 2;"));

        await engine.ExecuteAsync("""
            CREATE STREAM pw_nums (id INT KEY, v INT) WITH (kafka_topic='pw_nums', value_format='JSON', partitions=1);
            CREATE TABLE pw_num_counts AS SELECT id, COUNT(*) AS n FROM pw_nums GROUP BY id;
            """);
        var wrongType = await Assert.ThrowsAsync<SqlException>(() => PullAsync(engine, "SELECT * FROM pw_num_counts WHERE id IN ('10', 8);"));
        Assert.Contains("'10' can not be converted to the type of the key column: ID INTEGER KEY", wrongType.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restarted_engine_resumes_its_queries_from_committed_offsets_and_state()
    {
        var stateDir = cluster.NewDir("eddy-sql-restart-state");
        var commandTopic = "_confluent-ksql-restart__command_topic";
        await using (var admin = new Client.KafkaAdminClient(new Client.AdminClientConfig { BootstrapServers = cluster.Bootstrap }))
        {
            await admin.CreateTopicsAsync([new Client.NewTopic(commandTopic, 1, 1)]);
        }

        await using (var log = new KafkaCommandLog(cluster.Bootstrap, "restart_"))
        {
            await using var engine = await cluster.StartEngineAsync(log, cluster.Options(stateDir, "restart_"));
            await engine.ExecuteAsync("""
                CREATE STREAM rs_events (id BIGINT KEY, k STRING) WITH (kafka_topic='rs_events', value_format='JSON', partitions=2);
                CREATE TABLE rs_counts AS SELECT k, COUNT(*) AS n FROM rs_events GROUP BY k;
                """);
            var timer = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < 6; i++)
            {
                await engine.ExecuteAsync($"INSERT INTO rs_events (id, k) VALUES ({i}, '{(i % 2 == 0 ? "even" : "odd")}');");
            }

            output.WriteLine($"INSERT VALUES: {timer.Elapsed.TotalMilliseconds / 6:F2} ms each (acks=all, one at a time)");

            await EngineCluster.EventuallyAsync(async () => Sorted(await PullAsync(engine, "SELECT * FROM rs_counts;")) is [["even", 3L], ["odd", 3L]], () => "counts 3/3 before restart");
        }

        await using (var log = new KafkaCommandLog(cluster.Bootstrap, "restart_"))
        {
            var restart = System.Diagnostics.Stopwatch.StartNew();
            await using var engine = await cluster.StartEngineAsync(log, cluster.Options(stateDir, "restart_"));
            Assert.Equal("CTAS_RS_COUNTS_1", Assert.Single(engine.Queries).Id);
            await EngineCluster.EventuallyAsync(async () => Sorted(await PullAsync(engine, "SELECT * FROM rs_counts;")) is [["even", 3L], ["odd", 3L]], () => "counts 3/3 after restart");
            output.WriteLine($"restarted engine answered the pull query after {restart.ElapsedMilliseconds} ms");
            await engine.ExecuteAsync("INSERT INTO rs_events (id, k) VALUES (100, 'odd');");
            await EngineCluster.EventuallyAsync(async () => Sorted(await PullAsync(engine, "SELECT * FROM rs_counts;")) is [["even", 3L], ["odd", 4L]], () => "odd 4 after one more insert");
            var out_ = await cluster.ReadAsync("RS_COUNTS", 100, TimeSpan.FromSeconds(2));
            Assert.True(out_.Count <= 7, $"the sink got {out_.Count} updates: the input was reprocessed");
        }
    }

    [Fact]
    public async Task Terminate_stops_the_query_and_deletes_its_internal_topics_and_drop_delete_topic_deletes_the_topic()
    {
        await using var engine = await cluster.StartEngineAsync();
        await engine.ExecuteAsync("""
            CREATE STREAM tq_src (id BIGINT KEY, k STRING) WITH (kafka_topic='tq_src', value_format='JSON', partitions=1);
            CREATE TABLE tq_counts AS SELECT k, COUNT(*) AS n FROM tq_src GROUP BY k;
            """);
        var appId = "_confluent-ksql-default_query_CTAS_TQ_COUNTS_1";
        Assert.Contains(await cluster.TopicsAsync(), t => t.StartsWith(appId + "-", StringComparison.Ordinal));
        var status = Assert.IsType<CommandStatusEntity>(Assert.Single(await engine.ExecuteAsync("TERMINATE CTAS_TQ_COUNTS_1;")));
        Assert.Equal("Query terminated.", status.Message);
        Assert.Empty(engine.Queries);
        Assert.DoesNotContain(await cluster.TopicsAsync(), t => t.StartsWith(appId, StringComparison.Ordinal));
        var pull = await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteQueryAsync("SELECT * FROM tq_counts;", null));
        Assert.Contains("isn't queryable", pull.Message, StringComparison.Ordinal);

        await engine.ExecuteAsync("DROP TABLE tq_counts DELETE TOPIC;");
        Assert.DoesNotContain("TQ_COUNTS", await cluster.TopicsAsync());
        Assert.Contains("tq_src", await cluster.TopicsAsync());
    }

    [Fact]
    public async Task Bad_statements_fail_with_clear_errors()
    {
        await using var engine = await cluster.StartEngineAsync();
        var missing = await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteAsync("CREATE STREAM bs_missing (v INT) WITH (kafka_topic='bs_missing', value_format='JSON');"));
        Assert.StartsWith("Topic 'bs_missing' does not exist. If you want to create a new topic for the stream please re-run the statement providing the required 'PARTITIONS' configuration in the WITH clause", missing.Message, StringComparison.Ordinal);
        Assert.Null(engine.Sources.Find("BS_MISSING"));

        await engine.ExecuteAsync("CREATE STREAM bs_src (id INT KEY, v INT) WITH (kafka_topic='bs_src', value_format='JSON', partitions=1);");
        var badType = await Assert.ThrowsAsync<SqlException>(() => engine.InsertRowAsync("BS_SRC", JsonDocument.Parse("""{"ID":1,"V":"not a number"}""").RootElement));
        Assert.Contains("V", badType.Message, StringComparison.Ordinal);
        var badColumn = await Assert.ThrowsAsync<SqlException>(() => engine.InsertRowAsync("BS_SRC", JsonDocument.Parse("""{"NOPE":1}""").RootElement));
        Assert.Contains("NOPE", badColumn.Message, StringComparison.Ordinal);
        var count = await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteAsync("INSERT INTO bs_src (id, v) VALUES (1);"));
        Assert.Equal("Failed to prepare statement: Expected number columns and values to match: 2, 1", count.Message);
        var pseudo = await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteAsync("INSERT INTO bs_src (id, v, ROWPARTITION) VALUES (1, 2, 3);"));
        Assert.Equal("Inserting into column `ROWPARTITION` is not allowed.", pseudo.Message);
        var unknown = await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteAsync("INSERT INTO nowhere (v) VALUES (1);"));
        Assert.Contains("NOWHERE", unknown.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteQueryAsync("SELECT * FROM bs_src EMIT CHANGES; SELECT * FROM bs_src EMIT CHANGES;", null));
        await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteQueryAsync("SELECT * FROM bs_src EMIT CHANGES;", new Dictionary<string, string> { ["auto.offset.reset"] = "sometimes" }));
        var select = await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteAsync("SELECT * FROM bs_src EMIT CHANGES;"));
        Assert.Contains("/query", select.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_push_queries_emit_changes_with_tombstones_and_windowed_rows_show_their_bounds()
    {
        await using var engine = await cluster.StartEngineAsync();
        await engine.ExecuteAsync("""
            CREATE STREAM tp_src (id BIGINT KEY, k STRING) WITH (kafka_topic='tp_src', value_format='JSON', partitions=1);
            CREATE TABLE tp_windows AS SELECT k, COUNT(*) AS n FROM tp_src WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY k;
            """);
        await using (var having = await engine.ExecuteQueryAsync("SELECT k, COUNT(*) AS n FROM tp_src GROUP BY k HAVING COUNT(*) < 2 EMIT CHANGES LIMIT 2;", null))
        {
            await engine.ExecuteAsync("INSERT INTO tp_src (id, k, ROWTIME) VALUES (1, 'a', 1500); INSERT INTO tp_src (id, k, ROWTIME) VALUES (2, 'a', 1600);");
            var rows = await ReadAllAsync(having);
            Assert.Equal([["a", 1L], ["a", null]], rows.Select(r => r.ToArray()));
            Assert.Equal([false, true], rows.Select(r => ((QueryRow)r).IsTombstone));
        }

        await using var windowed = await engine.ExecuteQueryAsync("SELECT * FROM tp_windows EMIT CHANGES LIMIT 2;", Earliest);
        Assert.Equal(["K", "WINDOWSTART", "WINDOWEND", "N"], windowed.Columns.Select(c => c.Name));
        Assert.Equal([["a", 1000L, 2000L, 1L], ["a", 1000L, 2000L, 2L]], (await ReadAllAsync(windowed)).Select(r => r.ToArray()));
    }

    [Fact]
    public async Task Streams_answer_pull_queries_print_shows_records_and_metadata_statements_describe_the_cluster()
    {
        await using var engine = await cluster.StartEngineAsync();
        await engine.ExecuteAsync("""
            CREATE TYPE md_point AS STRUCT<x INT, y INT>;
            CREATE STREAM md_src (id INT KEY, name STRING, p md_point) WITH (kafka_topic='md_src', value_format='JSON', partitions=2);
            INSERT INTO md_src (id, name, ROWTIME) VALUES (1, 'one', 86400000);
            INSERT INTO md_src (id, name) VALUES (2, 'two');
            INSERT INTO md_src (id, name) VALUES (3, 'three');
            """);
        Assert.Equal([[1, "one"], [2, "two"], [3, "three"]], Sorted(await PullAsync(engine, "SELECT id, name FROM md_src;")));
        Assert.Equal([["THREE"]], await PullAsync(engine, "SELECT UCASE(name) FROM md_src WHERE id > 2;"));
        Assert.Single(await PullAsync(engine, "SELECT * FROM md_src LIMIT 1;"));

        await using (var print = await engine.ExecuteQueryAsync("PRINT 'md_src' FROM BEGINNING LIMIT 3;", null))
        {
            var lines = (await ReadAllAsync(print)).Select(r => (string)r[0]!).ToList();
            Assert.Equal(5, lines.Count);
            Assert.StartsWith("Key format: ", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("Value format: JSON", lines[1], StringComparison.Ordinal);
            Assert.Contains(lines.Skip(2), l => l.StartsWith("rowtime: 1970/01/02 00:00:00.000 Z, key: 1, value: {\"NAME\":\"one\",\"P\":null}, partition: ", StringComparison.Ordinal));
        }

        var topics = Assert.IsType<TopicListEntity>(Assert.Single(await engine.ExecuteAsync("SHOW TOPICS;")));
        Assert.Equal([1, 1], topics.Topics.Single(t => t.Name == "md_src").ReplicaInfo);
        Assert.DoesNotContain(topics.Topics, t => t.Name.StartsWith('_'));
        var all = Assert.IsType<TopicListEntity>(Assert.Single(await engine.ExecuteAsync("SHOW ALL TOPICS EXTENDED;")));
        Assert.True(all.Extended);
        Assert.Contains(all.Topics, t => t.Name == "md_src");
        Assert.True(all.Topics.Count >= topics.Topics.Count);

        var functions = Assert.IsType<FunctionListEntity>(Assert.Single(await engine.ExecuteAsync("SHOW FUNCTIONS;")));
        Assert.Contains(functions.Functions, f => f.Name == "UCASE");
        var ucase = Assert.IsType<FunctionDescriptionEntity>(Assert.Single(await engine.ExecuteAsync("DESCRIBE FUNCTION ucase;")));
        Assert.Equal("UCASE", ucase.Function.Name);
        var missing = await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteAsync("DESCRIBE FUNCTION no_such_fn;"));
        Assert.Equal("Can't find any functions with the name 'NO_SUCH_FN'", missing.Message);
        var types = Assert.IsType<TypeListEntity>(Assert.Single(await engine.ExecuteAsync("SHOW TYPES;")));
        Assert.Equal(["MD_POINT"], types.Types.Keys);

        var described = Assert.IsType<SourceDescriptionEntity>(Assert.Single(await engine.ExecuteAsync("DESCRIBE md_src EXTENDED;")));
        Assert.True(described.Extended);
        Assert.Equal(2, described.Statistics!.Partitions);
        Assert.Equal(3, described.Statistics.TotalMessages);
        Assert.Equal("total-messages: 3", described.Statistics.Text);
    }

    [Fact]
    public async Task A_source_table_is_materialized_for_pull_queries_until_it_is_dropped()
    {
        await using var engine = await cluster.StartEngineAsync();
        await engine.ExecuteAsync("""
            CREATE STREAM st_feed (id INT KEY, v STRING) WITH (kafka_topic='st_topic', value_format='JSON', partitions=1);
            INSERT INTO st_feed (id, v) VALUES (1, 'old');
            CREATE SOURCE TABLE st_table (id INT PRIMARY KEY, v STRING) WITH (kafka_topic='st_topic', value_format='JSON');
            INSERT INTO st_feed (id, v) VALUES (1, 'new');
            INSERT INTO st_feed (id, v) VALUES (2, 'two');
            """);
        await EngineCluster.EventuallyAsync(async () => Sorted(await PullAsync(engine, "SELECT * FROM st_table;")) is [[1, "new"], [2, "two"]], () => "the source table's latest rows");
        Assert.Equal([["two"]], await PullAsync(engine, "SELECT v FROM st_table WHERE id = 2;"));
        var insert = await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteAsync("INSERT INTO st_table (id, v) VALUES (3, 'x');"));
        Assert.Contains("read-only", insert.Message, StringComparison.Ordinal);
        Assert.Contains(await cluster.TopicsAsync(), t => t.StartsWith("_confluent-ksql-default_query_CST_ST_TABLE_", StringComparison.Ordinal));

        await engine.ExecuteAsync("DROP TABLE st_table;");
        Assert.DoesNotContain(await cluster.TopicsAsync(), t => t.Contains("CST_ST_TABLE", StringComparison.Ordinal));
        Assert.Contains("st_topic", await cluster.TopicsAsync());
    }

    private static async Task<List<IReadOnlyList<object?>>> ReadAllAsync(IQueryHandle handle)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var rows = new List<IReadOnlyList<object?>>();
        await foreach (var row in handle.ReadRowsAsync(cts.Token))
        {
            rows.Add(row);
        }

        return rows;
    }

    private static async Task<List<object?[]>> PullAsync(SqlEngine engine, string sql)
    {
        await using var handle = await engine.ExecuteQueryAsync(sql, null);
        var rows = new List<object?[]>();
        await foreach (var row in handle.ReadRowsAsync())
        {
            rows.Add([.. row]);
        }

        return rows;
    }

    private static List<object?[]> Sorted(List<object?[]> rows) =>
        [.. rows.OrderBy(r => string.Join("|", r.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))), StringComparer.Ordinal)];
}
