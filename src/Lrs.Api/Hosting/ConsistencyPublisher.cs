using Lrs.Core.Xapi;

namespace Lrs.Api.Hosting;

/// <summary>
/// On a database several nodes share, keeps <c>X-Experience-API-Consistent-Through</c> true for every node's writes: this
/// node publishes its own bound and takes in the smallest of the others' every <see cref="Interval"/>. The first exchange
/// happens before the server listens, so that no other node answers for a time before this node's first write without
/// knowing of it. A bound read stays true, so during an outage the last one read is kept (the header then stands still).
/// </summary>
public sealed partial class ConsistencyPublisher(LrsStore store, StoredClock clock, StoreOutage outage, ILogger<ConsistencyPublisher> log) : IHostedService, IAsyncDisposable
{
    /// <summary>How often bounds are exchanged: how far the header may lag behind the other nodes' commits.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public async Task StartAsync(CancellationToken ct)
    {
        if (store.Consistency is null) return;
        await ExchangeAsync(ct);
        _loop = Task.Run(LoopAsync, CancellationToken.None);
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    await ExchangeAsync(_stop.Token);
                }
                catch (Exception e) when (e is not (OperationCanceledException or ObjectDisposedException))
                {
                    // The database away is logged once per outage by StoreOutage.
                    if (outage.Explains(e)) outage.Report(e);
                    else Failed(log, e);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // Stopped; or the store (and with it the exchange) is gone, so this node has dropped out of the others' view.
        }
    }

    private async Task ExchangeAsync(CancellationToken ct) =>
        clock.OthersConsistentThrough(await store.Consistency!.ExchangeAsync(clock.OwnConsistentThrough(), ct));

    /// <remarks>
    /// A host may dispose this service before, after or while it stops it (a test server torn down), so stopping is safe to
    /// repeat and to race with disposal: the token source is cancelled, never disposed. It holds no timer and no wait
    /// handle, so there is nothing to release, and a second cancellation is a no-op where one after disposal would throw.
    /// </remarks>
    public async Task StopAsync(CancellationToken ct)
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consistency bounds not exchanged; the last ones read are kept.")]
    private static partial void Failed(ILogger logger, Exception exception);
}
