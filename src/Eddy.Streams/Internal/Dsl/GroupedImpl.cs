using Eddy.Streams.Dsl;
using Eddy.Streams.Internal.Topology;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.Dsl;

/// <summary>
/// The aggregate function of a windowed aggregation, with a flag telling whether there is an aggregate yet (reduce
/// starts from the first value; aggregate from the initializer, which the processor applies first).
/// </summary>
internal delegate TAgg WindowAggregator<in TKey, in TValue, TAgg>(TKey key, TValue value, bool hasAggregate, TAgg aggregate);

internal sealed class KGroupedStreamImpl<TKey, TValue>(InternalStreamsBuilder builder, string name, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde,
    bool repartitionRequired, string? userRepartitionName, IReadOnlyCollection<string> sourceNodes) : IKGroupedStream<TKey, TValue>
{
    public InternalStreamsBuilder Builder { get; } = builder;

    public string Name { get; } = name;

    public ISerde<TKey>? KeySerde { get; } = keySerde;

    public ISerde<TValue>? ValueSerde { get; } = valueSerde;

    public bool RepartitionRequired { get; } = repartitionRequired;

    public string? UserRepartitionName { get; } = userRepartitionName;

    public IReadOnlyCollection<string> SourceNodes { get; } = sourceNodes;

    /// <summary>The aggregation's parent: this stream, or a repartition topic named after the store (or the Grouped name).</summary>
    public (string Parent, IReadOnlyCollection<string> Sources) RepartitionIfRequired(string storeName)
    {
        if (!RepartitionRequired)
        {
            return (Name, SourceNodes);
        }
        var source = Builder.CreateRepartitionedSource<TKey, TValue>(Name, UserRepartitionName ?? storeName, KeySerde, ValueSerde, null, null);
        return (source, [source]);
    }

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
        Func<TableProcessorSettings, Func<IProcessor<TKey, TValue, TKey, Change<TAgg>>>> factory)
    {
        var storeName = materialized?.StoreName ?? Builder.NewStoreName(prefix);
        var n = named?.Name ?? Builder.NewProcessorName(prefix);
        var ks = materialized?.KeySerde ?? KeySerde;
        var (parent, sources) = RepartitionIfRequired(storeName);
        var s = new TableProcessorSettings { Kind = TableKind.Aggregate, StoreName = storeName, QueryableName = materialized?.StoreName };
        Builder.AddProcessor(n, [parent], factory(s));
        Builder.Add(t => t.AddStateStore(InternalStreamsBuilder.TimestampedStore(storeName, materialized, ks, aggSerde), false, n));
        return new KTableImpl<TKey, TAgg>(Builder, n, ks, aggSerde, s, materialized?.StoreName, sources, KTableImpl<TKey, TAgg>.StoreGetter(s));
    }

    public ICogroupedKStream<TKey, TAgg> Cogroup<TAgg>(Func<TKey, TValue, TAgg, TAgg> aggregator)
    {
        ArgumentNullException.ThrowIfNull(aggregator);
        return new CogroupedKStreamImpl<TKey, TAgg>(Builder).Cogroup(this, aggregator);
    }

    public ITimeWindowedKStream<TKey, TValue> WindowedBy<TWindow>(Windows<TWindow> windows)
        where TWindow : Window
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows is JoinWindows)
        {
            throw new ArgumentException("JoinWindows are for stream-stream joins, not aggregations.", nameof(windows));
        }
        return new TimeWindowedKStreamImpl<TKey, TValue>(this, new WindowedAggregation.Fixed<TWindow>(windows));
    }

    public ITimeWindowedKStream<TKey, TValue> WindowedBy(SlidingWindows windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        return new TimeWindowedKStreamImpl<TKey, TValue>(this, new WindowedAggregation.Sliding(windows));
    }

    public ISessionWindowedKStream<TKey, TValue> WindowedBy(SessionWindows windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        return new SessionWindowedKStreamImpl<TKey, TValue>(this, windows);
    }
}

/// <summary>What differs between fixed (tumbling, hopping, custom) and sliding windows in a time-windowed aggregation.</summary>
internal abstract class WindowedAggregation
{
    public abstract long Size { get; }

    public abstract long Grace { get; }

    /// <summary>The default retention, and the smallest allowed.</summary>
    public abstract long MinRetention { get; }

    public abstract string RetentionMessage(string storeName, long retention);

    public abstract IProcessor<TKey, TValue, Windowed<TKey>, Change<TAgg>> Create<TKey, TValue, TAgg>(WindowedAggregateSettings settings, Func<TAgg>? initializer,
        WindowAggregator<TKey, TValue, TAgg> aggregator);

    internal sealed class Fixed<TWindow>(Windows<TWindow> windows) : WindowedAggregation
        where TWindow : Window
    {
        public override long Size => windows.Size;

        public override long Grace => windows.GracePeriodMs;

        public override long MinRetention => windows.Size == long.MaxValue ? long.MaxValue : windows.Size + windows.GracePeriodMs;

        public override string RetentionMessage(string storeName, long retention)
            => $"The retention period of the window store {storeName} must be no smaller than its window size plus the grace period. Got size=[{windows.Size}], grace=[{windows.GracePeriodMs}], retention=[{retention}]";

        public override IProcessor<TKey, TValue, Windowed<TKey>, Change<TAgg>> Create<TKey, TValue, TAgg>(WindowedAggregateSettings settings, Func<TAgg>? initializer,
            WindowAggregator<TKey, TValue, TAgg> aggregator)
            => new KStreamWindowAggregate<TKey, TValue, TAgg, TWindow>(settings, windows, initializer, aggregator);
    }

    internal sealed class Sliding(SlidingWindows windows) : WindowedAggregation
    {
        public override long Size => windows.TimeDifferenceMs;

        public override long Grace => windows.GracePeriodMs;

        // The earliest window needed to create a right window is at record time minus twice the time difference.
        public override long MinRetention => 2 * windows.TimeDifferenceMs + windows.GracePeriodMs;

        public override string RetentionMessage(string storeName, long retention)
            => $"The retention period of the window store {storeName} must be no smaller than 2 * time difference plus the grace period. Got time difference=[{windows.TimeDifferenceMs}], grace=[{windows.GracePeriodMs}], retention=[{retention}]";

        public override IProcessor<TKey, TValue, Windowed<TKey>, Change<TAgg>> Create<TKey, TValue, TAgg>(WindowedAggregateSettings settings, Func<TAgg>? initializer,
            WindowAggregator<TKey, TValue, TAgg> aggregator)
            => new KStreamSlidingWindowAggregate<TKey, TValue, TAgg>(settings, windows, initializer, aggregator);
    }
}

/// <summary>Builds the store and result table of time-windowed aggregations (Kafka's WindowStoreMaterializer).</summary>
internal static class WindowedMaterialization
{
    public static long WindowRetention<TKey, TAgg>(WindowedAggregation windows, Materialized<TKey, TAgg>? materialized)
        => materialized?.WindowStoreSupplier?.RetentionPeriod ?? (materialized?.Retention is { } r ? (long)r.TotalMilliseconds : windows.MinRetention);

    public static long SessionRetention<TKey, TAgg>(SessionWindows windows, Materialized<TKey, TAgg>? materialized)
        => materialized?.SessionStoreSupplier?.RetentionPeriod ?? (materialized?.Retention is { } r ? (long)r.TotalMilliseconds : windows.InactivityGap + windows.GracePeriodMs);

    public static StoreBuilder<ITimestampedWindowStore<TKey, TAgg>> WindowStore<TKey, TAgg>(string storeName, WindowedAggregation windows, EmitStrategy emit,
        Materialized<TKey, TAgg>? materialized, ISerde<TKey>? ks, ISerde<TAgg>? vs)
    {
        var retention = materialized?.Retention is { } r ? (long)r.TotalMilliseconds : windows.MinRetention;
        if (windows.MinRetention > retention)
        {
            throw new ArgumentException(windows.RetentionMessage(storeName, retention));
        }
        var supplier = materialized?.WindowStoreSupplier ?? new Internal.State.InMemoryWindowBytesStoreSupplier(storeName, retention, windows.Size, false);
        var b = Stores.TimestampedWindowStoreBuilder(supplier, materialized?.KeySerde ?? ks, materialized?.ValueSerde ?? vs);
        ApplyOptions(b, materialized, emit);
        return b;
    }

    public static StoreBuilder<ISessionStore<TKey, TAgg>> SessionStore<TKey, TAgg>(string storeName, SessionWindows windows, EmitStrategy emit,
        Materialized<TKey, TAgg>? materialized, ISerde<TKey>? ks, ISerde<TAgg>? vs)
    {
        var min = windows.InactivityGap + windows.GracePeriodMs;
        var retention = materialized?.Retention is { } r ? (long)r.TotalMilliseconds : min;
        if (min > retention)
        {
            throw new ArgumentException($"The retention period of the session store {storeName} must be no smaller than the session inactivity gap plus the grace period. " +
                $"Got gap=[{windows.InactivityGap}], grace=[{windows.GracePeriodMs}], retention=[{retention}]");
        }
        var supplier = materialized?.SessionStoreSupplier ?? new Internal.State.InMemorySessionBytesStoreSupplier(storeName, retention);
        var b = Stores.SessionStoreBuilder(supplier, materialized?.KeySerde ?? ks, materialized?.ValueSerde ?? vs);
        ApplyOptions(b, materialized, emit);
        return b;
    }

    private static void ApplyOptions<TStore, TKey, TAgg>(StoreBuilder<TStore> b, Materialized<TKey, TAgg>? materialized, EmitStrategy emit)
        where TStore : IStateStore
    {
        if (materialized?.LoggingEnabled ?? true)
        {
            b.WithLoggingEnabled(materialized?.TopicConfig);
        }
        else
        {
            b.WithLoggingDisabled();
        }
        // Emit-on-close never forwards from the cache, so the cache is left out (as Kafka's materializers do).
        if ((materialized?.CachingEnabled ?? true) && emit.Type != EmitStrategyType.OnWindowClose)
        {
            b.WithCachingEnabled();
        }
        else
        {
            b.WithCachingDisabled();
        }
    }
}

/// <summary>Kafka's TimeWindowedKStreamImpl and SlidingWindowedKStreamImpl: names as for non-windowed aggregations.</summary>
internal sealed class TimeWindowedKStreamImpl<TKey, TValue>(KGroupedStreamImpl<TKey, TValue> grouped, WindowedAggregation windows) : ITimeWindowedKStream<TKey, TValue>
{
    private EmitStrategy _emit = Streams.Dsl.EmitStrategy.OnWindowUpdate();

    public ITimeWindowedKStream<TKey, TValue> EmitStrategy(EmitStrategy emitStrategy)
    {
        ArgumentNullException.ThrowIfNull(emitStrategy);
        _emit = emitStrategy;
        return this;
    }

    public IKTable<Windowed<TKey>, long> Count(Materialized<TKey, long>? materialized = null, Named? named = null)
    {
        if (materialized is not null && materialized.StoreName is null)
        {
            grouped.Builder.NewStoreName("KSTREAM-AGGREGATE-");
        }
        return DoAggregate("KSTREAM-AGGREGATE-", named, materialized, materialized?.ValueSerde ?? Serdes.Int64(), static () => 0L, static (_, _, _, agg) => agg + 1);
    }

    public IKTable<Windowed<TKey>, TValue> Reduce(Func<TValue, TValue, TValue> reducer, Materialized<TKey, TValue>? materialized = null, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(reducer);
        return DoAggregate("KSTREAM-REDUCE-", named, materialized, materialized?.ValueSerde ?? grouped.ValueSerde, null,
            (_, v, has, agg) => has ? reducer(agg, v) : v);
    }

    public IKTable<Windowed<TKey>, TAgg> Aggregate<TAgg>(Func<TAgg> initializer, Func<TKey, TValue, TAgg, TAgg> aggregator, Materialized<TKey, TAgg>? materialized = null, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        ArgumentNullException.ThrowIfNull(aggregator);
        return DoAggregate("KSTREAM-AGGREGATE-", named, materialized, materialized?.ValueSerde, initializer, (k, v, _, agg) => aggregator(k, v, agg));
    }

    private KTableImpl<Windowed<TKey>, TAgg> DoAggregate<TAgg>(string prefix, Named? named, Materialized<TKey, TAgg>? materialized, ISerde<TAgg>? aggSerde,
        Func<TAgg>? initializer, WindowAggregator<TKey, TValue, TAgg> aggregator)
    {
        var builder = grouped.Builder;
        var storeName = materialized?.StoreName ?? builder.NewStoreName(prefix);
        var n = named?.Name ?? builder.NewProcessorName(prefix);
        var ks = materialized?.KeySerde ?? grouped.KeySerde;
        var emit = _emit;
        var store = WindowedMaterialization.WindowStore(storeName, windows, emit, materialized, ks, aggSerde);
        var (parent, sources) = grouped.RepartitionIfRequired(storeName);
        var s = new TableProcessorSettings { Kind = TableKind.Aggregate, StoreName = storeName, QueryableName = materialized?.StoreName, WindowGrace = windows.Grace };
        var ws = new WindowedAggregateSettings { Table = s, Emit = emit, Retention = WindowedMaterialization.WindowRetention(windows, materialized) };
        builder.AddProcessor(n, [parent], () => windows.Create(ws, initializer, aggregator));
        builder.Add(t => t.AddStateStore(store, false, n));
        return new KTableImpl<Windowed<TKey>, TAgg>(builder, n, new TimeWindowedSerde<TKey>(ks, windows.Size), aggSerde, s, materialized?.StoreName, sources,
            () => new WindowStoreGetterSupplier<TKey, TAgg>(storeName));
    }
}

/// <summary>Kafka's SessionWindowedKStreamImpl.</summary>
internal sealed class SessionWindowedKStreamImpl<TKey, TValue>(KGroupedStreamImpl<TKey, TValue> grouped, SessionWindows windows) : ISessionWindowedKStream<TKey, TValue>
{
    private EmitStrategy _emit = Streams.Dsl.EmitStrategy.OnWindowUpdate();

    public ISessionWindowedKStream<TKey, TValue> EmitStrategy(EmitStrategy emitStrategy)
    {
        ArgumentNullException.ThrowIfNull(emitStrategy);
        _emit = emitStrategy;
        return this;
    }

    public IKTable<Windowed<TKey>, long> Count(Materialized<TKey, long>? materialized = null, Named? named = null)
    {
        if (materialized is not null && materialized.StoreName is null)
        {
            grouped.Builder.NewStoreName("KSTREAM-AGGREGATE-");
        }
        return DoAggregate("KSTREAM-AGGREGATE-", named, materialized, materialized?.ValueSerde ?? Serdes.Int64(), static () => 0L,
            static (_, _, _, agg) => agg + 1, static (_, a, b) => a + b);
    }

    public IKTable<Windowed<TKey>, TValue> Reduce(Func<TValue, TValue, TValue> reducer, Materialized<TKey, TValue>? materialized = null, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(reducer);
        return DoAggregate("KSTREAM-REDUCE-", named, materialized, materialized?.ValueSerde ?? grouped.ValueSerde, null,
            (_, v, has, agg) => has ? reducer(agg, v) : v, (_, a, b) => reducer(a, b));
    }

    public IKTable<Windowed<TKey>, TAgg> Aggregate<TAgg>(Func<TAgg> initializer, Func<TKey, TValue, TAgg, TAgg> aggregator, Func<TKey, TAgg, TAgg, TAgg> sessionMerger,
        Materialized<TKey, TAgg>? materialized = null, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        ArgumentNullException.ThrowIfNull(aggregator);
        ArgumentNullException.ThrowIfNull(sessionMerger);
        return DoAggregate("KSTREAM-AGGREGATE-", named, materialized, materialized?.ValueSerde, initializer, (k, v, _, agg) => aggregator(k, v, agg), sessionMerger);
    }

    private KTableImpl<Windowed<TKey>, TAgg> DoAggregate<TAgg>(string prefix, Named? named, Materialized<TKey, TAgg>? materialized, ISerde<TAgg>? aggSerde,
        Func<TAgg>? initializer, WindowAggregator<TKey, TValue, TAgg> aggregator, Func<TKey, TAgg, TAgg, TAgg> merger)
    {
        var builder = grouped.Builder;
        var storeName = materialized?.StoreName ?? builder.NewStoreName(prefix);
        var n = named?.Name ?? builder.NewProcessorName(prefix);
        var ks = materialized?.KeySerde ?? grouped.KeySerde;
        var emit = _emit;
        var store = WindowedMaterialization.SessionStore(storeName, windows, emit, materialized, ks, aggSerde);
        var (parent, sources) = grouped.RepartitionIfRequired(storeName);
        var s = new TableProcessorSettings
        {
            Kind = TableKind.Aggregate,
            StoreName = storeName,
            QueryableName = materialized?.StoreName,
            WindowGrace = windows.GracePeriodMs + windows.InactivityGap,
        };
        var ws = new WindowedAggregateSettings { Table = s, Emit = emit, Retention = WindowedMaterialization.SessionRetention(windows, materialized) };
        builder.AddProcessor<TKey, TValue, Windowed<TKey>, Change<TAgg>>(n, [parent], () => new KStreamSessionWindowAggregate<TKey, TValue, TAgg>(ws, windows, initializer, aggregator, merger));
        builder.Add(t => t.AddStateStore(store, false, n));
        return new KTableImpl<Windowed<TKey>, TAgg>(builder, n, new SessionWindowedSerde<TKey>(ks), aggSerde, s, materialized?.StoreName, sources,
            () => new SessionStoreGetterSupplier<TKey, TAgg>(storeName));
    }
}

internal sealed class CogroupedKStreamImpl<TKey, TAgg>(InternalStreamsBuilder builder) : ICogroupedKStream<TKey, TAgg>
{
    private InternalStreamsBuilder Builder => builder;

    private interface IEntry
    {
        bool RepartitionRequired { get; }

        string Name { get; }

        ISerde<TKey>? KeySerde { get; }

        IReadOnlyCollection<string> SourceNodes { get; }

        string Repartition(string storeName);

        void AddAggregate(string parent, string name, TableProcessorSettings settings, Func<TAgg> initializer);

        void AddWindowedAggregate(string parent, string name, WindowedAggregateSettings settings, WindowedAggregation windows, Func<TAgg> initializer);

        void AddSessionAggregate(string parent, string name, WindowedAggregateSettings settings, SessionWindows windows, Func<TAgg> initializer,
            Func<TKey, TAgg, TAgg, TAgg> merger);
    }

    private sealed class Entry<TValue>(KGroupedStreamImpl<TKey, TValue> stream, Func<TKey, TValue, TAgg, TAgg> aggregator) : IEntry
    {
        public bool RepartitionRequired => stream.RepartitionRequired;

        public string Name => stream.Name;

        public ISerde<TKey>? KeySerde => stream.KeySerde;

        public IReadOnlyCollection<string> SourceNodes => stream.SourceNodes;

        public string Repartition(string storeName)
            => stream.Builder.CreateRepartitionedSource<TKey, TValue>(stream.Name, stream.UserRepartitionName ?? storeName, stream.KeySerde, stream.ValueSerde, null, null);

        public void AddAggregate(string parent, string name, TableProcessorSettings settings, Func<TAgg> initializer)
            => stream.Builder.AddProcessor<TKey, TValue, TKey, Change<TAgg>>(name, [parent], () => new KStreamAggregate<TKey, TValue, TAgg>(settings, initializer, aggregator));

        public void AddWindowedAggregate(string parent, string name, WindowedAggregateSettings settings, WindowedAggregation windows, Func<TAgg> initializer)
            => stream.Builder.AddProcessor(name, [parent], () => windows.Create<TKey, TValue, TAgg>(settings, initializer, (k, v, _, agg) => aggregator(k, v, agg)));

        public void AddSessionAggregate(string parent, string name, WindowedAggregateSettings settings, SessionWindows windows, Func<TAgg> initializer,
            Func<TKey, TAgg, TAgg, TAgg> merger)
            => stream.Builder.AddProcessor<TKey, TValue, Windowed<TKey>, Change<TAgg>>(name, [parent],
                () => new KStreamSessionWindowAggregate<TKey, TValue, TAgg>(settings, windows, initializer, (k, v, _, agg) => aggregator(k, v, agg), merger));
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

    /// <summary>Kafka's CogroupedStreamAggregateBuilder: repartitions, then one aggregate processor per stream over one store, then a merge node.</summary>
    private (List<string> Parents, HashSet<string> Sources) Parents(string storeName)
    {
        var parents = new List<string>();
        var sources = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in _entries)
        {
            if (e.RepartitionRequired)
            {
                var source = e.Repartition(storeName);
                parents.Add(source);
                sources.Add(source);
            }
            else
            {
                parents.Add(e.Name);
                sources.UnionWith(e.SourceNodes);
            }
        }
        return (parents, sources);
    }

    private string[] AddAggregates(Named? named, Action<IEntry, string, string> add, List<string> parents)
    {
        var aggNames = new List<string>();
        for (var i = 0; i < _entries.Count; i++)
        {
            var name = named is null ? builder.NewProcessorName("COGROUPKSTREAM-AGGREGATE-") : named.Name + "-cogroup-agg-" + i;
            add(_entries[i], parents[i], name);
            aggNames.Add(name);
        }
        return [.. aggNames];
    }

    public IKTable<TKey, TAgg> Aggregate(Func<TAgg> initializer, Materialized<TKey, TAgg>? materialized = null, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        var storeName = materialized?.StoreName ?? builder.NewStoreName("COGROUPKSTREAM-AGGREGATE-");
        var (parents, sources) = Parents(storeName);
        var settings = new TableProcessorSettings { Kind = TableKind.Aggregate, StoreName = storeName, QueryableName = materialized?.StoreName };
        var names = AddAggregates(named, (e, parent, name) => e.AddAggregate(parent, name, settings, initializer), parents);
        var ks = materialized?.KeySerde ?? _entries[0].KeySerde;
        var vs = materialized?.ValueSerde;
        builder.Add(t => t.AddStateStore(InternalStreamsBuilder.TimestampedStore(storeName, materialized, ks, vs), false, names));
        var merge = named is null ? builder.NewProcessorName("COGROUPKSTREAM-MERGE-") : named.Name + "-cogroup-merge";
        builder.AddProcessor<TKey, Change<TAgg>, TKey, Change<TAgg>>(merge, names, static () => new KTablePassThrough<TKey, TAgg>());
        var mergeSettings = new TableProcessorSettings { Kind = TableKind.PassThrough, StoreName = storeName, QueryableName = materialized?.StoreName };
        mergeSettings.Parents.Add(settings);
        return new KTableImpl<TKey, TAgg>(builder, merge, ks, vs, mergeSettings, materialized?.StoreName, sources, KTableImpl<TKey, TAgg>.StoreGetter(mergeSettings));
    }

    public ITimeWindowedCogroupedKStream<TKey, TAgg> WindowedBy<TWindow>(Windows<TWindow> windows)
        where TWindow : Window
    {
        ArgumentNullException.ThrowIfNull(windows);
        return new TimeWindowed(this, new WindowedAggregation.Fixed<TWindow>(windows));
    }

    public ITimeWindowedCogroupedKStream<TKey, TAgg> WindowedBy(SlidingWindows windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        return new TimeWindowed(this, new WindowedAggregation.Sliding(windows));
    }

    public ISessionWindowedCogroupedKStream<TKey, TAgg> WindowedBy(SessionWindows windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        return new SessionWindowed(this, windows);
    }

    private sealed class TimeWindowed(CogroupedKStreamImpl<TKey, TAgg> owner, WindowedAggregation windows) : ITimeWindowedCogroupedKStream<TKey, TAgg>
    {
        public IKTable<Windowed<TKey>, TAgg> Aggregate(Func<TAgg> initializer, Materialized<TKey, TAgg>? materialized = null, Named? named = null)
        {
            ArgumentNullException.ThrowIfNull(initializer);
            var builder = owner.Builder;
            var storeName = materialized?.StoreName ?? builder.NewStoreName("COGROUPKSTREAM-AGGREGATE-");
            var ks = materialized?.KeySerde ?? owner._entries[0].KeySerde;
            var vs = materialized?.ValueSerde;
            var emit = EmitStrategy.OnWindowUpdate();
            var store = WindowedMaterialization.WindowStore(storeName, windows, emit, materialized, ks, vs);
            var (parents, sources) = owner.Parents(storeName);
            var settings = new TableProcessorSettings { Kind = TableKind.Aggregate, StoreName = storeName, QueryableName = materialized?.StoreName, WindowGrace = windows.Grace };
            var ws = new WindowedAggregateSettings { Table = settings, Emit = emit, Retention = WindowedMaterialization.WindowRetention(windows, materialized) };
            var names = owner.AddAggregates(named, (e, parent, name) => e.AddWindowedAggregate(parent, name, ws, windows, initializer), parents);
            builder.Add(t => t.AddStateStore(store, false, names));
            var merge = named is null ? builder.NewProcessorName("COGROUPKSTREAM-MERGE-") : named.Name + "-cogroup-merge";
            builder.AddProcessor<Windowed<TKey>, Change<TAgg>, Windowed<TKey>, Change<TAgg>>(merge, names, static () => new KTablePassThrough<Windowed<TKey>, TAgg>());
            var mergeSettings = new TableProcessorSettings { Kind = TableKind.PassThrough, StoreName = storeName, QueryableName = materialized?.StoreName, WindowGrace = windows.Grace };
            mergeSettings.Parents.Add(settings);
            return new KTableImpl<Windowed<TKey>, TAgg>(builder, merge, new TimeWindowedSerde<TKey>(ks, windows.Size), vs, mergeSettings, materialized?.StoreName, sources,
                () => new WindowStoreGetterSupplier<TKey, TAgg>(storeName));
        }
    }

    private sealed class SessionWindowed(CogroupedKStreamImpl<TKey, TAgg> owner, SessionWindows windows) : ISessionWindowedCogroupedKStream<TKey, TAgg>
    {
        public IKTable<Windowed<TKey>, TAgg> Aggregate(Func<TAgg> initializer, Func<TKey, TAgg, TAgg, TAgg> sessionMerger, Materialized<TKey, TAgg>? materialized = null, Named? named = null)
        {
            ArgumentNullException.ThrowIfNull(initializer);
            ArgumentNullException.ThrowIfNull(sessionMerger);
            var builder = owner.Builder;
            var storeName = materialized?.StoreName ?? builder.NewStoreName("COGROUPKSTREAM-AGGREGATE-");
            var ks = materialized?.KeySerde ?? owner._entries[0].KeySerde;
            var vs = materialized?.ValueSerde;
            var emit = EmitStrategy.OnWindowUpdate();
            var store = WindowedMaterialization.SessionStore(storeName, windows, emit, materialized, ks, vs);
            var (parents, sources) = owner.Parents(storeName);
            var grace = windows.GracePeriodMs + windows.InactivityGap;
            var settings = new TableProcessorSettings { Kind = TableKind.Aggregate, StoreName = storeName, QueryableName = materialized?.StoreName, WindowGrace = grace };
            var ws = new WindowedAggregateSettings { Table = settings, Emit = emit, Retention = WindowedMaterialization.SessionRetention(windows, materialized) };
            var names = owner.AddAggregates(named, (e, parent, name) => e.AddSessionAggregate(parent, name, ws, windows, initializer, sessionMerger), parents);
            builder.Add(t => t.AddStateStore(store, false, names));
            var merge = named is null ? builder.NewProcessorName("COGROUPKSTREAM-MERGE-") : named.Name + "-cogroup-merge";
            builder.AddProcessor<Windowed<TKey>, Change<TAgg>, Windowed<TKey>, Change<TAgg>>(merge, names, static () => new KTablePassThrough<Windowed<TKey>, TAgg>());
            var mergeSettings = new TableProcessorSettings { Kind = TableKind.PassThrough, StoreName = storeName, QueryableName = materialized?.StoreName, WindowGrace = grace };
            mergeSettings.Parents.Add(settings);
            return new KTableImpl<Windowed<TKey>, TAgg>(builder, merge, new SessionWindowedSerde<TKey>(ks), vs, mergeSettings, materialized?.StoreName, sources,
                () => new SessionStoreGetterSupplier<TKey, TAgg>(storeName));
        }
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
        Func<TableProcessorSettings, Func<IProcessor<TKey, Change<TValue>, TKey, Change<TAgg>>>> factory)
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
        return new KTableImpl<TKey, TAgg>(builder, funcName, ks, aggSerde, s, materialized?.StoreName, [sourceName], KTableImpl<TKey, TAgg>.StoreGetter(s));
    }
}
