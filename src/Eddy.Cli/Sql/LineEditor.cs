using System.Text;

namespace Eddy.Cli.Shell;

/// <summary>How a read ended: a line, Ctrl-C (the line is dropped), or the end of input (Ctrl-D).</summary>
internal enum LineStatus { Line, Interrupted, EndOfInput }

internal readonly record struct LineResult(LineStatus Status, string Text);

/// <summary>Where the shell's input comes from: a terminal with line editing, or plain lines.</summary>
internal interface ILineReader
{
    /// <summary>True when keys come from a person at a terminal (prompts, history and completion apply).</summary>
    bool IsInteractive { get; }

    LineResult ReadLine(string prompt);

    void AddHistory(string entry);

    IReadOnlyList<string> History { get; }
}

/// <summary>Lines from a pipe or file: no prompt, no editing.</summary>
internal sealed class PlainLineReader(TextReader input) : ILineReader
{
    private readonly List<string> _history = [];

    public bool IsInteractive => false;

    public IReadOnlyList<string> History => _history;

    public LineResult ReadLine(string prompt) =>
        input.ReadLine() is { } line ? new LineResult(LineStatus.Line, line) : new LineResult(LineStatus.EndOfInput, string.Empty);

    public void AddHistory(string entry) => _history.Add(entry);
}

/// <summary>
/// History kept in a file, one entry per line (a multi-line statement is stored on one line), so that
/// it survives across runs; the newest <see cref="Limit"/> entries are kept.
/// </summary>
internal sealed class LineHistory
{
    public const int Limit = 1000;
    private readonly List<string> _entries = [];
    private readonly string? _path;

    public LineHistory(string? path)
    {
        _path = path;
        if (path is null || !File.Exists(path))
        {
            return;
        }
        try
        {
            _entries.AddRange(File.ReadAllLines(path).Where(l => l.Length > 0).TakeLast(Limit));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable history file must not keep the shell from starting.
        }
    }

    public IReadOnlyList<string> Entries => _entries;

    /// <summary>The default file: ~/.eddy/sql-history.</summary>
    public static string? DefaultPath()
    {
        var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".eddy", "sql-history");
    }

    public void Add(string entry)
    {
        var line = string.Join(' ', entry.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        if (line.Length == 0 || (_entries.Count > 0 && _entries[^1] == line))
        {
            return;
        }
        _entries.Add(line);
        if (_entries.Count > Limit)
        {
            _entries.RemoveRange(0, _entries.Count - Limit);
        }
        if (_path is null)
        {
            return;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            if (_entries.Count == Limit)
            {
                File.WriteAllLines(_path, _entries);
            }
            else
            {
                File.AppendAllLines(_path, [line]);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Losing history is better than failing the statement.
        }
    }
}

/// <summary>
/// A small emacs-style line editor on System.Console: arrows, Home/End, Ctrl-A/E/K/U/W, history with
/// Up/Down (Ctrl-P/N), Tab completion, Ctrl-L to clear, Ctrl-C drops the line, Ctrl-D on an empty
/// line ends input. Lines longer than the terminal wrap; the editor redraws from the prompt's row.
/// </summary>
internal sealed class ConsoleLineEditor(LineHistory history, SqlCompleter completer) : ILineReader
{
    private readonly StringBuilder _buffer = new();
    private string _prompt = string.Empty;
    private int _cursor;
    private int _cursorRow;

    public bool IsInteractive => true;

    public IReadOnlyList<string> History => history.Entries;

    public void AddHistory(string entry) => history.Add(entry);

    public LineResult ReadLine(string prompt)
    {
        _prompt = prompt;
        _buffer.Clear();
        _cursor = 0;
        _cursorRow = 0;
        int historyIndex = history.Entries.Count;
        string draft = string.Empty;
        bool lastWasTab = false;
        bool previous = Console.TreatControlCAsInput;
        // Ctrl-C must arrive as a key here (it clears the line), and as a signal while a query runs.
        Console.TreatControlCAsInput = true;
        try
        {
            Redraw();
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                bool ctrl = (key.Modifiers & ConsoleModifiers.Control) != 0;
                bool isTab = key.Key == ConsoleKey.Tab;
                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        MoveTo(_buffer.Length);
                        Write("\r\n");
                        return new LineResult(LineStatus.Line, _buffer.ToString());
                    case ConsoleKey.C when ctrl:
                        MoveTo(_buffer.Length);
                        Write("^C\r\n");
                        return new LineResult(LineStatus.Interrupted, string.Empty);
                    case ConsoleKey.D when ctrl:
                        if (_buffer.Length == 0)
                        {
                            Write("\r\n");
                            return new LineResult(LineStatus.EndOfInput, string.Empty);
                        }
                        Delete(_cursor, 1);
                        break;
                    case ConsoleKey.Backspace:
                    case ConsoleKey.H when ctrl:
                        if (_cursor > 0)
                        {
                            _cursor--;
                            Delete(_cursor, 1);
                        }
                        break;
                    case ConsoleKey.Delete:
                        Delete(_cursor, 1);
                        break;
                    case ConsoleKey.LeftArrow:
                    case ConsoleKey.B when ctrl:
                        SetCursor(_cursor - 1);
                        break;
                    case ConsoleKey.RightArrow:
                    case ConsoleKey.F when ctrl:
                        SetCursor(_cursor + 1);
                        break;
                    case ConsoleKey.Home:
                    case ConsoleKey.A when ctrl:
                        SetCursor(0);
                        break;
                    case ConsoleKey.End:
                    case ConsoleKey.E when ctrl:
                        SetCursor(_buffer.Length);
                        break;
                    case ConsoleKey.K when ctrl:
                        Delete(_cursor, _buffer.Length - _cursor);
                        break;
                    case ConsoleKey.U when ctrl:
                        int removed = _cursor;
                        _cursor = 0;
                        Delete(0, removed);
                        break;
                    case ConsoleKey.W when ctrl:
                        int start = _cursor;
                        while (start > 0 && char.IsWhiteSpace(_buffer[start - 1]))
                        {
                            start--;
                        }
                        while (start > 0 && !char.IsWhiteSpace(_buffer[start - 1]))
                        {
                            start--;
                        }
                        int count = _cursor - start;
                        _cursor = start;
                        Delete(start, count);
                        break;
                    case ConsoleKey.L when ctrl:
                        Write("\x1b[H\x1b[2J");
                        _cursorRow = 0;
                        Redraw();
                        break;
                    case ConsoleKey.UpArrow:
                    case ConsoleKey.P when ctrl:
                        if (historyIndex > 0)
                        {
                            if (historyIndex == history.Entries.Count)
                            {
                                draft = _buffer.ToString();
                            }
                            historyIndex--;
                            Replace(history.Entries[historyIndex]);
                        }
                        break;
                    case ConsoleKey.DownArrow:
                    case ConsoleKey.N when ctrl:
                        if (historyIndex < history.Entries.Count)
                        {
                            historyIndex++;
                            Replace(historyIndex == history.Entries.Count ? draft : history.Entries[historyIndex]);
                        }
                        break;
                    case ConsoleKey.Tab:
                        Complete(listAll: lastWasTab);
                        break;
                    default:
                        if (key.KeyChar >= ' ' && !ctrl)
                        {
                            _buffer.Insert(_cursor, key.KeyChar);
                            _cursor++;
                            if (_cursor == _buffer.Length && (_prompt.Length + _cursor) % Width != 0)
                            {
                                // Typing at the end of a line needs no redraw (it keeps a slow terminal smooth).
                                Write(key.KeyChar.ToString());
                            }
                            else
                            {
                                Redraw();
                            }
                        }
                        break;
                }
                lastWasTab = isTab;
            }
        }
        finally
        {
            Console.TreatControlCAsInput = previous;
        }
    }

    private static int Width => Math.Max(10, Console.IsOutputRedirected ? 80 : Console.WindowWidth);

    private void Complete(bool listAll)
    {
        var text = _buffer.ToString();
        var candidates = completer.Complete(text, _cursor, out int wordStart);
        if (candidates.Count == 0)
        {
            return;
        }
        string word = text[wordStart.._cursor];
        // Tab again after a completion (an empty word): show the choices instead of inserting once more.
        if (word.Length == 0 && listAll)
        {
            ListCandidates(candidates);
            return;
        }
        string insert = candidates.Count == 1 ? candidates[0] + " " : SqlCompleter.CommonPrefix(candidates);
        if (insert.TrimEnd().Length > word.Length || (candidates.Count == 1 && insert.TrimEnd() != word))
        {
            _buffer.Remove(wordStart, word.Length).Insert(wordStart, insert);
            _cursor = wordStart + insert.Length;
            Redraw();
            return;
        }
        if (candidates.Count == 1)
        {
            _buffer.Insert(_cursor, ' ');
            _cursor++;
            Redraw();
            return;
        }
        if (!listAll && candidates.Count > 1)
        {
            Write("\a");
            return;
        }
        ListCandidates(candidates);
    }

    /// <summary>Shows the choices under the line, then draws the line again.</summary>
    private void ListCandidates(IReadOnlyList<string> candidates)
    {
        MoveTo(_buffer.Length);
        Write("\r\n");
        int column = candidates.Max(c => c.Length) + 2;
        int perLine = Math.Max(1, Width / column);
        for (int i = 0; i < candidates.Count; i++)
        {
            Write(candidates[i].PadRight(column));
            if ((i + 1) % perLine == 0 || i == candidates.Count - 1)
            {
                Write("\r\n");
            }
        }
        _cursorRow = 0;
        Redraw();
    }

    private void Delete(int index, int count)
    {
        if (count <= 0 || index >= _buffer.Length)
        {
            return;
        }
        _buffer.Remove(index, Math.Min(count, _buffer.Length - index));
        Redraw();
    }

    private void Replace(string text)
    {
        _buffer.Clear().Append(text);
        _cursor = _buffer.Length;
        Redraw();
    }

    private void SetCursor(int position)
    {
        position = Math.Clamp(position, 0, _buffer.Length);
        if (position != _cursor)
        {
            MoveTo(position);
        }
    }

    /// <summary>Redraws prompt and buffer from the prompt's first row, then puts the cursor back.</summary>
    private void Redraw()
    {
        var sb = new StringBuilder();
        if (_cursorRow > 0)
        {
            sb.Append("\x1b[").Append(_cursorRow).Append('A');
        }
        sb.Append('\r').Append("\x1b[J").Append(_prompt).Append(_buffer);
        int end = _prompt.Length + _buffer.Length;
        if (end > 0 && end % Width == 0)
        {
            // The terminal waits at the right margin; a space and CR settle it at the next row's start.
            sb.Append(" \r");
        }
        Write(sb.ToString());
        _cursorRow = end / Width;
        MoveTo(_cursor);
    }

    private void MoveTo(int position)
    {
        int width = Width;
        int target = _prompt.Length + position;
        int row = target / width;
        var sb = new StringBuilder();
        if (row < _cursorRow)
        {
            sb.Append("\x1b[").Append(_cursorRow - row).Append('A');
        }
        else if (row > _cursorRow)
        {
            sb.Append("\x1b[").Append(row - _cursorRow).Append('B');
        }
        sb.Append('\r');
        if (target % width > 0)
        {
            sb.Append("\x1b[").Append(target % width).Append('C');
        }
        Write(sb.ToString());
        _cursorRow = row;
        _cursor = position;
    }

    private static void Write(string text)
    {
        Console.Out.Write(text);
        Console.Out.Flush();
    }
}
