namespace Eddy.Streams.Testing;

/// <summary>A clock that moves only when told: the test driver's wall clock.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "Time cannot move backwards.");
        }
        _now += by;
    }
}
