using Lrs.Core.Competence;
using Lrs.Core.Storage;
using Microsoft.Extensions.Options;

namespace Lrs.Api.Admin;

/// <summary>A tenant's retention policy applied now: the cut-offs from its periods and the clock, and the run itself.</summary>
public sealed class Retention(IPrivacyStore store, TimeProvider time)
{
    /// <summary>The cut-offs of <paramref name="periods"/> at <paramref name="now"/>: now minus each period.</summary>
    public static RetentionCutoffs Cutoffs(RetentionPeriods periods, DateTimeOffset now)
    {
        static DateTimeOffset? Before(DateTimeOffset now, string? period) =>
            period is not null && IsoDuration.TryParse(period, out var value) ? IsoDuration.SubtractFrom(now, value) : null;
        return new(Before(now, periods.Statements), Before(now, periods.ReflectionAnswers), Before(now, periods.Audit));
    }

    /// <summary>Applies (or, dry, counts) the tenant's retention; audited by the store.</summary>
    public async Task<(RetentionCutoffs Cutoffs, RetentionCounts Counts)> ApplyAsync(long tenantId, bool dryRun, string actor, CancellationToken ct)
    {
        var policy = await store.GetPolicyAsync(tenantId, ct) ?? PrivacyPolicy.Default;
        var now = time.GetUtcNow();
        var cutoffs = Cutoffs(policy.Retention, now);
        return (cutoffs, await store.ApplyRetentionAsync(tenantId, cutoffs, dryRun, now, actor, ct));
    }
}

/// <summary>
/// The daily retention run of every tenant whose policy limits how long something is kept: first an hour after start (the
/// store is ready and a restarting node does not cull at once), then every 24 hours of its <see cref="TimeProvider"/>
/// (<c>Lrs:Retention:FirstRunMinutes</c> and <c>Lrs:Retention:IntervalHours</c>).
/// </summary>
public sealed partial class DailyRetention(IPrivacyStore store, Retention retention, IEventStore events, TimeProvider time, IOptions<LrsOptions> options,
    Hosting.StoreOutage outage, ILogger<DailyRetention> log) : BackgroundService
{
    /// <summary>The audit actor of the daily run.</summary>
    public const string Actor = "retention:daily";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = options.Value.Retention;
        var wait = TimeSpan.FromMinutes(schedule.FirstRunMinutes);
        try
        {
            while (true)
            {
                await Task.Delay(wait, time, stoppingToken);
                wait = TimeSpan.FromHours(schedule.IntervalHours);
                await RunAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// One run: events older than <see cref="EventOptions.Retention"/> that no subscription still has to deliver, then every
    /// tenant with a retention period; what fails is logged and tried again tomorrow.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            IsoDuration.TryParse(options.Value.Events.Retention, out var period);
            EventsRemoved(log, await events.DeleteDeliveredAsync(IsoDuration.SubtractFrom(time.GetUtcNow(), period), ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (outage.Explains(e)) outage.Report(e);
            else EventsFailed(log, e);
        }

        IReadOnlyList<(long TenantId, PrivacyPolicy Policy)> tenants;
        try
        {
            tenants = await store.PoliciesWithRetentionAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(0, e);
            return;
        }
        foreach (var (tenant, _) in tenants)
        {
            try
            {
                var (_, counts) = await retention.ApplyAsync(tenant, dryRun: false, Actor, ct);
                Applied(log, tenant, counts.Statements, counts.ReflectionAnswers, counts.AuditEntries);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Failed(tenant, e);
            }
        }
    }

    // The database away is logged once per outage by StoreOutage, not as an error of the run.
    private void Failed(long tenant, Exception e)
    {
        if (outage.Explains(e)) outage.Report(e);
        else RunFailed(log, tenant, e);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention of tenant {Tenant}: {Statements} statements, {Answers} reflection answers, {Audit} audit entries removed.")]
    private static partial void Applied(ILogger log, long tenant, int statements, int answers, int audit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention of events: {Events} delivered events removed.")]
    private static partial void EventsRemoved(ILogger log, int events);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention of events failed; tried again tomorrow.")]
    private static partial void EventsFailed(ILogger log, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention run failed (tenant {Tenant}; 0: listing the tenants); tried again tomorrow.")]
    private static partial void RunFailed(ILogger log, long tenant, Exception e);
}
