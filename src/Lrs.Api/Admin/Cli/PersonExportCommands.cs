using System.CommandLine;
using Lrs.Api.People;

namespace Lrs.Api.Admin.Cli;

/// <summary><c>people export --tenant NAME --person ID --out FILE</c>: the ZIP of <c>GET /api/people/{id}/export</c>, into a file.</summary>
internal static class PersonExportCommands
{
    public static Command Create()
    {
        var tenant = Terminal.Tenant();
        var person = new Option<string>("--person") { Description = "The person's id (the employee id).", Required = true, HelpName = "ID" };
        var file = new Option<string>("--out") { Description = "The ZIP file to write (replaced if it exists).", Required = true, HelpName = "FILE" };
        var command = new Command("export", "Write everything held about one person into a ZIP file (the right of access).") { tenant, person, file };
        command.SetAction((parse, ct) => Operator.RunAsync(async op =>
        {
            var (tenantName, personId, path) = (parse.GetRequiredValue(tenant), parse.GetRequiredValue(person), parse.GetRequiredValue(file));
            if (await op.FindTenantAsync(tenantName, ct) is not { } found) return Terminal.Fail($"No tenant named '{tenantName}'.");
            if (await op.Store.People.GetAsync(found.Id, personId, null, ct) is not { } subject)
                return Terminal.Fail($"Tenant '{tenantName}' has no person with id '{personId}'.");
            await op.Store.Audit.AppendAsync(found.Id, op.Time.GetUtcNow(), op.Actor, PersonExport.Exported, PersonExport.AuditTarget(subject.Id), null, ct);
            PersonExport.ExportCounts counts;
            try
            {
                await using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                counts = await Terminal.WithProgressAsync($"Exporting person '{personId}'",
                    progress => PersonExport.WriteAsync(output, op.Store, found.Id, subject, null, op.Options, op.Time, progress, ct));
            }
            catch
            {
                // Half a ZIP is no export: nobody should take it for one.
                File.Delete(path);
                throw;
            }
            Console.WriteLine($"Person '{subject.Id}' of tenant '{found.Name}' exported to {path}: {counts.Statements} statements, {counts.Documents} documents, " +
                $"{counts.Attachments} attachments, {counts.Evidence} evidence, {counts.ReflectionTasks} reflection tasks, {counts.Sessions} sessions and webinars, " +
                $"{counts.AuditEntries} audit entries.");
            return 0;
        }));
        return command;
    }
}
