using Eddy.Streams.Errors;
using Eddy.Streams.SerDes;

namespace Eddy.Streams.Internal;

/// <summary>Finds the serde for a type: the explicit one, else the configured default, else the built-in one.</summary>
internal static class SerdeResolver
{
    public static ISerde<T> Resolve<T>(ISerde<T>? explicitSerde, StreamsConfig config, bool isKey, string where)
    {
        if (explicitSerde is not null)
        {
            // Wrapping serdes (windowed keys, table changes) resolve their inner serde from the configuration.
            (explicitSerde as Dsl.IConfigurableSerde)?.Configure(config, isKey);
            return explicitSerde;
        }
        var provider = isKey ? config.DefaultKeySerde : config.DefaultValueSerde;
        var s = provider?.GetSerde<T>() ?? Serdes.BuiltIn<T>();
        if (s is null)
        {
            var name = isKey ? StreamsConfig.DefaultKeySerdeConfig : StreamsConfig.DefaultValueSerdeConfig;
            var configured = provider is null ? "not set" : provider.GetType().Name;
            throw new StreamsException(
                $"No {(isKey ? "key" : "value")} serde for type {typeof(T).Name} in {where}: {name} is {configured}. " +
                $"Pass a serde explicitly (Consumed/Produced/Grouped/Materialized.With...) or set {name} to a serde or provider (such as Serdes.Json()) that handles {typeof(T).Name}.");
        }
        return s;
    }
}
