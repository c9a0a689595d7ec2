using Lrs.Core.Storage;
using Microsoft.Extensions.Options;

namespace Lrs.Api.Events;

/// <summary>
/// The scheduled pass for what only time changes: competence statuses that become expiring or expired, and tasks that
/// become overdue. Every node runs it; the store makes concurrent passes take turns, so each change is announced once.
/// </summary>
public sealed partial class TimeDrivenEvents(IEventStore store, TimeProvider time, IOptions<LrsOptions> options, Hosting.StoreOutage outage, ILogger<TimeDrivenEvents> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(Math.Max(0.05, options.Value.Events.TimePassSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.AnnounceTimeChangesAsync(time.GetUtcNow(), stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database away is logged once per outage by StoreOutage; the next pass tries again.
                if (outage.Explains(e)) outage.Report(e);
                else LogPassFailed(log, e);
            }
            try
            {
                await Task.Delay(every, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The pass for time-driven events failed; the next pass tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
