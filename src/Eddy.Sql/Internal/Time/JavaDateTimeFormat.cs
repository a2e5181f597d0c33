using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Eddy.Sql.Internal.Time;

/// <summary>
/// Java's DateTimeFormatter pattern language (the patterns ksqlDB functions and TIMESTAMP_FORMAT
/// take): letters y u M L d D E a h H k K m s S n A V z O X x Z, quoted text, '' and [optional]
/// sections. Parsing fills missing fields from defaults (1970-01-01T00:00) as ksqlDB does.
/// </summary>
internal sealed class JavaDateTimeFormat
{
    private static readonly ConcurrentDictionary<string, JavaDateTimeFormat> Cache = new(StringComparer.Ordinal);
    private static readonly string[] ShortMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] LongMonths = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] ShortDays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    private static readonly string[] LongDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    private readonly List<Item> _items;

    private JavaDateTimeFormat(string pattern)
    {
        Pattern = pattern;
        var pos = 0;
        _items = ParseItems(pattern, ref pos, nested: false);
    }

    public string Pattern { get; }

    public static JavaDateTimeFormat Of(string pattern)
    {
        if (Cache.TryGetValue(pattern, out var f))
        {
            return f;
        }

        f = new JavaDateTimeFormat(pattern);
        if (Cache.Count < 1000)
        {
            Cache[pattern] = f;
        }

        return f;
    }

    private abstract record Item;

    private sealed record Literal(string Text) : Item;

    private sealed record Field(char Letter, int Count) : Item;

    private sealed record Optional(List<Item> Items) : Item;

    private static List<Item> ParseItems(string p, ref int pos, bool nested)
    {
        var items = new List<Item>();
        while (pos < p.Length)
        {
            var c = p[pos];
            if (c == '[')
            {
                pos++;
                items.Add(new Optional(ParseItems(p, ref pos, nested: true)));
            }
            else if (c == ']')
            {
                if (!nested)
                {
                    throw new FormatException($"Unknown pattern '{p}': ']' without '['.");
                }

                pos++;
                return items;
            }
            else if (c == '\'')
            {
                pos++;
                var sb = new StringBuilder();
                if (pos < p.Length && p[pos] == '\'')
                {
                    items.Add(new Literal("'"));
                    pos++;
                    continue;
                }

                while (true)
                {
                    if (pos >= p.Length)
                    {
                        throw new FormatException($"Unknown pattern '{p}': unterminated quote.");
                    }

                    if (p[pos] == '\'')
                    {
                        if (pos + 1 < p.Length && p[pos + 1] == '\'')
                        {
                            sb.Append('\'');
                            pos += 2;
                            continue;
                        }

                        pos++;
                        break;
                    }

                    sb.Append(p[pos++]);
                }

                items.Add(new Literal(sb.ToString()));
            }
            else if (char.IsAsciiLetter(c))
            {
                var start = pos;
                while (pos < p.Length && p[pos] == c)
                {
                    pos++;
                }

                if ("GuyDMLdQqYwWEecFaBhKkHmsSAnNVvzOXxZp".IndexOf(c, StringComparison.Ordinal) < 0)
                {
                    throw new FormatException($"Unknown pattern letter: {c}");
                }

                items.Add(new Field(c, pos - start));
            }
            else if (c is '#' or '{' or '}')
            {
                throw new FormatException($"Pattern includes reserved character: '{c}'");
            }
            else
            {
                items.Add(new Literal(c.ToString()));
                pos++;
            }
        }

        if (nested)
        {
            throw new FormatException($"Unknown pattern '{p}': '[' without ']'.");
        }

        return items;
    }

    // ---- formatting ------------------------------------------------------------------------

    /// <summary>Formats a local date-time with an offset and zone (for zone fields).</summary>
    public string Format(DateTime local, TimeSpan offset, string zoneId)
    {
        var sb = new StringBuilder(Pattern.Length + 8);
        FormatItems(sb, _items, local, offset, zoneId);
        return sb.ToString();
    }

    private static void FormatItems(StringBuilder sb, List<Item> items, DateTime t, TimeSpan offset, string zoneId)
    {
        foreach (var item in items)
        {
            switch (item)
            {
                case Literal l:
                    sb.Append(l.Text);
                    break;
                case Optional o:
                    FormatItems(sb, o.Items, t, offset, zoneId);
                    break;
                case Field f:
                    FormatField(sb, f, t, offset, zoneId);
                    break;
            }
        }
    }

    private static void FormatField(StringBuilder sb, Field f, DateTime t, TimeSpan offset, string zoneId)
    {
        var n = f.Count;
        switch (f.Letter)
        {
            case 'y':
            case 'u':
            case 'Y':
                if (n == 2)
                {
                    Pad(sb, t.Year % 100, 2);
                }
                else
                {
                    Pad(sb, t.Year, n);
                }

                break;
            case 'M':
            case 'L':
                if (n >= 4)
                {
                    sb.Append(LongMonths[t.Month - 1]);
                }
                else if (n == 3)
                {
                    sb.Append(ShortMonths[t.Month - 1]);
                }
                else
                {
                    Pad(sb, t.Month, n);
                }

                break;
            case 'd':
                Pad(sb, t.Day, n);
                break;
            case 'D':
                Pad(sb, t.DayOfYear, n);
                break;
            case 'E':
            case 'e':
            case 'c':
            {
                var dow = ((int)t.DayOfWeek + 6) % 7;
                if ((f.Letter is 'e' or 'c') && n <= 2)
                {
                    Pad(sb, ((int)t.DayOfWeek % 7) + 1, n);
                }
                else
                {
                    sb.Append(n >= 4 ? LongDays[dow] : ShortDays[dow]);
                }

                break;
            }

            case 'Q':
            case 'q':
                Pad(sb, ((t.Month - 1) / 3) + 1, n);
                break;
            case 'w':
                Pad(sb, ISOWeek.GetWeekOfYear(t), n);
                break;
            case 'a':
                sb.Append(t.Hour < 12 ? "AM" : "PM");
                break;
            case 'h':
                Pad(sb, t.Hour % 12 == 0 ? 12 : t.Hour % 12, n);
                break;
            case 'K':
                Pad(sb, t.Hour % 12, n);
                break;
            case 'k':
                Pad(sb, t.Hour == 0 ? 24 : t.Hour, n);
                break;
            case 'H':
                Pad(sb, t.Hour, n);
                break;
            case 'm':
                Pad(sb, t.Minute, n);
                break;
            case 's':
                Pad(sb, t.Second, n);
                break;
            case 'S':
            {
                var nanos = (t.Ticks % TimeSpan.TicksPerSecond) * 100;
                var digits = nanos.ToString("D9", CultureInfo.InvariantCulture);
                sb.Append(n <= 9 ? digits[..n] : digits + new string('0', n - 9));
                break;
            }

            case 'n':
                Pad(sb, (int)((t.Ticks % TimeSpan.TicksPerSecond) * 100), n);
                break;
            case 'A':
                Pad(sb, (int)(t.TimeOfDay.Ticks / TimeSpan.TicksPerMillisecond), n);
                break;
            case 'N':
                sb.Append((t.TimeOfDay.Ticks * 100).ToString(CultureInfo.InvariantCulture));
                break;
            case 'V':
                sb.Append(zoneId);
                break;
            case 'z':
            case 'v':
                sb.Append(offset == TimeSpan.Zero && zoneId is "UTC" or "Z" or "Etc/UTC" ? "UTC" : zoneId.Contains('/', StringComparison.Ordinal) ? zoneId : FormatOffset(offset, ":", withSeconds: false, zeroText: "Z"));
                break;
            case 'O':
                sb.Append(offset == TimeSpan.Zero ? "GMT" : "GMT" + (offset < TimeSpan.Zero ? "-" : "+") + (n == 4 ? Math.Abs(offset.Hours).ToString("D2", CultureInfo.InvariantCulture) + ":" + Math.Abs(offset.Minutes).ToString("D2", CultureInfo.InvariantCulture) : Math.Abs(offset.Hours).ToString(CultureInfo.InvariantCulture) + (offset.Minutes != 0 ? ":" + Math.Abs(offset.Minutes).ToString("D2", CultureInfo.InvariantCulture) : string.Empty)));
                break;
            case 'X':
            case 'x':
            {
                var zero = f.Letter == 'X' ? "Z" : null;
                sb.Append(n switch
                {
                    1 => offset == TimeSpan.Zero && zero is not null ? zero : Sign(offset) + Two(offset.Hours) + (offset.Minutes != 0 ? Two(offset.Minutes) : string.Empty),
                    2 or 4 => offset == TimeSpan.Zero && zero is not null ? zero : FormatOffset(offset, string.Empty, n == 4, null),
                    _ => offset == TimeSpan.Zero && zero is not null ? zero : FormatOffset(offset, ":", n == 5, null),
                });
                break;
            }

            case 'Z':
                sb.Append(n switch
                {
                    <= 3 => FormatOffset(offset, string.Empty, false, null),
                    4 => offset == TimeSpan.Zero ? "GMT" : "GMT" + FormatOffset(offset, ":", false, null),
                    _ => FormatOffset(offset, ":", false, "Z"),
                });
                break;
            case 'G':
                sb.Append(n == 4 ? "Anno Domini" : "AD");
                break;
            default:
                throw new FormatException($"Unsupported pattern letter for formatting: {f.Letter}");
        }
    }

    private static string Sign(TimeSpan offset) => offset < TimeSpan.Zero ? "-" : "+";

    private static string Two(int v) => Math.Abs(v).ToString("D2", CultureInfo.InvariantCulture);

    private static string FormatOffset(TimeSpan offset, string separator, bool withSeconds, string? zeroText)
    {
        if (offset == TimeSpan.Zero && zeroText is not null)
        {
            return zeroText;
        }

        var s = Sign(offset) + Two(offset.Hours) + separator + Two(offset.Minutes);
        if (withSeconds && offset.Seconds != 0)
        {
            s += separator + Two(offset.Seconds);
        }

        return s;
    }

    private static void Pad(StringBuilder sb, int value, int width)
    {
        if (value < 0)
        {
            sb.Append('-');
            value = -value;
        }

        var s = value.ToString(CultureInfo.InvariantCulture);
        if (s.Length < width)
        {
            sb.Append('0', width - s.Length);
        }

        sb.Append(s);
    }

    // ---- parsing ---------------------------------------------------------------------------

    /// <summary>The fields a parse found.</summary>
    internal sealed class Parsed
    {
        public int? Year;
        public bool TwoDigitYear;
        public int? Month;
        public int? Day;
        public int? DayOfYear;
        public int? Hour;
        public int? Hour12;
        public bool? Pm;
        public int? Minute;
        public int? Second;
        public long? Nanos;
        public long? MilliOfDay;
        public TimeSpan? Offset;
        public TimeZoneInfo? Zone;

        public Parsed Clone() => (Parsed)MemberwiseClone();
    }

    /// <summary>Parses text completely; throws <see cref="FormatException"/> when it does not match.</summary>
    public Parsed Parse(string text)
    {
        var state = new Parsed();
        var pos = 0;
        if (!ParseItems(_items, 0, text, ref pos, state) || pos != text.Length)
        {
            throw new FormatException($"Text '{text}' could not be parsed with the pattern '{Pattern}'" + (pos < text.Length ? $", unparsed text found at index {pos}" : string.Empty));
        }

        return state;
    }

    private static bool ParseItems(List<Item> items, int index, string text, ref int pos, Parsed state)
    {
        for (var i = index; i < items.Count; i++)
        {
            switch (items[i])
            {
                case Literal l:
                    if (string.CompareOrdinal(text, pos, l.Text, 0, l.Text.Length) != 0 && !(l.Text == " " && pos < text.Length && char.IsWhiteSpace(text[pos])))
                    {
                        return false;
                    }

                    pos += l.Text.Length;
                    break;
                case Optional o:
                {
                    var savePos = pos;
                    var saveState = state.Clone();
                    var tryPos = pos;
                    if (ParseItems(o.Items, 0, text, ref tryPos, state))
                    {
                        pos = tryPos;
                    }
                    else
                    {
                        pos = savePos;
                        Restore(state, saveState);
                    }

                    break;
                }

                case Field f:
                {
                    var nextIsNumeric = i + 1 < items.Count && items[i + 1] is Field nf && IsNumeric(nf);
                    if (!ParseField(f, text, ref pos, state, nextIsNumeric))
                    {
                        return false;
                    }

                    break;
                }
            }
        }

        return true;
    }

    private static void Restore(Parsed target, Parsed source)
    {
        target.Year = source.Year;
        target.TwoDigitYear = source.TwoDigitYear;
        target.Month = source.Month;
        target.Day = source.Day;
        target.DayOfYear = source.DayOfYear;
        target.Hour = source.Hour;
        target.Hour12 = source.Hour12;
        target.Pm = source.Pm;
        target.Minute = source.Minute;
        target.Second = source.Second;
        target.Nanos = source.Nanos;
        target.MilliOfDay = source.MilliOfDay;
        target.Offset = source.Offset;
        target.Zone = source.Zone;
    }

    private static bool IsNumeric(Field f) => f.Letter switch
    {
        'M' or 'L' => f.Count <= 2,
        'E' or 'a' or 'V' or 'z' or 'v' or 'O' or 'X' or 'x' or 'Z' or 'G' => false,
        _ => true,
    };

    private static bool ReadNumber(string text, ref int pos, int min, int max, out long value)
    {
        value = 0;
        var start = pos;
        var negative = false;
        if (pos < text.Length && (text[pos] == '-' || text[pos] == '+') && max > 4)
        {
            negative = text[pos] == '-';
            pos++;
        }

        var digitsStart = pos;
        while (pos < text.Length && pos - digitsStart < max && char.IsAsciiDigit(text[pos]))
        {
            value = (value * 10) + (text[pos] - '0');
            pos++;
        }

        if (pos - digitsStart < min)
        {
            pos = start;
            return false;
        }

        if (negative)
        {
            value = -value;
        }

        return true;
    }

    private static bool ParseField(Field f, string text, ref int pos, Parsed s, bool adjacentNumeric)
    {
        var n = f.Count;
        int Min(int fixedWidth) => n >= 2 || adjacentNumeric ? Math.Max(n, fixedWidth) : 1;
        long v;
        switch (f.Letter)
        {
            case 'y':
            case 'u':
            case 'Y':
                if (n == 2)
                {
                    if (!ReadNumber(text, ref pos, 2, 2, out v))
                    {
                        return false;
                    }

                    s.Year = (int)(2000 + v);
                    s.TwoDigitYear = true;
                    return true;
                }

                if (!ReadNumber(text, ref pos, n, adjacentNumeric ? n : 10, out v))
                {
                    return false;
                }

                s.Year = (int)v;
                return true;
            case 'M':
            case 'L':
                if (n >= 3)
                {
                    var names = n >= 4 ? LongMonths : ShortMonths;
                    for (var i = 0; i < 12; i++)
                    {
                        if (string.Compare(text, pos, names[i], 0, names[i].Length, StringComparison.OrdinalIgnoreCase) == 0)
                        {
                            s.Month = i + 1;
                            pos += names[i].Length;
                            return true;
                        }
                    }

                    return false;
                }

                return Number(text, ref pos, n == 2 ? 2 : 1, n == 2 ? 2 : (adjacentNumeric ? 1 : 2), v2 => s.Month = v2);
            case 'd':
                return Number(text, ref pos, n == 2 ? 2 : 1, n == 2 ? 2 : (adjacentNumeric ? 1 : 2), v2 => s.Day = v2);
            case 'D':
                return Number(text, ref pos, n, n >= 3 ? n : 3, v2 => s.DayOfYear = v2);
            case 'E':
            {
                var names = n >= 4 ? LongDays : ShortDays;
                foreach (var name in names)
                {
                    if (string.Compare(text, pos, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0)
                    {
                        pos += name.Length;
                        return true;
                    }
                }

                return false;
            }

            case 'e':
            case 'c':
            case 'Q':
            case 'q':
            case 'w':
            case 'W':
            case 'F':
                return ReadNumber(text, ref pos, n, Math.Max(n, 2), out _);
            case 'a':
                if (string.Compare(text, pos, "AM", 0, 2, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    s.Pm = false;
                }
                else if (string.Compare(text, pos, "PM", 0, 2, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    s.Pm = true;
                }
                else
                {
                    return false;
                }

                pos += 2;
                return true;
            case 'h':
                return Number(text, ref pos, n == 2 ? 2 : 1, 2, v2 => s.Hour12 = v2 % 12);
            case 'K':
                return Number(text, ref pos, n == 2 ? 2 : 1, 2, v2 => s.Hour12 = v2);
            case 'k':
                return Number(text, ref pos, n == 2 ? 2 : 1, 2, v2 => s.Hour = v2 % 24);
            case 'H':
                return Number(text, ref pos, Min(2) == 1 ? 1 : 2, n == 2 || adjacentNumeric ? 2 : 2, v2 => s.Hour = v2);
            case 'm':
                return Number(text, ref pos, Min(2) == 1 ? 1 : 2, 2, v2 => s.Minute = v2);
            case 's':
                return Number(text, ref pos, Min(2) == 1 ? 1 : 2, 2, v2 => s.Second = v2);
            case 'S':
            {
                var start = pos;
                while (pos < text.Length && pos - start < n && char.IsAsciiDigit(text[pos]))
                {
                    pos++;
                }

                if (pos - start != n)
                {
                    pos = start;
                    return false;
                }

                var digits = text[start..pos];
                var nanosText = digits.Length >= 9 ? digits[..9] : digits.PadRight(9, '0');
                s.Nanos = long.Parse(nanosText, CultureInfo.InvariantCulture);
                return true;
            }

            case 'n':
                if (!ReadNumber(text, ref pos, 1, 9, out v))
                {
                    return false;
                }

                s.Nanos = v;
                return true;
            case 'A':
                if (!ReadNumber(text, ref pos, 1, 9, out v))
                {
                    return false;
                }

                s.MilliOfDay = v;
                return true;
            case 'N':
                if (!ReadNumber(text, ref pos, 1, 15, out v))
                {
                    return false;
                }

                s.MilliOfDay = v / 1_000_000;
                return true;
            case 'V':
            case 'z':
            case 'v':
                return ParseZone(text, ref pos, s);
            case 'O':
            {
                if (string.CompareOrdinal(text, pos, "GMT", 0, 3) != 0)
                {
                    return false;
                }

                pos += 3;
                if (pos < text.Length && (text[pos] == '+' || text[pos] == '-'))
                {
                    return ParseOffset(text, ref pos, s, allowZ: false, requireColon: false);
                }

                s.Offset = TimeSpan.Zero;
                return true;
            }

            case 'X':
                return ParseOffset(text, ref pos, s, allowZ: true, requireColon: n >= 3);
            case 'x':
                return ParseOffset(text, ref pos, s, allowZ: false, requireColon: n >= 3);
            case 'Z':
                if (n == 4 && string.CompareOrdinal(text, pos, "GMT", 0, 3) == 0)
                {
                    pos += 3;
                    if (pos >= text.Length || (text[pos] != '+' && text[pos] != '-'))
                    {
                        s.Offset = TimeSpan.Zero;
                        return true;
                    }
                }

                return ParseOffset(text, ref pos, s, allowZ: n == 5, requireColon: n == 5);
            case 'G':
                foreach (var era in new[] { "Anno Domini", "AD", "BC" })
                {
                    if (string.CompareOrdinal(text, pos, era, 0, era.Length) == 0)
                    {
                        pos += era.Length;
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private static bool Number(string text, ref int pos, int min, int max, Action<int> set)
    {
        if (!ReadNumber(text, ref pos, min, Math.Max(min, max), out var v))
        {
            return false;
        }

        set((int)v);
        return true;
    }

    private static bool ParseOffset(string text, ref int pos, Parsed s, bool allowZ, bool requireColon)
    {
        if (pos < text.Length && text[pos] == 'Z' && allowZ)
        {
            pos++;
            s.Offset = TimeSpan.Zero;
            return true;
        }

        if (pos >= text.Length || (text[pos] != '+' && text[pos] != '-'))
        {
            return false;
        }

        var sign = text[pos] == '-' ? -1 : 1;
        var start = pos;
        pos++;
        if (!ReadNumber(text, ref pos, 1, 2, out var hours))
        {
            pos = start;
            return false;
        }

        long minutes = 0;
        if (pos < text.Length && text[pos] == ':')
        {
            pos++;
            if (!ReadNumber(text, ref pos, 2, 2, out minutes))
            {
                pos = start;
                return false;
            }
        }
        else if (!requireColon && pos + 1 < text.Length && char.IsAsciiDigit(text[pos]) && char.IsAsciiDigit(text[pos + 1]))
        {
            ReadNumber(text, ref pos, 2, 2, out minutes);
        }

        s.Offset = TimeSpan.FromMinutes(sign * ((hours * 60) + minutes));
        return true;
    }

    private static bool ParseZone(string text, ref int pos, Parsed s)
    {
        // The longest run of zone-id characters that names a known zone.
        var end = pos;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '/' or '_' or '+' or '-' or ':'))
        {
            end++;
        }

        for (var e = end; e > pos; e--)
        {
            if (Zones.TryFind(text[pos..e], out var zone))
            {
                s.Zone = zone;
                pos = e;
                return true;
            }
        }

        return false;
    }

    /// <summary>Resolves parsed fields to an instant (UTC), using the parsed zone/offset or <paramref name="zone"/>.</summary>
    public static DateTime ToUtc(Parsed p, TimeZoneInfo zone)
    {
        var local = ToLocal(p);
        if (p.Offset is { } offset)
        {
            return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
        }

        var z = p.Zone ?? zone;
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), z);
    }

    /// <summary>The local date-time of parsed fields, defaulting to 1970-01-01T00:00.</summary>
    public static DateTime ToLocal(Parsed p)
    {
        var year = p.Year ?? 1970;
        DateTime date;
        if (p.DayOfYear is { } doy && p.Month is null && p.Day is null)
        {
            date = new DateTime(year, 1, 1).AddDays(doy - 1);
        }
        else
        {
            var month = p.Month ?? 1;
            var day = p.Day ?? 1;
            if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
            {
                throw new FormatException($"Invalid date: {year:D4}-{month:D2}-{day:D2}");
            }

            date = new DateTime(year, month, day);
        }

        long ticks;
        if (p.MilliOfDay is { } mod)
        {
            ticks = mod * TimeSpan.TicksPerMillisecond;
        }
        else
        {
            var hour = p.Hour ?? ((p.Hour12 ?? 0) + (p.Pm == true ? 12 : 0));
            var minute = p.Minute ?? 0;
            var second = p.Second ?? 0;
            if (hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59)
            {
                throw new FormatException($"Invalid time: {hour:D2}:{minute:D2}:{second:D2}");
            }

            ticks = (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute) + (second * TimeSpan.TicksPerSecond) + ((p.Nanos ?? 0) / 100);
        }

        return date.AddTicks(ticks);
    }
}

/// <summary>Time zone ids as Java's ZoneId reads them: region ids, UTC/GMT/Z and offsets.</summary>
internal static class Zones
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Cache = new(StringComparer.Ordinal);

    public static TimeZoneInfo Find(string id) =>
        TryFind(id, out var zone) ? zone : throw new ArgumentException($"Unknown time zone: '{id}'. Use a region id such as 'America/Los_Angeles', 'UTC', or an offset such as '+02:00'.");

    public static bool TryFind(string id, out TimeZoneInfo zone)
    {
        var z = Cache.GetOrAdd(id, Lookup);
        zone = z!;
        return z is not null;
    }

    private static TimeZoneInfo? Lookup(string id)
    {
        var t = id.Trim();
        if (t.Length == 0)
        {
            return null;
        }

        if (t is "Z" or "UTC" or "GMT" or "UT" or "Etc/UTC" or "Etc/GMT")
        {
            return TimeZoneInfo.Utc;
        }

        foreach (var prefix in new[] { "UTC", "GMT", "UT" })
        {
            if (t.StartsWith(prefix, StringComparison.Ordinal) && t.Length > prefix.Length && (t[prefix.Length] is '+' or '-'))
            {
                return Offset(t[prefix.Length..], t);
            }
        }

        if (t[0] is '+' or '-')
        {
            return Offset(t, t);
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(t);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    private static TimeZoneInfo? Offset(string text, string id)
    {
        var sign = text[0] == '-' ? -1 : 1;
        var body = text[1..].Replace(":", string.Empty, StringComparison.Ordinal);
        int hours;
        var minutes = 0;
        if (body.Length <= 2 && int.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out hours))
        {
        }
        else if (body.Length == 4 && int.TryParse(body.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out hours)
            && int.TryParse(body.AsSpan(2, 2), NumberStyles.None, CultureInfo.InvariantCulture, out minutes))
        {
        }
        else
        {
            return null;
        }

        if (hours > 18 || minutes > 59)
        {
            return null;
        }

        var offset = TimeSpan.FromMinutes(sign * ((hours * 60) + minutes));
        return TimeZoneInfo.CreateCustomTimeZone(id, offset, id, id);
    }
}
