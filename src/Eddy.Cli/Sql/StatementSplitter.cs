using System.Text;

namespace Eddy.Cli.Shell;

/// <summary>
/// Cuts SQL text into statements at each ';' that is outside quotes and comments. The shell uses it
/// to know when a multi-line statement is complete, and to run scripts one statement at a time
/// (so that a failure names the statement and stops the script).
/// </summary>
internal static class StatementSplitter
{
    /// <summary>The result of a split: the complete statements (each ending in ';') and the unfinished tail.</summary>
    public readonly record struct Result(IReadOnlyList<string> Statements, string Remainder)
    {
        /// <summary>True when the tail holds no SQL (only whitespace and comments), so nothing is pending.</summary>
        public bool IsComplete => IsBlank(Remainder);
    }

    private enum State { Code, SingleQuote, DoubleQuote, Backtick, LineComment, BlockComment }

    public static Result Split(string text)
    {
        var statements = new List<string>();
        var state = State.Code;
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            char next = i + 1 < text.Length ? text[i + 1] : '\0';
            switch (state)
            {
                case State.Code:
                    if (c == '\'')
                    {
                        state = State.SingleQuote;
                    }
                    else if (c == '"')
                    {
                        state = State.DoubleQuote;
                    }
                    else if (c == '`')
                    {
                        state = State.Backtick;
                    }
                    else if (c == '-' && next == '-')
                    {
                        state = State.LineComment;
                        i++;
                    }
                    else if (c == '/' && next == '*')
                    {
                        state = State.BlockComment;
                        i++;
                    }
                    else if (c == ';')
                    {
                        var statement = text[start..(i + 1)].Trim();
                        if (!IsBlank(statement[..^1]))
                        {
                            statements.Add(statement);
                        }
                        start = i + 1;
                    }
                    break;
                case State.SingleQuote:
                    // '' inside a string is an escaped quote: the second one reopens the string at once.
                    if (c == '\'')
                    {
                        state = State.Code;
                    }
                    break;
                case State.DoubleQuote:
                    if (c == '"')
                    {
                        state = State.Code;
                    }
                    break;
                case State.Backtick:
                    if (c == '`')
                    {
                        state = State.Code;
                    }
                    break;
                case State.LineComment:
                    if (c == '\n')
                    {
                        state = State.Code;
                    }
                    break;
                case State.BlockComment:
                    if (c == '*' && next == '/')
                    {
                        state = State.Code;
                        i++;
                    }
                    break;
            }
        }
        return new Result(statements, text[start..]);
    }

    /// <summary>True when the text is only whitespace and complete comments (an open /* means more is coming).</summary>
    public static bool IsBlank(string text)
    {
        var state = State.Code;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            char next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (state == State.LineComment)
            {
                state = c == '\n' ? State.Code : state;
            }
            else if (state == State.BlockComment)
            {
                if (c == '*' && next == '/')
                {
                    state = State.Code;
                    i++;
                }
            }
            else if (c == '-' && next == '-')
            {
                state = State.LineComment;
                i++;
            }
            else if (c == '/' && next == '*')
            {
                state = State.BlockComment;
                i++;
            }
            else if (!char.IsWhiteSpace(c))
            {
                return false;
            }
        }
        return state != State.BlockComment;
    }

    /// <summary>The text without its comments, quotes left intact; used to recognise a statement's first words.</summary>
    public static string StripComments(string text)
    {
        var sb = new StringBuilder(text.Length);
        var state = State.Code;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            char next = i + 1 < text.Length ? text[i + 1] : '\0';
            switch (state)
            {
                case State.Code when c == '-' && next == '-':
                    state = State.LineComment;
                    i++;
                    continue;
                case State.Code when c == '/' && next == '*':
                    state = State.BlockComment;
                    sb.Append(' ');
                    i++;
                    continue;
                case State.Code when c == '\'':
                    state = State.SingleQuote;
                    break;
                case State.Code when c == '"':
                    state = State.DoubleQuote;
                    break;
                case State.Code when c == '`':
                    state = State.Backtick;
                    break;
                case State.SingleQuote when c == '\'':
                case State.DoubleQuote when c == '"':
                case State.Backtick when c == '`':
                    state = State.Code;
                    break;
                case State.LineComment:
                    if (c == '\n')
                    {
                        state = State.Code;
                        sb.Append('\n');
                    }
                    continue;
                case State.BlockComment:
                    if (c == '*' && next == '/')
                    {
                        state = State.Code;
                        i++;
                    }
                    continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>The first words of a statement, upper-cased, with comments removed.</summary>
    public static string[] LeadingWords(string statement, int count)
    {
        var words = StripComments(statement).Split((char[])[' ', '\t', '\r', '\n', ';', '('], count + 1, StringSplitOptions.RemoveEmptyEntries);
        return [.. words.Take(count).Select(w => w.ToUpperInvariant())];
    }
}
