using Eddy.Protocol.Messages;

namespace Eddy.Protocol.Tests.Messages;

/// <summary>
/// Feeds every decoder 100,000 random and mutated inputs. A decoder may only throw
/// <see cref="KafkaProtocolException"/>, and never allocates in proportion to a size field rather
/// than to the bytes it was given.
/// </summary>
public class MessageFuzzTests
{
    private const int FramesPerDecoder = 100_000;

    public static IEnumerable<object[]> Messages() => MessageModel.MessageTypeNames();

    [Theory]
    [MemberData(nameof(Messages))]
    public void Decoder_survives_100000_random_and_mutated_frames(string messageName)
    {
        var type = MessageModel.MessageType(messageName);
        var (min, max) = MessageModel.Versions(type);
        var read = MessageModel.Reader(type);
        var random = new Random(messageName.Length * 7919 + min);

        // Seeds for mutation: valid encodings at every version.
        var valid = new List<(byte[] Bytes, short Version)>();
        for (short version = min; version <= max; version++)
        {
            for (int i = 0; i < 8; i++)
            {
                var message = new RandomMessages(random.Next()).Create(type, version);
                valid.Add((MessageModel.Encode(message, version), version));
            }
        }

        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < FramesPerDecoder; i++)
        {
            var (seed, version) = valid[random.Next(valid.Count)];
            byte[] frame = Mutate(random, seed, valid[random.Next(valid.Count)].Bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                read(frame, version);
                decoded++;
            }
            catch (KafkaProtocolException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{messageName} v{version} threw {e.GetType().Name} on frame {Convert.ToHexString(frame)}: {e}");
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            long bound = (512L * frame.Length) + (64 * 1024);
            Assert.True(allocated <= bound, $"{messageName} v{version} allocated {allocated} bytes for a {frame.Length}-byte frame: {Convert.ToHexString(frame)}");
        }

        // The mutations must exercise both paths, or the test proves little.
        Assert.True(rejected > FramesPerDecoder / 10, $"only {rejected} frames were rejected");
        Assert.True(decoded > 0 || valid.All(v => v.Bytes.Length == 0), "no frame decoded");
    }

    [Fact]
    public void Headers_and_framing_survive_random_bytes()
    {
        var random = new Random(42);
        for (int i = 0; i < FramesPerDecoder; i++)
        {
            var frame = new byte[random.Next(40)];
            random.NextBytes(frame);
            if (frame.Length >= 2 && random.Next(2) == 0)
            {
                // Aim at real APIs so the flexible (v2) header path is exercised too.
                var api = KafkaApis.All[random.Next(KafkaApis.All.Count)];
                frame[0] = (byte)((short)api.Key >> 8);
                frame[1] = (byte)api.Key;
            }

            try
            {
                var reader = new KafkaReader(frame);
                RequestHeader.Read(ref reader);
            }
            catch (KafkaProtocolException)
            {
            }

            try
            {
                var reader = new KafkaReader(frame);
                ResponseHeader.Read(ref reader, (ApiKey)random.Next(0, 70), (short)random.Next(0, 15));
            }
            catch (KafkaProtocolException)
            {
            }

            try
            {
                var sequence = new System.Buffers.ReadOnlySequence<byte>(frame);
                while (KafkaFrame.TryRead(ref sequence, 1024, out _))
                {
                }
            }
            catch (KafkaProtocolException)
            {
            }
        }
    }

    internal static byte[] Mutate(Random random, byte[] seed, byte[] other)
    {
        switch (random.Next(10))
        {
            case 0:
            {
                var bytes = new byte[random.Next(64)];
                random.NextBytes(bytes);
                return bytes;
            }

            case 1:
            case 2:
            {
                // Flip bits.
                var bytes = (byte[])seed.Clone();
                for (int n = random.Next(1, 4); n > 0 && bytes.Length > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            }

            case 3:
            case 4:
                // Truncate.
                return seed.AsSpan(0, seed.Length == 0 ? 0 : random.Next(seed.Length)).ToArray();

            case 5:
            case 6:
            {
                // Plant an extreme length or count somewhere.
                var bytes = (byte[])seed.Clone();
                if (bytes.Length >= 4)
                {
                    int at = random.Next(bytes.Length - 3);
                    uint[] extremes = [0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x00FFFFFF, 0x7FFF7FFF, 0xFFFFFFFE];
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), extremes[random.Next(extremes.Length)]);
                }

                return bytes;
            }

            case 7:
            {
                // A huge unsigned varint (compact lengths, tagged field counts and sizes).
                var bytes = (byte[])seed.Clone();
                if (bytes.Length >= 5)
                {
                    int at = random.Next(bytes.Length - 4);
                    bytes[at] = 0xFF;
                    bytes[at + 1] = 0xFF;
                    bytes[at + 2] = 0xFF;
                    bytes[at + 3] = 0xFF;
                    bytes[at + 4] = (byte)random.Next(0x10);
                }

                return bytes;
            }

            case 8:
            {
                // Insert or delete a few bytes.
                var list = new List<byte>(seed);
                if (list.Count > 0 && random.Next(2) == 0)
                {
                    list.RemoveRange(random.Next(list.Count), 1);
                }
                else
                {
                    list.Insert(random.Next(list.Count + 1), (byte)random.Next(256));
                }

                return [.. list];
            }

            default:
                // Splice the front of one encoding onto the back of another.
                int cut = seed.Length == 0 ? 0 : random.Next(seed.Length);
                int from = other.Length == 0 ? 0 : random.Next(other.Length);
                return [.. seed.AsSpan(0, cut), .. other.AsSpan(from)];
        }
    }
}
