using System.Text;

namespace Eddy.Streams;

/// <summary>What a topology node is.</summary>
/// <example><code>if (node.Kind == TopologyNodeKind.Sink) Console.WriteLine(node.Topic);</code></example>
public enum TopologyNodeKind
{
    /// <summary>Reads topics.</summary>
    Source,

    /// <summary>Processes records.</summary>
    Processor,

    /// <summary>Writes a topic.</summary>
    Sink,
}

/// <summary>One node of a described topology.</summary>
/// <example><code>foreach (var n in sub.Nodes) Console.WriteLine($"{n.Kind} {n.Name} -&gt; {string.Join(",", n.Successors)}");</code></example>
public sealed class TopologyNode
{
    internal TopologyNode(string name, TopologyNodeKind kind) => (Name, Kind) = (name, kind);

    /// <summary>The node name.</summary>
    public string Name { get; }

    /// <summary>Source, processor or sink.</summary>
    public TopologyNodeKind Kind { get; }

    /// <summary>Upstream node names, in printed order.</summary>
    public IReadOnlyList<string> Predecessors { get; internal set; } = [];

    /// <summary>Downstream node names, in printed order.</summary>
    public IReadOnlyList<string> Successors { get; internal set; } = [];

    /// <summary>For a source: its topics (empty for a pattern source).</summary>
    public IReadOnlyList<string> Topics { get; internal set; } = [];

    /// <summary>For a pattern source: the pattern.</summary>
    public string? TopicPattern { get; internal set; }

    /// <summary>For a processor: its store names.</summary>
    public IReadOnlyList<string> Stores { get; internal set; } = [];

    /// <summary>For a sink with a fixed topic: the topic.</summary>
    public string? Topic { get; internal set; }

    /// <summary>For a sink with a topic-name extractor: the extractor's description.</summary>
    public string? TopicNameExtractor { get; internal set; }

    internal string Text { get; set; } = "";

    /// <inheritdoc/>
    public override string ToString() => Text;
}

/// <summary>A sub-topology: nodes connected through records or shared stores; one task per input partition.</summary>
/// <param name="Id">The sub-topology id.</param>
/// <param name="Nodes">The nodes in printed order.</param>
/// <example><code>Console.WriteLine($"sub-topology {sub.Id} has {sub.Nodes.Count} nodes");</code></example>
public sealed record SubtopologyDescription(int Id, IReadOnlyList<TopologyNode> Nodes)
{
    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder("Sub-topology: ").Append(Id).Append('\n');
        foreach (var n in Nodes)
        {
            sb.Append("    ").Append(n.Text).Append('\n');
        }
        return sb.Append('\n').ToString();
    }
}

/// <summary>A global store: its source and the processor that updates it.</summary>
/// <param name="Id">The id it is numbered with among sub-topologies.</param>
/// <param name="Source">The source node.</param>
/// <param name="Processor">The updating processor.</param>
/// <example><code>Console.WriteLine(global.Processor.Stores[0]);</code></example>
public sealed record GlobalStoreDescription(int Id, TopologyNode Source, TopologyNode Processor)
{
    /// <inheritdoc/>
    public override string ToString()
        => "Sub-topology: " + Id + " for global store (will not generate tasks)\n    " + Source.Text + "\n    " + Processor.Text + "\n";
}

/// <summary>
/// The structure of a topology. <see cref="ToString"/> prints Kafka Streams' exact <c>TopologyDescription</c> text,
/// so existing visualizers draw it.
/// </summary>
/// <example><code>Console.WriteLine(builder.Build().Describe());</code></example>
public sealed class TopologyDescription
{
    internal TopologyDescription(IReadOnlyList<SubtopologyDescription> subtopologies, IReadOnlyList<GlobalStoreDescription> globalStores)
    {
        Subtopologies = subtopologies;
        GlobalStores = globalStores;
    }

    /// <summary>The sub-topologies by id.</summary>
    public IReadOnlyList<SubtopologyDescription> Subtopologies { get; }

    /// <summary>The global stores.</summary>
    public IReadOnlyList<GlobalStoreDescription> GlobalStores { get; }

    /// <inheritdoc/>
    public override string ToString()
    {
        var all = new List<(int Id, string Text)>();
        foreach (var s in Subtopologies)
        {
            all.Add((s.Id, s.ToString()));
        }
        foreach (var g in GlobalStores)
        {
            all.Add((g.Id, g.ToString()));
        }
        all.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        var sb = new StringBuilder("Topologies:\n ");
        foreach (var (_, text) in all)
        {
            sb.Append("  ").Append(text);
        }
        return sb.ToString();
    }
}
