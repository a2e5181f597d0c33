namespace Eddy.Streams.Processors;

/// <summary>
/// A processor of the Processor API: <see cref="Init"/> once per task, <see cref="Process"/> per record,
/// <see cref="Close"/> when the task closes. Kafka Streams' <c>Processor&lt;KIn, VIn, KOut, VOut&gt;</c>.
/// </summary>
/// <typeparam name="TKeyIn">The input key type.</typeparam>
/// <typeparam name="TValueIn">The input value type.</typeparam>
/// <typeparam name="TKeyOut">The type of keys it forwards.</typeparam>
/// <typeparam name="TValueOut">The type of values it forwards.</typeparam>
/// <example>
/// <code>
/// sealed class Upper : IProcessor&lt;string, string, string, string&gt;
/// {
///     private IProcessorContext&lt;string, string&gt; _ctx = null!;
///     public void Init(IProcessorContext&lt;string, string&gt; context) =&gt; _ctx = context;
///     public void Process(Record&lt;string, string&gt; record) =&gt; _ctx.Forward(record.WithValue(record.Value.ToUpperInvariant()));
/// }
/// </code>
/// </example>
public interface IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut>
{
    /// <summary>Called once when the task starts, before any record.</summary>
    /// <param name="context">The processor's context: forward, stores, punctuation, metadata.</param>
    void Init(IProcessorContext<TKeyOut, TValueOut> context) { }

    /// <summary>Processes one record.</summary>
    /// <param name="record">The record.</param>
    void Process(Record<TKeyIn, TValueIn> record);

    /// <summary>Called once when the task closes. Do not forward here.</summary>
    void Close() { }
}

/// <summary>
/// A processor that cannot change keys, so a stream stays partitioned as it was: used by <c>ProcessValues</c>.
/// Kafka Streams' <c>FixedKeyProcessor</c>.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValueIn">The input value type.</typeparam>
/// <typeparam name="TValueOut">The type of values it forwards.</typeparam>
/// <example>
/// <code>
/// sealed class Length : IFixedKeyProcessor&lt;string, string, int&gt;
/// {
///     private IFixedKeyProcessorContext&lt;string, int&gt; _ctx = null!;
///     public void Init(IFixedKeyProcessorContext&lt;string, int&gt; context) =&gt; _ctx = context;
///     public void Process(FixedKeyRecord&lt;string, string&gt; record) =&gt; _ctx.Forward(record.WithValue(record.Value.Length));
/// }
/// </code>
/// </example>
public interface IFixedKeyProcessor<TKey, TValueIn, TValueOut>
{
    /// <summary>Called once when the task starts.</summary>
    /// <param name="context">The processor's context.</param>
    void Init(IFixedKeyProcessorContext<TKey, TValueOut> context) { }

    /// <summary>Processes one record.</summary>
    /// <param name="record">The record.</param>
    void Process(FixedKeyRecord<TKey, TValueIn> record);

    /// <summary>Called once when the task closes.</summary>
    void Close() { }
}

/// <summary>Whether a punctuation follows stream time (record timestamps) or wall-clock time.</summary>
/// <example><code>context.Schedule(TimeSpan.FromSeconds(10), PunctuationType.StreamTime, ts =&gt; Emit(ts));</code></example>
public enum PunctuationType
{
    /// <summary>Fires as stream time (the largest record timestamp the task has seen) advances.</summary>
    StreamTime,

    /// <summary>Fires as the wall clock (the configured <see cref="TimeProvider"/>) advances.</summary>
    WallClockTime,
}

/// <summary>A scheduled punctuation that can be cancelled.</summary>
/// <example><code>var schedule = context.Schedule(TimeSpan.FromSeconds(1), PunctuationType.WallClockTime, _ =&gt; { }); schedule.Cancel();</code></example>
public interface ICancellable
{
    /// <summary>Stops further punctuations.</summary>
    void Cancel();
}

/// <summary>What every processor context offers, whatever it forwards. Kafka Streams' <c>ProcessingContext</c>.</summary>
/// <example><code>var store = context.GetStateStore&lt;IKeyValueStore&lt;string, long&gt;&gt;("counts");</code></example>
public interface IProcessingContext
{
    /// <summary>The application id.</summary>
    string ApplicationId { get; }

    /// <summary>The task running this processor.</summary>
    TaskId TaskId { get; }

    /// <summary>The topic, partition and offset of the input record being processed; null during punctuation.</summary>
    RecordMetadata? RecordMetadata { get; }

    /// <summary>The application configuration.</summary>
    StreamsConfig Config { get; }

    /// <summary>The default key serde provider (may be null).</summary>
    SerDes.ISerdeProvider? KeySerde { get; }

    /// <summary>The default value serde provider (may be null).</summary>
    SerDes.ISerdeProvider? ValueSerde { get; }

    /// <summary>The task's stream time: the largest timestamp it has processed, or -1 before the first record.</summary>
    long CurrentStreamTimeMs { get; }

    /// <summary>The wall-clock time in milliseconds, from the configured <see cref="TimeProvider"/>.</summary>
    long CurrentSystemTimeMs { get; }

    /// <summary>A state store connected to this processor, or a global store.</summary>
    /// <typeparam name="TStore">The store interface, such as <c>IKeyValueStore&lt;string, long&gt;</c>.</typeparam>
    /// <param name="name">The store name.</param>
    /// <returns>The store.</returns>
    TStore GetStateStore<TStore>(string name)
        where TStore : State.IStateStore;

    /// <summary>Schedules a punctuation every <paramref name="interval"/>.</summary>
    /// <param name="interval">The interval; at least one millisecond.</param>
    /// <param name="type">Stream time or wall-clock time.</param>
    /// <param name="punctuator">Called with the time (stream or wall clock, in ms) at which it fires.</param>
    /// <returns>A handle to cancel it.</returns>
    ICancellable Schedule(TimeSpan interval, PunctuationType type, Action<long> punctuator);

    /// <summary>Asks for a commit as soon as possible.</summary>
    void Commit();
}

/// <summary>The context of a <see cref="IProcessor{TKeyIn, TValueIn, TKeyOut, TValueOut}"/>: forwards records to its children.</summary>
/// <typeparam name="TKeyOut">The type of keys forwarded.</typeparam>
/// <typeparam name="TValueOut">The type of values forwarded.</typeparam>
/// <example><code>context.Forward(record.WithKey(newKey), "high-priority");</code></example>
public interface IProcessorContext<TKeyOut, TValueOut> : IProcessingContext
{
    /// <summary>Forwards a record to every child.</summary>
    /// <param name="record">The record.</param>
    void Forward(Record<TKeyOut, TValueOut> record);

    /// <summary>Forwards a record to one named child.</summary>
    /// <param name="record">The record.</param>
    /// <param name="childName">The child processor's name.</param>
    void Forward(Record<TKeyOut, TValueOut> record, string childName);
}

/// <summary>The context of a <see cref="IFixedKeyProcessor{TKey, TValueIn, TValueOut}"/>.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValueOut">The type of values forwarded.</typeparam>
/// <example><code>context.Forward(record.WithValue(42));</code></example>
public interface IFixedKeyProcessorContext<TKey, TValueOut> : IProcessingContext
{
    /// <summary>Forwards a record to every child.</summary>
    /// <param name="record">The record.</param>
    void Forward(FixedKeyRecord<TKey, TValueOut> record);

    /// <summary>Forwards a record to one named child.</summary>
    /// <param name="record">The record.</param>
    /// <param name="childName">The child processor's name.</param>
    void Forward(FixedKeyRecord<TKey, TValueOut> record, string childName);
}

/// <summary>Creates a processor per task, and may name the stores it needs (Kafka's <c>ProcessorSupplier</c>).</summary>
/// <typeparam name="TKeyIn">The input key type.</typeparam>
/// <typeparam name="TValueIn">The input value type.</typeparam>
/// <typeparam name="TKeyOut">The output key type.</typeparam>
/// <typeparam name="TValueOut">The output value type.</typeparam>
/// <example><code>IProcessorSupplier&lt;string, string, string, string&gt; s = ProcessorSupplier.From(() =&gt; new Upper());</code></example>
public interface IProcessorSupplier<TKeyIn, TValueIn, TKeyOut, TValueOut>
{
    /// <summary>A new processor instance; never return a shared one.</summary>
    /// <returns>The processor.</returns>
    IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut> Get();

    /// <summary>Stores to add and connect to this processor, or null.</summary>
    IReadOnlyList<State.IStoreBuilder>? Stores => null;
}

/// <summary>Creates a fixed-key processor per task (Kafka's <c>FixedKeyProcessorSupplier</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValueIn">The input value type.</typeparam>
/// <typeparam name="TValueOut">The output value type.</typeparam>
/// <example><code>var s = ProcessorSupplier.From(() =&gt; new Length());</code></example>
public interface IFixedKeyProcessorSupplier<TKey, TValueIn, TValueOut>
{
    /// <summary>A new processor instance.</summary>
    /// <returns>The processor.</returns>
    IFixedKeyProcessor<TKey, TValueIn, TValueOut> Get();

    /// <summary>Stores to add and connect to this processor, or null.</summary>
    IReadOnlyList<State.IStoreBuilder>? Stores => null;
}

/// <summary>Makes suppliers from factory delegates.</summary>
/// <example><code>var supplier = ProcessorSupplier.From(() =&gt; new Upper(), Stores.KeyValueStoreBuilder(...));</code></example>
public static class ProcessorSupplier
{
    /// <summary>A supplier that calls <paramref name="factory"/> per task.</summary>
    /// <typeparam name="TKeyIn">The input key type.</typeparam>
    /// <typeparam name="TValueIn">The input value type.</typeparam>
    /// <typeparam name="TKeyOut">The output key type.</typeparam>
    /// <typeparam name="TValueOut">The output value type.</typeparam>
    /// <param name="factory">Creates a processor.</param>
    /// <param name="stores">Stores to add and connect.</param>
    /// <returns>The supplier.</returns>
    public static IProcessorSupplier<TKeyIn, TValueIn, TKeyOut, TValueOut> From<TKeyIn, TValueIn, TKeyOut, TValueOut>(
        Func<IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut>> factory, params State.IStoreBuilder[] stores)
        => new FuncSupplier<TKeyIn, TValueIn, TKeyOut, TValueOut>(factory, stores.Length == 0 ? null : stores);

    /// <summary>A fixed-key supplier that calls <paramref name="factory"/> per task.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValueIn">The input value type.</typeparam>
    /// <typeparam name="TValueOut">The output value type.</typeparam>
    /// <param name="factory">Creates a processor.</param>
    /// <param name="stores">Stores to add and connect.</param>
    /// <returns>The supplier.</returns>
    public static IFixedKeyProcessorSupplier<TKey, TValueIn, TValueOut> From<TKey, TValueIn, TValueOut>(
        Func<IFixedKeyProcessor<TKey, TValueIn, TValueOut>> factory, params State.IStoreBuilder[] stores)
        => new FixedKeyFuncSupplier<TKey, TValueIn, TValueOut>(factory, stores.Length == 0 ? null : stores);

    private sealed class FuncSupplier<TKeyIn, TValueIn, TKeyOut, TValueOut>(
        Func<IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut>> factory, IReadOnlyList<State.IStoreBuilder>? stores)
        : IProcessorSupplier<TKeyIn, TValueIn, TKeyOut, TValueOut>
    {
        public IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut> Get() => factory();

        public IReadOnlyList<State.IStoreBuilder>? Stores => stores;
    }

    private sealed class FixedKeyFuncSupplier<TKey, TValueIn, TValueOut>(
        Func<IFixedKeyProcessor<TKey, TValueIn, TValueOut>> factory, IReadOnlyList<State.IStoreBuilder>? stores)
        : IFixedKeyProcessorSupplier<TKey, TValueIn, TValueOut>
    {
        public IFixedKeyProcessor<TKey, TValueIn, TValueOut> Get() => factory();

        public IReadOnlyList<State.IStoreBuilder>? Stores => stores;
    }
}
