using System.Reflection;
using Eddy.Protocol.Generator;
using Eddy.Protocol.Messages;

namespace Eddy.Protocol.Tests.Messages;

/// <summary>
/// Pairs each generated message class with its definition, so tests know which fields exist, are
/// nullable or tagged at each version. Reads the definitions from the source tree.
/// </summary>
internal static class MessageModel
{
    private static readonly Lazy<Dictionary<string, MessageSpec>> Specs = new(() =>
    {
        string root = Generator.Generator.FindRepositoryRoot(AppContext.BaseDirectory);
        var specs = new Dictionary<string, MessageSpec>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles(Generator.Generator.DefinitionsDirectory(root), "*.json"))
        {
            var spec = MessageSpec.Parse(File.ReadAllText(path));
            specs[spec.Name] = spec;
        }

        return specs;
    });

    public static MessageSpec Spec(string name) => Specs.Value[name];

    /// <summary>Every generated top-level message type.</summary>
    public static IReadOnlyList<Type> MessageTypes { get; } = typeof(IKafkaMessage).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsNested: false } && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IKafkaMessage<>)))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    public static IEnumerable<object[]> MessageTypeNames() => MessageTypes.Select(t => new object[] { t.Name });

    public static Type MessageType(string name) => MessageTypes.Single(t => t.Name == name);

    /// <summary>The definition of a nested struct, by CLR type, within a message definition.</summary>
    public static IReadOnlyList<FieldSpec> FieldsOf(MessageSpec message, Type type)
    {
        if (!type.IsNested)
        {
            return message.Fields;
        }

        string name = type.Name;
        var found = FindStruct(message.Fields, name) ?? FindStruct(message.Fields, name.EndsWith("Data", StringComparison.Ordinal) ? name[..^4] : name);
        if (found is not null)
        {
            return found;
        }

        var common = message.CommonStructs.FirstOrDefault(s => s.Name == name || s.Name + "Data" == name);
        return common?.Fields ?? throw new InvalidOperationException($"no definition for {message.Name}.{name}");
    }

    private static IReadOnlyList<FieldSpec>? FindStruct(IReadOnlyList<FieldSpec> fields, string name)
    {
        foreach (var f in fields)
        {
            if (f.Fields is null)
            {
                continue;
            }

            if (f.ElementType == name)
            {
                return f.Fields;
            }

            var inner = FindStruct(f.Fields, name);
            if (inner is not null)
            {
                return inner;
            }
        }

        return null;
    }

    public static T Read<T>(ReadOnlyMemory<byte> bytes, short version)
        where T : IKafkaMessage<T>
    {
        var reader = new KafkaReader(bytes);
        return T.Read(ref reader, version);
    }

    /// <summary>Calls the static Read of a message type through reflection-free generic dispatch.</summary>
    public static IKafkaMessage Read(Type type, ReadOnlyMemory<byte> bytes, short version) =>
        (IKafkaMessage)ReadMethod.MakeGenericMethod(type).Invoke(null, [bytes, version])!;

    public static Func<ReadOnlyMemory<byte>, short, IKafkaMessage> Reader(Type type) =>
        (Func<ReadOnlyMemory<byte>, short, IKafkaMessage>)ReaderFactory.MakeGenericMethod(type).Invoke(null, null)!;

    private static readonly MethodInfo ReadMethod = typeof(MessageModel).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Single(m => m.Name == nameof(Read) && m.IsGenericMethodDefinition);

    private static readonly MethodInfo ReaderFactory = typeof(MessageModel).GetMethod(nameof(MakeReader), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static Func<ReadOnlyMemory<byte>, short, IKafkaMessage> MakeReader<T>()
        where T : IKafkaMessage<T> => (bytes, version) => Read<T>(bytes, version);

    public static (short Min, short Max) Versions(Type type) =>
        ((short)type.GetProperty("LowestVersion")!.GetValue(null)!, (short)type.GetProperty("HighestVersion")!.GetValue(null)!);

    public static byte[] Encode(IKafkaMessage message, short version)
    {
        using var writer = new KafkaWriter();
        message.Write(writer, version);
        return writer.ToArray();
    }
}
