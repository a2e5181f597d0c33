namespace Eddy.Sql.Functions;

/// <summary>Scalar, aggregate or table function.</summary>
/// <example><code>if (info.Kind == FunctionKind.Aggregate) { ... }</code></example>
public enum FunctionKind
{
    /// <summary>One value per row.</summary>
    Scalar,

    /// <summary>One value per group.</summary>
    Aggregate,

    /// <summary>Zero or more rows per row.</summary>
    Table,
}

/// <summary>What SHOW FUNCTIONS and DESCRIBE FUNCTION report about a function.</summary>
/// <param name="Name">The name.</param>
/// <param name="Kind">Scalar, aggregate or table.</param>
/// <param name="Category">The category (STRING, MATHEMATICAL, AGGREGATE, TABLE, ...).</param>
/// <param name="Description">What it does.</param>
/// <param name="Author">Who wrote it.</param>
/// <param name="Version">Its version.</param>
/// <param name="Path">"internal" for built-ins, else the assembly file it was loaded from.</param>
/// <param name="Overloads">The variants.</param>
/// <example>
/// <code>
/// FunctionInfo? info = registry.Describe("SUBSTRING");
/// foreach (var o in info!.Overloads) Console.WriteLine(o);
/// </code>
/// </example>
public sealed record FunctionInfo(
    string Name,
    FunctionKind Kind,
    string Category,
    string Description,
    string Author,
    string Version,
    string Path,
    IReadOnlyList<FunctionOverloadInfo> Overloads);

/// <summary>One variant of a function.</summary>
/// <param name="Arguments">The parameters.</param>
/// <param name="ReturnType">The result type, e.g. <c>ARRAY&lt;T&gt;</c>.</param>
/// <param name="Description">What this variant does.</param>
/// <example><code>Console.WriteLine(overload); // SUBSTRING(str STRING, pos INT) => STRING</code></example>
public sealed record FunctionOverloadInfo(IReadOnlyList<FunctionArgumentInfo> Arguments, string ReturnType, string Description)
{
    /// <summary>The signature as text.</summary>
    public string Signature => "(" + string.Join(", ", Arguments.Select(a => a.IsVariadic ? a.Type + "..." : a.Type)) + ")";
}

/// <summary>One parameter of a function variant.</summary>
/// <param name="Name">The name.</param>
/// <param name="Type">The SQL type, e.g. <c>INT</c>, <c>ARRAY&lt;T&gt;</c>.</param>
/// <param name="Description">What it means.</param>
/// <param name="IsVariadic">Whether it takes any number of values.</param>
/// <example><code>var a = new FunctionArgumentInfo("str", "STRING", "", false);</code></example>
public sealed record FunctionArgumentInfo(string Name, string Type, string Description, bool IsVariadic);
