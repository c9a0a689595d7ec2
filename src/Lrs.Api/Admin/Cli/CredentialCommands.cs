using System.CommandLine;
using Lrs.Api.Auth;

namespace Lrs.Api.Admin.Cli;

/// <summary><c>credentials create</c>, <c>credentials list</c>, <c>credentials revoke KEY</c>.</summary>
internal static class CredentialCommands
{
    private const string DefaultScopes = "statements/write statements/read/mine";

    public static Command Create() => new("credentials", "Issue, list and revoke credentials (key and secret).") { CreateCredential(), List(), Revoke() };

    private static Command CreateCredential()
    {
        var tenant = Terminal.Tenant();
        var name = new Option<string>("--name") { Description = "A label for the credential.", DefaultValueFactory = _ => "credential", HelpName = "LABEL" };
        var scopes = new Option<string>("--scopes") { Description = "Its scopes, separated by spaces.", DefaultValueFactory = _ => DefaultScopes };
        var expires = new Option<string?>("--expires") { Description = "When it expires (a timestamp, e.g. 2027-01-01T00:00:00Z); never without.", HelpName = "TIME" };
        var organisation = new Option<string?>("--organisation") { Description = "Restricts it to the people of one employer.", HelpName = "ORG" };
        var actor = new Option<string?>("--actor") { Description = """Binds it to one learner, an xAPI Agent as JSON ('{"account":{"homePage":"https://hr.example.se","name":"E10234"}}').""", HelpName = "AGENT" };
        var registration = new Option<string?>("--registration") { Description = "Binds it to one registration.", HelpName = "UUID" };
        var command = new Command("create", "Issue a credential; its secret is shown only now.") { tenant, name, scopes, expires, organisation, actor, registration };
        command.SetAction((parse, ct) => Operator.RunAsync(async op =>
        {
            var tenantName = parse.GetRequiredValue(tenant);
            var found = await op.FindTenantAsync(tenantName, ct);
            if (found is null) return Terminal.Fail($"No tenant named '{tenantName}' (create it with: tenants create {tenantName}).");
            var (scopeSet, scopeError) = Scopes.Parse([parse.GetValue(scopes) ?? DefaultScopes]);
            if (scopeError is not null) return Terminal.Fail(scopeError);
            var (expiry, expiryError) = op.Administration.ParseExpiry(parse.GetValue(expires));
            if (expiryError is not null) return Terminal.Fail(expiryError);
            var (restrictions, restrictionError) = Administration.ParseRestrictions(parse.GetValue(organisation), parse.GetValue(actor), parse.GetValue(registration));
            if (restrictionError is not null) return Terminal.Fail(restrictionError);
            var label = parse.GetValue(name) is { Length: > 0 } n ? n : "credential";

            var (credential, secret) = await op.Administration.IssueCredentialAsync(found.Id, label, scopeSet, expiry, op.Options.Bootstrap.AuthorityHomePage, op.Actor, ct, restrictions);
            Console.WriteLine($"""
                Credential created in tenant '{found.Name}' (the secret is shown only now; store it)
                  key:          {credential.Key}
                  secret:       {secret}
                  name:         {credential.Name}
                  scopes:       {credential.Scopes}
                  expires:      {(credential.Expires is { } e ? Terminal.Format(e) : "never")}
                  restrictions: {(restrictions.IsNone ? "none" : Administration.Describe(restrictions))}
                """);
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var tenant = Terminal.Tenant(required: false);
        var command = new Command("list", "List credentials (never their secrets), tab-separated: key, tenant, name, status, scopes, created, expires, restrictions.") { tenant };
        command.SetAction((parse, ct) => Operator.RunAsync(async op =>
        {
            var tenants = await op.Store.Credentials.TenantsAsync(ct);
            long? tenantId = null;
            if (parse.GetValue(tenant) is { } tenantName)
            {
                tenantId = tenants.FirstOrDefault(t => t.Name == tenantName)?.Id;
                if (tenantId is null) return Terminal.Fail($"No tenant named '{tenantName}'.");
            }
            var names = tenants.ToDictionary(t => t.Id, t => t.Name);
            Console.WriteLine("key\ttenant\tname\tstatus\tscopes\tcreated\texpires\trestrictions");
            foreach (var c in await op.Store.Credentials.ListAsync(tenantId, ct))
                Console.WriteLine($"{c.Key}\t{names.GetValueOrDefault(c.TenantId)}\t{c.Name}\t{op.Administration.StatusOf(c)}\t{c.Scopes}\t{Terminal.Format(c.Created)}\t{(c.Expires is { } e ? Terminal.Format(e) : "never")}\t{(c.Restrictions.IsNone ? "none" : Administration.Describe(c.Restrictions))}");
            return 0;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var key = new Argument<string>("KEY") { Description = "The credential's key." };
        var command = new Command("revoke", "Revoke a credential; running servers refuse it within a minute.") { key };
        command.SetAction((parse, ct) => Operator.RunAsync(async op =>
        {
            var credential = await op.Store.Credentials.FindAsync(parse.GetRequiredValue(key), ct);
            if (credential is null) return Terminal.Fail($"No credential with key '{parse.GetRequiredValue(key)}'.");
            if (!await op.Administration.RevokeCredentialAsync(credential, op.Actor, ct)) return Terminal.Fail($"Credential '{credential.Key}' was revoked already.");
            // A running server may accept a key it verified in the last minute; new verifications fail at once.
            Console.WriteLine($"Credential '{credential.Key}' revoked (running servers refuse it within a minute).");
            return 0;
        }));
        return command;
    }
}
