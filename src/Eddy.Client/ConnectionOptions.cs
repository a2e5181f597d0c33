namespace Eddy.Client;

/// <summary>
/// Extension points of the connection layer. The default transport is plain TCP; TLS (an
/// <see cref="System.Net.Security.SslStream"/> over the socket) and SASL (an authenticator that runs
/// SaslHandshake/SaslAuthenticate after ApiVersions) plug in here without touching the protocol code.
/// </summary>
/// <example>
/// <code>
/// config.Connection.TransportFactory = new MyTlsTransportFactory(certificates);
/// config.Connection.Authenticator = new MySaslPlainAuthenticator("user", "secret");
/// </code>
/// </example>
public sealed class ConnectionOptions
{
    /// <summary>Opens the byte stream to a broker; null means plain TCP.</summary>
    public IKafkaTransportFactory? TransportFactory { get; set; }

    /// <summary>Authenticates a new connection after version negotiation; null means none.</summary>
    public IKafkaAuthenticator? Authenticator { get; set; }
}

/// <summary>Opens the duplex byte stream to one broker (plain TCP, TLS, a test double...).</summary>
/// <example>
/// <code>
/// public sealed class TlsFactory : IKafkaTransportFactory
/// {
///     public async ValueTask&lt;Stream&gt; ConnectAsync(string host, int port, CancellationToken ct)
///     {
///         var tcp = await new TcpTransportFactory().ConnectAsync(host, port, ct);
///         var tls = new SslStream(tcp);
///         await tls.AuthenticateAsClientAsync(host);
///         return tls;
///     }
/// }
/// </code>
/// </example>
public interface IKafkaTransportFactory
{
    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> and returns the stream to exchange frames on.</summary>
    ValueTask<Stream> ConnectAsync(string host, int port, CancellationToken cancellationToken);
}

/// <summary>Authenticates a new connection (SASL), using the connection's request channel.</summary>
/// <example>
/// <code>
/// public sealed class NoAuth : IKafkaAuthenticator
/// {
///     public ValueTask AuthenticateAsync(IKafkaRequestChannel channel, CancellationToken ct) => ValueTask.CompletedTask;
/// }
/// </code>
/// </example>
public interface IKafkaAuthenticator
{
    /// <summary>Runs the authentication exchange; throws to refuse the connection.</summary>
    ValueTask AuthenticateAsync(IKafkaRequestChannel channel, CancellationToken cancellationToken);
}

/// <summary>Sends protocol requests on one broker connection (for authenticators and advanced use).</summary>
/// <example>
/// <code>
/// var response = await channel.SendAsync&lt;SaslHandshakeRequest, SaslHandshakeResponse&gt;(new SaslHandshakeRequest { Mechanism = "PLAIN" }, ct);
/// </code>
/// </example>
public interface IKafkaRequestChannel
{
    /// <summary>The broker's version range for an API, or null if it does not support it.</summary>
    (short Min, short Max)? BrokerVersions(Eddy.Protocol.ApiKey apiKey);

    /// <summary>Sends a request at the highest version both sides support and returns the response.</summary>
    Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, CancellationToken cancellationToken)
        where TRequest : Eddy.Protocol.Messages.IKafkaRequest<TRequest, TResponse>
        where TResponse : Eddy.Protocol.Messages.IKafkaResponse<TResponse>;
}
