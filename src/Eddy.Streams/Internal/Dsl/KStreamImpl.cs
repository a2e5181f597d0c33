using Eddy.Streams.Dsl;
using Eddy.Streams.Internal.Topology;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;

namespace Eddy.Streams.Internal.Dsl;

internal sealed partial class KStreamImpl<TKey, TValue>(InternalStreamsBuilder builder, string name, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde, bool repartitionRequired,
    IReadOnlyCollection<string> sourceNodes) : IKStream<TKey, TValue>
{
    /// <summary>The source nodes feeding this stream (Kafka's subTopologySourceNodes), for co-partitioning.</summary>
    public IReadOnlyCollection<string> SourceNodes { get; } = sourceNodes;

    public InternalStreamsBuilder Builder { get; } = builder;

    public string Name { get; } = name;

    public ISerde<TKey>? KeySerde { get; } = keySerde;

    public ISerde<TValue>? ValueSerde { get; } = valueSerde;

    public bool RepartitionRequired { get; } = repartitionRequired;

    private string NameOr(Named? named, string prefix) => named?.Name ?? Builder.NewProcessorName(prefix);

    private KStreamImpl<TK, TV> Child<TK, TV>(string childName, ISerde<TK>? ks, ISerde<TV>? vs, bool repartition) => new(Builder, childName, ks, vs, repartition, SourceNodes);

    public IKStream<TKey, TValue> Filter(Func<TKey, TValue, bool> predicate, Named? named = null) => DoFilter(predicate, named, false);

    public IKStream<TKey, TValue> FilterNot(Func<TKey, TValue, bool> predicate, Named? named = null) => DoFilter(predicate, named, true);

    private KStreamImpl<TKey, TValue> DoFilter(Func<TKey, TValue, bool> predicate, Named? named, bool not)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var n = NameOr(named, "KSTREAM-FILTER-");
        Builder.AddProcessor<TKey, TValue, TKey, TValue>(n, [Name], () => new KStreamFilter<TKey, TValue>(predicate, not));
        return Child(n, KeySerde, ValueSerde, RepartitionRequired);
    }

    public IKStream<TKeyOut, TValueOut> Map<TKeyOut, TValueOut>(Func<TKey, TValue, KeyValue<TKeyOut, TValueOut>> mapper, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        var n = NameOr(named, "KSTREAM-MAP-");
        Builder.AddProcessor<TKey, TValue, TKeyOut, TValueOut>(n, [Name], () => new KStreamMap<TKey, TValue, TKeyOut, TValueOut>(mapper));
        return Child<TKeyOut, TValueOut>(n, null, null, true);
    }

    public IKStream<TKey, TValueOut> MapValues<TValueOut>(Func<TValue, TValueOut> mapper, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        var n = NameOr(named, "KSTREAM-MAPVALUES-");
        Builder.AddProcessor<TKey, TValue, TKey, TValueOut>(n, [Name], () => new KStreamMapValuesOnly<TKey, TValue, TValueOut>(mapper));
        return Child<TKey, TValueOut>(n, KeySerde, null, RepartitionRequired);
    }

    public IKStream<TKey, TValueOut> MapValues<TValueOut>(Func<TKey, TValue, TValueOut> mapper, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        var n = NameOr(named, "KSTREAM-MAPVALUES-");
        Builder.AddProcessor<TKey, TValue, TKey, TValueOut>(n, [Name], () => new KStreamMapValues<TKey, TValue, TValueOut>(mapper));
        return Child<TKey, TValueOut>(n, KeySerde, null, RepartitionRequired);
    }

    public IKStream<TKeyOut, TValueOut> FlatMap<TKeyOut, TValueOut>(Func<TKey, TValue, IEnumerable<KeyValue<TKeyOut, TValueOut>>> mapper, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        var n = NameOr(named, "KSTREAM-FLATMAP-");
        Builder.AddProcessor<TKey, TValue, TKeyOut, TValueOut>(n, [Name], () => new KStreamFlatMap<TKey, TValue, TKeyOut, TValueOut>(mapper));
        return Child<TKeyOut, TValueOut>(n, null, null, true);
    }

    public IKStream<TKey, TValueOut> FlatMapValues<TValueOut>(Func<TValue, IEnumerable<TValueOut>> mapper, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        return FlatMapValues<TValueOut>((_, v) => mapper(v), named);
    }

    public IKStream<TKey, TValueOut> FlatMapValues<TValueOut>(Func<TKey, TValue, IEnumerable<TValueOut>> mapper, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        var n = NameOr(named, "KSTREAM-FLATMAPVALUES-");
        Builder.AddProcessor<TKey, TValue, TKey, TValueOut>(n, [Name], () => new KStreamFlatMapValues<TKey, TValue, TValueOut>(mapper));
        return Child<TKey, TValueOut>(n, KeySerde, null, RepartitionRequired);
    }

    public IKStream<TKeyOut, TValue> SelectKey<TKeyOut>(Func<TKey, TValue, TKeyOut> selector, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var n = NameOr(named, "KSTREAM-KEY-SELECT-");
        Builder.AddProcessor<TKey, TValue, TKeyOut, TValue>(n, [Name], () => new KStreamSelectKey<TKey, TValue, TKeyOut>(selector));
        return Child<TKeyOut, TValue>(n, null, ValueSerde, true);
    }

    public IKStream<TKey, TValue> Peek(Action<TKey, TValue> action, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        var n = NameOr(named, "KSTREAM-PEEK-");
        Builder.AddProcessor<TKey, TValue, TKey, TValue>(n, [Name], () => new KStreamPeek<TKey, TValue>(action, true));
        return Child(n, KeySerde, ValueSerde, RepartitionRequired);
    }

    public void Foreach(Action<TKey, TValue> action, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        var n = NameOr(named, "KSTREAM-FOREACH-");
        Builder.AddProcessor<TKey, TValue, TKey, TValue>(n, [Name], () => new KStreamPeek<TKey, TValue>(action, false));
    }

    public void Print(Printed<TKey, TValue> printed, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(printed);
        var n = NameOr(named, "KSTREAM-PRINTER-");
        var label = printed.Label ?? n;
        Builder.AddProcessor<TKey, TValue, TKey, TValue>(n, [Name], () => new KStreamPrint<TKey, TValue>(printed, label));
    }

    public IBranchedKStream<TKey, TValue> Split(Named? named = null) => new BranchedKStreamImpl<TKey, TValue>(this, NameOr(named, "KSTREAM-BRANCH-"));

    public IKStream<TKey, TValue>[] Branch(params Func<TKey, TValue, bool>[] predicates)
    {
        if (predicates.Length == 0)
        {
            throw new ArgumentException("branch() requires at least one predicate", nameof(predicates));
        }
        var branchName = Builder.NewProcessorName("KSTREAM-BRANCH-");
        var childNames = new List<string>();
        for (var i = 0; i < predicates.Length; i++)
        {
            childNames.Add(Builder.NewProcessorName("KSTREAM-BRANCHCHILD-"));
        }
        var preds = new List<Func<TKey, TValue, bool>>(predicates);
        Builder.AddProcessor<TKey, TValue, TKey, TValue>(branchName, [Name], () => new KStreamBranch<TKey, TValue>(preds, childNames));
        var result = new IKStream<TKey, TValue>[predicates.Length];
        for (var i = 0; i < predicates.Length; i++)
        {
            var childName = childNames[i];
            Builder.AddProcessor<TKey, TValue, TKey, TValue>(childName, [branchName], static () => new PassThrough<TKey, TValue>());
            result[i] = Child(childName, KeySerde, ValueSerde, RepartitionRequired);
        }
        return result;
    }

    public IKStream<TKey, TValue> Merge(IKStream<TKey, TValue> other, Named? named = null)
    {
        var o = (KStreamImpl<TKey, TValue>)other;
        var n = NameOr(named, "KSTREAM-MERGE-");
        Builder.AddProcessor<TKey, TValue, TKey, TValue>(n, [Name, o.Name], static () => new PassThrough<TKey, TValue>());
        var sources = new HashSet<string>(SourceNodes, StringComparer.Ordinal);
        sources.UnionWith(o.SourceNodes);
        return new KStreamImpl<TKey, TValue>(Builder, n, KeySerde, ValueSerde, RepartitionRequired || o.RepartitionRequired, sources);
    }

    public IKStream<TKey, TValue> Repartition(Repartitioned<TKey, TValue>? repartitioned = null)
    {
        var prefix = repartitioned?.Name ?? Builder.NewProcessorName("KSTREAM-REPARTITION-");
        var ks = repartitioned?.KeySerde ?? KeySerde;
        var vs = repartitioned?.ValueSerde ?? ValueSerde;
        var source = Builder.CreateRepartitionedSource(Name, prefix, ks, vs, repartitioned?.Partitioner, repartitioned?.NumberOfPartitions);
        return new KStreamImpl<TKey, TValue>(Builder, source, ks, vs, false, [source]);
    }

    public void To(string topic, Produced<TKey, TValue>? produced = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var n = produced?.ProcessorName ?? Builder.NewProcessorName("KSTREAM-SINK-");
        var ks = produced?.KeySerde ?? KeySerde;
        var vs = produced?.ValueSerde ?? ValueSerde;
        var parent = Name;
        var partitioner = produced?.Partitioner;
        Builder.Add(t => t.AddSink(new SinkNodeFactory<TKey, TValue>(n, [parent], topic, null, ks, vs, partitioner)));
    }

    public void To(ITopicNameExtractor<TKey, TValue> topicNameExtractor, Produced<TKey, TValue>? produced = null)
    {
        ArgumentNullException.ThrowIfNull(topicNameExtractor);
        var n = produced?.ProcessorName ?? Builder.NewProcessorName("KSTREAM-SINK-");
        var ks = produced?.KeySerde ?? KeySerde;
        var vs = produced?.ValueSerde ?? ValueSerde;
        var parent = Name;
        var partitioner = produced?.Partitioner;
        Builder.Add(t => t.AddSink(new SinkNodeFactory<TKey, TValue>(n, [parent], null, topicNameExtractor, ks, vs, partitioner)));
    }

    public IKTable<TKey, TValue> ToTable(Named? named = null, Materialized<TKey, TValue>? materialized = null)
    {
        var n = NameOr(named, "KSTREAM-TOTABLE-");
        var storeName = materialized?.StoreName ?? Builder.NewStoreName("KSTREAM-TOTABLE-");
        var ks = materialized?.KeySerde ?? KeySerde;
        var vs = materialized?.ValueSerde ?? ValueSerde;
        var parent = Name;
        IReadOnlyCollection<string> sources = SourceNodes;
        if (RepartitionRequired)
        {
            parent = Builder.CreateRepartitionedSource<TKey, TValue>(Name, n, ks, vs, null, null);
            sources = [parent];
        }
        var settings = new TableProcessorSettings { Kind = TableKind.Source, StoreName = storeName, QueryableName = materialized?.StoreName };
        Builder.AddProcessor<TKey, TValue, TKey, Change<TValue>>(n, [parent], () => new KTableSource<TKey, TValue>(settings));
        Builder.Add(t =>
        {
            if (settings.QueryableName is not null)
            {
                t.AddStateStore(InternalStreamsBuilder.TimestampedStore(settings.QueryableName, materialized, ks, vs), false, n);
            }
        });
        return new KTableImpl<TKey, TValue>(Builder, n, ks, vs, settings, materialized?.StoreName, sources, KTableImpl<TKey, TValue>.SourceGetter(settings));
    }

    public IKGroupedStream<TKey, TValue> GroupByKey(Grouped<TKey, TValue>? grouped = null)
        => new KGroupedStreamImpl<TKey, TValue>(Builder, Name, grouped?.KeySerde ?? KeySerde, grouped?.ValueSerde ?? ValueSerde, RepartitionRequired, grouped?.Name, SourceNodes);

    public IKGroupedStream<TKeyOut, TValue> GroupBy<TKeyOut>(Func<TKey, TValue, TKeyOut> keySelector, Grouped<TKeyOut, TValue>? grouped = null)
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        var n = grouped?.Name ?? Builder.NewProcessorName("KSTREAM-KEY-SELECT-");
        Builder.AddProcessor<TKey, TValue, TKeyOut, TValue>(n, [Name], () => new KStreamSelectKey<TKey, TValue, TKeyOut>(keySelector));
        return new KGroupedStreamImpl<TKeyOut, TValue>(Builder, n, grouped?.KeySerde, grouped?.ValueSerde ?? ValueSerde, true, grouped?.Name, SourceNodes);
    }

    public IKStream<TKeyOut, TValueOut> Process<TKeyOut, TValueOut>(IProcessorSupplier<TKey, TValue, TKeyOut, TValueOut> supplier, Named? named = null, params string[] stateStoreNames)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        var n = NameOr(named, "KSTREAM-PROCESSOR-");
        Builder.AddProcessor<TKey, TValue, TKeyOut, TValueOut>(n, [Name], supplier.Get);
        ConnectStores(n, supplier.Stores, stateStoreNames);
        return Child<TKeyOut, TValueOut>(n, null, null, true);
    }

    public IKStream<TKeyOut, TValueOut> Process<TKeyOut, TValueOut>(Func<IProcessor<TKey, TValue, TKeyOut, TValueOut>> factory, params string[] stateStoreNames)
        => Process(ProcessorSupplier.From(factory), null, stateStoreNames);

    public IKStream<TKey, TValueOut> ProcessValues<TValueOut>(IFixedKeyProcessorSupplier<TKey, TValue, TValueOut> supplier, Named? named = null, params string[] stateStoreNames)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        var n = NameOr(named, "KSTREAM-PROCESSVALUES-");
        Builder.AddProcessor<TKey, TValue, TKey, TValueOut>(n, [Name], () => new Runtime.FixedKeyProcessorAdapter<TKey, TValue, TValueOut>(supplier.Get()));
        ConnectStores(n, supplier.Stores, stateStoreNames);
        return Child<TKey, TValueOut>(n, KeySerde, null, RepartitionRequired);
    }

    public IKStream<TKey, TValueOut> ProcessValues<TValueOut>(Func<IFixedKeyProcessor<TKey, TValue, TValueOut>> factory, params string[] stateStoreNames)
        => ProcessValues(ProcessorSupplier.From(factory), null, stateStoreNames);

    private void ConnectStores(string processorName, IReadOnlyList<Eddy.Streams.State.IStoreBuilder>? stores, string[] storeNames)
    {
        Builder.Add(t =>
        {
            if (stores is not null)
            {
                foreach (var s in stores)
                {
                    t.AddStateStore(s, false, processorName);
                }
            }
            foreach (var s in storeNames)
            {
                t.ConnectProcessorAndStateStore(processorName, s);
            }
        });
    }
}

internal sealed class BranchedKStreamImpl<TKey, TValue> : IBranchedKStream<TKey, TValue>
{
    private readonly KStreamImpl<TKey, TValue> _source;
    private readonly string _splitterName;
    private readonly List<Func<TKey, TValue, bool>> _predicates = [];
    private readonly List<string> _childNames = [];
    private readonly Dictionary<string, IKStream<TKey, TValue>> _outputs = new(StringComparer.Ordinal);
    private bool _done;

    public BranchedKStreamImpl(KStreamImpl<TKey, TValue> source, string splitterName)
    {
        _source = source;
        _splitterName = splitterName;
        var predicates = _predicates;
        var childNames = _childNames;
        source.Builder.AddProcessor<TKey, TValue, TKey, TValue>(splitterName, [source.Name], () => new KStreamBranch<TKey, TValue>(predicates, childNames));
    }

    public IBranchedKStream<TKey, TValue> Branch(Func<TKey, TValue, bool> predicate, Branched<TKey, TValue>? branched = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        if (_done)
        {
            throw new InvalidOperationException("The split is complete: DefaultBranch or NoDefaultBranch was called.");
        }
        _predicates.Add(predicate);
        CreateBranch(branched, _predicates.Count);
        return this;
    }

    public IReadOnlyDictionary<string, IKStream<TKey, TValue>> DefaultBranch(Branched<TKey, TValue>? branched = null)
    {
        CreateBranch(branched, 0);
        _done = true;
        return _outputs;
    }

    public IReadOnlyDictionary<string, IKStream<TKey, TValue>> NoDefaultBranch()
    {
        _done = true;
        return _outputs;
    }

    private void CreateBranch(Branched<TKey, TValue>? branched, int index)
    {
        var childName = _splitterName + (branched?.Name ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _childNames.Add(childName);
        // Kafka burns a counter index per branch for compatibility.
        _source.Builder.NewProcessorName(childName);
        _source.Builder.AddProcessor<TKey, TValue, TKey, TValue>(childName, [_splitterName], static () => new PassThrough<TKey, TValue>());
        var branch = new KStreamImpl<TKey, TValue>(_source.Builder, childName, _source.KeySerde, _source.ValueSerde, _source.RepartitionRequired, _source.SourceNodes);
        if (branched?.ChainFunction is { } f)
        {
            if (f(branch) is { } transformed)
            {
                _outputs[childName] = transformed;
            }
        }
        else if (branched?.ChainConsumer is { } c)
        {
            c(branch);
        }
        else
        {
            _outputs[childName] = branch;
        }
    }
}
