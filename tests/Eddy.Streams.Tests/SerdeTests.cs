using System.Text.Json.Serialization;
using Eddy.Streams.SerDes;

namespace Eddy.Streams.Tests;

public record Order(string Id, decimal Amount);

[JsonSerializable(typeof(Order))]
public partial class TestJsonContext : JsonSerializerContext
{
}

public class SerdeTests
{
    private static readonly SerializationContext Ctx = new(MessageComponentType.Value, "t");

    [Fact]
    public void Numbers_are_big_endian_like_java()
    {
        Assert.Equal(new byte[] { 0, 0, 1, 2 }, Serdes.Int32().Serialize(258, Ctx));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 1, 2 }, Serdes.Int64().Serialize(258, Ctx));
        Assert.Equal(new byte[] { 1, 2 }, Serdes.Int16().Serialize(258, Ctx));
        Assert.Equal(new byte[] { 0x3F, 0x80, 0, 0 }, Serdes.Float().Serialize(1f, Ctx));
        Assert.Equal(new byte[] { 0x3F, 0xF0, 0, 0, 0, 0, 0, 0 }, Serdes.Double().Serialize(1d, Ctx));
        Assert.Equal(-5L, Serdes.Int64().Deserialize(Serdes.Int64().Serialize(-5, Ctx), false, Ctx));
        Assert.Equal(1.5, Serdes.Double().Deserialize(Serdes.Double().Serialize(1.5, Ctx), false, Ctx));
    }

    [Fact]
    public void Wrong_sized_numbers_fail_like_kafka()
    {
        var e = Assert.Throws<SerializationException>(() => Serdes.Int32().Deserialize(new byte[3], false, Ctx));
        Assert.Equal("Size of data received by IntegerDeserializer is not 4", e.Message);
    }

    [Fact]
    public void Strings_are_utf8_and_null_is_null_bytes()
    {
        Assert.Equal("héllo"u8.ToArray(), Serdes.String().Serialize("héllo", Ctx));
        Assert.Null(Serdes.String().Serialize(null!, Ctx));
        Assert.Null(Serdes.String().Deserialize([], true, Ctx));
    }

    [Fact]
    public void Guids_use_the_java_uuid_text_form()
    {
        var g = Guid.Parse("123e4567-e89b-12d3-a456-426614174000");
        Assert.Equal("123e4567-e89b-12d3-a456-426614174000"u8.ToArray(), Serdes.Guid().Serialize(g, Ctx));
        Assert.Equal(g, Serdes.Guid().Deserialize("123e4567-e89b-12d3-a456-426614174000"u8, false, Ctx));
    }

    [Fact]
    public void Void_bytes_and_nullable_serdes_round_trip()
    {
        Assert.Null(Serdes.Void().Serialize(null, Ctx));
        Assert.Throws<SerializationException>(() => Serdes.Void().Deserialize([1], false, Ctx));
        Assert.Equal(new byte[] { 1, 2 }, Serdes.ByteArray().Deserialize(new byte[] { 1, 2 }, false, Ctx));
        var nullable = Serdes.Nullable(Serdes.Int64());
        Assert.Null(nullable.Serialize(null, Ctx));
        Assert.Null(nullable.Deserialize([], true, Ctx));
        Assert.Equal(3L, nullable.Deserialize(nullable.Serialize(3, Ctx), false, Ctx));
    }

    [Fact]
    public void Json_serde_works_with_source_generated_metadata()
    {
        var serde = Serdes.Json(TestJsonContext.Default.Order);
        var bytes = serde.Serialize(new Order("o1", 9.5m), Ctx)!;
        Assert.Equal("{\"Id\":\"o1\",\"Amount\":9.5}", System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal(new Order("o1", 9.5m), serde.Deserialize(bytes, false, Ctx));
        Assert.Null(serde.Serialize(null!, Ctx));
        Assert.Throws<SerializationException>(() => serde.Deserialize("{"u8, false, Ctx));
    }

    [Fact]
    public void Json_provider_serves_any_type_as_a_default_serde()
    {
        var provider = Serdes.Json(new System.Text.Json.JsonSerializerOptions { TypeInfoResolver = TestJsonContext.Default });
        var serde = provider.GetSerde<Order>()!;
        Assert.Equal(new Order("x", 1), serde.Deserialize(serde.Serialize(new Order("x", 1), Ctx), false, Ctx));
    }

    [Fact]
    public void Default_serdes_come_from_config_then_built_ins()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, Order>("in").To("out");
        var config = new StreamsConfig { ApplicationId = "json", DefaultValueSerde = Serdes.Json(new System.Text.Json.JsonSerializerOptions { TypeInfoResolver = TestJsonContext.Default }) };
        using var driver = new Testing.TopologyTestDriver(builder.Build(), config);
        driver.CreateInputTopic<string, Order>("in").PipeInput("k", new Order("o", 2));
        Assert.Equal(new Order("o", 2), driver.CreateOutputTopic<string, Order>("out").ReadValue());
    }
}
