using System.Globalization;

namespace Eddy.Protocol.Generator;

/// <summary>
/// The APIs Eddy implements and the versions it supports (advertises as a broker, negotiates as a
/// client). Ranges follow the protocol issue and ../reference/kafka-protocol.md §1.6: every real client
/// finds a version it can use, and flexible encodings are needed only where clients insist on them.
/// </summary>
public static class Catalog
{
    public static readonly IReadOnlyList<(string Name, short Min, short Max)> Supported =
    [
        // Produce from v0, as Kafka 3.x advertises: librdkafka 2.0.2 compresses with gzip, snappy or lz4
        // only if the broker's Produce range includes v0 (rdkafka_msgset_writer.c compr_req). The
        // broker up-converts legacy MessageSet v0/v1 (Produce v0-2) to record batches v2 on append.
        // Clients still pick the highest common version (7), so nothing changes for them.
        ("Produce", 0, 7),
        ("Fetch", 4, 11),
        ("ListOffsets", 1, 3),
        ("Metadata", 0, 6),
        ("OffsetCommit", 2, 7),
        ("OffsetFetch", 1, 5),
        ("FindCoordinator", 0, 2),
        ("JoinGroup", 0, 5),
        ("Heartbeat", 0, 3),
        ("LeaveGroup", 0, 3),
        ("SyncGroup", 0, 3),
        ("DescribeGroups", 0, 4),
        ("ListGroups", 0, 2),
        ("SaslHandshake", 0, 1),
        ("ApiVersions", 0, 3),
        ("CreateTopics", 0, 4),
        ("DeleteTopics", 0, 3),
        ("DeleteRecords", 0, 1),
        ("InitProducerId", 0, 4),
        ("AddPartitionsToTxn", 0, 2),
        ("AddOffsetsToTxn", 0, 2),
        ("EndTxn", 0, 2),
        ("WriteTxnMarkers", 0, 1),
        ("TxnOffsetCommit", 0, 2),
        ("DescribeConfigs", 0, 2),
        ("AlterConfigs", 0, 1),
        ("SaslAuthenticate", 0, 2),
        ("CreatePartitions", 0, 1),
        ("DeleteGroups", 0, 1),
        ("IncrementalAlterConfigs", 0, 1),
        ("OffsetDelete", 0, 0),
        ("DescribeCluster", 0, 0),
    ];

    /// <summary>Emits ApiKey.g.cs and KafkaApis.g.cs from the parsed request definitions.</summary>
    public static (string ApiKeyFile, string ApisFile) Emit(IReadOnlyDictionary<string, MessageSpec> messages)
    {
        var apis = new List<(string Name, short Key, MessageSpec Request, MessageSpec Response, short Min, short Max)>();
        foreach (var (name, min, max) in Supported)
        {
            var request = messages[name + "Request"];
            var response = messages[name + "Response"];
            if (request.ValidVersions != response.ValidVersions)
            {
                throw new InvalidOperationException($"{name}: request and response valid versions differ");
            }

            if (!request.ValidVersions.Contains(min) || !request.ValidVersions.Contains(max))
            {
                throw new InvalidOperationException($"{name}: supported range {min}-{max} is outside the valid range {request.ValidVersions}");
            }

            apis.Add((name, request.ApiKey!.Value, request, response, min, max));
        }

        apis.Sort((a, b) => a.Key.CompareTo(b.Key));

        var key = new CodeWriter();
        Header(key, "Eddy.Protocol");
        key.Line("/// <summary>The Kafka API keys Eddy implements (the first field of every request header).</summary>");
        key.Open("public enum ApiKey : short");
        foreach (var api in apis)
        {
            key.Line($"/// <summary>{api.Name} (key {api.Key}).</summary>");
            key.Line($"{api.Name} = {api.Key},");
        }

        key.Close();

        var w = new CodeWriter();
        Header(w, "Eddy.Protocol.Messages");
        w.Line("/// <summary>What Eddy knows about each API: its versions, flexible versions and message types.</summary>");
        w.Open("public static partial class KafkaApis");
        w.Line("/// <summary>Every API Eddy implements, ordered by key.</summary>");
        w.Line("public static IReadOnlyList<ApiInfo> All { get; } =");
        w.Line("[");
        foreach (var api in apis)
        {
            short flex = api.Request.FlexibleVersions.Intersect(api.Request.ValidVersions).IsEmpty ? (short)-1 : api.Request.FlexibleVersions.Intersect(api.Request.ValidVersions).Min;
            w.Line($"    new(ApiKey.{api.Name}, \"{api.Name}\", {api.Request.ValidVersions.Min}, {api.Request.ValidVersions.Max}, {api.Min}, {api.Max}, {flex}, typeof({api.Name}Request), typeof({api.Name}Response)),");
        }

        w.Line("];");
        w.Line();
        w.Line("/// <summary>Looks up an API by key; null if Eddy does not implement it.</summary>");
        w.Open("public static ApiInfo? Find(short apiKey) => apiKey switch");
        foreach (var api in apis)
        {
            w.Line($"{api.Key} => All[{apis.IndexOf(api)}],");
        }

        w.Line("_ => null,");
        w.Close(";");
        w.Line();
        w.Line("/// <summary>Decodes the body of a request (the header already read).</summary>");
        w.Open("public static IKafkaRequest ReadRequest(ApiKey apiKey, short version, ref KafkaReader reader) => apiKey switch");
        foreach (var api in apis)
        {
            w.Line($"ApiKey.{api.Name} => {api.Name}Request.Read(ref reader, version),");
        }

        w.Line("_ => throw new KafkaProtocolException($\"API key {(short)apiKey} is not supported\", ErrorCode.UnsupportedVersion),");
        w.Close(";");
        w.Line();
        w.Line("/// <summary>Decodes the body of a response (the header already read).</summary>");
        w.Open("public static IKafkaResponse ReadResponse(ApiKey apiKey, short version, ref KafkaReader reader) => apiKey switch");
        foreach (var api in apis)
        {
            w.Line($"ApiKey.{api.Name} => {api.Name}Response.Read(ref reader, version),");
        }

        w.Line("_ => throw new KafkaProtocolException($\"API key {(short)apiKey} is not supported\", ErrorCode.UnsupportedVersion),");
        w.Close(";");
        w.Close();
        return (key.ToString(), w.ToString());
    }

    private static void Header(CodeWriter w, string ns)
    {
        w.Line("// <auto-generated>");
        w.Line("// Generated by tools/Eddy.Protocol.Generator from Messages/Definitions and its Catalog. Do not edit.");
        w.Line("// </auto-generated>");
        w.Line("#nullable enable");
        w.Line();
        w.Line($"namespace {ns};");
        w.Line();
    }

    internal static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
