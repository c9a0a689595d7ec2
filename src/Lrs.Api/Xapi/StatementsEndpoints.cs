using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
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

        using var body = await StatementAttachments.ReadAsync(request, options.Value.Xapi, ct);
        if (body.Error is { } rejected) return rejected;
        if (body.Json?.Root is not { ValueKind: JsonValueKind.Object } statement) return BadRequest(body.JsonError ?? "PUT takes one statement object.");
        // An id in the body that is not this UUID (or not a string at all) is refused, not overwritten.
        if (statement.TryGetProperty("id"u8, out var bodyId))
        {
            if (!(bodyId.ValueKind == JsonValueKind.String && Guid.TryParse(bodyId.GetString(), out var parsed) && parsed == id))
                return BadRequest("The id in the body differs from the statementId parameter.");
        }
        else
        {
            // The statement is judged and signed as if sent with the parameter's id: it is given one, in a copy.
            var withId = JsonObject.Create(statement)!.DeepClone().AsObject();
            withId.Insert(0, "id", id.ToString("D"));
            statement = JsonText.Element(withId);
        }

        var outcome = await StoreAsync(http, writer, [statement], isArray: false, body.Parts, ct);
        return outcome.Error ?? TypedResults.NoContent();
    }

    /// <summary>POST: one statement or an array, stored all or nothing.</summary>
    public static async Task<IResult> PostStatements(HttpContext http, StatementWriter writer, IOptions<LrsOptions> options, CancellationToken ct)
    {
        var request = http.Request;
        if (request.Query.Count > 0) return BadRequest("POST to statements takes no query parameters.");

        using var body = await StatementAttachments.ReadAsync(request, options.Value.Xapi, ct);
        if (body.Error is { } rejected) return rejected;
        List<JsonElement> statements;
        switch (body.Json?.Root)
        {
            case { ValueKind: JsonValueKind.Object } single: statements = [single]; break;
            case { ValueKind: JsonValueKind.Array } array when array.GetArrayLength() > options.Value.Limits.MaxStatementsPerRequest:
                return XapiProtocol.Error(StatusCodes.Status413PayloadTooLarge,
                    $"The batch holds {array.GetArrayLength()} statements; this LRS takes at most {options.Value.Limits.MaxStatementsPerRequest} in one request. Send them in smaller batches.");
            case { ValueKind: JsonValueKind.Array } array: statements = [.. array.EnumerateArray()]; break;
            default: return BadRequest(body.JsonError ?? "The body must be a statement or an array of statements.");
        }
        var outcome = await StoreAsync(http, writer, statements, body.Json.Root.ValueKind == JsonValueKind.Array, body.Parts, ct);
        return outcome.Error ?? TypedResults.Json(outcome.Ids, StatementJson.Default.StringArray);
    }

    private sealed record StoreResult(IResult? Error, string[] Ids);

    private static async Task<StoreResult> StoreAsync(HttpContext http, StatementWriter writer, IReadOnlyList<JsonElement> statements, bool isArray,
        Dictionary<string, AttachmentContent> parts, CancellationToken ct)
    {
        var authority = (JsonObject)JsonNode.Parse(http.User.AuthorityJson())!;
        var outcome = await writer.WriteAsync(new StatementBatch(http.User.TenantId(), statements, http.XapiVersion(), authority, http.User.Has(Scopes.Define))
        {
            Paths = isArray ? StatementPaths.Array : StatementPaths.Single,
            Attachments = parts,
            Admit = (valid, ids, ct) => EmployerScope.RefuseStatementsAsync(http.User, http.RequestServices, valid, ids, ct),
        }, ct);
        if (outcome.Invalid is { } invalid) return new(BadRequest(invalid, outcome.Errors), []);
        if (outcome.Refused is { } refused) return new(XapiProtocol.Error(StatusCodes.Status403Forbidden, refused), []);
        if (outcome.ConflictingId is { } conflict)
            return new(XapiProtocol.Error(StatusCodes.Status409Conflict, $"A different statement with id {conflict} is stored already; statements are immutable."), []);
        return new(null, [.. outcome.Ids.Select(id => id.ToString("D"))]);
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

        var (parameters, error) = StatementQueryParameters.Parse(query, http.XapiVersion(), options.Value.Xapi.MaxStatementsPerPage);
        if (parameters is null) return BadRequest(error!.Message, error.Errors);

        // The first page fixes the upper bound for every later page: nothing stored after it shows up
        // in this result, and nothing at or before it is still in flight, so paging neither skips nor repeats.
        var bound = parameters.Until is { } until && until < consistentThrough ? until : consistentThrough;
        var cursor = new StatementCursor
        {
            Keys = [.. parameters.IndexKeys],
            Since = parameters.Since is { } since ? StatementCursor.ToMicros(since) : null,
            Until = StatementCursor.ToMicros(bound),
            Ascending = parameters.Ascending,
            Limit = parameters.Limit,
            PositionStored = parameters.Ascending ? long.MinValue : long.MaxValue,
            PositionSequence = parameters.Ascending ? long.MinValue : long.MaxValue,
            Format = parameters.Format,
            Attachments = parameters.Attachments,
        };
        return await RunQueryAsync(http, store, knowledge, cursor, ct);
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
            OwnKeys = EmployerScope.OwnStatementKeys(http.User),
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
        if (EmployerScope.HidesReflectionAnswers(http.User)) page = [.. page.Where(r => !EmployerScope.IsReflectionAnswer(r.Json))];

        if (page.Count > 0)
            http.Response.Headers.LastModified = page.Max(r => r.Position.Stored).ToString("R", CultureInfo.InvariantCulture);

        var format = Enum.Parse<StatementFormat>(cursor.Format, ignoreCase: true);
        var languages = AcceptLanguages(http.Request);
        var canonical = await CanonicalDefinitionsAsync(http, knowledge, format, page, ct);
        if (!cursor.Attachments) return new StatementPage(page, format, languages, canonical, more);
        var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer)) await StatementPage.WriteAsync(writer, page, format, languages, canonical, more);
        return StatementAttachments.MultipartResult(buffer.ToArray(), page.Select(r => r.Json), store, http.User.TenantId(), ct);
    }

    /// <summary>
    /// A page of statements written straight into the response as it is made, a few kilobytes at a time: a page of a hundred
    /// statements is over 100 kB, which as one array would be allocated on the large object heap twice per request (the
    /// growing buffer and its copy) and collected only by the most expensive collections.
    /// </summary>
    private sealed class StatementPage(IReadOnlyList<StoredStatement> page, StatementFormat format, IReadOnlyList<string> languages,
        IReadOnlyDictionary<string, JsonObject>? canonical, string more) : IResult
    {
        private const int FlushAt = 16 * 1024;

        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "application/json";
            if (HttpMethods.IsHead(http.Request.Method)) return;
            var body = http.Response.BodyWriter;
            await using var writer = new Utf8JsonWriter(body);
            await WriteAsync(writer, page, format, languages, canonical, more, async () =>
            {
                writer.Flush();
                await body.FlushAsync(http.RequestAborted);
            });
        }

        /// <summary>Writes the page; <paramref name="flush"/>, if given, whenever some kilobytes are pending, and at the end.</summary>
        public static async Task WriteAsync(Utf8JsonWriter writer, IReadOnlyList<StoredStatement> page, StatementFormat format, IReadOnlyList<string> languages,
            IReadOnlyDictionary<string, JsonObject>? canonical, string more, Func<Task>? flush = null)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("statements");
            writer.WriteStartArray();
            foreach (var row in page)
            {
                WriteStatement(writer, row, format, languages, canonical);
                if (flush is not null && writer.BytesPending >= FlushAt) await flush();
            }
            writer.WriteEndArray();
            writer.WriteString("more", more);
            writer.WriteEndObject();
            if (flush is not null) await flush();
        }

        private static void WriteStatement(Utf8JsonWriter writer, StoredStatement row, StatementFormat format, IReadOnlyList<string> languages,
            IReadOnlyDictionary<string, JsonObject>? canonical)
        {
            if (format == StatementFormat.Exact) writer.WriteRawValue(row.Utf8Json, skipInputValidation: true);
            else StatementFormatter.Format(row.Json, format, languages, canonical).WriteTo(writer);
        }
    }

    private static async Task<IReadOnlyDictionary<string, JsonObject>?> CanonicalDefinitionsAsync(
        HttpContext http, IKnowledgeStore knowledge, StatementFormat format, IReadOnlyList<StoredStatement> rows, CancellationToken ct)
    {
        if (format != StatementFormat.Canonical || rows.Count == 0) return null;
        var iris = rows.SelectMany(r => StatementFormatter.ActivityIds(r.Json)).ToHashSet(StringComparer.Ordinal);
        return await knowledge.ActivityDefinitionsAsync(http.User.TenantId(), iris, ct);
    }

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

        if (StatementQueryParameters.Bool(query, "attachments", out var attachments) is { } attachmentsError) return BadRequest(attachmentsError);
        if (!XapiProtocol.TrySingle(query, "format", out var formatText, out var formatError)) return BadRequest(formatError!);
        if (formatText is not (null or "exact" or "ids" or "canonical")) return BadRequest("format is one of exact, ids, canonical.");

        var row = await store.GetAsync(http.User.TenantId(), id, ct);
        if (row is not null && !await EmployerScope.MayReadStatementAsync(http.User, http.RequestServices.GetRequiredService<IPeopleStore>(), row.Json, ct))
            row = null;
        if (row is null || row.Voided != voided)
            return XapiProtocol.Error(StatusCodes.Status404NotFound,
                voided ? $"No voided statement with id {id}." : $"No statement with id {id} (voided statements are fetched with voidedStatementId).");

        http.Response.Headers.LastModified = row.Position.Stored.ToString("R", CultureInfo.InvariantCulture);
        var format = formatText is null ? StatementFormat.Exact : Enum.Parse<StatementFormat>(formatText, ignoreCase: true);
        var canonical = await CanonicalDefinitionsAsync(http, knowledge, format, [row], ct);
        var body = format == StatementFormat.Exact
            ? row.Utf8Json
            : Encoding.UTF8.GetBytes(StatementFormatter.Format(row.Json, format, AcceptLanguages(http.Request), canonical).ToJsonString());
        return attachments
            ? StatementAttachments.MultipartResult(body, [row.Json], store, http.User.TenantId(), ct)
            : TypedResults.Bytes(body, "application/json");
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
