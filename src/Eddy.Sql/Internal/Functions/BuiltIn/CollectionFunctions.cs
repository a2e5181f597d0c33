using Eddy.Sql.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Functions.BuiltIn;

internal static class Lists
{
    public static bool Contains(List<object?> list, object? value)
    {
        foreach (var x in list)
        {
            if (SqlValues.ValueEquals(x, value))
            {
                return true;
            }
        }

        return false;
    }

    public static List<object?> Distinct(IEnumerable<object?> items)
    {
        var result = new List<object?>();
        foreach (var x in items)
        {
            if (!Contains(result, x))
            {
                result.Add(x);
            }
        }

        return result;
    }
}

[SqlFunction("ARRAY_CONCAT", Category = "ARRAY", Description = "Concatenates two arrays, creating an array that contains all the elements in the first array followed by all the elements in the second array.")]
internal static class ArrayConcatFunction
{
    [SqlOverload]
    public static List<object?>? ArrayConcat([SqlParameter("left", Type = "ARRAY<T>")] List<object?>? left, [SqlParameter("right", Type = "ARRAY<T>")] List<object?>? right)
    {
        if (left is null)
        {
            return right;
        }

        return right is null ? left : [.. left, .. right];
    }
}

[SqlFunction("ARRAY_CONTAINS", Category = "ARRAY", Description = "Returns true if the array is non-null and contains the supplied value.")]
internal static class ArrayContainsFunction
{
    [SqlOverload]
    public static bool ArrayContains([SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array, [SqlParameter("val", Type = "T")] object? value) =>
        array is not null && Lists.Contains(array, value);
}

[SqlFunction("ARRAY_DISTINCT", Category = "ARRAY", Description = "Returns an array of all the distinct values, including NULL if present, from the input array.")]
internal static class ArrayDistinctFunction
{
    [SqlOverload]
    public static List<object?>? ArrayDistinct([SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array) => array is null ? null : Lists.Distinct(array);
}

[SqlFunction("ARRAY_EXCEPT", Category = "ARRAY", Description = "Returns an array of all the distinct elements in an array except for those also present in a second array.")]
internal static class ArrayExceptFunction
{
    [SqlOverload]
    public static List<object?>? ArrayExcept([SqlParameter("left", Type = "ARRAY<T>")] List<object?>? left, [SqlParameter("right", Type = "ARRAY<T>")] List<object?>? right) =>
        left is null || right is null ? null : Lists.Distinct(left.Where(x => !Lists.Contains(right, x)));
}

[SqlFunction("ARRAY_INTERSECT", Category = "ARRAY", Description = "Returns an array of all the distinct elements from the intersection of both input arrays, or NULL if either input array is NULL.")]
internal static class ArrayIntersectFunction
{
    [SqlOverload]
    public static List<object?>? ArrayIntersect([SqlParameter("left", Type = "ARRAY<T>")] List<object?>? left, [SqlParameter("right", Type = "ARRAY<T>")] List<object?>? right) =>
        left is null || right is null ? null : Lists.Distinct(left.Where(x => Lists.Contains(right, x)));
}

[SqlFunction("ARRAY_UNION", Category = "ARRAY", Description = "Returns an array of all the distinct elements from both input arrays, or NULL if either array is NULL.")]
internal static class ArrayUnionFunction
{
    [SqlOverload]
    public static List<object?>? ArrayUnion([SqlParameter("left", Type = "ARRAY<T>")] List<object?>? left, [SqlParameter("right", Type = "ARRAY<T>")] List<object?>? right) =>
        left is null || right is null ? null : Lists.Distinct(left.Concat(right));
}

[SqlFunction("ARRAY_JOIN", Category = "ARRAY", Description = "Joins the array elements into a flat string representation, with a delimiter (',' by default).")]
internal static class ArrayJoinFunction
{
    [SqlOverload]
    public static string? ArrayJoin([SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array) => ArrayJoin(array, ",");

    [SqlOverload]
    public static string? ArrayJoin([SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array, string? delimiter)
    {
        if (array is null)
        {
            return null;
        }

        foreach (var x in array)
        {
            if (x is List<object?> or Dictionary<object, object?> or SqlStruct)
            {
                throw new ArgumentException("only primitive element types are supported by ARRAY_JOIN");
            }
        }

        return string.Join(delimiter ?? string.Empty, array.Select(SqlValues.ToJavaString));
    }
}

[SqlFunction("ARRAY_LENGTH", Category = "ARRAY", Description = "Returns the length of an array.")]
internal static class ArrayLengthFunction
{
    [SqlOverload]
    public static int? ArrayLength([SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array) => array?.Count;
}

[SqlFunction("ARRAY_MAX", Category = "ARRAY", Description = "Return the maximum value from within an array of primitive values, according to their natural sort order (NULLs are ignored).")]
internal static class ArrayMaxFunction
{
    [SqlOverload]
    public static object? ArrayMax([SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array) =>
        array is null ? null : Extreme.Pick(null, [.. array], 1);
}

[SqlFunction("ARRAY_MIN", Category = "ARRAY", Description = "Return the minimum value from within an array of primitive values, according to their natural sort order (NULLs are ignored).")]
internal static class ArrayMinFunction
{
    [SqlOverload]
    public static object? ArrayMin([SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array) =>
        array is null ? null : Extreme.Pick(null, [.. array], -1);
}

[SqlFunction("ARRAY_REMOVE", Category = "ARRAY", Description = "Removes all the elements equal to a specific value from an array.")]
internal static class ArrayRemoveFunction
{
    [SqlOverload]
    public static List<object?>? ArrayRemove([SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array, [SqlParameter("victim", Type = "T")] object? victim) =>
        array?.Where(x => !SqlValues.ValueEquals(x, victim)).ToList();
}

[SqlFunction("ARRAY_SORT", Category = "ARRAY", Description = "Sort an array of primitive values, according to their natural sort order ('ASC' by default, or 'DESC'); NULLs go last.")]
internal static class ArraySortFunction
{
    [SqlOverload]
    public static List<object?>? ArraySort([SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array) => ArraySort(array, "ASC");

    [SqlOverload]
    public static List<object?>? ArraySort([SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array, string? direction)
    {
        if (array is null || direction is null)
        {
            return null;
        }

        var sign = direction.Trim().ToUpperInvariant() switch
        {
            "ASC" => 1,
            "DESC" => -1,
            _ => 0,
        };
        if (sign == 0)
        {
            return null;
        }

        var values = array.Where(x => x is not null).ToList();
        if (values.Any(x => x is List<object?> or Dictionary<object, object?> or SqlStruct))
        {
            return null;
        }

        values.Sort((a, b) => sign * SqlValues.Compare(a!, b!));
        values.AddRange(array.Where(x => x is null));
        return values;
    }
}

[SqlFunction("GENERATE_SERIES", Category = "ARRAY", Description = "Construct an array of a range of values, from start to end inclusive, by step (1 or -1 by default).")]
internal static class GenerateSeriesFunction
{
    [SqlOverload(ReturnType = "ARRAY<INT>")]
    public static List<object?>? GenerateSeries(int? start, int? end) => start is null || end is null ? null : GenerateSeries(start, end, start <= end ? 1 : -1);

    [SqlOverload(ReturnType = "ARRAY<INT>")]
    public static List<object?>? GenerateSeries(int? start, int? end, int? step)
    {
        var longs = GenerateSeries((long?)start, end, (int?)step);
        return longs?.Select(v => (object?)(int)(long)v!).ToList();
    }

    [SqlOverload(ReturnType = "ARRAY<BIGINT>")]
    public static List<object?>? GenerateSeries(long? start, long? end) => start is null || end is null ? null : GenerateSeries(start, end, start <= end ? 1 : -1);

    [SqlOverload(ReturnType = "ARRAY<BIGINT>")]
    public static List<object?>? GenerateSeries(long? start, long? end, int? step)
    {
        if (start is null || end is null || step is null)
        {
            return null;
        }

        if (step == 0)
        {
            throw new ArgumentException("GENERATE_SERIES step cannot be zero");
        }

        var diff = end.Value - start.Value;
        if ((diff > 0 && step < 0) || (diff < 0 && step > 0))
        {
            throw new ArgumentException("GENERATE_SERIES has invalid step: the step must move from start to end");
        }

        var count = (diff / step.Value) + 1;
        if (count > 1_000_000)
        {
            throw new ArgumentException("GENERATE_SERIES would produce more than 1,000,000 values");
        }

        var result = new List<object?>((int)count);
        for (long i = 0, v = start.Value; i < count; i++, v += step.Value)
        {
            result.Add(v);
        }

        return result;
    }
}

[SqlFunction("SLICE", Category = "ARRAY", Description = "Returns a slice of an ARRAY from position 'from' to 'to', both 1-based and inclusive.")]
internal static class SliceFunction
{
    [SqlOverload]
    public static List<object?>? Slice([SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array, int? from, int? to)
    {
        if (array is null)
        {
            return null;
        }

        var start = from ?? 1;
        var end = to ?? array.Count;
        start = Math.Max(start, 1);
        end = Math.Min(end, array.Count);
        return start > end ? [] : array.GetRange(start - 1, end - start + 1);
    }
}

[SqlFunction("AS_MAP", Category = "MAP", Description = "Construct a map from a list of keys and a list of values.")]
internal static class AsMapFunction
{
    [SqlOverload(ReturnType = "MAP<STRING, T>")]
    public static Dictionary<object, object?>? AsMap([SqlParameter("keys", Type = "ARRAY<STRING>")] List<object?>? keys, [SqlParameter("values", Type = "ARRAY<T>")] List<object?>? values)
    {
        if (keys is null || values is null)
        {
            return null;
        }

        var map = new Dictionary<object, object?>(SqlValueComparer.Instance);
        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i] is { } k)
            {
                map[k] = i < values.Count ? values[i] : null;
            }
        }

        return map;
    }
}

[SqlFunction("ENTRIES", Category = "MAP", Description = "Construct an array of STRUCT<K, V> from the entries in a map, optionally sorted by key.")]
internal static class EntriesFunction
{
    [SqlOverload(ReturnTypeProvider = nameof(EntryType))]
    public static List<object?[]>? Entries([SqlParameter("map", Type = "MAP<STRING, T>")] Dictionary<object, object?>? map, bool? sorted)
    {
        if (map is null || sorted is null)
        {
            return null;
        }

        var pairs = map.ToList();
        if (sorted.Value)
        {
            pairs.Sort((a, b) => string.CompareOrdinal((string)a.Key, (string)b.Key));
        }

        // Each entry is the positional values of STRUCT<K, V>; the compiler builds the structs.
        var result = new List<object?[]>(pairs.Count);
        foreach (var kv in pairs)
        {
            result.Add([kv.Key, kv.Value]);
        }

        return result;
    }

    private static SqlArrayType EntryType(IReadOnlyList<SqlType> args) =>
        SqlTypes.Array(SqlTypes.Struct(("K", SqlTypes.String), ("V", ((SqlMapType)args[0]).ValueType)));
}

[SqlFunction("MAP_KEYS", Category = "MAP", Description = "Returns an array of all the keys from the specified map, or NULL if the input map is NULL.")]
internal static class MapKeysFunction
{
    [SqlOverload(ReturnType = "ARRAY<K>")]
    public static List<object?>? MapKeys([SqlParameter("map", Type = "MAP<K, V>")] Dictionary<object, object?>? map) => map?.Keys.Select(k => (object?)k).ToList();
}

[SqlFunction("MAP_VALUES", Category = "MAP", Description = "Returns an array of all the values from the specified map, or NULL if the input map is NULL.")]
internal static class MapValuesFunction
{
    [SqlOverload(ReturnType = "ARRAY<V>")]
    public static List<object?>? MapValues([SqlParameter("map", Type = "MAP<K, V>")] Dictionary<object, object?>? map) => map?.Values.ToList();
}

[SqlFunction("MAP_UNION", Category = "MAP", Description = "Returns a new map containing the union of all entries from both input maps; values of the second win.")]
internal static class MapUnionFunction
{
    [SqlOverload]
    public static Dictionary<object, object?>? MapUnion([SqlParameter("map1", Type = "MAP<K, V>")] Dictionary<object, object?>? first, [SqlParameter("map2", Type = "MAP<K, V>")] Dictionary<object, object?>? second)
    {
        if (first is null)
        {
            return second;
        }

        if (second is null)
        {
            return first;
        }

        var result = new Dictionary<object, object?>(first, SqlValueComparer.Instance);
        foreach (var kv in second)
        {
            result[kv.Key] = kv.Value;
        }

        return result;
    }
}

[SqlFunction("COALESCE", Category = "CONDITIONAL", Description = "Returns the first non-null element.")]
internal static class CoalesceFunction
{
    [SqlOverload]
    public static object? Coalesce([SqlParameter("first", Type = "T")] object? first, [SqlParameter("others", Type = "T")] params object?[] others)
    {
        if (first is not null)
        {
            return first;
        }

        foreach (var o in others)
        {
            if (o is not null)
            {
                return o;
            }
        }

        return null;
    }
}

[SqlFunction("IFNULL", Category = "CONDITIONAL", Description = "Returns expression if NOT NULL, otherwise the alternative value.")]
internal static class IfNullFunction
{
    [SqlOverload]
    public static object? IfNull([SqlParameter("expression", Type = "T")] object? expression, [SqlParameter("altValue", Type = "T")] object? alternative) => expression ?? alternative;
}

[SqlFunction("NULLIF", Category = "CONDITIONAL", Description = "Returns NULL if value1 and value2 are equal, otherwise value1.")]
internal static class NullIfFunction
{
    [SqlOverload]
    public static object? NullIf([SqlParameter("expression1", Type = "T")] object? first, [SqlParameter("expression2", Type = "T")] object? second) =>
        first is not null && SqlValues.ValueEquals(first, second) ? null : first;
}

internal static class ByteOrders
{
    public static bool BigEndian(string? order) => order?.Trim().ToUpperInvariant() switch
    {
        null or "BIG_ENDIAN" => true,
        "LITTLE_ENDIAN" => false,
        _ => throw new ArgumentException($"Byte order must be BIG_ENDIAN or LITTLE_ENDIAN, not '{order}'."),
    };

    public static ReadOnlySpan<byte> Exact(byte[] bytes, int size, string type) =>
        bytes.Length == size ? bytes : throw new ArgumentException($"Number of bytes must be equal to {size}, but found {bytes.Length} (converting to {type}).");
}

[SqlFunction("INT_FROM_BYTES", Category = "CONVERSIONS", Description = "Converts a BYTES value to an INT value according to the specified byte order (BIG_ENDIAN by default).")]
internal static class IntFromBytesFunction
{
    [SqlOverload]
    public static int? IntFromBytes(byte[]? value) => IntFromBytes(value, "BIG_ENDIAN");

    [SqlOverload]
    public static int? IntFromBytes(byte[]? value, string? byteOrder) =>
        value is null ? null : ByteOrders.BigEndian(byteOrder)
            ? System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(ByteOrders.Exact(value, 4, "INT"))
            : System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(ByteOrders.Exact(value, 4, "INT"));
}

[SqlFunction("BIGINT_FROM_BYTES", Category = "CONVERSIONS", Description = "Converts a BYTES value to a BIGINT value according to the specified byte order (BIG_ENDIAN by default).")]
internal static class BigIntFromBytesFunction
{
    [SqlOverload]
    public static long? BigIntFromBytes(byte[]? value) => BigIntFromBytes(value, "BIG_ENDIAN");

    [SqlOverload]
    public static long? BigIntFromBytes(byte[]? value, string? byteOrder) =>
        value is null ? null : ByteOrders.BigEndian(byteOrder)
            ? System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(ByteOrders.Exact(value, 8, "BIGINT"))
            : System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(ByteOrders.Exact(value, 8, "BIGINT"));
}

[SqlFunction("DOUBLE_FROM_BYTES", Category = "CONVERSIONS", Description = "Converts a BYTES value to a DOUBLE value according to the specified byte order (BIG_ENDIAN by default).")]
internal static class DoubleFromBytesFunction
{
    [SqlOverload]
    public static double? DoubleFromBytes(byte[]? value) => DoubleFromBytes(value, "BIG_ENDIAN");

    [SqlOverload]
    public static double? DoubleFromBytes(byte[]? value, string? byteOrder) =>
        value is null ? null : ByteOrders.BigEndian(byteOrder)
            ? System.Buffers.Binary.BinaryPrimitives.ReadDoubleBigEndian(ByteOrders.Exact(value, 8, "DOUBLE"))
            : System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(ByteOrders.Exact(value, 8, "DOUBLE"));
}

[SqlFunction("TRANSFORM", Category = "LAMBDA", Description = "Apply a function to each element in a collection.")]
internal static class TransformFunction
{
    [SqlOverload(Description = "Transforms each element of an array.", ReturnType = "ARRAY<R>")]
    public static List<object?>? Transform(
        [SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array,
        [SqlParameter("function", Type = "(T) => R")] Func<object?, object?> function)
    {
        if (array is null)
        {
            return null;
        }

        var result = new List<object?>(array.Count);
        foreach (var x in array)
        {
            result.Add(function(x));
        }

        return result;
    }

    [SqlOverload(Description = "Transforms each key and value of a map.", ReturnType = "MAP<K2, V2>")]
    public static Dictionary<object, object?>? Transform(
        [SqlParameter("map", Type = "MAP<K, V>")] Dictionary<object, object?>? map,
        [SqlParameter("keyFunction", Type = "(K, V) => K2")] Func<object?, object?, object?> keyFunction,
        [SqlParameter("valueFunction", Type = "(K, V) => V2")] Func<object?, object?, object?> valueFunction)
    {
        if (map is null)
        {
            return null;
        }

        var result = new Dictionary<object, object?>(map.Count, SqlValueComparer.Instance);
        foreach (var kv in map)
        {
            if (keyFunction(kv.Key, kv.Value) is { } k)
            {
                result[k] = valueFunction(kv.Key, kv.Value);
            }
        }

        return result;
    }
}

[SqlFunction("FILTER", Category = "LAMBDA", Description = "Filter the input collection through a given lambda function.")]
internal static class FilterFunction
{
    [SqlOverload(Description = "Keeps the elements for which the function is true.")]
    public static List<object?>? Filter(
        [SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array,
        [SqlParameter("function", Type = "(T) => BOOLEAN")] Func<object?, object?> predicate) =>
        array?.Where(x => predicate(x) is true).ToList();

    [SqlOverload(Description = "Keeps the entries for which the function is true.")]
    public static Dictionary<object, object?>? Filter(
        [SqlParameter("map", Type = "MAP<K, V>")] Dictionary<object, object?>? map,
        [SqlParameter("function", Type = "(K, V) => BOOLEAN")] Func<object?, object?, object?> predicate)
    {
        if (map is null)
        {
            return null;
        }

        var result = new Dictionary<object, object?>(SqlValueComparer.Instance);
        foreach (var kv in map)
        {
            if (predicate(kv.Key, kv.Value) is true)
            {
                result[kv.Key] = kv.Value;
            }
        }

        return result;
    }
}

[SqlFunction("REDUCE", Category = "LAMBDA", Description = "Reduce the input collection down to a single value using an initial state and a function.")]
internal static class ReduceFunction
{
    [SqlOverload(Description = "Folds the elements of an array into the state.", ReturnType = "S")]
    public static object? Reduce(
        [SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array,
        [SqlParameter("initialState", Type = "S")] object? state,
        [SqlParameter("function", Type = "(S, T) => S")] Func<object?, object?, object?> function)
    {
        if (array is null || state is null)
        {
            return state;
        }

        foreach (var x in array)
        {
            state = function(state, x);
        }

        return state;
    }

    [SqlOverload(Description = "Folds the entries of a map into the state.", ReturnType = "S")]
    public static object? Reduce(
        [SqlParameter("map", Type = "MAP<K, V>")] Dictionary<object, object?>? map,
        [SqlParameter("initialState", Type = "S")] object? state,
        [SqlParameter("function", Type = "(S, K, V) => S")] Func<object?, object?, object?, object?> function)
    {
        if (map is null || state is null)
        {
            return state;
        }

        foreach (var kv in map)
        {
            state = function(state, kv.Key, kv.Value);
        }

        return state;
    }
}

[SqlTableFunction("EXPLODE", Description = "Explodes an array: one row per element.")]
internal static class ExplodeFunction
{
    [SqlOverload(ReturnType = "T")]
    public static List<object?>? Explode([SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array) => array ?? [];
}

[SqlTableFunction("CUBE_EXPLODE", Description = "Takes as argument a list of columns and outputs all possible combinations of them (each column or NULL).")]
internal static class CubeExplodeFunction
{
    [SqlOverload(ReturnType = "ARRAY<T>")]
    public static List<object?> CubeExplode([SqlParameter("array", Type = "ARRAY<T>")] List<object?>? array)
    {
        if (array is null)
        {
            return [];
        }

        var result = new List<object?>();
        var n = array.Count;
        var combinations = 1 << n;
        for (var mask = 0; mask < combinations; mask++)
        {
            var row = new List<object?>(n);
            var seen = false;
            for (var i = 0; i < n; i++)
            {
                // The first combination keeps every value; each bit set nulls one (ksqlDB's order).
                var keep = (mask & (1 << (n - 1 - i))) == 0;
                row.Add(keep ? array[i] : null);
                seen |= !keep && array[i] is null;
            }

            // Nulling a value that is already NULL repeats a combination: skip it.
            if (!seen)
            {
                result.Add(row);
            }
        }

        return result;
    }
}
