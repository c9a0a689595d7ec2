// What metrics add to one single-statement POST, measured without HTTP or a database so that a busy machine changes it
// little: the LRS's own recordings (LrsMetrics, StoreMetrics) plus stand-ins for the framework's (ASP.NET Core's request
// duration with its five attributes, Npgsql's command duration for each of the ~10 commands of a statement's
// transaction), all listened to by an OpenTelemetry meter provider with cumulative aggregation, as the Prometheus
// exporter uses. Prints ns per request: the best of several rounds, since interference only ever adds time.
//
//   dotnet run -c Release --project scripts/bench/MetricsCost [-- ROUNDS ITERATIONS]
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Lrs.Api.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

var rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 7;
var iterations = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 500_000;

using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
var lrs = new LrsMetrics(services.GetRequiredService<IMeterFactory>());
using var hosting = new Meter("Microsoft.AspNetCore.Hosting");
var requestDuration = hosting.CreateHistogram<double>("http.server.request.duration", "s");
using var npgsql = new Meter("Npgsql");
var commandDuration = npgsql.CreateHistogram<double>("db.client.operation.duration", "s");
const int CommandsPerStatement = 10;

using var provider = Sdk.CreateMeterProviderBuilder()
    .AddMeter(LrsMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Npgsql")
    .AddReader(new BaseExportingMetricReader(new NoExport()) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative })
    .Build();

var route = new KeyValuePair<string, object?>[]
{
    new("http.request.method", "POST"), new("url.scheme", "http"), new("http.route", "/xapi/statements"),
    new("http.response.status_code", 200), new("network.protocol.version", "1.1"),
};
var pool = new KeyValuePair<string, object?>[] { new("db.client.connection.pool.name", "lrs"), new("db.system.name", "postgresql") };

void Request()
{
    var queued = Stopwatch.GetTimestamp();
    lrs.Store.GroupStarted(1);
    lrs.Store.Waited(queued);
    for (var c = 0; c < CommandsPerStatement; c++) commandDuration.Record(0.0004, pool);
    lrs.Store.Recorded(1, 0);
    lrs.Stored(StatementSources.Xapi, 1);
    requestDuration.Record(0.003, route);
}

var best = double.MaxValue;
for (var round = 0; round < rounds; round++)
{
    var start = Stopwatch.GetTimestamp();
    for (var i = 0; i < iterations; i++) Request();
    var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / iterations;
    best = Math.Min(best, ns);
    Console.WriteLine($"round {round + 1}: {ns:F0} ns per request");
}
Console.WriteLine($"best: {best:F0} ns per single-statement request ({CommandsPerStatement} database commands), with OpenTelemetry listening");

sealed class NoExport : BaseExporter<Metric>
{
    public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
}
