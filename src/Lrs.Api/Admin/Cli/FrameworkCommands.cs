using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Competence;
using Lrs.Core.Competence;

namespace Lrs.Api.Admin.Cli;

/// <summary><c>framework import --tenant NAME FILE</c>, <c>framework export --tenant NAME</c>.</summary>
internal static class FrameworkCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create() => new("framework", "Import and export a tenant's competence framework (JSON).") { Import(), Export() };

    private static Command Import()
    {
        var tenant = Terminal.Tenant();
        var file = new Argument<string>("FILE") { Description = "The framework as JSON, as GET /api/framework answers it." };
        var command = new Command("import", "Replace the competence framework and rebuild evidence from the stored statements.") { tenant, file };
        command.SetAction((parse, ct) => Operator.RunAsync(async op =>
        {
            var (tenantName, path) = (parse.GetRequiredValue(tenant), parse.GetRequiredValue(file));
            var found = await op.FindTenantAsync(tenantName, ct);
            if (found is null) return Terminal.Fail($"No tenant named '{tenantName}'.");
            JsonNode? document;
            try
            {
                document = JsonNode.Parse(await File.ReadAllTextAsync(path, ct));
            }
            catch (JsonException e)
            {
                return Terminal.Fail($"{path} is not JSON: {e.Message}");
            }
            var (framework, errors) = FrameworkDocument.Parse(document);
            if (framework is null) return Terminal.Fail($"The framework is not valid:\n  {string.Join("\n  ", errors)}");
            var (stored, outcome) = await Terminal.WithProgressAsync("Importing the framework and rebuilding evidence", async _ =>
                (await op.Store.Competence.PutFrameworkAsync(found.Id, framework, null, ct), await op.Store.Competence.RebuildAsync(found.Id, ct)));
            var detail = $"version={stored!.Version} competences={framework.Competences.Count} rules={framework.Rules.Count} roles={framework.Roles.Count}; " +
                $"scanned={outcome.StatementsScanned} added={outcome.Added} changed={outcome.Changed} retracted={outcome.Retracted}";
            await op.Store.Audit.AppendAsync(found.Id, op.Time.GetUtcNow(), op.Actor, FrameworkEndpoints.FrameworkChange, "import", detail, ct);
            Console.WriteLine($"Framework of tenant '{found.Name}' imported: {detail}.");
            return 0;
        }));
        return command;
    }

    private static Command Export()
    {
        var tenant = Terminal.Tenant();
        var command = new Command("export", "Print the competence framework (JSON).") { tenant };
        command.SetAction((parse, ct) => Operator.RunAsync(async op =>
        {
            var tenantName = parse.GetRequiredValue(tenant);
            var found = await op.FindTenantAsync(tenantName, ct);
            if (found is null) return Terminal.Fail($"No tenant named '{tenantName}'.");
            var stored = await op.Store.Competence.GetFrameworkAsync(found.Id, ct);
            Console.WriteLine(FrameworkDocument.Write(stored.Framework).ToJsonString(Indented));
            return 0;
        }));
        return command;
    }
}
