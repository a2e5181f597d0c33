namespace Eddy.Streams.Dsl;

/// <summary>
/// Where and how <see cref="IKStream{TKey, TValue}.Print"/> writes records (Kafka's <c>Printed</c>): to standard
/// output or a file, each line <c>[label]: key, value</c>.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>stream.Print(Printed&lt;string, long&gt;.ToSysOut().WithLabel("counts"));</code></example>
#pragma warning disable CA1000 // Kafka's option-object idiom: a static factory on the generic type.
public sealed record Printed<TKey, TValue>
{
    /// <summary>The file to append to, or null for standard output.</summary>
    public string? FilePath { get; init; }

    /// <summary>The label in brackets, or null for the processor name.</summary>
    public string? Label { get; init; }

    /// <summary>Formats a record; null for <c>key, value</c>.</summary>
    public Func<TKey, TValue, string>? Mapper { get; init; }

    /// <summary>Prints to standard output.</summary>
    /// <returns>The option.</returns>
    public static Printed<TKey, TValue> ToSysOut() => new();

    /// <summary>Appends to a file.</summary>
    /// <param name="filePath">The file path.</param>
    /// <returns>The option.</returns>
    public static Printed<TKey, TValue> ToFile(string filePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        return new() { FilePath = filePath };
    }

    /// <summary>With a label.</summary>
    /// <param name="label">The label.</param>
    /// <returns>A changed copy.</returns>
    public Printed<TKey, TValue> WithLabel(string label) => this with { Label = label };

    /// <summary>With a formatter.</summary>
    /// <param name="mapper">Formats key and value.</param>
    /// <returns>A changed copy.</returns>
    public Printed<TKey, TValue> WithKeyValueMapper(Func<TKey, TValue, string> mapper) => this with { Mapper = mapper };
}
#pragma warning restore CA1000
