using System.Diagnostics.Metrics;

namespace Eddy.Broker.Internal;

/// <summary>The broker's instruments on the <c>Eddy.Broker</c> meter (OpenTelemetry-style dotted names).</summary>
internal sealed class BrokerMetrics : IDisposable
{
    public const string MeterName = "Eddy.Broker";
    private readonly Meter? _ownedMeter;

    public BrokerMetrics(IMeterFactory? factory)
    {
        Meter meter;
        if (factory is null)
        {
            _ownedMeter = new Meter(MeterName);
            meter = _ownedMeter;
        }
        else
        {
            meter = factory.Create(MeterName);
        }

        Requests = meter.CreateCounter<long>("eddy.broker.requests", "{request}", "Requests handled, by API.");
        ProducedRecords = meter.CreateCounter<long>("eddy.broker.produce.records", "{record}", "Records appended by Produce.");
        ProducedBytes = meter.CreateCounter<long>("eddy.broker.produce.bytes", "By", "Record batch bytes appended by Produce.");
        FetchedBytes = meter.CreateCounter<long>("eddy.broker.fetch.bytes", "By", "Record bytes served by Fetch.");
        Connections = meter.CreateUpDownCounter<long>("eddy.broker.connections", "{connection}", "Open client connections.");
        ClosedForBadInput = meter.CreateCounter<long>("eddy.broker.connections.rejected", "{connection}", "Connections closed for malformed or oversized input.");
        FlushDuration = meter.CreateHistogram<double>("eddy.broker.flush.duration", "ms", "Duration of one fsync of a partition.");
    }

    public Counter<long> Requests { get; }

    public Counter<long> ProducedRecords { get; }

    public Counter<long> ProducedBytes { get; }

    public Counter<long> FetchedBytes { get; }

    public UpDownCounter<long> Connections { get; }

    public Counter<long> ClosedForBadInput { get; }

    public Histogram<double> FlushDuration { get; }

    public void Dispose() => _ownedMeter?.Dispose();
}
