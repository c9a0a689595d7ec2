using System.Globalization;
using Lrs.Api.Auth;
using Lrs.Api.Hosting;
using Lrs.Core.Storage;

namespace Lrs.Api.Admin;

/// <summary>
/// The operator's verbs of the executable (<c>tenants …</c>, <c>credentials …</c>): the same configuration and
/// store as the server, no web server started. Exit code 0 on success, 1 with a message on stderr otherwise.
/// </summary>
public static class AdminCommands
{
    private const string Usage = """
        Usage:
          Lrs.Api                                   serve the API (default)
          Lrs.Api tenants create NAME
          Lrs.Api tenants list
          Lrs.Api credentials create --tenant NAME [--name LABEL] [--scopes "statements/write state"] [--expires 2027-01-01T00:00:00Z]
                                     [--organisation ORG] [--actor '{"account":{"homePage":"https://hr.example.se","name":"E10234"}}'] [--registration UUID]
          Lrs.Api credentials list [--tenant NAME]
          Lrs.Api credentials revoke KEY
          Lrs.Api framework import --tenant NAME FILE   replace the competence framework (JSON) and rebuild evidence
          Lrs.Api framework export --tenant NAME        print the competence framework (JSON)
          Lrs.Api demo seed [--tenant demo] [--people 300] [--statements-per-person 30] [--seed 42] [--people-per-unit 50]
                                                    a demo tenant: care framework, two employers, staff, a year of training
                                                    (six units, or with --people-per-unit as many as it takes)
          Lrs.Api demo statements --out FILE [--people 300] [--statements-per-person 30] [--seed 42] [--batch 100]
                                                    the demo's statements without ids as JSON arrays, one batch a line,
                                                    for load tests (no store involved)
          Lrs.Api evidence rebuild --tenant NAME    match stored statements against the competence framework again
        The store is configured as for serving: Lrs__Storage__Provider, Lrs__Storage__ConnectionString, appsettings.json.
        """;

    private const string DefaultScopes = "statements/write statements/read/mine";

    /// <summary>Whether the arguments name a verb of this class rather than options of the server.</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "tenants" or "credentials" or "framework" or "evidence" or "demo" or "help" or "--help";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args[0] is "help" or "--help")
        {
            Console.WriteLine(Usage);
            return 0;
        }
        if (!TryParse(args[1..], out var positional, out var options, out var parseError)) return Fail(parseError);
        if (args[0] == "demo" && positional is ["statements"]) return await WriteDemoStatementsAsync(options);

        // The same sources as serving (appsettings*.json, environment); command-line arguments here are the verb's own.
        var configuration = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] }).Configuration;
        var lrsOptions = configuration.GetSection("Lrs").Get<LrsOptions>() ?? new LrsOptions();
        var time = TimeProvider.System;
        try
        {
            await using var store = LrsStore.Create(lrsOptions.Storage, time);
            await store.Schema.EnsureSchemaAsync(CancellationToken.None);
            var administration = new Administration(store.Credentials, store.Audit, time);
            var actor = "cli:" + Environment.UserName;
            var ct = CancellationToken.None;

            switch (args[0], positional.FirstOrDefault())
            {
                case ("tenants", "create"):
                {
                    if (positional.Count != 2 || string.IsNullOrWhiteSpace(positional[1])) return Fail("tenants create needs exactly one NAME.");
                    var tenant = await administration.CreateTenantAsync(positional[1].Trim(), actor, null, ct);
                    if (tenant is null) return Fail($"A tenant named '{positional[1].Trim()}' exists already.");
                    Console.WriteLine($"Tenant '{tenant.Name}' created.");
                    return 0;
                }
                case ("tenants", "list"):
                {
                    foreach (var t in await store.Credentials.TenantsAsync(ct))
                        Console.WriteLine($"{t.Name}\tcreated {Format(t.Created)}");
                    return 0;
                }
                case ("credentials", "create"):
                {
                    if (positional.Count != 1) return Fail("credentials create takes no positional arguments; use --tenant, --name, --scopes, --expires, --organisation, --actor, --registration.");
                    if (!options.TryGetValue("tenant", out var tenantName)) return Fail("credentials create needs --tenant NAME.");
                    var tenant = await FindTenantAsync(store.Credentials, tenantName, ct);
                    if (tenant is null) return Fail($"No tenant named '{tenantName}' (create it with: tenants create {tenantName}).");
                    var (scopes, scopeError) = Scopes.Parse([options.GetValueOrDefault("scopes") ?? DefaultScopes]);
                    if (scopeError is not null) return Fail(scopeError);
                    var (expires, expiryError) = administration.ParseExpiry(options.GetValueOrDefault("expires"));
                    if (expiryError is not null) return Fail(expiryError);
                    var (restrictions, restrictionError) = Administration.ParseRestrictions(
                        options.GetValueOrDefault("organisation"), options.GetValueOrDefault("actor"), options.GetValueOrDefault("registration"));
                    if (restrictionError is not null) return Fail(restrictionError);
                    var name = options.GetValueOrDefault("name") is { Length: > 0 } n ? n : "credential";

                    var (credential, secret) = await administration.IssueCredentialAsync(tenant.Id, name, scopes, expires, lrsOptions.Bootstrap.AuthorityHomePage, actor, ct, restrictions);
                    Console.WriteLine($"""
                        Credential created in tenant '{tenant.Name}' (the secret is shown only now; store it)
                          key:          {credential.Key}
                          secret:       {secret}
                          name:         {credential.Name}
                          scopes:       {credential.Scopes}
                          expires:      {(credential.Expires is { } e ? Format(e) : "never")}
                          restrictions: {(restrictions.IsNone ? "none" : Administration.Describe(restrictions))}
                        """);
                    return 0;
                }
                case ("credentials", "list"):
                {
                    if (positional.Count != 1) return Fail("credentials list takes only --tenant NAME.");
                    var tenants = await store.Credentials.TenantsAsync(ct);
                    long? tenantId = null;
                    if (options.TryGetValue("tenant", out var tenantName))
                        tenantId = tenants.FirstOrDefault(t => t.Name == tenantName)?.Id ?? (long?)-1;
                    if (tenantId == -1) return Fail($"No tenant named '{tenantName}'.");
                    var names = tenants.ToDictionary(t => t.Id, t => t.Name);
                    Console.WriteLine("key\ttenant\tname\tstatus\tscopes\tcreated\texpires\trestrictions");
                    foreach (var c in await store.Credentials.ListAsync(tenantId, ct))
                        Console.WriteLine($"{c.Key}\t{names.GetValueOrDefault(c.TenantId)}\t{c.Name}\t{administration.StatusOf(c)}\t{c.Scopes}\t{Format(c.Created)}\t{(c.Expires is { } e ? Format(e) : "never")}\t{(c.Restrictions.IsNone ? "none" : Administration.Describe(c.Restrictions))}");
                    return 0;
                }
                case ("credentials", "revoke"):
                {
                    if (positional.Count != 2) return Fail("credentials revoke needs exactly one KEY.");
                    var credential = await store.Credentials.FindAsync(positional[1], ct);
                    if (credential is null) return Fail($"No credential with key '{positional[1]}'.");
                    if (!await administration.RevokeCredentialAsync(credential, actor, ct)) return Fail($"Credential '{credential.Key}' was revoked already.");
                    // A running server may accept a key it verified in the last minute; new verifications fail at once.
                    Console.WriteLine($"Credential '{credential.Key}' revoked (running servers refuse it within a minute).");
                    return 0;
                }
                case ("framework", "import"):
                {
                    if (positional.Count != 2 || !options.TryGetValue("tenant", out var tenantName)) return Fail("framework import needs --tenant NAME and one FILE.");
                    var tenant = await FindTenantAsync(store.Credentials, tenantName, ct);
                    if (tenant is null) return Fail($"No tenant named '{tenantName}'.");
                    System.Text.Json.Nodes.JsonNode? document;
                    try
                    {
                        document = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(positional[1], ct));
                    }
                    catch (System.Text.Json.JsonException e)
                    {
                        return Fail($"{positional[1]} is not JSON: {e.Message}");
                    }
                    var (framework, errors) = Lrs.Core.Competence.FrameworkDocument.Parse(document);
                    if (framework is null) return Fail($"The framework is not valid:\n  {string.Join("\n  ", errors)}");
                    var stored = await store.Competence.PutFrameworkAsync(tenant.Id, framework, null, ct);
                    var outcome = await store.Competence.RebuildAsync(tenant.Id, ct);
                    var detail = $"version={stored!.Version} competences={framework.Competences.Count} rules={framework.Rules.Count} roles={framework.Roles.Count}; " +
                        $"scanned={outcome.StatementsScanned} added={outcome.Added} changed={outcome.Changed} retracted={outcome.Retracted}";
                    await store.Audit.AppendAsync(tenant.Id, time.GetUtcNow(), actor, Competence.FrameworkEndpoints.FrameworkChange, "import", detail, ct);
                    Console.WriteLine($"Framework of tenant '{tenant.Name}' imported: {detail}.");
                    return 0;
                }
                case ("framework", "export"):
                {
                    if (positional.Count != 1 || !options.TryGetValue("tenant", out var tenantName)) return Fail("framework export needs --tenant NAME.");
                    var tenant = await FindTenantAsync(store.Credentials, tenantName, ct);
                    if (tenant is null) return Fail($"No tenant named '{tenantName}'.");
                    var stored = await store.Competence.GetFrameworkAsync(tenant.Id, ct);
                    Console.WriteLine(Lrs.Core.Competence.FrameworkDocument.Write(stored.Framework).ToJsonString(new System.Text.Json.JsonSerializerOptions
                    {
                        WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
                    }));
                    return 0;
                }
                case ("demo", "seed"):
                {
                    if (positional.Count != 1) return Fail("demo seed takes only --tenant, --people, --statements-per-person, --seed, --people-per-unit.");
                    if (!TryInt(options, "people", 300, 0, 1_000_000, out var peopleCount, out var error)
                        || !TryInt(options, "statements-per-person", 30, 1, 10_000, out var perPerson, out error)
                        || !TryInt(options, "seed", 42, int.MinValue, int.MaxValue, out var seed, out error)
                        || !TryInt(options, "people-per-unit", 0, 1, 1_000_000, out var perUnit, out error))
                        return Fail(error);
                    var tenantName = options.GetValueOrDefault("tenant") ?? "demo";
                    var demo = Demo.DemoTenant.Generate(seed, peopleCount, time.GetUtcNow(), peoplePerUnit: perUnit == 0 ? null : perUnit);
                    var (outcome, seedError) = await Demo.DemoSeeder.SeedAsync(store, administration, tenantName, demo, perPerson,
                        lrsOptions.Bootstrap.AuthorityHomePage, actor, time, message => Console.WriteLine("  " + message), ct);
                    if (outcome is null) return Fail(seedError!);
                    var somebody = demo.People.FirstOrDefault(p => p.Roles.Contains("underskoterska"))?.EmployeeId ?? demo.People.FirstOrDefault()?.EmployeeId;
                    var unit = demo.Organisations.FirstOrDefault()?.Units.FirstOrDefault()?.Id;
                    Console.WriteLine($$"""
                        Demo tenant '{{outcome.Tenant}}' seeded in {{outcome.Took.TotalSeconds:0.0}} s: {{outcome.Organisations}} employers, {{outcome.Units}} units, {{outcome.People}} people, {{outcome.Statements}} statements.
                        Its credential (the secret is shown only now):
                          key:     {{outcome.Key}}
                          secret:  {{outcome.Secret}}
                        With the server running (dotnet run --project src/Lrs.Api), try:
                          curl -u {{outcome.Key}}:{{outcome.Secret}} http://localhost:8080/api/people/{{somebody}}/profile
                          curl -u {{outcome.Key}}:{{outcome.Secret}} http://localhost:8080/api/units/{{unit}}/gaps
                          curl -u {{outcome.Key}}:{{outcome.Secret}} 'http://localhost:8080/api/expiring?withinDays=60'
                          curl -u {{outcome.Key}}:{{outcome.Secret}} 'http://localhost:8080/api/reflection-tasks?person={{somebody}}'
                          curl -u {{outcome.Key}}:{{outcome.Secret}} http://localhost:8080/api/units/{{unit}}/group-reflection
                          curl -u {{outcome.Key}}:{{outcome.Secret}} http://localhost:8080/api/units/{{unit}}/group-reflections
                        """);
                    return 0;
                }
                case ("evidence", "rebuild"):
                {
                    if (positional.Count != 1 || !options.TryGetValue("tenant", out var tenantName)) return Fail("evidence rebuild needs --tenant NAME.");
                    var tenant = await FindTenantAsync(store.Credentials, tenantName, ct);
                    if (tenant is null) return Fail($"No tenant named '{tenantName}'.");
                    var outcome = await store.Competence.RebuildAsync(tenant.Id, ct);
                    var detail = $"scanned={outcome.StatementsScanned} added={outcome.Added} changed={outcome.Changed} retracted={outcome.Retracted}";
                    await store.Audit.AppendAsync(tenant.Id, time.GetUtcNow(), actor, Competence.FrameworkEndpoints.EvidenceRebuild, "evidence", detail, ct);
                    Console.WriteLine($"Evidence of tenant '{tenant.Name}' rebuilt: {detail}.");
                    return 0;
                }
                default:
                    return Fail($"Unknown command '{string.Join(' ', args.Take(2))}'.\n{Usage}");
            }
        }
        catch (Exception e)
        {
            // An operator reads this, not a stack trace: a missing connection string, an unreachable server.
            return Fail($"Failed: {e.Message}");
        }
    }

    // As clients send it: UTF-8, not å as \u00E5.
    private static readonly System.Text.Json.JsonSerializerOptions BodyJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // demo statements: the same statements demo seed stores, as bodies of POST /xapi/statements. Without ids, so that a
    // load test can send them again and again; a sign-off's StatementRef keeps its target's original id.
    private static async Task<int> WriteDemoStatementsAsync(Dictionary<string, string> options)
    {
        if (!options.TryGetValue("out", out var file) || options.ContainsKey("tenant")) return Fail("demo statements needs --out FILE and takes --people, --statements-per-person, --seed, --batch.");
        if (!TryInt(options, "people", 300, 1, 1_000_000, out var peopleCount, out var error)
            || !TryInt(options, "statements-per-person", 30, 1, 10_000, out var perPerson, out error)
            || !TryInt(options, "seed", 42, int.MinValue, int.MaxValue, out var seed, out error)
            || !TryInt(options, "batch", 100, 1, 10_000, out var batchSize, out error))
            return Fail(error);
        var demo = Demo.DemoTenant.Generate(seed, peopleCount, TimeProvider.System.GetUtcNow());
        long statements = 0, batches = 0;
        await using (var writer = new StreamWriter(file, append: false, new System.Text.UTF8Encoding(false)))
        {
            foreach (var chunk in demo.Statements(perPerson).Chunk(batchSize))
            {
                var batch = new System.Text.Json.Nodes.JsonArray();
                foreach (var statement in chunk)
                {
                    statement.Remove("id");
                    batch.Add(statement);
                }
                await writer.WriteLineAsync(batch.ToJsonString(BodyJson));
                statements += chunk.Length;
                batches++;
            }
        }
        Console.WriteLine($"{statements} statements of {demo.People.Count} people in {batches} batches written to {file}.");
        return 0;
    }

    private static async Task<Tenant?> FindTenantAsync(ICredentialStore credentials, string name, CancellationToken ct) =>
        (await credentials.TenantsAsync(ct)).FirstOrDefault(t => t.Name == name);

    // --name value and --name=value; everything else is positional.
    private static bool TryParse(string[] args, out List<string> positional, out Dictionary<string, string> options, out string error)
    {
        (positional, options, error) = ([], new Dictionary<string, string>(StringComparer.Ordinal), "");
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(args[i]);
                continue;
            }
            var option = args[i][2..];
            string value;
            if (option.IndexOf('=') is var eq and >= 0) (option, value) = (option[..eq], option[(eq + 1)..]);
            else if (i + 1 < args.Length) value = args[++i];
            else
            {
                error = $"--{option} needs a value.";
                return false;
            }
            if (option is not ("tenant" or "name" or "scopes" or "expires" or "people" or "statements-per-person" or "seed" or "people-per-unit"
                or "out" or "batch" or "organisation" or "actor" or "registration"))
            {
                error = $"Unknown option --{option}.\n{Usage}";
                return false;
            }
            options[option] = value;
        }
        if (positional.Count == 0)
        {
            error = Usage;
            return false;
        }
        return true;
    }

    private static bool TryInt(Dictionary<string, string> options, string name, int fallback, int min, int max, out int value, out string error)
    {
        (value, error) = (fallback, "");
        if (!options.TryGetValue(name, out var text)) return true;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max) return true;
        error = $"--{name} is a whole number from {min} to {max}.";
        return false;
    }

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
