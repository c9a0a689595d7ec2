using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Lrs.Api.Hosting;

/// <summary>
/// Metrics through OpenTelemetry, scraped at <c>/metrics</c> in Prometheus format: the LRS's own meter
/// (<see cref="LrsMetrics"/>) and ASP.NET Core's request metrics (duration, active requests, by route template).
/// </summary>
public static class MetricsSetup
{
    public static IServiceCollection AddLrsMetrics(this IServiceCollection services)
    {
        services.AddSingleton<LrsMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(LrsMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());
        return services;
    }

    /// <summary>Unauthenticated, as scrapers expect: the metrics name no tenant, person or statement.</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics")
            .WithMetadata(new HttpMethodMetadata(["GET"]))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }
}

/// <summary>Where stored statements come from, as the <c>lrs.statement.source</c> attribute names it.</summary>
public static class StatementSources
{
    public const string Xapi = "xapi";
    public const string Session = "session";
    public const string Webinar = "webinar";
    public const string Answer = "answer";
    public const string GroupReflection = "group-reflection";
    public const string Deviation = "deviation";
    public const string Demo = "demo";
}

/// <summary>The LRS's own instruments, on the meter <see cref="MeterName"/>.</summary>
public sealed class LrsMetrics
{
    public const string MeterName = "LrsApi";

    private readonly Counter<long> _stored;
    private readonly Histogram<int> _batchSize;

    public LrsMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _stored = meter.CreateCounter<long>("lrs.statements.stored", "{statement}",
            "Statements in batches the LRS stored (one sent again with the same id counts again), by source.");
        _batchSize = meter.CreateHistogram("lrs.statement.batch.size", "{statement}", "Statements per stored batch, by source.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] });
    }

    /// <summary>Records a stored batch of <paramref name="count"/> statements from <paramref name="source"/> (a <see cref="StatementSources"/> value).</summary>
    public void Stored(string source, int count)
    {
        var tag = new KeyValuePair<string, object?>("lrs.statement.source", source);
        _stored.Add(count, tag);
        _batchSize.Record(count, tag);
    }
}
