namespace Lrs.Api;

/// <summary>Configuration under <c>Lrs</c> (environment: <c>Lrs__Storage__Provider</c> and so on).</summary>
public sealed class LrsOptions
{
    public StorageOptions Storage { get; set; } = new();
    public BootstrapOptions Bootstrap { get; set; } = new();
    public XapiOptions Xapi { get; set; } = new();
    public OidcOptions Oidc { get; set; } = new();
    public EntraOptions Entra { get; set; } = new();
    public LimitOptions Limits { get; set; } = new();
    public CompetenceOptions Competence { get; set; } = new();
    public ReflectionOptions Reflection { get; set; } = new();
    public WebinarOptions Webinars { get; set; } = new();
    public EventOptions Events { get; set; } = new();
    public MetricsOptions Metrics { get; set; } = new();
    public RetentionOptions Retention { get; set; } = new();
}

/// <summary>When each server applies the tenants' retention periods by itself.</summary>
public sealed class RetentionOptions
{
    /// <summary>The first run, this many minutes after start: the store is ready, and a restarting node does not cull at once.</summary>
    public double FirstRunMinutes { get; set; } = 60;

    /// <summary>The time between runs, in hours.</summary>
    public double IntervalHours { get; set; } = 24;
}

/// <summary>Whether the LRS collects metrics and serves them at <c>/metrics</c>.</summary>
public sealed class MetricsOptions
{
    /// <summary>Off, nothing listens to the LRS's instruments or ASP.NET Core's, and <c>/metrics</c> is not served.</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>How webinar attendance is judged.</summary>
public sealed class WebinarOptions
{
    /// <summary>
    /// The share of a webinar's length a participant must be present to count as attended, when the webinar names none
    /// (above 0, at most 1).
    /// </summary>
    public double MinimumAttendedShare { get; set; } = 0.75;
}

/// <summary>How competence profiles are judged.</summary>
public sealed class CompetenceOptions
{
    /// <summary>
    /// A competence whose evidence expires within this many days is <c>expiring</c> rather than <c>valid</c>
    /// (a request may ask for another window with <c>expiringWithinDays</c>).
    /// </summary>
    public int ExpiringWindowDays { get; set; } = 60;
}

/// <summary>How events reach other systems: webhook delivery and the scheduled pass for what time alone changes.</summary>
public sealed class EventOptions
{
    /// <summary>How often a node looks for subscriptions with events to deliver, in milliseconds.</summary>
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>How often a node looks for competence statuses and tasks that time alone changed, in seconds.</summary>
    public double TimePassSeconds { get; set; } = 60;

    /// <summary>The first wait after a failed delivery, in seconds; each further failure doubles it, up to <see cref="RetryMaxSeconds"/>.</summary>
    public double RetryBaseSeconds { get; set; } = 10;

    /// <summary>The longest wait between attempts, in seconds.</summary>
    public double RetryMaxSeconds { get; set; } = 3600;

    /// <summary>A subscription whose deliveries have failed for this many hours is paused (an admin resumes it).</summary>
    public double PauseAfterHours { get; set; } = 24;

    /// <summary>How long one delivery may take before it counts as failed, in seconds.</summary>
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// How long events are kept (an ISO 8601 duration): the daily retention run deletes older ones, except those a webhook
    /// subscription (active or paused) still has to deliver.
    /// </summary>
    public string Retention { get; set; } = "P30D";
}

public sealed class ReflectionOptions
{
    /// <summary>The time zone of meeting dates and follow-up months (an IANA id).</summary>
    public string TimeZone { get; set; } = "Europe/Stockholm";

    /// <summary>How far back a group reflection's agenda looks for trainings when the unit held none before.</summary>
    public int AgendaDays { get; set; } = 30;
}

public sealed class StorageOptions
{
    /// <summary><c>Sqlite</c> (default, embedded) or <c>Postgres</c>.</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>ADO.NET connection string; for SQLite the default is a file under the working directory.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How many statement transactions run at once; concurrent requests beyond that share a transaction
    /// (group commit). 0 picks the store's default: 1 for SQLite, 2 for PostgreSQL. On PostgreSQL as many again are kept
    /// for requests of 50 statements or more, each written on its own while one is free.
    /// </summary>
    public int Writers { get; set; }

    /// <summary>
    /// How many statement queries run against the database at once; more wait their turn. 0 picks twice the number of
    /// processors: on a few cores, many reads at once each take longer than they would in turn.
    /// </summary>
    public int Readers { get; set; }

    /// <summary>
    /// PostgreSQL: a statement query one of whose keys (an agent, a verb, a registration, ...) the table's statistics put on fewer
    /// statements than this, as the planner estimates them, reads that key's statements whole and sorts them, in one pass; other
    /// queries choose the page first and read only its rows. 0 never reads in one pass.
    /// </summary>
    public int RareKeyStatements { get; set; } = 1_000;

    /// <summary>PostgreSQL: how old, in seconds, a node's copy of the statistics that <see cref="RareKeyStatements"/> reads may get.</summary>
    public int KeyStatisticsSeconds { get; set; } = 60;
}

public sealed class BootstrapOptions
{
    /// <summary>Key of the first credential; generated when absent.</summary>
    public string? Key { get; set; }

    /// <summary>Secret of the first credential; generated and printed once when absent.</summary>
    public string? Secret { get; set; }

    /// <summary>Name of the tenant the first credential belongs to.</summary>
    public string Tenant { get; set; } = "default";

    /// <summary>homePage of the account used as the authority of a credential's statements.</summary>
    public string AuthorityHomePage { get; set; } = "http://localhost:8080";
}

public sealed class XapiOptions
{
    /// <summary>The most statements one GET returns (also what <c>limit=0</c> means).</summary>
    public int MaxStatementsPerPage { get; set; } = 500;

    /// <summary>
    /// The most attachment data (all parts after the statements) one multipart/mixed request may carry; more is
    /// answered 413. Kestrel's body limit is raised by this much for such requests.
    /// </summary>
    public long MaxAttachmentBytes { get; set; } = 64L * 1024 * 1024;
}

/// <summary>Bounds on what one caller may ask of the LRS.</summary>
public sealed class LimitOptions
{
    /// <summary>
    /// Requests per second each credential or token may make, on average; beyond the burst the answer is 429
    /// with Retry-After. 0 turns the limit off. The default is far above what content or an LMS sends.
    /// </summary>
    public int RequestsPerSecond { get; set; } = 10_000;

    /// <summary>Requests a credential may make at once before the per-second rate applies.</summary>
    public int Burst { get; set; } = 20_000;

    /// <summary>The largest request body (bytes) other than the attachment parts of multipart statements; more is 413.</summary>
    public long MaxRequestBytes { get; set; } = 10_000_000;

    /// <summary>
    /// The most statements one POST may carry; more is 413. It bounds the memory a request takes (parsed, validated and
    /// prepared statements are held until their transaction commits), which the body size alone does not: short
    /// statements cost several times their size.
    /// </summary>
    public int MaxStatementsPerRequest { get; set; } = 1_000;

    /// <summary>
    /// Failed HTTP Basic logins (unknown key, wrong secret, expired, revoked, malformed) one client address may
    /// make in a minute; beyond them its requests with credentials not verified before on this node get 429 with
    /// Retry-After, without hashing, until the minute is over. 0 turns the limit off.
    /// </summary>
    public int FailedLoginsPerMinute { get; set; } = 30;
}

/// <summary>OAuth2/OIDC bearer tokens of one issuer other than Entra ID; off while <see cref="Authority"/> is empty.</summary>
public sealed class OidcOptions
{
    /// <summary>The issuer, e.g. <c>https://idp.example.se/realms/lrs</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must carry.</summary>
    public string? Audience { get; set; }

    /// <summary>Where the discovery document is, when not under <see cref="Authority"/>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>Whether discovery must be fetched over HTTPS.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The claim whose value names the LRS tenant.</summary>
    public string TenantClaim { get; set; } = "lrs_tenant";

    /// <summary>The claim whose value becomes <c>lrs:organisation</c>.</summary>
    public string OrganisationClaim { get; set; } = "lrs_org";
}

/// <summary>
/// Entra ID access tokens through Microsoft.Identity.Web, from every Entra tenant in <see cref="Tenants"/>;
/// off while <see cref="ClientId"/> is empty.
/// </summary>
public sealed class EntraOptions
{
    /// <summary>The cloud instance.</summary>
    public string Instance { get; set; } = "https://login.microsoftonline.com/";

    /// <summary><c>organizations</c> (any work or school tenant, narrowed by <see cref="Tenants"/>) or one tenant id.</summary>
    public string TenantId { get; set; } = "organizations";

    /// <summary>The application (client) id of the LRS's app registration; v2 tokens carry it as <c>aud</c>.</summary>
    public string? ClientId { get; set; }

    /// <summary>A further audience to accept, e.g. the app ID URI when it is not <c>api://{ClientId}</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>The allow-list: Entra tenant id (claim <c>tid</c>) → the LRS tenant and organisation its tokens reach.</summary>
    public Dictionary<string, EntraTenant> Tenants { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>What the tokens of one Entra tenant reach.</summary>
public sealed class EntraTenant
{
    /// <summary>The name of the LRS tenant (it must exist; a token never creates one).</summary>
    public string? Tenant { get; set; }

    /// <summary>
    /// The organisation (employer) the tokens are restricted to, as <c>--organisation</c> restricts a credential;
    /// <c>*</c> for the whole LRS tenant.
    /// </summary>
    public string? Organisation { get; set; }

    /// <summary>The value of <see cref="Organisation"/> that restricts to no organisation.</summary>
    public const string WholeTenant = "*";
}
