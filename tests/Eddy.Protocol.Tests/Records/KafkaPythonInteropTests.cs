using System.Buffers;
using System.Text.Json;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records;

namespace Eddy.Protocol.Tests.Records;

/// <summary>
/// Batches from and to a real client, kafka-python 2.0.2 (Debian's python3-kafka), whose record-batch
/// writer and reader are pure Python. Fixtures/kafka-python-CODEC.bin were written by
/// <c>/usr/bin/python3 Fixtures/kafka_python_batches.py write CODEC X.bin X.json</c>; the JSON says what
/// they hold. The live tests run the same script as a subprocess.
/// </summary>
public class KafkaPythonInteropTests
{
    private static readonly string[] CodecNames = ["none", "gzip", "snappy", "lz4", "zstd"];

    internal static string FixturesDirectory()
    {
        // Walk up from the test binaries (artifacts/bin/...) to the repository's test sources.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Eddy.Protocol.Tests", "Records", "Fixtures");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/Eddy.Protocol.Tests/Records/Fixtures not found above " + AppContext.BaseDirectory);
    }

    private static string Script => Path.Combine(FixturesDirectory(), "kafka_python_batches.py");

    private static byte[]? Hex(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : Convert.FromHexString(e.GetString()!);

    private static List<TestRecord> Expected(JsonElement records)
    {
        var list = new List<TestRecord>();
        foreach (var r in records.EnumerateArray())
        {
            var headers = r.GetProperty("headers").EnumerateArray().Select(h => (h[0].GetString()!, Hex(h[1]))).ToArray();
            list.Add(new TestRecord(r.GetProperty("timestamp").GetInt64(), Hex(r.GetProperty("key")), Hex(r.GetProperty("value")), headers));
        }

        return list;
    }

    private static void AssertHeaderFromKafkaPython(RecordBatchHeader h, CompressionType codec, JsonElement description)
    {
        Assert.Equal(2, h.Magic);
        Assert.Equal(codec, h.Compression);
        Assert.Equal(0, h.BaseOffset);
        Assert.Equal(0, h.PartitionLeaderEpoch);
        Assert.Equal(description.GetProperty("transactional").GetBoolean(), h.IsTransactional);
        Assert.False(h.IsControl);
        Assert.Equal(description.GetProperty("producer_id").GetInt64(), h.ProducerId);
        Assert.Equal(description.GetProperty("producer_epoch").GetInt16(), h.ProducerEpoch);
        Assert.Equal(description.GetProperty("base_sequence").GetInt32(), h.BaseSequence);
        Assert.Equal(60, h.RecordCount);
        Assert.Equal(59, h.LastOffsetDelta);
        Assert.Equal(159, h.LastSequence);
    }

    private static void AssertRecords(RecordBatchView batch, List<TestRecord> expected)
    {
        using var buffer = new DecompressionBuffer();
        int i = 0;
        foreach (RecordView record in batch.GetRecords(buffer))
        {
            Assert.Equal(i, record.Offset);
            Assert.Equal(expected[i].Timestamp, record.Timestamp);
            expected[i].AssertMatches(record);
            i++;
        }

        Assert.Equal(expected.Count, i);
    }

    [Theory]
    [MemberData(nameof(Codecs.All), MemberType = typeof(Codecs))]
    public void Kafka_python_fixture_headers_and_crc_read_for_every_codec(CompressionType codec)
    {
        string name = CodecNames[(int)codec];
        var bytes = File.ReadAllBytes(Path.Combine(FixturesDirectory(), $"kafka-python-{name}.bin"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixturesDirectory(), $"kafka-python-{name}.json")));
        var reader = new RecordBatchReader(bytes);
        Assert.True(reader.TryReadNext(out var batch));
        batch.EnsureValidCrc();
        AssertHeaderFromKafkaPython(batch.Header, codec, json.RootElement);
        var expected = Expected(json.RootElement.GetProperty("records"));
        Assert.Equal(expected[0].Timestamp, batch.Header.BaseTimestamp);
        Assert.Equal(expected.Max(r => r.Timestamp), batch.Header.MaxTimestamp);
        Assert.False(reader.TryReadNext(out _));
        Assert.False(reader.IsTruncated);
    }

    [CodecTheory(NeedsCompress = false)]
    [MemberData(nameof(Codecs.All), MemberType = typeof(Codecs))]
    public void Kafka_python_fixture_records_read_byte_for_byte(CompressionType codec)
    {
        string name = CodecNames[(int)codec];
        var bytes = File.ReadAllBytes(Path.Combine(FixturesDirectory(), $"kafka-python-{name}.bin"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixturesDirectory(), $"kafka-python-{name}.json")));
        AssertRecords(RecordBatchView.Read(bytes), Expected(json.RootElement.GetProperty("records")));
        Assert.Equal(60, ProduceValidator.Validate(bytes, 7).RecordCount);
    }

    [KafkaPythonCodecTheory(NeedsCompress = false)]
    [MemberData(nameof(Codecs.All), MemberType = typeof(Codecs))]
    public void Batches_kafka_python_writes_now_are_read(CompressionType codec)
    {
        Assert.True(KafkaPython.HasCodec(codec), $"kafka-python lacks {codec}: scripts/bootstrap.sh test installs python3-snappy, python3-lz4, python3-zstandard");
        string dir = Directory.CreateTempSubdirectory("eddy-kp-").FullName;
        try
        {
            string bin = Path.Combine(dir, "batch.bin");
            string jsonPath = Path.Combine(dir, "batch.json");
            var (code, _, err) = KafkaPython.Run(File.ReadAllText(Script), ["write", CodecNames[(int)codec], bin, jsonPath], TimeSpan.FromSeconds(60));
            Assert.True(code == 0, err);
            using var json = JsonDocument.Parse(File.ReadAllText(jsonPath));
            var batch = RecordBatchView.Read(File.ReadAllBytes(bin));
            batch.EnsureValidCrc();
            AssertHeaderFromKafkaPython(batch.Header, codec, json.RootElement);
            AssertRecords(batch, Expected(json.RootElement.GetProperty("records")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [KafkaPythonCodecTheory]
    [MemberData(nameof(Codecs.All), MemberType = typeof(Codecs))]
    public void Kafka_python_reads_what_we_write(CompressionType codec)
    {
        Assert.True(KafkaPython.HasCodec(codec), $"kafka-python lacks {codec}: scripts/bootstrap.sh test installs python3-snappy, python3-lz4, python3-zstandard");
        var output = new ArrayBufferWriter<byte>();
        using var builder = new RecordBatchBuilder { Compression = codec, BaseOffset = 500, ProducerId = 8, ProducerEpoch = 2, BaseSequence = 0 };
        var mixed = TestRecord.Mix(200, seed: 99);
        foreach (var record in mixed)
        {
            record.AppendTo(builder);
        }

        builder.WriteTo(output);

        // A LogAppendTime transactional batch after it, and a commit marker.
        builder.Reset();
        builder.BaseOffset = 700;
        builder.TimestampType = TimestampType.LogAppendTime;
        builder.LogAppendTime = 1_800_000_000_000;
        builder.IsTransactional = true;
        builder.Append(5, "a"u8, "b"u8);
        builder.Append(1, NullableBytes.Null, NullableBytes.Null);
        builder.WriteTo(output);
        new EndTransactionMarker(ControlRecordType.Commit, 7).WriteControlBatch(output, 702, 8, 2, 1_800_000_000_001);

        string dir = Directory.CreateTempSubdirectory("eddy-kp-").FullName;
        try
        {
            string bin = Path.Combine(dir, "ours.bin");
            File.WriteAllBytes(bin, output.WrittenSpan.ToArray());
            var (code, stdout, err) = KafkaPython.Run(File.ReadAllText(Script), ["read", bin], TimeSpan.FromSeconds(60));
            Assert.True(code == 0, err);
            using var json = JsonDocument.Parse(stdout);
            var batches = json.RootElement.GetProperty("batches");
            Assert.Equal(3, batches.GetArrayLength());

            var first = batches[0];
            Assert.Equal(500, first.GetProperty("base_offset").GetInt64());
            Assert.Equal((int)codec, first.GetProperty("codec").GetInt32());
            var records = first.GetProperty("records");
            Assert.Equal(mixed.Count, records.GetArrayLength());
            for (int i = 0; i < mixed.Count; i++)
            {
                var r = records[i];
                Assert.Equal(500 + i, r.GetProperty("offset").GetInt64());
                Assert.Equal(mixed[i].Timestamp, r.GetProperty("timestamp").GetInt64());
                Assert.Equal(mixed[i].Key, Hex(r.GetProperty("key")));
                Assert.Equal(mixed[i].Value, Hex(r.GetProperty("value")));
                var headers = r.GetProperty("headers");
                Assert.Equal(mixed[i].Headers.Length, headers.GetArrayLength());
                for (int h = 0; h < mixed[i].Headers.Length; h++)
                {
                    Assert.Equal(mixed[i].Headers[h].Key, headers[h][0].GetString());
                    Assert.Equal(mixed[i].Headers[h].Value, Hex(headers[h][1]));
                }
            }

            var second = batches[1];
            Assert.True(second.GetProperty("transactional").GetBoolean());
            Assert.Equal(1, second.GetProperty("timestamp_type").GetInt32());
            foreach (var r in second.GetProperty("records").EnumerateArray())
            {
                Assert.Equal(1_800_000_000_000, r.GetProperty("timestamp").GetInt64());
            }

            var marker = batches[2];
            Assert.True(marker.GetProperty("control").GetBoolean());
            var markerRecord = marker.GetProperty("records")[0];
            Assert.Equal(702, markerRecord.GetProperty("offset").GetInt64());
            Assert.Equal("00000001", markerRecord.GetProperty("key").GetString());
            Assert.Equal("000000000007", markerRecord.GetProperty("value").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
