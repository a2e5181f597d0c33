using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Eddy.Sql.Internal.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Functions;

/// <summary>
/// The functions SQL can call: ksqlDB's built-in catalog (scalar functions by family, the aggregates
/// and the table functions) plus user-defined functions from attribute-annotated classes, registered
/// in code or loaded from the assemblies of an extensions folder. It answers SHOW FUNCTIONS and
/// DESCRIBE FUNCTION, and resolves calls to overloads.
/// </summary>
/// <example>
/// <code>
/// var functions = new FunctionRegistry();
/// functions.LoadExtensions("/etc/eddy/extensions");   // every *.dll there
/// functions.Register(typeof(MyFunctions));             // or classes directly
/// foreach (var f in functions.ListFunctions()) Console.WriteLine($"{f.Name} {f.Kind} {f.Category}");
/// </code>
/// </example>
public sealed class FunctionRegistry
{
    private static readonly Lazy<(ScalarFunctionDefinition[] Scalars, AggregateDefinition[] Aggregates)> BuiltIns = new(LoadBuiltIns);

    private readonly ConcurrentDictionary<string, ScalarFunctionDefinition> _scalars = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, AggregateDefinition> _aggregates = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _writeLock = new();

    /// <summary>Creates a registry holding the built-in functions.</summary>
    public FunctionRegistry(FunctionContext? context = null)
    {
        Context = context ?? FunctionContext.Default;
        var (scalars, aggregates) = BuiltIns.Value;
        foreach (var s in scalars)
        {
            _scalars[s.Name] = s;
        }

        foreach (var a in aggregates)
        {
            _aggregates[a.Name] = a;
        }
    }

    /// <summary>The environment functions run in (clock, random source, limits).</summary>
    public FunctionContext Context { get; }

    /// <summary>Registers the functions of one attribute-annotated class (scalar, aggregate or table).</summary>
    public FunctionInfo Register(Type type) => Register(type, "internal");

    /// <summary>Registers every public attribute-annotated class of an assembly; returns what was added.</summary>
    public IReadOnlyList<FunctionInfo> RegisterAssembly(Assembly assembly)
    {
        var path = string.IsNullOrEmpty(assembly.Location) ? assembly.GetName().Name ?? "assembly" : assembly.Location;
        var added = new List<FunctionInfo>();
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            throw new InvalidOperationException($"Cannot load the types of {path}: {e.LoaderExceptions.FirstOrDefault()?.Message}", e);
        }

        foreach (var type in types)
        {
            if (IsFunctionClass(type))
            {
                added.Add(Register(type, path));
            }
        }

        return added;
    }

    /// <summary>
    /// Loads every <c>*.dll</c> in <paramref name="directory"/> (each in its own load context, sharing
    /// Eddy.Sql with the host) and registers the functions they declare. Returns the functions added.
    /// </summary>
    public IReadOnlyList<FunctionInfo> LoadExtensions(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The extensions folder '{directory}' does not exist.");
        }

        var added = new List<FunctionInfo>();
        var files = Directory.GetFiles(directory, "*.dll");
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            Assembly assembly;
            try
            {
                var context = new ExtensionLoadContext(Path.GetFullPath(file));
                assembly = context.LoadFromAssemblyPath(Path.GetFullPath(file));
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException)
            {
                // Native libraries and the like sit next to extension assemblies; skip what is not .NET.
                if (e is BadImageFormatException)
                {
                    continue;
                }

                throw new InvalidOperationException($"Cannot load the extension assembly '{file}': {e.Message}", e);
            }

            added.AddRange(RegisterAssembly(assembly));
        }

        return added;
    }

    /// <summary>Every function, sorted by name.</summary>
    public IReadOnlyList<FunctionInfo> ListFunctions()
    {
        var list = new List<FunctionInfo>(_scalars.Count + _aggregates.Count);
        foreach (var s in _scalars.Values)
        {
            list.Add(s.ToInfo());
        }

        foreach (var a in _aggregates.Values)
        {
            list.Add(a.ToInfo());
        }

        list.Sort((x, y) => string.CompareOrdinal(x.Name, y.Name));
        return list;
    }

    /// <summary>A function's description and overloads, or null when there is no such function.</summary>
    public FunctionInfo? Describe(string name) =>
        _scalars.TryGetValue(name, out var s) ? s.ToInfo() : _aggregates.TryGetValue(name, out var a) ? a.ToInfo() : null;

    /// <summary>Whether a function of this name exists, and its kind.</summary>
    public FunctionKind? KindOf(string name) =>
        _scalars.TryGetValue(name, out var s) ? s.Kind : _aggregates.ContainsKey(name) ? FunctionKind.Aggregate : null;

    /// <summary>True for aggregate functions.</summary>
    public bool IsAggregate(string name) => _aggregates.ContainsKey(name);

    /// <summary>True for table functions.</summary>
    public bool IsTableFunction(string name) => _scalars.TryGetValue(name, out var s) && s.Kind == FunctionKind.Table;

    /// <summary>
    /// Resolves an aggregate for the types of its column arguments and the values of its literal
    /// arguments (e.g. TOPK's k), in call order: <c>TOPK(col, 3)</c> is ([col's type], [3]).
    /// </summary>
    public AggregateFunction ResolveAggregate(string name, IReadOnlyList<SqlType> columnTypes, IReadOnlyList<object?>? literalArguments = null)
    {
        var args = new List<AggregateArgument>();
        foreach (var t in columnTypes)
        {
            args.Add(new AggregateArgument(t, false, null));
        }

        foreach (var v in literalArguments ?? [])
        {
            args.Add(new AggregateArgument(LiteralType(v), true, v));
        }

        return ResolveAggregate(name, args);
    }

    /// <summary>Resolves a table function for its argument types.</summary>
    public TableFunction ResolveTableFunction(string name, IReadOnlyList<SqlType> argumentTypes)
    {
        var def = FindScalar(name);
        if (def is null || def.Kind != FunctionKind.Table)
        {
            throw UnknownFunction(name, FunctionKind.Table);
        }

        return Internal.Compiler.TableFunctionAdapter.Create(this, def, argumentTypes);
    }

    internal AggregateFunction ResolveAggregate(string name, IReadOnlyList<AggregateArgument> arguments)
    {
        if (!_aggregates.TryGetValue(name, out var def))
        {
            throw UnknownFunction(name, FunctionKind.Aggregate);
        }

        return def.Resolve(arguments, Context);
    }

    internal ScalarFunctionDefinition? FindScalar(string name) => _scalars.TryGetValue(name, out var s) ? s : null;

    internal AggregateDefinition? FindAggregate(string name) => _aggregates.TryGetValue(name, out var a) ? a : null;

    internal SqlException UnknownFunction(string name, FunctionKind? kind = null)
    {
        var names = _scalars.Keys.Concat(_aggregates.Keys);
        var suggestion = Internal.Parsing.Suggest.Closest(name.ToUpperInvariant(), names);
        var what = kind switch
        {
            FunctionKind.Aggregate => "aggregate functions",
            FunctionKind.Table => "table functions",
            _ => "functions",
        };
        var message = $"Can't find any {what} with the name '{name.ToUpperInvariant()}'";
        if (kind is not null && KindOf(name) is { } actual)
        {
            message += $": {name.ToUpperInvariant()} is a{(actual == FunctionKind.Aggregate ? "n aggregate" : actual == FunctionKind.Table ? " table" : " scalar")} function";
        }
        else if (suggestion is not null)
        {
            message += $". Did you mean {suggestion}?";
        }

        return new SqlException(message);
    }

    private FunctionInfo Register(Type type, string path)
    {
        lock (_writeLock)
        {
            if (type.GetCustomAttribute<SqlAggregateAttribute>() is { } agg)
            {
                var def = UdafDefinition.Scan(type, agg, path);
                Add(def.Name, () => _aggregates[def.Name] = def);
                return def.ToInfo();
            }

            var scalar = FunctionScanner.ScanScalar(type, path, CreateInstance)
                ?? throw new InvalidOperationException($"{type.FullName} has no [SqlFunction], [SqlAggregate] or [SqlTableFunction] attribute.");
            Add(scalar.Name, () => _scalars[scalar.Name] = scalar);
            return scalar.ToInfo();
        }
    }

    private void Add(string name, Action add)
    {
        if (_scalars.ContainsKey(name) || _aggregates.ContainsKey(name))
        {
            var existing = Describe(name)!;
            throw new InvalidOperationException($"A function named {name} already exists ({(existing.Path == "internal" ? "built in" : "from " + existing.Path)}); choose another name.");
        }

        add();
    }

    private static object? CreateInstance(Type type) =>
        type.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance(type) : null;

    private static bool IsFunctionClass(Type type) =>
        type.GetCustomAttribute<SqlFunctionAttribute>() is not null
        || type.GetCustomAttribute<SqlAggregateAttribute>() is not null
        || type.GetCustomAttribute<SqlTableFunctionAttribute>() is not null;

    internal static SqlType? LiteralType(object? value) => value switch
    {
        null => null,
        bool => SqlTypes.Boolean,
        int => SqlTypes.Integer,
        long => SqlTypes.BigInt,
        double => SqlTypes.Double,
        string => SqlTypes.String,
        SqlDecimal d => SqlTypes.Decimal(Math.Max(Math.Max(d.Precision, d.Scale), 1), Math.Max(d.Scale, 0)),
        _ => null,
    };

    private static (ScalarFunctionDefinition[], AggregateDefinition[]) LoadBuiltIns()
    {
        var scalars = new List<ScalarFunctionDefinition>();
        foreach (var type in typeof(FunctionRegistry).Assembly.GetTypes())
        {
            if (type.Namespace == "Eddy.Sql.Internal.Functions.BuiltIn" && IsFunctionClass(type) && type.GetCustomAttribute<SqlAggregateAttribute>() is null)
            {
                scalars.Add(FunctionScanner.ScanScalar(type, "internal", CreateInstance)!);
            }
        }

        return (scalars.ToArray(), BuiltInAggregates.All());
    }

    /// <summary>Loads an extension assembly with its own dependencies, sharing what the host already loaded.</summary>
    private sealed class ExtensionLoadContext(string path) : AssemblyLoadContext("eddy-extension:" + Path.GetFileName(path))
    {
        private readonly AssemblyDependencyResolver _resolver = new(path);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            foreach (var loaded in Default.Assemblies)
            {
                if (string.Equals(loaded.GetName().Name, assemblyName.Name, StringComparison.Ordinal))
                {
                    return null;
                }
            }

            var resolved = _resolver.ResolveAssemblyToPath(assemblyName);
            return resolved is null ? null : LoadFromAssemblyPath(resolved);
        }
    }
}
