using Lrs.Api;
using Lrs.Api.Admin;
using Lrs.Api.Admin.Cli;
using Lrs.Api.Auth;
using Lrs.Api.Competence;
using Lrs.Api.Events;
using Lrs.Api.FollowUp;
using Lrs.Api.Hosting;
using Lrs.Api.Learning;
using Lrs.Api.People;
using Lrs.Api.Planning;
using Lrs.Api.Reflection;
using Lrs.Api.Xapi;
using Lrs.Core.Xapi;

if (AdminCommands.IsCommand(args))
{
    Environment.ExitCode = await AdminCommands.RunAsync(args);
    return;
}

// Configuration is read once, at start. Reloading on change would watch the content root, and with it the SQLite
// database under data/: every write would wake the watcher.
var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
    builder.WebHost.UseUrls("http://localhost:8080");

// Per-request framework logs stay below Information: the hot path logs nothing per statement.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
// Likewise webhook sends: Polly logs every attempt at Information; its retries and timeouts are warnings.
builder.Logging.AddFilter("Polly", LogLevel.Warning);

// A query parameter that does not parse (changedSince=yesterday) is a 400 that says which one, not an empty 400.
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
// Numbers are JSON numbers, read and written: not "5", and integers are integers in the OpenAPI document.
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
builder.Services.AddOptions<LrsOptions>().BindConfiguration("Lrs")
    .Validate(o => o.Webinars.MinimumAttendedShare is > 0 and <= 1, "Lrs:Webinars:MinimumAttendedShare is above 0 and at most 1.")
    .Validate(o => Lrs.Core.Competence.IsoDuration.IsValid(o.Events.Retention), "Lrs:Events:Retention is an ISO 8601 duration, such as P30D.")
    .Validate(o => o.Retention.FirstRunMinutes > 0 && o.Retention.IntervalHours > 0, "Lrs:Retention:FirstRunMinutes and Lrs:Retention:IntervalHours are above 0.")
    .Validate(o => o.Entra.Tenants.Values.All(t => !string.IsNullOrWhiteSpace(t.Tenant) && !string.IsNullOrWhiteSpace(t.Organisation)),
        "Every Lrs:Entra:Tenants:{tid} entry names a Tenant and an Organisation ('*' for the whole tenant).").ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<StoredClock>();
builder.Services.AddSingleton<StatementWriter>();
builder.Services.AddSingleton<FollowUpReader>();
builder.Services.AddSingleton<CredentialVersions>();
builder.Services.AddLrsStore();
builder.Services.AddHostedService<StoreInitializer>();
builder.Services.AddSingleton<Retention>();
builder.Services.AddHostedService<DailyRetention>();
builder.Services.AddHostedService<ConsistencyPublisher>();

builder.Services.AddSingleton<CredentialVerifier>();
builder.Services.AddLrsAuthentication();
builder.Services.AddAuthorization();
builder.Services.AddLrsOpenApi();
builder.Services.AddLrsCors();
builder.Services.AddLrsLimits();
ReceiveBlocks.AddReceiveBlocks(builder.Services);
builder.Services.AddLrsHealth();
// Read here, not from the bound options: it decides what is registered and mapped.
var metricsEnabled = builder.Configuration.GetValue("Lrs:Metrics:Enabled", true);
builder.Services.AddLrsMetrics(metricsEnabled);
builder.Services.AddSingleton<WebhookMetrics>();
WebhookDelivery.AddClient(builder.Services);
builder.Services.AddHostedService<WebhookDelivery>();
builder.Services.AddHostedService<TimeDrivenEvents>();

var app = builder.Build();

app.UseXapiVersionHeader();
app.UseHeadWithoutBody();
app.UseXapiErrors();
app.UseApiProblemStatusPages();
app.UseLrsBodyLimit();
app.UseAlternateRequestSyntax();
app.UseRouting();
app.UseCors();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();

app.MapHealth();
if (metricsEnabled) app.MapMetrics();
app.MapLrsOpenApi();
app.MapAbout();
app.MapXapiProfile();
app.MapStatements();
app.MapActivities();
app.MapAgents();
app.MapDocuments();
app.MapPeople();
app.MapPersonExport();
app.MapErasure();
app.MapOrganisations();
app.MapAdmin();
app.MapPrivacy();
app.MapFramework();
app.MapProfiles();
app.MapReflectionTasks();
app.MapGroupReflections();
app.MapSessions();
app.MapWebinars();
app.MapEvents();
app.MapWebhooks();
app.MapNeeds();
app.MapUnitPlans();
app.MapTrainingPlans();
app.MapLearningCentres();
app.MapFollowUp();

try
{
    app.Run();
}
catch (Lrs.Storage.IncompatibleSchemaException e)
{
    // The one start failure an operator must act on (wrong LRS version for this database): said plainly, exit code 1.
    Console.Error.WriteLine($"LrsApi cannot start: {e.Message}");
    Environment.ExitCode = 1;
}

/// <summary>The entry point, visible to the API tests.</summary>
public partial class Program;
