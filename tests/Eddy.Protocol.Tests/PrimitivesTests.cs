namespace Eddy.Protocol.Tests;

public class PrimitivesTests
{
    private static byte[] Write(Action<KafkaWriter> write)
    {
        using var writer = new KafkaWriter(1);
        write(writer);
        return writer.ToArray();
    }

    // Zigzag and base-128 examples from the protobuf encoding guide, which Kafka's ByteUtils follows.
    [Theory]
    [InlineData(0, "00")]
    [InlineData(-1, "01")]
    [InlineData(1, "02")]
    [InlineData(-2, "03")]
    [InlineData(63, "7E")]
    [InlineData(-64, "7F")]
    [InlineData(64, "8001")]
    [InlineData(150, "AC02")]
    [InlineData(int.MaxValue, "FEFFFFFF0F")]
    [InlineData(int.MinValue, "FFFFFFFF0F")]
    public void Varint_uses_zigzag_base128(int value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexString(Write(w => w.WriteVarInt(value))));
        var reader = new KafkaReader(Convert.FromHexString(hex));
        Assert.Equal(value, reader.ReadVarInt());
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(-1L, "01")]
    [InlineData(1L, "02")]
    [InlineData(long.MaxValue, "FEFFFFFFFFFFFFFFFF01")]
    [InlineData(long.MinValue, "FFFFFFFFFFFFFFFFFF01")]
    [InlineData(1_700_000_000_000L, "80A0ABFEF962")] // computed independently with Python
    public void Varlong_uses_zigzag_base128(long value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexString(Write(w => w.WriteVarLong(value))));
        var reader = new KafkaReader(Convert.FromHexString(hex));
        Assert.Equal(value, reader.ReadVarLong());
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData(0u, "00")]
    [InlineData(127u, "7F")]
    [InlineData(128u, "8001")]
    [InlineData(300u, "AC02")]
    [InlineData(uint.MaxValue, "FFFFFFFF0F")]
    public void Unsigned_varint_is_plain_base128(uint value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexString(Write(w => w.WriteUnsignedVarInt(value))));
        var reader = new KafkaReader(Convert.FromHexString(hex));
        Assert.Equal(value, reader.ReadUnsignedVarInt());
    }

    [Theory]
    [InlineData("FFFFFFFF1F")]
    [InlineData("FFFFFFFFFF01")]
    public void Varint_longer_than_32_bits_is_rejected(string hex)
    {
        var e = Assert.Throws<KafkaProtocolException>(() => new KafkaReader(Convert.FromHexString(hex)).ReadUnsignedVarInt());
        Assert.Contains("UNSIGNED_VARINT", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Varlong_longer_than_64_bits_is_rejected() =>
        Assert.Throws<KafkaProtocolException>(() => new KafkaReader(Convert.FromHexString("FFFFFFFFFFFFFFFFFF02")).ReadVarLong());

    [Fact]
    public void Fixed_width_integers_are_big_endian()
    {
        byte[] bytes = Write(w =>
        {
            w.WriteInt8(-2);
            w.WriteInt16(0x0102);
            w.WriteUInt16(0xFFFE);
            w.WriteInt32(0x01020304);
            w.WriteUInt32(0xDEADBEEF);
            w.WriteInt64(0x0102030405060708);
            w.WriteFloat64(1.5);
            w.WriteBoolean(true);
        });
        Assert.Equal("FE0102FFFE01020304DEADBEEF01020304050607083FF800000000000001", Convert.ToHexString(bytes));
        var reader = new KafkaReader(bytes);
        Assert.Equal(-2, reader.ReadInt8());
        Assert.Equal(0x0102, reader.ReadInt16());
        Assert.Equal(0xFFFE, reader.ReadUInt16());
        Assert.Equal(0x01020304, reader.ReadInt32());
        Assert.Equal(0xDEADBEEF, reader.ReadUInt32());
        Assert.Equal(0x0102030405060708, reader.ReadInt64());
        Assert.Equal(1.5, reader.ReadFloat64());
        Assert.True(reader.ReadBoolean());
        Assert.True(reader.End);
    }

    [Fact]
    public void Uuid_is_most_significant_byte_first()
    {
        var uuid = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        Assert.Equal("00112233445566778899AABBCCDDEEFF", Convert.ToHexString(Write(w => w.WriteUuid(uuid))));
        Assert.Equal(uuid, new KafkaReader(Convert.FromHexString("00112233445566778899AABBCCDDEEFF")).ReadUuid());
    }

    [Fact]
    public void Strings_and_bytes_use_int16_int32_or_compact_lengths()
    {
        Assert.Equal("0003616263", Convert.ToHexString(Write(w => w.WriteString("abc"))));
        Assert.Equal("FFFF", Convert.ToHexString(Write(w => w.WriteNullableString(null))));
        Assert.Equal("04616263", Convert.ToHexString(Write(w => w.WriteCompactString("abc"))));
        Assert.Equal("00", Convert.ToHexString(Write(w => w.WriteCompactNullableString(null))));
        Assert.Equal("01", Convert.ToHexString(Write(w => w.WriteCompactString(string.Empty))));
        Assert.Equal("0000000201FF", Convert.ToHexString(Write(w => w.WriteBytes([1, 255]))));
        Assert.Equal("FFFFFFFF", Convert.ToHexString(Write(w => w.WriteNullableBytes(null))));
        Assert.Equal("0301FF", Convert.ToHexString(Write(w => w.WriteCompactBytes([1, 255]))));
        Assert.Equal("0005C3A9E4B8AD", Convert.ToHexString(Write(w => w.WriteString("é中"))));

        var reader = new KafkaReader(Convert.FromHexString("0003616263FFFF04616263000000000201FFFFFFFFFF0301FF"));
        Assert.Equal("abc", reader.ReadString());
        Assert.Null(reader.ReadNullableString());
        Assert.Equal("abc", reader.ReadCompactString());
        Assert.Null(reader.ReadCompactNullableString());
        Assert.Equal(new byte[] { 1, 255 }, reader.ReadBytes());
        Assert.Null(reader.ReadNullableBytes());
        Assert.Equal(new byte[] { 1, 255 }, reader.ReadCompactBytes());
        Assert.True(reader.End);
    }

    [Fact]
    public void Records_are_sliced_without_copying_when_reading_memory()
    {
        byte[] frame = Convert.FromHexString("00000003AABBCC");
        var reader = new KafkaReader(frame.AsMemory());
        var records = reader.ReadRecords(compact: false);
        Assert.NotNull(records);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(records.Value, out var segment));
        Assert.Same(frame, segment.Array);
        Assert.Equal(4, segment.Offset);
    }

    [Fact]
    public void Null_records_differ_from_empty_records()
    {
        var reader = new KafkaReader(Convert.FromHexString("FFFFFFFF0000000001"));
        Assert.Null(reader.ReadRecords(compact: false));
        Assert.Equal(0, reader.ReadRecords(compact: false)!.Value.Length);
        Assert.Equal(0, reader.ReadRecords(compact: true)!.Value.Length);
    }

    [Fact]
    public void Truncated_input_names_the_primitive_and_offset()
    {
        var e = Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(new byte[] { 0, 0, 0, 1, 0, 0 });
            reader.ReadInt32();
            reader.ReadInt32();
        });
        Assert.Equal("Malformed Kafka data: truncated input: INT32 at offset 4 needs 4 bytes but 2 remain", e.Message);
        Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
    }

    [Fact]
    public void Error_names_the_message_and_field_when_known()
    {
        var e = Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(new byte[] { 0, 5, (byte)'a' });
            reader.Message = "MetadataRequest v1";
            reader.Field = "MetadataRequestTopic.Name";
            reader.ReadString();
        });
        Assert.Contains("(MetadataRequest v1, field MetadataRequestTopic.Name)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7FFFFFFF")]
    [InlineData("00010000")]
    public void Array_count_larger_than_remaining_bytes_is_refused_before_allocating(string count)
    {
        var e = Assert.Throws<KafkaProtocolException>(() => new KafkaReader(Convert.FromHexString(count + "0000")).ReadArrayCount(compact: false));
        Assert.Contains("exceeds the 2 bytes that remain", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_lengths_other_than_null_are_refused()
    {
        Assert.Throws<KafkaProtocolException>(() => new KafkaReader(Convert.FromHexString("FFFE")).ReadNullableString());
        Assert.Throws<KafkaProtocolException>(() => new KafkaReader(Convert.FromHexString("FFFF")).ReadString());
        Assert.Throws<KafkaProtocolException>(() => new KafkaReader(Convert.FromHexString("FFFFFFFE")).ReadNullableBytes());
        Assert.Throws<KafkaProtocolException>(() => new KafkaReader(Convert.FromHexString("FFFFFFFE")).ReadArrayCount(compact: false));
        Assert.Throws<KafkaProtocolException>(() => new KafkaReader(Convert.FromHexString("00")).ReadCompactString());
    }

    [Fact]
    public void Writer_grows_and_patches_lengths()
    {
        using var writer = new KafkaWriter(4);
        int at = writer.ReserveInt32();
        for (int i = 0; i < 1000; i++)
        {
            writer.WriteInt64(i);
        }

        writer.PatchInt32(at, writer.Position - 4);
        var reader = new KafkaReader(writer.WrittenSpan);
        Assert.Equal(8000, reader.ReadInt32());
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(i, reader.ReadInt64());
        }
    }

    [Fact]
    public void Strings_too_long_for_int16_length_are_refused()
    {
        using var writer = new KafkaWriter();
        Assert.Throws<KafkaProtocolException>(() => writer.WriteString(new string('x', 40_000)));
    }
}
