using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Compiler;
using Eddy.Sql.Types;
using static Eddy.Sql.Internal.Functions.AggregateArgs;
using static Eddy.Sql.Internal.Functions.BuiltInAggregate;

namespace Eddy.Sql.Internal.Functions;

/// <summary>
/// ksqlDB's built-in aggregates, engine-neutral: initialize / aggregate / merge / undo / map over
/// values of SQL types (so states can live in state stores). States are never changed in place.
/// </summary>
internal static class BuiltInAggregates
{
    private static readonly string[] Comparable = ["INT", "BIGINT", "DOUBLE", "DECIMAL", "STRING", "BOOLEAN", "TIMESTAMP", "DATE", "TIME", "BYTES"];
    private static long _sequence;

    public static AggregateDefinition[] All() =>
    [
        Count(), Sum(), Avg(), MinMax("MIN", -1), MinMax("MAX", 1), CollectList(), CollectSet(), CountDistinct(),
        Histogram(), ByOffset("EARLIEST_BY_OFFSET", earliest: true), ByOffset("LATEST_BY_OFFSET", earliest: false),
        TopK(), TopKDistinct(), StdDev("STDDEV_SAMP"), StdDev("STDDEV_SAMPLE"), Correlation(), Attr(), SumList(),
    ];

    private static BuiltInAggregate Count() => new(
        "COUNT",
        "Counts records by key: COUNT(*) counts rows, COUNT(col) counts non-NULL values.",
        [Overload("BIGINT", "Counts rows."), Overload("BIGINT", "Counts non-NULL values.", ("col", "T"))],
        (args, _) =>
        {
            var countsRows = args.Count == 0 || args[0].IsLiteral;
            var types = countsRows ? Array.Empty<SqlType>() : new[] { Column(args, 0) };
            return new LambdaAggregate(
                "COUNT",
                types,
                SqlTypes.BigInt,
                SqlTypes.BigInt,
                () => 0L,
                (agg, a) => countsRows || a[0] is not null ? (long)agg! + 1 : agg,
                (l, r) => (long)l! + (long)r!,
                (agg, a) => countsRows || a[0] is not null ? (long)agg! - 1 : agg,
                agg => agg);
        });

    private static BuiltInAggregate Sum() => new(
        "SUM",
        "Computes the sum for a key.",
        [Overload("INT", "", ("col", "INT")), Overload("BIGINT", "", ("col", "BIGINT")), Overload("DOUBLE", "", ("col", "DOUBLE")), Overload("DECIMAL", "", ("col", "DECIMAL"))],
        (args, _) =>
        {
            if (args.Count != 1)
            {
                throw Mismatch();
            }

            var t = Column(args, 0);
            switch (t.BaseType)
            {
                case SqlBaseType.Integer:
                    return Numeric(t, 0, (a, b) => unchecked((int)a! + (int)b!), (a, b) => unchecked((int)a! - (int)b!));
                case SqlBaseType.BigInt:
                    return Numeric(t, 0L, (a, b) => unchecked((long)a! + (long)b!), (a, b) => unchecked((long)a! - (long)b!));
                case SqlBaseType.Double:
                    return Numeric(t, 0.0, (a, b) => (double)a! + (double)b!, (a, b) => (double)a! - (double)b!);
                case SqlBaseType.Decimal:
                {
                    var d = (SqlDecimalType)t;
                    return Numeric(
                        t,
                        SqlDecimal.Zero.SetScale(d.Scale),
                        (a, b) => SqlRuntime.Fit(SqlDecimal.Add((SqlDecimal)a!, (SqlDecimal)b!), d.Precision, d.Scale),
                        (a, b) => SqlRuntime.Fit(SqlDecimal.Subtract((SqlDecimal)a!, (SqlDecimal)b!), d.Precision, d.Scale));
                }

                default:
                    throw Mismatch();
            }

            static AggregateFunction Numeric(SqlType type, object zero, Func<object?, object?, object> add, Func<object?, object?, object> subtract) =>
                new LambdaAggregate(
                    "SUM",
                    [type],
                    type,
                    type,
                    () => zero,
                    (agg, a) => a[0] is null ? agg : add(agg, a[0]),
                    (l, r) => add(l, r),
                    (agg, a) => a[0] is null ? agg : subtract(agg, a[0]),
                    agg => agg);
        });

    private static BuiltInAggregate Avg() => new(
        "AVG",
        "Returns the average value of the column computed as the sum divided by the count.",
        [Overload("DOUBLE", "", ("col", "INT")), Overload("DOUBLE", "", ("col", "BIGINT")), Overload("DOUBLE", "", ("col", "DOUBLE"))],
        (args, _) =>
        {
            if (args.Count != 1)
            {
                throw Mismatch();
            }

            var t = Column(args, 0);
            SqlType sumType = t.BaseType switch
            {
                SqlBaseType.Integer => SqlTypes.Integer,
                SqlBaseType.BigInt => SqlTypes.BigInt,
                SqlBaseType.Double or SqlBaseType.Decimal => SqlTypes.Double,
                _ => throw Mismatch(),
            };
            var structType = SqlTypes.Struct(("SUM", sumType), ("COUNT", SqlTypes.BigInt));
            object? Add(object? sum, object? v, int sign) => sumType.BaseType switch
            {
                SqlBaseType.Integer => (object)unchecked((int)sum! + (sign * (int)v!)),
                SqlBaseType.BigInt => (object)unchecked((long)sum! + (sign * (long)v!)),
                _ => (object)((double)sum! + (sign * SqlValues.ToDouble(v!))),
            };
            object Zero() => sumType.BaseType switch
            {
                SqlBaseType.Integer => (object)0,
                SqlBaseType.BigInt => (object)0L,
                _ => (object)0.0,
            };
            SqlStruct Make(object? sum, long count) => new(structType, [sum, count]);
            return new LambdaAggregate(
                "AVG",
                [t],
                structType,
                SqlTypes.Double,
                () => Make(Zero(), 0L),
                (agg, a) =>
                {
                    var s = (SqlStruct)agg!;
                    return a[0] is null ? s : Make(Add(s[0], a[0], 1), (long)s[1]! + 1);
                },
                (l, r) =>
                {
                    var x = (SqlStruct)l!;
                    var y = (SqlStruct)r!;
                    return Make(Add(x[0], y[0], 1), (long)x[1]! + (long)y[1]!);
                },
                (agg, a) =>
                {
                    var s = (SqlStruct)agg!;
                    return a[0] is null ? s : Make(Add(s[0], a[0], -1), (long)s[1]! - 1);
                },
                agg =>
                {
                    var s = (SqlStruct)agg!;
                    var count = (long)s[1]!;
                    return count == 0 ? 0.0 : SqlValues.ToDouble(s[0]!) / count;
                });
        });

    private static BuiltInAggregate MinMax(string name, int direction) => new(
        name,
        direction < 0 ? "Computes the minimum value for a key." : "Computes the maximum value for a key.",
        Comparable.Select(t => Overload(t, "", ("col", t))).ToArray(),
        (args, _) =>
        {
            if (args.Count != 1)
            {
                throw Mismatch();
            }

            var t = Column(args, 0);
            if (t.BaseType is SqlBaseType.Array or SqlBaseType.Map or SqlBaseType.Struct)
            {
                throw Mismatch();
            }

            object? Pick(object? a, object? b) =>
                a is null ? b : b is null ? a : SqlValues.Compare(b, a) * direction > 0 ? b : a;
            return new LambdaAggregate(
                name,
                [t],
                t,
                t,
                () => null,
                (agg, a) => Pick(agg, a[0]),
                Pick,
                null,
                agg => agg);
        });

    private static BuiltInAggregate CollectList() => new(
        "COLLECT_LIST",
        "Gather all of the values from an input grouping into a single Array field.",
        [Overload("ARRAY<T>", "", ("col", "T"))],
        (args, context) =>
        {
            if (args.Count != 1)
            {
                throw Mismatch();
            }

            var t = Column(args, 0);
            var limit = context.CollectListLimit;
            var type = SqlTypes.Array(t);
            return new LambdaAggregate(
                "COLLECT_LIST",
                [t],
                type,
                type,
                () => new List<object?>(),
                (agg, a) =>
                {
                    var list = (List<object?>)agg!;
                    if (list.Count >= limit)
                    {
                        return list;
                    }

                    return new List<object?>(list) { a[0] };
                },
                (l, r) =>
                {
                    var result = new List<object?>((List<object?>)l!);
                    foreach (var v in (List<object?>)r!)
                    {
                        if (result.Count >= limit)
                        {
                            break;
                        }

                        result.Add(v);
                    }

                    return result;
                },
                (agg, a) =>
                {
                    var list = (List<object?>)agg!;
                    for (var i = list.Count - 1; i >= 0; i--)
                    {
                        if (SqlValues.ValueEquals(list[i], a[0]))
                        {
                            var copy = new List<object?>(list);
                            copy.RemoveAt(i);
                            return copy;
                        }
                    }

                    return list;
                },
                agg => agg);
        });

    private static BuiltInAggregate CollectSet() => new(
        "COLLECT_SET",
        "Gather all of the distinct values from an input grouping into a single Array.",
        [Overload("ARRAY<T>", "", ("col", "T"))],
        (args, context) =>
        {
            if (args.Count != 1)
            {
                throw Mismatch();
            }

            var t = Column(args, 0);
            var limit = context.CollectSetLimit;
            var type = SqlTypes.Array(t);
            static bool Contains(List<object?> list, object? v)
            {
                foreach (var x in list)
                {
                    if (SqlValues.ValueEquals(x, v))
                    {
                        return true;
                    }
                }

                return false;
            }

            return new LambdaAggregate(
                "COLLECT_SET",
                [t],
                type,
                type,
                () => new List<object?>(),
                (agg, a) =>
                {
                    var list = (List<object?>)agg!;
                    return list.Count >= limit || Contains(list, a[0]) ? list : new List<object?>(list) { a[0] };
                },
                (l, r) =>
                {
                    var result = new List<object?>((List<object?>)l!);
                    foreach (var v in (List<object?>)r!)
                    {
                        if (result.Count < limit && !Contains(result, v))
                        {
                            result.Add(v);
                        }
                    }

                    return result;
                },
                null,
                agg => agg);
        });

    private static BuiltInAggregate CountDistinct() => new(
        "COUNT_DISTINCT",
        "This function returns the number of items found in a group. The implementation is probabilistic with a typical accuracy (standard error) of less than 1%.",
        [Overload("BIGINT", "", ("col", "T"))],
        (args, _) =>
        {
            if (args.Count != 1)
            {
                throw Mismatch();
            }

            var t = Column(args, 0);
            return new LambdaAggregate(
                "COUNT_DISTINCT",
                [t],
                SqlTypes.Array(SqlTypes.Integer),
                SqlTypes.BigInt,
                HyperLogLog.Initialize,
                (agg, a) => a[0] is null ? agg : HyperLogLog.Offer((List<object?>)agg!, a[0]!),
                (l, r) => HyperLogLog.Merge((List<object?>)l!, (List<object?>)r!),
                null,
                agg => HyperLogLog.Cardinality((List<object?>)agg!));
        });

    private static BuiltInAggregate Histogram() => new(
        "HISTOGRAM",
        "Returns a map of each distinct String from the input Stream or Table and how many times each occurs.",
        [Overload("MAP<STRING, BIGINT>", "", ("col", "STRING"))],
        (args, context) =>
        {
            if (args.Count != 1 || Column(args, 0).BaseType != SqlBaseType.String)
            {
                throw Mismatch();
            }

            var type = SqlTypes.Map(SqlTypes.String, SqlTypes.BigInt);
            var limit = context.CollectListLimit;
            static Dictionary<object, object?> Copy(object? agg) => new((Dictionary<object, object?>)agg!, SqlValueComparer.Instance);
            return new LambdaAggregate(
                "HISTOGRAM",
                [SqlTypes.String],
                type,
                type,
                () => new Dictionary<object, object?>(SqlValueComparer.Instance),
                (agg, a) =>
                {
                    if (a[0] is not string s)
                    {
                        return agg;
                    }

                    var map = (Dictionary<object, object?>)agg!;
                    if (!map.TryGetValue(s, out var n) && map.Count >= limit)
                    {
                        return map;
                    }

                    var copy = Copy(map);
                    copy[s] = (n is long c ? c : 0L) + 1;
                    return copy;
                },
                (l, r) =>
                {
                    var result = Copy(l);
                    foreach (var kv in (Dictionary<object, object?>)r!)
                    {
                        result[kv.Key] = (result.TryGetValue(kv.Key, out var n) && n is long c ? c : 0L) + (long)kv.Value!;
                    }

                    return result;
                },
                (agg, a) =>
                {
                    if (a[0] is not string s || !((Dictionary<object, object?>)agg!).TryGetValue(s, out var n))
                    {
                        return agg;
                    }

                    var copy = Copy(agg);
                    var next = (long)n! - 1;
                    if (next <= 0)
                    {
                        copy.Remove(s);
                    }
                    else
                    {
                        copy[s] = next;
                    }

                    return copy;
                },
                agg => agg);
        });

    private static BuiltInAggregate ByOffset(string name, bool earliest) => new(
        name,
        earliest ? "This function returns the oldest value for the column, computed by offset." : "This function returns the most recent value for the column, computed by offset.",
        [
            Overload("T", "", ("col", "T")),
            Overload("T", "", ("col", "T"), ("ignoreNulls", "BOOLEAN")),
            Overload("ARRAY<T>", "", ("col", "T"), ("n", "INT")),
            Overload("ARRAY<T>", "", ("col", "T"), ("n", "INT"), ("ignoreNulls", "BOOLEAN")),
        ],
        (args, _) =>
        {
            if (args.Count is < 1 or > 3 || args[0].Type is null)
            {
                throw Mismatch();
            }

            var t = args[0].Type!;
            int? n = null;
            var ignoreNulls = true;
            if (args.Count >= 2)
            {
                if (args[1].Value is bool b && args.Count == 2)
                {
                    ignoreNulls = b;
                }
                else
                {
                    n = IntLiteral(args, 1, "N");
                    if (n <= 0)
                    {
                        throw new SqlException($"{(earliest ? "earliestN" : "latestN")} must be 1 or greater");
                    }

                    if (args.Count == 3)
                    {
                        ignoreNulls = BoolLiteral(args, 2, "ignoreNulls");
                    }
                }
            }

            var entry = SqlTypes.Struct(("SEQ", SqlTypes.BigInt), ("VAL", t));
            SqlStruct Make(object? value) => new(entry, [Interlocked.Increment(ref _sequence), value]);

            // Order of entries: by sequence; with ignoreNulls, an entry without a value ranks below any with one.
            int Compare(SqlStruct x, SqlStruct y)
            {
                if (ignoreNulls && (x[1] is null) != (y[1] is null))
                {
                    return x[1] is null ? -1 : 1;
                }

                return ((long?)x[0] ?? -1).CompareTo((long?)y[0] ?? -1);
            }

            if (n is null)
            {
                return new LambdaAggregate(
                    name,
                    [t],
                    entry,
                    t,
                    () => new SqlStruct(entry, [null, null]),
                    (agg, a) =>
                    {
                        if (a[0] is null && ignoreNulls)
                        {
                            return agg;
                        }

                        var s = (SqlStruct)agg!;
                        return earliest && s[0] is not null ? s : Make(a[0]);
                    },
                    (l, r) =>
                    {
                        var x = (SqlStruct)l!;
                        var y = (SqlStruct)r!;
                        if (x[0] is null)
                        {
                            return y;
                        }

                        if (y[0] is null)
                        {
                            return x;
                        }

                        var c = Compare(x, y);
                        return earliest ? (c <= 0 && !(ignoreNulls && x[1] is null && y[1] is not null) ? x : y) : (c >= 0 ? x : y);
                    },
                    null,
                    agg => ((SqlStruct)agg!)[1]);
            }

            var count = n.Value;
            var listType = SqlTypes.Array(entry);
            return new LambdaAggregate(
                name,
                [t],
                listType,
                SqlTypes.Array(t),
                () => new List<object?>(),
                (agg, a) =>
                {
                    if (a[0] is null && ignoreNulls)
                    {
                        return agg;
                    }

                    var list = (List<object?>)agg!;
                    if (earliest)
                    {
                        return list.Count >= count ? list : new List<object?>(list) { Make(a[0]) };
                    }

                    var next = new List<object?>(list) { Make(a[0]) };
                    if (next.Count > count)
                    {
                        next.RemoveRange(0, next.Count - count);
                    }

                    return next;
                },
                (l, r) =>
                {
                    var merged = ((List<object?>)l!).Concat((List<object?>)r!).Cast<SqlStruct>().ToList();
                    merged.Sort((x, y) => ((long?)x[0] ?? 0).CompareTo((long?)y[0] ?? 0));
                    var take = earliest ? merged.Take(count) : merged.Skip(Math.Max(0, merged.Count - count));
                    return take.Cast<object?>().ToList();
                },
                null,
                agg => ((List<object?>)agg!).Select(e => ((SqlStruct)e!)[1]).ToList());
        });

    private static BuiltInAggregate TopK() => new(
        "TOPK",
        "Returns the top k values for a column and other values in those records.",
        [
            Overload("ARRAY<T>", "", ("col", "T"), ("k", "INT")),
            Overload("ARRAY<STRUCT>", "", ("col", "T"), ("otherCols", "ANY..."), ("k", "INT")),
        ],
        (args, _) =>
        {
            if (args.Count < 2)
            {
                throw Mismatch();
            }

            var k = IntLiteral(args, args.Count - 1, "k");
            if (k <= 0)
            {
                throw new SqlException("TOPK's k must be greater than zero.");
            }

            var sortType = Column(args, 0);
            if (sortType.BaseType is SqlBaseType.Array or SqlBaseType.Map or SqlBaseType.Struct or SqlBaseType.Boolean)
            {
                throw Mismatch();
            }

            var columns = new List<SqlType> { sortType };
            for (var i = 1; i < args.Count - 1; i++)
            {
                columns.Add(Column(args, i));
            }

            SqlStructType? entry = null;
            if (columns.Count > 1)
            {
                var fields = new List<(string, SqlType)> { ("sort_col", sortType) };
                for (var i = 1; i < columns.Count; i++)
                {
                    fields.Add(("col" + (i - 1), columns[i]));
                }

                entry = SqlTypes.Struct([.. fields]);
            }

            var type = SqlTypes.Array((SqlType?)entry ?? sortType);
            object? SortValue(object? e) => entry is null ? e : ((SqlStruct)e!)[0];
            List<object?> Insert(List<object?> list, object? item)
            {
                var result = new List<object?>(list.Count + 1);
                var placed = false;
                foreach (var existing in list)
                {
                    if (!placed && SqlValues.Compare(SortValue(item)!, SortValue(existing)!) > 0)
                    {
                        result.Add(item);
                        placed = true;
                    }

                    result.Add(existing);
                }

                if (!placed)
                {
                    result.Add(item);
                }

                if (result.Count > k)
                {
                    result.RemoveRange(k, result.Count - k);
                }

                return result;
            }

            return new LambdaAggregate(
                "TOPK",
                columns,
                type,
                type,
                () => new List<object?>(),
                (agg, a) =>
                {
                    if (a[0] is null)
                    {
                        return agg;
                    }

                    object? item = entry is null ? a[0] : new SqlStruct(entry, a.ToArray());
                    return Insert((List<object?>)agg!, item);
                },
                (l, r) =>
                {
                    var result = (List<object?>)l!;
                    foreach (var item in (List<object?>)r!)
                    {
                        result = Insert(result, item);
                    }

                    return result;
                },
                null,
                agg => agg);
        });

    private static BuiltInAggregate TopKDistinct() => new(
        "TOPKDISTINCT",
        "Computes the top k distinct values for a column, per key.",
        [Overload("ARRAY<T>", "", ("col", "T"), ("k", "INT"))],
        (args, _) =>
        {
            if (args.Count != 2)
            {
                throw Mismatch();
            }

            var t = Column(args, 0);
            if (t.BaseType is SqlBaseType.Array or SqlBaseType.Map or SqlBaseType.Struct or SqlBaseType.Boolean)
            {
                throw Mismatch();
            }

            var k = IntLiteral(args, 1, "k");
            var type = SqlTypes.Array(t);
            List<object?> Insert(List<object?> list, object? v)
            {
                foreach (var x in list)
                {
                    if (SqlValues.ValueEquals(x, v))
                    {
                        return list;
                    }
                }

                var result = new List<object?>(list) { v };
                result.Sort((x, y) => SqlValues.Compare(y!, x!));
                if (result.Count > k)
                {
                    result.RemoveRange(k, result.Count - k);
                }

                return result;
            }

            return new LambdaAggregate(
                "TOPKDISTINCT",
                [t],
                type,
                type,
                () => new List<object?>(),
                (agg, a) => a[0] is null ? agg : Insert((List<object?>)agg!, a[0]),
                (l, r) =>
                {
                    var result = (List<object?>)l!;
                    foreach (var v in (List<object?>)r!)
                    {
                        result = Insert(result, v);
                    }

                    return result;
                },
                null,
                agg => agg);
        });

    private static BuiltInAggregate StdDev(string name) => new(
        name,
        "Returns the sample standard deviation of the column.",
        [Overload("DOUBLE", "", ("col", "INT")), Overload("DOUBLE", "", ("col", "BIGINT")), Overload("DOUBLE", "", ("col", "DOUBLE"))],
        (args, _) =>
        {
            if (args.Count != 1 || !Column(args, 0).BaseType.IsNumber())
            {
                throw Mismatch();
            }

            var t = Column(args, 0);
            var type = SqlTypes.Struct(("SUM", SqlTypes.Double), ("COUNT", SqlTypes.BigInt), ("M2", SqlTypes.Double));
            SqlStruct Make(double sum, long count, double m2) => new(type, [sum, count, m2]);

            // Welford's online algorithm, with its inverse for undo and Chan's formula for merge.
            return new LambdaAggregate(
                name,
                [t],
                type,
                SqlTypes.Double,
                () => Make(0.0, 0L, 0.0),
                (agg, a) =>
                {
                    if (a[0] is null)
                    {
                        return agg;
                    }

                    var s = (SqlStruct)agg!;
                    var x = SqlValues.ToDouble(a[0]!);
                    var (sum, count, m2) = ((double)s[0]!, (long)s[1]!, (double)s[2]!);
                    var newCount = count + 1;
                    var oldMean = count == 0 ? 0 : sum / count;
                    var newSum = sum + x;
                    var newMean = newSum / newCount;
                    return Make(newSum, newCount, m2 + ((x - oldMean) * (x - newMean)));
                },
                (l, r) =>
                {
                    var x = (SqlStruct)l!;
                    var y = (SqlStruct)r!;
                    var (sa, ca, ma) = ((double)x[0]!, (long)x[1]!, (double)x[2]!);
                    var (sb, cb, mb) = ((double)y[0]!, (long)y[1]!, (double)y[2]!);
                    if (ca == 0)
                    {
                        return y;
                    }

                    if (cb == 0)
                    {
                        return x;
                    }

                    var delta = (sb / cb) - (sa / ca);
                    var count = ca + cb;
                    return Make(sa + sb, count, ma + mb + (delta * delta * ca * cb / count));
                },
                (agg, a) =>
                {
                    if (a[0] is null)
                    {
                        return agg;
                    }

                    var s = (SqlStruct)agg!;
                    var x = SqlValues.ToDouble(a[0]!);
                    var (sum, count, m2) = ((double)s[0]!, (long)s[1]!, (double)s[2]!);
                    if (count <= 1)
                    {
                        return Make(0.0, 0L, 0.0);
                    }

                    var mean = sum / count;
                    var newSum = sum - x;
                    var newMean = newSum / (count - 1);
                    return Make(newSum, count - 1, m2 - ((x - mean) * (x - newMean)));
                },
                agg =>
                {
                    var s = (SqlStruct)agg!;
                    var count = (long)s[1]!;
                    return count < 2 ? 0.0 : Math.Sqrt(Math.Max(0, (double)s[2]!) / (count - 1));
                });
        });

    private static BuiltInAggregate Correlation() => new(
        "CORRELATION",
        "Computes the Pearson correlation coefficient between two columns of data.",
        [Overload("DOUBLE", "", ("x", "DOUBLE"), ("y", "DOUBLE"))],
        (args, _) =>
        {
            if (args.Count != 2 || !Column(args, 0).BaseType.IsNumber() || !Column(args, 1).BaseType.IsNumber())
            {
                throw Mismatch();
            }

            var type = SqlTypes.Struct(
                ("X_SUM", SqlTypes.Double),
                ("Y_SUM", SqlTypes.Double),
                ("X_SQUARED_SUM", SqlTypes.Double),
                ("Y_SQUARED_SUM", SqlTypes.Double),
                ("XY_SUM", SqlTypes.Double),
                ("COUNT", SqlTypes.BigInt));
            SqlStruct Make(double xs, double ys, double xx, double yy, double xy, long n) => new(type, [xs, ys, xx, yy, xy, n]);
            static double D(SqlStruct s, int i) => (double)s[i]!;
            SqlStruct Step(object? agg, ReadOnlySpan<object?> a, int sign)
            {
                var s = (SqlStruct)agg!;
                if (a[0] is null || a[1] is null)
                {
                    return s;
                }

                var x = SqlValues.ToDouble(a[0]!);
                var y = SqlValues.ToDouble(a[1]!);
                return Make(D(s, 0) + (sign * x), D(s, 1) + (sign * y), D(s, 2) + (sign * x * x), D(s, 3) + (sign * y * y), D(s, 4) + (sign * x * y), (long)s[5]! + sign);
            }

            return new LambdaAggregate(
                "CORRELATION",
                [Column(args, 0), Column(args, 1)],
                type,
                SqlTypes.Double,
                () => Make(0, 0, 0, 0, 0, 0),
                (agg, a) => Step(agg, a, 1),
                (l, r) =>
                {
                    var x = (SqlStruct)l!;
                    var y = (SqlStruct)r!;
                    return Make(D(x, 0) + D(y, 0), D(x, 1) + D(y, 1), D(x, 2) + D(y, 2), D(x, 3) + D(y, 3), D(x, 4) + D(y, 4), (long)x[5]! + (long)y[5]!);
                },
                (agg, a) => Step(agg, a, -1),
                agg =>
                {
                    var s = (SqlStruct)agg!;
                    var n = (long)s[5]!;
                    if (n < 2)
                    {
                        return double.NaN;
                    }

                    var numerator = (n * D(s, 4)) - (D(s, 0) * D(s, 1));
                    var denominator = Math.Sqrt((n * D(s, 2)) - (D(s, 0) * D(s, 0))) * Math.Sqrt((n * D(s, 3)) - (D(s, 1) * D(s, 1)));
                    return numerator / denominator;
                });
        });

    private static BuiltInAggregate Attr() => new(
        "ATTR",
        "The ATTR() aggregation indicates there are multiple values, but only one was expected: it returns the value when every value is the same, else NULL.",
        [Overload("T", "", ("col", "T"))],
        (args, _) =>
        {
            if (args.Count != 1)
            {
                throw Mismatch();
            }

            var t = Column(args, 0);
            var entry = SqlTypes.Struct(("VALUE", t), ("COUNT", SqlTypes.Integer));
            var type = SqlTypes.Array(entry);
            List<object?> Add(List<object?> list, object? v, int delta)
            {
                var result = new List<object?>(list.Count + 1);
                var found = false;
                foreach (var e in list)
                {
                    var s = (SqlStruct)e!;
                    if (!found && SqlValues.ValueEquals(s[0], v))
                    {
                        found = true;
                        var c = (int)s[1]! + delta;
                        if (c > 0)
                        {
                            result.Add(new SqlStruct(entry, [v, c]));
                        }

                        continue;
                    }

                    result.Add(s);
                }

                if (!found && delta > 0)
                {
                    result.Add(new SqlStruct(entry, [v, delta]));
                }

                return result;
            }

            return new LambdaAggregate(
                "ATTR",
                [t],
                type,
                t,
                () => new List<object?>(),
                (agg, a) => Add((List<object?>)agg!, a[0], 1),
                (l, r) =>
                {
                    var result = (List<object?>)l!;
                    foreach (var e in (List<object?>)r!)
                    {
                        var s = (SqlStruct)e!;
                        result = Add(result, s[0], (int)s[1]!);
                    }

                    return result;
                },
                (agg, a) => Add((List<object?>)agg!, a[0], -1),
                agg =>
                {
                    var list = (List<object?>)agg!;
                    return list.Count == 1 ? ((SqlStruct)list[0]!)[0] : null;
                });
        });

    private static BuiltInAggregate SumList() => new(
        "SUM_LIST",
        "Returns the sum of elements contained in the list.",
        [Overload("INT", "", ("list", "ARRAY<INT>")), Overload("BIGINT", "", ("list", "ARRAY<BIGINT>")), Overload("DOUBLE", "", ("list", "ARRAY<DOUBLE>"))],
        (args, _) =>
        {
            if (args.Count != 1 || Column(args, 0) is not SqlArrayType arr || arr.ElementType.BaseType is not (SqlBaseType.Integer or SqlBaseType.BigInt or SqlBaseType.Double))
            {
                throw Mismatch();
            }

            var t = arr.ElementType;
            object Sum(object? list, object? agg, int sign)
            {
                var result = agg!;
                if (list is not List<object?> items)
                {
                    return result;
                }

                foreach (var v in items)
                {
                    if (v is null)
                    {
                        continue;
                    }

                    result = t.BaseType switch
                    {
                        SqlBaseType.Integer => (object)unchecked((int)result + (sign * (int)v)),
                        SqlBaseType.BigInt => (object)unchecked((long)result + (sign * (long)v)),
                        _ => (object)((double)result + (sign * (double)v)),
                    };
                }

                return result;
            }

            object Zero() => t.BaseType switch
            {
                SqlBaseType.Integer => (object)0,
                SqlBaseType.BigInt => (object)0L,
                _ => (object)0.0,
            };
            return new LambdaAggregate(
                "SUM_LIST",
                [arr],
                t,
                t,
                Zero,
                (agg, a) => Sum(a[0], agg, 1),
                (l, r) => t.BaseType switch
                {
                    SqlBaseType.Integer => (object)unchecked((int)l! + (int)r!),
                    SqlBaseType.BigInt => (object)unchecked((long)l! + (long)r!),
                    _ => (object)((double)l! + (double)r!),
                },
                (agg, a) => Sum(a[0], agg, -1),
                agg => agg);
        });
}
