using System.IO.Compression;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Api.Competence;
using Lrs.Api.Hosting;
using Lrs.Api.Learning;
using Lrs.Api.Planning;
using Lrs.Api.Reflection;
using Lrs.Core.Competence;
using Lrs.Core.Learning;
using Lrs.Core.People;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Lrs.Api.People;

/// <summary>
/// A person's right of access (GDPR art. 15): everything the LRS holds about one person, as one ZIP written while it is read
/// from the store, a page at a time, so that a person with many statements costs a page of memory, not the whole record.
/// The same writer serves <c>GET /api/people/{id}/export</c> and the CLI's <c>people export</c>.
/// </summary>
public static class PersonExport
{
    /// <summary>The audit action of an export; its target is <see cref="AuditTarget"/>.</summary>
    public const string Exported = "person.export";

    /// <summary>Statements read per query.</summary>
    private const int Page = 500;

    /// <summary>The audit log's target for entries about a person: the person id, apart from tenant names and credential keys.</summary>
    public static string AuditTarget(string personId) => "person:" + personId;

    // Read by people: indented, and å as å rather than \u00E5.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IEndpointRouteBuilder MapPersonExport(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/people/{id}/export", ExportPerson)
            .WithTags("People")
            .RequireAuthorization()
            .WithName("ExportPerson")
            .WithSummary("Everything held about one person, as a ZIP")
            .WithDescription("The person's right of access: a ZIP (`application/zip`, streamed) of `person.json` (with unit and role history), " +
                "`statements.ndjson` (one statement a line, as stored, voided ones included, oldest first: every statement in which one of the person's " +
                "agents is actor, object, authority, instructor, team member, context agent or group, or in a SubStatement, and every statement that targets " +
                "such a statement through a StatementRef, such as its voiding or a sign-off; what `GET /xapi/statements?agent=…&related_agents=true` " +
                "returns for each agent, plus the voided ones), `documents/` (State and Agent Profile documents of the agents: `index.json` with address, " +
                "content type and ETag, and the bytes as stored), `attachments/` (the statements' attachment data by SHA-2, with `index.json`), " +
                "`competence.json` (current evidence with sign-offs, and the profile now), `training-plan.json` (the person's training plan with each item's " +
                "progress now, as `GET /api/people/{id}/training-plan` shows it; `null` when they have none), `reflection.json` (tasks with answer text, and the group " +
                "reflections the person attended or led, with their own attendance only), " +
                "`sessions.json` (sessions and webinars with the person's participation only) and `audit.json` (audit entries about the person). " +
                "Each export is itself audited (action `person.export`, target `person:{id}`). A person of another organisation than the caller's is " +
                "404, as an unknown one; under such a restriction, only statements about the caller's organisation's people are exported. " +
                "Scope `people:write`.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.PeopleWrite);
        return routes;
    }

    /// <summary>How much of each kind an export holds.</summary>
    public sealed record ExportCounts(int Statements, int Documents, int Attachments, int Evidence, int ReflectionTasks, int Sessions, int AuditEntries);

    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> ExportPerson(
        string id, ClaimsPrincipal user, LrsStore store, IOptions<LrsOptions> options, TimeProvider time, CancellationToken ct)
    {
        var tenant = user.TenantId();
        var organisation = user.RestrictedOrganisation();
        if (await store.People.GetAsync(tenant, id, organisation, ct) is not { } person || !MayExport(user, person))
            return PeopleEndpoints.NotFound("No such person", $"There is no person with id '{id}' that this credential may see.");
        // Audited before the first byte: an export cut short by the client was still asked for and partly given.
        await store.Audit.AppendAsync(tenant, time.GetUtcNow(), FrameworkEndpoints.Actor(user), Exported, AuditTarget(person.Id), null, ct);
        return TypedResults.Stream(body => WriteAsync(body, store, tenant, person, organisation, options.Value, time, _ => { }, ct),
            "application/zip", FileName(person.Id));
    }

    /// <summary>A file name for the export of <paramref name="personId"/> that every file system takes.</summary>
    public static string FileName(string personId) =>
        "person-" + new string([.. personId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]) + ".zip";

    // A credential bound to one actor exports only that person; one bound to a registration reaches too little of anyone to export them.
    private static bool MayExport(ClaimsPrincipal user, Person person)
    {
        var bound = BoundAccess.Of(user);
        return bound.Registration is null && (bound.ActorKey is not { } actor || person.AgentKeys.Contains(actor));
    }

    /// <summary>
    /// Writes the export of <paramref name="person"/> as a ZIP to <paramref name="output"/> (left open). With
    /// <paramref name="organisation"/>, statements are only those about that employer's people. <paramref name="progress"/>
    /// hears each part as it is written.
    /// </summary>
    public static async Task<ExportCounts> WriteAsync(Stream output, LrsStore store, long tenant, Person person, string? organisation,
        LrsOptions options, TimeProvider time, Action<string> progress, CancellationToken ct)
    {
        var sink = new AsyncSink(output);
        var zip = await ZipArchive.CreateAsync(sink, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct);
        var counts = await WritePartsAsync(zip, store, tenant, person, organisation, options, time, progress, ct);
        await zip.DisposeAsync();
        await sink.FlushAsync(ct);
        return counts;
    }

    private static async Task<ExportCounts> WritePartsAsync(ZipArchive zip, LrsStore store, long tenant, Person person, string? organisation,
        LrsOptions options, TimeProvider time, Action<string> progress, CancellationToken ct)
    {
        var keys = person.AgentKeys.Where(k => k.Length > 0).Distinct().ToList();
        var agents = person.Agents.Where(a => AgentKey.Of(a) is not null).GroupBy(a => AgentKey.Of(a)!).ToDictionary(g => g.Key, g => g.First());

        await WriteJsonAsync(zip, "person.json", PeopleEndpoints.View(person, withHistory: true), ct);

        var (statements, attachments) = await WriteStatementsAsync(zip, store.Statements, tenant, keys, organisation, progress, ct);
        progress($"statements: {statements}");

        var documents = await WriteDocumentsAsync(zip, store.Documents, tenant, keys, agents, ct);
        progress($"documents: {documents}");

        var attachmentsStored = await WriteAttachmentsAsync(zip, store.Statements, tenant, attachments, ct);
        progress($"attachments: {attachmentsStored}");

        var now = time.GetUtcNow();
        var framework = (await store.Competence.GetFrameworkAsync(tenant, ct)).Framework;
        var evidence = await store.Competence.EvidenceAsync(tenant, keys, ct);
        var profile = ProfileCalculator.Compute(ProfileEndpoints.Facts(person), evidence, framework, now, TimeSpan.FromDays(options.Competence.ExpiringWindowDays));
        await WriteJsonAsync(zip, "competence.json", new CompetenceRecord(ProfileEndpoints.View(person, profile, framework), [.. evidence.Select(EvidenceView.Of)]), ct);
        progress($"evidence: {evidence.Count}");

        var plan = await store.Planning.GetTrainingPlanAsync(tenant, person.Id, ct);
        await WriteJsonAsync(zip, "training-plan.json", plan is null ? null
            : await TrainingPlanEndpoints.ViewAsync(tenant, person, plan, framework, store.Competence, store.Statements, Options.Create(options), time, ct), ct);
        progress($"training plan: {(plan is null ? "none" : $"{plan.Plan.Items?.Count ?? 0} items")}");

        var tasks = await store.Reflection.ListAllAsync(tenant, new ReflectionTaskQuery(PersonId: person.Id, Limit: Page), ct);
        var meetings = await GroupReflectionsAsync(store.Reflection, tenant, person, keys, ct);
        await WriteJsonAsync(zip, "reflection.json", new ReflectionRecord([.. tasks.Select(t => ReflectionTaskEndpoints.View(t, framework, now, withText: true))],
            meetings), ct);
        progress($"reflection tasks: {tasks.Count}, group reflections: {meetings.Count}");

        var sessions = await store.Sessions.OfParticipantAsync(tenant, person.Id, keys, ct);
        await WriteJsonAsync(zip, "sessions.json", new SessionsRecord(
            [.. sessions.Where(s => s.Kind == SessionKind.OnSite).Select(s => SessionsEndpoints.View(s, null, withParticipants: true))],
            [.. sessions.Where(s => s.Kind == SessionKind.Webinar).Select(s => SessionsEndpoints.View(s, null, withParticipants: true))]), ct);
        progress($"sessions and webinars: {sessions.Count}");

        var audit = await store.Audit.AboutAsync(tenant, AuditTarget(person.Id), ct);
        await WriteJsonAsync(zip, "audit.json", new AuditRecord([.. audit.Select(e => new Admin.AdminEndpoints.AuditView(e.Seq, e.At, e.Actor, e.Action, e.Target, e.Detail))]), ct);
        progress($"audit entries: {audit.Count}");

        return new ExportCounts(statements, documents, attachmentsStored, evidence.Count, tasks.Count, sessions.Count, audit.Count);
    }

    /// <summary><c>competence.json</c>: the profile as <c>GET /api/people/{id}/profile</c> shows it, and the evidence under it.</summary>
    public sealed record CompetenceRecord(ProfileEndpoints.ProfileView Profile, IReadOnlyList<EvidenceView> Evidence);

    /// <summary>One piece of current evidence, with its sign-off when it has one.</summary>
    public sealed record EvidenceView(string Competence, Guid StatementId, string AgentKey, DateTimeOffset AchievedAt, DateTimeOffset? ExpiresAt,
        bool NeedsSignoff, DateTimeOffset? SignedOffAt, Guid? SignoffStatementId, JsonNode? Assessor)
    {
        public static EvidenceView Of(EvidenceRecord e) => new(e.CompetenceId, e.StatementId, e.AgentKey, e.AchievedAt, e.ExpiresAt, e.NeedsSignoff,
            e.SignedOffAt, e.SignoffStatementId, e.AssessorJson is { } assessor ? JsonNode.Parse(assessor) : null);
    }

    /// <summary><c>reflection.json</c>: the person's tasks with their answers' text, and the group reflections they attended or led.</summary>
    public sealed record ReflectionRecord(IReadOnlyList<ReflectionTaskEndpoints.TaskView> Tasks, IReadOnlyList<GroupReflectionEntry> GroupReflections);

    /// <summary>A group reflection the person attended or led: the meeting, its notes, and the person's own attendance (of the others, only how many).</summary>
    public sealed record GroupReflectionEntry(Guid Id, string Unit, DateTimeOffset HeldAt, JsonObject Facilitator, IReadOnlyList<string> Templates,
        int AttendeeCount, IReadOnlyList<Guid> AttendanceStatementIds, string? Notes, DateTimeOffset Recorded);

    // Group reflections are kept by unit: those of every unit the person has been in, that they attended or led.
    private static async Task<List<GroupReflectionEntry>> GroupReflectionsAsync(IReflectionStore reflection, long tenant, Person person,
        IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        var entries = new List<GroupReflectionEntry>();
        bool IsPerson(JsonObject agent) => AgentKey.Of(agent) is { } key && keys.Contains(key);
        foreach (var unit in person.History.Where(a => a.Kind == AssignmentKind.Unit).Select(a => a.Value).Distinct())
            foreach (var meeting in await reflection.GroupReflectionsAsync(tenant, unit, EarliestMeeting, LatestMeeting, ct))
            {
                var own = meeting.Attendees.Where(a => a.PersonId == person.Id || IsPerson(a.Agent)).ToList();
                if (own.Count == 0 && !IsPerson(meeting.Facilitator)) continue;
                entries.Add(new GroupReflectionEntry(meeting.Id, meeting.UnitId, meeting.HeldAt, meeting.Facilitator, meeting.TemplateIds,
                    meeting.Attendees.Count, [.. own.Select(a => a.StatementId)], meeting.Notes, meeting.Recorded));
            }
        return [.. entries.OrderBy(e => e.HeldAt).ThenBy(e => e.Id)];
    }

    // Bounds that take in every meeting and that both stores represent.
    private static readonly DateTimeOffset EarliestMeeting = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LatestMeeting = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary><c>sessions.json</c>: sessions and webinars, each with only the person's participation.</summary>
    public sealed record SessionsRecord(IReadOnlyList<SessionsEndpoints.SessionView> Sessions, IReadOnlyList<SessionsEndpoints.SessionView> Webinars);

    /// <summary><c>audit.json</c>: the audit entries whose target is the person.</summary>
    public sealed record AuditRecord(IReadOnlyList<Admin.AdminEndpoints.AuditView> Entries);

    /// <summary>One document of <c>documents/index.json</c>: where it is kept, and the file of the ZIP that holds its bytes.</summary>
    public sealed record DocumentEntry(string File, string Kind, string? ActivityId, JsonObject Agent, string? Registration, string? StateId,
        string? ProfileId, string ContentType, string ETag, DateTimeOffset Updated);

    /// <summary>One attachment of <c>attachments/index.json</c>; <c>file</c> is null when the LRS holds no data for it (sent by fileUrl).</summary>
    public sealed record AttachmentEntry(string Sha2, string? File, string? ContentType, long? Length);

    // Statements a page at a time, each on its line as stored; returns how many, and the SHA-2 of every attachment they list.
    private static async Task<(int Count, SortedSet<string> Attachments)> WriteStatementsAsync(ZipArchive zip, IStatementStore statements, long tenant,
        IReadOnlyCollection<string> keys, string? organisation, Action<string> progress, CancellationToken ct)
    {
        var attachments = new SortedSet<string>(StringComparer.Ordinal);
        var count = 0;
        await using var entry = await zip.CreateEntry("statements.ndjson", CompressionLevel.Fastest).OpenAsync(ct);
        StatementPosition? after = null;
        while (true)
        {
            var page = await statements.NamingAgentsAsync(tenant, keys, organisation, after, Page, ct);
            foreach (var statement in page)
            {
                await entry.WriteAsync(Encoding.UTF8.GetBytes(statement.Json + "\n"), ct);
                if (statement.Json.Contains("\"attachments\"", StringComparison.Ordinal)
                    && JsonNode.Parse(statement.Json)?["attachments"] is JsonArray listed)
                    foreach (var attachment in listed)
                        if (attachment?["sha2"] is JsonValue sha2 && sha2.TryGetValue(out string? hash)) attachments.Add(hash.ToLowerInvariant());
            }
            count += page.Count;
            if (page.Count < Page) return (count, attachments);
            after = page[^1].Position;
            progress($"statements: {count}");
        }
    }

    private static async Task<int> WriteDocumentsAsync(ZipArchive zip, IDocumentStore documents, long tenant, IReadOnlyCollection<string> keys,
        IReadOnlyDictionary<string, JsonObject> agents, CancellationToken ct)
    {
        var index = new List<DocumentEntry>();
        foreach (var listed in await documents.OfAgentsAsync(tenant, keys, ct))
        {
            // One deleted since it was listed is no longer held.
            if (await documents.GetAsync(tenant, listed.Address, ct) is not { } document) continue;
            var a = listed.Address;
            var file = $"documents/{index.Count + 1:D4}{Extension(document.ContentType)}";
            await using (var entry = await zip.CreateEntry(file, CompressionLevel.Fastest).OpenAsync(ct))
                await entry.WriteAsync(document.Content, ct);
            var isState = a.Kind == DocumentKind.State;
            index.Add(new DocumentEntry(file, isState ? "state" : "agentProfile", isState ? a.ActivityId : null,
                (JsonObject)agents[a.AgentKey].DeepClone(), a.Registration.Length > 0 ? a.Registration : null,
                isState ? a.Id : null, isState ? null : a.Id, document.ContentType, document.ETag, document.Updated));
        }
        await WriteJsonAsync(zip, "documents/index.json", index, ct);
        return index.Count;
    }

    private static async Task<int> WriteAttachmentsAsync(ZipArchive zip, IStatementStore statements, long tenant, IEnumerable<string> hashes, CancellationToken ct)
    {
        var index = new List<AttachmentEntry>();
        foreach (var sha2 in hashes)
        {
            // A hash is hex, so it is a safe file name; anything else a statement claims is listed, not used as one.
            if (!sha2.All(char.IsAsciiHexDigit) || await statements.GetAttachmentAsync(tenant, sha2, ct) is not { } attachment)
            {
                index.Add(new AttachmentEntry(sha2, null, null, null));
                continue;
            }
            var file = "attachments/" + sha2;
            await using (var entry = await zip.CreateEntry(file, CompressionLevel.Fastest).OpenAsync(ct))
                await entry.WriteAsync(attachment.Content, ct);
            index.Add(new AttachmentEntry(sha2, file, attachment.ContentType, attachment.Content.LongLength));
        }
        await WriteJsonAsync(zip, "attachments/index.json", index, ct);
        return index.Count(a => a.File is not null);
    }

    private static string Extension(string contentType) =>
        contentType.Split(';')[0].Trim().ToLowerInvariant() switch
        {
            "application/json" => ".json",
            "text/plain" => ".txt",
            "application/xml" or "text/xml" => ".xml",
            _ => "",
        };

    private static async Task WriteJsonAsync<T>(ZipArchive zip, string name, T value, CancellationToken ct)
    {
        await using var entry = await zip.CreateEntry(name, CompressionLevel.Fastest).OpenAsync(ct);
        await JsonSerializer.SerializeAsync(entry, value, Json, ct);
    }

    /// <summary>
    /// The response refuses synchronous writes, and a ZIP entry still makes a few when it closes (the end of its deflate
    /// stream, its data descriptor): those are kept here, a few kilobytes at most, and sent by the next asynchronous write or flush.
    /// </summary>
    private sealed class AsyncSink(Stream inner) : Stream
    {
        private readonly MemoryStream _pending = new();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            await SendPendingAsync(ct);
            await inner.WriteAsync(buffer, ct);
        }

        // A synchronous flush has nothing to do: what is pending goes with the next asynchronous write.
        public override void Flush() { }

        public override async Task FlushAsync(CancellationToken ct)
        {
            await SendPendingAsync(ct);
            await inner.FlushAsync(ct);
        }

        private async Task SendPendingAsync(CancellationToken ct)
        {
            if (_pending.Length == 0) return;
            await inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), ct);
            _pending.SetLength(0);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
