using System.Diagnostics;
using System.Text;

namespace Eddy.Compatibility.Tests.Infrastructure;

/// <summary>
/// A long-running peer whose every output line is kept, so a test can wait (with a deadline) for a
/// line that matches; stdin can be written and closed to tell the peer to finish.
/// </summary>
internal sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _changed = new(0, int.MaxValue);

    public PeerProcess(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Peers.RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_lines)
                {
                    _lines.Add(e.Data);
                }
            }

            _changed.Release();
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }

                _changed.Release();
            }
        };
        _process.Exited += (_, _) => _changed.Release();
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public List<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Errors
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public override string ToString() => $"stdout:\n{string.Join('\n', Lines.TakeLast(40))}\nstderr:\n{Errors[Math.Max(0, Errors.Length - 4000)..]}";

    /// <summary>Waits until <paramref name="condition"/> holds over the output lines (and stderr), or fails at the deadline.</summary>
    public async Task WaitUntilAsync(Func<List<string>, string, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (condition(Lines, Errors))
            {
                return;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"timed out waiting for {what}\n{this}");
            }

            if (_process.HasExited && !condition(Lines, Errors))
            {
                // Give the output readers a moment to drain, then decide.
                await _process.WaitForExitAsync();
                if (condition(Lines, Errors))
                {
                    return;
                }

                throw new InvalidOperationException($"peer exited ({_process.ExitCode}) before {what}\n{this}");
            }

            await _changed.WaitAsync(left < TimeSpan.FromMilliseconds(500) ? left : TimeSpan.FromMilliseconds(500));
        }
    }

    public Task WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what) =>
        WaitUntilAsync((lines, _) => lines.Exists(l => match(l)), timeout, what);

    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits for the peer to exit by itself; kills it at the deadline.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            throw new TimeoutException($"peer did not exit within {timeout}\n{this}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL, no chance to clean up (the crash test).</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        _changed.Dispose();
    }
}
