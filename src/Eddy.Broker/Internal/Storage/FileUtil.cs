namespace Eddy.Broker.Internal.Storage;

/// <summary>Small durable-file helpers.</summary>
internal static class FileUtil
{
    /// <summary>Writes a file so that a crash leaves either the old or the new content: temp file, fsync, rename.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        string temp = path + ".tmp";
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, content, 0);
            RandomAccess.FlushToDisk(handle);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes text atomically (UTF-8).</summary>
    public static void WriteAtomically(string path, string content) =>
        WriteAtomically(path, System.Text.Encoding.UTF8.GetBytes(content));
}
