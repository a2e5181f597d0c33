using System.Diagnostics;

namespace Eddy.Protocol.Tests.Compression;

/// <summary>
/// Runs the reference implementations that scripts/bootstrap.sh installs for tests (Debian packages
/// zstd, lz4, python3-lz4, python3-snappy, python3-kafka) to produce and check known answers.
/// </summary>
internal static class ExternalTools
{
    /// <summary>Debian's interpreter: the python3-* packages install there, not into other Pythons on PATH.</summary>
    public const string Python = "/usr/bin/python3";

    public static byte[] Run(string fileName, string arguments, byte[] input)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{fileName} is missing; run scripts/bootstrap.sh test", e);
        }

        using (process)
        {
            Task writer = Task.Run(() =>
            {
                process.StandardInput.BaseStream.Write(input);
                process.StandardInput.Close();
            });
            Task<string> errors = process.StandardError.ReadToEndAsync();
            var output = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(output);
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} {arguments} did not finish");
            }

            writer.Wait();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{fileName} {arguments} exited with {process.ExitCode}: {errors.Result}");
            }

            return output.ToArray();
        }
    }

    /// <summary>
    /// Runs one Python function over many inputs in one process. The script gets <c>ops</c>, a list of
    /// (name, bytes) pairs, and must return a list of bytes; framing is 4-byte big-endian lengths.
    /// </summary>
    public static List<byte[]> Python3(string functionBody, IReadOnlyList<(string Op, byte[] Data)> calls)
    {
        const string Harness = """
            import sys, struct
            def read_all():
                data = sys.stdin.buffer.read()
                pos = 0
                calls = []
                while pos < len(data):
                    n = struct.unpack_from('>I', data, pos)[0]; pos += 4
                    op = data[pos:pos+n].decode(); pos += n
                    n = struct.unpack_from('>I', data, pos)[0]; pos += 4
                    calls.append((op, data[pos:pos+n])); pos += n
                return calls
            """;
        string script = Harness + "\n" + functionBody + "\nout = sys.stdout.buffer\nfor op, data in read_all():\n    r = run(op, data)\n    out.write(struct.pack('>I', len(r))); out.write(r)\n";
        var input = new MemoryStream();
        foreach ((string op, byte[] data) in calls)
        {
            byte[] name = System.Text.Encoding.ASCII.GetBytes(op);
            WriteLength(input, name.Length);
            input.Write(name);
            WriteLength(input, data.Length);
            input.Write(data);
        }

        string path = Path.Combine(Path.GetTempPath(), $"eddy-codec-{Guid.NewGuid():N}.py");
        File.WriteAllText(path, script);
        try
        {
            byte[] output = Run(Python, path, input.ToArray());
            var results = new List<byte[]>();
            int position = 0;
            while (position < output.Length)
            {
                int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(output.AsSpan(position));
                results.Add(output.AsSpan(position + 4, length).ToArray());
                position += 4 + length;
            }

            return results;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void WriteLength(Stream stream, int length)
    {
        Span<byte> bytes = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes, length);
        stream.Write(bytes);
    }
}
