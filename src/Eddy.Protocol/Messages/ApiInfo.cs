namespace Eddy.Protocol.Messages;

/// <summary>What Eddy knows about one API.</summary>
/// <param name="Key">The API key.</param>
/// <param name="Name">Kafka's name for the API, e.g. <c>Produce</c>.</param>
/// <param name="LowestVersion">The lowest version in Kafka's definition (and in Eddy's codecs).</param>
/// <param name="HighestVersion">The highest version in Kafka's definition (and in Eddy's codecs).</param>
/// <param name="MinSupported">The lowest version Eddy's broker serves and its client uses.</param>
/// <param name="MaxSupported">The highest version Eddy's broker serves and its client uses.</param>
/// <param name="FirstFlexibleVersion">The first flexible version (KIP-482), or -1.</param>
/// <param name="RequestType">The generated request class.</param>
/// <param name="ResponseType">The generated response class.</param>
public sealed record ApiInfo(
    ApiKey Key,
    string Name,
    short LowestVersion,
    short HighestVersion,
    short MinSupported,
    short MaxSupported,
    short FirstFlexibleVersion,
    Type RequestType,
    Type ResponseType)
{
    /// <summary>Whether <paramref name="version"/> uses the flexible encoding.</summary>
    public bool IsFlexible(short version) => FirstFlexibleVersion >= 0 && version >= FirstFlexibleVersion;

    /// <summary>Whether Eddy serves and uses <paramref name="version"/>.</summary>
    public bool IsSupported(short version) => version >= MinSupported && version <= MaxSupported;

    /// <summary>
    /// The request header version for <paramref name="version"/>: 2 for flexible requests, else 1
    /// (header v0, without a client id, is only used by ControlledShutdown v0, which Eddy does not implement).
    /// </summary>
    public short RequestHeaderVersion(short version) => IsFlexible(version) ? (short)2 : (short)1;

    /// <summary>
    /// The response header version for <paramref name="version"/>: 1 for flexible responses, else 0.
    /// ApiVersions responses always use header v0 so that a client can read them before it knows
    /// the broker's versions (KIP-511).
    /// </summary>
    public short ResponseHeaderVersion(short version) => Key != ApiKey.ApiVersions && IsFlexible(version) ? (short)1 : (short)0;
}
