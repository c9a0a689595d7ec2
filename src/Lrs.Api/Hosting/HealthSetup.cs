using System.Globalization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lrs.Api.Hosting;

/// <summary>
/// <c>/health/live</c> (200 while the process serves requests) and <c>/health/ready</c> (200 while the store answers with
/// the schema version this code expects, else 503 with Retry-After), unauthenticated, for load balancers and orchestrators.
/// </summary>
public static class HealthSetup
{
    private const string Ready = "ready";

    public static IServiceCollection AddLrsHealth(this IServiceCollection services)
    {
        // A database that does not answer within the timeout is as good as down for a load balancer.
        services.AddHealthChecks().AddCheck<StoreReadiness>("store", tags: [Ready], timeout: TimeSpan.FromSeconds(5));
        // The framework logs every unhealthy check as an error: one line per poll of a load balancer during an outage,
        // which StoreOutage already logs once.
        services.Configure<LoggerFilterOptions>(o => o.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical));
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        Map(app, "/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        Map(app, "/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync });
        return app;
    }

    private static void Map(IEndpointRouteBuilder app, string pattern, HealthCheckOptions options) =>
        app.MapHealthChecks(pattern, options)
            .WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]))
            .AllowAnonymous()
            .ExcludeFromDescription();

    // Plain text: the status, then what is wrong. Only the checks' own descriptions, never an exception's message: the
    // endpoint is unauthenticated.
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        if (report.Status != HealthStatus.Healthy)
            context.Response.Headers.RetryAfter = StoreOutage.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var lines = report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy)
            .Select(e => e.Exception is null ? e.Description : "The check failed.");
        return context.Response.WriteAsync(string.Join('\n', [report.Status.ToString(), .. lines]) + "\n");
    }
}

/// <summary>
/// Ready means the store answers and its schema is the version this code expects. While <see cref="StoreOutage"/> knows
/// the database is away the answer is 503 at once; its probe notices the return, so ready comes back without a restart.
/// </summary>
public sealed class StoreReadiness(LrsStore store, StoreOutage outage) : IHealthCheck
{
    private const string Unreachable = "The database is unreachable.";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (outage.IsDown) return HealthCheckResult.Unhealthy(Unreachable);
        int version;
        try
        {
            version = await store.Schema.SchemaVersionAsync(ct);
        }
        catch (Exception e) when (outage.Explains(e))
        {
            outage.Report(e);
            return HealthCheckResult.Unhealthy(Unreachable);
        }
        var expected = store.Schema.ExpectedSchemaVersion;
        return version == expected
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"The database schema is at version {version}; this LRS expects version {expected}.");
    }
}
