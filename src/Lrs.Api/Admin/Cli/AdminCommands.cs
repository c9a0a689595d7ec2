using System.CommandLine;

namespace Lrs.Api.Admin.Cli;

/// <summary>
/// The operator's verbs of the executable (<c>tenants …</c>, <c>credentials …</c>, <c>framework …</c>, <c>evidence …</c>, <c>retention …</c>,
/// <c>demo …</c>, <c>people …</c>): the same configuration and store as the server, no web server started. Exit code 0 on success, 1 with
/// a message on stderr otherwise (a mistake on the command line as well); <c>--help</c> on every verb.
/// </summary>
public static class AdminCommands
{
    private static readonly HashSet<string> Verbs = ["tenants", "credentials", "framework", "evidence", "retention", "demo", "people", "follow-up", "help", "--help", "-h", "-?"];

    /// <summary>Whether the arguments name a verb rather than options of the server, which is the default.</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args)
    {
        // "help tenants create" is "tenants create --help".
        if (args[0] == "help") args = [.. args[1..], "--help"];
        var root = new RootCommand("""
            LrsApi: an xAPI learning record store with competence profiles and reflection tasks.
            Without a verb it serves the API. The verbs use the store configured as for serving:
            Lrs__Storage__Provider, Lrs__Storage__ConnectionString, appsettings.json.
            """)
        {
            TenantCommands.Create(),
            CredentialCommands.Create(),
            FrameworkCommands.Create(),
            EvidenceCommands.Create(),
            RetentionCommands.Create(),
            DemoCommands.Create(),
            new Command("people", "A person's record: their rights over what is held about them.") { PersonExportCommands.Create() },
            FollowUpCommands.Create(),
        };
        // Failures are reported by the verbs themselves (Operator.RunAsync), in words an operator reads.
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
}
