using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Lrs.Api.Admin.Cli;

/// <summary>What the verbs print: results on stdout, failures on stderr, progress only for a person at a terminal.</summary>
internal static class Terminal
{
    /// <summary>
    /// Progress is for a person watching. Into a file or a pipe (a script, a CI log) only the result is written, so that
    /// it can be read by a program.
    /// </summary>
    public static bool ShowsProgress => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// Runs <paramref name="work"/> under a spinner that says what it does; the steps it reports are listed above
    /// the spinner as they are done. Without a terminal nothing is shown.
    /// </summary>
    public static async Task<T> WithProgressAsync<T>(string what, Func<Action<string>, Task<T>> work)
    {
        if (!ShowsProgress) return await work(_ => { });
        return await AnsiConsole.Status().StartAsync(Markup.Escape(what), status => work(step =>
        {
            AnsiConsole.MarkupLine($"  [grey]{Markup.Escape(step)}[/]");
            status.Status(Markup.Escape($"{what} ({step})"));
        }));
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }

    public static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// An option of a whole number in a range (0 when not given and without <paramref name="fallback"/>); anything else
    /// is a mistake on the command line (exit code 1).
    /// </summary>
    public static Option<int> WholeNumber(string name, int? fallback, int min, int max, string description)
    {
        var option = new Option<int>(name)
        {
            Description = description,
            HelpName = "N",
            CustomParser = result =>
            {
                if (result.Tokens is [var token] && int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
                    return value;
                result.AddError($"{name} is a whole number from {min} to {max}.");
                return 0;
            },
        };
        if (fallback is { } given) option.DefaultValueFactory = _ => given;
        return option;
    }

    /// <summary>The tenant a verb works in, by name.</summary>
    public static Option<string> Tenant(bool required = true) => new("--tenant") { Description = "The tenant's name.", Required = required, HelpName = "NAME" };
}
