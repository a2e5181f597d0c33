namespace Eddy.Protocol.Messages;

/// <summary>Helpers the generated codecs use to write unknown tagged fields in tag order.</summary>
internal static class TaggedFields
{
    /// <summary>Writes the unknown fields from <paramref name="index"/> on whose tag is below <paramref name="tag"/>.</summary>
    public static void WriteUnknownBelow(KafkaWriter writer, List<RawTaggedField>? unknown, ref int index, int tag)
    {
        if (unknown is null)
        {
            return;
        }

        while (index < unknown.Count && unknown[index].Tag < tag)
        {
            Write(writer, unknown[index]);
            index++;
        }
    }

    /// <summary>Writes every unknown tagged field.</summary>
    public static void WriteAll(KafkaWriter writer, List<RawTaggedField>? unknown)
    {
        if (unknown is null)
        {
            return;
        }

        foreach (var field in unknown)
        {
            Write(writer, field);
        }
    }

    private static void Write(KafkaWriter writer, RawTaggedField field)
    {
        writer.WriteUnsignedVarInt((uint)field.Tag);
        writer.WriteUnsignedVarInt((uint)field.Data.Length);
        writer.WriteRaw(field.Data);
    }
}
