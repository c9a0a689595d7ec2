using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Demo;

namespace Lrs.Api.Admin.Cli;

/// <summary><c>demo seed</c> (a demo tenant in the store), <c>demo statements</c> (the demo's statements into a file, for load tests).</summary>
internal static class DemoCommands
{
    // As clients send it: UTF-8, not å as \u00E5.
    private static readonly JsonSerializerOptions BodyJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create() => new("demo", "A demo tenant: the care framework, two employers, their staff and a year of training.") { Seed(), Statements() };

    private static Option<int> StatementsPerPerson() => Terminal.WholeNumber("--statements-per-person", 30, 1, 10_000, "Statements of training per person.");

    private static Option<int> RandomSeed() => Terminal.WholeNumber("--seed", 42, int.MinValue, int.MaxValue, "The seed of the generator: the same seed, the same demo.");

    private static Command Seed()
    {
        var tenant = new Option<string>("--tenant") { Description = "The new tenant's name.", DefaultValueFactory = _ => "demo", HelpName = "NAME" };
        var people = Terminal.WholeNumber("--people", 300, 0, 1_000_000, "How many people at Metodikum's employers; Metodrum's get half as many, at most 130.");
        var perPerson = StatementsPerPerson();
        var seed = RandomSeed();
        var perUnit = Terminal.WholeNumber("--people-per-unit", null, 1, 1_000_000, "People per unit, in as many units as it takes (without it, six units).");
        var command = new Command("seed", "Seed a new demo tenant and print its credential and example requests.") { tenant, people, perPerson, seed, perUnit };
        command.SetAction((parse, ct) => Operator.RunAsync(async op =>
        {
            var peoplePerUnit = parse.GetValue(perUnit);
            var demo = DemoTenant.Generate(parse.GetValue(seed), parse.GetValue(people), op.Time.GetUtcNow(), peoplePerUnit: peoplePerUnit == 0 ? null : peoplePerUnit);
            var (outcome, seedError) = await Terminal.WithProgressAsync("Seeding the demo tenant", progress => DemoSeeder.SeedAsync(
                op.Store, op.Administration, parse.GetRequiredValue(tenant), demo, parse.GetValue(perPerson), op.Options.Bootstrap.AuthorityHomePage, op.Actor, op.Time, progress, ct));
            if (outcome is null) return Terminal.Fail(seedError!);
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
                  curl -u {{outcome.Key}}:{{outcome.Secret}} http://localhost:8080/api/units/{{unit}}/needs
                  curl -u {{outcome.Key}}:{{outcome.Secret}} http://localhost:8080/api/units/{{unit}}/plans/{{DemoPlanning.PlanId}}/progress
                  curl -u {{outcome.Key}}:{{outcome.Secret}} http://localhost:8080/api/units/{{unit}}/training-plans
                """);
            return 0;
        }));
        return command;
    }

    // The same statements demo seed stores, as bodies of POST /xapi/statements. Without ids, so that a load test can
    // send them again and again; a sign-off's StatementRef keeps its target's original id. No store involved.
    private static Command Statements()
    {
        var file = new Option<string>("--out") { Description = "The file to write, one batch (a JSON array) a line.", Required = true, HelpName = "FILE" };
        var people = Terminal.WholeNumber("--people", 300, 1, 1_000_000, "How many people.");
        var perPerson = StatementsPerPerson();
        var seed = RandomSeed();
        var batchSize = Terminal.WholeNumber("--batch", 100, 1, 10_000, "Statements per batch.");
        var command = new Command("statements", "Write the demo's statements without ids as JSON arrays, one batch a line, for load tests.") { file, people, perPerson, seed, batchSize };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetRequiredValue(file);
            var demo = DemoTenant.Generate(parse.GetValue(seed), parse.GetValue(people), TimeProvider.System.GetUtcNow());
            var (statements, batches) = await Terminal.WithProgressAsync($"Writing {path}", async progress =>
            {
                long statements = 0, batches = 0;
                await using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
                foreach (var chunk in demo.Statements(parse.GetValue(perPerson)).Chunk(parse.GetValue(batchSize)))
                {
                    var batch = new JsonArray();
                    foreach (var statement in chunk)
                    {
                        statement.Remove("id");
                        batch.Add(statement);
                    }
                    await writer.WriteLineAsync(batch.ToJsonString(BodyJson).AsMemory(), ct);
                    if ((statements + chunk.Length) / 100_000 > statements / 100_000) progress($"statements: {statements + chunk.Length}");
                    statements += chunk.Length;
                    batches++;
                }
                return (statements, batches);
            });
            Console.WriteLine($"{statements} statements of {demo.People.Count} people in {batches} batches written to {path}.");
            return 0;
        });
        return command;
    }
}
