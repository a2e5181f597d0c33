namespace Eddy.Protocol.Tests.Messages;

public class MessageRoundTripTests
{
    public static IEnumerable<object[]> Messages() => MessageModel.MessageTypeNames();

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_version_round_trips_field_for_field_and_byte_for_byte(string messageName)
    {
        var type = MessageModel.MessageType(messageName);
        var (min, max) = MessageModel.Versions(type);
        var read = MessageModel.Reader(type);
        for (short version = min; version <= max; version++)
        {
            for (int seed = 0; seed < 25; seed++)
            {
                var original = new RandomMessages(seed * 1000 + version).Create(type, version);
                byte[] encoded = MessageModel.Encode(original, version);
                var decoded = read(encoded, version);
                string? difference = MessageComparer.Difference(original, decoded, $"{messageName} v{version} seed {seed}");
                Assert.True(difference is null, difference);
                byte[] again = MessageModel.Encode(decoded, version);
                Assert.Equal(encoded, again);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_default_message_encodes_at_every_version(string messageName)
    {
        var type = MessageModel.MessageType(messageName);
        var (min, max) = MessageModel.Versions(type);
        var read = MessageModel.Reader(type);
        for (short version = min; version <= max; version++)
        {
            var message = (Eddy.Protocol.Messages.IKafkaMessage)Activator.CreateInstance(type)!;
            byte[] encoded = MessageModel.Encode(message, version);
            Assert.Equal(encoded, MessageModel.Encode(read(encoded, version), version));
        }
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Versions_outside_the_definition_are_refused(string messageName)
    {
        var type = MessageModel.MessageType(messageName);
        var (_, max) = MessageModel.Versions(type);
        var message = (Eddy.Protocol.Messages.IKafkaMessage)Activator.CreateInstance(type)!;
        Assert.Throws<KafkaUnsupportedVersionException>(() => MessageModel.Encode(message, (short)(max + 1)));
        var read = MessageModel.Reader(type);
        var e = Assert.ThrowsAny<KafkaProtocolException>(() => read(new byte[16], (short)(max + 1)));
        Assert.Equal(ErrorCode.UnsupportedVersion, e.ErrorCode);
    }
}
