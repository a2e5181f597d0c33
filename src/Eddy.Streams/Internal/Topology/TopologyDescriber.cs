namespace Eddy.Streams.Internal.Topology;

/// <summary>
/// Builds Kafka Streams' TopologyDescription. Node order within a sub-topology is by sub-tree size then name; the
/// sizes come from Kafka's incremental computation, which walks nodes in Java HashMap order, and successor and
/// predecessor lists are TreeSets filled while sizes still change. Both are reproduced here exactly.
/// </summary>
internal static class TopologyDescriber
{
    private sealed class Node(NodeFactory factory)
    {
        public NodeFactory Factory { get; } = factory;

        public string Name => Factory.Name;

        public int Size { get; set; } = 1;

        public JavaTreeSet<Node> Predecessors { get; } = new(Compare);

        public JavaTreeSet<Node> Successors { get; } = new(Compare);
    }

    private static int Compare(Node a, Node b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }
        return a.Size != b.Size ? b.Size - a.Size : string.CompareOrdinal(a.Name, b.Name);
    }

    public static TopologyDescription Describe(InternalTopologyBuilder builder, List<List<string>> groups, Func<string, bool> isGlobalSource, Func<string, string> globalStoreOf)
    {
        var subs = new List<SubtopologyDescription>();
        var globals = new List<GlobalStoreDescription>();
        var factories = new Dictionary<string, NodeFactory>(StringComparer.Ordinal);
        foreach (var f in builder.Nodes)
        {
            factories[f.Name] = f;
        }
        for (var id = 0; id < groups.Count; id++)
        {
            var group = groups[id];
            var globalSource = group.Find(n => isGlobalSource(n));
            if (globalSource is not null)
            {
                var processorName = group.Find(n => n != globalSource)!;
                var src = (SourceNodeFactory)factories[globalSource];
                var store = globalStoreOf(globalSource);
                var sourceNode = new TopologyNode(globalSource, TopologyNodeKind.Source)
                {
                    Topics = [src.Topics[0]],
                    Successors = [processorName],
                    Text = "Source: " + globalSource + " (topics: [" + src.Topics[0] + "])\n      --> " + processorName,
                };
                var processorNode = new TopologyNode(processorName, TopologyNodeKind.Processor)
                {
                    Stores = [store],
                    Predecessors = [globalSource],
                    Text = "Processor: " + processorName + " (stores: [" + store + "])\n      --> none\n      <-- " + globalSource,
                };
                globals.Add(new GlobalStoreDescription(id, sourceNode, processorNode));
                continue;
            }
            subs.Add(DescribeSubtopology(id, group, factories));
        }
        return new TopologyDescription(subs, globals);
    }

    private static SubtopologyDescription DescribeSubtopology(int id, List<string> group, Dictionary<string, NodeFactory> factories)
    {
        var byName = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var n in group)
        {
            byName[n] = new Node(factories[n]);
        }
        // Kafka iterates a HashMap<String, AbstractNode> here; the order decides the sub-tree sizes.
        var order = JavaCollections.HashOrder(group, JavaCollections.DefaultCapacity(group.Count));
        foreach (var name in order)
        {
            var node = byName[name];
            foreach (var predName in node.Factory.Predecessors)
            {
                var pred = byName[predName];
                node.Predecessors.Add(pred);
                pred.Successors.Add(node);
                UpdateSize(pred, node.Size);
            }
        }
        var sorted = new List<Node>(byName.Values);
        sorted.Sort(Compare);
        var nodes = new List<TopologyNode>(sorted.Count);
        foreach (var n in sorted)
        {
            nodes.Add(ToNode(n));
        }
        return new SubtopologyDescription(id, nodes);
    }

    private static void UpdateSize(Node node, int delta)
    {
        node.Size += delta;
        foreach (var p in node.Predecessors.InOrder())
        {
            UpdateSize(p, delta);
        }
    }

    private static string NodeNames(List<Node> nodes) => nodes.Count == 0 ? "none" : string.Join(", ", nodes.ConvertAll(n => n.Name));

    private static TopologyNode ToNode(Node n)
    {
        var preds = n.Predecessors.InOrder();
        var succs = n.Successors.InOrder();
        var result = new TopologyNode(n.Name, n.Factory.Kind)
        {
            Predecessors = preds.ConvertAll(p => p.Name),
            Successors = succs.ConvertAll(s => s.Name),
        };
        switch (n.Factory)
        {
            case SourceNodeFactory s:
                if (s.Pattern is not null)
                {
                    result.TopicPattern = s.Pattern.ToString();
                    result.Text = "Source: " + n.Name + " (topics: " + s.Pattern + ")\n      --> " + NodeNames(succs);
                }
                else
                {
                    var topics = JavaCollections.HashOrder(s.Topics, JavaCollections.CopyCapacity(s.Topics.Count));
                    result.Topics = topics;
                    result.Text = "Source: " + n.Name + " (topics: " + JavaCollections.SetToString(topics) + ")\n      --> " + NodeNames(succs);
                }
                break;
            case ProcessorNodeFactory p:
                var stores = JavaCollections.HashOrder(p.StoreNames, JavaCollections.CopyCapacity(p.StoreNames.Count));
                result.Stores = stores;
                result.Text = "Processor: " + n.Name + " (stores: " + JavaCollections.SetToString(stores) + ")\n      --> " + NodeNames(succs) + "\n      <-- " + NodeNames(preds);
                break;
            case SinkNodeFactory k:
                result.Topic = k.Topic;
                result.TopicNameExtractor = k.ExtractorDescription;
                result.Text = k.Topic is not null
                    ? "Sink: " + n.Name + " (topic: " + k.Topic + ")\n      <-- " + NodeNames(preds)
                    : "Sink: " + n.Name + " (extractor class: " + k.ExtractorDescription + ")\n      <-- " + NodeNames(preds);
                break;
        }
        return result;
    }
}
