using Eddy.Client.Internal;

namespace Eddy.Client;

/// <summary>Admin client settings (Kafka's <c>AdminClientConfig</c> names).</summary>
/// <example>
/// <code>
/// await using var admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = "localhost:9092" });
/// </code>
/// </example>
public sealed class AdminClientConfig : ClientConfig
{
    /// <summary>Creates an empty admin configuration.</summary>
    public AdminClientConfig()
    {
    }

    /// <summary>Creates an admin configuration from Kafka property names and values.</summary>
    public AdminClientConfig(IEnumerable<KeyValuePair<string, string>> properties)
        : base(properties)
    {
    }

    /// <summary>Default time limit for an admin call (<c>default.api.timeout.ms</c>; default 60000).</summary>
    public int? DefaultApiTimeoutMs { get => GetInt("default.api.timeout.ms"); set => SetNumber("default.api.timeout.ms", value); }

    private protected override ConfigScope Scope => ConfigScope.Admin;
}
