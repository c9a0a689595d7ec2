using System.Text.Json.Nodes;
using Lrs.Api.Admin;
using Lrs.Api.Hosting;
using Lrs.Api.Learning;
using Lrs.Api.Xapi;
using Lrs.Core.Competence;
using Lrs.Core.People;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Api.Demo;

/// <summary>What <c>demo seed</c> made.</summary>
public sealed record DemoSeedOutcome(string Tenant, string Key, string Secret, int Organisations, int Units, int People, long Statements, TimeSpan Took);

/// <summary>
/// Loads a demo tenant: the Swedish elderly-care framework, its employers, units and staff, and their statements,
/// through the same validation, preparation and stores as the API (evidence is extracted and reflection tasks are created as
/// statements are stored); the learning centres Metodikum and Metodrum (<see cref="DemoMetodrum"/>, with its own employers and
/// fifteen months of sessions); then some of the tasks are answered, every unit holds a group reflection, and most follow-up
/// questions asked by now are answered (<see cref="DemoFollowUp"/>).
/// </summary>
public static class DemoSeeder
{
    /// <summary>Statements per stored batch.</summary>
    private const int Batch = 500;

    /// <summary>Batches being written at once: enough to keep the store's writers busy while the next batch is made.</summary>
    private const int InFlight = 4;

    /// <summary>Where the demo framework ships, next to the executable.</summary>
    public static string FrameworkFile => Path.Combine(AppContext.BaseDirectory, "Demo", "care-framework.json");

    /// <summary>Seeds a new tenant; null with a reason when the tenant exists already.</summary>
    public static async Task<(DemoSeedOutcome? Outcome, string? Error)> SeedAsync(
        LrsStore store, Administration administration, string tenantName, DemoTenant demo, int statementsPerPerson,
        string authorityHomePage, string actor, TimeProvider time, Action<string> progress, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var (framework, errors) = FrameworkDocument.Parse(JsonNode.Parse(await File.ReadAllTextAsync(FrameworkFile, ct)));
        if (framework is null) return (null, $"The demo framework does not parse: {string.Join("; ", errors)}");

        var tenant = await administration.CreateTenantAsync(tenantName, actor, null, ct);
        if (tenant is null) return (null, $"A tenant named '{tenantName}' exists already; seed another with --tenant NAME.");
        var (credential, secret) = await administration.IssueCredentialAsync(tenant.Id, "demo",
            ["all", "profiles:read", "people:write", "framework:write", "reflections:read", "reflections:write", "admin"], null, authorityHomePage, actor, ct);

        await store.Competence.PutFrameworkAsync(tenant.Id, framework, null, ct);
        progress($"framework: {framework.Competences.Count} competences, {framework.Roles.Count} roles, {framework.Rules.Count} rules");

        var now = time.GetUtcNow();
        var metodrum = DemoMetodrum.For(demo);
        IReadOnlyList<DemoOrganisation> employers = [.. demo.Organisations, .. metodrum.Organisations];
        IReadOnlyList<DemoPerson> staff = [.. demo.People, .. metodrum.People];
        var organisations = employers.Select(o => new OrganisationUpsert(o.Id, o.Name, o.HrHomePage, [.. o.Units.Select(u => new UnitUpsert(u.Id, u.Name))], o.Kind)).ToList();
        var orgOutcome = await store.People.UpsertOrganisationsAsync(tenant.Id, organisations, null, now, ct);
        if (orgOutcome.Refusal is { } orgRefusal) return (null, $"Organisations refused: {string.Join("; ", orgRefusal.Errors)}");
        foreach (var chunk in staff.Chunk(PeopleInput.MaxPeople))
        {
            var people = chunk.Select(p => new PersonUpsert(p.EmployeeId, p.OrganisationId, p.Name, p.Email, null, [p.UnitId], p.Roles, p.Duties,
                [.. p.Agents.Select(a => (JsonObject)a.DeepClone())])).ToList();
            var outcome = await store.People.UpsertPeopleAsync(tenant.Id, people, null, now, ct);
            if (outcome.Refusal is { } refusal) return (null, $"People refused: {string.Join("; ", refusal.Errors.Take(5))}");
        }
        progress($"people: {staff.Count} in {employers.Sum(o => o.Units.Count)} units of {employers.Count} employers");
        await store.FollowUp.PutCentreAsync(tenant.Id, DemoCatalogue.Metodikum(now), ct);
        await store.FollowUp.PutCentreAsync(tenant.Id, DemoMetodrum.Centre(now), ct);

        var authority = (JsonObject)JsonNode.Parse(credential.AuthorityJson)!;
        // The demo's statements get their stored times as a client's do; this process serves no reads, so its clock is its own.
        var writer = new StatementWriter(store.Statements, new StoredClock(time));
        long stored = 0, reported = 0;
        // Several batches are written at once, as concurrent requests are, while the next ones are made; a batch waits
        // for the batches in flight that hold a statement it refers to, so that it sees them stored (a sign-off inherits
        // the index keys of what it confirms only if that is committed).
        var inFlight = new List<(Task<int> Done, HashSet<Guid> Ids)>();
        async Task WaitAsync(int index)
        {
            stored += await inFlight[index].Done;
            inFlight.RemoveAt(index);
            if (stored - reported >= 100_000) progress($"statements: {reported = stored}");
        }
        async Task SendAsync(List<JsonObject> batch)
        {
            for (int i = inFlight.Count - 1; i >= 0; i--)
                if (batch.Any(s => RefTarget(s) is { } target && inFlight[i].Ids.Contains(target))) await WaitAsync(i);
            if (inFlight.Count == InFlight) await WaitAsync(0);
            HashSet<Guid> ids = [.. batch.Select(s => Guid.Parse(s["id"]!.GetValue<string>()))];
            inFlight.Add((StoreAsync(writer, tenant.Id, authority, batch, ct), ids));
        }

        var next = new List<JsonObject>(Batch);
        foreach (var statement in demo.Statements(statementsPerPerson))
        {
            next.Add(statement);
            if (next.Count == Batch)
            {
                await SendAsync(next);
                next = new List<JsonObject>(Batch);
            }
        }
        if (next.Count > 0) await SendAsync(next);
        while (inFlight.Count > 0) await WaitAsync(0);
        progress($"statements: {stored}");

        // Recent on-site sessions and a webinar go the way a client's do: through the session writer.
        var sessionStores = new SessionStores(writer, store.People, store.Sessions);
        var sessionCaller = new SessionCaller(tenant.Id, authority, null, Define: true);
        var fromSessions = await DemoSessions.WriteAsync(sessionStores, sessionCaller, demo, ct);
        stored += fromSessions;
        progress($"sessions and a webinar: {fromSessions} statements");
        var atMetodrum = await metodrum.WriteSessionsAsync(sessionStores, sessionCaller, ct);
        stored += atMetodrum;
        progress($"Metodrum: {metodrum.People.Count} people of {metodrum.Organisations.Count} employers, sessions over 15 months ({atMetodrum} statements)");

        var (answered, groupReflections, reflectionStatements) = await DemoReflection.SeedAsync(store, writer, tenant.Id, framework, demo.Seed,
            employers, staff, authority, time, ct);
        stored += reflectionStatements;
        progress($"reflection: {answered} tasks answered, {groupReflections} group reflections held ({reflectionStatements} statements)");

        var (asked, followUpsAnswered, followUpStatements) = await DemoFollowUp.SeedAsync(store, writer, tenant.Id, framework, demo, metodrum, authority, now, ct);
        stored += followUpStatements;
        progress($"follow-up: {followUpsAnswered} of {asked} follow-up questions answered");

        var (deviations, trainingPlans, planningStatements) = await DemoPlanning.SeedAsync(store, writer, tenant.Id, framework, demo, authority, time, ct);
        stored += planningStatements;
        progress($"planning: a plan for {demo.Organisations[0].Units[0].Id}, {deviations} deviation reports, {trainingPlans} training plans ({planningStatements} statements)");

        return (new DemoSeedOutcome(tenant.Name, credential.Key, secret, employers.Count, employers.Sum(o => o.Units.Count),
            staff.Count, stored, time.GetElapsedTime(started)), null);
    }

    /// <summary>Stores demo statements as one batch; how many.</summary>
    /// <exception cref="InvalidOperationException">A statement is invalid, or stored already with other content.</exception>
    internal static async Task<int> StoreAsync(StatementWriter writer, long tenantId, JsonObject authority, IReadOnlyList<JsonObject> batch, CancellationToken ct)
    {
        if (await writer.WriteBuiltAsync(tenantId, authority, batch, Hosting.StatementSources.Demo, ct) is { } conflict)
            throw new InvalidOperationException($"Statement {conflict} is stored already with other content.");
        return batch.Count;
    }

    // The statement an object StatementRef targets (a sign-off's learner statement).
    private static Guid? RefTarget(JsonObject statement) =>
        statement["object"] is JsonObject o && o["objectType"]?.GetValue<string>() == "StatementRef" ? Guid.Parse(o["id"]!.GetValue<string>()) : null;
}
