using System.CommandLine;
using Lrs.Core.Storage;

namespace Lrs.Api.Admin.Cli;

/// <summary><c>retention apply --tenant NAME [--dry-run]</c>.</summary>
internal static class RetentionCommands
{
    public static Command Create()
    {
        var tenant = Terminal.Tenant();
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be removed and remove nothing." };
        var apply = new Command("apply", "Apply the tenant's retention periods now (GET /api/admin/privacy shows them), as the daily run does.") { tenant, dryRun };
        apply.SetAction((parse, ct) => Operator.RunAsync(async op =>
        {
            var tenantName = parse.GetRequiredValue(tenant);
            var found = await op.FindTenantAsync(tenantName, ct);
            if (found is null) return Terminal.Fail($"No tenant named '{tenantName}'.");
            var dry = parse.GetValue(dryRun);
            var (cutoffs, counts) = await Terminal.WithProgressAsync(dry ? "Counting what retention would remove" : "Applying retention",
                _ => new Retention(op.Store.Privacy, op.Time).ApplyAsync(found.Id, dry, op.Actor, ct));
            Console.WriteLine($"Retention of tenant '{found.Name}'{(dry ? " (dry run: nothing removed)" : "")}:");
            foreach (var (kind, cutoff) in new[] { ("statements", cutoffs.Statements), ("reflection answers", cutoffs.ReflectionAnswers), ("audit entries", cutoffs.Audit) })
                Console.WriteLine($"  {kind}: {(cutoff is { } c ? "older than " + Terminal.Format(c) : "kept for ever")}");
            foreach (var property in typeof(RetentionCounts).GetProperties())
                Console.WriteLine($"  {(dry ? "would remove" : "removed")} {property.GetValue(counts)} {System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property.Name)}");
            return 0;
        }));
        return new Command("retention", "Removal of data older than the tenant's retention periods.") { apply };
    }
}
