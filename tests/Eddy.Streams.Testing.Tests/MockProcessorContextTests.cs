using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Testing.Tests;

public class MockProcessorContextTests
{
    private sealed class Dedup : IProcessor<string, string, string, string>
    {
        private IProcessorContext<string, string> _ctx = null!;
        private IKeyValueStore<string, string> _seen = null!;

        public void Init(IProcessorContext<string, string> context)
        {
            _ctx = context;
            _seen = context.GetStateStore<IKeyValueStore<string, string>>("seen");
            context.Schedule(TimeSpan.FromSeconds(1), PunctuationType.WallClockTime, _ => context.Commit());
        }

        public void Process(Record<string, string> record)
        {
            if (_seen.PutIfAbsent(record.Key, record.Value) is null)
            {
                _ctx.Forward(record, "out");
            }
        }
    }

    [Fact]
    public void Mock_context_captures_forwards_punctuations_and_commits()
    {
        var context = new MockProcessorContext<string, string>();
        var store = Stores.KeyValueStoreBuilder(Stores.InMemoryKeyValueStore("seen"), Serdes.String(), Serdes.String()).WithLoggingDisabled().Build();
        store.Init(context.StateStoreContext, store);
        context.AddStateStore(store);
        var processor = new Dedup();
        processor.Init(context);
        context.SetRecordMetadata("in", 2, 10);
        processor.Process(new Record<string, string>("a", "1", 5));
        processor.Process(new Record<string, string>("a", "2", 6));
        var forward = Assert.Single(context.Forwarded);
        Assert.Equal(("a", "1", 5L, "out"), (forward.Record.Key, forward.Record.Value, forward.Record.Timestamp, forward.ChildName));
        Assert.Equal(new RecordMetadata("in", 2, 10), context.RecordMetadata);
        var punctuator = Assert.Single(context.ScheduledPunctuators);
        Assert.Equal(PunctuationType.WallClockTime, punctuator.Type);
        Assert.False(context.Committed);
        punctuator.Punctuate(1000);
        Assert.True(context.Committed);
        context.ResetForwards();
        Assert.Empty(context.Forwarded);
    }
}
