using System.Diagnostics.Metrics;
using Lrs.Core.Xapi;
using Lrs.Storage;
using Npgsql;
using OpenTelemetry.Metrics;

namespace Lrs.Api.Hosting;

/// <summary>
/// Metrics through OpenTelemetry, scraped at <c>/metrics</c> in Prometheus format: the LRS's own meter
/// (<see cref="LrsMetrics"/>), ASP.NET Core's request metrics (duration, active requests, by route template), the .NET
/// runtime's (garbage collections and their pause time, heap sizes, CPU time, the thread pool) and, on PostgreSQL, Npgsql's
/// (connections, command durations).
/// </summary>
public static class MetricsSetup
{
    /// <summary>Registers the LRS's instruments; with <paramref name="enabled"/>, OpenTelemetry listens to them and to the framework's.</summary>
    public static IServiceCollection AddLrsMetrics(this IServiceCollection services, bool enabled)
    {
        services.AddSingleton<LrsMetrics>();
        if (!enabled) return services;
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(LrsMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddNpgsqlInstrumentation()
            // The runtime's own: garbage collections and their pauses, heap sizes, CPU time, the thread pool's queue.
            .AddMeter("System.Runtime")
            // Recorded on every request or every database command, and telling an operator little that the durations do not:
            // not listened to, they cost nothing.
            .AddView("db.client.operation.npgsql.executing", MetricStreamConfiguration.Drop)
            .AddView("aspnetcore.routing.match_attempts", MetricStreamConfiguration.Drop)
            .AddView("aspnetcore.authentication.authenticate.duration", MetricStreamConfiguration.Drop)
            .AddView("aspnetcore.authorization.attempts", MetricStreamConfiguration.Drop)
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

/// <summary>Why a request failed to authenticate or was refused before it was handled, as <c>error.type</c> and <c>lrs.throttle.reason</c> name it.</summary>
public static class RefusalReasons
{
    /// <summary>The Authorization header is not a well-formed Basic one.</summary>
    public const string Malformed = "malformed";
    /// <summary>No such key, a wrong secret, or a revoked or expired credential.</summary>
    public const string UnknownCredential = "unknown_credential";
    /// <summary>A bearer token that did not validate or grants nothing here.</summary>
    public const string TokenRejected = "token_rejected";
    /// <summary>The client address made too many failed logins.</summary>
    public const string FailedLogins = "failed_logins";
    /// <summary>The credential's request rate is used up.</summary>
    public const string RateLimit = "rate_limit";
}

/// <summary>
/// The LRS's own instruments, on the meter <see cref="MeterName"/>. One instance per process: the meter lives as long as
/// the host, because OpenTelemetry treats every meter of one name as one, and a disposed one ends the export of all.
/// Attributes are small fixed sets; none names a tenant, a person or a statement.
/// </summary>
public sealed class LrsMetrics
{
    public const string MeterName = "LrsApi";

    // The statement properties whose rules a validation error is classed by; anything else is "statement".
    private static readonly HashSet<string> ValidationClasses =
        ["id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version", "attachments"];

    private readonly Counter<long> _stored;
    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _invalid;
    private readonly Counter<long> _authenticationFailures;
    private readonly Counter<long> _throttled;

    public LrsMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        Store = new StoreMetrics(meter);
        _stored = meter.CreateCounter<long>("lrs.statements.stored", "{statement}",
            "Statements in batches the LRS stored (one sent again with the same id counts again), by source.");
        _batchSize = meter.CreateHistogram("lrs.statement.batch.size", "{statement}", "Statements per stored batch, by source.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] });
        _invalid = meter.CreateCounter<long>("lrs.statement.validation.failures", "{batch}",
            "Batches refused as invalid, by error.type: the statement property whose rule failed (actor, verb, object, result, context, " +
            "timestamp, id, attachments, ...; statement for the statement as a whole), once per class of error in the batch.");
        _authenticationFailures = meter.CreateCounter<long>("lrs.authentication.failures", "{request}",
            "Requests whose credentials did not authenticate, by lrs.authentication.scheme (basic, bearer) and error.type " +
            "(malformed, unknown_credential, token_rejected).");
        _throttled = meter.CreateCounter<long>("lrs.requests.throttled", "{request}",
            "Requests answered 429, by lrs.throttle.reason: failed_logins (the address guessed too often) or rate_limit (the credential's rate).");
    }

    /// <summary>The store's instruments, on the same meter.</summary>
    public StoreMetrics Store { get; }

    /// <summary>Records a stored batch of <paramref name="count"/> statements from <paramref name="source"/> (a <see cref="StatementSources"/> value).</summary>
    public void Stored(string source, int count)
    {
        var tag = new KeyValuePair<string, object?>("lrs.statement.source", source);
        _stored.Add(count, tag);
        _batchSize.Record(count, tag);
    }

    /// <summary>Records a batch refused for these errors, once per class of error.</summary>
    public void Invalid(IEnumerable<ValidationError> errors)
    {
        if (!_invalid.Enabled) return;
        foreach (var reason in errors.Select(e => ClassOf(e.Path)).Distinct(StringComparer.Ordinal))
            _invalid.Add(1, new KeyValuePair<string, object?>("error.type", reason));
    }

    /// <summary>Records a request whose credentials did not authenticate (<paramref name="reason"/>: a <see cref="RefusalReasons"/> value).</summary>
    public void AuthenticationFailed(string scheme, string reason) =>
        _authenticationFailures.Add(1, new KeyValuePair<string, object?>("lrs.authentication.scheme", scheme), new KeyValuePair<string, object?>("error.type", reason));

    /// <summary>Records a request answered 429 (<paramref name="reason"/>: a <see cref="RefusalReasons"/> value).</summary>
    public void Throttled(string reason) => _throttled.Add(1, new KeyValuePair<string, object?>("lrs.throttle.reason", reason));

    // "$.actor.mbox" and "$[3].actor.mbox" are actor; "$" and anything unforeseen are statement.
    private static string ClassOf(string path)
    {
        var rest = path.StartsWith("$[", StringComparison.Ordinal) && path.IndexOf(']') is var close and > 0 ? path[(close + 1)..] : path.TrimStart('$');
        if (!rest.StartsWith('.')) return "statement";
        var end = rest.IndexOfAny(['.', '['], 1);
        var property = end < 0 ? rest[1..] : rest[1..end];
        return ValidationClasses.Contains(property) ? property : "statement";
    }
}
