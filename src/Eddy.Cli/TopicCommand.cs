using System.CommandLine;
using Eddy.Cli.Internal;
using Eddy.Client;
using Eddy.Protocol;

namespace Eddy.Cli;

/// <summary>
/// <c>eddy topic list|create|describe|delete</c>: topic administration against any Kafka cluster
/// (the embedded broker or a real one), through Eddy.Client's admin client.
/// </summary>
public static class TopicCommand
{
    /// <summary>Creates the <c>topic</c> verb and its sub-commands.</summary>
    /// <example>
    /// <code>
    /// root.Subcommands.Add(TopicCommand.Create());
    /// // eddy topic create orders --partitions 6 --config retention.ms=86400000
    /// // eddy topic describe orders -b localhost:9092
    /// </code>
    /// </example>
    public static Command Create()
    {
        var command = new Command("topic", "List, create, describe and delete topics.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(CreateTopic());
        command.Subcommands.Add(Describe());
        command.Subcommands.Add(Delete());
        return command;
    }

    private static Command List()
    {
        var client = new ClientOptions();
        var all = new Option<bool>("--internal") { Description = "Include internal topics (e.g. __consumer_offsets)" };
        var command = new Command("list", "List topic names, one per line.") { all };
        client.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => VerbRunner.RunAsync(parseResult, async _ =>
        {
            await using var admin = new KafkaAdminClient(client.Apply(parseResult, new AdminClientConfig()));
            var names = await admin.ListTopicsAsync(parseResult.GetValue(all), cancellationToken).ConfigureAwait(false);
            var output = parseResult.InvocationConfiguration.Output;
            foreach (var name in names.Order(StringComparer.Ordinal))
            {
                await output.WriteLineAsync(name).ConfigureAwait(false);
            }
            return 0;
        }));
        return command;
    }

    private static Command CreateTopic()
    {
        var client = new ClientOptions();
        var name = new Argument<string>("name") { Description = "Topic name" };
        var partitions = new Option<int>("--partitions", "-p") { Description = "Partition count (default: the broker's num.partitions)", DefaultValueFactory = _ => -1 };
        var replicas = new Option<short>("--replication-factor", "-r") { Description = "Replication factor (default: the broker's)", DefaultValueFactory = _ => -1 };
        var configs = new Option<string[]>("--config", "-c") { Description = "A topic config as name=value; may be repeated", AllowMultipleArgumentsPerToken = false };
        var ifNotExists = new Option<bool>("--if-not-exists") { Description = "Succeed when the topic already exists" };
        var command = new Command("create", "Create a topic.") { name, partitions, replicas, configs, ifNotExists };
        client.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => VerbRunner.RunAsync(parseResult, async _ =>
        {
            var topicConfigs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in parseResult.GetValue(configs) ?? [])
            {
                var (key, value) = ClientOptions.SplitPair(pair, "--config");
                topicConfigs[key] = value;
            }
            var topic = parseResult.GetValue(name)!;
            await using var admin = new KafkaAdminClient(client.Apply(parseResult, new AdminClientConfig()));
            try
            {
                await admin.CreateTopicsAsync(
                    [new NewTopic(topic, parseResult.GetValue(partitions), parseResult.GetValue(replicas)) { Configs = topicConfigs }],
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (AdminOperationException e) when (parseResult.GetValue(ifNotExists) && e.Results.All(r => r.IsSuccess || r.Error == ErrorCode.TopicAlreadyExists))
            {
                return 0;
            }
            await parseResult.InvocationConfiguration.Output.WriteLineAsync($"created topic {topic}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Describe()
    {
        var client = new ClientOptions();
        var name = new Argument<string>("name") { Description = "Topic name" };
        var command = new Command("describe", "Show a topic's partitions, leaders and the configs that differ from the defaults.") { name };
        client.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => VerbRunner.RunAsync(parseResult, async error =>
        {
            var topic = parseResult.GetValue(name)!;
            await using var admin = new KafkaAdminClient(client.Apply(parseResult, new AdminClientConfig()));
            var description = (await admin.DescribeTopicsAsync([topic], cancellationToken).ConfigureAwait(false))[0];
            if (description.Error != ErrorCode.None)
            {
                await error.WriteLineAsync($"error: cannot describe topic '{topic}': {description.Error}").ConfigureAwait(false);
                return 1;
            }
            var output = parseResult.InvocationConfiguration.Output;
            var id = description.TopicId == Guid.Empty ? string.Empty : $"\tTopicId: {description.TopicId}";
            await output.WriteLineAsync($"Topic: {description.Name}{id}\tPartitionCount: {description.Partitions.Count}").ConfigureAwait(false);
            try
            {
                var configs = (await admin.DescribeConfigsAsync([new ConfigResource(ConfigResourceType.Topic, topic)], cancellationToken).ConfigureAwait(false))[0];
                var overrides = configs.Entries.Where(e => !e.IsDefault && e.Source == ConfigSource.DynamicTopicConfig).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
                await output.WriteLineAsync($"Configs: {string.Join(',', overrides.Select(e => $"{e.Name}={(e.IsSensitive ? "****" : e.Value)}"))}").ConfigureAwait(false);
            }
            catch (KafkaException e)
            {
                // Some brokers (librdkafka's mock) have no DescribeConfigs: the partitions are still worth showing.
                await output.WriteLineAsync($"Configs: (unavailable: {e.Message})").ConfigureAwait(false);
            }
            foreach (var p in description.Partitions.OrderBy(p => p.Partition))
            {
                await output.WriteLineAsync($"\tPartition: {p.Partition}\tLeader: {p.Leader}\tReplicas: {string.Join(',', p.Replicas)}\tIsr: {string.Join(',', p.Isr)}").ConfigureAwait(false);
            }
            return 0;
        }));
        return command;
    }

    private static Command Delete()
    {
        var client = new ClientOptions();
        var name = new Argument<string>("name") { Description = "Topic name" };
        var ifExists = new Option<bool>("--if-exists") { Description = "Succeed when the topic does not exist" };
        var command = new Command("delete", "Delete a topic and its data.") { name, ifExists };
        client.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => VerbRunner.RunAsync(parseResult, async _ =>
        {
            var topic = parseResult.GetValue(name)!;
            await using var admin = new KafkaAdminClient(client.Apply(parseResult, new AdminClientConfig()));
            try
            {
                await admin.DeleteTopicsAsync([topic], cancellationToken).ConfigureAwait(false);
            }
            catch (AdminOperationException e) when (parseResult.GetValue(ifExists) && e.Results.All(r => r.IsSuccess || r.Error == ErrorCode.UnknownTopicOrPartition))
            {
                return 0;
            }
            await parseResult.InvocationConfiguration.Output.WriteLineAsync($"deleted topic {topic}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
