namespace Eddy.Client.Tests;

public class ConfigTests
{
    [Fact]
    public void Unknown_setting_fails_at_construction_with_a_suggestion()
    {
        var config = new ProducerConfig { BootstrapServers = "localhost:9092" };
        config["linger.msec"] = "5";
        var e = Assert.Throws<KafkaConfigException>(() => new KafkaProducer<string, string>(config, Serializers.Utf8, Serializers.Utf8));
        Assert.Equal("linger.msec", e.Setting);
        Assert.Contains("did you mean 'linger.ms'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("acks", "2", "not one of")]
    [InlineData("linger.ms", "soon", "not a 64-bit integer")]
    [InlineData("batch.size", "-1", "below the minimum")]
    [InlineData("enable.idempotence", "maybe", "not true or false")]
    [InlineData("compression.type", "brotli", "not one of")]
    public void Invalid_values_are_refused_with_the_setting_named(string name, string value, string expected)
    {
        var config = new ProducerConfig { BootstrapServers = "localhost:9092" };
        config[name] = value;
        var e = Assert.Throws<KafkaConfigException>(config.Validate);
        Assert.Equal(name, e.Setting);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_consumer_setting_is_refused_by_a_producer()
    {
        var config = new ProducerConfig { BootstrapServers = "localhost:9092" };
        config["group.id"] = "g";
        var e = Assert.Throws<KafkaConfigException>(config.Validate);
        Assert.Contains("consumer setting", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_or_malformed_bootstrap_servers_are_refused()
    {
        Assert.Throws<KafkaConfigException>(new ConsumerConfig().Validate);
        Assert.Throws<KafkaConfigException>(new ConsumerConfig { BootstrapServers = "localhost" }.Validate);
        new ConsumerConfig { BootstrapServers = "a:1, b:2,PLAINTEXT://c:3" }.Validate();
    }

    [Fact]
    public void Explicit_idempotence_requires_acks_all_but_default_idempotence_yields_to_acks_1()
    {
        var explicitly = new ProducerConfig { BootstrapServers = "localhost:9092", EnableIdempotence = true, Acks = Acks.Leader };
        Assert.Throws<KafkaConfigException>(explicitly.Validate);

        var byDefault = new ProducerConfig { BootstrapServers = "localhost:9092", Acks = Acks.Leader };
        byDefault.Validate();
        Assert.False(byDefault.IdempotenceEnabled);
        Assert.True(new ProducerConfig { BootstrapServers = "localhost:9092" }.IdempotenceEnabled);
    }

    [Fact]
    public void Typed_properties_and_kafka_names_are_the_same_dictionary()
    {
        var config = new ConsumerConfig(new Dictionary<string, string> { ["bootstrap.servers"] = "h:1", ["auto.offset.reset"] = "earliest" })
        {
            GroupId = "billing",
            MaxPollRecords = 10,
        };
        Assert.Equal("billing", config["group.id"]);
        Assert.Equal("10", config["max.poll.records"]);
        Assert.Equal(AutoOffsetReset.Earliest, config.AutoOffsetReset);
        config.Validate();
    }

    [Fact]
    public void Heartbeat_must_be_shorter_than_the_session_and_assignors_must_exist()
    {
        Assert.Throws<KafkaConfigException>(new ConsumerConfig { BootstrapServers = "h:1", SessionTimeoutMs = 3000, HeartbeatIntervalMs = 3000 }.Validate);
        Assert.Throws<KafkaConfigException>(new ConsumerConfig { BootstrapServers = "h:1", PartitionAssignmentStrategy = "sticky-ish" }.Validate);
        new ConsumerConfig { BootstrapServers = "h:1", PartitionAssignmentStrategy = "range, roundrobin,cooperative-sticky" }.Validate();
    }

    [Fact]
    public void Transactions_are_refused_until_they_are_implemented()
    {
        var config = new ProducerConfig { BootstrapServers = "h:1" };
        config["transactional.id"] = "tx";
        var e = Assert.Throws<KafkaConfigException>(config.Validate);
        Assert.Contains("not supported", e.Message, StringComparison.Ordinal);
    }
}
