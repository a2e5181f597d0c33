using System.Collections;
using System.Text;

namespace Eddy.Streams;

/// <summary>
/// One record header: a string key and a byte value that may be null, as in Kafka.
/// </summary>
/// <param name="Key">The header key.</param>
/// <param name="Value">The header value, or null.</param>
/// <example><code>var header = new Header("trace-id", "abc"u8.ToArray());</code></example>
public readonly record struct Header(string Key, byte[]? Value);

/// <summary>
/// The ordered, mutable list of headers of a record. Keys may repeat, as in Kafka's <c>Headers</c>.
/// A processor may add headers to the record it forwards; <see cref="Empty"/> is a shared read-only instance.
/// </summary>
/// <example>
/// <code>
/// var headers = new Headers().Add("source", "orders"u8.ToArray());
/// byte[]? last = headers.LastValue("source");
/// </code>
/// </example>
public sealed class Headers : IEnumerable<Header>
{
    private static readonly List<Header> NoItems = [];

    // Allocated on the first Add, so that records read without headers cost one small object.
    private List<Header>? _items;
    private bool _readOnly;

    /// <summary>A shared, empty, read-only instance used for records without headers.</summary>
    public static Headers Empty { get; } = CreateEmpty();

    /// <summary>Creates an empty header list.</summary>
    public Headers() { }

    /// <summary>Creates a header list with a copy of <paramref name="headers"/>.</summary>
    /// <param name="headers">The headers to copy.</param>
    public Headers(IEnumerable<Header> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        _items = [.. headers];
    }

    /// <summary>The number of headers.</summary>
    public int Count => _items?.Count ?? 0;

    /// <summary>True when the list cannot be changed (such as <see cref="Empty"/>).</summary>
    public bool IsReadOnly => _readOnly;

    /// <summary>The header at <paramref name="index"/>.</summary>
    /// <param name="index">The position.</param>
    public Header this[int index] => (_items ?? NoItems)[index];

    /// <summary>Adds a header at the end and returns this list.</summary>
    /// <param name="key">The header key.</param>
    /// <param name="value">The header value, or null.</param>
    /// <returns>This list.</returns>
    public Headers Add(string key, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfReadOnly();
        (_items ??= []).Add(new Header(key, value));
        return this;
    }

    /// <summary>Adds a header whose value is the UTF-8 encoding of <paramref name="value"/>.</summary>
    /// <param name="key">The header key.</param>
    /// <param name="value">The value, or null.</param>
    /// <returns>This list.</returns>
    public Headers Add(string key, string? value) => Add(key, value is null ? null : Encoding.UTF8.GetBytes(value));

    /// <summary>Removes every header with <paramref name="key"/> and returns this list.</summary>
    /// <param name="key">The header key.</param>
    /// <returns>This list.</returns>
    public Headers Remove(string key)
    {
        ThrowIfReadOnly();
        _items?.RemoveAll(h => h.Key == key);
        return this;
    }

    /// <summary>The value of the last header with <paramref name="key"/>, or null when there is none.</summary>
    /// <param name="key">The header key.</param>
    /// <returns>The value or null.</returns>
    public byte[]? LastValue(string key)
    {
        var items = _items ?? NoItems;
        for (var i = items.Count - 1; i >= 0; i--)
        {
            if (items[i].Key == key)
            {
                return items[i].Value;
            }
        }
        return null;
    }

    /// <summary>Every header with <paramref name="key"/>, in order.</summary>
    /// <param name="key">The header key.</param>
    /// <returns>The matching headers.</returns>
    public IEnumerable<Header> GetAll(string key)
    {
        foreach (var h in _items ?? NoItems)
        {
            if (h.Key == key)
            {
                yield return h;
            }
        }
    }

    /// <summary>Makes this list read-only, as Kafka does once a record has been sent.</summary>
    public void SetReadOnly() => _readOnly = true;

    /// <summary>A mutable copy of this list.</summary>
    /// <returns>The copy.</returns>
    public Headers Clone() => new(_items ?? NoItems);

    /// <inheritdoc/>
    public List<Header>.Enumerator GetEnumerator() => (_items ?? NoItems).GetEnumerator();

    IEnumerator<Header> IEnumerable<Header>.GetEnumerator() => (_items ?? NoItems).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => (_items ?? NoItems).GetEnumerator();

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder("[");
        var items = _items ?? NoItems;
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            sb.Append(items[i].Key).Append('=').Append(items[i].Value is null ? "null" : Convert.ToHexString(items[i].Value!));
        }
        return sb.Append(']').ToString();
    }

    private void ThrowIfReadOnly()
    {
        if (_readOnly)
        {
            throw new InvalidOperationException("These headers are read-only. Forward record.WithHeaders(new Headers(...)) to attach headers to a record that has none.");
        }
    }

    private static Headers CreateEmpty()
    {
        var h = new Headers();
        h.SetReadOnly();
        return h;
    }
}
