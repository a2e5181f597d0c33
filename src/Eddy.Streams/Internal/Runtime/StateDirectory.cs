using System.Globalization;
using System.Text;
using Eddy.Streams.Errors;

namespace Eddy.Streams.Internal.Runtime;

/// <summary>
/// Local state of one application instance: <c>{state.dir}/{application.id}/{taskId}/</c> with a Kafka-format
/// <c>.checkpoint</c> file per task and, for key-value stores, a snapshot per changelog partition. The instance holds
/// <c>.lock</c> exclusively so two instances cannot share a directory; task directories are handed between the
/// instance's threads through an in-process lock.
/// </summary>
internal sealed class StateDirectory : IDisposable
{
    private readonly Dictionary<TaskId, object> _taskLocks = [];
    private FileStream? _lock;

    public StateDirectory(string stateDir, string applicationId)
    {
        AppDir = Path.Combine(stateDir, applicationId);
    }

    public string AppDir { get; }

    public void LockInstance()
    {
        Directory.CreateDirectory(AppDir);
        try
        {
            _lock = new FileStream(Path.Combine(AppDir, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StreamsException($"State directory {AppDir} is in use by another instance of the application; give each instance its own state.dir.", e);
        }
    }

    public string TaskDir(TaskId task) => Path.Combine(AppDir, task.ToString());

    public bool TryLockTask(TaskId task, object owner)
    {
        lock (_taskLocks)
        {
            if (_taskLocks.TryGetValue(task, out var o) && !ReferenceEquals(o, owner))
            {
                return false;
            }
            _taskLocks[task] = owner;
            return true;
        }
    }

    public void UnlockTask(TaskId task, object owner)
    {
        lock (_taskLocks)
        {
            if (_taskLocks.TryGetValue(task, out var o) && ReferenceEquals(o, owner))
            {
                _taskLocks.Remove(task);
            }
        }
    }

    /// <summary>Offset sums of every task with a checkpoint on disk (for the subscription).</summary>
    public Dictionary<TaskId, long> OffsetSumsOnDisk()
    {
        var result = new Dictionary<TaskId, long>();
        if (!Directory.Exists(AppDir))
        {
            return result;
        }
        foreach (var dir in Directory.GetDirectories(AppDir))
        {
            TaskId id;
            try
            {
                id = TaskId.Parse(Path.GetFileName(dir));
            }
            catch (FormatException)
            {
                continue;
            }
            var cp = ReadCheckpoint(Path.Combine(dir, ".checkpoint"));
            if (cp.Count > 0)
            {
                result[id] = cp.Values.Sum();
            }
        }
        return result;
    }

    /// <summary>Deletes all local state (KafkaStreams.CleanUp).</summary>
    public void CleanUp()
    {
        if (!Directory.Exists(AppDir))
        {
            return;
        }
        foreach (var dir in Directory.GetDirectories(AppDir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Reads Kafka's checkpoint format: version 0, a count, then "topic partition offset" lines.</summary>
    public static Dictionary<TopicPartition, long> ReadCheckpoint(string path)
    {
        var result = new Dictionary<TopicPartition, long>();
        if (!File.Exists(path))
        {
            return result;
        }
        try
        {
            var lines = File.ReadAllLines(path);
            if (lines.Length < 2 || lines[0].Trim() != "0")
            {
                return result;
            }
            var n = int.Parse(lines[1], CultureInfo.InvariantCulture);
            for (var i = 0; i < n && i + 2 < lines.Length; i++)
            {
                var parts = lines[i + 2].Split(' ');
                if (parts.Length == 3)
                {
                    result[new TopicPartition(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture))] = long.Parse(parts[2], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is FormatException or IOException or OverflowException)
        {
            result.Clear();
        }
        return result;
    }

    public static void WriteCheckpoint(string path, IReadOnlyDictionary<TopicPartition, long> offsets)
    {
        var sb = new StringBuilder();
        sb.Append("0\n").Append(offsets.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (tp, o) in offsets)
        {
            sb.Append(tp.Topic).Append(' ').Append(tp.Partition.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(o.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, sb.ToString());
        File.Move(tmp, path, overwrite: true);
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
