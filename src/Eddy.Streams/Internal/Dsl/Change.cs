using Eddy.Streams.SerDes;

namespace Eddy.Streams.Internal.Dsl;

/// <summary>
/// A table update: the new and the old value of a key (Kafka's Change). Presence flags make it work for value
/// types too, whose default cannot mean "no value". A struct: forwarding it allocates nothing.
/// </summary>
internal readonly struct Change<TValue>
{
    public Change(bool hasNew, TValue newValue, bool hasOld, TValue oldValue)
    {
        HasNew = hasNew;
        NewValue = hasNew ? newValue : default!;
        HasOld = hasOld;
        OldValue = hasOld ? oldValue : default!;
    }

    public bool HasNew { get; }

    public TValue NewValue { get; }

    public bool HasOld { get; }

    public TValue OldValue { get; }

    public static Change<TValue> Of(TValue? newValue, TValue? oldValue) => new(newValue is not null, newValue!, oldValue is not null, oldValue!);

    public Change<TValue> WithoutOld() => new(HasNew, NewValue, false, default!);

    public override string ToString() => $"({(HasNew ? NewValue : "null")}<-{(HasOld ? OldValue : "null")})";
}

/// <summary>
/// Serializes table updates on a repartition topic in Kafka's ChangedSerializer layout (KIP-904):
/// [old][flag 0], [new][flag 1], or [uint32 new length][new][old][flag 2].
/// </summary>
internal sealed class ChangeSerde<TValue>(ISerde<TValue> inner) : Serde<Change<TValue>>
{
    public override byte[]? Serialize(Change<TValue> data, SerializationContext context)
    {
        var newData = data.HasNew ? inner.Serialize(data.NewValue, context) : null;
        var oldData = data.HasOld ? inner.Serialize(data.OldValue, context) : null;
        if (newData is not null && oldData is not null)
        {
            var buf = new byte[4 + newData.Length + oldData.Length + 1];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(buf, (uint)newData.Length);
            newData.CopyTo(buf, 4);
            oldData.CopyTo(buf, 4 + newData.Length);
            buf[^1] = 2;
            return buf;
        }
        if (newData is not null)
        {
            var buf = new byte[newData.Length + 1];
            newData.CopyTo(buf, 0);
            buf[^1] = 1;
            return buf;
        }
        if (oldData is not null)
        {
            var buf = new byte[oldData.Length + 1];
            oldData.CopyTo(buf, 0);
            buf[^1] = 0;
            return buf;
        }
        return null;
    }

    public override Change<TValue> Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return default;
        }
        var flag = data[^1];
        switch (flag)
        {
            case 0:
                return new Change<TValue>(false, default!, true, inner.Deserialize(data[..^1], false, context));
            case 1:
                return new Change<TValue>(true, inner.Deserialize(data[..^1], false, context), false, default!);
            case 2:
                var newLength = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data);
                var newValue = inner.Deserialize(data.Slice(4, newLength), false, context);
                var oldValue = inner.Deserialize(data[(4 + newLength)..^1], false, context);
                return new Change<TValue>(true, newValue, true, oldValue);
            default:
                throw new SerializationException("Encountered unknown flag " + flag + " in a table change record.");
        }
    }
}
