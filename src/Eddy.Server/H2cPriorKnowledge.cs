using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Eddy.Server;

/// <summary>
/// Lets one cleartext port serve HTTP/1.1 and HTTP/2 with prior knowledge (h2c), as ksqlDB's port 8088 does.
/// Kestrel picks HTTP/2 on an HTTP/1.1-and-HTTP/2 endpoint only when ALPN said "h2", and there is no ALPN
/// without TLS; so this connection middleware peeks at the first bytes and, when they are the HTTP/2 client
/// preface, reports "h2" as the negotiated protocol. Nothing is consumed: Kestrel reads the same bytes.
/// </summary>
internal static class H2cPriorKnowledge
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        var input = connection.Transport.Input;
        var head = new byte[Preface.Length];
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
                var buffer = result.Buffer;
                var n = (int)Math.Min(buffer.Length, Preface.Length);
                buffer.Slice(0, n).CopyTo(head);
                var isPrefix = head.AsSpan(0, n).SequenceEqual(Preface.AsSpan(0, n));
                if (!isPrefix || n == Preface.Length || result.IsCompleted || result.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start);
                    if (isPrefix && n == Preface.Length)
                    {
                        SelectHttp2(connection);
                    }

                    break;
                }

                // A partial preface: keep every byte, but wait for more before looking again.
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await next(connection).ConfigureAwait(false);
    };

    // Kestrel's per-connection protocol override (what SNI configuration uses) is internal; when it is
    // there it decides outright, and the ALPN answer is the fallback.
    private static readonly Type? ProtocolsFeature =
        typeof(ITlsApplicationProtocolFeature).Assembly.GetType("Microsoft.AspNetCore.Server.Kestrel.Core.Internal.HttpProtocolsFeature");

    private static void SelectHttp2(ConnectionContext connection)
    {
        if (ProtocolsFeature is not null && Activator.CreateInstance(ProtocolsFeature, HttpProtocols.Http2) is { } feature)
        {
            connection.Features[ProtocolsFeature] = feature;
        }

        connection.Features.Set<ITlsApplicationProtocolFeature>(new H2Protocol());
    }

    private sealed class H2Protocol : ITlsApplicationProtocolFeature
    {
        private static readonly byte[] H2 = "h2"u8.ToArray();

        public ReadOnlyMemory<byte> ApplicationProtocol => H2;
    }
}
