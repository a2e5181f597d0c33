using Eddy.Streams.Dsl;
using Eddy.Streams.Errors;
using Eddy.Streams.Internal.State;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.Runtime;

/// <summary>
/// One task's store as interactive queries see it: the store plus the task's lock (the stream thread holds it while it
/// processes the task, so a query never reads a store mid-update) and a liveness check (a task that moved away
/// makes the handle invalid rather than answering from a closed store).
/// </summary>
internal sealed record QueryableStoreHandle(IStateStore Store, object SyncRoot, Func<bool> IsValid);

/// <summary>The shared part of the composite read-only stores: run a read against every local store under its task's lock.</summary>
internal abstract class CompositeStoreBase<TView>(IReadOnlyList<QueryableStoreHandle> handles, Func<IStateStore, TView> view)
{
    protected bool FirstMatch<TResult>(Func<TView, (bool Found, TResult Value)> read, out TResult result)
    {
        foreach (var h in handles)
        {
            lock (h.SyncRoot)
            {
                Check(h);
                var (found, value) = read(view(h.Store));
                if (found)
                {
                    result = value;
                    return true;
                }
            }
        }
        result = default!;
        return false;
    }

    protected List<T> Collect<T>(Func<TView, IEnumerator<T>> read)
    {
        var list = new List<T>();
        foreach (var h in handles)
        {
            lock (h.SyncRoot)
            {
                Check(h);
                using var it = read(view(h.Store));
                while (it.MoveNext())
                {
                    list.Add(it.Current);
                }
            }
        }
        return list;
    }

    protected long Sum(Func<TView, long> read)
    {
        long total = 0;
        foreach (var h in handles)
        {
            lock (h.SyncRoot)
            {
                Check(h);
                total += read(view(h.Store));
            }
        }
        return total;
    }

    private static void Check(QueryableStoreHandle h)
    {
        if (!h.IsValid() || !h.Store.IsOpen)
        {
            throw new InvalidStateStoreException($"The state store {h.Store.Name} may have migrated to another instance; rediscover it with KafkaStreams.Store and retry.");
        }
    }
}

internal sealed class CompositeReadOnlyKeyValueStore<TKey, TValue>(IReadOnlyList<QueryableStoreHandle> handles, Func<IStateStore, IReadOnlyKeyValueStore<TKey, TValue>> view)
    : CompositeStoreBase<IReadOnlyKeyValueStore<TKey, TValue>>(handles, view), IReadOnlyKeyValueStore<TKey, TValue>
{
    public long ApproximateNumEntries => Sum(s => s.ApproximateNumEntries);

    public TValue? Get(TKey key) => TryGet(key, out var v) ? v : default;

    public bool TryGet(TKey key, out TValue value)
        => FirstMatch(s => s.TryGet(key, out var v) ? (true, v) : (false, default!), out value);

    public IKeyValueIterator<TKey, TValue> Range(TKey from, TKey to) => new ListIterator<TKey, TValue>(Collect(s => s.Range(from, to)));

    public IKeyValueIterator<TKey, TValue> ReverseRange(TKey from, TKey to) => new ListIterator<TKey, TValue>(Collect(s => s.ReverseRange(from, to)));

    public IKeyValueIterator<TKey, TValue> All() => new ListIterator<TKey, TValue>(Collect(s => s.All()));

    public IKeyValueIterator<TKey, TValue> ReverseAll() => new ListIterator<TKey, TValue>(Collect(s => s.ReverseAll()));

    public IKeyValueIterator<TKey, TValue> PrefixScan<TPrefix>(TPrefix prefix, ISerializer<TPrefix> prefixSerializer)
        => new ListIterator<TKey, TValue>(Collect(s => s.PrefixScan(prefix, prefixSerializer)));
}

internal sealed class CompositeReadOnlyWindowStore<TKey, TValue>(IReadOnlyList<QueryableStoreHandle> handles, Func<IStateStore, IReadOnlyWindowStore<TKey, TValue>> view)
    : CompositeStoreBase<IReadOnlyWindowStore<TKey, TValue>>(handles, view), IReadOnlyWindowStore<TKey, TValue>
{
    public bool TryFetch(TKey key, long windowStart, out TValue value)
        => FirstMatch(s => s.TryFetch(key, windowStart, out var v) ? (true, v) : (false, default!), out value);

    public IWindowStoreIterator<TValue> Fetch(TKey key, long timeFrom, long timeTo) => new WindowListIterator<TValue>(Collect(s => s.Fetch(key, timeFrom, timeTo)));

    public IWindowStoreIterator<TValue> BackwardFetch(TKey key, long timeFrom, long timeTo) => new WindowListIterator<TValue>(Collect(s => s.BackwardFetch(key, timeFrom, timeTo)));

    public IKeyValueIterator<Windowed<TKey>, TValue> Fetch(TKey keyFrom, TKey keyTo, long timeFrom, long timeTo)
        => new ListIterator<Windowed<TKey>, TValue>(Collect(s => s.Fetch(keyFrom, keyTo, timeFrom, timeTo)));

    public IKeyValueIterator<Windowed<TKey>, TValue> BackwardFetch(TKey keyFrom, TKey keyTo, long timeFrom, long timeTo)
        => new ListIterator<Windowed<TKey>, TValue>(Collect(s => s.BackwardFetch(keyFrom, keyTo, timeFrom, timeTo)));

    public IKeyValueIterator<Windowed<TKey>, TValue> FetchAll(long timeFrom, long timeTo) => new ListIterator<Windowed<TKey>, TValue>(Collect(s => s.FetchAll(timeFrom, timeTo)));

    public IKeyValueIterator<Windowed<TKey>, TValue> BackwardFetchAll(long timeFrom, long timeTo) => new ListIterator<Windowed<TKey>, TValue>(Collect(s => s.BackwardFetchAll(timeFrom, timeTo)));

    public IKeyValueIterator<Windowed<TKey>, TValue> All() => new ListIterator<Windowed<TKey>, TValue>(Collect(s => s.All()));

    public IKeyValueIterator<Windowed<TKey>, TValue> BackwardAll() => new ListIterator<Windowed<TKey>, TValue>(Collect(s => s.BackwardAll()));
}

internal sealed class CompositeReadOnlySessionStore<TKey, TAgg>(IReadOnlyList<QueryableStoreHandle> handles, Func<IStateStore, IReadOnlySessionStore<TKey, TAgg>> view)
    : CompositeStoreBase<IReadOnlySessionStore<TKey, TAgg>>(handles, view), IReadOnlySessionStore<TKey, TAgg>
{
    public IKeyValueIterator<Windowed<TKey>, TAgg> FindSessions(TKey key, long earliestSessionEndTime, long latestSessionStartTime)
        => new ListIterator<Windowed<TKey>, TAgg>(Collect(s => s.FindSessions(key, earliestSessionEndTime, latestSessionStartTime)));

    public IKeyValueIterator<Windowed<TKey>, TAgg> FindSessions(TKey keyFrom, TKey keyTo, long earliestSessionEndTime, long latestSessionStartTime)
        => new ListIterator<Windowed<TKey>, TAgg>(Collect(s => s.FindSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime)));

    public IKeyValueIterator<Windowed<TKey>, TAgg> BackwardFindSessions(TKey key, long earliestSessionEndTime, long latestSessionStartTime)
        => new ListIterator<Windowed<TKey>, TAgg>(Collect(s => s.BackwardFindSessions(key, earliestSessionEndTime, latestSessionStartTime)));

    public IKeyValueIterator<Windowed<TKey>, TAgg> BackwardFindSessions(TKey keyFrom, TKey keyTo, long earliestSessionEndTime, long latestSessionStartTime)
        => new ListIterator<Windowed<TKey>, TAgg>(Collect(s => s.BackwardFindSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime)));

    public bool TryFetchSession(TKey key, long sessionStartTime, long sessionEndTime, out TAgg aggregate)
        => FirstMatch(s => s.TryFetchSession(key, sessionStartTime, sessionEndTime, out var v) ? (true, v) : (false, default!), out aggregate);

    public IKeyValueIterator<Windowed<TKey>, TAgg> Fetch(TKey key) => new ListIterator<Windowed<TKey>, TAgg>(Collect(s => s.Fetch(key)));

    public IKeyValueIterator<Windowed<TKey>, TAgg> BackwardFetch(TKey key) => new ListIterator<Windowed<TKey>, TAgg>(Collect(s => s.BackwardFetch(key)));

    public IKeyValueIterator<Windowed<TKey>, TAgg> Fetch(TKey keyFrom, TKey keyTo) => new ListIterator<Windowed<TKey>, TAgg>(Collect(s => s.Fetch(keyFrom, keyTo)));

    public IKeyValueIterator<Windowed<TKey>, TAgg> BackwardFetch(TKey keyFrom, TKey keyTo) => new ListIterator<Windowed<TKey>, TAgg>(Collect(s => s.BackwardFetch(keyFrom, keyTo)));
}
