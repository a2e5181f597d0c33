using System.Collections;

namespace Eddy.Sql.Ast;

/// <summary>
/// Base of every syntax tree node. Nodes are immutable records that compare by structure, ignoring
/// <see cref="Location"/>; <see cref="ToString"/> prints the node back as SQL (see <see cref="SqlFormatter"/>).
/// </summary>
/// <example>
/// <code>
/// var a = SqlParser.ParseExpression("x + 1");
/// var b = SqlParser.ParseExpression("X+1");
/// Console.WriteLine(a == b); // True: same structure, different positions
/// Console.WriteLine(a);      // (X + 1)
/// </code>
/// </example>
public abstract record SqlNode
{
    /// <summary>Where the node starts in the parsed text (default when the node was built in code).</summary>
    public SourceLocation Location { get; init; }

    /// <summary>Structural equality that ignores <see cref="Location"/>.</summary>
    public virtual bool Equals(SqlNode? other) => other is not null && EqualityContract == other.EqualityContract;

    /// <inheritdoc/>
    public override int GetHashCode() => EqualityContract.GetHashCode();

    /// <summary>The node as SQL text.</summary>
    public sealed override string ToString() => SqlFormatter.Format(this);
}

/// <summary>
/// An immutable list of nodes (or strings) with structural equality, used inside syntax tree records
/// so that two trees with equal content compare equal.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <example>
/// <code>
/// NodeList&lt;string&gt; names = new[] { "A", "B" };
/// </code>
/// </example>
public sealed class NodeList<T> : IReadOnlyList<T>, IEquatable<NodeList<T>>
{
    private readonly T[] _items;

    /// <summary>Creates a list holding a copy of the items.</summary>
    public NodeList(IEnumerable<T> items)
    {
        _items = [.. items];
    }

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public T this[int index] => _items[index];

    /// <summary>The items as a span.</summary>
    public ReadOnlySpan<T> AsSpan() => _items;

    /// <summary>Wraps an array (copied).</summary>
    public static implicit operator NodeList<T>(T[] items) => new(items);

    /// <summary>Wraps a list (copied).</summary>
    public static implicit operator NodeList<T>(List<T> items) => new(items);

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(NodeList<T>? other)
    {
        if (other is null || other._items.Length != _items.Length)
        {
            return false;
        }

        var cmp = EqualityComparer<T>.Default;
        for (var i = 0; i < _items.Length; i++)
        {
            if (!cmp.Equals(_items[i], other._items[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NodeList<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var item in _items)
        {
            h.Add(item);
        }

        return h.ToHashCode();
    }

    /// <summary>Items joined with ", ".</summary>
    public override string ToString() => string.Join(", ", _items);
}
