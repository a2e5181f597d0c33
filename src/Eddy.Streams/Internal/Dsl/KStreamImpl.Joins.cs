using Eddy.Streams.Dsl;
using Eddy.Streams.Internal.State;
using Eddy.Streams.Internal.Topology;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.Dsl;

internal sealed partial class KStreamImpl<TKey, TValue>
{
    public IKStream<TKey, TValueOut> Join<TOther, TValueOut>(IKStream<TKey, TOther> other, Func<TValue, TOther, TValueOut> joiner, JoinWindows windows,
        StreamJoined<TKey, TValue, TOther>? streamJoined = null)
    {
        ArgumentNullException.ThrowIfNull(joiner);
        return DoStreamJoin<TOther, TValueOut>(other, (_, v, o) => joiner(v, o), windows, streamJoined, false, false);
    }

    public IKStream<TKey, TValueOut> Join<TOther, TValueOut>(IKStream<TKey, TOther> other, Func<TKey, TValue, TOther, TValueOut> joiner, JoinWindows windows,
        StreamJoined<TKey, TValue, TOther>? streamJoined = null)
        => DoStreamJoin(other, joiner, windows, streamJoined, false, false);

    public IKStream<TKey, TValueOut> LeftJoin<TOther, TValueOut>(IKStream<TKey, TOther> other, Func<TValue, TOther?, TValueOut> joiner, JoinWindows windows,
        StreamJoined<TKey, TValue, TOther>? streamJoined = null)
    {
        ArgumentNullException.ThrowIfNull(joiner);
        return DoStreamJoin<TOther, TValueOut>(other, (_, v, o) => joiner(v, o), windows, streamJoined, true, false);
    }

    public IKStream<TKey, TValueOut> LeftJoin<TOther, TValueOut>(IKStream<TKey, TOther> other, Func<TKey, TValue, TOther?, TValueOut> joiner, JoinWindows windows,
        StreamJoined<TKey, TValue, TOther>? streamJoined = null)
        => DoStreamJoin(other, joiner!, windows, streamJoined, true, false);

    public IKStream<TKey, TValueOut> OuterJoin<TOther, TValueOut>(IKStream<TKey, TOther> other, Func<TValue?, TOther?, TValueOut> joiner, JoinWindows windows,
        StreamJoined<TKey, TValue, TOther>? streamJoined = null)
    {
        ArgumentNullException.ThrowIfNull(joiner);
        return DoStreamJoin<TOther, TValueOut>(other, (_, v, o) => joiner(v, o), windows, streamJoined, true, true);
    }

    public IKStream<TKey, TValueOut> OuterJoin<TOther, TValueOut>(IKStream<TKey, TOther> other, Func<TKey, TValue?, TOther?, TValueOut> joiner, JoinWindows windows,
        StreamJoined<TKey, TValue, TOther>? streamJoined = null)
        => DoStreamJoin(other, joiner!, windows, streamJoined, true, true);

    /// <summary>
    /// Kafka's KStreamImpl.doJoin and KStreamImplJoin.join. Both streams are repartitioned first if their keys changed
    /// (topics named after the join name plus <c>-left</c>/<c>-right</c>, or after the stream); then each side's records
    /// go to a KSTREAM-WINDOWED- processor that stores them, then to a join processor reading the other side's store,
    /// and both join processors feed a KSTREAM-MERGE- node. Five names are generated even when the join is named, to
    /// keep Kafka's numbering.
    /// </summary>
    private KStreamImpl<TKey, TValueOut> DoStreamJoin<TOther, TValueOut>(IKStream<TKey, TOther> otherStream, Func<TKey, TValue, TOther, TValueOut> joiner,
        JoinWindows windows, StreamJoined<TKey, TValue, TOther>? streamJoined, bool leftOuter, bool rightOuter)
    {
        ArgumentNullException.ThrowIfNull(otherStream);
        ArgumentNullException.ThrowIfNull(joiner);
        ArgumentNullException.ThrowIfNull(windows);
        var joined = streamJoined ?? new StreamJoined<TKey, TValue, TOther>();
        var name = joined.Name;
        var joinThis = this;
        var joinOther = (KStreamImpl<TKey, TOther>)otherStream;
        if (joinThis.RepartitionRequired)
        {
            joinThis = joinThis.RepartitionForJoin(name is not null ? name + "-left" : joinThis.Name, joined.KeySerde, joined.ValueSerde);
        }
        if (joinOther.RepartitionRequired)
        {
            joinOther = joinOther.RepartitionForJoin(name is not null ? name + "-right" : joinOther.Name, joined.KeySerde, joined.OtherValueSerde);
        }
        var allSources = new HashSet<string>(joinThis.SourceNodes, StringComparer.Ordinal);
        allSources.UnionWith(joinOther.SourceNodes);
        var copartition = allSources.ToArray();
        Builder.Add(t => t.CopartitionSources(copartition));

        var joinThisSuffix = rightOuter ? "-outer-this-join" : "-this-join";
        var joinOtherSuffix = leftOuter ? "-outer-other-join" : "-other-join";
        var thisWindowedName = Suffixed(name, "-this-windowed", "KSTREAM-WINDOWED-");
        var otherWindowedName = Suffixed(name, "-other-windowed", "KSTREAM-WINDOWED-");
        var joinThisGeneratedName = Builder.NewProcessorName(rightOuter ? "KSTREAM-OUTERTHIS-" : "KSTREAM-JOINTHIS-");
        var joinOtherGeneratedName = Builder.NewProcessorName(leftOuter ? "KSTREAM-OUTEROTHER-" : "KSTREAM-JOINOTHER-");
        var joinThisName = name is not null ? name + joinThisSuffix : joinThisGeneratedName;
        var joinOtherName = name is not null ? name + joinOtherSuffix : joinOtherGeneratedName;
        var joinMergeName = Suffixed(name, "-merge", "KSTREAM-MERGE-");

        if (joined.ThisStoreSupplier is not null && joined.OtherStoreSupplier is not null && joined.ThisStoreSupplier.Name == joined.OtherStoreSupplier.Name)
        {
            throw new Errors.StreamsException("Both StoreSuppliers have the same name.  StoreSuppliers must provide unique names");
        }
        var keySerde = joined.KeySerde ?? joinThis.KeySerde;
        var thisSerde = joined.ValueSerde ?? joinThis.ValueSerde;
        var otherSerde = joined.OtherValueSerde ?? joinOther.ValueSerde;
        var thisStore = JoinWindowStore(joined.ThisStoreSupplier, joined.StoreName is null ? joinThisGeneratedName : joined.StoreName + joinThisSuffix, windows,
            keySerde, thisSerde, joined);
        var otherStore = JoinWindowStore(joined.OtherStoreSupplier, joined.StoreName is null ? joinOtherGeneratedName : joined.StoreName + joinOtherSuffix, windows,
            keySerde, otherSerde, joined);
        StoreBuilder<IKeyValueStore<Bytes, byte[]>>? outerStore = null;
        if (leftOuter && windows.EnableSpuriousResultFix)
        {
            var outerSuffix = rightOuter ? "-outer-shared-join" : "-left-shared-join";
            var outerName = joined.ThisStoreSupplier is { Name.Length: > 0 } supplier ? supplier.Name + outerSuffix
                : joined.StoreName is not null ? joined.StoreName + outerSuffix
                : "KSTREAM-OUTERSHARED-" + joinThisGeneratedName[(rightOuter ? "KSTREAM-OUTERTHIS-" : "KSTREAM-JOINTHIS-").Length..];
            outerStore = Stores.KeyValueStoreBuilder(Stores.InMemoryKeyValueStore(outerName + "-store"), Serdes.Bytes(), Serdes.ByteArray());
            if (joined.LoggingEnabled)
            {
                outerStore.WithLoggingEnabled(joined.TopicConfig);
            }
            else
            {
                outerStore.WithLoggingDisabled();
            }
        }

        var trackers = new SharedTimeTrackers();
        var thisSettings = new StreamJoinSideSettings
        {
            OtherStoreName = otherStore.Name,
            OuterStoreName = outerStore?.Name,
            IsLeftSide = true,
            Outer = leftOuter,
            JoinBeforeMs = windows.BeforeMs,
            JoinAfterMs = windows.AfterMs,
            WindowsBeforeMs = windows.BeforeMs,
            WindowsAfterMs = windows.AfterMs,
            GraceMs = windows.GracePeriodMs,
            Trackers = trackers,
        };
        var otherSettings = new StreamJoinSideSettings
        {
            OtherStoreName = thisStore.Name,
            OuterStoreName = outerStore?.Name,
            IsLeftSide = false,
            Outer = rightOuter,
            JoinBeforeMs = windows.AfterMs,
            JoinAfterMs = windows.BeforeMs,
            WindowsBeforeMs = windows.BeforeMs,
            WindowsAfterMs = windows.AfterMs,
            GraceMs = windows.GracePeriodMs,
            Trackers = trackers,
        };
        Func<TKey, TOther, TValue, TValueOut> reversed = (k, o, v) => joiner(k, v, o);
        var thisParent = joinThis.Name;
        var otherParent = joinOther.Name;
        var thisStoreName = thisStore.Name;
        var otherStoreName = otherStore.Name;
        Builder.AddProcessor<TKey, TValue, TKey, TValue>(thisWindowedName, [thisParent], () => new KStreamJoinWindow<TKey, TValue>(thisStoreName));
        Builder.AddProcessor<TKey, TOther, TKey, TOther>(otherWindowedName, [otherParent], () => new KStreamJoinWindow<TKey, TOther>(otherStoreName));
        Builder.Add(t =>
        {
            t.AddProcessor(new ProcessorNodeFactory<TKey, TValue, TKey, TValueOut>(joinThisName, [thisWindowedName],
                () => new KStreamKStreamJoinProcessor<TKey, TValue, TOther, TValueOut, TValue, TOther>(thisSettings, joiner, keySerde, thisSerde, otherSerde)));
            t.AddProcessor(new ProcessorNodeFactory<TKey, TOther, TKey, TValueOut>(joinOtherName, [otherWindowedName],
                () => new KStreamKStreamJoinProcessor<TKey, TOther, TValue, TValueOut, TValue, TOther>(otherSettings, reversed, keySerde, thisSerde, otherSerde)));
            t.AddProcessor(new ProcessorNodeFactory<TKey, TValueOut, TKey, TValueOut>(joinMergeName, [joinThisName, joinOtherName],
                static () => new PassThrough<TKey, TValueOut>()));
            t.AddStateStore(thisStore, false, thisWindowedName, joinOtherName);
            t.AddStateStore(otherStore, false, otherWindowedName, joinThisName);
            if (outerStore is not null)
            {
                t.AddStateStore(outerStore, false, joinThisName, joinOtherName);
            }
        });
        // The joined stream's values have no serde, and its key serde is not inherited (the two may differ).
        return new KStreamImpl<TKey, TValueOut>(Builder, joinMergeName, joined.KeySerde, null, false, allSources);
    }

    /// <summary>A name suffixed to the operation's name, or generated; a counter index is used either way (Kafka's suffixWithOrElseGet).</summary>
    private string Suffixed(string? name, string suffix, string prefix)
    {
        var generated = Builder.NewProcessorName(prefix);
        return name is not null ? name + suffix : generated;
    }

    private static StoreBuilder<IWindowStore<TKey, TV>> JoinWindowStore<TV, TOther>(IWindowBytesStoreSupplier? supplier, string storeName, JoinWindows windows,
        ISerde<TKey>? keySerde, ISerde<TV>? valueSerde, StreamJoined<TKey, TValue, TOther> joined)
    {
        if (supplier is not null)
        {
            if (!supplier.RetainDuplicates)
            {
                throw new Errors.StreamsException("The StoreSupplier must set retainDuplicates=true, found retainDuplicates=false");
            }
            if (supplier.RetentionPeriod != windows.Size + windows.GracePeriodMs || supplier.WindowSize != windows.Size)
            {
                throw new Errors.StreamsException($"Window settings mismatch. WindowBytesStoreSupplier settings {supplier} must match JoinWindows settings {windows} for the window size and retention period");
            }
            return Stores.WindowStoreBuilder(supplier, keySerde, valueSerde);
        }
        // Kafka uses a persistent (RocksDB) store here; Eddy's stores are in memory for now.
        var b = Stores.WindowStoreBuilder(new InMemoryWindowBytesStoreSupplier(storeName + "-store", windows.Size + windows.GracePeriodMs, windows.Size, true), keySerde, valueSerde);
        if (joined.LoggingEnabled)
        {
            b.WithLoggingEnabled(joined.TopicConfig);
        }
        else
        {
            b.WithLoggingDisabled();
        }
        return b;
    }

    /// <summary>Repartitions this stream before a join (Kafka's repartitionForJoin): topic <c>&lt;name&gt;-repartition</c>.</summary>
    private KStreamImpl<TKey, TValue> RepartitionForJoin(string repartitionName, ISerde<TKey>? keySerdeOverride, ISerde<TValue>? valueSerdeOverride)
    {
        var ks = keySerdeOverride ?? KeySerde;
        var vs = valueSerdeOverride ?? ValueSerde;
        var source = Builder.CreateRepartitionedSource(Name, repartitionName, ks, vs, null, null);
        return new KStreamImpl<TKey, TValue>(Builder, source, ks, vs, false, [source]);
    }

    public IKStream<TKey, TValueOut> Join<TTableValue, TValueOut>(IKTable<TKey, TTableValue> table, Func<TValue, TTableValue, TValueOut> joiner,
        Joined<TKey, TValue, TTableValue>? joined = null)
    {
        ArgumentNullException.ThrowIfNull(joiner);
        return DoStreamTableJoin<TTableValue, TValueOut>(table, (_, v, t) => joiner(v, t), joined, false);
    }

    public IKStream<TKey, TValueOut> Join<TTableValue, TValueOut>(IKTable<TKey, TTableValue> table, Func<TKey, TValue, TTableValue, TValueOut> joiner,
        Joined<TKey, TValue, TTableValue>? joined = null)
        => DoStreamTableJoin(table, joiner, joined, false);

    public IKStream<TKey, TValueOut> LeftJoin<TTableValue, TValueOut>(IKTable<TKey, TTableValue> table, Func<TValue, TTableValue?, TValueOut> joiner,
        Joined<TKey, TValue, TTableValue>? joined = null)
    {
        ArgumentNullException.ThrowIfNull(joiner);
        return DoStreamTableJoin<TTableValue, TValueOut>(table, (_, v, t) => joiner(v, t), joined, true);
    }

    public IKStream<TKey, TValueOut> LeftJoin<TTableValue, TValueOut>(IKTable<TKey, TTableValue> table, Func<TKey, TValue, TTableValue?, TValueOut> joiner,
        Joined<TKey, TValue, TTableValue>? joined = null)
        => DoStreamTableJoin(table, joiner!, joined, true);

    /// <summary>
    /// Kafka's KStreamImpl.join(KTable): repartitions the stream if needed (topic named after the Joined name or the
    /// stream), then one KSTREAM-JOIN- (or KSTREAM-LEFTJOIN-) processor reads the table through its value getter.
    /// </summary>
    private KStreamImpl<TKey, TValueOut> DoStreamTableJoin<TTableValue, TValueOut>(IKTable<TKey, TTableValue> tableIn, Func<TKey, TValue, TTableValue, TValueOut> joiner,
        Joined<TKey, TValue, TTableValue>? joined, bool leftJoin)
    {
        ArgumentNullException.ThrowIfNull(tableIn);
        ArgumentNullException.ThrowIfNull(joiner);
        var table = (KTableImpl<TKey, TTableValue>)tableIn;
        var stream = this;
        if (RepartitionRequired)
        {
            stream = RepartitionForJoin(joined?.Name ?? Name, joined?.KeySerde, joined?.ValueSerde);
        }
        var sources = new HashSet<string>(stream.SourceNodes, StringComparer.Ordinal);
        sources.UnionWith(table.SourceNodes);
        var copartition = sources.ToArray();
        Builder.Add(t => t.CopartitionSources(copartition));
        var name = joined?.Name ?? Builder.NewProcessorName(leftJoin ? "KSTREAM-LEFTJOIN-" : "KSTREAM-JOIN-");
        var getter = table.ValueGetterSupplier();
        var parent = stream.Name;
        Builder.Add(t =>
        {
            t.AddProcessor(new ProcessorNodeFactory<TKey, TValue, TKey, TValueOut>(name, [parent],
                () => new KStreamKTableJoinProcessor<TKey, TValue, TKey, TTableValue, TValueOut>(getter, static (k, _) => k, joiner, leftJoin)));
            foreach (var store in getter.StoreNames)
            {
                t.ConnectProcessorAndStateStore(name, store);
            }
        });
        return new KStreamImpl<TKey, TValueOut>(Builder, name, stream.KeySerde, null, false, stream.SourceNodes);
    }

    public IKStream<TKey, TValueOut> Join<TGlobalKey, TGlobalValue, TValueOut>(IGlobalKTable<TGlobalKey, TGlobalValue> globalTable, Func<TKey, TValue, TGlobalKey> keySelector,
        Func<TValue, TGlobalValue, TValueOut> joiner, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(joiner);
        return DoGlobalTableJoin<TGlobalKey, TGlobalValue, TValueOut>(globalTable, keySelector, (_, v, g) => joiner(v, g), named, false);
    }

    public IKStream<TKey, TValueOut> LeftJoin<TGlobalKey, TGlobalValue, TValueOut>(IGlobalKTable<TGlobalKey, TGlobalValue> globalTable, Func<TKey, TValue, TGlobalKey> keySelector,
        Func<TValue, TGlobalValue?, TValueOut> joiner, Named? named = null)
    {
        ArgumentNullException.ThrowIfNull(joiner);
        return DoGlobalTableJoin<TGlobalKey, TGlobalValue, TValueOut>(globalTable, keySelector, (_, v, g) => joiner(v, g), named, true);
    }

    /// <summary>Kafka's KStreamImpl.doGlobalTableJoin: one KSTREAM-JOIN-/KSTREAM-LEFTJOIN- processor; no repartition, no co-partitioning.</summary>
    private KStreamImpl<TKey, TValueOut> DoGlobalTableJoin<TGlobalKey, TGlobalValue, TValueOut>(IGlobalKTable<TGlobalKey, TGlobalValue> globalTable,
        Func<TKey, TValue, TGlobalKey> keySelector, Func<TKey, TValue, TGlobalValue, TValueOut> joiner, Named? named, bool leftJoin)
    {
        ArgumentNullException.ThrowIfNull(globalTable);
        ArgumentNullException.ThrowIfNull(keySelector);
        var getter = ((GlobalKTableImpl<TGlobalKey, TGlobalValue>)globalTable).ValueGetterSupplier();
        var name = named?.Name ?? Builder.NewProcessorName(leftJoin ? "KSTREAM-LEFTJOIN-" : "KSTREAM-JOIN-");
        Builder.AddProcessor<TKey, TValue, TKey, TValueOut>(name, [Name],
            () => new KStreamKTableJoinProcessor<TKey, TValue, TGlobalKey, TGlobalValue, TValueOut>(getter, keySelector, joiner, leftJoin));
        return new KStreamImpl<TKey, TValueOut>(Builder, name, KeySerde, null, RepartitionRequired, SourceNodes);
    }
}
