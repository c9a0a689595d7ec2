using System.Diagnostics.Metrics;

namespace Lrs.Api.Events;

/// <summary>Webhook delivery instruments, on the LRS's meter (<c>LrsApi</c>).</summary>
public sealed class WebhookMetrics
{
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _failures;
    private double _oldestAge;

    public WebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("LrsApi");
        _deliveries = meter.CreateCounter<long>("lrs.webhook.deliveries", "{delivery}", "Events delivered to webhook subscribers (answered 2xx).");
        _failures = meter.CreateCounter<long>("lrs.webhook.failures", "{failure}", "Webhook deliveries that failed (no 2xx answer in time); each is tried again later.");
        meter.CreateObservableGauge("lrs.webhook.undelivered.age", () => Volatile.Read(ref _oldestAge), "s",
            "How long ago the oldest event still waiting for some subscription happened (0 when none waits).");
    }

    /// <summary>Counts a delivered event.</summary>
    public void Delivered() => _deliveries.Add(1);

    /// <summary>Counts a failed delivery.</summary>
    public void Failed() => _failures.Add(1);

    /// <summary>Records how old the oldest undelivered event is.</summary>
    public void OldestUndelivered(TimeSpan age) => Volatile.Write(ref _oldestAge, Math.Max(0, age.TotalSeconds));
}
