using System.CommandLine;

namespace Lrs.Api.Admin.Cli;

/// <summary><c>tenants create NAME</c>, <c>tenants list</c>.</summary>
internal static class TenantCommands
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The new tenant's name." };
        var create = new Command("create", "Create a tenant: hard isolation of data (a learning centre, a provider hosted separately).") { name };
        create.SetAction((parse, ct) => Operator.RunAsync(async op =>
        {
            var tenantName = parse.GetRequiredValue(name).Trim();
            if (tenantName.Length == 0) return Terminal.Fail("tenants create needs exactly one NAME.");
            var tenant = await op.Administration.CreateTenantAsync(tenantName, op.Actor, null, ct);
            if (tenant is null) return Terminal.Fail($"A tenant named '{tenantName}' exists already.");
            Console.WriteLine($"Tenant '{tenant.Name}' created.");
            return 0;
        }));

        var list = new Command("list", "List the tenants, one a line: name and creation time.");
        list.SetAction((parse, ct) => Operator.RunAsync(async op =>
        {
            foreach (var t in await op.Store.Credentials.TenantsAsync(ct))
                Console.WriteLine($"{t.Name}\tcreated {Terminal.Format(t.Created)}");
            return 0;
        }));

        return new Command("tenants", "Create and list tenants.") { create, list };
    }
}
