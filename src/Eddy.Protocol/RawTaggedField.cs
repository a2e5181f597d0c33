namespace Eddy.Protocol;

/// <summary>
/// A tagged field (KIP-482) that this version of Eddy does not know. Decoders keep such fields so
/// that a message read and written again is byte-identical.
/// </summary>
/// <param name="Tag">The field's tag number.</param>
/// <param name="Data">The field's bytes, exactly as they were on the wire.</param>
public sealed record RawTaggedField(int Tag, byte[] Data);
