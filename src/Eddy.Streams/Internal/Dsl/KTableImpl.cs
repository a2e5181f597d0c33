using Eddy.Streams.Dsl;
using Eddy.Streams.Errors;
using Eddy.Streams.SerDes;

namespace Eddy.Streams.Internal.Dsl;

internal sealed class KTableImpl<TKey, TValue>(InternalStreamsBuilder builder, string name, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde,
    TableProcessorSettings settings, string? queryableStoreName, IReadOnlyCollection<string> sourceNodes,
    Func<IKTableValueGetterSupplier<TKey, TValue>> valueGetter) : IKTable<TKey, TValue>
{
    public InternalStreamsBuilder Builder { get; } = builder;

    public string Name { get; } = name;

    public ISerde<TKey>? KeySerde { get; } = keySerde;

    public ISerde<TValue>? ValueSerde { get; } = valueSerde;

    public TableProcessorSettings Settings { get; } = settings;

    public string? QueryableStoreName { get; } = queryableStoreName;

    /// <summary>The source nodes feeding this table (Kafka's subTopologySourceNodes), for co-partitioning.</summary>
    public IReadOnlyCollection<string> SourceNodes { get; } = sourceNodes;

    /// <summary>How to read this table's current values (materializing a source table if needed).</summary>
    public IKTableValueGetterSupplier<TKey, TValue> ValueGetterSupplier() => valueGetter();

    /// <summary>A getter over the store of a materialized table.</summary>
    internal static Func<IKTableValueGetterSupplier<TKey, TValue>> StoreGetter(TableProcessorSettings s)
        => () => new TimestampedStoreGetterSupplier<TKey, TValue>(() => s.QueryableName ?? s.StoreName!);

    /// <summary>The getter of a source table: reading it materializes it (Kafka's KTableSource.materialize()).</summary>
    internal static Func<IKTableValueGetterSupplier<TKey, TValue>> SourceGetter(TableProcessorSettings s)
        => () =>
        {
            s.Materialize();
            return new TimestampedStoreGetterSupplier<TKey, TValue>(() => s.QueryableName!);
        };

    public IKTable<TKey, TValue> Filter(Func<TKey, TValue, bool> predicate, Named? named = null, Materialized<TKey, TValue>? materialized = null)
        => DoFilter(predicate, named, materialized, false);

    public IKTable<TKey, TValue> FilterNot(Func<TKey, TValue, bool> predicate, Named? named = null, Materialized<TKey, TValue>? materialized = null)
        => DoFilter(predicate, named, materialized, true);

    private KTableImpl<TKey, TValue> DoFilter(Func<TKey, TValue, bool> predicate, Named? named, Materialized<TKey, TValue>? materialized, bool not)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        if (materialized is not null && materialized.StoreName is null)
        {
            // Kafka names (and so numbers) an unnamed Materialized even though it is not materialized.
            Builder.NewStoreName("KTABLE-FILTER-");
        }
        var n = named?.Name ?? Builder.NewProcessorName("KTABLE-FILTER-");
        var s = new TableProcessorSettings { Kind = TableKind.Derived, Parent = Settings, StoreName = materialized?.StoreName, QueryableName = materialized?.StoreName };
        var ks = materialized?.KeySerde ?? KeySerde;
        var vs = materialized?.ValueSerde ?? ValueSerde;
        Builder.AddProcessor<TKey, Change<TValue>, TKey, Change<TValue>>(n, [Name], () => new KTableFilter<TKey, TValue>(s, predicate, not));
        AddStoreIfMaterialized(n, s, materialized, ks, vs);
        Func<IKTableValueGetterSupplier<TKey, TValue>> getter = s.QueryableName is not null
            ? StoreGetter(s)
            : () => new FilterGetterSupplier<TKey, TValue>(ValueGetterSupplier(), predicate, not);
        return new KTableImpl<TKey, TValue>(Builder, n, ks, vs, s, materialized?.StoreName, SourceNodes, getter);
    }

    private void AddStoreIfMaterialized<TV>(string processor, TableProcessorSettings s, Materialized<TKey, TV>? materialized, ISerde<TKey>? ks, ISerde<TV>? vs)
    {
        if (s.QueryableName is { } store)
        {
            Builder.Add(t => t.AddStateStore(InternalStreamsBuilder.TimestampedStore(store, materialized, ks, vs), false, processor));
        }
    }

    public IKTable<TKey, TValueOut> MapValues<TValueOut>(Func<TValue, TValueOut> mapper, Named? named = null, Materialized<TKey, TValueOut>? materialized = null)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        return MapValues<TValueOut>((_, v) => mapper(v), named, materialized);
    }

    public IKTable<TKey, TValueOut> MapValues<TValueOut>(Func<TKey, TValue, TValueOut> mapper, Named? named = null, Materialized<TKey, TValueOut>? materialized = null)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        if (materialized is not null && materialized.StoreName is null)
        {
            Builder.NewStoreName("KTABLE-MAPVALUES-");
        }
        var n = named?.Name ?? Builder.NewProcessorName("KTABLE-MAPVALUES-");
        var s = new TableProcessorSettings { Kind = TableKind.Derived, Parent = Settings, StoreName = materialized?.StoreName, QueryableName = materialized?.StoreName };
        var ks = materialized?.KeySerde ?? KeySerde;
        var vs = materialized?.ValueSerde;
        Builder.AddProcessor<TKey, Change<TValue>, TKey, Change<TValueOut>>(n, [Name], () => new KTableMapValues<TKey, TValue, TValueOut>(s, mapper));
        AddStoreIfMaterialized(n, s, materialized, ks, vs);
        Func<IKTableValueGetterSupplier<TKey, TValueOut>> getter = s.QueryableName is not null
            ? KTableImpl<TKey, TValueOut>.StoreGetter(s)
            : () => new MapValuesGetterSupplier<TKey, TValue, TValueOut>(ValueGetterSupplier(), mapper);
        return new KTableImpl<TKey, TValueOut>(Builder, n, ks, vs, s, materialized?.StoreName, SourceNodes, getter);
    }

    public IKStream<TKey, TValue> ToStream(Named? named = null)
    {
        var n = named?.Name ?? Builder.NewProcessorName("KTABLE-TOSTREAM-");
        Builder.AddProcessor<TKey, Change<TValue>, TKey, TValue>(n, [Name], static () => new KTableToStream<TKey, TValue>());
        return new KStreamImpl<TKey, TValue>(Builder, n, KeySerde, ValueSerde, false, SourceNodes);
    }

    public IKGroupedTable<TKeyOut, TValueOut> GroupBy<TKeyOut, TValueOut>(Func<TKey, TValue, KeyValue<TKeyOut, TValueOut>> selector, Grouped<TKeyOut, TValueOut>? grouped = null)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var n = grouped?.Name ?? Builder.NewProcessorName("KTABLE-SELECT-");
        Builder.AddProcessor<TKey, Change<TValue>, TKeyOut, Change<TValueOut>>(n, [Name], () => new KTableRepartitionMap<TKey, TValue, TKeyOut, TValueOut>(selector));
        // The subtractor needs the old value of each row, which forces the table to be materialized.
        Settings.EnableSendingOldValues(true);
        return new KGroupedTableImpl<TKeyOut, TValueOut>(Builder, n, grouped?.KeySerde, grouped?.ValueSerde, grouped?.Name);
    }

    public IKTable<TKey, TValueOut> Join<TOther, TValueOut>(IKTable<TKey, TOther> other, Func<TValue, TOther, TValueOut> joiner, Named? named = null,
        Materialized<TKey, TValueOut>? materialized = null)
        => DoJoin(other, joiner, named, materialized, false, false);

    public IKTable<TKey, TValueOut> LeftJoin<TOther, TValueOut>(IKTable<TKey, TOther> other, Func<TValue, TOther?, TValueOut> joiner, Named? named = null,
        Materialized<TKey, TValueOut>? materialized = null)
        => DoJoin(other, joiner!, named, materialized, true, false);

    public IKTable<TKey, TValueOut> OuterJoin<TOther, TValueOut>(IKTable<TKey, TOther> other, Func<TValue?, TOther?, TValueOut> joiner, Named? named = null,
        Materialized<TKey, TValueOut>? materialized = null)
        => DoJoin(other, joiner!, named, materialized, true, true);

    /// <summary>
    /// Kafka's KTableImpl.doJoin: this side's and the other side's join processors read the opposite table through its
    /// value getter (which materializes source tables) and feed a merger that may store the result.
    /// Names: the materialized store, then KTABLE-MERGE-, KTABLE-JOINTHIS-, KTABLE-JOINOTHER-.
    /// </summary>
    private KTableImpl<TKey, TValueOut> DoJoin<TOther, TValueOut>(IKTable<TKey, TOther> otherTable, Func<TValue, TOther, TValueOut> joiner, Named? named,
        Materialized<TKey, TValueOut>? materialized, bool leftOuter, bool rightOuter)
    {
        ArgumentNullException.ThrowIfNull(otherTable);
        ArgumentNullException.ThrowIfNull(joiner);
        var other = (KTableImpl<TKey, TOther>)otherTable;
        string? storeName = null;
        if (materialized is not null)
        {
            storeName = materialized.StoreName ?? Builder.NewStoreName("KTABLE-MERGE-");
        }
        var joinMergeName = named?.Name ?? Builder.NewProcessorName("KTABLE-MERGE-");
        var allSourceNodes = EnsureCopartitionWith(other.SourceNodes);
        if (leftOuter)
        {
            Settings.EnableSendingOldValues(true);
        }
        if (rightOuter)
        {
            other.Settings.EnableSendingOldValues(true);
        }
        // Kafka's suffixWithOrElseGet uses a counter index even for named joins.
        var joinThisGenerated = Builder.NewProcessorName("KTABLE-JOINTHIS-");
        var joinOtherGenerated = Builder.NewProcessorName("KTABLE-JOINOTHER-");
        var joinThisName = named is not null ? named.Name + "-join-this" : joinThisGenerated;
        var joinOtherName = named is not null ? named.Name + "-join-other" : joinOtherGenerated;
        var mergerSettings = new TableProcessorSettings { Kind = TableKind.Join, StoreName = storeName, QueryableName = materialized?.StoreName };
        mergerSettings.Parents.Add(Settings);
        mergerSettings.Parents.Add(other.Settings);
        var thisSide = !leftOuter ? TableJoinSide.Inner : !rightOuter ? TableJoinSide.Left : TableJoinSide.Outer;
        var otherSide = !leftOuter ? TableJoinSide.Inner : !rightOuter ? TableJoinSide.Right : TableJoinSide.Outer;
        var thisGetter = ValueGetterSupplier();
        var otherGetter = other.ValueGetterSupplier();
        Func<TOther, TValue, TValueOut> reversed = (o, t) => joiner(t, o);
        var ks = materialized?.KeySerde ?? KeySerde;
        var vs = materialized?.ValueSerde;
        var thisName = Name;
        var otherName = other.Name;
        Builder.Add(t =>
        {
            t.AddProcessor(new Topology.ProcessorNodeFactory<TKey, Change<TValue>, TKey, Change<TValueOut>>(joinThisName, [thisName],
                () => new KTableKTableJoinProcessor<TKey, TValue, TOther, TValueOut>(mergerSettings, otherGetter, thisSide, joiner)));
            t.AddProcessor(new Topology.ProcessorNodeFactory<TKey, Change<TOther>, TKey, Change<TValueOut>>(joinOtherName, [otherName],
                () => new KTableKTableJoinProcessor<TKey, TOther, TValue, TValueOut>(mergerSettings, thisGetter, otherSide, reversed)));
            t.AddProcessor(new Topology.ProcessorNodeFactory<TKey, Change<TValueOut>, TKey, Change<TValueOut>>(joinMergeName, [joinThisName, joinOtherName],
                () => new KTableKTableJoinMerger<TKey, TValueOut>(mergerSettings)));
            foreach (var store in otherGetter.StoreNames)
            {
                t.ConnectProcessorAndStateStore(joinThisName, store);
            }
            foreach (var store in thisGetter.StoreNames)
            {
                t.ConnectProcessorAndStateStore(joinOtherName, store);
            }
            if (storeName is not null)
            {
                t.AddStateStore(InternalStreamsBuilder.TimestampedStore(storeName, materialized, ks, vs), false, joinMergeName);
            }
        });
        Func<IKTableValueGetterSupplier<TKey, TValueOut>> getter = mergerSettings.QueryableName is not null
            ? KTableImpl<TKey, TValueOut>.StoreGetter(mergerSettings)
            : () => new TableJoinGetterSupplier<TKey, TValue, TOther, TValueOut>(ValueGetterSupplier(), other.ValueGetterSupplier(), thisSide, joiner);
        return new KTableImpl<TKey, TValueOut>(Builder, joinMergeName, ks, vs, mergerSettings, materialized?.StoreName, allSourceNodes, getter);
    }

    /// <summary>Records that these source nodes must read co-partitioned topics (Kafka's ensureCopartitionWith).</summary>
    private HashSet<string> EnsureCopartitionWith(IReadOnlyCollection<string> otherSourceNodes)
    {
        var all = new HashSet<string>(SourceNodes, StringComparer.Ordinal);
        all.UnionWith(otherSourceNodes);
        var group = all.ToArray();
        Builder.Add(t => t.CopartitionSources(group));
        return all;
    }

    public IKTable<TKey, TValueOut> Join<TForeignKey, TForeignValue, TValueOut>(IKTable<TForeignKey, TForeignValue> other, Func<TValue, TForeignKey> foreignKeyExtractor,
        Func<TValue, TForeignValue, TValueOut> joiner, TableJoined<TKey, TForeignKey>? tableJoined = null, Materialized<TKey, TValueOut>? materialized = null)
    {
        ArgumentNullException.ThrowIfNull(foreignKeyExtractor);
        return ForeignKeyJoin.Build(this, (KTableImpl<TForeignKey, TForeignValue>)other, (_, v) => foreignKeyExtractor(v), joiner, tableJoined, materialized, false);
    }

    public IKTable<TKey, TValueOut> Join<TForeignKey, TForeignValue, TValueOut>(IKTable<TForeignKey, TForeignValue> other, Func<TKey, TValue, TForeignKey> foreignKeyExtractor,
        Func<TValue, TForeignValue, TValueOut> joiner, TableJoined<TKey, TForeignKey>? tableJoined = null, Materialized<TKey, TValueOut>? materialized = null)
        => ForeignKeyJoin.Build(this, (KTableImpl<TForeignKey, TForeignValue>)other, foreignKeyExtractor, joiner, tableJoined, materialized, false);

    public IKTable<TKey, TValueOut> LeftJoin<TForeignKey, TForeignValue, TValueOut>(IKTable<TForeignKey, TForeignValue> other, Func<TValue, TForeignKey> foreignKeyExtractor,
        Func<TValue, TForeignValue?, TValueOut> joiner, TableJoined<TKey, TForeignKey>? tableJoined = null, Materialized<TKey, TValueOut>? materialized = null)
    {
        ArgumentNullException.ThrowIfNull(foreignKeyExtractor);
        return ForeignKeyJoin.Build(this, (KTableImpl<TForeignKey, TForeignValue>)other, (_, v) => foreignKeyExtractor(v), joiner!, tableJoined, materialized, true);
    }

    public IKTable<TKey, TValueOut> LeftJoin<TForeignKey, TForeignValue, TValueOut>(IKTable<TForeignKey, TForeignValue> other, Func<TKey, TValue, TForeignKey> foreignKeyExtractor,
        Func<TValue, TForeignValue?, TValueOut> joiner, TableJoined<TKey, TForeignKey>? tableJoined = null, Materialized<TKey, TValueOut>? materialized = null)
        => ForeignKeyJoin.Build(this, (KTableImpl<TForeignKey, TForeignValue>)other, foreignKeyExtractor, joiner!, tableJoined, materialized, true);

    /// <summary>
    /// Kafka's KTableImpl.suppress: names the processor (KTABLE-SUPPRESS-) and its buffer store
    /// (KTABLE-SUPPRESS-STATE-STORE- or the given name plus <c>-store</c>). Final results take the grace period from the
    /// windowed aggregation upstream.
    /// </summary>
    public IKTable<TKey, TValue> Suppress(Suppressed<TKey> suppressed)
    {
        ArgumentNullException.ThrowIfNull(suppressed);
        var name = suppressed.Name ?? Builder.NewProcessorName("KTABLE-SUPPRESS-");
        long duration;
        Func<TKey, long>? windowEnd = null;
        if (suppressed.IsUntilWindowCloses)
        {
            duration = FindWindowGrace(Settings, name);
            windowEnd = static key => key is IWindowedKey windowed ? windowed.Window.End
                : throw new StreamsException("Suppressed.UntilWindowCloses requires a windowed key.");
        }
        else
        {
            duration = (long)suppressed.TimeToWaitForMoreEvents.TotalMilliseconds;
        }
        var storeName = suppressed.Name is not null ? suppressed.Name + "-store" : Builder.NewStoreName("KTABLE-SUPPRESS-");
        var s = new TableProcessorSettings { Kind = TableKind.Suppress, Parent = Settings, StoreName = storeName };
        // The buffer shows the prior value of buffered keys, which needs the old values.
        Settings.EnableSendingOldValues(true);
        var suppressSettings = new SuppressSettings<TKey>
        {
            StoreName = storeName,
            SuppressDurationMillis = duration,
            UntilWindowCloses = suppressed.IsUntilWindowCloses,
            Buffer = suppressed.Buffer,
            WindowEnd = windowEnd,
        };
        var ks = KeySerde;
        var vs = ValueSerde;
        var buffer = suppressed.Buffer;
        var parent = Name;
        Builder.Add(t =>
        {
            t.AddProcessor(new Topology.ProcessorNodeFactory<TKey, Change<TValue>, TKey, Change<TValue>>(name, [parent],
                () => new KTableSuppressProcessor<TKey, TValue>(suppressSettings)));
            var store = new SuppressionBufferBuilder<TKey, TValue>(storeName, ks, vs);
            if (buffer.LoggingEnabled)
            {
                store.WithLoggingEnabled(buffer.LogConfig);
            }
            else
            {
                store.WithLoggingDisabled();
            }
            t.AddStateStore(store, false, name);
        });
        return new KTableImpl<TKey, TValue>(Builder, name, ks, vs, s, null, SourceNodes,
            () => new SuppressGetterSupplier<TKey, TValue>(ValueGetterSupplier(), storeName));
    }

    /// <summary>
    /// The suppression duration of final results: the grace period of the nearest windowed aggregation upstream (plus
    /// the inactivity gap for sessions), as Kafka's GraphGraceSearchUtil finds it.
    /// </summary>
    private static long FindWindowGrace(TableProcessorSettings settings, string suppressName)
    {
        var s = settings;
        while (s is not null)
        {
            if (s.WindowGrace is { } grace)
            {
                return grace;
            }
            s = s.Parent ?? (s.Parents.Count > 0 ? s.Parents[0] : null);
        }
        throw new TopologyException("Window close time is only defined for windowed computations. Got [" + suppressName + "].");
    }
}

/// <summary>A global table: its store name (Kafka's GlobalKTableImpl).</summary>
internal sealed class GlobalKTableImpl<TKey, TValue>(string storeName, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde) : IGlobalKTable<TKey, TValue>
{
    public string QueryableStoreName { get; } = storeName;

    public ISerde<TKey>? KeySerde { get; } = keySerde;

    public ISerde<TValue>? ValueSerde { get; } = valueSerde;

    public IKTableValueGetterSupplier<TKey, TValue> ValueGetterSupplier() => new GlobalStoreGetterSupplier<TKey, TValue>(QueryableStoreName);
}
