using Eddy.Streams.Dsl;
using Eddy.Streams.Internal.Topology;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;

namespace Eddy.Streams.Internal.Dsl;

internal sealed class KTableImpl<TKey, TValue>(InternalStreamsBuilder builder, string name, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde,
    TableProcessorSettings settings, string? queryableStoreName) : IKTable<TKey, TValue>
{
    public InternalStreamsBuilder Builder { get; } = builder;

    public string Name { get; } = name;

    public ISerde<TKey>? KeySerde { get; } = keySerde;

    public ISerde<TValue>? ValueSerde { get; } = valueSerde;

    public TableProcessorSettings Settings { get; } = settings;

    public string? QueryableStoreName { get; } = queryableStoreName;

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
        return new KTableImpl<TKey, TValue>(Builder, n, ks, vs, s, materialized?.StoreName);
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
        return new KTableImpl<TKey, TValueOut>(Builder, n, ks, vs, s, materialized?.StoreName);
    }

    public IKStream<TKey, TValue> ToStream(Named? named = null)
    {
        var n = named?.Name ?? Builder.NewProcessorName("KTABLE-TOSTREAM-");
        Builder.AddProcessor<TKey, Change<TValue>, TKey, TValue>(n, [Name], static () => new KTableToStream<TKey, TValue>());
        return new KStreamImpl<TKey, TValue>(Builder, n, KeySerde, ValueSerde, false);
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
}

internal sealed class KGroupedStreamImpl<TKey, TValue>(InternalStreamsBuilder builder, string name, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde,
    bool repartitionRequired, string? userRepartitionName) : IKGroupedStream<TKey, TValue>
{
    public InternalStreamsBuilder Builder { get; } = builder;

    public string Name { get; } = name;

    public ISerde<TKey>? KeySerde { get; } = keySerde;

    public ISerde<TValue>? ValueSerde { get; } = valueSerde;

    public bool RepartitionRequired { get; } = repartitionRequired;

    public string? UserRepartitionName { get; } = userRepartitionName;

    public IKTable<TKey, long> Count(Materialized<TKey, long>? materialized = null, Named? named = null)
    {
        if (materialized is not null && materialized.StoreName is null)
        {
            // Kafka's KGroupedStreamImpl.count(Materialized) burns a name for compatibility with older releases.
            Builder.NewStoreName("KSTREAM-AGGREGATE-");
        }
        return DoAggregate("KSTREAM-AGGREGATE-", named, materialized, materialized?.ValueSerde ?? Serdes.Int64(),
            s => () => new KStreamAggregate<TKey, TValue, long>(s, static () => 0L, static (_, _, agg) => agg + 1));
    }

    public IKTable<TKey, TValue> Reduce(Func<TValue, TValue, TValue> reducer, Materialized<TKey, TValue>? materialized = null, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(reducer);
        return DoAggregate("KSTREAM-REDUCE-", named, materialized, materialized?.ValueSerde ?? ValueSerde,
            s => () => new KStreamReduce<TKey, TValue>(s, reducer));
    }

    public IKTable<TKey, TAgg> Aggregate<TAgg>(Func<TAgg> initializer, Func<TKey, TValue, TAgg, TAgg> aggregator, Materialized<TKey, TAgg>? materialized = null, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        ArgumentNullException.ThrowIfNull(aggregator);
        return DoAggregate("KSTREAM-AGGREGATE-", named, materialized, materialized?.ValueSerde,
            s => () => new KStreamAggregate<TKey, TValue, TAgg>(s, initializer, aggregator));
    }

    private KTableImpl<TKey, TAgg> DoAggregate<TAgg>(string prefix, Named? named, Materialized<TKey, TAgg>? materialized, ISerde<TAgg>? aggSerde,
        Func<TableProcessorSettings, Func<Processors.IProcessor<TKey, TValue, TKey, Change<TAgg>>>> factory)
    {
        var storeName = materialized?.StoreName ?? Builder.NewStoreName(prefix);
        var n = named?.Name ?? Builder.NewProcessorName(prefix);
        var ks = materialized?.KeySerde ?? KeySerde;
        var parent = Name;
        if (RepartitionRequired)
        {
            parent = Builder.CreateRepartitionedSource<TKey, TValue>(Name, UserRepartitionName ?? storeName, KeySerde, ValueSerde, null, null);
        }
        var s = new TableProcessorSettings { Kind = TableKind.Aggregate, StoreName = storeName, QueryableName = materialized?.StoreName };
        Builder.AddProcessor(n, [parent], factory(s));
        Builder.Add(t => t.AddStateStore(InternalStreamsBuilder.TimestampedStore(storeName, materialized, ks, aggSerde), false, n));
        return new KTableImpl<TKey, TAgg>(Builder, n, ks, aggSerde, s, materialized?.StoreName);
    }

    public ICogroupedKStream<TKey, TAgg> Cogroup<TAgg>(Func<TKey, TValue, TAgg, TAgg> aggregator)
    {
        ArgumentNullException.ThrowIfNull(aggregator);
        return new CogroupedKStreamImpl<TKey, TAgg>(Builder).Cogroup(this, aggregator);
    }
}

internal sealed class CogroupedKStreamImpl<TKey, TAgg>(InternalStreamsBuilder builder) : ICogroupedKStream<TKey, TAgg>
{
    private interface IEntry
    {
        bool RepartitionRequired { get; }

        void AddAggregate(string parent, string name, TableProcessorSettings settings, Func<TAgg> initializer);

        string Repartition(string storeName);

        string Name { get; }

        string? UserRepartitionName { get; }

        ISerde<TKey>? KeySerde { get; }
    }

    private sealed class Entry<TValue>(KGroupedStreamImpl<TKey, TValue> stream, Func<TKey, TValue, TAgg, TAgg> aggregator) : IEntry
    {
        public bool RepartitionRequired => stream.RepartitionRequired;

        public string Name => stream.Name;

        public string? UserRepartitionName => stream.UserRepartitionName;

        public ISerde<TKey>? KeySerde => stream.KeySerde;

        public string Repartition(string storeName)
            => stream.Builder.CreateRepartitionedSource<TKey, TValue>(stream.Name, stream.UserRepartitionName ?? storeName, stream.KeySerde, stream.ValueSerde, null, null);

        public void AddAggregate(string parent, string name, TableProcessorSettings settings, Func<TAgg> initializer)
            => stream.Builder.AddProcessor<TKey, TValue, TKey, Change<TAgg>>(name, [parent], () => new KStreamAggregate<TKey, TValue, TAgg>(settings, initializer, aggregator));
    }

    private readonly List<IEntry> _entries = [];

    public ICogroupedKStream<TKey, TAgg> Cogroup<TValue>(IKGroupedStream<TKey, TValue> groupedStream, Func<TKey, TValue, TAgg, TAgg> aggregator)
    {
        ArgumentNullException.ThrowIfNull(aggregator);
        var g = (KGroupedStreamImpl<TKey, TValue>)groupedStream;
        foreach (var e in _entries)
        {
            if (e.Name == g.Name)
            {
                throw new ArgumentException("This grouped stream is already part of the co-group.", nameof(groupedStream));
            }
        }
        _entries.Add(new Entry<TValue>(g, aggregator));
        return this;
    }

    public IKTable<TKey, TAgg> Aggregate(Func<TAgg> initializer, Materialized<TKey, TAgg>? materialized = null, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        var storeName = materialized?.StoreName ?? builder.NewStoreName("COGROUPKSTREAM-AGGREGATE-");
        var parents = new List<string>();
        foreach (var e in _entries)
        {
            parents.Add(e.RepartitionRequired ? e.Repartition(storeName) : e.Name);
        }
        var settings = new TableProcessorSettings { Kind = TableKind.Aggregate, StoreName = storeName, QueryableName = materialized?.StoreName };
        var aggNames = new List<string>();
        for (var i = 0; i < _entries.Count; i++)
        {
            var name = named is null ? builder.NewProcessorName("COGROUPKSTREAM-AGGREGATE-") : named.Name + "-cogroup-agg-" + i;
            _entries[i].AddAggregate(parents[i], name, settings, initializer);
            aggNames.Add(name);
        }
        var ks = materialized?.KeySerde ?? _entries[0].KeySerde;
        var vs = materialized?.ValueSerde;
        var names = aggNames.ToArray();
        builder.Add(t =>
        {
            t.AddStateStore(InternalStreamsBuilder.TimestampedStore(storeName, materialized, ks, vs), false, names);
        });
        var merge = named is null ? builder.NewProcessorName("COGROUPKSTREAM-MERGE-") : named.Name + "-cogroup-merge";
        builder.AddProcessor<TKey, Change<TAgg>, TKey, Change<TAgg>>(merge, names, static () => new KTablePassThrough<TKey, TAgg>());
        var mergeSettings = new TableProcessorSettings { Kind = TableKind.PassThrough, StoreName = storeName, QueryableName = materialized?.StoreName };
        mergeSettings.Parents.Add(settings);
        return new KTableImpl<TKey, TAgg>(builder, merge, ks, vs, mergeSettings, materialized?.StoreName);
    }
}

internal sealed class KGroupedTableImpl<TKey, TValue>(InternalStreamsBuilder builder, string name, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde,
    string? userRepartitionName) : IKGroupedTable<TKey, TValue>
{
    public IKTable<TKey, long> Count(Materialized<TKey, long>? materialized = null, Named? named = null)
        => DoAggregate("KTABLE-AGGREGATE-", named, materialized, materialized?.ValueSerde ?? Serdes.Int64(),
            s => () => new KTableAggregate<TKey, TValue, long>(s, static () => 0L, static (_, _, agg) => agg + 1, static (_, _, agg) => agg - 1));

    public IKTable<TKey, TValue> Reduce(Func<TValue, TValue, TValue> adder, Func<TValue, TValue, TValue> subtractor, Materialized<TKey, TValue>? materialized = null, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(adder);
        ArgumentNullException.ThrowIfNull(subtractor);
        return DoAggregate("KTABLE-REDUCE-", named, materialized, materialized?.ValueSerde ?? valueSerde,
            s => () => new KTableReduce<TKey, TValue>(s, adder, subtractor));
    }

    public IKTable<TKey, TAgg> Aggregate<TAgg>(Func<TAgg> initializer, Func<TKey, TValue, TAgg, TAgg> adder, Func<TKey, TValue, TAgg, TAgg> subtractor,
        Materialized<TKey, TAgg>? materialized = null, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        ArgumentNullException.ThrowIfNull(adder);
        ArgumentNullException.ThrowIfNull(subtractor);
        return DoAggregate("KTABLE-AGGREGATE-", named, materialized, materialized?.ValueSerde,
            s => () => new KTableAggregate<TKey, TValue, TAgg>(s, initializer, adder, subtractor));
    }

    private KTableImpl<TKey, TAgg> DoAggregate<TAgg>(string prefix, Named? named, Materialized<TKey, TAgg>? materialized, ISerde<TAgg>? aggSerde,
        Func<TableProcessorSettings, Func<Processors.IProcessor<TKey, Change<TValue>, TKey, Change<TAgg>>>> factory)
    {
        var storeName = materialized?.StoreName ?? builder.NewStoreName(prefix);
        var sinkName = named is null ? builder.NewProcessorName("KSTREAM-SINK-") : named.Name + "-sink";
        var sourceName = named is null ? builder.NewProcessorName("KSTREAM-SOURCE-") : named.Name + "-source";
        var funcName = named?.Name ?? builder.NewProcessorName(prefix);
        var topic = (userRepartitionName ?? storeName) + "-repartition";
        var ks = materialized?.KeySerde ?? keySerde;
        var changeSerde = new LazyChangeSerde<TValue>(valueSerde);
        var parent = name;
        var s = new TableProcessorSettings { Kind = TableKind.Aggregate, StoreName = storeName, QueryableName = materialized?.StoreName };
        var f = factory(s);
        builder.Add(t =>
        {
            t.AddInternalTopic(topic);
            t.AddSink(new SinkNodeFactory<TKey, Change<TValue>>(sinkName, [parent], topic, null, keySerde, changeSerde, null));
            t.AddSource(new SourceNodeFactory<TKey, Change<TValue>>(sourceName, [topic], null, null, keySerde, changeSerde, new FailOnInvalidTimestamp()));
            t.AddProcessor(new ProcessorNodeFactory<TKey, Change<TValue>, TKey, Change<TAgg>>(funcName, [sourceName], f));
            t.AddStateStore(InternalStreamsBuilder.TimestampedStore(storeName, materialized, ks, aggSerde), false, funcName);
        });
        return new KTableImpl<TKey, TAgg>(builder, funcName, ks, aggSerde, s, materialized?.StoreName);
    }
}

internal sealed class GlobalKTableImpl<TKey, TValue>(string storeName) : IGlobalKTable<TKey, TValue>
{
    public string QueryableStoreName { get; } = storeName;
}
