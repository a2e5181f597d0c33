using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.Processors;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.Dsl;

/// <summary>The kinds of table-table join processors (Kafka's KTableKTableInnerJoin, LeftJoin, RightJoin, OuterJoin).</summary>
internal enum TableJoinSide
{
    Inner,
    Left,
    Right,
    Outer,
}

/// <summary>
/// One side of a table-table join: an update of this table is joined with the other table's current value, read
/// through the other table's value getter. The joiner is already oriented (left value first, right value second),
/// so the right side of a join calls it with the other table's value first. Missing values are passed as default.
/// </summary>
internal sealed class KTableKTableJoinProcessor<TKey, TThis, TOther, TResult>(TableProcessorSettings mergerSettings, IKTableValueGetterSupplier<TKey, TOther> otherGetter,
    TableJoinSide side, Func<TThis, TOther, TResult> joiner) : DslProcessor<TKey, Change<TThis>, TKey, Change<TResult>>
{
    private IKTableValueGetter<TKey, TOther> _other = null!;
    private bool _sendOldValues;

    public override void Init(IProcessorContext<TKey, Change<TResult>> context)
    {
        base.Init(context);
        _other = otherGetter.Get();
        _other.Init(context);
        _sendOldValues = mergerSettings.SendOldValues;
    }

    public override void Process(Record<TKey, Change<TThis>> record)
    {
        if (record.Key is null)
        {
            var rc = Context.Task.RecordContext;
            RuntimeLog.SkippingNullKey(Context.Task.Logger, rc.Topic, rc.Partition, rc.Offset, Context.Task.CurrentNode?.Name ?? "");
            Dropped();
            return;
        }
        var change = record.Value;
        var hasOther = _other.TryGet(record.Key, out var other);
        bool hasNew, hasOld;
        TResult newValue = default!, oldValue = default!;
        long timestamp;
        switch (side)
        {
            case TableJoinSide.Inner:
                if (!hasOther)
                {
                    return;
                }
                timestamp = Math.Max(record.Timestamp, other.Timestamp);
                hasNew = change.HasNew;
                hasOld = _sendOldValues && change.HasOld;
                break;
            case TableJoinSide.Left:
                if (!hasOther && !change.HasNew && !change.HasOld)
                {
                    return;
                }
                timestamp = hasOther ? Math.Max(record.Timestamp, other.Timestamp) : record.Timestamp;
                hasNew = change.HasNew;
                hasOld = _sendOldValues && change.HasOld;
                break;
            case TableJoinSide.Right:
                // This is the right table of a left join: results exist only where the left table has a row.
                if (!hasOther)
                {
                    return;
                }
                timestamp = Math.Max(record.Timestamp, other.Timestamp);
                hasNew = true;
                hasOld = _sendOldValues;
                break;
            default:
                if (!hasOther && !change.HasNew && !change.HasOld)
                {
                    return;
                }
                timestamp = hasOther ? Math.Max(record.Timestamp, other.Timestamp) : record.Timestamp;
                hasNew = change.HasNew || hasOther;
                hasOld = _sendOldValues && (change.HasOld || hasOther);
                break;
        }
        var otherValue = hasOther ? other.Value : default!;
        if (hasNew)
        {
            newValue = joiner(change.HasNew ? change.NewValue : default!, otherValue);
        }
        if (hasOld)
        {
            oldValue = joiner(change.HasOld ? change.OldValue : default!, otherValue);
        }
        Context.Forward(Record<TKey, Change<TResult>>.Create(record.Key, new Change<TResult>(hasNew && newValue is not null, newValue, hasOld && oldValue is not null, oldValue),
            timestamp, record.RawHeaders));
    }

    public override void Close() => _other?.Close();
}

/// <summary>Merges the two sides of a table-table join, storing the result when it is materialized (Kafka's KTableKTableJoinMerger).</summary>
internal sealed class KTableKTableJoinMerger<TKey, TValue>(TableProcessorSettings settings) : DslProcessor<TKey, Change<TValue>, TKey, Change<TValue>>
{
    private ITimestampedKeyValueStore<TKey, TValue>? _store;
    private TimestampedTupleForwarder<TKey, TValue>? _forwarder;

    public override void Init(IProcessorContext<TKey, Change<TValue>> context)
    {
        base.Init(context);
        if (settings.QueryableName is not null)
        {
            _store = context.GetStateStore<ITimestampedKeyValueStore<TKey, TValue>>(settings.QueryableName);
            _forwarder = new TimestampedTupleForwarder<TKey, TValue>(_store, Context, settings.SendOldValues);
        }
    }

    public override void Process(Record<TKey, Change<TValue>> record)
    {
        if (_store is not null)
        {
            var change = record.Value;
            if (change.HasNew)
            {
                _store.Put(record.Key, new ValueAndTimestamp<TValue>(change.NewValue, record.Timestamp));
            }
            else
            {
                _store.Delete(record.Key);
            }
            _forwarder!.MaybeForward(record);
        }
        else
        {
            Context.Forward(settings.SendOldValues ? record : record.WithValue(record.Value.WithoutOld()));
        }
    }
}

/// <summary>The value of a table-table join for a key, computed from the two tables' values (Kafka's KTableKTable*JoinValueGetter).</summary>
internal sealed class TableJoinGetterSupplier<TKey, TLeft, TRight, TResult>(IKTableValueGetterSupplier<TKey, TLeft> left, IKTableValueGetterSupplier<TKey, TRight> right,
    TableJoinSide kind, Func<TLeft, TRight, TResult> joiner) : IKTableValueGetterSupplier<TKey, TResult>
{
    public IKTableValueGetter<TKey, TResult> Get() => new Getter(left.Get(), right.Get(), kind, joiner);

    public IReadOnlyList<string> StoreNames => [.. left.StoreNames, .. right.StoreNames];

    private sealed class Getter(IKTableValueGetter<TKey, TLeft> left, IKTableValueGetter<TKey, TRight> right, TableJoinSide kind, Func<TLeft, TRight, TResult> joiner)
        : IKTableValueGetter<TKey, TResult>
    {
        public void Init(IProcessingContext context)
        {
            left.Init(context);
            right.Init(context);
        }

        public bool TryGet(TKey key, out ValueAndTimestamp<TResult> value)
        {
            var hasLeft = left.TryGet(key, out var l);
            if (!hasLeft && kind != TableJoinSide.Outer)
            {
                value = default;
                return false;
            }
            var hasRight = right.TryGet(key, out var r);
            if ((kind == TableJoinSide.Inner && !hasRight) || (!hasLeft && !hasRight))
            {
                value = default;
                return false;
            }
            var ts = Math.Max(hasLeft ? l.Timestamp : -1, hasRight ? r.Timestamp : -1);
            var result = joiner(hasLeft ? l.Value : default!, hasRight ? r.Value : default!);
            if (result is null)
            {
                value = default;
                return false;
            }
            value = new ValueAndTimestamp<TResult>(result, ts);
            return true;
        }

        public void Close()
        {
            left.Close();
            right.Close();
        }
    }
}
