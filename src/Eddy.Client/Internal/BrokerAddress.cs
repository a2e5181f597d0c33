using System.Globalization;

namespace Eddy.Client.Internal;

/// <summary>A broker's host and port.</summary>
internal readonly record struct BrokerAddress(string Host, int Port)
{
    public static bool TryParse(string text, out BrokerAddress address)
    {
        address = default;
        text = text.Trim();
        if (text.StartsWith("PLAINTEXT://", StringComparison.OrdinalIgnoreCase))
        {
            text = text["PLAINTEXT://".Length..];
        }

        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        string host = text[..colon].Trim('[', ']');
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is <= 0 or > 65535)
        {
            return false;
        }

        address = new BrokerAddress(host, port);
        return true;
    }

    public override string ToString() => $"{Host}:{Port}";
}
