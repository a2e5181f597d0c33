using Eddy.Streams.Dsl;
using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.Processors;

namespace Eddy.Streams.Internal.Dsl;

/// <summary>Base for DSL processors: keeps the typed node context for fast forwarding.</summary>
internal abstract class DslProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut> : IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut>, IDslProcessor
{
    protected NodeContext<TKeyOut, TValueOut> Context { get; private set; } = null!;

    public virtual void Init(IProcessorContext<TKeyOut, TValueOut> context) => Context = (NodeContext<TKeyOut, TValueOut>)context;

    public abstract void Process(Record<TKeyIn, TValueIn> record);

    public virtual void Close() { }

    protected void Dropped() => Context.Task.RecordDropped(Context.Task.CurrentNode?.Name ?? "");
}

internal sealed class KStreamFilter<TKey, TValue>(Func<TKey, TValue, bool> predicate, bool filterNot) : DslProcessor<TKey, TValue, TKey, TValue>
{
    public override void Process(Record<TKey, TValue> record)
    {
        if (filterNot ^ predicate(record.Key, record.Value))
        {
            Context.Forward(record);
        }
    }
}

internal sealed class KStreamMap<TKey, TValue, TKeyOut, TValueOut>(Func<TKey, TValue, KeyValue<TKeyOut, TValueOut>> mapper)
    : DslProcessor<TKey, TValue, TKeyOut, TValueOut>
{
    public override void Process(Record<TKey, TValue> record)
    {
        var kv = mapper(record.Key, record.Value);
        Context.Forward(record.WithKey(kv.Key).WithValue(kv.Value));
    }
}

internal sealed class KStreamMapValues<TKey, TValue, TValueOut>(Func<TKey, TValue, TValueOut> mapper) : DslProcessor<TKey, TValue, TKey, TValueOut>
{
    public override void Process(Record<TKey, TValue> record) => Context.Forward(record.WithValue(mapper(record.Key, record.Value)));
}

internal sealed class KStreamMapValuesOnly<TKey, TValue, TValueOut>(Func<TValue, TValueOut> mapper) : DslProcessor<TKey, TValue, TKey, TValueOut>
{
    public override void Process(Record<TKey, TValue> record) => Context.Forward(record.WithValue(mapper(record.Value)));
}

internal sealed class KStreamSelectKey<TKey, TValue, TKeyOut>(Func<TKey, TValue, TKeyOut> selector) : DslProcessor<TKey, TValue, TKeyOut, TValue>
{
    public override void Process(Record<TKey, TValue> record) => Context.Forward(record.WithKey(selector(record.Key, record.Value)));
}

internal sealed class KStreamFlatMap<TKey, TValue, TKeyOut, TValueOut>(Func<TKey, TValue, IEnumerable<KeyValue<TKeyOut, TValueOut>>> mapper)
    : DslProcessor<TKey, TValue, TKeyOut, TValueOut>
{
    public override void Process(Record<TKey, TValue> record)
    {
        foreach (var kv in mapper(record.Key, record.Value))
        {
            Context.Forward(record.WithKey(kv.Key).WithValue(kv.Value));
        }
    }
}

internal sealed class KStreamFlatMapValues<TKey, TValue, TValueOut>(Func<TKey, TValue, IEnumerable<TValueOut>> mapper) : DslProcessor<TKey, TValue, TKey, TValueOut>
{
    public override void Process(Record<TKey, TValue> record)
    {
        foreach (var v in mapper(record.Key, record.Value))
        {
            Context.Forward(record.WithValue(v));
        }
    }
}

internal sealed class KStreamPeek<TKey, TValue>(Action<TKey, TValue> action, bool forward) : DslProcessor<TKey, TValue, TKey, TValue>
{
    public override void Process(Record<TKey, TValue> record)
    {
        action(record.Key, record.Value);
        if (forward)
        {
            Context.Forward(record);
        }
    }
}

internal sealed class PassThrough<TKey, TValue> : DslProcessor<TKey, TValue, TKey, TValue>
{
    public override void Process(Record<TKey, TValue> record) => Context.Forward(record);
}

/// <summary>Routes each record to the first branch whose predicate matches (the default branch has none).</summary>
internal sealed class KStreamBranch<TKey, TValue>(List<Func<TKey, TValue, bool>> predicates, List<string> childNames) : DslProcessor<TKey, TValue, TKey, TValue>
{
    public override void Process(Record<TKey, TValue> record)
    {
        for (var i = 0; i < predicates.Count; i++)
        {
            if (predicates[i](record.Key, record.Value))
            {
                Context.Forward(record, childNames[i]);
                return;
            }
        }
        // A default branch is the last child, without a predicate.
        if (childNames.Count > predicates.Count)
        {
            Context.Forward(record, childNames[predicates.Count]);
        }
    }
}

/// <summary>Adapts a fixed-key mapping to a processor that keeps its key.</summary>
internal sealed class KTableToStream<TKey, TValue> : DslProcessor<TKey, Change<TValue>, TKey, TValue>
{
    private static readonly bool ValueType = typeof(TValue).IsValueType && Nullable.GetUnderlyingType(typeof(TValue)) is null;

    public override void Process(Record<TKey, Change<TValue>> record)
    {
        if (!record.Value.HasNew && ValueType)
        {
            // A deletion of a table of value types: keep it a tombstone for sinks.
            Context.Forward(Record<TKey, TValue>.Tombstone(record.Key, record.Timestamp, record.RawHeaders));
            return;
        }
        Context.Forward(record.WithValue(record.Value.NewValue));
    }
}

/// <summary>Writes "[label]: key, value" lines (Kafka's KStreamPrint).</summary>
internal sealed class KStreamPrint<TKey, TValue>(Printed<TKey, TValue> printed, string label) : DslProcessor<TKey, TValue, TKey, TValue>, IDisposable
{
    private TextWriter? _writer;
    private bool _ownsWriter;

    public override void Init(IProcessorContext<TKey, TValue> context)
    {
        base.Init(context);
        if (printed.FilePath is { } path)
        {
            _writer = new StreamWriter(path, append: true, System.Text.Encoding.UTF8);
            _ownsWriter = true;
        }
        else
        {
            _writer = Console.Out;
        }
    }

    public override void Process(Record<TKey, TValue> record)
    {
        var text = printed.Mapper is { } m ? m(record.Key, record.Value) : $"{record.Key?.ToString() ?? "null"}, {record.Value?.ToString() ?? "null"}";
        _writer!.WriteLine("[" + label + "]: " + text);
        _writer.Flush();
    }

    public override void Close() => Dispose();

    public void Dispose()
    {
        if (_ownsWriter)
        {
            _writer?.Dispose();
            _ownsWriter = false;
        }
    }
}
