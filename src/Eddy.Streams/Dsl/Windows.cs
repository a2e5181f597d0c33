using System.Globalization;

namespace Eddy.Streams.Dsl;

// Kafka's option-object idiom is a static factory on the type (TimeWindows.OfSizeWithNoGrace(...)).
#pragma warning disable CA1000

/// <summary>
/// A time interval: start and end in milliseconds since the epoch (Kafka Streams' <c>Window</c>). Whether the end
/// is inclusive depends on the kind: time windows are <c>[start, end)</c>, session and sliding windows
/// <c>[start, end]</c>.
/// </summary>
/// <example><code>Window w = new TimeWindow(0, 1000); bool overlaps = w.Overlap(new TimeWindow(500, 1500));</code></example>
public abstract class Window : IEquatable<Window>
{
    /// <summary>Creates a window.</summary>
    /// <param name="startMs">The start, not negative.</param>
    /// <param name="endMs">The end, not smaller than the start.</param>
    protected Window(long startMs, long endMs)
    {
        if (startMs < 0)
        {
            throw new ArgumentException("Window startMs time cannot be negative.", nameof(startMs));
        }
        if (endMs < startMs)
        {
            throw new ArgumentException("Window endMs time cannot be smaller than window startMs time.", nameof(endMs));
        }
        Start = startMs;
        End = endMs;
    }

    /// <summary>The start in milliseconds since the epoch.</summary>
    public long Start { get; }

    /// <summary>The end in milliseconds since the epoch.</summary>
    public long End { get; }

    /// <summary>The start as a time.</summary>
    public DateTimeOffset StartTime => DateTimeOffset.FromUnixTimeMilliseconds(Start);

    /// <summary>The end as a time (clamped to the largest representable time).</summary>
    public DateTimeOffset EndTime => End >= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeMilliseconds(End);

    /// <summary>Whether this window overlaps <paramref name="other"/>, by this kind's rule.</summary>
    /// <param name="other">A window of the same kind.</param>
    /// <returns>True when they overlap.</returns>
    public abstract bool Overlap(Window other);

    /// <inheritdoc/>
    public bool Equals(Window? other) => other is not null && other.GetType() == GetType() && other.Start == Start && other.End == End;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Window);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Start, End);

    /// <inheritdoc/>
    public override string ToString() => "Window{startMs=" + Start.ToString(CultureInfo.InvariantCulture) + ", endMs=" + End.ToString(CultureInfo.InvariantCulture) + "}";

    /// <summary>Equality by kind, start and end.</summary>
    /// <param name="left">The first window.</param>
    /// <param name="right">The second window.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(Window? left, Window? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">The first window.</param>
    /// <param name="right">The second window.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(Window? left, Window? right) => !(left == right);
}

/// <summary>A time window <c>[start, end)</c> of tumbling, hopping and sliding windows (Kafka's <c>TimeWindow</c>).</summary>
/// <example><code>var w = new TimeWindow(0, 60_000);</code></example>
public sealed class TimeWindow : Window
{
    /// <summary>Creates a time window.</summary>
    /// <param name="startMs">The inclusive start.</param>
    /// <param name="endMs">The exclusive end, greater than the start.</param>
    public TimeWindow(long startMs, long endMs) : base(startMs, endMs)
    {
        if (startMs == endMs)
        {
            throw new ArgumentException("Window endMs must be greater than window startMs.", nameof(endMs));
        }
    }

    /// <inheritdoc/>
    public override bool Overlap(Window other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other is not TimeWindow)
        {
            throw new ArgumentException("Cannot compare windows of different type. Other window must be of type TimeWindow but got " + other.GetType().Name, nameof(other));
        }
        return Start < other.End && other.Start < End;
    }
}

/// <summary>A session window <c>[start, end]</c>: both ends inclusive, a single event is <c>[t, t]</c> (Kafka's <c>SessionWindow</c>).</summary>
/// <example><code>var w = new SessionWindow(1000, 5000);</code></example>
public sealed class SessionWindow : Window
{
    /// <summary>Creates a session window.</summary>
    /// <param name="startMs">The inclusive start.</param>
    /// <param name="endMs">The inclusive end.</param>
    public SessionWindow(long startMs, long endMs) : base(startMs, endMs) { }

    /// <inheritdoc/>
    public override bool Overlap(Window other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other is not SessionWindow)
        {
            throw new ArgumentException("Cannot compare windows of different type. Other window must be of type SessionWindow but got " + other.GetType().Name, nameof(other));
        }
        return !(other.End < Start || End < other.Start);
    }
}

/// <summary>A window from a start to the end of time (Kafka's <c>UnlimitedWindow</c>).</summary>
/// <example><code>var w = new UnlimitedWindow(0);</code></example>
public sealed class UnlimitedWindow : Window
{
    /// <summary>Creates an unlimited window.</summary>
    /// <param name="startMs">The start.</param>
    public UnlimitedWindow(long startMs) : base(startMs, long.MaxValue) { }

    /// <inheritdoc/>
    public override bool Overlap(Window other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other is not UnlimitedWindow)
        {
            throw new ArgumentException("Cannot compare windows of different type. Other window must be of type UnlimitedWindow but got " + other.GetType().Name, nameof(other));
        }
        return true;
    }
}

/// <summary>
/// The key of a windowed aggregation: the record key and its window (Kafka's <c>Windowed</c>). On a topic it is
/// written as Kafka writes it: key bytes then the 8-byte big-endian window start (time windows), or key bytes, the
/// end and the start (session windows); see <see cref="SerDes.WindowedSerdes"/>.
/// </summary>
/// <typeparam name="TKey">The record key type.</typeparam>
/// <example><code>counts.ToStream().Foreach((w, n) =&gt; Console.WriteLine($"{w.Key} [{w.Window.Start},{w.Window.End}) = {n}"));</code></example>
public sealed class Windowed<TKey> : IEquatable<Windowed<TKey>>, Internal.Dsl.IWindowedKey
{
    /// <summary>Creates a windowed key.</summary>
    /// <param name="key">The record key.</param>
    /// <param name="window">The window.</param>
    public Windowed(TKey key, Window window)
    {
        ArgumentNullException.ThrowIfNull(window);
        Key = key;
        Window = window;
    }

    /// <summary>The record key.</summary>
    public TKey Key { get; }

    /// <summary>The window.</summary>
    public Window Window { get; }

    /// <inheritdoc/>
    public bool Equals(Windowed<TKey>? other) => other is not null && EqualityComparer<TKey>.Default.Equals(Key, other.Key) && Window.Equals(other.Window);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Windowed<TKey>);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Key, Window);

    /// <summary>Kafka's text form: <c>[key@start/end]</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => "[" + Key + "@" + Window.Start.ToString(CultureInfo.InvariantCulture) + "/" + Window.End.ToString(CultureInfo.InvariantCulture) + "]";
}

/// <summary>
/// A windowing policy for aggregations: which windows a timestamp falls in, their size, and the grace period after
/// a window ends during which out-of-order records are still accepted (Kafka's <c>Windows</c>).
/// </summary>
/// <typeparam name="TWindow">The window type.</typeparam>
/// <example><code>Windows&lt;TimeWindow&gt; hopping = TimeWindows.OfSizeWithNoGrace(TimeSpan.FromMinutes(5)).AdvanceBy(TimeSpan.FromMinutes(1));</code></example>
public abstract class Windows<TWindow>
    where TWindow : Window
{
    /// <summary>The windows <paramref name="timestamp"/> falls in, by start.</summary>
    /// <param name="timestamp">A record timestamp.</param>
    /// <returns>The windows by start time.</returns>
    public abstract IReadOnlyDictionary<long, TWindow> WindowsFor(long timestamp);

    /// <summary>The window size in milliseconds.</summary>
    public abstract long Size { get; }

    /// <summary>The grace period in milliseconds: how long after its end a window still accepts records.</summary>
    public abstract long GracePeriodMs { get; }
}

/// <summary>
/// Fixed-size windows: tumbling (advance = size) or hopping (advance &lt; size), aligned to the epoch, each
/// <c>[start, start + size)</c> (Kafka's <c>TimeWindows</c>).
/// </summary>
/// <example>
/// <code>
/// var tumbling = TimeWindows.OfSizeWithNoGrace(TimeSpan.FromSeconds(1));
/// var hopping = TimeWindows.OfSizeAndGrace(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)).AdvanceBy(TimeSpan.FromSeconds(2));
/// </code>
/// </example>
public sealed class TimeWindows : Windows<TimeWindow>, IEquatable<TimeWindows>
{
    private TimeWindows(long sizeMs, long advanceMs, long graceMs)
    {
        if (sizeMs <= 0)
        {
            throw new ArgumentException("Window size (sizeMs) must be larger than zero.", nameof(sizeMs));
        }
        if (advanceMs <= 0 || advanceMs > sizeMs)
        {
            throw new ArgumentException($"Window advancement interval should be more than zero and less than window duration which is {sizeMs} ms, but given advancement interval is: {advanceMs} ms", nameof(advanceMs));
        }
        if (graceMs < 0)
        {
            throw new ArgumentException("Grace period must not be negative.", nameof(graceMs));
        }
        Size = sizeMs;
        AdvanceMs = advanceMs;
        GracePeriodMs = graceMs;
    }

    /// <summary>Tumbling windows of <paramref name="size"/> with no grace: records after a window's end are dropped.</summary>
    /// <param name="size">The window size, positive.</param>
    /// <returns>The windows.</returns>
    public static TimeWindows OfSizeWithNoGrace(TimeSpan size) => new(Millis(size, nameof(size)), Millis(size, nameof(size)), 0);

    /// <summary>Tumbling windows of <paramref name="size"/> that accept out-of-order records until <paramref name="afterWindowEnd"/> after their end.</summary>
    /// <param name="size">The window size, positive.</param>
    /// <param name="afterWindowEnd">The grace period, not negative.</param>
    /// <returns>The windows.</returns>
    public static TimeWindows OfSizeAndGrace(TimeSpan size, TimeSpan afterWindowEnd)
        => new(Millis(size, nameof(size)), Millis(size, nameof(size)), Millis(afterWindowEnd, nameof(afterWindowEnd)));

    /// <summary>Hopping windows: a new window starts every <paramref name="advance"/> (at most the size).</summary>
    /// <param name="advance">The advance, positive and not larger than the size.</param>
    /// <returns>New windows with the same size and grace.</returns>
    public TimeWindows AdvanceBy(TimeSpan advance) => new(Size, Millis(advance, nameof(advance)), GracePeriodMs);

    /// <inheritdoc/>
    public override long Size { get; }

    /// <summary>How far apart window starts are, in milliseconds.</summary>
    public long AdvanceMs { get; }

    /// <inheritdoc/>
    public override long GracePeriodMs { get; }

    /// <summary>The first window start that contains <paramref name="timestamp"/> (windows start at multiples of the advance).</summary>
    internal long FirstWindowStart(long timestamp) => Math.Max(0, timestamp - Size + AdvanceMs) / AdvanceMs * AdvanceMs;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<long, TimeWindow> WindowsFor(long timestamp)
    {
        var windows = new Dictionary<long, TimeWindow>();
        for (var start = FirstWindowStart(timestamp); start <= timestamp; start += AdvanceMs)
        {
            windows[start] = new TimeWindow(start, start + Size);
        }
        return windows;
    }

    /// <inheritdoc/>
    public bool Equals(TimeWindows? other) => other is not null && other.Size == Size && other.AdvanceMs == AdvanceMs && other.GracePeriodMs == GracePeriodMs;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TimeWindows);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Size, AdvanceMs, GracePeriodMs);

    /// <inheritdoc/>
    public override string ToString() => $"TimeWindows{{sizeMs={Size}, advanceMs={AdvanceMs}, graceMs={GracePeriodMs}}}";

    internal static long Millis(TimeSpan span, string name)
    {
        _ = name;
        return (long)span.TotalMilliseconds;
    }
}

/// <summary>
/// Sliding windows: a window of <c>timeDifference</c> milliseconds (both ends inclusive) for every distinct set of
/// records that fall within that difference of each other, created as records arrive (Kafka's <c>SlidingWindows</c>,
/// KIP-450). Only windows that contain records exist, unlike hopping windows.
/// </summary>
/// <example><code>stream.GroupByKey().WindowedBy(SlidingWindows.OfTimeDifferenceAndGrace(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30))).Count();</code></example>
public sealed class SlidingWindows : IEquatable<SlidingWindows>
{
    private SlidingWindows(long timeDifferenceMs, long graceMs)
    {
        if (timeDifferenceMs <= 0)
        {
            // Kafka accepts 0 here but then fails on the first record (a time window cannot be empty).
            throw new ArgumentException("Window time difference must be positive.", nameof(timeDifferenceMs));
        }
        if (graceMs < 0)
        {
            throw new ArgumentException("Window grace period must not be negative.", nameof(graceMs));
        }
        TimeDifferenceMs = timeDifferenceMs;
        GracePeriodMs = graceMs;
    }

    /// <summary>Sliding windows with no grace.</summary>
    /// <param name="timeDifference">The largest time difference between records in one window.</param>
    /// <returns>The windows.</returns>
    public static SlidingWindows OfTimeDifferenceWithNoGrace(TimeSpan timeDifference) => new(TimeWindows.Millis(timeDifference, nameof(timeDifference)), 0);

    /// <summary>Sliding windows that accept out-of-order records until <paramref name="afterWindowEnd"/> after a window's end.</summary>
    /// <param name="timeDifference">The largest time difference between records in one window.</param>
    /// <param name="afterWindowEnd">The grace period.</param>
    /// <returns>The windows.</returns>
    public static SlidingWindows OfTimeDifferenceAndGrace(TimeSpan timeDifference, TimeSpan afterWindowEnd)
        => new(TimeWindows.Millis(timeDifference, nameof(timeDifference)), TimeWindows.Millis(afterWindowEnd, nameof(afterWindowEnd)));

    /// <summary>The time difference (the window size) in milliseconds.</summary>
    public long TimeDifferenceMs { get; }

    /// <summary>The grace period in milliseconds.</summary>
    public long GracePeriodMs { get; }

    /// <inheritdoc/>
    public bool Equals(SlidingWindows? other) => other is not null && other.TimeDifferenceMs == TimeDifferenceMs && other.GracePeriodMs == GracePeriodMs;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SlidingWindows);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(TimeDifferenceMs, GracePeriodMs);

    /// <inheritdoc/>
    public override string ToString() => $"SlidingWindows{{timeDifferenceMs={TimeDifferenceMs}, graceMs={GracePeriodMs}}}";
}

/// <summary>
/// Session windows: records of a key closer together than the inactivity gap form one session; a record that
/// bridges two sessions merges them (Kafka's <c>SessionWindows</c>). A session window <c>[first, last]</c> is
/// inclusive at both ends.
/// </summary>
/// <example><code>stream.GroupByKey().WindowedBy(SessionWindows.OfInactivityGapWithNoGrace(TimeSpan.FromMinutes(30))).Count();</code></example>
public sealed class SessionWindows : IEquatable<SessionWindows>
{
    private SessionWindows(long gapMs, long graceMs)
    {
        if (gapMs <= 0)
        {
            throw new ArgumentException("Gap time cannot be zero or negative.", nameof(gapMs));
        }
        if (graceMs < 0)
        {
            throw new ArgumentException("Grace period must not be negative.", nameof(graceMs));
        }
        InactivityGap = gapMs;
        GracePeriodMs = graceMs;
    }

    /// <summary>Session windows with no grace.</summary>
    /// <param name="inactivityGap">The gap after which a session ends.</param>
    /// <returns>The windows.</returns>
    public static SessionWindows OfInactivityGapWithNoGrace(TimeSpan inactivityGap) => new(TimeWindows.Millis(inactivityGap, nameof(inactivityGap)), 0);

    /// <summary>Session windows that accept out-of-order records until <paramref name="afterWindowEnd"/> after a session closes.</summary>
    /// <param name="inactivityGap">The gap after which a session ends.</param>
    /// <param name="afterWindowEnd">The grace period.</param>
    /// <returns>The windows.</returns>
    public static SessionWindows OfInactivityGapAndGrace(TimeSpan inactivityGap, TimeSpan afterWindowEnd)
        => new(TimeWindows.Millis(inactivityGap, nameof(inactivityGap)), TimeWindows.Millis(afterWindowEnd, nameof(afterWindowEnd)));

    /// <summary>The inactivity gap in milliseconds.</summary>
    public long InactivityGap { get; }

    /// <summary>The grace period in milliseconds.</summary>
    public long GracePeriodMs { get; }

    /// <inheritdoc/>
    public bool Equals(SessionWindows? other) => other is not null && other.InactivityGap == InactivityGap && other.GracePeriodMs == GracePeriodMs;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SessionWindows);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(InactivityGap, GracePeriodMs);

    /// <inheritdoc/>
    public override string ToString() => $"SessionWindows{{gapMs={InactivityGap}, graceMs={GracePeriodMs}}}";
}

/// <summary>
/// The window of a stream-stream join: a record joins records of the other stream whose timestamps are at most
/// <see cref="BeforeMs"/> earlier and <see cref="AfterMs"/> later (Kafka's <c>JoinWindows</c>). Left and outer joins
/// emit a record without a match only after its window and the grace period have passed (KIP-633).
/// </summary>
/// <example><code>left.Join(right, (l, r) =&gt; l + r, JoinWindows.OfTimeDifferenceAndGrace(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)));</code></example>
public sealed class JoinWindows : Windows<TimeWindow>, IEquatable<JoinWindows>
{
    private JoinWindows(long beforeMs, long afterMs, long graceMs, bool spuriousResultFix = true)
    {
        EnableSpuriousResultFix = spuriousResultFix;
        if (beforeMs + afterMs < 0)
        {
            throw new ArgumentException("Window interval (ie, beforeMs+afterMs) must not be negative.");
        }
        if (graceMs < 0)
        {
            throw new ArgumentException("Grace period must not be negative.", nameof(graceMs));
        }
        BeforeMs = beforeMs;
        AfterMs = afterMs;
        GracePeriodMs = graceMs;
    }

    /// <summary>A symmetric window of <paramref name="timeDifference"/> with no grace.</summary>
    /// <param name="timeDifference">The largest time difference between joined records.</param>
    /// <returns>The join window.</returns>
    public static JoinWindows OfTimeDifferenceWithNoGrace(TimeSpan timeDifference)
    {
        var ms = TimeWindows.Millis(timeDifference, nameof(timeDifference));
        return new JoinWindows(ms, ms, 0);
    }

    /// <summary>A symmetric window of <paramref name="timeDifference"/> that accepts out-of-order records for <paramref name="afterWindowEnd"/> longer.</summary>
    /// <param name="timeDifference">The largest time difference between joined records.</param>
    /// <param name="afterWindowEnd">The grace period.</param>
    /// <returns>The join window.</returns>
    public static JoinWindows OfTimeDifferenceAndGrace(TimeSpan timeDifference, TimeSpan afterWindowEnd)
    {
        var ms = TimeWindows.Millis(timeDifference, nameof(timeDifference));
        return new JoinWindows(ms, ms, TimeWindows.Millis(afterWindowEnd, nameof(afterWindowEnd)));
    }

    /// <summary>
    /// Kafka's deprecated <c>JoinWindows.of(timeDifference)</c>: a grace of 24 hours less the window size and
    /// the pre-KIP-633 behaviour of left and outer joins, which emit a result with a null other side as soon
    /// as a record finds no match (later matches are emitted too). ksqlDB uses it when WITHIN has no GRACE PERIOD.
    /// </summary>
    /// <example><code>var legacy = JoinWindows.Of(TimeSpan.FromSeconds(10));</code></example>
    public static JoinWindows Of(TimeSpan timeDifference)
    {
        var ms = TimeWindows.Millis(timeDifference, nameof(timeDifference));
        return new JoinWindows(ms, ms, Math.Max(0, (24 * 3600 * 1000L) - (2 * ms)), spuriousResultFix: false);
    }

    /// <summary>False for windows made by <see cref="Of"/>: left and outer joins then emit non-matches eagerly.</summary>
    public bool EnableSpuriousResultFix { get; }

    /// <summary>Changes how much earlier the other stream's records may be.</summary>
    /// <param name="timeDifference">The new before-difference (may be negative if the after-difference covers it).</param>
    /// <returns>A new join window.</returns>
    public JoinWindows Before(TimeSpan timeDifference) => new((long)timeDifference.TotalMilliseconds, AfterMs, GracePeriodMs, EnableSpuriousResultFix);

    /// <summary>Changes how much later the other stream's records may be.</summary>
    /// <param name="timeDifference">The new after-difference (may be negative if the before-difference covers it).</param>
    /// <returns>A new join window.</returns>
    public JoinWindows After(TimeSpan timeDifference) => new(BeforeMs, (long)timeDifference.TotalMilliseconds, GracePeriodMs, EnableSpuriousResultFix);

    /// <summary>How much earlier (ms) the other stream's records may be.</summary>
    public long BeforeMs { get; }

    /// <summary>How much later (ms) the other stream's records may be.</summary>
    public long AfterMs { get; }

    /// <summary>The window size: before plus after.</summary>
    public override long Size => BeforeMs + AfterMs;

    /// <inheritdoc/>
    public override long GracePeriodMs { get; }

    /// <summary>Not supported: a join window is relative to each record.</summary>
    /// <param name="timestamp">Ignored.</param>
    /// <returns>Never returns.</returns>
    public override IReadOnlyDictionary<long, TimeWindow> WindowsFor(long timestamp) => throw new NotSupportedException("windowsFor() is not supported by JoinWindows.");

    /// <inheritdoc/>
    public bool Equals(JoinWindows? other) => other is not null && other.BeforeMs == BeforeMs && other.AfterMs == AfterMs && other.GracePeriodMs == GracePeriodMs;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as JoinWindows);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(BeforeMs, AfterMs, GracePeriodMs);

    /// <inheritdoc/>
    public override string ToString() => $"JoinWindows{{beforeMs={BeforeMs}, afterMs={AfterMs}, graceMs={GracePeriodMs}}}";
}

/// <summary>One window from a start time to the end of time: a running aggregate per key (Kafka's <c>UnlimitedWindows</c>).</summary>
/// <example><code>stream.GroupByKey().WindowedBy(UnlimitedWindows.Of()).Count();</code></example>
public sealed class UnlimitedWindows : Windows<UnlimitedWindow>
{
    private UnlimitedWindows(long startMs)
    {
        if (startMs < 0)
        {
            throw new ArgumentException("Window start time (startMs) cannot be negative.", nameof(startMs));
        }
        StartMs = startMs;
    }

    /// <summary>An unlimited window starting at the epoch.</summary>
    /// <returns>The windows.</returns>
    public static UnlimitedWindows Of() => new(0);

    /// <summary>The same with another start.</summary>
    /// <param name="start">The start.</param>
    /// <returns>New windows.</returns>
    public static UnlimitedWindows StartOn(DateTimeOffset start) => new(start.ToUnixTimeMilliseconds());

    /// <summary>The start in milliseconds.</summary>
    public long StartMs { get; }

    /// <inheritdoc/>
    public override long Size => long.MaxValue;

    /// <inheritdoc/>
    public override long GracePeriodMs => 0;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<long, UnlimitedWindow> WindowsFor(long timestamp)
        => timestamp >= StartMs ? new Dictionary<long, UnlimitedWindow> { [StartMs] = new UnlimitedWindow(StartMs) } : new Dictionary<long, UnlimitedWindow>();
}

/// <summary>When a windowed aggregation emits: on every update, or once when a window closes (Kafka's <c>EmitStrategy</c>, KIP-825).</summary>
/// <example><code>stream.GroupByKey().WindowedBy(TimeWindows.OfSizeWithNoGrace(TimeSpan.FromMinutes(1))).EmitStrategy(EmitStrategy.OnWindowClose()).Count();</code></example>
public sealed class EmitStrategy
{
    private static readonly EmitStrategy Update = new(EmitStrategyType.OnWindowUpdate);
    private static readonly EmitStrategy Close = new(EmitStrategyType.OnWindowClose);

    private EmitStrategy(EmitStrategyType type) => Type = type;

    /// <summary>Which strategy.</summary>
    public EmitStrategyType Type { get; }

    /// <summary>Emit every update (subject to the record cache): the default.</summary>
    /// <returns>The strategy.</returns>
    public static EmitStrategy OnWindowUpdate() => Update;

    /// <summary>Emit each window's final result once, after its end plus the grace period has passed in stream time.</summary>
    /// <returns>The strategy.</returns>
    public static EmitStrategy OnWindowClose() => Close;

    /// <inheritdoc/>
    public override string ToString() => Type.ToString();
}

/// <summary>The kinds of <see cref="EmitStrategy"/>.</summary>
/// <example><code>if (strategy.Type == EmitStrategyType.OnWindowClose) { }</code></example>
public enum EmitStrategyType
{
    /// <summary>Emit every update.</summary>
    OnWindowUpdate,

    /// <summary>Emit once when a window closes.</summary>
    OnWindowClose,
}
