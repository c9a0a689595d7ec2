using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.People;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Authentication;

namespace Lrs.Api.Auth;

/// <summary>
/// The employer boundary, written once: whether an agent, a person, a statement or a task is within what a caller restricted
/// to one organisation (claim <c>lrs:organisation</c>) or bound to one actor (<see cref="BoundAccess"/>) may see and change.
/// An agent is within an employer when it is an agent of one of its people, or of no person of the tenant at all.
/// </summary>
public static class EmployerScope
{
    /// <summary>Whether the caller is narrowed at all: to an organisation, an actor or a registration.</summary>
    public static bool IsRestricted(this ClaimsPrincipal user) => user.RestrictedOrganisation() is not null || !BoundAccess.Of(user).IsNone;

    /// <summary>
    /// 403 (ProblemDetails) for a restricted caller: for writes that change the whole tenant (the competence framework, an
    /// evidence rebuild, tenants), which no single employer owns.
    /// </summary>
    public static TBuilder RequireUnrestricted<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            context.HttpContext.User.IsRestricted()
                ? TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Restricted credential",
                    detail: "This changes the whole tenant; a credential restricted to an organisation, an actor or a registration may not do it.")
                : await next(context));

    /// <summary>Whether <paramref name="agentKey"/> is an agent of no person, or of a person of the caller's organisation (true when unrestricted).</summary>
    public static async Task<bool> IsWithinEmployerAsync(ClaimsPrincipal user, IPeopleStore people, string agentKey, CancellationToken ct) =>
        user.RestrictedOrganisation() is not { } organisation
        || Within(await people.EmployersOfAgentsAsync(user.TenantId(), [agentKey], ct), agentKey, organisation);

    // An agent of no person, or of a person of the organisation.
    private static bool Within(IReadOnlyDictionary<string, string?> employers, string agentKey, string organisation) =>
        !employers.TryGetValue(agentKey, out var employer) || employer == organisation;

    /// <summary>
    /// Whether the caller may read what is kept about an agent (its State and Agent Profile documents, its names): within the
    /// employer, and the bound actor itself when the caller is bound to one.
    /// </summary>
    public static async Task<bool> MaySeeAgentAsync(ClaimsPrincipal user, IPeopleStore people, string agentKey, CancellationToken ct) =>
        (BoundAccess.Of(user).ActorKey is not { } own || own == agentKey) && await IsWithinEmployerAsync(user, people, agentKey, ct);

    /// <summary>
    /// Whether the caller may read a stored statement: with <c>statements/read/mine</c> only its own (its authority), under
    /// bindings only the bound actor's and registration's, under an organisation only one about its people (actor or object
    /// agent, or a member of such a group), and reflection answers only with <c>reflections:write</c> or bound to the person.
    /// </summary>
    public static async Task<bool> MayReadStatementAsync(ClaimsPrincipal user, IPeopleStore people, string json, CancellationToken ct)
    {
        var keys = StatementIndex.Extract((JsonObject)JsonNode.Parse(json)!);
        if (OwnStatementKeys(user) is { Count: > 0 } own && !own.All(keys.Contains)) return false;
        if (HidesReflectionAnswers(user) && IsReflectionAnswer(json)) return false;
        return user.RestrictedOrganisation() is not { } organisation || await IsAboutOrganisationAsync(user, people, keys, organisation, ct);
    }

    /// <summary>
    /// Keys a statement must carry itself to be visible to the caller: with <c>statements/read/mine</c>, its own authority
    /// (Communication 4.2); with a bound actor or registration, those (<see cref="BoundAccess"/>).
    /// </summary>
    public static IReadOnlyList<string> OwnStatementKeys(ClaimsPrincipal user) =>
        user.ReadsAllStatements()
            ? BoundAccess.Of(user).StatementKeys
            : [StatementIndex.Authority + (AgentKey.Of(JsonNode.Parse(user.AuthorityJson())) ?? ""), .. BoundAccess.Of(user).StatementKeys];

    /// <summary>
    /// Reflection answers are evaluative personal data: through xAPI only the app people reflect in (<c>reflections:write</c>)
    /// and a credential bound to the person (whose reads are narrowed to their own statements) read them.
    /// </summary>
    public static bool HidesReflectionAnswers(ClaimsPrincipal user) =>
        !user.Has(Scopes.ReflectionsWrite) && BoundAccess.Of(user).ActorKey is null;

    /// <summary>Whether a statement carries a reflection task (an answer, as the API and reflection apps write them).</summary>
    public static bool IsReflectionAnswer(string json) =>
        json.Contains(ReflectionStatements.ReflectionTaskExtension, StringComparison.Ordinal);

    // Whether one of the statement's actor or object agents (or a member of such a group) is one of the employer's people.
    private static async Task<bool> IsAboutOrganisationAsync(ClaimsPrincipal user, IPeopleStore people, IReadOnlyList<string> keys, string organisation, CancellationToken ct)
    {
        string[] agents = [.. keys.Where(k => k.StartsWith(StatementIndex.Agent, StringComparison.Ordinal)).Select(k => k[StatementIndex.Agent.Length..])];
        if (agents.Length == 0) return false;
        var employers = await people.EmployersOfAgentsAsync(user.TenantId(), agents, ct);
        return agents.Any(agent => employers.TryGetValue(agent, out var employer) && employer == organisation);
    }

    /// <summary>
    /// Why a batch of valid statements may not be written by a restricted caller; null when it may (always for an unrestricted
    /// one). Under bindings: the bound actor and registration (<see cref="BoundAccess.RefuseWrite"/>). Under an organisation:
    /// every agent the statement names (actor, object, context, sub-statement) is within the employer. Under either: a
    /// StatementRef (object or <c>context.statement</c>) targets a statement of the batch or one the caller may read, and a
    /// reflection task named in the context is one the caller may see. A voiding or a sign-off thus reaches only what the
    /// caller could read.
    /// </summary>
    public static async Task<string?> RefuseStatementsAsync(ClaimsPrincipal user, IServiceProvider services, IReadOnlyList<JsonElement> statements,
        IReadOnlySet<Guid> batchIds, CancellationToken ct)
    {
        if (!user.IsRestricted()) return null;
        var bound = BoundAccess.Of(user);
        var organisation = user.RestrictedOrganisation();
        var people = services.GetRequiredService<IPeopleStore>();
        var store = services.GetRequiredService<IStatementStore>();
        var tenant = user.TenantId();
        // The agents each statement names, from its keys as preparation reads them (a sent authority's too), and the employers
        // of all of them in one query.
        var named = new List<string>[statements.Count];
        IReadOnlyDictionary<string, string?> employers = new Dictionary<string, string?>();
        if (organisation is not null)
        {
            for (var i = 0; i < statements.Count; i++)
                named[i] = [.. StatementIndex.NamedAgents(StatementIndex.Extract(statements[i],
                    statements[i].TryGetProperty("authority"u8, out var authority) && authority.ValueKind == JsonValueKind.Object
                        ? new PreparedAuthority(JsonObject.Create(authority)!) : null))];
            employers = await people.EmployersOfAgentsAsync(tenant, named.SelectMany(n => n).ToHashSet(StringComparer.Ordinal), ct);
        }
        // The other rules read each statement from many sides: as a tree over its element, made as it is read.
        for (var i = 0; i < statements.Count; i++)
        {
            if (JsonObject.Create(statements[i]) is not { } statement) continue;
            var at = statements.Count > 1 ? $"$[{i}]" : "The statement";
            if (bound.RefuseWrite(statement) is { } reason) return reason;
            if (organisation is not null && named[i].Any(agent => !Within(employers, agent, organisation)))
                return $"{at} names a person of another organisation; this credential writes statements only about people of '{organisation}' and agents that are no person's.";
            foreach (var target in StatementRefs(statement))
            {
                if (batchIds.Contains(target)) continue;
                if (await store.GetAsync(tenant, target, ct) is not { } row || !await MayReadStatementAsync(user, people, row.Json, ct))
                    return $"{at} refers to statement {target:D}, which this credential may not read; a restricted credential voids, signs off and refers to only what it could read.";
            }
            if (statement["context"]?["extensions"]?[ReflectionStatements.ReflectionTaskExtension] is JsonValue taskValue
                && taskValue.TryGetValue(out string? taskText) && Guid.TryParse(taskText, out var taskId)
                && await VisibleTaskAsync(taskId, user, services.GetRequiredService<IReflectionStore>(), people, ct) is null)
                return $"{at} names reflection task {taskId:D}, which this credential may not see.";
        }
        return null;
    }

    // The statements a statement points at: a StatementRef object and context.statement.
    private static IEnumerable<Guid> StatementRefs(JsonObject statement)
    {
        foreach (var node in new[] { statement["object"], statement["context"]?["statement"] })
            if (node is JsonObject o && o["objectType"] is JsonValue type && type.TryGetValue(out string? t) && t == "StatementRef"
                && o["id"] is JsonValue id && id.TryGetValue(out string? text) && Guid.TryParse(text, out var target))
                yield return target;
    }

    /// <summary>The task, when it exists and the caller may see it (bound actor: its own; organisation: its people's).</summary>
    public static async Task<ReflectionTask?> VisibleTaskAsync(Guid id, ClaimsPrincipal user, IReflectionStore store, IPeopleStore people, CancellationToken ct)
    {
        var tenant = user.TenantId();
        if (await store.GetAsync(tenant, id, ct) is not { } task) return null;
        if (BoundAccess.Of(user).ActorKey is { } ownAgent && task.AgentKey != ownAgent
            && (await people.PersonOfAgentAsync(tenant, ownAgent, ct) is not { } ownPerson || task.PersonId != ownPerson)) return null;
        if (user.RestrictedOrganisation() is { } organisation
            && (task.PersonId is null || await people.GetAsync(tenant, task.PersonId, organisation, ct) is null)) return null;
        return task;
    }

    /// <summary>
    /// The restrictions of a credential a caller issues: never wider than the caller's own. A restricted issuer's organisation,
    /// actor and registration are inherited when left out and must be the same when given; its scopes must be ones it holds
    /// itself; an actor it binds to must be within its employer. Returns the restrictions to store, or why none may be issued.
    /// </summary>
    public static async Task<(CredentialRestrictions Restrictions, string? Refusal)> IssuableAsync(ClaimsPrincipal user, IPeopleStore people,
        IReadOnlyList<string> scopes, CredentialRestrictions asked, CancellationToken ct)
    {
        if (!user.IsRestricted()) return (asked, null);
        var bound = BoundAccess.Of(user);
        var own = user.RestrictedOrganisation();
        var restrictions = new CredentialRestrictions(asked.Organisation ?? own, asked.ActorJson, asked.Registration ?? (bound.Registration is { } r ? Guid.Parse(r) : null));
        var actorKey = asked.ActorJson is { } actor ? AgentKey.Of(JsonNode.Parse(actor)) : null;
        if (own is not null && restrictions.Organisation != own)
            return (restrictions, $"This credential is restricted to organisation '{own}' and issues credentials restricted to it only.");
        if (bound.ActorKey is { } boundActor && actorKey != boundActor)
            return (restrictions, "This credential is bound to one actor and issues credentials bound to the same actor only (give it as actor).");
        if (bound.Registration is { } registration && restrictions.Registration?.ToString("D") != registration)
            return (restrictions, $"This credential is bound to registration {registration} and issues credentials bound to it only.");
        if (actorKey is not null && !await IsWithinEmployerAsync(user, people, actorKey, ct))
            return (restrictions, "The actor is a person of another organisation than this credential's.");
        if (scopes.FirstOrDefault(s => !user.Has(s)) is { } wider)
            return (restrictions, $"This credential is restricted and issues only scopes it holds itself; it does not hold '{wider}'.");
        return (restrictions, null);
    }

    /// <summary>
    /// Whether a restricted caller sees (and may revoke) a credential: one restricted at least as narrowly as itself, to the
    /// same organisation, actor and registration. An unrestricted caller sees every credential of its tenant.
    /// </summary>
    public static bool Covers(ClaimsPrincipal user, Credential credential)
    {
        var bound = BoundAccess.Of(user);
        var restrictions = credential.Restrictions;
        return (user.RestrictedOrganisation() is not { } own || restrictions.Organisation == own)
            && (bound.ActorKey is null || (restrictions.ActorJson is { } actor && AgentKey.Of(JsonNode.Parse(actor)) == bound.ActorKey))
            && (bound.Registration is null || restrictions.Registration?.ToString("D") == bound.Registration);
    }

    /// <summary>
    /// The claim rule: a restricted writer may not link to its people an agent that a stored statement about another
    /// organisation's people carries as actor or object, since that would let it read those statements. Errors name the
    /// person and the agent; empty when the batch may be written (always for an unrestricted writer).
    /// </summary>
    public static async Task<IReadOnlyList<ValidationError>> ClaimConflictsAsync(ClaimsPrincipal user, IPeopleStore people, IStatementStore statements,
        IReadOnlyList<PersonUpsert> batch, CancellationToken ct)
    {
        if (user.RestrictedOrganisation() is not { } own) return [];
        var tenant = user.TenantId();
        var organisations = await people.OrganisationsAsync(tenant, null, ct);
        var others = organisations.Where(o => o.Id != own).Select(o => o.Id).ToList();
        var mine = organisations.FirstOrDefault(o => o.Id == own);
        var errors = new List<ValidationError>();
        if (others.Count == 0) return errors;
        // An entry of another organisation is refused by the upsert itself (403).
        for (var i = 0; i < batch.Count; i++)
            foreach (var agent in batch[i].OrganisationId == own ? PeopleSync.AgentsOf(batch[i], mine) : [])
            {
                var key = AgentKey.Of(agent)!;
                // An agent the person has already stays theirs; only a new link can widen what the writer reads.
                if (await people.PersonOfAgentAsync(tenant, key, ct) == batch[i].Id) continue;
                foreach (var other in others)
                {
                    var about = await statements.QueryAsync(tenant, new StatementQuery { OwnKeys = [StatementIndex.Agent + key], Organisation = other, Limit = 1 }, ct);
                    if (about.Count == 0) continue;
                    errors.Add(new ValidationError($"$[{i}].agents", $"gives the agent {agent.ToJsonString()}, which statements about people of another organisation carry; "
                        + "a credential restricted to one organisation cannot claim it (an unrestricted one can)"));
                    break;
                }
            }
        return errors;
    }
}

/// <summary>
/// A credential bound to one actor acts as that person: when the actor is an agent of a person and the credential names no
/// organisation, it is restricted to the person's organisation (claim <c>lrs:organisation</c>) for every read and write of
/// people, as if it had been issued so. Evaluated on every request, so a person who changes employer takes the credential along.
/// </summary>
public sealed class BoundActorEmployer(IPeopleStore people) : IClaimsTransformation
{
    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (principal.FindFirstValue(LrsClaims.Actor) is not { } actor || principal.RestrictedOrganisation() is not null
            || principal.FindFirstValue(LrsClaims.Tenant) is null) return principal;
        var tenant = principal.TenantId();
        if (await people.PersonOfAgentAsync(tenant, actor, CancellationToken.None) is not { } personId
            || await people.GetAsync(tenant, personId, null, CancellationToken.None) is not { } person) return principal;
        var transformed = principal.Clone();
        ((ClaimsIdentity)transformed.Identity!).AddClaim(new Claim(LrsClaims.Organisation, person.OrganisationId));
        return transformed;
    }
}
