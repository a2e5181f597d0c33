namespace Eddy.Streams.Internal.Topology;

/// <summary>
/// Reproduces the iteration orders of Java collections that leak into Kafka Streams' Topology.describe() text,
/// so that our text matches Kafka's byte for byte: String.hashCode, HashMap/HashSet bucket order, and TreeSet
/// (a red-black tree) whose comparator reads values that change after insertion.
/// </summary>
internal static class JavaCollections
{
    /// <summary>Java's String.hashCode over UTF-16 code units.</summary>
    public static int StringHashCode(string s)
    {
        var h = 0;
        foreach (var c in s)
        {
            h = unchecked((31 * h) + c);
        }
        return h;
    }

    /// <summary>HashMap's spread of a hash into the table index bits.</summary>
    private static int Spread(int h) => h ^ (int)((uint)h >> 16);

    /// <summary>The table size of a HashMap/HashSet built by adding n elements to a default instance.</summary>
    public static int DefaultCapacity(int n)
    {
        var cap = 16;
        while (n > cap * 3 / 4)
        {
            cap *= 2;
        }
        return cap;
    }

    /// <summary>The table size of new HashSet(collection of n).</summary>
    public static int CopyCapacity(int n)
    {
        var wanted = Math.Max((int)(n / .75f) + 1, 16);
        var cap = 1;
        while (cap < wanted)
        {
            cap <<= 1;
        }
        return cap;
    }

    /// <summary>The iteration order of a HashSet/HashMap of strings with the given table size, given insertion order.</summary>
    public static List<string> HashOrder(IReadOnlyList<string> insertionOrder, int capacity)
    {
        var indexed = new List<(int Bucket, int Pos, string Value)>(insertionOrder.Count);
        for (var i = 0; i < insertionOrder.Count; i++)
        {
            indexed.Add((Spread(StringHashCode(insertionOrder[i])) & (capacity - 1), i, insertionOrder[i]));
        }
        indexed.Sort(static (a, b) => a.Bucket != b.Bucket ? a.Bucket.CompareTo(b.Bucket) : a.Pos.CompareTo(b.Pos));
        return indexed.ConvertAll(static x => x.Value);
    }

    /// <summary>Java's AbstractCollection.toString: "[a, b]".</summary>
    public static string SetToString(IEnumerable<string> items) => "[" + string.Join(", ", items) + "]";
}

/// <summary>
/// java.util.TreeSet with a comparator (a red-black tree, CLR insertion as in java.util.TreeMap). Elements are
/// placed by comparisons made at insertion time, which matters because Kafka's node comparator reads sub-tree
/// sizes that grow afterwards.
/// </summary>
internal sealed class JavaTreeSet<T>
    where T : class
{
    private sealed class Entry(T key, Entry? parent)
    {
        public T Key = key;
        public Entry? Left, Right;
        public Entry? Parent = parent;
        public bool Black = true;
    }

    private readonly Func<T, T, int> _compare;
    private Entry? _root;

    public JavaTreeSet(Func<T, T, int> compare) => _compare = compare;

    public int Count { get; private set; }

    public bool Add(T key)
    {
        if (_root is null)
        {
            _root = new Entry(key, null);
            Count = 1;
            return true;
        }
        Entry t = _root;
        Entry parent;
        int cmp;
        do
        {
            parent = t;
            cmp = _compare(key, t.Key);
            if (cmp < 0)
            {
                t = t.Left!;
            }
            else if (cmp > 0)
            {
                t = t.Right!;
            }
            else
            {
                return false;
            }
        }
        while (t is not null);
        var e = new Entry(key, parent);
        if (cmp < 0)
        {
            parent.Left = e;
        }
        else
        {
            parent.Right = e;
        }
        FixAfterInsertion(e);
        Count++;
        return true;
    }

    public List<T> InOrder()
    {
        var list = new List<T>(Count);
        Walk(_root, list);
        return list;
    }

    private static void Walk(Entry? e, List<T> list)
    {
        if (e is null)
        {
            return;
        }
        Walk(e.Left, list);
        list.Add(e.Key);
        Walk(e.Right, list);
    }

    private static bool ColorOf(Entry? p) => p is null || p.Black;

    private static Entry? ParentOf(Entry? p) => p?.Parent;

    private static void SetColor(Entry? p, bool black)
    {
        if (p is not null)
        {
            p.Black = black;
        }
    }

    private static Entry? LeftOf(Entry? p) => p?.Left;

    private static Entry? RightOf(Entry? p) => p?.Right;

    private void RotateLeft(Entry? p)
    {
        if (p is null)
        {
            return;
        }
        var r = p.Right!;
        p.Right = r.Left;
        if (r.Left is not null)
        {
            r.Left.Parent = p;
        }
        r.Parent = p.Parent;
        if (p.Parent is null)
        {
            _root = r;
        }
        else if (p.Parent.Left == p)
        {
            p.Parent.Left = r;
        }
        else
        {
            p.Parent.Right = r;
        }
        r.Left = p;
        p.Parent = r;
    }

    private void RotateRight(Entry? p)
    {
        if (p is null)
        {
            return;
        }
        var l = p.Left!;
        p.Left = l.Right;
        if (l.Right is not null)
        {
            l.Right.Parent = p;
        }
        l.Parent = p.Parent;
        if (p.Parent is null)
        {
            _root = l;
        }
        else if (p.Parent.Right == p)
        {
            p.Parent.Right = l;
        }
        else
        {
            p.Parent.Left = l;
        }
        l.Right = p;
        p.Parent = l;
    }

    private void FixAfterInsertion(Entry? x)
    {
        x!.Black = false;
        while (x is not null && x != _root && !x.Parent!.Black)
        {
            if (ParentOf(x) == LeftOf(ParentOf(ParentOf(x))))
            {
                var y = RightOf(ParentOf(ParentOf(x)));
                if (!ColorOf(y))
                {
                    SetColor(ParentOf(x), true);
                    SetColor(y, true);
                    SetColor(ParentOf(ParentOf(x)), false);
                    x = ParentOf(ParentOf(x));
                }
                else
                {
                    if (x == RightOf(ParentOf(x)))
                    {
                        x = ParentOf(x);
                        RotateLeft(x);
                    }
                    SetColor(ParentOf(x), true);
                    SetColor(ParentOf(ParentOf(x)), false);
                    RotateRight(ParentOf(ParentOf(x)));
                }
            }
            else
            {
                var y = LeftOf(ParentOf(ParentOf(x)));
                if (!ColorOf(y))
                {
                    SetColor(ParentOf(x), true);
                    SetColor(y, true);
                    SetColor(ParentOf(ParentOf(x)), false);
                    x = ParentOf(ParentOf(x));
                }
                else
                {
                    if (x == LeftOf(ParentOf(x)))
                    {
                        x = ParentOf(x);
                        RotateRight(x);
                    }
                    SetColor(ParentOf(x), true);
                    SetColor(ParentOf(ParentOf(x)), false);
                    RotateLeft(ParentOf(ParentOf(x)));
                }
            }
        }
        _root!.Black = true;
    }
}
