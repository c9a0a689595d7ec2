using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Api.Xapi;

/// <summary>How an error names the statement it is in.</summary>
public enum StatementPaths
{
    /// <summary>The request body is an array of statements: <c>$[2].verb</c>.</summary>
    Array,
    /// <summary>The request body is the one statement: <c>$.verb</c>.</summary>
    Single,
    /// <summary>The LRS derived the statements from other input: <c>statement {id}</c>, the path within it in the message.</summary>
    Id,
}

/// <summary>Statements to store as one batch, all or nothing, and who stores them.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Statements">The statements as sent or built (see <see cref="StatementBatch.Elements"/>); their document outlives the write.</param>
/// <param name="Version">The xAPI version they are judged by.</param>
/// <param name="Authority">The authority set on every statement.</param>
/// <param name="Define">Whether their activity definitions and agent names become the LRS's own (scope <c>define</c>).</param>
public sealed record StatementBatch(long TenantId, IReadOnlyList<JsonElement> Statements, XapiVersion Version, JsonObject Authority, bool Define = true)
{
    /// <summary>
    /// Statements the LRS built as trees, as the elements a batch holds (<see cref="JsonText.Element"/>).
    /// </summary>
    public static IReadOnlyList<JsonElement> Elements(IEnumerable<JsonNode> statements) =>
        [.. statements.Select(JsonText.Element)];

    private static readonly Dictionary<string, AttachmentContent> NoAttachments = new(0);

    /// <summary>How errors name the statement they are in.</summary>
    public StatementPaths Paths { get; init; } = StatementPaths.Array;

    /// <summary>Where the statements come from, for the metrics: a <see cref="Hosting.StatementSources"/> value.</summary>
    public string Source { get; init; } = Hosting.StatementSources.Xapi;

    /// <summary>Attachment data sent with the statements, by SHA-2; checked against their attachments and stored with them.</summary>
    public IReadOnlyDictionary<string, AttachmentContent> Attachments { get; init; } = NoAttachments;

    /// <summary>
    /// The caller's own judgement of the valid statements before anything is stored (a bound credential writes only its
    /// own): the reason it refuses them, or null. It is given the ids the batch carries, which its statements may
    /// refer to before they are stored.
    /// </summary>
    public Func<IReadOnlyList<JsonElement>, IReadOnlySet<Guid>, CancellationToken, Task<string?>>? Admit { get; init; }
}

/// <summary>What became of a batch: stored, or why nothing of it was.</summary>
/// <param name="Ids">The ids of the statements in order, generated where absent; empty unless stored.</param>
/// <param name="Stored">The stored time the statements got.</param>
/// <param name="Invalid">Why the batch is not valid xAPI; <see cref="Errors"/> lists every problem.</param>
/// <param name="Errors">The problems of an invalid batch.</param>
/// <param name="Refused">Why <see cref="StatementBatch.Admit"/> refused the batch.</param>
/// <param name="ConflictingId">The id stored already with a different statement.</param>
public sealed record StatementWriteOutcome(IReadOnlyList<Guid> Ids, DateTimeOffset Stored, string? Invalid = null,
    IReadOnlyList<ValidationError>? Errors = null, string? Refused = null, Guid? ConflictingId = null)
{
    /// <summary>Whether the batch was stored (or was entirely made of statements stored already).</summary>
    public bool IsStored => Invalid is null && Refused is null && ConflictingId is null;
}

/// <summary>
/// The one way a statement enters the LRS, whoever sends or builds it (the statements resource, sessions and webinars,
/// reflection answers and group reflections, the demo): validate, prepare (the stored time from <see cref="StoredClock"/>)
/// and store in one transaction, so that evidence and reflection tasks are recorded with it.
/// </summary>
public sealed class StatementWriter(IStatementStore store, StoredClock clock, Hosting.LrsMetrics? metrics = null)
{
    /// <summary>Validates, prepares and stores <paramref name="batch"/>; nothing of it is stored unless all of it is.</summary>
    public async Task<StatementWriteOutcome> WriteAsync(StatementBatch batch, CancellationToken ct)
    {
        var statements = batch.Statements;
        var errors = new List<ValidationError>();
        for (var i = 0; i < statements.Count; i++)
            foreach (var e in StatementValidator.Validate(statements[i], batch.Version))
                errors.Add(batch.Paths switch
                {
                    StatementPaths.Array => e with { Path = $"$[{i}]" + e.Path.TrimStart('$') },
                    StatementPaths.Id => new($"statement {IdOf(statements[i])}", e.ToString()),
                    _ => e,
                });
        // Attachment data and signatures are judged on valid statements as sent, before the LRS fills anything in.
        if (errors.Count == 0)
            StatementAttachments.Check(statements, batch.Paths == StatementPaths.Array, batch.Attachments, batch.Version, errors);
        if (errors.Count > 0)
        {
            metrics?.Invalid(errors);
            return Failed(errors.Count == 1 ? $"Invalid statement: {errors[0]}" : $"{errors.Count} errors in the statements.", errors);
        }

        var ids = new HashSet<Guid>();
        foreach (var s in statements)
            if (IdOf(s) is { } id && !ids.Add(Guid.Parse(id)))
            {
                metrics?.Invalid([new ValidationError("$.id", "appears more than once in the batch")]);
                return Failed($"The statement id {id} appears more than once in the batch.", []);
            }
        if (batch.Admit is { } admit && await admit(statements, ids, ct) is { } reason)
            return new([], default, Refused: reason);

        var authority = new PreparedAuthority(batch.Authority);
        using var pending = clock.Begin();
        var prepared = new PreparedStatement[statements.Count];
        for (var i = 0; i < statements.Count; i++)
            prepared[i] = StatementPreparer.Prepare(statements[i], batch.Version, pending.Stored, authority, batch.Define);
        if (prepared.Length > 0)
        {
            var outcome = await store.StoreAsync(batch.TenantId, prepared, [.. batch.Attachments.Values], ct);
            if (outcome.ConflictingId is { } conflict) return new([], pending.Stored, ConflictingId: conflict);
            metrics?.Stored(batch.Source, prepared.Length);
        }
        return new([.. prepared.Select(p => p.Id)], pending.Stored);
    }

    /// <summary>
    /// Stores statements the LRS builds itself (1.0.3: reflection answers, group-reflection attendance, the demo) as one
    /// batch, counted under <c>source</c> (a <see cref="Hosting.StatementSources"/> value); the conflicting id when a different
    /// statement with one of their ids is stored.
    /// </summary>
    /// <exception cref="InvalidOperationException">A built statement is not valid xAPI: a bug, never the caller's fault.</exception>
    public async Task<Guid?> WriteBuiltAsync(long tenantId, JsonObject authority, IReadOnlyList<JsonObject> built, string source, CancellationToken ct)
    {
        var outcome = await WriteAsync(new StatementBatch(tenantId, StatementBatch.Elements(built), XapiVersion.V103, authority) { Source = source }, ct);
        if (outcome.Invalid is not null) throw new InvalidOperationException($"A statement built by the LRS is invalid: {outcome.Errors![0]}");
        return outcome.ConflictingId;
    }

    // The id a statement was sent with, as text, if any.
    private static string? IdOf(JsonElement statement) =>
        statement.ValueKind == JsonValueKind.Object && statement.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    private static StatementWriteOutcome Failed(string message, IReadOnlyList<ValidationError> errors) => new([], default, message, errors);
}
