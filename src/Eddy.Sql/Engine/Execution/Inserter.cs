using System.Globalization;
using System.Text.Json;
using Eddy.Client;
using Eddy.Sql.Analysis;
using Eddy.Sql.Ast;
using Eddy.Sql.Expressions;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Formats;
using Eddy.Sql.Internal.Planning;
using Eddy.Sql.Types;
using Eddy.Streams.SerDes;

namespace Eddy.Sql.Engine.Execution;

/// <summary>INSERT VALUES and JSON row inserts: key and value rows from the source's schema, serialized in its formats, produced with the engine's producer.</summary>
internal static class Inserter
{
    public static async Task InsertValuesAsync(KafkaRuntime runtime, FunctionRegistry functions, DataSource target, InsertValues iv, CancellationToken cancellationToken)
    {
        var columns = iv.Columns?.ToList() ?? target.Schema.Key.Concat(target.Schema.Value).Select(c => c.Name).ToList();
        if (columns.Count != iv.Values.Count)
        {
            throw new SqlException($"Failed to prepare statement: Expected number columns and values to match: {columns.Count}, {iv.Values.Count}");
        }

        if (columns.FirstOrDefault(c => c is "ROWPARTITION" or "ROWOFFSET" or "WINDOWSTART" or "WINDOWEND") is { } pseudo)
        {
            throw new SqlException($"Inserting into column `{pseudo}` is not allowed.");
        }

        var compiler = new ExpressionCompiler(functions);
        var scope = new RowScope([]);
        var key = new object?[target.Schema.Key.Count];
        var value = new object?[target.Schema.Value.Count];
        long? timestamp = null;
        for (var i = 0; i < columns.Count; i++)
        {
            var name = columns[i];
            if (name == "ROWTIME")
            {
                timestamp = Convert.ToInt64(compiler.Compile(new Cast(iv.Values[i], new BuiltInTypeRef(SqlTypes.BigInt)), scope).Evaluate([]), CultureInfo.InvariantCulture);
                continue;
            }

            var column = Column(target, name);
            var v = compiler.Compile(new Cast(iv.Values[i], new BuiltInTypeRef(column.Type)), scope).Evaluate([]);
            Set(target, column, key, value, v);
        }

        await ProduceAsync(runtime, target, key, value, timestamp, cancellationToken).ConfigureAwait(false);
    }

    public static async Task InsertJsonAsync(KafkaRuntime runtime, DataSource target, JsonElement row, CancellationToken cancellationToken)
    {
        if (row.ValueKind != JsonValueKind.Object)
        {
            throw new SqlException($"Insert rows must be JSON objects of column names to values, got {row.ValueKind}.");
        }

        var key = new object?[target.Schema.Key.Count];
        var value = new object?[target.Schema.Value.Count];
        long? timestamp = null;
        foreach (var property in row.EnumerateObject())
        {
            if (string.Equals(property.Name, "ROWTIME", StringComparison.OrdinalIgnoreCase))
            {
                timestamp = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt64(out var ts)
                    ? ts
                    : throw new SqlException($"ROWTIME must be a number of milliseconds, got {property.Value.GetRawText()}.");
                continue;
            }

            var column = Column(target, property.Name);
            object? v;
            try
            {
                v = JsonValues.Read(property.Value, column.Type, column.Name);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or Formats.SqlSerdeException)
            {
                throw new SqlException($"Failed to insert values into '{target.Name}'. Column {column.Name} of type {column.Type} cannot take {property.Value.GetRawText()}: {e.Message}", e);
            }

            Set(target, column, key, value, v);
        }

        await ProduceAsync(runtime, target, key, value, timestamp, cancellationToken).ConfigureAwait(false);
    }

    private static Column Column(DataSource target, string name)
    {
        var column = target.Schema.Find(name)
            ?? target.Schema.Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new SqlException($"Column name {name} does not exist.");
        if (column.Kind == ColumnKind.Header)
        {
            throw new SqlException($"Cannot insert into HEADER columns: {column.Name}");
        }

        return column;
    }

    private static void Set(DataSource target, Column column, object?[] key, object?[] value, object? v)
    {
        if (column.Kind == ColumnKind.Key)
        {
            key[IndexOf(target.Schema.Key, column)] = v;
        }
        else
        {
            value[IndexOf(target.Schema.Value, column)] = v;
        }
    }

    private static int IndexOf(IReadOnlyList<Column> columns, Column column)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Name == column.Name)
            {
                return i;
            }
        }

        return -1;
    }

    private static async Task ProduceAsync(KafkaRuntime runtime, DataSource target, object?[] key, object?[] value, long? timestamp, CancellationToken cancellationToken)
    {
        if (target.Window is not null)
        {
            throw new SqlException($"Cannot insert into windowed source {target.Name}.");
        }

        byte[]? keyBytes;
        byte[]? valueBytes;
        try
        {
            var ctx = new Streams.SerDes.SerializationContext(MessageComponentType.Key, target.Topic);
            keyBytes = RowSerde.Key(target).Serialize(key, ctx);
            valueBytes = RowSerde.Value(target).Serialize(value, ctx with { Component = MessageComponentType.Value });
        }
        catch (Exception e) when (e is Formats.SqlSerdeException or InvalidOperationException or FormatException or InvalidCastException)
        {
            throw new SqlException($"Failed to insert values into '{target.Name}'. Could not serialize the row: {e.Message}", e);
        }

        var message = new Message<byte[]?, byte[]?>
        {
            Key = keyBytes,
            Value = valueBytes,
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(timestamp ?? runtime.Options.Time.GetUtcNow().ToUnixTimeMilliseconds()),
        };
        try
        {
            await runtime.Producer.ProduceAsync(target.Topic, message, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            throw new SqlException($"Failed to insert values into '{target.Name}' (topic {target.Topic}): {e.Message}", e);
        }
    }
}
