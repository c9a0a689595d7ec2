using System.CommandLine;
using Lrs.Api.FollowUp;
using Microsoft.Extensions.Options;

namespace Lrs.Api.Admin.Cli;

/// <summary><c>follow-up export --tenant NAME --measure reach … --out FILE</c>: the figures of <c>GET /api/follow-up/…</c> as CSV.</summary>
internal static class FollowUpCommands
{
    public static Command Create()
    {
        var tenant = Terminal.Tenant();
        var measure = new Option<string>("--measure")
        {
            Description = "reach, short-term, medium-term or long-term.", Required = true, HelpName = "MEASURE",
        };
        measure.AcceptOnlyFromAmong([.. FollowUpEndpoints.Monthly.Keys]);
        var file = new Option<string>("--out") { Description = "The CSV file to write (UTF-8 with a byte order mark).", Required = true, HelpName = "FILE" };
        Option<string> Filter(string name, string description, string help) => new(name) { Description = description, HelpName = help };
        var from = Filter("--from", "The first month (default: eleven months before --to).", "yyyy-MM");
        var to = Filter("--to", "The last month (default: this month).", "yyyy-MM");
        var centre = Filter("--centre", "Only the trainings of this learning centre.", "ID");
        var kind = Filter("--employer-kind", "municipal, private or regional.", "KIND");
        var organisation = Filter("--organisation", "Only people of this organisation.", "ID");
        var unit = Filter("--unit", "Only people of this unit.", "ID");
        var role = Filter("--role", "Only people in this role.", "ID");
        var competence = Filter("--competence", "Only trainings aligned with this competence.", "ID");
        var locale = Filter("--locale", "sv-SE for ';' and a decimal comma; en-US (default) for ',' and a point.", "LOCALE");
        var export = new Command("export", "Write one follow-up measure, month by month, as CSV; counts below five people are <5.")
        {
            tenant, measure, file, from, to, centre, kind, organisation, unit, role, competence, locale,
        };
        export.SetAction((parse, ct) => Operator.RunAsync(async op =>
        {
            var tenantName = parse.GetRequiredValue(tenant);
            var found = await op.FindTenantAsync(tenantName, ct);
            if (found is null) return Terminal.Fail($"No tenant named '{tenantName}'.");
            if (FollowUpEndpoints.Locale(parse.GetValue(locale)) is not { } csvLocale) return Terminal.Fail("--locale is sv-SE or en-US.");
            var (name, compute) = FollowUpEndpoints.Monthly[parse.GetRequiredValue(measure)];
            var reader = new FollowUpReader(op.Store.FollowUp, op.Store.Competence, Options.Create(op.Options), op.Time);
            var query = new FollowUpEndpoints.FollowUpQuery(parse.GetValue(from), parse.GetValue(to), parse.GetValue(centre), parse.GetValue(kind),
                parse.GetValue(organisation), parse.GetValue(unit), parse.GetValue(role), parse.GetValue(competence), null);
            var (request, refusal) = await reader.FilterAsync(found.Id, null, query, ct);
            if (request is null) return Terminal.Fail($"{refusal!.Title}: {refusal.Detail}");
            var rows = await Terminal.WithProgressAsync($"Computing {name}", async step =>
            {
                step("reading statements, evidence and tasks");
                var data = await reader.ReadAsync(found.Id, name, request, ct);
                step($"computing {request.Filter.From}–{request.Filter.To}");
                return compute(data, request.Filter);
            });
            var path = parse.GetRequiredValue(file);
            await File.WriteAllBytesAsync(path, FollowUpCsv.Write(rows, csvLocale), ct);
            Console.WriteLine($"{name} of tenant '{found.Name}', {request.Filter.From} to {request.Filter.To}: {rows.Count} rows ({rows.Count(r => r.Suppressed)} suppressed) written to {path}.");
            return 0;
        }));
        return new Command("follow-up", "Follow-up of a learning centre's effects.") { export };
    }
}
