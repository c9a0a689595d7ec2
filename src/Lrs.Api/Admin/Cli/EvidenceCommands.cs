using System.CommandLine;
using Lrs.Api.Competence;

namespace Lrs.Api.Admin.Cli;

/// <summary><c>evidence rebuild --tenant NAME</c>.</summary>
internal static class EvidenceCommands
{
    public static Command Create()
    {
        var tenant = Terminal.Tenant();
        var rebuild = new Command("rebuild", "Match the stored statements against the competence framework again.") { tenant };
        rebuild.SetAction((parse, ct) => Operator.RunAsync(async op =>
        {
            var tenantName = parse.GetRequiredValue(tenant);
            var found = await op.FindTenantAsync(tenantName, ct);
            if (found is null) return Terminal.Fail($"No tenant named '{tenantName}'.");
            var outcome = await Terminal.WithProgressAsync("Rebuilding evidence", _ => op.Store.Competence.RebuildAsync(found.Id, ct));
            var detail = $"scanned={outcome.StatementsScanned} added={outcome.Added} changed={outcome.Changed} retracted={outcome.Retracted}";
            await op.Store.Audit.AppendAsync(found.Id, op.Time.GetUtcNow(), op.Actor, FrameworkEndpoints.EvidenceRebuild, "evidence", detail, ct);
            Console.WriteLine($"Evidence of tenant '{found.Name}' rebuilt: {detail}.");
            return 0;
        }));
        return new Command("evidence", "Competence evidence drawn from stored statements.") { rebuild };
    }
}
