using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Lrs.Api.Xapi;

/// <summary>The Statements resource (Communication 2.1): store, fetch, query, void.</summary>
public static class StatementsEndpoints
{
    public const string ConsistentThroughHeader = "X-Experience-API-Consistent-Through";

    private static readonly HashSet<string> PutParameters = ["statementId"];
    private static readonly HashSet<string> SingleParameters = ["statementId", "voidedStatementId", "attachments", "format"];
    private static readonly HashSet<string> QueryParameters =
    [
        "agent", "verb", "activity", "registration", "related_activities", "related_agents",
        "since", "until", "limit", "format", "attachments", "ascending",
    ];

    public static IEndpointRouteBuilder MapStatements(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/xapi/statements")
            .WithTags("xAPI")
            .RequireAuthorization()
            .RequireXapiVersion()
            .AddEndpointFilter(static async (context, next) =>
            {
                // Every statements response carries the consistency bound, errors included (XAPI-00153).
                var http = context.HttpContext;
                var clock = http.RequestServices.GetRequiredService<StoredClock>();
                http.Response.OnStarting(() =>
                {
                    if (!http.Response.Headers.ContainsKey(ConsistentThroughHeader))
                        http.Response.Headers[ConsistentThroughHeader] = XapiTimestamp.ToUtcString(clock.ConsistentThrough());
                    return Task.CompletedTask;
                });
                return await next(context);
            });

        group.MapPut("", PutStatement)
            .RequireScope(Scopes.StatementsWrite)
            .WithName("PutStatement")
            .WithSummary("Store one statement under the given id")
            .WithDescription("`statementId` is required; an `id` in the body must equal it. 204 when stored, or when an identical statement is stored already; 409 when a different statement has that id.")
            .Produces(StatusCodes.Status204NoContent)
            .Produces<XapiError>(StatusCodes.Status400BadRequest)
            .Produces<XapiError>(StatusCodes.Status409Conflict)
            .Produces<XapiError>(StatusCodes.Status413PayloadTooLarge);
        group.MapPost("", PostStatements)
            .RequireScope(Scopes.StatementsWrite)
            .WithName("PostStatements")
            .WithSummary("Store one statement or a batch")
            .WithDescription("The body is a statement or an array of statements. All or nothing: one invalid statement rejects the batch with every error listed. Answers the ids in order; ids are generated where absent.")
            .Produces<string[]>(StatusCodes.Status200OK)
            .Produces<XapiError>(StatusCodes.Status400BadRequest)
            .Produces<XapiError>(StatusCodes.Status409Conflict)
            .Produces<XapiError>(StatusCodes.Status413PayloadTooLarge);
        group.MapMethods("", ["GET", "HEAD"], GetStatements)
            .RequireScope(Scopes.StatementsRead, Scopes.StatementsReadMine)
            .WithName("GetStatements")
            .WithSummary("Fetch one statement or query statements")
            .WithDescription("With `statementId` or `voidedStatementId`: that statement. Otherwise a page of matching statements, newest stored first, with a `more` link to the next page.")
            .Produces<JsonObject>(StatusCodes.Status200OK)
            .Produces<XapiError>(StatusCodes.Status400BadRequest)
            .Produces<XapiError>(StatusCodes.Status404NotFound);
        return routes;
    }

    /// <summary>PUT: one statement with the id given as parameter.</summary>
    public static async Task<IResult> PutStatement(HttpContext http, StatementWriter writer, IOptions<LrsOptions> options, CancellationToken ct)
    {
        var request = http.Request;
        if (XapiProtocol.UnknownParameter(request.Query, PutParameters) is { } unknown) return BadRequest(unknown);
        if (!XapiProtocol.TrySingle(request.Query, "statementId", out var idText, out var repeated)) return BadRequest(repeated!);
        if (idText is null) return BadRequest("The statementId parameter is required.");
        if (!Guid.TryParse(idText, out var id)) return BadRequest("statementId is not a UUID.");

        var body = await StatementAttachments.ReadAsync(request, options.Value.Xapi, ct);
        if (body.Error is { } rejected) return rejected;
        if (body.Json is not JsonObject statement) return BadRequest(body.JsonError ?? "PUT takes one statement object.");
        if (statement["id"] is JsonValue bodyId && bodyId.TryGetValue(out string? bodyIdText)
            && (!Guid.TryParse(bodyIdText, out var parsed) || parsed != id))
            return BadRequest("The id in the body differs from the statementId parameter.");
        statement["id"] = id.ToString("D");

        var outcome = await StoreAsync(http, writer, [statement], isArray: false, body.Parts, ct);
        return outcome.Error ?? TypedResults.NoContent();
    }

    /// <summary>POST: one statement or an array, stored all or nothing.</summary>
    public static async Task<IResult> PostStatements(HttpContext http, StatementWriter writer, IOptions<LrsOptions> options, CancellationToken ct)
    {
        var request = http.Request;
        if (request.Query.Count > 0) return BadRequest("POST to statements takes no query parameters.");

        var body = await StatementAttachments.ReadAsync(request, options.Value.Xapi, ct);
        if (body.Error is { } rejected) return rejected;
        List<JsonNode?> statements;
        switch (body.Json)
        {
            case JsonObject single: statements = [single]; break;
            case JsonArray array: statements = [.. array]; break;
            default: return BadRequest(body.JsonError ?? "The body must be a statement or an array of statements.");
        }
        var outcome = await StoreAsync(http, writer, statements, body.Json is JsonArray, body.Parts, ct);
        return outcome.Error ?? TypedResults.Json(outcome.Ids, StatementJson.Default.StringArray);
    }

    private sealed record StoreResult(IResult? Error, string[] Ids);

    private static async Task<StoreResult> StoreAsync(HttpContext http, StatementWriter writer, IReadOnlyList<JsonNode?> statements, bool isArray,
        Dictionary<string, AttachmentContent> parts, CancellationToken ct)
    {
        var authority = (JsonObject)JsonNode.Parse(http.User.AuthorityJson())!;
        var outcome = await writer.WriteAsync(new StatementBatch(http.User.TenantId(), statements, http.XapiVersion(), authority, http.User.Has(Scopes.Define))
        {
            Paths = isArray ? StatementPaths.Array : StatementPaths.Single,
            Attachments = parts,
            Admit = (valid, ct) => RefusedByBindingAsync(http, valid, ct),
        }, ct);
        if (outcome.Invalid is { } invalid) return new(BadRequest(invalid, outcome.Errors), []);
        if (outcome.Refused is { } refused) return new(XapiProtocol.Error(StatusCodes.Status403Forbidden, refused), []);
        if (outcome.ConflictingId is { } conflict)
            return new(XapiProtocol.Error(StatusCodes.Status409Conflict, $"A different statement with id {conflict} is stored already; statements are immutable."), []);
        return new(null, [.. outcome.Ids.Select(id => id.ToString("D"))]);
    }

    // A credential bound to an actor or registration writes only statements of that actor and registration, and
    // voids only statements it could read: the target is in the batch (so checked here too) or stored and visible.
    private static async Task<string?> RefusedByBindingAsync(HttpContext http, IReadOnlyList<JsonObject> statements, CancellationToken ct)
    {
        var bound = BoundAccess.Of(http.User);
        if (bound.IsNone) return null;
        var store = http.RequestServices.GetRequiredService<IStatementStore>();
        foreach (var statement in statements)
        {
            if (bound.RefuseWrite(statement) is { } reason) return reason;
            if (statement["verb"]?["id"]?.GetValue<string>() != StatementPreparer.VoidedVerb
                || statement["object"] is not JsonObject target || target["objectType"]?.GetValue<string>() != "StatementRef") continue;
            var targetId = Guid.Parse(target["id"]!.GetValue<string>());
            if (statements.Any(s => s["id"] is JsonValue id && Guid.Parse(id.GetValue<string>()) == targetId)) continue;
            if (await store.GetAsync(http.User.TenantId(), targetId, ct) is not { } row || !bound.MaySee(row.Json))
                return $"This credential is bound to an actor or registration and may void only statements of its own; {targetId:D} is not one.";
        }
        return null;
    }

    /// <summary>GET/HEAD: a single statement, a query, or the next page of one.</summary>
    public static async Task<IResult> GetStatements(HttpContext http, IStatementStore store, IKnowledgeStore knowledge, StoredClock clock, IOptions<LrsOptions> options, CancellationToken ct)
    {
        var query = http.Request.Query;
        var consistentThrough = clock.ConsistentThrough();
        http.Response.Headers[ConsistentThroughHeader] = XapiTimestamp.ToUtcString(consistentThrough);

        if (query.ContainsKey("more"))
        {
            if (query.Count > 1 || !XapiProtocol.TrySingle(query, "more", out var token, out _) || StatementCursor.TryDecode(token) is not { } next)
                return BadRequest("The more parameter is not a cursor of this LRS (or comes with other parameters).");
            return await RunQueryAsync(http, store, knowledge, next, ct);
        }
        if (query.ContainsKey("statementId") || query.ContainsKey("voidedStatementId"))
            return await GetSingleAsync(http, store, knowledge, ct);

        if (XapiProtocol.UnknownParameter(query, QueryParameters) is { } unknown) return BadRequest(unknown);
        var version = http.XapiVersion();
        var keys = new List<string>();
        string? Param(string name, out string? error)
        {
            XapiProtocol.TrySingle(query, name, out var value, out error);
            return value;
        }

        var relatedAgents = ParseBool(Param("related_agents", out var err), "related_agents", ref err);
        var relatedActivities = ParseBool(Param("related_activities", out var err2), "related_activities", ref err2);
        var ascending = ParseBool(Param("ascending", out var err3), "ascending", ref err3);
        var attachments = ParseBool(Param("attachments", out var err4), "attachments", ref err4);
        if ((err ?? err2 ?? err3 ?? err4) is { } boolError) return BadRequest(boolError);

        if (Param("agent", out var e) is { } agentText)
        {
            JsonNode? agent;
            try { agent = JsonNode.Parse(agentText, documentOptions: XapiProtocol.DocumentOptions); }
            catch (JsonException) { return BadRequest("agent is not JSON."); }
            var problems = StatementValidator.ValidateAgentParameter(agent, version);
            if (problems.Count > 0 || AgentKey.Of(agent) is not { } agentKey)
                return BadRequest("agent is not an Agent or Identified Group with one identifier.", problems);
            keys.Add((relatedAgents ? StatementIndex.RelatedAgent : StatementIndex.Agent) + agentKey);
        }
        else if (e is not null) return BadRequest(e);

        if (Param("verb", out e) is { } verb)
        {
            if (!Iri.IsAbsolute(verb)) return BadRequest("verb is not an IRI.");
            keys.Add(StatementIndex.Verb + verb);
        }
        else if (e is not null) return BadRequest(e);

        if (Param("activity", out e) is { } activity)
        {
            if (!Iri.IsAbsolute(activity)) return BadRequest("activity is not an IRI.");
            keys.Add((relatedActivities ? StatementIndex.RelatedActivity : StatementIndex.Activity) + activity);
        }
        else if (e is not null) return BadRequest(e);

        if (Param("registration", out e) is { } registration)
        {
            if (!Guid.TryParse(registration, out var reg)) return BadRequest("registration is not a UUID.");
            keys.Add(StatementIndex.Registration + reg.ToString("D"));
        }
        else if (e is not null) return BadRequest(e);

        DateTimeOffset? since = null, until = null;
        if (Param("since", out e) is { } sinceText)
        {
            if (!XapiTimestamp.TryParse(sinceText, version, out var s)) return BadRequest("since is not a timestamp.");
            since = s;
        }
        else if (e is not null) return BadRequest(e);
        if (Param("until", out e) is { } untilText)
        {
            if (!XapiTimestamp.TryParse(untilText, version, out var u)) return BadRequest("until is not a timestamp.");
            until = u;
        }
        else if (e is not null) return BadRequest(e);

        var max = options.Value.Xapi.MaxStatementsPerPage;
        var limit = max;
        if (Param("limit", out e) is { } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit)) return BadRequest("limit is not a non-negative integer.");
            if (limit == 0 || limit > max) limit = max;
        }
        else if (e is not null) return BadRequest(e);

        var format = "exact";
        if (Param("format", out e) is { } formatText)
        {
            if (formatText is not ("exact" or "ids" or "canonical")) return BadRequest("format is one of exact, ids, canonical.");
            format = formatText;
        }
        else if (e is not null) return BadRequest(e);

        // The first page fixes the upper bound for every later page: nothing stored after it shows up
        // in this result, and nothing at or before it is still in flight, so paging neither skips nor repeats.
        var bound = until is { } u2 && u2 < consistentThrough ? u2 : consistentThrough;
        var cursor = new StatementCursor
        {
            Keys = [.. keys],
            Since = since is { } s2 ? StatementCursor.ToMicros(s2) : null,
            Until = StatementCursor.ToMicros(bound),
            Ascending = ascending,
            Limit = limit,
            PositionStored = ascending ? long.MinValue : long.MaxValue,
            PositionSequence = ascending ? long.MinValue : long.MaxValue,
            Format = format,
            Attachments = attachments,
        };
        return await RunQueryAsync(http, store, knowledge, cursor, ct);
    }

    private static bool ParseBool(string? text, string name, ref string? error)
    {
        if (error is not null || text is null) return false;
        if (text == "true") return true;
        if (text != "false") error = $"{name} is true or false.";
        return false;
    }

    private static async Task<IResult> RunQueryAsync(HttpContext http, IStatementStore store, IKnowledgeStore knowledge, StatementCursor cursor, CancellationToken ct)
    {
        var first = cursor.PositionSequence is long.MinValue or long.MaxValue;
        var query = new StatementQuery
        {
            Keys = cursor.Keys,
            Since = cursor.Since is { } s ? StatementCursor.FromMicros(s) : null,
            Until = StatementCursor.FromMicros(cursor.Until),
            Ascending = cursor.Ascending,
            // One more than a page tells whether a next page exists without a second query.
            Limit = cursor.Limit + 1,
            After = first ? null : new StatementPosition(StatementCursor.FromMicros(cursor.PositionStored), cursor.PositionSequence),
            OwnKeys = OwnKeys(http.User),
            Organisation = http.User.RestrictedOrganisation(),
        };
        var rows = await store.QueryAsync(http.User.TenantId(), query, ct);
        var page = rows.Count > cursor.Limit ? rows.Take(cursor.Limit).ToList() : rows;
        string more = "";
        if (rows.Count > cursor.Limit)
        {
            var last = page[^1].Position;
            var next = cursor with { PositionStored = StatementCursor.ToMicros(last.Stored), PositionSequence = last.Sequence };
            more = $"{http.Request.PathBase}/xapi/statements?more={next.Encode()}";
        }

        // Filtered after the page is cut, so that `more` still continues after the last statement read.
        if (HidesReflectionAnswers(http.User)) page = [.. page.Where(r => !IsReflectionAnswer(r.Json))];

        if (page.Count > 0)
            http.Response.Headers.LastModified = page.Max(r => r.Position.Stored).ToString("R", CultureInfo.InvariantCulture);

        var format = Enum.Parse<StatementFormat>(cursor.Format, ignoreCase: true);
        var languages = AcceptLanguages(http.Request);
        var canonical = await CanonicalDefinitionsAsync(http, knowledge, format, page, ct);
        var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("statements");
            writer.WriteStartArray();
            foreach (var row in page)
            {
                if (format == StatementFormat.Exact) writer.WriteRawValue(row.Json, skipInputValidation: true);
                else StatementFormatter.Format(row.Json, format, languages, canonical).WriteTo(writer);
            }
            writer.WriteEndArray();
            writer.WriteString("more", more);
            writer.WriteEndObject();
        }
        return cursor.Attachments
            ? StatementAttachments.MultipartResult(buffer.ToArray(), page.Select(r => r.Json), store, http.User.TenantId(), ct)
            : TypedResults.Bytes(buffer.ToArray(), "application/json");
    }

    private static async Task<IReadOnlyDictionary<string, JsonObject>?> CanonicalDefinitionsAsync(
        HttpContext http, IKnowledgeStore knowledge, StatementFormat format, IReadOnlyList<StoredStatement> rows, CancellationToken ct)
    {
        if (format != StatementFormat.Canonical || rows.Count == 0) return null;
        var iris = rows.SelectMany(r => StatementFormatter.ActivityIds(r.Json)).ToHashSet(StringComparer.Ordinal);
        return await knowledge.ActivityDefinitionsAsync(http.User.TenantId(), iris, ct);
    }

    // Keys a statement must carry itself to be visible to this caller: with statements/read/mine, its own
    // authority (Communication 4.2); with a bound actor or registration, those (BoundAccess).
    private static IReadOnlyList<string> OwnKeys(ClaimsPrincipal user) =>
        user.ReadsAllStatements()
            ? BoundAccess.Of(user).StatementKeys
            : [StatementIndex.Authority + (AgentKey.Of(JsonNode.Parse(user.AuthorityJson())) ?? ""), .. BoundAccess.Of(user).StatementKeys];

    private static async Task<IResult> GetSingleAsync(HttpContext http, IStatementStore store, IKnowledgeStore knowledge, CancellationToken ct)
    {
        var query = http.Request.Query;
        if (XapiProtocol.UnknownParameter(query, SingleParameters) is { } unknown)
            return BadRequest(unknown.Replace("Unknown", "With statementId or voidedStatementId, only attachments and format are allowed; not", StringComparison.Ordinal));
        if (query.ContainsKey("statementId") && query.ContainsKey("voidedStatementId"))
            return BadRequest("Give statementId or voidedStatementId, not both.");
        var voided = query.ContainsKey("voidedStatementId");
        var name = voided ? "voidedStatementId" : "statementId";
        if (!XapiProtocol.TrySingle(query, name, out var idText, out var repeated)) return BadRequest(repeated!);
        if (!Guid.TryParse(idText, out var id)) return BadRequest($"{name} is not a UUID.");

        string? err = null;
        XapiProtocol.TrySingle(query, "attachments", out var attachmentsText, out err);
        var attachments = ParseBool(attachmentsText, "attachments", ref err);
        XapiProtocol.TrySingle(query, "format", out var formatText, out var formatError);
        if ((err ?? formatError) is { } paramError) return BadRequest(paramError);
        if (formatText is not (null or "exact" or "ids" or "canonical")) return BadRequest("format is one of exact, ids, canonical.");

        var row = await store.GetAsync(http.User.TenantId(), id, ct);
        if (row is not null && OwnKeys(http.User) is { Count: > 0 } own && !own.All(StatementIndex.Extract((JsonObject)JsonNode.Parse(row.Json)!).Contains))
            row = null;
        if (row is not null && http.User.RestrictedOrganisation() is { } organisation
            && !await IsAboutOrganisationAsync(http, row.Json, organisation, ct))
            row = null;
        if (row is not null && HidesReflectionAnswers(http.User) && IsReflectionAnswer(row.Json))
            row = null;
        if (row is null || row.Voided != voided)
            return XapiProtocol.Error(StatusCodes.Status404NotFound,
                voided ? $"No voided statement with id {id}." : $"No statement with id {id} (voided statements are fetched with voidedStatementId).");

        http.Response.Headers.LastModified = row.Position.Stored.ToString("R", CultureInfo.InvariantCulture);
        var format = formatText is null ? StatementFormat.Exact : Enum.Parse<StatementFormat>(formatText, ignoreCase: true);
        var canonical = await CanonicalDefinitionsAsync(http, knowledge, format, [row], ct);
        var body = format == StatementFormat.Exact
            ? Encoding.UTF8.GetBytes(row.Json)
            : Encoding.UTF8.GetBytes(StatementFormatter.Format(row.Json, format, AcceptLanguages(http.Request), canonical).ToJsonString());
        return attachments
            ? StatementAttachments.MultipartResult(body, [row.Json], store, http.User.TenantId(), ct)
            : TypedResults.Bytes(body, "application/json");
    }

    // Reflection answers are evaluative personal data: through xAPI only the app people reflect in (reflections:write)
    // and a credential bound to the person (whose reads are narrowed to their own statements) read them.
    private static bool HidesReflectionAnswers(ClaimsPrincipal user) =>
        !user.Has(Scopes.ReflectionsWrite) && BoundAccess.Of(user).ActorKey is null;

    private static bool IsReflectionAnswer(string json) =>
        json.Contains(ReflectionStatements.ReflectionTaskExtension, StringComparison.Ordinal);

    // Whether the statement's actor or object agent (or a member of such a group) is one of the employer's people.
    private static async Task<bool> IsAboutOrganisationAsync(HttpContext http, string json, string organisation, CancellationToken ct)
    {
        var people = http.RequestServices.GetRequiredService<IPeopleStore>();
        var tenant = http.User.TenantId();
        foreach (var key in StatementIndex.Extract((JsonObject)JsonNode.Parse(json)!).Where(k => k.StartsWith(StatementIndex.Agent, StringComparison.Ordinal)))
            if (await people.PersonOfAgentAsync(tenant, key[StatementIndex.Agent.Length..], ct) is { } person
                && await people.GetAsync(tenant, person, organisation, ct) is not null)
                return true;
        return false;
    }

    private static IReadOnlyList<string> AcceptLanguages(HttpRequest request) =>
        StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptLanguage, out var values)
            ? [.. values.OrderByDescending(v => v.Quality ?? 1).Select(v => v.Value.Value!).Where(v => v is not null)]
            : [];

    private static IResult BadRequest(string message, IReadOnlyList<ValidationError>? errors = null) =>
        XapiProtocol.Error(StatusCodes.Status400BadRequest, message, errors is { Count: > 0 } ? errors : null);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class StatementJson : System.Text.Json.Serialization.JsonSerializerContext;
