using System.Text;
using System.Text.Json;
using Eddy.Sql.Engine;
using Eddy.Sql.Types;

namespace Eddy.Server.Tests;

public sealed class KsqlJsonTests
{
    private static string Render(object? value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            KsqlJson.WriteValue(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Fact]
    public void Values_render_as_ksqlDB_REST_renders_them()
    {
        Assert.Equal("1.50", Render(SqlDecimal.Parse("1.50")));
        Assert.Equal("1.0", Render(1.0d));
        Assert.Equal("\"NaN\"", Render(double.NaN));
        Assert.Equal("\"2024-01-02T03:04:05.006\"", Render(new DateTime(2024, 1, 2, 3, 4, 5, 6, DateTimeKind.Utc)));
        Assert.Equal("\"2024-01-02\"", Render(new DateOnly(2024, 1, 2)));
        Assert.Equal("\"03:04:05\"", Render(new TimeOnly(3, 4, 5)));
        Assert.Equal("\"AQID\"", Render(new byte[] { 1, 2, 3 }));
        Assert.Equal("[1,null,3]", Render(new List<object?> { 1, null, 3 }));
        Assert.Equal("{\"a\":1}", Render(new Dictionary<object, object?> { ["a"] = 1 }));
        var type = (SqlStructType)Eddy.Sql.SqlParser.ParseType("STRUCT<A INT, B STRING>");
        Assert.Equal("{\"A\":7,\"B\":\"x\"}", Render(new SqlStruct(type, [7, "x"])));
    }

    [Fact]
    public void A_header_schema_marks_key_columns()
    {
        var columns = new[] { new QueryColumn("ID", SqlTypes.String), new QueryColumn("COUNT", SqlTypes.BigInt) };
        Assert.Equal("`ID` STRING KEY, `COUNT` BIGINT", KsqlJson.Schema(columns, new HashSet<string> { "ID" }));
        Assert.Equal("`ID` STRING, `COUNT` BIGINT", KsqlJson.Schema(columns));
    }

    [Fact]
    public void Configuration_reads_properties_and_docker_style_environment_overrides()
    {
        var env = new System.Collections.Hashtable
        {
            ["KSQL_LISTENERS"] = "http://127.0.0.1:9000",
            ["KSQL_KSQL_SERVICE_ID"] = "svc_",
            ["KSQL_KSQL_STREAMS_AUTO_OFFSET_RESET"] = "earliest",
            ["EDDY_DATA_DIR"] = "/tmp/x",
            ["EDDY_BROKER_PORT"] = "0",
            ["PATH"] = "/bin",
        };
        var options = EddyServerOptions.FromProperties(
            [new("listeners", "http://0.0.0.0:8088"), new("bootstrap.servers", "k:9092"), new("ksql.streams.commit.interval.ms", "100")], env);
        Assert.Equal(["http://127.0.0.1:9000"], options.Listeners);
        Assert.Equal("k:9092", options.BootstrapServers);
        Assert.Equal("svc_", options.ServiceId);
        Assert.Equal("/tmp/x", options.DataDirectory);
        Assert.Equal(0, options.BrokerPort);
        Assert.Equal("earliest", options.StreamsProperties["auto.offset.reset"]);
        Assert.Equal("100", options.StreamsProperties["commit.interval.ms"]);
        Assert.Equal("ksql.streams.num_stream-threads", EddyServerOptions.EnvironmentKey("KSQL_KSQL_STREAMS_NUM__STREAM___THREADS"));
        Assert.Null(EddyServerOptions.EnvironmentKey("HOME"));
        var e = Assert.Throws<ArgumentException>(() => EddyServerOptions.FromProperties([new("eddy.broker.port", "x")]));
        Assert.Contains("eddy.broker.port", e.Message, StringComparison.Ordinal);
    }
}
